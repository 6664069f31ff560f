"""Grading (legacy-system.md section 7): per-prediction accuracy and rolling model performance."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from nba_pipeline.domain.betting import (
    DEFAULT_PRICE,
    LOSS,
    PUSH,
    WIN,
    bet_result,
    break_even,
    graded_edge_bucket,
    line_result,
)
from nba_pipeline.markets import SUMMARY_COLUMNS, market, settled_stats, with_market

# A system's picks must at least break even at -110 (110/210 = 52.38 %; the README's "52.4 %"):
# a hit rate below it loses money, whatever it is rounded to.
BREAK_EVEN_HIT_RATE = break_even(DEFAULT_PRICE)
PERFORMANCE_WINDOWS = (7, 14, 30)
MIN_PICKS_FOR_STATE = 5


def _with_actuals(predictions: pd.DataFrame, actuals: pd.DataFrame) -> pd.DataFrame:
    """Active predictions with the player's game (minutes, DNP and ``settled``: the stat its market
    settles on) joined on date and player."""
    p = with_market(predictions[predictions["is_active"].astype(bool)]).copy()
    p["game_date"] = pd.to_datetime(p["game_date"])
    stats = [s for s in SUMMARY_COLUMNS if s in settled_stats(actuals)]
    a = settled_stats(actuals)[["game_date", "player_id", "minutes", "is_dnp", *stats]].copy()
    a["game_date"] = pd.to_datetime(a["game_date"])
    g = p.merge(a, on=["game_date", "player_id"], how="left")
    g["settled"] = np.nan
    for key in g["market"].unique():
        rows = (g["market"] == key).to_numpy()
        g.loc[rows, "settled"] = pd.to_numeric(market(key).actual(g.loc[rows]), errors="coerce").astype(float)
    return g


def _did_not_play(is_dnp: pd.Series, actual: pd.Series, minutes: pd.Series) -> pd.Series:
    """DNP, or 0 of the stat with 0/NULL minutes, or no row at all for a final game."""
    return (
        is_dnp.astype("boolean").fillna(True).astype(bool)
        | ((actual.fillna(0) == 0) & (minutes.fillna(0) == 0))
        | actual.isna()
    )


def _void_reason(injury_status: pd.Series, no_play: pd.Series) -> np.ndarray:
    """Why a pick is void: OUT/DOUBTFUL known before the game, a late scratch, or unknown."""
    status = injury_status.fillna("").str.lower()
    return np.where(
        ~no_play,
        None,
        np.where(
            status.isin(["out", "doubtful"]),
            "dnp_injury_confirmed",
            np.where(status.isin(["questionable", "probable"]), "dnp_late_scratch", "dnp_unknown"),
        ),
    )


def grade(predictions: pd.DataFrame, actuals: pd.DataFrame) -> pd.DataFrame:
    """One graded row per active prediction of a final game.

    Each in its market: ``actual_points`` is the stat the market settles on (points, rebounds, ...,
    points + rebounds + assists). Voided like a sportsbook when the player did not play (DNP, or 0 of
    the stat with 0/NULL minutes, or
    no row for a final game): reason dnp_injury_confirmed when OUT/DOUBTFUL was known before the
    game, dnp_late_scratch for QUESTIONABLE/PROBABLE, else dnp_unknown. Push (actual == line) and
    PASS/NO_LINE have no win/loss."""
    if predictions.empty:
        return pd.DataFrame()
    g = _with_actuals(predictions, actuals)
    actual = g["settled"]
    minutes = pd.to_numeric(g["minutes"], errors="coerce")
    no_play = _did_not_play(g["is_dnp"], actual, minutes)
    void_reason = _void_reason(g["injury_status_at_prediction"], no_play)
    pred = g["predicted_points"].astype(float)
    line = pd.to_numeric(g["current_points_line"], errors="coerce")
    actual_graded = actual.where(~no_play)
    err = pred - actual_graded
    is_push = line_result(actual_graded, line) == PUSH
    settled = bet_result(g["recommendation"], actual_graded, line)
    correct = (settled == WIN).astype("boolean").where(settled.isin([WIN, LOSS]), pd.NA)

    def optional(col):
        # Columns predictions gained later (consensus, prices, probability): NULL on older rows.
        return pd.to_numeric(g[col], errors="coerce") if col in g else pd.Series(np.nan, index=g.index)

    out = pd.DataFrame(
        {
            "game_date": g["game_date"],
            "prediction_id": g["prediction_id"],
            "system_id": g["system_id"],
            "market": g["market"],
            "game_id": g["game_id"],
            "player_id": g["player_id"],
            "player_lookup": g["player_lookup"],
            "player_name": g["player_name"],
            "team_tricode": g["team_tricode"],
            "opponent_tricode": g["opponent_tricode"],
            "predicted_points": pred,
            "line_value": line,
            "consensus_line": optional("consensus_points_line"),
            "over_price": optional("line_over_price"),
            "under_price": optional("line_under_price"),
            "p_over": optional("p_over"),
            "expected_value": optional("expected_value"),
            "line_bookmaker": g["line_bookmaker"],
            "priority_line": optional("priority_points_line"),
            "priority_over_price": optional("priority_over_price"),
            "priority_under_price": optional("priority_under_price"),
            "priority_bookmaker": g["priority_bookmaker"] if "priority_bookmaker" in g else None,
            "recommendation": g["recommendation"],
            "confidence_score": g["confidence_score"],
            "actual_points": actual_graded,
            "minutes_played": minutes.where(~no_play),
            "absolute_error": err.abs(),
            "signed_error": err,
            "within_3_points": (err.abs() <= 3).where(err.notna()),
            "within_5_points": (err.abs() <= 5).where(err.notna()),
            "predicted_margin": pred - line,
            "actual_margin": actual_graded - line,
            "edge_abs": (pred - line).abs(),
            "prediction_correct": correct,
            "is_push": is_push.where(~no_play, False),
            "is_voided": no_play,
            "void_reason": void_reason,
            "model_id": g["model_id"],
            "feature_quality_score": g["feature_quality_score"],
        }
    )
    out["edge_bucket"] = graded_edge_bucket(out["edge_abs"])
    return out


def performance_state(hit_rate_7: float | None, n7: int) -> str:
    """Legacy decay states on the 7-day hit rate of the picks: BLOCKED below break-even at -110,
    DEGRADING below 55 %, WATCH below 58 %, else HEALTHY."""
    if n7 < MIN_PICKS_FOR_STATE or hit_rate_7 is None:
        return "INSUFFICIENT_DATA"
    if hit_rate_7 < BREAK_EVEN_HIT_RATE:
        return "BLOCKED"
    if hit_rate_7 < 0.55:
        return "DEGRADING"
    if hit_rate_7 < 0.58:
        return "WATCH"
    return "HEALTHY"


def daily_performance(
    game_dates: list[dt.date], accuracy: pd.DataFrame, served: tuple[tuple[str, str], ...]
) -> pd.DataFrame:
    """Per date, system and market (``served``: (system, market) pairs): rolling 7/14/30-day hit rate
    of its picks (the OVER / UNDER it recommended, decided: pushes and voids out) with counts, MAE,
    bias, and state, over graded rows dated in (game_date - window, game_date]. Each pair's rows are
    sorted once; a window is a slice."""
    acc = with_market(accuracy).assign(game_date=pd.to_datetime(accuracy["game_date"])) if len(accuracy) else accuracy
    series = {}
    for pair in served:
        system, market = pair
        s = (
            acc[(acc["system_id"] == system) & (acc["market"] == market)].sort_values("game_date", kind="stable")
            if len(acc)
            else acc
        )
        graded = ~s["is_voided"].astype(bool).to_numpy() if len(s) else np.array([], dtype=bool)
        decided = s["prediction_correct"].notna().to_numpy() if len(s) else np.array([], dtype=bool)
        series[pair] = (
            s["game_date"].to_numpy(dtype="datetime64[ns]") if len(s) else np.array([], dtype="datetime64[ns]"),
            graded,
            decided,
            s["prediction_correct"].fillna(False).astype(bool).to_numpy() if len(s) else np.array([], dtype=bool),
            pd.to_numeric(s["absolute_error"], errors="coerce").to_numpy(dtype=float) if len(s) else np.array([]),
            pd.to_numeric(s["signed_error"], errors="coerce").to_numpy(dtype=float) if len(s) else np.array([]),
        )

    def mean(values: np.ndarray, n_rows: int):
        values = values[~np.isnan(values)]
        return None if not n_rows else float(values.mean()) if len(values) else float("nan")

    rows = []
    for game_date in game_dates:
        ts = np.datetime64(pd.Timestamp(game_date), "ns")
        for system, market in served:
            days, graded, decided, correct, abs_err, signed_err = series[(system, market)]
            hi = np.searchsorted(days, ts, side="right")
            row = {"game_date": game_date, "system_id": system, "market": market}
            for w in PERFORMANCE_WINDOWS:
                lo = np.searchsorted(days, ts - np.timedelta64(w, "D"), side="right")
                g = graded[lo:hi]
                picks = g & decided[lo:hi]
                n, wins = int(picks.sum()), int((picks & correct[lo:hi]).sum())
                row[f"picks_{w}d"] = n
                row[f"wins_{w}d"] = wins
                row[f"hit_rate_{w}d"] = wins / n if n else None
                row[f"mae_{w}d"] = mean(abs_err[lo:hi][g], int(g.sum()))
                row[f"bias_{w}d"] = mean(signed_err[lo:hi][g], int(g.sum()))
                row[f"graded_{w}d"] = int(g.sum())
            row["state"] = performance_state(row["hit_rate_7d"], row["picks_7d"])
            rows.append(row)
    return pd.DataFrame.from_records(rows)
