"""Phase 5: the walk-forward points model and the predictions it serves."""

import datetime as dt
import hashlib
import json
import uuid

import dagster as dg
import numpy as np
import pandas as pd

from nba_pipeline import automation, keys
from nba_pipeline.assets.definition import check_spec, table_asset
from nba_pipeline.execution.frames import ByDate, or_empty
from nba_pipeline.execution.tables import TableOutput, write_table
from nba_pipeline.domain import model as m
from nba_pipeline.domain import systems
from nba_pipeline.domain.features import value_col
from nba_pipeline.resources import Clock
from nba_pipeline.storage import BlobStore
from nba_pipeline.warehouse import tables as t
from nba_pipeline.warehouse.base import Warehouse

systems.validate()

CHECK_ONE_ACTIVE_PER_KEY = "one_active_prediction_per_game_player_system"
CHECK_PRE_TIP_LINE = "prediction_lines_pre_tip"
CHECK_RECOMMENDATION_AGREES = "recommendation_agrees_with_edge"


def _model_path(system: systems.PredictionSystem, cutoff: dt.date, data_hash: str) -> str:
    return f"{system.system_id}/{cutoff:%Y%m%d}_{data_hash[:12]}{system.artifact_suffix}"


def _frame_hash(system: systems.PredictionSystem, frame: pd.DataFrame) -> str:
    """Identity of a model: the system, its training rows, features and parameters (a change of any
    retrains)."""
    if frame.empty:
        return "empty"
    cols = ["game_date", "player_id", "points", "current_points_line", "consensus_points_line",
            "required_default_count", "feature_quality_score", *system.feature_columns()]
    cols = list(dict.fromkeys(c for c in cols if c in frame))
    rows = pd.util.hash_pandas_object(frame[cols].sort_values(["game_date", "player_id"]), index=False).sum()
    return hashlib.sha256(f"{system.system_id}|{rows}|{json.dumps(system.params, sort_keys=True)}".encode()).hexdigest()


def _train_or_reuse(system: systems.PredictionSystem, frame: pd.DataFrame, cutoff: dt.date,
                    model_store: BlobStore, clock: Clock) -> dict:
    path = _model_path(system, cutoff, _frame_hash(system, frame))
    sidecar = path.rsplit(".", 1)[0] + ".json"
    if model_store.exists(path) and model_store.exists(sidecar):
        return {"status": "trained", **model_store.get_json(sidecar)}
    trained = system.trainer(frame, cutoff)
    if trained is None:
        return {"status": "insufficient_training_data", "train_rows": len(frame)}
    ref = model_store.put(path, trained.blob)
    info = {"model_id": f"{system.system_id}_{cutoff:%Y%m%d}_{trained.sha256[:10]}", "cutoff_date": cutoff.isoformat(),
            "train_start": trained.train_start.isoformat() if trained.train_start else None,
            "train_end": trained.train_end.isoformat() if trained.train_end else None,
            "train_rows": trained.rows, "artifact_path": ref.uri, "artifact_sha256": trained.sha256,
            "train_mae": trained.train_mae, "trained_at": clock.now().isoformat(), "store_path": path,
            "calibration": trained.info}
    model_store.put_json(sidecar, info)
    return {"status": "trained", **info}


@table_asset(
    t.POINTS_MODEL, group=keys.PHASE5,
    deps=[keys.ML_FEATURE_STORE, keys.PLAYER_GAME_SUMMARY],
    automation_condition=automation.MODEL_ON_HISTORY,
)
def points_model(context: dg.AssetExecutionContext, warehouse: Warehouse, model_store: BlobStore, clock: Clock):
    """The model of every trainable prediction system (``domain/systems.py``) serving each game date.
    Walk-forward and weekly: date D is served by the model with cutoff = the Monday on or before D,
    trained on feature rows dated in [cutoff - 365 days, cutoff) with their actual points, each
    system filtering further (catboost_points_v1: no required defaults, quality >= 70, played;
    line_anchored_v1: rows with a line). The artifact is stored in the model store under the
    system, its cutoff and the hash of its training data, so re-runs reuse it. Grain: game date x
    system."""

    def compute(dates: list[dt.date]) -> TableOutput:
        cutoffs = sorted({m.model_cutoff(d) for d in dates})
        lo = min(cutoffs) - dt.timedelta(days=m.TRAIN_DAYS)
        hi = max(cutoffs) - dt.timedelta(days=1)
        features = warehouse.read(t.ML_FEATURE_STORE, lo, hi)
        pgs = warehouse.read(t.PLAYER_GAME_SUMMARY, lo, hi, columns=["game_date", "player_id", "points", "minutes", "is_dnp"])
        by_key = {}
        for cutoff in cutoffs:
            frame = m.training_frame(features, pgs, cutoff)
            for system in systems.TRAINABLE:
                by_key[(system.system_id, cutoff)] = _train_or_reuse(system, frame, cutoff, model_store, clock)
        rows = []
        for d in dates:
            for system in systems.TRAINABLE:
                info = by_key[(system.system_id, m.model_cutoff(d))]
                rows.append({
                    "game_date": d, "system_id": system.system_id, "model_id": info.get("model_id"),
                    "status": info["status"], "cutoff_date": m.model_cutoff(d), "train_start": info.get("train_start"),
                    "train_end": info.get("train_end"), "train_rows": info.get("train_rows"), "train_days": m.TRAIN_DAYS,
                    "feature_count": len(system.features), "artifact_path": info.get("store_path"),
                    "artifact_sha256": info.get("artifact_sha256"), "train_mae": info.get("train_mae"),
                    "params_json": json.dumps(system.params, sort_keys=True),
                    "calibration_json": json.dumps(info["calibration"], sort_keys=True) if info.get("calibration") else None,
                    "trained_at": info.get("trained_at"),
                })
        trained = [v for v in by_key.values() if v["status"] == "trained"]
        return TableOutput(pd.DataFrame(rows), metadata={
            "models": dg.MetadataValue.json({f"{s}:{c}": {kk: v.get(kk) for kk in ("status", "model_id", "train_start",
                                                                                   "train_end", "train_rows",
                                                                                   "artifact_sha256")}
                                             for (s, c), v in by_key.items()}),
            "train_rows": int(sum(v["train_rows"] for v in trained)) if trained else 0,
            "trained_models": len(trained),
            "training_window_days": m.TRAIN_DAYS,
        })

    yield from write_table(context, warehouse, t.POINTS_MODEL, compute)


class PredictionConfig(dg.Config):
    edge_threshold: float = m.DEFAULT_EDGE_THRESHOLD


def _prediction_id(row: dict) -> str:
    key = "|".join(str(row[k]) for k in ("game_date", "game_id", "player_id", "system_id", "model_id",
                                         "current_points_line", "predicted_points"))
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"nba_pipeline/prediction/{key}"))


BASE_COLUMNS = ["game_date", "game_id", "player_id", "player_lookup", "player_name", "team_tricode",
                "opponent_tricode", "is_home", "current_points_line", "consensus_points_line", "line_over_price",
                "line_under_price", "line_bookmaker", "line_snapshot_at", "line_minutes_before_tipoff",
                "injury_status", "feature_quality_score", value_col(3)]


class _Models:
    """Loads each served artifact once and refuses one whose bytes differ from the recorded sha256."""

    def __init__(self, models: pd.DataFrame, model_store: BlobStore):
        # Rows written before the registry (system_id NULL) are catboost_points_v1's models.
        self.models = models.assign(game_date=pd.to_datetime(models["game_date"]),
                                    system_id=models["system_id"].fillna(m.CATBOOST_SYSTEM)) if len(models) else models
        self.store, self.loaded = model_store, {}

    def serving(self, system: systems.PredictionSystem, day: pd.Timestamp):
        """(loaded model, model_id, sha256) serving the date, or None when the system has no trained model."""
        if self.models.empty:
            return None
        info = self.models[(self.models["game_date"] == day) & (self.models["system_id"] == system.system_id)
                           & (self.models["status"] == "trained")]
        if info.empty:
            return None
        info = info.iloc[0]
        if info["model_id"] not in self.loaded:
            path = info["artifact_path"]
            blob = self.store.get(path)
            if hashlib.sha256(blob).hexdigest() != info["artifact_sha256"]:
                raise RuntimeError(f"model artifact {path} does not match its recorded sha256 "
                                   f"{info['artifact_sha256']} (wrong model would be served)")
            self.loaded[info["model_id"]] = system.load(blob)
        return self.loaded[info["model_id"]], info["model_id"], info["artifact_sha256"]


def build_predictions(features: pd.DataFrame, models: pd.DataFrame, model_store: BlobStore,
                      edge_threshold: float, registry=systems.REGISTRY) -> pd.DataFrame:
    """Predictions of every registered system for the rows it is eligible for (always: a pre-tip
    line and not OUT/DOUBTFUL), from the model serving each date."""
    if features.empty:
        return pd.DataFrame()
    f = features.copy()
    f["game_date"] = pd.to_datetime(f["game_date"])
    for c in ("consensus_points_line", "line_over_price", "line_under_price"):
        if c not in f:
            f[c] = np.nan
    served = _Models(models, model_store)
    lined = systems.has_pre_tip_line(f)
    out = []
    for system in registry:
        rows = f[lined & system.eligible(f)]
        for d, day in rows.groupby("game_date"):
            serving = served.serving(system, d) if system.trainable else None
            if serving is None and system.requires_model:
                continue
            model, model_id, sha = serving if serving is not None else (None, system.system_id, None)
            pred = system.predictor(model, day)
            part = day[BASE_COLUMNS].copy()
            part["predicted_points"], part["p_over"] = pred.predicted_points, pred.p_over
            part["system_id"], part["model_id"], part["model_sha256"] = system.system_id, model_id, sha
            out.append(part)
    if not out:
        return pd.DataFrame()
    p = pd.concat(out, ignore_index=True)
    p["predicted_points"] = p["predicted_points"].astype(float).round(1)
    p["edge"] = (p["predicted_points"] - p["current_points_line"].astype(float)).round(1)
    p["p_over"] = p["p_over"].astype(float).round(4)
    by_id = {s.system_id: s for s in registry}
    p["recommendation"] = pd.concat([by_id[s].rule(g, edge_threshold) for s, g in p.groupby("system_id")])
    lean_over = p["edge"] > 0
    p["expected_value"] = np.where(
        lean_over, systems.expected_value(p["p_over"], p["line_over_price"]),
        systems.expected_value(1 - p["p_over"], p["line_under_price"]))
    p["confidence_score"] = m.confidence(p["feature_quality_score"], p[value_col(3)])
    p["line_source"] = "ACTUAL_PROP"
    p = p.rename(columns={"line_minutes_before_tipoff": "line_minutes_before_game",
                          "injury_status": "injury_status_at_prediction"}).drop(columns=[value_col(3)])
    p["is_actionable"] = p["recommendation"].isin(["OVER", "UNDER"])
    p["filter_reason"] = np.where(p["is_actionable"], None, "low_edge")
    p["prediction_id"] = [_prediction_id(r) for r in p.to_dict("records")]
    return p


def supersede(existing: pd.DataFrame, new: pd.DataFrame, now: pd.Timestamp) -> pd.DataFrame:
    """Merge a new batch into a date's rows: an unchanged prediction keeps its row; a changed one
    becomes a new active row and the old one inactive (superseded_by the new id); a prediction that
    returns to an earlier version (the line moved and moved back) reactivates that version's row, whose
    id is its content; a player no longer eligible is deactivated. Exactly one active row per
    (game, player, system) remains and prediction ids stay unique."""
    key = ["game_id", "player_id", "system_id"]
    new = new.copy()
    new["is_active"], new["superseded_by"], new["superseded_at"], new["created_at"] = True, None, pd.NaT, now
    if existing.empty:
        return new
    old = existing.copy()
    old["is_active"] = old["is_active"].astype(bool)
    keep_ids = set(new["prediction_id"])
    unchanged = old["prediction_id"].isin(keep_ids) & old["is_active"]
    new = new[~new["prediction_id"].isin(set(old.loc[unchanged, "prediction_id"]))]
    replaced_by = new.set_index(key)["prediction_id"]
    for i in old.index[old["is_active"] & ~unchanged]:
        k = tuple(old.loc[i, key])
        old.loc[i, "is_active"] = False
        old.loc[i, "superseded_at"] = now
        old.loc[i, "superseded_by"] = replaced_by.get(k) if k in replaced_by.index else None
    revived = old["prediction_id"].isin(set(new["prediction_id"])) & ~old["is_active"]
    old.loc[revived, "is_active"] = True
    old.loc[revived, "superseded_at"] = pd.NaT
    old.loc[revived, "superseded_by"] = None
    new = new[~new["prediction_id"].isin(set(old.loc[revived, "prediction_id"]))]
    return pd.concat([old, new], ignore_index=True)


@table_asset(
    t.PLAYER_PROP_PREDICTIONS, group=keys.PHASE5, deps=[keys.ML_FEATURE_STORE, keys.POINTS_MODEL],
    automation_condition=automation.PREDICTIONS_ON_FEATURES,
    checks=[
        check_spec(t.PLAYER_PROP_PREDICTIONS, CHECK_ONE_ACTIVE_PER_KEY,
                   "Exactly one active row per (game, player, system) (legacy incident 33)."),
        check_spec(t.PLAYER_PROP_PREDICTIONS, CHECK_PRE_TIP_LINE, "Every line used was quoted before tip-off."),
        check_spec(t.PLAYER_PROP_PREDICTIONS, CHECK_RECOMMENDATION_AGREES,
                   "OVER only with a positive edge, UNDER only with a negative one."),
    ],
)
def player_prop_predictions(context: dg.AssetExecutionContext, config: PredictionConfig, warehouse: Warehouse,
                            model_store: BlobStore, clock: Clock):
    """Predicted points for every quality-ready player with a pre-tip line (not OUT/DOUBTFUL), from
    two systems: the walk-forward CatBoost model and a moving-average baseline. The line is the
    latest pre-tip snapshot (DraftKings > FanDuel > others); edge = prediction - line; OVER/UNDER
    when |edge| >= the threshold (3 by default), else PASS; legacy confidence. Re-runs keep unchanged
    rows; changed predictions supersede the old row. Grain: prediction (game x player x system x
    version), one active per (game, player, system)."""

    def compute(dates: list[dt.date]) -> TableOutput:
        start, end = min(dates), max(dates)
        new = build_predictions(warehouse.read(t.ML_FEATURE_STORE, start, end),
                                warehouse.read(t.POINTS_MODEL, start, end), model_store, config.edge_threshold)
        existing = warehouse.read(t.PLAYER_PROP_PREDICTIONS, start, end)
        if len(existing):
            existing = existing[existing["game_date"].dt.date.isin(set(dates))]
        frame = or_empty(t.PLAYER_PROP_PREDICTIONS, supersede(existing, new, pd.Timestamp(clock.now())))
        active = frame[frame["is_active"].astype(bool)]
        active_by = ByDate(active)

        def checks(day):
            a = active_by[day]
            dup = int(a.duplicated(["game_id", "player_id", "system_id"]).sum())
            post_tip = int((pd.to_numeric(a["line_minutes_before_game"], errors="coerce") < 0).sum())
            wrong_dir = int((((a["recommendation"] == "OVER") & (a["edge"] <= 0))
                             | ((a["recommendation"] == "UNDER") & (a["edge"] >= 0))).sum())
            return [
                dg.AssetCheckResult(check_name=CHECK_ONE_ACTIVE_PER_KEY, passed=dup == 0, metadata={"duplicate_active": dup}),
                dg.AssetCheckResult(check_name=CHECK_PRE_TIP_LINE, passed=post_tip == 0,
                                    metadata={"post_tip_lines": post_tip}),
                dg.AssetCheckResult(check_name=CHECK_RECOMMENDATION_AGREES, passed=wrong_dir == 0,
                                    metadata={"disagreeing": wrong_dir}),
            ]

        counts = active.groupby(["system_id", "recommendation"]).size() if len(active) else pd.Series(dtype=int)
        return TableOutput(frame, checks, metadata={
            "active_predictions": len(active),
            "recommendations": dg.MetadataValue.json({f"{s}:{r}": int(n) for (s, r), n in counts.items()}),
            "edge_threshold": config.edge_threshold,
        })

    yield from write_table(context, warehouse, t.PLAYER_PROP_PREDICTIONS, compute)


PREDICTION_ASSETS = [points_model, player_prop_predictions]
