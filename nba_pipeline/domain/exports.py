"""The website's JSON documents of one game date (README "Exports"): tonight (games, expected players,
each market's published system's picks and every system's record in every market), predictions
(every system's active predictions by game) and results (graded predictions with a summary per market
and system). Values are made JSON-safe here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from nba_pipeline.domain.betting import LOSS, OVER, PICK_SIDES, PUSHED, WIN, kelly_stake, price_or_default
from nba_pipeline.domain.records import RECORD_COLUMNS, RULE, choose_published
from nba_pipeline.domain.systems import SERVED
from nba_pipeline.markets import MARKETS, POINTS, with_market

KELLY_FRACTION = 0.25
RECOMMENDED, UNPROVEN, NO_BET = "recommended", "unproven", "no_bet"
_PICK_COLUMNS = [
    "system_id",
    "market",
    "model_id",
    "predicted_points",
    "recommendation",
    "edge",
    "current_points_line",
    "line_bookmaker",
    "line_over_price",
    "line_under_price",
    "p_over",
    "expected_value",
]
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
    *(f"_p_{c}" for c in _PICK_COLUMNS),
    "_has_prediction",
    "_market_picks",
]
_HIGHLIGHT_COLUMNS = ["player_name", "system_id", "market", "predicted_points", "actual_points", "line_value"]
VOID, PASS = "void", "pass"


@dataclass(frozen=True)
class TonightInputs:
    """The rows tonight's document of one date is built from: the date's schedule, expected players,
    daily cache, composite factors and active predictions, and each system's record as it stood the
    day before (``records.latest_records``)."""

    schedule: pd.DataFrame
    upcoming_player_context: pd.DataFrame
    daily_cache: pd.DataFrame
    composite_factors: pd.DataFrame
    predictions: pd.DataFrame
    records: pd.DataFrame


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


def pick(values: dict) -> dict:
    """A prediction as the website shows it: the market, the book, the line and, for an OVER / UNDER,
    the price of that side, P(win) (the system's calibrated P(over) or its complement), the expected
    value per unit and a quarter-Kelly share of the bankroll (both at -110 where the book's price is
    unknown); a PASS carries no price, probability or stake. Keys are the predictions' columns."""
    side = values["recommendation"] if values["recommendation"] in PICK_SIDES else None
    price = p_win = stake = None
    if side is not None:
        price = values["line_over_price"] if side == OVER else values["line_under_price"]
        p_over = values["p_over"]
        if p_over is not None and not pd.isna(p_over):
            p_win = float(p_over) if side == OVER else 1.0 - float(p_over)
            stake = float(kelly_stake(p_win, price_or_default(price), KELLY_FRACTION))
    return {
        "system_id": values["system_id"],
        "market": values.get("market") or POINTS.key,
        "predicted": clean(values["predicted_points"]),
        "recommendation": values["recommendation"],
        "edge": clean(values["edge"]),
        "book": clean(values["line_bookmaker"]),
        "line": clean(values["current_points_line"]),
        "price": clean(price),
        "p_win": None if p_win is None else round(p_win, 4),
        "expected_value": clean(values["expected_value"]) if side is not None else None,
        "kelly_stake": None if stake is None else round(stake, 4),
        "model_id": values["model_id"],
    }


def _with_status(prediction: dict, proven: bool) -> dict:
    prediction["status"] = (
        NO_BET if prediction["recommendation"] not in PICK_SIDES else RECOMMENDED if proven else UNPROVEN
    )
    return prediction


def _tonight_player(r: dict, proven: bool) -> dict:
    prediction = _with_status(pick({c: r[f"_p_{c}"] for c in _PICK_COLUMNS}), proven) if r["_has_prediction"] else None
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
        "prediction": prediction,
        "market_picks": r["_market_picks"],
    }


def _tonight_players(inputs: TonightInputs, predictions: pd.DataFrame, proven: bool, market_picks: dict):
    """The date's expected players with their form, fatigue, points pick and the picks of the other
    markets (``market_picks``: player id -> picks), and their documents by game (by team and name)."""
    players = inputs.upcoming_player_context
    if players.empty:
        return players, {}
    players = players.merge(
        inputs.daily_cache[["player_id", "points_avg_season", "minutes_avg_season"]], on="player_id", how="left"
    ).merge(inputs.composite_factors[["player_id", "fatigue_score"]], on="player_id", how="left")
    pred = (
        predictions.drop_duplicates("player_id")[["player_id", *_PICK_COLUMNS]].rename(
            columns={c: f"_p_{c}" for c in _PICK_COLUMNS}
        )
        if len(predictions)
        else pd.DataFrame(columns=["player_id", *(f"_p_{c}" for c in _PICK_COLUMNS)])
    )
    players = players.merge(pred, on="player_id", how="left", indicator="_found")
    players["_has_prediction"] = players["_found"] == "both"
    players["_market_picks"] = [market_picks.get(p, []) for p in players["player_id"]]
    players = players.sort_values(["team_tricode", "player_name"], kind="stable")
    by_game: dict[str, list[dict]] = {}
    for r in players[_TONIGHT_COLUMNS].to_dict("records"):  # one conversion per date, only the fields used
        by_game.setdefault(r["game_id"], []).append(_tonight_player(r, proven))
    return players, by_game


def _record_doc(system_id: str, market: str, values: dict | None) -> dict:
    """A system's record in a market as tonight shows it (``values``: its performance row, or None)."""
    values = values or {"record_picks": 0, "is_proven": False}
    doc = {"system_id": system_id, "market": market, **{c: clean(values.get(c)) for c in RECORD_COLUMNS}}
    first = values.get("record_first_date")
    doc["record_first_date"] = None if first is None or pd.isna(first) else pd.Timestamp(first).date().isoformat()
    # A performance row written before records existed holds NULLs: no record, not proven.
    proven, picks = values.get("is_proven"), values.get("record_picks")
    doc["is_proven"] = False if proven is None or pd.isna(proven) else bool(proven)
    doc["record_picks"] = 0 if picks is None or pd.isna(picks) else int(picks)
    return doc


def _record_docs(known: pd.DataFrame) -> list[dict]:
    """Every system's record in every market it serves (``SERVED``), from the known records."""
    rows = {} if known.empty else {(r["system_id"], r["market"]): r for r in known.to_dict("records")}
    return [_record_doc(s, m, rows.get((s, m))) for s, m in SERVED]


def _published(known: pd.DataFrame, records: list[dict]) -> list[dict]:
    """Per market: the system the website publishes (``records.choose_published`` over the systems
    serving the market, by their records in it) and whether that record is proven."""
    out = []
    for m in MARKETS:
        serving = tuple(s for s, k in SERVED if k == m.key)
        system = choose_published(known[known["market"] == m.key] if len(known) else known, serving)
        proven = next(r["is_proven"] for r in records if (r["system_id"], r["market"]) == (system, m.key))
        out.append({"market": m.key, "label": m.label, "published_system": system, "published_system_proven": proven})
    return out


def _market_picks(predictions: pd.DataFrame, published: list[dict]) -> dict[int, list[dict]]:
    """player id -> the picks of the published system of every market but points, with their status."""
    out: dict[int, list[dict]] = {}
    if predictions.empty:
        return out
    for m in published:
        if m["market"] == POINTS.key:
            continue
        rows = predictions[(predictions["market"] == m["market"]) & (predictions["system_id"] == m["published_system"])]
        for r in rows[["player_id", *_PICK_COLUMNS]].to_dict("records"):  # only the fields a pick shows
            out.setdefault(r["player_id"], []).append(_with_status(pick(r), m["published_system_proven"]))
    return out


def tonight_doc(game_date: dt.date, inputs: TonightInputs, now: dt.datetime) -> dict:
    """tonight/{date}.json: the date's games by tip-off, each with its expected players (by team and
    name), their form, fatigue, line, the points pick of the published points system and the picks
    of each other market's published system; the published system of a market is the one with the
    best record in it as it stood before the date (``records.choose_published``), its picks marked
    recommended only while that record is proven; every system's record in every market it serves.
    ``published_system`` is the points market's."""
    known = with_market(inputs.records) if len(inputs.records) else inputs.records
    records = _record_docs(known)
    published = _published(known, records)
    system, proven = published[0]["published_system"], published[0]["published_system_proven"]
    predictions = with_market(inputs.predictions) if len(inputs.predictions) else inputs.predictions
    points = predictions[predictions["market"] == POINTS.key] if len(predictions) else predictions
    mine = points[points["system_id"] == system] if len(points) else points
    players, by_game = _tonight_players(inputs, mine, proven, _market_picks(predictions, published))

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
        for g in inputs.schedule.sort_values("tipoff_utc").to_dict("records")
    ]
    return {
        "game_date": game_date.isoformat(),
        "generated_at": now.isoformat(),
        "published_system": system,
        "published_system_proven": proven,
        "markets": published,
        "publishing_rule": RULE,
        "kelly_fraction": KELLY_FRACTION,
        "system_records": records,
        "total_players": int(len(players)),
        "total_with_lines": int(players["has_prop_line"].sum()) if len(players) else 0,
        "games": games,
    }


def _prediction_entry(r: dict) -> dict:
    return {
        "player_lookup": r["player_lookup"],
        "player_name": r["player_name"],
        "team": r["team_tricode"],
        "is_home": bool(r["is_home"]),
        "system_id": r["system_id"],
        "prediction": pick(r),
    }


def predictions_doc(game_date: dt.date, schedule: pd.DataFrame, predictions: pd.DataFrame, now: dt.datetime) -> dict:
    """predictions/{date}.json: the date's active predictions of every system by game (games by
    tip-off, predictions by system and player) with OVER / UNDER / PASS counts."""
    by_game: dict[str, list] = {}
    rows = with_market(predictions).sort_values(["system_id", "market", "player_lookup"]) if len(predictions) else ()
    for r in rows.to_dict("records") if len(predictions) else ():
        by_game.setdefault(r["game_id"], []).append(r)
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
    """Per market and system: the summary (graded, wins, losses, pushes, voided, win rate, MAE, bias)
    and the decided picks by edge bucket."""
    summary: dict[str, dict] = {}
    breakdown: dict[str, dict] = {}
    for (market, system), s in with_market(graded).groupby(["market", "system_id"]) if len(graded) else []:
        played = s[~s["is_voided"].astype(bool)]
        decided = played[played["prediction_correct"].notna()]
        wins = int(decided["prediction_correct"].astype(bool).sum())
        summary.setdefault(market, {})[system] = {
            "graded": len(played),
            "wins": wins,
            "losses": len(decided) - wins,
            "pushes": int(played["is_push"].astype(bool).sum()),
            "voided": int(s["is_voided"].sum()),
            "win_rate": clean(wins / len(decided)) if len(decided) else None,
            "mae": clean(played["absolute_error"].mean()),
            "bias": clean(played["signed_error"].mean()),
        }
        breakdown.setdefault(market, {})[system] = {
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
        "market": r.market,
        "predicted": clean(r.predicted_points),
        "actual": clean(r.actual_points),
        "line": clean(r.line_value),
        "recommendation": r.recommendation,
        "result": result_label(r),
        "error": clean(r.absolute_error),
        "void_reason": r.void_reason,
    }


def _health(performance: pd.DataFrame) -> dict[str, dict[str, str]]:
    """market -> system -> the decay state of its picks."""
    health: dict[str, dict[str, str]] = {}
    for r in with_market(performance).itertuples() if len(performance) else ():
        health.setdefault(r.market, {})[r.system_id] = r.state
    return health


def results_doc(game_date: dt.date, graded: pd.DataFrame, performance: pd.DataFrame, now: dt.datetime) -> dict:
    """results/{date}.json: the date's graded predictions with a summary and edge-bucket breakdown
    per market and system, each result, the three closest decided calls and each system's health
    state in each market."""
    graded = with_market(graded) if len(graded) else graded
    summary, breakdown = _system_results(graded)
    rows = [
        _result_entry(r)
        for r in (graded.sort_values(["market", "system_id", "player_lookup"]).itertuples() if len(graded) else [])
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
        "model_health": _health(performance),
    }
