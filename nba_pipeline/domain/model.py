"""The walk-forward model of each trainable prediction system: the weekly cutoff and training frame,
the model of each (system, cutoff) trained or reused from the model store, the points_model rows
saying which model serves each game date, and loading a served model (its bytes verified).

Walk-forward: the model serving game date D is the weekly model whose cutoff is the Monday on or
before D; it is trained only on feature rows dated before that cutoff (``TRAIN_DAYS`` back) joined
to the actual points of those games. Nothing on or after D can reach it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable

import pandas as pd

from nba_pipeline.calendar import as_timestamps, span
from nba_pipeline.domain.systems import TRAINABLE, PredictionSystem, catboost_points_v1
from nba_pipeline.markets import MARKETS, POINTS, Market, settled_stats, with_market
from nba_pipeline.storage import BlobStore

TRAIN_DAYS = 365
TRAINED, INSUFFICIENT = "trained", "insufficient_training_data"
_SUMMARY_FIELDS = ("status", "model_id", "train_start", "train_end", "train_rows", "artifact_sha256")


def model_cutoff(game_date: dt.date) -> dt.date:
    """Weekly retraining: the Monday on or before the date."""
    return game_date - dt.timedelta(days=game_date.weekday())


def training_window(game_dates: Iterable[dt.date], train_days: int = TRAIN_DAYS) -> tuple[dt.date, dt.date]:
    """(first, last) date of the rows the models serving ``game_dates`` train on."""
    first_cutoff, last_cutoff = span(model_cutoff(d) for d in game_dates)
    return first_cutoff - dt.timedelta(days=train_days), last_cutoff - dt.timedelta(days=1)


def training_frame(
    features: pd.DataFrame, player_games: pd.DataFrame, cutoff: dt.date, train_days: int = TRAIN_DAYS
) -> pd.DataFrame:
    """Feature rows dated in [cutoff - train_days, cutoff) with the actual points of the games the
    player played (minutes > 0). Each prediction system filters further (catboost_points_v1: the
    legacy filter, no required defaults and quality >= 70)."""
    if features.empty or player_games.empty:
        return pd.DataFrame()
    lo, hi = pd.Timestamp(cutoff - dt.timedelta(days=train_days)), pd.Timestamp(cutoff)
    game_dates = as_timestamps(features["game_date"])
    inside = (game_dates >= lo) & (game_dates < hi)
    # Filter before anything is copied: the store is 200+ columns and a run trains weekly cutoffs.
    f = features[inside].assign(game_date=game_dates[inside])
    actual = player_games[["game_date", "player_id", "points", "minutes", "is_dnp"]]
    actual = actual.assign(game_date=as_timestamps(actual["game_date"]))
    actual = actual[
        (actual["game_date"] < hi)
        & ~actual["is_dnp"].astype(bool)
        & (pd.to_numeric(actual["minutes"], errors="coerce") > 0)
    ]
    out = f.merge(actual[["game_date", "player_id", "points"]], on=["game_date", "player_id"], how="inner")
    return out[out["points"].notna()]


def _played(player_games: pd.DataFrame, hi: pd.Timestamp) -> pd.DataFrame:
    games = player_games.assign(game_date=as_timestamps(player_games["game_date"]))
    return games[
        (games["game_date"] < hi)
        & ~games["is_dnp"].astype(bool)
        & (pd.to_numeric(games["minutes"], errors="coerce") > 0)
    ]


def market_training_frame(
    prop_lines: pd.DataFrame, player_games: pd.DataFrame, market: Market, cutoff: dt.date, train_days: int = TRAIN_DAYS
) -> pd.DataFrame:
    """A market's pre-tip lines (``player_prop_lines``) dated in [cutoff - train_days, cutoff) with
    the settled stat of the games the player played. Its columns carry the feature store's names
    (``current_points_line``, ``consensus_points_line``, ``points`` for the settled stat), the ones
    every prediction system reads, whatever the market."""
    if prop_lines.empty or player_games.empty:
        return pd.DataFrame()
    lo, hi = pd.Timestamp(cutoff - dt.timedelta(days=train_days)), pd.Timestamp(cutoff)
    lines = prop_lines[prop_lines["market"] == market.key]
    lines = lines.assign(game_date=as_timestamps(lines["game_date"]))
    lines = lines[(lines["game_date"] >= lo) & (lines["game_date"] < hi)]
    played = settled_stats(_played(player_games, hi))
    played = played.assign(points=market.actual(played))[["game_date", "player_id", "player_lookup", "points"]]
    out = lines.merge(played, on=["game_date", "player_lookup"], how="inner").rename(
        columns={"line": "current_points_line", "consensus_line": "consensus_points_line"}
    )
    return out[out["points"].notna()]


def served_markets(systems: tuple[PredictionSystem, ...] = TRAINABLE) -> list[tuple[PredictionSystem, Market]]:
    """(system, market) of every trainable system and each market it serves (``markets.MARKETS``)."""
    return [(s, m) for m in MARKETS for s in systems if m.serves(s.system_id)]


def model_identity(system: PredictionSystem, frame: pd.DataFrame, market: Market = POINTS) -> str:
    """Identity of a model: the system, its market, its training rows, features and parameters (a
    change of any retrains). Points models keep the identity they had before markets."""
    if frame.empty:
        return "empty"
    cols = [
        "game_date",
        "player_id",
        "points",
        "current_points_line",
        "consensus_points_line",
        "required_default_count",
        "feature_quality_score",
        *system.feature_columns(),
    ]
    cols = list(dict.fromkeys(c for c in cols if c in frame))
    rows = pd.util.hash_pandas_object(frame[cols].sort_values(["game_date", "player_id"]), index=False).sum()
    name = system.system_id if market is POINTS else f"{system.system_id}|{market.key}"
    return hashlib.sha256(f"{name}|{rows}|{json.dumps(system.params, sort_keys=True)}".encode()).hexdigest()


def model_path(system: PredictionSystem, cutoff: dt.date, identity: str, market: Market = POINTS) -> str:
    folder = system.system_id if market is POINTS else f"{system.system_id}/{market.key}"
    return f"{folder}/{cutoff:%Y%m%d}_{identity[:12]}{system.artifact_suffix}"


def train_or_reuse(
    system: PredictionSystem,
    frame: pd.DataFrame,
    cutoff: dt.date,
    model_store: BlobStore,
    now: dt.datetime,
    market: Market = POINTS,
) -> dict:
    """The system's model of the market for the cutoff: the stored one when the same training data
    made it, else trained now and stored with a JSON sidecar of what it was trained on."""
    path = model_path(system, cutoff, model_identity(system, frame, market), market)
    sidecar = path.rsplit(".", 1)[0] + ".json"
    if model_store.exists(path) and model_store.exists(sidecar):
        return {"status": TRAINED, **model_store.get_json(sidecar)}
    trained = system.trainer(frame, cutoff)
    if trained is None:
        return {"status": INSUFFICIENT, "train_rows": len(frame)}
    ref = model_store.put(path, trained.blob)
    name = system.system_id if market is POINTS else f"{system.system_id}_{market.key}"
    info = {
        "model_id": f"{name}_{cutoff:%Y%m%d}_{trained.sha256[:10]}",
        "cutoff_date": cutoff.isoformat(),
        "train_start": trained.train_start.isoformat() if trained.train_start else None,
        "train_end": trained.train_end.isoformat() if trained.train_end else None,
        "train_rows": trained.rows,
        "artifact_path": ref.uri,
        "artifact_sha256": trained.sha256,
        "train_mae": trained.train_mae,
        "trained_at": now.isoformat(),
        "store_path": path,
        "calibration": trained.info,
    }
    model_store.put_json(sidecar, info)
    return {"status": TRAINED, **info}


def train_models(
    game_dates: list[dt.date],
    features: pd.DataFrame,
    player_games: pd.DataFrame,
    model_store: BlobStore,
    now: dt.datetime,
    systems: tuple[PredictionSystem, ...] = TRAINABLE,
    prop_lines: pd.DataFrame | None = None,
) -> dict[tuple[str, str, dt.date], dict]:
    """The model of every trainable system for every market it serves and every cutoff serving
    ``game_dates``, by (system, market, cutoff): points from the feature store, the other markets
    from their pre-tip lines (``prop_lines``)."""
    models = {}
    lines = prop_lines if prop_lines is not None else pd.DataFrame()
    for cutoff in sorted({model_cutoff(d) for d in game_dates}):
        frames: dict[str, pd.DataFrame] = {}  # one training frame per market, whichever systems train on it
        for system, market in served_markets(systems):
            if market.key not in frames:
                frames[market.key] = (
                    training_frame(features, player_games, cutoff)
                    if market is POINTS
                    else market_training_frame(lines, player_games, market, cutoff)
                )
            key = (system.system_id, market.key, cutoff)
            models[key] = train_or_reuse(system, frames[market.key], cutoff, model_store, now, market)
    return models


def model_rows(
    game_dates: list[dt.date],
    models: dict[tuple[str, str, dt.date], dict],
    systems: tuple[PredictionSystem, ...] = TRAINABLE,
) -> pd.DataFrame:
    """The points_model rows: per game date, trainable system and market it serves, the model serving it."""
    rows = []
    for game_date in game_dates:
        cutoff = model_cutoff(game_date)
        for system, market in served_markets(systems):
            info = models[(system.system_id, market.key, cutoff)]
            rows.append(
                {
                    "game_date": game_date,
                    "system_id": system.system_id,
                    "market": market.key,
                    "model_id": info.get("model_id"),
                    "status": info["status"],
                    "cutoff_date": cutoff,
                    "train_start": info.get("train_start"),
                    "train_end": info.get("train_end"),
                    "train_rows": info.get("train_rows"),
                    "train_days": TRAIN_DAYS,
                    "feature_count": len(system.features),
                    "artifact_path": info.get("store_path"),
                    "artifact_sha256": info.get("artifact_sha256"),
                    "train_mae": info.get("train_mae"),
                    "params_json": json.dumps(system.params, sort_keys=True),
                    "calibration_json": json.dumps(info["calibration"], sort_keys=True)
                    if info.get("calibration")
                    else None,
                    "trained_at": info.get("trained_at"),
                }
            )
    return pd.DataFrame(rows)


def training_summary(models: dict[tuple[str, str, dt.date], dict]) -> dict:
    """What a training run did: each model's status and identity by "system:cutoff" (points) or
    "system:market:cutoff", the rows the trained ones learnt from and how many there are."""
    trained = [v for v in models.values() if v["status"] == TRAINED]
    return {
        "models": {
            (f"{s}:{c}" if m == POINTS.key else f"{s}:{m}:{c}"): {k: v.get(k) for k in _SUMMARY_FIELDS}
            for (s, m, c), v in models.items()
        },
        "train_rows": int(sum(v["train_rows"] for v in trained)) if trained else 0,
        "trained_models": len(trained),
        "training_window_days": TRAIN_DAYS,
    }


class ServedModels:
    """The model serving each date, per system: each artifact loaded once, and refused when its
    bytes differ from the recorded sha256."""

    def __init__(self, models: pd.DataFrame, model_store: BlobStore):
        # Rows written before the registry (system_id NULL) are catboost_points_v1's models, and rows
        # written before markets are points models.
        self.models = (
            with_market(models).assign(
                game_date=pd.to_datetime(models["game_date"]),
                system_id=models["system_id"].fillna(catboost_points_v1.SYSTEM_ID),
            )
            if len(models)
            else models
        )
        self.store, self.loaded = model_store, {}

    def serving(self, system: PredictionSystem, game_date: pd.Timestamp, market: str = POINTS.key):
        """(loaded model, model_id, sha256) of the system's model of the market serving the date, or
        None when it has no trained one."""
        if self.models.empty:
            return None
        info = self.models[
            (self.models["game_date"] == game_date)
            & (self.models["system_id"] == system.system_id)
            & (self.models["market"] == market)
            & (self.models["status"] == TRAINED)
        ]
        if info.empty:
            return None
        info = info.iloc[0]
        if info["model_id"] not in self.loaded:
            path = info["artifact_path"]
            blob = self.store.get(path)
            if hashlib.sha256(blob).hexdigest() != info["artifact_sha256"]:
                raise RuntimeError(
                    f"model artifact {path} does not match its recorded sha256 "
                    f"{info['artifact_sha256']} (wrong model would be served)"
                )
            self.loaded[info["model_id"]] = system.load(blob)
        return self.loaded[info["model_id"]], info["model_id"], info["artifact_sha256"]
