"""The CatBoost points model (walk-forward) and the moving-average baseline.

Walk-forward: the model serving game date D is the weekly model whose cutoff is the Monday on or
before D; it is trained only on feature rows dated before that cutoff (``TRAIN_DAYS`` back) joined
to the actual points of those games. Nothing on or after D can reach it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from nba_pipeline.domain.analytics import as_timestamps
from nba_pipeline.domain.features import FEATURES, value_col

TRAIN_DAYS = 365
MIN_TRAIN_ROWS = 400
MODEL_FEATURES = tuple(f.index for f in FEATURES if f.available)
# Shallow and strongly regularised: on the real 2025-26 replay (walk-forward, 848 graded player-games)
# depth 6 / 500 iterations / l2 3 scored MAE 5.21, worse than the moving average (5.16); depth 4 /
# 300 iterations / l2 10 scored 5.10 (benchmarks in the README).
CATBOOST_PARAMS = {"iterations": 300, "learning_rate": 0.05, "depth": 4, "l2_leaf_reg": 10.0,
                   "loss_function": "RMSE", "random_seed": 7, "thread_count": 2, "verbose": False,
                   "allow_writing_files": False}
PREDICTION_CLAMP = (0.0, 60.0)

CATBOOST_SYSTEM = "catboost_points_v1"
BASELINE_SYSTEM = "moving_average_baseline_v1"
DEFAULT_EDGE_THRESHOLD = 3.0


def model_cutoff(day: dt.date) -> dt.date:
    """Weekly retraining: the Monday on or before the date."""
    return day - dt.timedelta(days=day.weekday())


def training_frame(features: pd.DataFrame, pgs: pd.DataFrame, cutoff: dt.date, train_days: int = TRAIN_DAYS) -> pd.DataFrame:
    """Feature rows dated in [cutoff - train_days, cutoff) with the actual points of the games the
    player played (minutes > 0). Each prediction system filters further (catboost_points_v1: the
    legacy filter, no required defaults and quality >= 70)."""
    if features.empty or pgs.empty:
        return pd.DataFrame()
    lo, hi = pd.Timestamp(cutoff - dt.timedelta(days=train_days)), pd.Timestamp(cutoff)
    days = as_timestamps(features["game_date"])
    # Filter before anything is copied: the store is 200+ columns and a run trains weekly cutoffs.
    f = features[(days >= lo) & (days < hi)].assign(game_date=days[(days >= lo) & (days < hi)])
    actual = pgs[["game_date", "player_id", "points", "minutes", "is_dnp"]]
    actual = actual.assign(game_date=as_timestamps(actual["game_date"]))
    actual = actual[(actual["game_date"] < hi) & ~actual["is_dnp"].astype(bool)
                    & (pd.to_numeric(actual["minutes"], errors="coerce") > 0)]
    out = f.merge(actual[["game_date", "player_id", "points"]], on=["game_date", "player_id"], how="inner")
    return out[out["points"].notna()]


def design_matrix(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[[value_col(i) for i in MODEL_FEATURES]].astype(float)


@dataclass(frozen=True)
class TrainedArtifact:
    """What a prediction system's trainer returns: the artifact's bytes, what it was trained on, and
    anything it measured (``info``: a calibration, say)."""

    blob: bytes
    rows: int
    train_start: dt.date | None
    train_end: dt.date | None
    train_mae: float | None
    info: dict = field(default_factory=dict)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.blob).hexdigest()


def train(train: pd.DataFrame) -> TrainedArtifact | None:
    """Fit CatBoost on the frame; None when there is too little history to train on."""
    if len(train) < MIN_TRAIN_ROWS:
        return None
    from catboost import CatBoostRegressor

    model = CatBoostRegressor(**CATBOOST_PARAMS)
    x, y = design_matrix(train), train["points"].astype(float)
    model.fit(x, y)
    blob = to_bytes(model)
    pred = np.clip(model.predict(x), *PREDICTION_CLAMP)
    dates = as_timestamps(train["game_date"])
    return TrainedArtifact(blob, len(train), dates.min().date(), dates.max().date(),
                           float(np.mean(np.abs(pred - y))))


# CatBoost writes a random model GUID and the wall-clock finish time into the file; without them the
# same training rows and parameters give the same bytes, so a model id (its sha256) names a model.
_UNSTABLE_METADATA = ("model_guid", "train_finish_time")


def to_bytes(model) -> bytes:
    """A fitted CatBoost model as the bytes of its .cbm file (reproducible: see _UNSTABLE_METADATA)."""
    metadata = model.get_metadata()
    for key in _UNSTABLE_METADATA:
        if key in metadata:
            del metadata[key]
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "model.cbm")
        model.save_model(path)
        with open(path, "rb") as fh:
            return fh.read()


def load(artifact: bytes):
    from catboost import CatBoostRegressor

    model = CatBoostRegressor()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "model.cbm")
        with open(path, "wb") as fh:
            fh.write(artifact)
        model.load_model(path)
    return model


def predict_catboost(model, rows: pd.DataFrame) -> np.ndarray:
    return np.clip(model.predict(design_matrix(rows)), *PREDICTION_CLAMP)


def predict_moving_average(rows: pd.DataFrame) -> np.ndarray:
    """Baseline: 0.5 x L5 + 0.3 x L10 + 0.2 x season, each falling back to the next available."""
    l5, l10, season = (rows[value_col(i)].astype(float) for i in (0, 1, 2))
    l10 = l10.fillna(l5)
    season = season.fillna(l10)
    l5 = l5.fillna(l10)
    return np.clip((0.5 * l5 + 0.3 * l10 + 0.2 * season).to_numpy(), *PREDICTION_CLAMP)


def confidence(quality: pd.Series, std_l10: pd.Series) -> pd.Series:
    """Legacy V8/V9: 75 + quality bonus (>=90: 10, >=80: 7, >=70: 5, else 2) + consistency bonus by
    std L10 (<4: 10, <6: 7, <8: 5, else 2), capped at 100."""
    q = quality.fillna(0)
    qb = np.select([q >= 90, q >= 80, q >= 70], [10, 7, 5], 2)
    s = std_l10.fillna(99)
    cb = np.select([s < 4, s < 6, s < 8], [10, 7, 5], 2)
    return pd.Series(np.minimum(75 + qb + cb, 100), index=quality.index, dtype=float)


def recommend(edge: pd.Series, threshold: float = DEFAULT_EDGE_THRESHOLD) -> pd.Series:
    """OVER when edge >= threshold, UNDER when edge <= -threshold, else PASS; NO_LINE without a line.
    The direction always agrees with the sign of the edge (legacy direction guard)."""
    out = np.where(edge.isna(), "NO_LINE", np.where(edge >= threshold, "OVER", np.where(edge <= -threshold, "UNDER", "PASS")))
    return pd.Series(out, index=edge.index)

