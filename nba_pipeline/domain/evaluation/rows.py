"""The graded rows every evaluation number is computed on: validated, voided rows out, and errors,
the reference line, pick outcomes and profits derived once.

Input: graded rows, one per (system, player-game), with the columns of REQUIRED_COLUMNS and
optionally OPTIONAL_COLUMNS (absent means unknown). Voided rows (the player did not play) and rows
without actual points are out of every number. A push (actual == line) returns the stake: it is
neither a win nor a loss and is left out of the hit-rate and ROI denominators (its ROI contribution
would be 0).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nba_pipeline.domain.betting import (
    DEFAULT_PRICE,
    LOSS,
    OVER,
    PICK_SIDES,
    PUSH,
    UNDER,
    WIN,
    american_profit,
    bet_result,
    line_result,
    price_or_default,
)

RECOMMENDATIONS = ("OVER", "UNDER", "PASS", "NO_LINE")
REQUIRED_COLUMNS = (
    "game_date",
    "system_id",
    "player_id",
    "predicted_points",
    "line_value",
    "actual_points",
    "is_voided",
    "recommendation",
)
OPTIONAL_COLUMNS = (
    "consensus_line",
    "p_over",
    "over_price",
    "under_price",
    "clv_points",
    "clv_probability",
    "priority_line",
    "priority_over_price",
    "priority_under_price",
)
_NUMERIC_COLUMNS = ("predicted_points", "line_value", "actual_points", *OPTIONAL_COLUMNS)


def _rows_named(frame: pd.DataFrame, mask: pd.Series, field: str) -> str:
    bad = frame[mask].head(3)
    where = "; ".join(
        f"system {r.system_id}, game_date {pd.Timestamp(r.game_date).date()}, player {r.player_id}: "
        f"{field}={getattr(r, field)!r}"
        for r in bad.itertuples()
    )
    return f"{int(mask.sum())} graded row(s) with a bad {field} ({where})"


def _validated(graded: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """The rows with numbers as floats and the voided flag; bad input raises ValueError naming the
    field and the first rows (system, date, player)."""
    missing = [c for c in REQUIRED_COLUMNS if c not in graded.columns]
    if missing:
        raise ValueError(f"graded rows lack column(s) {missing}; evaluate needs {list(REQUIRED_COLUMNS)}")
    g = graded.copy()
    for c in OPTIONAL_COLUMNS:
        if c not in g.columns:
            g[c] = np.nan
    g["game_date"] = pd.to_datetime(g["game_date"]).dt.normalize()
    voided = g["is_voided"].astype("boolean").fillna(False).astype(bool)
    for c in _NUMERIC_COLUMNS:
        num = pd.to_numeric(g[c], errors="coerce").astype(float)
        # A value that is there but not a number is an error, not a silent NaN dropped from a mean.
        bad_num = num.isna() & g[c].notna()
        if c == "predicted_points":
            bad_num |= num.isna() & ~voided
        if bad_num.any():
            raise ValueError(_rows_named(g, bad_num, c) + "; expected a number")
        g[c] = num
    bad_p = g["p_over"].notna() & ~g["p_over"].between(0, 1)
    if bad_p.any():
        raise ValueError(_rows_named(g, bad_p, "p_over") + "; p_over is a probability in [0, 1]")
    for c in ("over_price", "under_price", "priority_over_price", "priority_under_price"):
        bad_price = g[c].notna() & (g[c].abs() < 100)
        if bad_price.any():
            raise ValueError(_rows_named(g, bad_price, c) + "; American odds are <= -100 or >= +100")
    bad_rec = ~g["recommendation"].isin(RECOMMENDATIONS)
    if bad_rec.any():
        raise ValueError(_rows_named(g, bad_rec, "recommendation") + f"; expected one of {list(RECOMMENDATIONS)}")
    return g, voided


def unit_profit(won: pd.Series, decided: pd.Series, win_profit) -> pd.Series:
    """Profit per unit: the win profit, -1 on a loss, NaN when not decided (out of the ROI)."""
    return pd.Series(np.where(won, win_profit, -1.0), index=won.index).where(decided)


def _with_outcomes(g: pd.DataFrame) -> pd.DataFrame:
    pred, line, actual, rec = g["predicted_points"], g["line_value"], g["actual_points"], g["recommendation"]
    g["abs_error"] = (pred - actual).abs()
    g["signed_error"] = pred - actual
    # The market's number: the consensus over books; a row without one falls back to the line the
    # system bet against, and the summary says how many did.
    g["line_from_consensus"] = g["consensus_line"].notna()
    g["ref_line"] = g["consensus_line"].where(g["line_from_consensus"], line)
    g["line_abs_error"] = (g["ref_line"] - actual).abs()
    g["has_line"] = line.notna()
    result = line_result(actual, line)
    g["is_push"] = result == PUSH
    g["decided"] = result.isin(PICK_SIDES)
    g["is_pick"] = rec.isin(PICK_SIDES) & g["has_line"]
    price = g["over_price"].where(rec == OVER, g["under_price"])
    g["price_missing"] = g["is_pick"] & price.isna()
    g["pick_won"] = bet_result(rec, actual, line) == WIN
    decided_pick = g["is_pick"] & g["decided"]
    g["pick_profit_110"] = unit_profit(g["pick_won"], decided_pick, american_profit(DEFAULT_PRICE))
    g["pick_profit_price"] = unit_profit(g["pick_won"], decided_pick, american_profit(price_or_default(price)))
    # The same pick at the priority book's quote (where the row records it): what shopping is against.
    priority_line = g["priority_line"]
    priority_price = g["priority_over_price"].where(rec == OVER, g["priority_under_price"])
    at_priority = bet_result(rec, actual, priority_line)
    g["priority_decided"] = g["is_pick"] & at_priority.isin([WIN, LOSS]) & priority_line.notna()
    g["pick_profit_priority"] = unit_profit(
        at_priority == WIN, g["priority_decided"], american_profit(price_or_default(priority_price))
    )
    # Rounded so a float subtraction landing at 0.9999999999 is not put below a bucket boundary.
    g["edge_abs"] = (pred - line).abs().round(9)
    g["lean_over"] = pred > line
    g["is_lean"] = g["has_line"] & (pred != line)
    lean_side = np.where(g["lean_over"], OVER, UNDER)
    g["lean_won"] = g["is_lean"] & (bet_result(lean_side, actual, line) == WIN)
    return g


def prepare(graded: pd.DataFrame) -> pd.DataFrame:
    """The rows every number is computed on: not voided, actual points known; with errors, the
    reference line, pick outcomes and profits derived once. Bad input raises ValueError naming the
    field and the first rows (system, date, player)."""
    g, voided = _validated(graded)
    return _with_outcomes(g[~voided & g["actual_points"].notna()].copy())
