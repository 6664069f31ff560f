"""The website's JSON documents of one game date (README "Exports"): tonight (games, expected players,
the published system's prediction), predictions (every system's active predictions by game) and
results (graded predictions with a summary per system). Values are made JSON-safe here.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from nba_pipeline.domain.betting import LOSS, PICK_SIDES, PUSHED, WIN
from nba_pipeline.domain.systems import published

_PREDICTION_FIELDS = {
    "predicted_points": "predicted",
    "confidence_score": "confidence",
    "recommendation": "recommendation",
    "edge": "edge",
    "model_id": "model_id",
}
_TONIGHT_COLUMNS = [
    "game_id",
    "player_lookup",
    "player_name",
    "team_tricode",
    "is_home",
    "injury_status",
    "has_prop_line",
    "fatigue_score",
    "points_avg_season",
    "minutes_avg_season",
    "points_avg_last_10",
    "current_points_line",
    "line_bookmaker",
    *(f"_p_{c}" for c in _PREDICTION_FIELDS),
    "_has_prediction",
]
_HIGHLIGHT_COLUMNS = ["player_name", "system_id", "predicted_points", "actual_points", "line_value"]
VOID, PASS = "void", "pass"


def clean(value):
    """A value as JSON writes it: timestamps ISO, floats to 2 decimals, NaN / NA / NaT as null."""
    if value is None:
        return None
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return None if pd.isna(value) else pd.Timestamp(value).isoformat()
    if isinstance(value, (float, np.floating)):
        return None if np.isnan(value) else round(float(value), 2)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if value is pd.NA:
        return None
    return value


def _records(frame: pd.DataFrame, cols: list[str]) -> list[dict]:
    return [{c: clean(v) for c, v in zip(cols, row)} for row in frame[cols].itertuples(index=False)]


def _tonight_player(r: dict) -> dict:
    return {
        "player_lookup": r["player_lookup"],
        "name": r["player_name"],
        "team": r["team_tricode"],
        "is_home": bool(r["is_home"]),
        "injury_status": clean(r["injury_status"]),
        "has_line": bool(r["has_prop_line"]),
        "fatigue_score": clean(r["fatigue_score"]),
        "season_ppg": clean(r["points_avg_season"]),
        "season_mpg": clean(r["minutes_avg_season"]),
        "last_10_ppg": clean(r["points_avg_last_10"]),
        "props": {"line": clean(r["current_points_line"]), "book": clean(r["line_bookmaker"])}
        if r["has_prop_line"]
        else None,
        "prediction": {out: clean(r[f"_p_{col}"]) for col, out in _PREDICTION_FIELDS.items()}
        if r["_has_prediction"]
        else None,
    }


def _tonight_players(
    players: pd.DataFrame, daily_cache: pd.DataFrame, composite_factors: pd.DataFrame, predictions: pd.DataFrame
) -> tuple[pd.DataFrame, dict[str, list[dict]]]:
    """The date's expected players with their form, fatigue and prediction, and their documents by
    game (by team and name)."""
    if players.empty:
        return players, {}
    players = players.merge(
        daily_cache[["player_id", "points_avg_season", "minutes_avg_season"]], on="player_id", how="left"
    ).merge(composite_factors[["player_id", "fatigue_score"]], on="player_id", how="left")
    pred = (
        predictions.drop_duplicates("player_id")[["player_id", *_PREDICTION_FIELDS]].rename(
            columns={c: f"_p_{c}" for c in _PREDICTION_FIELDS}
        )
        if len(predictions)
        else pd.DataFrame(columns=["player_id", *(f"_p_{c}" for c in _PREDICTION_FIELDS)])
    )
    players = players.merge(pred, on="player_id", how="left", indicator="_found")
    players["_has_prediction"] = players["_found"] == "both"
    players = players.sort_values(["team_tricode", "player_name"], kind="stable")
    by_game: dict[str, list[dict]] = {}
    for r in players[_TONIGHT_COLUMNS].to_dict("records"):  # one conversion per date, only the fields used
        by_game.setdefault(r["game_id"], []).append(_tonight_player(r))
    return players, by_game


def tonight_doc(
    game_date: dt.date,
    schedule: pd.DataFrame,
    upcoming_player_context: pd.DataFrame,
    daily_cache: pd.DataFrame,
    composite_factors: pd.DataFrame,
    predictions: pd.DataFrame,
    now: dt.datetime,
) -> dict:
    """tonight/{date}.json: the date's games by tip-off, each with its expected players (by team and
    name), their form, fatigue, line and the published system's prediction. Every frame holds the
    date's rows; ``predictions`` its active ones."""
    system = published().system_id
    mine = predictions[predictions["system_id"] == system] if len(predictions) else predictions
    players, by_game = _tonight_players(upcoming_player_context, daily_cache, composite_factors, mine)
    games = [
        {
            "game_id": g["game_id"],
            "home_team": g["home_team_tricode"],
            "away_team": g["away_team_tricode"],
            "game_time": clean(g["tipoff_utc"]),
            "status": int(g["game_status"]),
            "home_score": clean(g["home_team_score"]),
            "away_score": clean(g["away_team_score"]),
            "players": by_game.get(g["game_id"], []),
        }
        for g in schedule.sort_values("tipoff_utc").to_dict("records")
    ]
    return {
        "game_date": game_date.isoformat(),
        "generated_at": now.isoformat(),
        "total_players": int(len(players)),
        "total_with_lines": int(players["has_prop_line"].sum()) if len(players) else 0,
        "games": games,
    }


def _prediction_entry(r) -> dict:
    return {
        "player_lookup": r.player_lookup,
        "player_name": r.player_name,
        "team": r.team_tricode,
        "is_home": bool(r.is_home),
        "system_id": r.system_id,
        "prediction": {
            "points": clean(r.predicted_points),
            "confidence": clean(r.confidence_score),
            "recommendation": r.recommendation,
            "line": clean(r.current_points_line),
            "edge": clean(r.edge),
            "book": r.line_bookmaker,
            "p_over": clean(getattr(r, "p_over", None)),
            "expected_value": clean(getattr(r, "expected_value", None)),
        },
    }


def predictions_doc(game_date: dt.date, schedule: pd.DataFrame, predictions: pd.DataFrame, now: dt.datetime) -> dict:
    """predictions/{date}.json: the date's active predictions of every system by game (games by
    tip-off, predictions by system and player) with OVER / UNDER / PASS counts."""
    by_game: dict[str, list] = {}
    for r in predictions.sort_values(["system_id", "player_lookup"]).itertuples() if len(predictions) else ():
        by_game.setdefault(r.game_id, []).append(r)
    games = [
        {
            "game_id": g.game_id,
            "home_team": g.home_team_tricode,
            "away_team": g.away_team_tricode,
            "game_time": clean(g.tipoff_utc),
            "predictions": [_prediction_entry(r) for r in by_game.get(g.game_id, [])],
        }
        for g in schedule.sort_values("tipoff_utc").itertuples()
    ]
    counts = predictions["recommendation"].value_counts().to_dict() if len(predictions) else {}
    return {
        "game_date": game_date.isoformat(),
        "generated_at": now.isoformat(),
        "total_games": len(schedule),
        "total_predictions": len(predictions),
        "systems": sorted(predictions["system_id"].unique().tolist()) if len(predictions) else [],
        "over_count": int(counts.get("OVER", 0)),
        "under_count": int(counts.get("UNDER", 0)),
        "pass_count": int(counts.get("PASS", 0)),
        "games": games,
    }


def result_label(r) -> str:
    """A graded row's result as the website shows it, from grading's decision: void, pass (no bet),
    push, win or loss."""
    if r.is_voided:
        return VOID
    if r.recommendation not in PICK_SIDES:
        return PASS
    if r.is_push:
        return PUSHED
    return WIN if r.prediction_correct else LOSS


def _system_results(graded: pd.DataFrame) -> tuple[dict, dict]:
    """Per system: the summary (graded, wins, losses, pushes, voided, win rate, MAE, bias) and the
    decided picks by edge bucket."""
    summary, breakdown = {}, {}
    for system, s in graded.groupby("system_id") if len(graded) else []:
        played = s[~s["is_voided"].astype(bool)]
        decided = played[played["prediction_correct"].notna()]
        wins = int(decided["prediction_correct"].astype(bool).sum())
        summary[system] = {
            "graded": len(played),
            "wins": wins,
            "losses": len(decided) - wins,
            "pushes": int(played["is_push"].astype(bool).sum()),
            "voided": int(s["is_voided"].sum()),
            "win_rate": clean(wins / len(decided)) if len(decided) else None,
            "mae": clean(played["absolute_error"].mean()),
            "bias": clean(played["signed_error"].mean()),
        }
        breakdown[system] = {
            b: {"n": int(len(x)), "wins": int(x["prediction_correct"].astype(bool).sum())}
            for b, x in decided.groupby("edge_bucket")
        }
    return summary, breakdown


def _result_entry(r) -> dict:
    return {
        "player_lookup": r.player_lookup,
        "player_name": r.player_name,
        "team": r.team_tricode,
        "system_id": r.system_id,
        "predicted": clean(r.predicted_points),
        "actual": clean(r.actual_points),
        "line": clean(r.line_value),
        "recommendation": r.recommendation,
        "result": result_label(r),
        "error": clean(r.absolute_error),
        "void_reason": r.void_reason,
    }


def results_doc(game_date: dt.date, graded: pd.DataFrame, performance: pd.DataFrame, now: dt.datetime) -> dict:
    """results/{date}.json: the date's graded predictions with a summary and edge-bucket breakdown
    per system, each result, the three closest decided calls and each system's health state."""
    summary, breakdown = _system_results(graded)
    rows = [
        _result_entry(r)
        for r in (graded.sort_values(["system_id", "player_lookup"]).itertuples() if len(graded) else [])
    ]
    decided = graded[graded["prediction_correct"].notna()] if len(graded) else graded
    highlights = _records(decided.sort_values("absolute_error").head(3), _HIGHLIGHT_COLUMNS) if len(decided) else []
    return {
        "game_date": game_date.isoformat(),
        "generated_at": now.isoformat(),
        "summary": summary,
        "breakdowns": breakdown,
        "results": rows,
        "highlights": highlights,
        "model_health": {r.system_id: r.state for r in performance.itertuples()} if len(performance) else {},
    }
