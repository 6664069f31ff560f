"""The scoring tables of an evaluation: per system a summary (accuracy against the consensus line,
pick hit rate and ROI), edge buckets and weekly point estimates, with the calibration of P(over)
(``calibration``) gathered into one ``Evaluation``.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from nba_pipeline import markets
from nba_pipeline.domain.betting import DEFAULT_PRICE, EDGE_BUCKETS, american_profit, edge_bucket
from nba_pipeline.domain.evaluation.calibration import (
    CALIBRATION_COLUMNS,
    CALIBRATION_SUMMARY_COLUMNS,
    system_calibration,
)
from nba_pipeline.domain.evaluation.intervals import (
    N_BOOT,
    bootstrap_mean,
    bootstrap_paired_difference,
    bootstrap_ratio,
)
from nba_pipeline.domain.evaluation.rows import prepare, unit_profit
from nba_pipeline.markets import POINTS, with_market

CONSENSUS_SYSTEM = "consensus_line"
PICKS_BUCKET = "picks"

SUMMARY_COLUMNS = [
    "system_id",
    "n",
    "n_dates",
    "mae",
    "mae_lo",
    "mae_hi",
    "bias",
    "bias_lo",
    "bias_hi",
    "line_mae_n",
    "line_mae_n_consensus",
    "line_mae_n_own_line",
    "line_mae_rows",
    "line_mae",
    "line_mae_lo",
    "line_mae_hi",
    "mae_minus_line",
    "mae_minus_line_lo",
    "mae_minus_line_hi",
    "beats_line_mae",
    "picks",
    "pushes",
    "picks_decided",
    "wins",
    "picks_price_missing",
    "hit_rate",
    "hit_rate_lo",
    "hit_rate_hi",
    "roi_110",
    "roi_110_lo",
    "roi_110_hi",
    "roi_price",
    "roi_price_lo",
    "roi_price_hi",
    "profitable_110",
    "priority_n",
    "roi_priority",
    "roi_priority_lo",
    "roi_priority_hi",
    "shopping_gain",
    "shopping_gain_lo",
    "shopping_gain_hi",
    "clv_n",
    "clv_points",
    "clv_points_lo",
    "clv_points_hi",
    "clv_probability",
    "clv_probability_lo",
    "clv_probability_hi",
]
BUCKET_COLUMNS = [
    "system_id",
    "bucket",
    "n",
    "wins",
    "hit_rate",
    "hit_rate_lo",
    "hit_rate_hi",
    "roi_110",
    "roi_110_lo",
    "roi_110_hi",
]
WEEKLY_COLUMNS = [
    "system_id",
    "week",
    "n",
    "mae",
    "bias",
    "line_n",
    "line_mae",
    "mae_minus_line",
    "picks",
    "wins",
    "hit_rate",
    "roi_110",
]
_VERDICT_COLUMNS = ("beats_line_mae", "profitable_110")
_COUNT_COLUMNS = (
    "line_mae_n",
    "line_mae_n_consensus",
    "line_mae_n_own_line",
    "picks",
    "pushes",
    "picks_decided",
    "wins",
    "picks_price_missing",
    "priority_n",
    "clv_n",
)


@dataclasses.dataclass(frozen=True)
class Evaluation:
    """Frames described in evaluate(); n_boot and seed say how the intervals were drawn."""

    summary: pd.DataFrame
    buckets: pd.DataFrame
    calibration: pd.DataFrame
    calibration_summary: pd.DataFrame
    weekly: pd.DataFrame
    n_boot: int = N_BOOT
    seed: int = 0


_FRAMES = ("summary", "buckets", "calibration", "calibration_summary", "weekly")


def _interval(name: str, result: tuple[float, float, float]) -> dict:
    est, lo, hi = result
    return {name: est, f"{name}_lo": lo, f"{name}_hi": hi}


def _accuracy(s: pd.DataFrame, kw: dict) -> dict:
    row = _interval("mae", bootstrap_mean(s["abs_error"], s["game_date"], **kw))
    row |= _interval("bias", bootstrap_mean(s["signed_error"], s["game_date"], **kw))
    lined = s[s["ref_line"].notna()]
    n_cons = int(lined["line_from_consensus"].sum())
    row |= {
        "line_mae_n": len(lined),
        "line_mae_n_consensus": n_cons,
        "line_mae_n_own_line": len(lined) - n_cons,
        "line_mae_rows": f"{n_cons} consensus + {len(lined) - n_cons} own line",
    }
    row |= _interval("line_mae", bootstrap_mean(lined["line_abs_error"], lined["game_date"], **kw))
    row |= _interval(
        "mae_minus_line",
        bootstrap_paired_difference(lined["abs_error"], lined["line_abs_error"], lined["game_date"], **kw),
    )
    row["beats_line_mae"] = bool(row["mae_minus_line_hi"] < 0)
    return row


def _pick_returns(s: pd.DataFrame, kw: dict) -> dict:
    picks = s[s["is_pick"]]
    decided = picks["decided"].astype(float)
    row = {
        "picks": len(picks),
        "pushes": int(picks["is_push"].sum()),
        "picks_decided": int(decided.sum()),
        "wins": int(picks["pick_won"].sum()),
        "picks_price_missing": int(picks["price_missing"].sum()),
    }
    row |= _interval("hit_rate", bootstrap_ratio(picks["pick_won"].astype(float), decided, picks["game_date"], **kw))
    row |= _interval("roi_110", bootstrap_ratio(picks["pick_profit_110"], decided, picks["game_date"], **kw))
    row |= _interval("roi_price", bootstrap_ratio(picks["pick_profit_price"], decided, picks["game_date"], **kw))
    row["profitable_110"] = bool(row["roi_110_lo"] > 0)
    # The same picks at the priority book's quote, and what buying the best price gained on each
    # pick decided at both (paired).
    at_priority = picks[picks["priority_decided"]]
    row["priority_n"] = len(at_priority)
    row |= _interval(
        "roi_priority",
        bootstrap_ratio(at_priority["pick_profit_priority"], np.ones(len(at_priority)), at_priority["game_date"], **kw),
    )
    both = at_priority[at_priority["decided"]]
    row |= _interval(
        "shopping_gain",
        bootstrap_paired_difference(both["pick_profit_price"], both["pick_profit_priority"], both["game_date"], **kw),
    )
    # Closing-line value of the picks the books quoted again before tip-off (domain/clv.py).
    closed = picks[picks["clv_probability"].notna()]
    row["clv_n"] = len(closed)
    row |= _interval("clv_points", bootstrap_mean(closed["clv_points"], closed["game_date"], **kw))
    row |= _interval("clv_probability", bootstrap_mean(closed["clv_probability"], closed["game_date"], **kw))
    return row


def _system_summary(system: str, s: pd.DataFrame, n_boot: int, seed: int) -> dict:
    kw = {"n_boot": n_boot, "seed": seed}
    row = {"system_id": system, "n": len(s), "n_dates": int(s["game_date"].nunique())}
    return row | _accuracy(s, kw) | _pick_returns(s, kw)


def _consensus_summary(g: pd.DataFrame, n_boot: int, seed: int) -> dict:
    # Every system carries the same consensus for a player-game: count it once.
    c = g[g["consensus_line"].notna()].drop_duplicates(["game_date", "player_id"])
    err = c["consensus_line"] - c["actual_points"]
    row = {"system_id": CONSENSUS_SYSTEM, "n": len(c), "n_dates": int(c["game_date"].nunique())}
    row |= _interval("mae", bootstrap_mean(err.abs(), c["game_date"], n_boot, seed))
    row |= _interval("bias", bootstrap_mean(err, c["game_date"], n_boot, seed))
    return row


def _bucket_row(system: str, label: str, rows: pd.DataFrame, won: pd.Series, n_boot: int, seed: int) -> dict:
    decided = rows["decided"].astype(float)
    profit = unit_profit(won, rows["decided"], american_profit(DEFAULT_PRICE))
    row = {"system_id": system, "bucket": label, "n": int(decided.sum()), "wins": int(won.sum())}
    row |= _interval("hit_rate", bootstrap_ratio(won.astype(float), decided, rows["game_date"], n_boot, seed))
    row |= _interval("roi_110", bootstrap_ratio(profit, decided, rows["game_date"], n_boot, seed))
    return row


def _system_buckets(system: str, s: pd.DataFrame, n_boot: int, seed: int) -> list[dict]:
    lean = s[s["is_lean"]]
    labels = edge_bucket(lean["edge_abs"])
    rows = []
    for _, label in EDGE_BUCKETS:
        b = lean[labels == label]
        rows.append(_bucket_row(system, label, b, b["lean_won"], n_boot, seed))
    picks = s[s["is_pick"]]
    rows.append(_bucket_row(system, PICKS_BUCKET, picks, picks["pick_won"], n_boot, seed))
    return rows


def _weekly(system: str, s: pd.DataFrame) -> list[dict]:
    # ISO weeks start on Monday: Sunday's games belong to the week of the Monday before.
    week = (s["game_date"] - pd.to_timedelta(s["game_date"].dt.weekday, unit="D")).dt.date
    rows = []
    for wk, w in s.groupby(week, sort=True):
        lined = w[w["ref_line"].notna()]
        picks = w[w["is_pick"] & w["decided"]]
        n_picks = len(picks)
        rows.append(
            {
                "system_id": system,
                "week": wk,
                "n": len(w),
                "mae": w["abs_error"].mean(),
                "bias": w["signed_error"].mean(),
                "line_n": len(lined),
                "line_mae": lined["line_abs_error"].mean() if len(lined) else np.nan,
                "mae_minus_line": (lined["abs_error"] - lined["line_abs_error"]).mean() if len(lined) else np.nan,
                "picks": n_picks,
                "wins": int(picks["pick_won"].sum()),
                "hit_rate": picks["pick_won"].mean() if n_picks else np.nan,
                "roi_110": picks["pick_profit_110"].mean() if n_picks else np.nan,
            }
        )
    return rows


def _summary_frame(summary: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(summary).reindex(columns=SUMMARY_COLUMNS)
    # The consensus row has no line comparison or picks: its verdicts are unknown, not False.
    for c in _VERDICT_COLUMNS:
        frame[c] = frame[c].astype("boolean")
    for c in _COUNT_COLUMNS:
        frame[c] = frame[c].astype("Int64")
    return frame


def evaluated_name(name: str, market: str) -> str:
    """The name a system (or the consensus) is reported under in a market: its id in points, then
    ``id:market`` ("line_anchored_v1:rebounds")."""
    return name if market == POINTS.key else f"{name}:{markets.market(market).short}"


def is_consensus(name: str) -> bool:
    return name == CONSENSUS_SYSTEM or name.startswith(f"{CONSENSUS_SYSTEM}:")


def evaluate(graded: pd.DataFrame, n_boot: int = N_BOOT, seed: int = 0) -> Evaluation:
    """``evaluate_market`` of each prop market's rows (rows written before markets: points), the
    systems of a market other than points named ``system:market`` (``evaluated_name``), the frames
    concatenated market by market: an error in rebounds and one in points are not one number."""
    g = with_market(graded)
    parts = []
    for m in markets.MARKETS:
        rows = g[g["market"] == m.key]
        if len(rows) or (m is POINTS and g.empty):
            rows = rows.assign(system_id=[evaluated_name(s, m.key) for s in rows["system_id"]])
            parts.append(evaluate_market(rows, n_boot, seed, consensus=evaluated_name(CONSENSUS_SYSTEM, m.key)))
    if len(parts) == 1:
        return parts[0]
    return Evaluation(
        **{f: pd.concat([getattr(p, f) for p in parts], ignore_index=True) for f in _FRAMES}, n_boot=n_boot, seed=seed
    )


def evaluate_market(
    graded: pd.DataFrame, n_boot: int = N_BOOT, seed: int = 0, consensus: str = CONSENSUS_SYSTEM
) -> Evaluation:
    """Everything `nba-pipeline evaluate` reports, per system (intervals: 95 %, game dates
    resampled; *_lo / *_hi are NaN with fewer than 2 dates).

    summary: one row per system, then one for the consensus line (each player-game once). MAE and
      bias over all graded rows; the line's MAE on the rows with a line (the consensus, else the
      system's own line: line_mae_rows says how many of each) and the paired difference on those same
      rows; beats_line_mae when its upper bound is below 0. Picks are OVER/UNDER recommendations;
      hit rate and ROI (profit per unit staked) over the decided ones, pushes excluded; ROI at -110
      and at the price offered by the line's book (-110 where it is missing: picks_price_missing);
      profitable_110 when the ROI interval is above 0.
    buckets: per system and edge |predicted - line| (betting.EDGE_BUCKETS: 0-1, 1-2, 2-3, 3-5, 5+),
      the side the system leans to against the result, whether or not it recommended a bet
      (predicted == line has no lean); bucket "picks" is its actual OVER/UNDER recommendations.
      n counts decided rows.
    calibration / calibration_summary: reliability of p_over in 10 equal-width bins (non-empty only)
      with a Wilson interval of the observed over rate; Brier score and expected calibration error
      (n-weighted |observed - predicted| over the bins). Systems without p_over are absent.
    weekly: per system and ISO week (its Monday), point estimates only, to show drift."""
    g = prepare(graded)
    summary, buckets, calibration, cal_summary, weekly = [], [], [], [], []
    for system, s in g.groupby("system_id", sort=True):
        summary.append(_system_summary(str(system), s, n_boot, seed))
        buckets += _system_buckets(str(system), s, n_boot, seed)
        cal_rows, cal = system_calibration(str(system), s)
        calibration += cal_rows
        if cal:
            cal_summary.append(cal)
        weekly += _weekly(str(system), s)
    summary.append(_consensus_summary(g, n_boot, seed) | {"system_id": consensus})
    return Evaluation(
        summary=_summary_frame(summary),
        buckets=pd.DataFrame.from_records(buckets, columns=BUCKET_COLUMNS),
        calibration=pd.DataFrame.from_records(calibration, columns=CALIBRATION_COLUMNS),
        calibration_summary=pd.DataFrame.from_records(cal_summary, columns=CALIBRATION_SUMMARY_COLUMNS),
        weekly=pd.DataFrame.from_records(weekly, columns=WEEKLY_COLUMNS),
        n_boot=n_boot,
        seed=seed,
    )
