"""Phase 6: JSON for the website, one file per game date and export type.

Written to the ``exports`` store: a folder under the home directory locally, a GCS bucket prefix
in production. Each export is its own asset (legacy incident 19: one slow exporter must not starve
the others).
"""

import datetime as dt
import hashlib
from collections.abc import Callable

import dagster as dg
import numpy as np
import pandas as pd

from nba_pipeline import automation, keys
from nba_pipeline.environment import code_identity
from nba_pipeline.assets.definition import BACKFILL_POLICY, check_spec, inputs_ready_spec
from nba_pipeline.execution.frames import ByDate
from nba_pipeline.execution.recording import inputs_ready_result, record_dates
from nba_pipeline.execution.tables import unready_dates
from nba_pipeline.domain import systems
from nba_pipeline.partitions import GAME_DATE_PARTITIONS, context_dates
from nba_pipeline.resources import Clock
from nba_pipeline.storage import BlobStore
from nba_pipeline.warehouse import tables as t
from nba_pipeline.warehouse.base import Warehouse

CHECK_EXPORT_READABLE = "export_json_readable"


def _clean(value):
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
    return [{c: _clean(v) for c, v in zip(cols, row)} for row in frame[cols].itertuples(index=False)]


def _export_asset(key: dg.AssetKey, deps: list, description: str):
    return dg.asset(
        key=key, group_name=keys.PHASE6, partitions_def=GAME_DATE_PARTITIONS, backfill_policy=BACKFILL_POLICY,
        deps=deps, automation_condition=automation.EXPORT_ON_TABLES, description=description, kinds={"json"},
        check_specs=[inputs_ready_spec(key),
                     check_spec(key, CHECK_EXPORT_READABLE, "The published file reads back as the JSON we wrote.")],
    )


def _publish(context: dg.AssetExecutionContext, exports: BlobStore, folder: str,
             build: Callable[[list[dt.date]], dict[dt.date, dict]]):
    """Publish one file per date whose inputs are ready (a date that is not keeps its last file),
    then record each date with its file and checks."""
    dates = context_dates(context)
    unready = unready_dates(context, dates)
    ready = [d for d in dates if d not in unready]
    docs = build(ready) if ready else {}
    per_date, checks = {}, {}
    for day in dates:
        if day in unready:
            per_date[day] = {"not_written": f"inputs not ready: {unready[day]}"}
            checks[day] = [inputs_ready_result(unready[day])]
            continue
        doc = docs[day]
        ref = exports.put_json(f"{folder}/{day.isoformat()}.json", doc)
        readable = hashlib.sha256(exports.get(ref.path)).hexdigest() == ref.sha256
        per_date[day] = {"path": ref.uri, "bytes": ref.bytes, "sha256": ref.sha256,
                         "records": len(doc.get("games", doc.get("results", [])))}
        checks[day] = [inputs_ready_result(None),
                       dg.AssetCheckResult(check_name=CHECK_EXPORT_READABLE, passed=readable,
                                           metadata={"path": ref.uri})]
    yield from record_dates(context, dates, per_date_metadata=per_date, checks=checks, metadata={
        "files": len(docs), "folder": folder, "code_identity": code_identity()})


def _active(preds: pd.DataFrame) -> pd.DataFrame:
    return preds[preds["is_active"].astype(bool)] if len(preds) else preds


_PREDICTION_FIELDS = {"predicted_points": "predicted", "confidence_score": "confidence",
                      "recommendation": "recommendation", "edge": "edge", "model_id": "model_id"}


_TONIGHT_COLUMNS = ["game_id", "player_lookup", "player_name", "team_tricode", "is_home", "injury_status",
                    "has_prop_line", "fatigue_score", "points_avg_season", "minutes_avg_season", "points_avg_last_10",
                    "current_points_line", "line_bookmaker", *(f"_p_{c}" for c in _PREDICTION_FIELDS), "_has_prediction"]


def _player(r: dict) -> dict:
    return {
        "player_lookup": r["player_lookup"], "name": r["player_name"], "team": r["team_tricode"],
        "is_home": bool(r["is_home"]), "injury_status": _clean(r["injury_status"]),
        "has_line": bool(r["has_prop_line"]), "fatigue_score": _clean(r["fatigue_score"]),
        "season_ppg": _clean(r["points_avg_season"]), "season_mpg": _clean(r["minutes_avg_season"]),
        "last_10_ppg": _clean(r["points_avg_last_10"]),
        "props": {"line": _clean(r["current_points_line"]), "book": _clean(r["line_bookmaker"])} if r["has_prop_line"] else None,
        "prediction": {out: _clean(r[f"_p_{col}"]) for col, out in _PREDICTION_FIELDS.items()} if r["_has_prediction"] else None,
    }


def tonight_docs(dates: list[dt.date], sched: pd.DataFrame, upgc: pd.DataFrame, pdc: pd.DataFrame,
                 pcf: pd.DataFrame, preds: pd.DataFrame, now: dt.datetime) -> dict[dt.date, dict]:
    """The tonight file of each date: its games by tip-off, each with its expected players (by team
    and name), their form, fatigue, line and the published system's prediction."""
    published = systems.published().system_id
    pub = preds[preds["system_id"] == published] if len(preds) else preds
    by_date = [ByDate(x) for x in (sched, upgc, pdc, pcf, pub)]
    docs = {}
    for day in dates:
        s, u, c, f, p = (x[day] for x in by_date)
        if len(u):
            u = (u.merge(c[["player_id", "points_avg_season", "minutes_avg_season"]], on="player_id", how="left")
                 .merge(f[["player_id", "fatigue_score"]], on="player_id", how="left"))
            pred = (p.drop_duplicates("player_id")[["player_id", *_PREDICTION_FIELDS]]
                    .rename(columns={c: f"_p_{c}" for c in _PREDICTION_FIELDS}) if len(p) else
                    pd.DataFrame(columns=["player_id", *(f"_p_{c}" for c in _PREDICTION_FIELDS)]))
            u = u.merge(pred, on="player_id", how="left", indicator="_found")
            u["_has_prediction"] = u["_found"] == "both"
            u = u.sort_values(["team_tricode", "player_name"], kind="stable")
            players: dict[str, list[dict]] = {}
            for r in u[_TONIGHT_COLUMNS].to_dict("records"):  # one conversion per date, only the fields used
                players.setdefault(r["game_id"], []).append(_player(r))
        else:
            players = {}
        games = [{"game_id": g["game_id"], "home_team": g["home_team_tricode"], "away_team": g["away_team_tricode"],
                  "game_time": _clean(g["tipoff_utc"]), "status": int(g["game_status"]),
                  "home_score": _clean(g["home_team_score"]), "away_score": _clean(g["away_team_score"]),
                  "players": players.get(g["game_id"], [])}
                 for g in s.sort_values("tipoff_utc").to_dict("records")]
        docs[day] = {"game_date": day.isoformat(), "generated_at": now.isoformat(),
                     "total_players": int(len(u)), "total_with_lines": int(u["has_prop_line"].sum()) if len(u) else 0,
                     "games": games}
    return docs


@_export_asset(keys.EXPORT_TONIGHT,
               deps=[keys.RAW_SCHEDULE, keys.UPCOMING_PLAYER_CONTEXT, keys.PLAYER_DAILY_CACHE,
                     keys.PLAYER_COMPOSITE_FACTORS, keys.PLAYER_PROP_PREDICTIONS],
               description="tonight/{date}.json: the date's games with their expected players, injury "
                           "status, season and recent form, fatigue, the pre-tip line and the prediction of "
                           "the published system (domain/systems.py). Grain: one file per game date.")
def tonight(context: dg.AssetExecutionContext, warehouse: Warehouse, exports: BlobStore, clock: Clock):
    def build(dates: list[dt.date]) -> dict[dt.date, dict]:
        start, end = min(dates), max(dates)
        sched, upgc = warehouse.read(t.NBAC_SCHEDULE, start, end), warehouse.read(t.UPCOMING_PLAYER_CONTEXT, start, end)
        pdc, pcf = warehouse.read(t.PLAYER_DAILY_CACHE, start, end), warehouse.read(t.PLAYER_COMPOSITE_FACTORS, start, end)
        preds = _active(warehouse.read(t.PLAYER_PROP_PREDICTIONS, start, end))
        return tonight_docs(dates, sched, upgc, pdc, pcf, preds, clock.now())

    yield from _publish(context, exports, "tonight", build)


@_export_asset(keys.EXPORT_PREDICTIONS, deps=[keys.PLAYER_PROP_PREDICTIONS, keys.RAW_SCHEDULE],
               description="predictions/{date}.json: active predictions of every system by game, with "
                           "line, edge, recommendation and confidence, and OVER/UNDER/PASS counts. "
                           "Grain: one file per game date.")
def predictions(context: dg.AssetExecutionContext, warehouse: Warehouse, exports: BlobStore, clock: Clock):
    def build(dates: list[dt.date]) -> dict[dt.date, dict]:
        start, end = min(dates), max(dates)
        sched_by = ByDate(warehouse.read(t.NBAC_SCHEDULE, start, end))
        preds_by = ByDate(_active(warehouse.read(t.PLAYER_PROP_PREDICTIONS, start, end)))
        docs = {}
        for day in dates:
            s, p = sched_by[day], preds_by[day]
            by_game: dict[str, list] = {}
            for r in (p.sort_values(["system_id", "player_lookup"]).itertuples() if len(p) else ()):
                by_game.setdefault(r.game_id, []).append(r)
            games = []
            for g in s.sort_values("tipoff_utc").itertuples():
                gp = by_game.get(g.game_id, [])
                games.append({"game_id": g.game_id, "home_team": g.home_team_tricode, "away_team": g.away_team_tricode,
                              "game_time": _clean(g.tipoff_utc), "predictions": [{
                                  "player_lookup": r.player_lookup, "player_name": r.player_name, "team": r.team_tricode,
                                  "is_home": bool(r.is_home), "system_id": r.system_id,
                                  "prediction": {"points": _clean(r.predicted_points), "confidence": _clean(r.confidence_score),
                                                 "recommendation": r.recommendation, "line": _clean(r.current_points_line),
                                                 "edge": _clean(r.edge), "book": r.line_bookmaker,
                                                 "p_over": _clean(getattr(r, "p_over", None)),
                                                 "expected_value": _clean(getattr(r, "expected_value", None))}}
                                  for r in gp]})
            counts = p["recommendation"].value_counts().to_dict() if len(p) else {}
            docs[day] = {"game_date": day.isoformat(), "generated_at": clock.now().isoformat(), "total_games": len(s),
                         "total_predictions": len(p), "systems": sorted(p["system_id"].unique().tolist()) if len(p) else [],
                         "over_count": int(counts.get("OVER", 0)), "under_count": int(counts.get("UNDER", 0)),
                         "pass_count": int(counts.get("PASS", 0)), "games": games}
        return docs

    yield from _publish(context, exports, "predictions", build)


def _result_label(r) -> str:
    if r.is_voided:
        return "void"
    if r.recommendation not in ("OVER", "UNDER"):
        return "pass"
    if r.is_push:
        return "push"
    return "win" if r.prediction_correct else "loss"


@_export_asset(keys.EXPORT_RESULTS, deps=[keys.PREDICTION_ACCURACY, keys.MODEL_PERFORMANCE_DAILY],
               description="results/{date}.json: graded predictions of a completed date with a summary per "
                           "system (win rate, MAE, bias), edge-bucket breakdowns, each result (win/loss/push/"
                           "void/pass) and the model's health state. Grain: one file per game date.")
def results(context: dg.AssetExecutionContext, warehouse: Warehouse, exports: BlobStore, clock: Clock):
    def build(dates: list[dt.date]) -> dict[dt.date, dict]:
        start, end = min(dates), max(dates)
        acc_by = ByDate(warehouse.read(t.PREDICTION_ACCURACY, start, end))
        perf_by = ByDate(warehouse.read(t.MODEL_PERFORMANCE_DAILY, start, end))
        docs = {}
        for day in dates:
            a, pf = acc_by[day], perf_by[day]
            summary, breakdown = {}, {}
            for system, s in (a.groupby("system_id") if len(a) else []):
                graded = s[~s["is_voided"].astype(bool)]
                decided = graded[graded["prediction_correct"].notna()]
                wins = int(decided["prediction_correct"].astype(bool).sum())
                summary[system] = {"graded": len(graded), "wins": wins, "losses": len(decided) - wins,
                                   "pushes": int(graded["is_push"].astype(bool).sum()), "voided": int(s["is_voided"].sum()),
                                   "win_rate": _clean(wins / len(decided)) if len(decided) else None,
                                   "mae": _clean(graded["absolute_error"].mean()), "bias": _clean(graded["signed_error"].mean())}
                breakdown[system] = {b: {"n": int(len(x)), "wins": int(x["prediction_correct"].astype(bool).sum())}
                                     for b, x in decided.groupby("edge_bucket")}
            rows = [{"player_lookup": r.player_lookup, "player_name": r.player_name, "team": r.team_tricode,
                     "system_id": r.system_id, "predicted": _clean(r.predicted_points), "actual": _clean(r.actual_points),
                     "line": _clean(r.line_value), "recommendation": r.recommendation, "result": _result_label(r),
                     "error": _clean(r.absolute_error), "void_reason": r.void_reason}
                    for r in (a.sort_values(["system_id", "player_lookup"]).itertuples() if len(a) else [])]
            decided_rows = a[a["prediction_correct"].notna()] if len(a) else a
            highlights = _records(decided_rows.sort_values("absolute_error").head(3),
                                  ["player_name", "system_id", "predicted_points", "actual_points", "line_value"]) if len(decided_rows) else []
            docs[day] = {"game_date": day.isoformat(), "generated_at": clock.now().isoformat(), "summary": summary,
                         "breakdowns": breakdown, "results": rows, "highlights": highlights,
                         "model_health": {r.system_id: r.state for r in pf.itertuples()} if len(pf) else {}}
        return docs

    yield from _publish(context, exports, "results", build)


PUBLISHING_ASSETS = [tonight, predictions, results]
