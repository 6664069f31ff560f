"""The registry of prediction systems.

A system is one entry: an id, the feature-store columns it reads, which rows it predicts, how it
trains (if it does), how it predicts points and P(over), and its recommendation rule. The model
asset trains every trainable system, predictions run every system, grading and model performance
report every system, the website publishes the one marked ``published``, and ``nba-pipeline
evaluate`` scores them all: adding a system is adding an entry here.

Walk-forward for every system: the model serving game date D has its cutoff on the Monday on or
before D and sees only rows dated before the cutoff (``model.model_cutoff``).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from nba_pipeline.domain import evaluation as ev
from nba_pipeline.domain import model as m
from nba_pipeline.domain.features import value_col

# -110 on both sides when a book's price is unknown (the simulated league and lines without prices).
DEFAULT_PRICE = ev.DEFAULT_PRICE
NOT_PLAYING = ("out", "doubtful")


TrainedArtifact = m.TrainedArtifact


@dataclass(frozen=True)
class SystemPrediction:
    predicted_points: np.ndarray
    p_over: np.ndarray  # NaN where the system states no probability


@dataclass(frozen=True)
class PredictionSystem:
    """One prediction system.

    ``eligible`` picks the feature rows it predicts (always: a pre-tip line and not OUT/DOUBTFUL;
    systems may ask for more). ``trainer`` gets the walk-forward training frame (feature rows before
    the cutoff with actual points of played games) and returns an artifact or None when the history
    is too thin; ``load`` turns the artifact's bytes into what ``predictor`` takes. A system whose
    ``requires_model`` is False still predicts without a model (``predictor`` gets None).
    ``rule(predictions, edge_threshold)`` gives OVER / UNDER / PASS / NO_LINE."""

    system_id: str
    description: str
    features: tuple[int, ...]
    eligible: Callable[[pd.DataFrame], pd.Series]
    predictor: Callable[[Any, pd.DataFrame], SystemPrediction]
    rule: Callable[[pd.DataFrame, float], pd.Series]
    trainer: Callable[[pd.DataFrame, dt.date], TrainedArtifact | None] | None = None
    load: Callable[[bytes], Any] = lambda blob: blob
    params: dict = field(default_factory=dict)
    requires_model: bool = True
    published: bool = False
    artifact_suffix: str = ".bin"

    @property
    def trainable(self) -> bool:
        return self.trainer is not None

    def feature_columns(self) -> list[str]:
        return [value_col(i) for i in self.features]


# --- eligibility ----------------------------------------------------------------------------------

def has_pre_tip_line(f: pd.DataFrame) -> pd.Series:
    return (f["current_points_line"].notna() & ~f["injury_status"].fillna("").isin(NOT_PLAYING)
            & (pd.to_numeric(f["line_minutes_before_tipoff"], errors="coerce").fillna(-1) >= 0))


def quality_ready_with_line(f: pd.DataFrame) -> pd.Series:
    """The legacy gate: quality-ready features (no required default, score >= 70) and a pre-tip line."""
    return has_pre_tip_line(f) & f["is_quality_ready"].astype(bool)


# --- prices and expected value ----------------------------------------------------------------------

def expected_value(p_win, price) -> np.ndarray:
    """Expected profit per unit staked at the book's price (-110 where the price is unknown)."""
    prices = pd.to_numeric(pd.Series(np.asarray(price, dtype=float)), errors="coerce").fillna(DEFAULT_PRICE)
    return np.asarray(ev.expected_value(np.asarray(p_win, dtype=float), prices.to_numpy()), dtype=float)


# --- recommendation rules -----------------------------------------------------------------------------

def edge_rule(p: pd.DataFrame, edge_threshold: float) -> pd.Series:
    """OVER when edge >= threshold, UNDER when <= -threshold, else PASS (legacy)."""
    return m.recommend(p["edge"], edge_threshold)


def positive_ev_rule(p: pd.DataFrame, edge_threshold: float) -> pd.Series:
    """OVER / UNDER only where the calibrated P(win) gives a positive expected value at the book's
    offered price for that side, and the side agrees with the edge; else PASS. ``edge_threshold``
    does not apply: the probability already carries the system's confidence."""
    p_over = p["p_over"].astype(float)
    ev_over = expected_value(p_over.fillna(0.0), p["line_over_price"])
    ev_under = expected_value(1 - p_over.fillna(1.0), p["line_under_price"])
    edge = p["edge"].astype(float)
    out = np.where(edge.isna(), "NO_LINE",
                   np.where((ev_over > 0) & (edge > 0), "OVER",
                            np.where((ev_under > 0) & (edge < 0), "UNDER", "PASS")))
    return pd.Series(out, index=p.index)


# --- catboost_points_v1 ----------------------------------------------------------------------------

def _catboost_v1_train(frame: pd.DataFrame, cutoff: dt.date) -> TrainedArtifact | None:
    if frame.empty:
        return None
    return m.train(frame[(frame["required_default_count"] == 0) & (frame["feature_quality_score"] >= 70)])


def _catboost_v1_predict(model, rows: pd.DataFrame) -> SystemPrediction:
    return SystemPrediction(m.predict_catboost(model, rows), np.full(len(rows), np.nan))


def _moving_average_predict(_model, rows: pd.DataFrame) -> SystemPrediction:
    return SystemPrediction(m.predict_moving_average(rows), np.full(len(rows), np.nan))


# --- line_anchored_v1 --------------------------------------------------------------------------------
# The books already hold what is known; this system starts from their consensus (the median over books
# of each book's latest pre-tip line, the best single estimate of the median outcome) and predicts only
# its error (actual - consensus) from what the books may under-use, shrunk toward zero by the skill
# that prediction showed out of sample. P(over) at the offered line comes from that estimate and the
# out-of-sample error's width: where one book's line sits off the consensus, the side toward the
# consensus is favoured, and the book's own price decides whether that is worth a bet.

LINE_FEATURES = (25, 0, 1, 2, 3, 13, 14, 15, 16, 27, 31, 33, 37, 38, 39, 40, 41, 47, 50, 58)
LINE_RELATIVE = (0, 1, 2, 25)  # points averages and the book's line enter relative to the consensus
LINE_PARAMS = {"iterations": 200, "learning_rate": 0.05, "depth": 3, "l2_leaf_reg": 10.0,
               "loss_function": "Quantile:alpha=0.5", "random_seed": 7, "thread_count": 2, "verbose": False,
               "allow_writing_files": False}
LINE_MIN_SIGMA_ROWS = 150  # lined rows before the cutoff to measure the error's width
LINE_MIN_FIT_ROWS = 300  # ... and to fit the error model, then check it on the last week
LINE_MIN_CALIBRATION_ROWS = 150
LINE_CALIBRATION_DAYS = 7
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed entry timestamps: the archive adds no variation of its own


def anchor(rows: pd.DataFrame) -> pd.Series:
    """The consensus line, or the offered line where no consensus was recorded."""
    consensus = pd.to_numeric(rows["consensus_points_line"], errors="coerce") if "consensus_points_line" in rows \
        else pd.Series(np.nan, index=rows.index)
    return consensus.fillna(pd.to_numeric(rows["current_points_line"], errors="coerce")).astype(float)


def _line_design(rows: pd.DataFrame, features: tuple[int, ...]) -> pd.DataFrame:
    base = anchor(rows)
    x = pd.DataFrame({value_col(i): rows[value_col(i)].astype(float) for i in features}, index=rows.index)
    for i in LINE_RELATIVE:
        if i in features:
            x[value_col(i)] = x[value_col(i)] - base
    return x


def _fit_residual(rows: pd.DataFrame, features: tuple[int, ...]):
    from catboost import CatBoostRegressor

    model = CatBoostRegressor(**LINE_PARAMS)
    model.fit(_line_design(rows, features), (rows["points"] - anchor(rows)).astype(float))
    return model


def _line_anchored_train(frame: pd.DataFrame, cutoff: dt.date, features: tuple[int, ...],
                         residual_model: bool = True) -> TrainedArtifact | None:
    """sigma: the spread of actual - consensus over lined rows before the cutoff. With enough rows,
    an error model is fitted on rows up to a week before the cutoff and checked on the last week
    (out of sample): beta = slope of the actual on the predicted error, in [0, 1]; sigma then is the
    spread left after it; the model is refitted on every row before the cutoff. None with fewer than
    LINE_MIN_SIGMA_ROWS lined rows."""
    if frame.empty:
        return None
    lined = frame[frame["current_points_line"].notna()].copy()
    if len(lined) < LINE_MIN_SIGMA_ROWS:
        return None
    lined["game_date"] = pd.to_datetime(lined["game_date"])
    resid_all = (lined["points"] - anchor(lined)).to_numpy(dtype=float)
    calibration = {"beta": 0.0, "sigma": float(np.std(resid_all)), "fit_rows": 0, "calibration_rows": 0,
                   "sigma_rows": len(lined)}
    split = pd.Timestamp(cutoff - dt.timedelta(days=LINE_CALIBRATION_DAYS))
    fit, calib = lined[lined["game_date"] < split], lined[lined["game_date"] >= split]
    model = None
    if residual_model and len(fit) >= LINE_MIN_FIT_ROWS and len(calib) >= LINE_MIN_CALIBRATION_ROWS:
        resid_hat = _fit_residual(fit, features).predict(_line_design(calib, features))
        resid = (calib["points"] - anchor(calib)).to_numpy(dtype=float)
        var = float(np.var(resid_hat))
        beta = float(np.clip(np.cov(resid, resid_hat, ddof=0)[0, 1] / var, 0.0, 1.0)) if var > 1e-9 else 0.0
        calibration.update(beta=beta, sigma=float(np.std(resid - beta * resid_hat)), fit_rows=len(fit),
                           calibration_rows=len(calib))
        model = _fit_residual(lined, features)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        if model is not None:
            z.writestr(zipfile.ZipInfo("model.cbm", date_time=_ZIP_TIME), m.to_bytes(model))
        z.writestr(zipfile.ZipInfo("calibration.json", date_time=_ZIP_TIME), json.dumps(calibration, sort_keys=True))
    shift = calibration["beta"] * model.predict(_line_design(lined, features)) if model is not None else 0.0
    pred = anchor(lined).to_numpy(dtype=float) + shift
    return TrainedArtifact(buf.getvalue(), len(lined), lined["game_date"].min().date(),
                           lined["game_date"].max().date(),
                           float(np.mean(np.abs(pred - lined["points"].to_numpy(dtype=float)))), calibration)


def _line_anchored_load(blob: bytes):
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        model = m.load(z.read("model.cbm")) if "model.cbm" in z.namelist() else None
        return model, json.loads(z.read("calibration.json"))


def _line_anchored_predict(loaded, rows: pd.DataFrame, features: tuple[int, ...]) -> SystemPrediction:
    base = anchor(rows).to_numpy(dtype=float)
    if loaded is None:
        return SystemPrediction(base.copy(), np.full(len(rows), 0.5))
    model, cal = loaded
    shift = cal["beta"] * model.predict(_line_design(rows, features)) if model is not None else 0.0
    predicted = np.clip(base + shift, *m.PREDICTION_CLAMP)
    line = rows["current_points_line"].to_numpy(dtype=float)
    # scipy.special, not scipy.stats: the latter costs every process about 1.3 s of imports.
    from scipy.special import ndtr

    p_over = ndtr((predicted - line) / cal["sigma"]) if cal["sigma"] > 0 else np.full(len(rows), 0.5)
    return SystemPrediction(predicted, p_over)


CATBOOST_V1 = PredictionSystem(
    system_id=m.CATBOOST_SYSTEM,
    description="CatBoost on the 58 available features, 365 days back, legacy training filter; "
                "OVER/UNDER at |edge| >= the edge threshold.",
    features=m.MODEL_FEATURES, eligible=quality_ready_with_line, trainer=_catboost_v1_train,
    load=m.load, predictor=_catboost_v1_predict, rule=edge_rule, params=m.CATBOOST_PARAMS, published=True,
    artifact_suffix=".cbm",
)
MOVING_AVERAGE = PredictionSystem(
    system_id=m.BASELINE_SYSTEM,
    description="0.5 x L5 + 0.3 x L10 + 0.2 x season points; OVER/UNDER at |edge| >= the edge threshold.",
    features=(0, 1, 2), eligible=quality_ready_with_line, predictor=_moving_average_predict, rule=edge_rule,
    requires_model=False,
)


def line_anchored(system_id: str, features: tuple[int, ...] = LINE_FEATURES,
                  residual_model: bool = True) -> PredictionSystem:
    """A consensus-anchored system reading ``features`` (the ablation script builds variants with
    this; ``residual_model=False`` is the consensus and its error width alone)."""
    what = ("plus its predicted error (CatBoost, median loss, on the features), shrunk by its out-of-sample "
            "skill" if residual_model else "as the prediction")
    return PredictionSystem(
        system_id=system_id,
        description=f"The books' consensus line {what}; P(over) at the offered line from the width of the "
                    "error out of sample; OVER/UNDER only at positive expected value at the offered price.",
        features=features, eligible=has_pre_tip_line,
        trainer=lambda frame, cutoff: _line_anchored_train(frame, cutoff, features, residual_model),
        load=_line_anchored_load,
        predictor=lambda loaded, rows: _line_anchored_predict(loaded, rows, features), rule=positive_ev_rule,
        params={**LINE_PARAMS, "features": list(features), "residual_model": residual_model,
                "min_sigma_rows": LINE_MIN_SIGMA_ROWS, "min_fit_rows": LINE_MIN_FIT_ROWS,
                "min_calibration_rows": LINE_MIN_CALIBRATION_ROWS, "calibration_days": LINE_CALIBRATION_DAYS},
        requires_model=False, artifact_suffix=".zip",
    )


# The error model did not earn its place walk-forward on the 2025-26 dates with lines (benchmarks/
# ablation.py: same MAE as the consensus, no better picks), so the registered system is the consensus
# and the width of its error; the model stays one argument away for the next ablation.
LINE_ANCHORED = line_anchored("line_anchored_v1", features=(25,), residual_model=False)
LINE_ANCHORED_WITH_ERROR_MODEL = line_anchored("line_anchored_error_model", residual_model=True)

REGISTRY: tuple[PredictionSystem, ...] = (CATBOOST_V1, MOVING_AVERAGE, LINE_ANCHORED)
SYSTEM_IDS = tuple(s.system_id for s in REGISTRY)
TRAINABLE = tuple(s for s in REGISTRY if s.trainable)


def get(system_id: str) -> PredictionSystem:
    for s in REGISTRY:
        if s.system_id == system_id:
            return s
    raise KeyError(f"no prediction system {system_id!r} (registered: {', '.join(SYSTEM_IDS)})")


def published() -> PredictionSystem:
    """The system whose predictions the website shows."""
    return next(s for s in REGISTRY if s.published)


def validate(registry: tuple[PredictionSystem, ...] = REGISTRY) -> None:
    """The registry's contract, checked when the definitions load: unique ids, exactly one
    published system, features that exist and are available."""
    from nba_pipeline.domain.features import FEATURES

    ids = [s.system_id for s in registry]
    if len(set(ids)) != len(ids):
        raise ValueError(f"duplicate prediction system ids: {ids}")
    if sum(s.published for s in registry) != 1:
        raise ValueError("exactly one prediction system must be published")
    available = {f.index for f in FEATURES if f.available}
    for s in registry:
        bad = sorted(set(s.features) - available)
        if bad:
            raise ValueError(f"{s.system_id} reads features {bad}, which our sources do not provide")
