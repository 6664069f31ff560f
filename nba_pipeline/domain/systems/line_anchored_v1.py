"""line_anchored_v1: the books' consensus line and the width of its error; OVER / UNDER only at a
positive expected value at the offered price.

The books already hold what is known; this system starts from their consensus (the median over books
of each book's latest pre-tip line, the best single estimate of the median outcome) and may predict
its error (actual - consensus) from what the books may under-use, shrunk toward zero by the skill
that prediction showed out of sample. P(over) at the offered line comes from that estimate and the
out-of-sample error's width (by the consensus line's size, once each tercile of the lines has
LINE_MIN_SIGMA_ROWS rows): where one book's line sits off the consensus, the side toward the
consensus is favoured, and the book's own price decides whether that is worth a bet.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import numpy as np
import pandas as pd

from nba_pipeline.domain import line_shopping as shop
from nba_pipeline.domain.features import FEATURE_INDEX, value_column
from nba_pipeline.domain.systems import artifacts
from nba_pipeline.domain.systems.base import (
    PREDICTION_CLAMP,
    PredictionSystem,
    SystemPrediction,
    TrainedArtifact,
    has_pre_tip_line,
    positive_ev_rule,
)

SYSTEM_ID = "line_anchored_v1"
# What the error model may read; the registered system reads only the line (see LINE_ANCHORED).
LINE_FEATURES = (
    "vegas_points_line",
    "points_avg_last_5",
    "points_avg_last_10",
    "points_avg_season",
    "points_std_last_10",
    "opponent_def_rating",
    "opponent_pace",
    "home_away",
    "back_to_back",
    "vegas_line_move",
    "minutes_avg_last_10",
    "dnp_rate",
    "star_teammates_out",
    "game_total_line",
    "days_rest",
    "minutes_load_last_7d",
    "spread_magnitude",
    "teammate_usage_available",
    "multi_book_line_std",
    "minutes_volatility_last_10",
)
# Points averages and the book's line enter relative to the consensus.
LINE_RELATIVE = ("points_avg_last_5", "points_avg_last_10", "points_avg_season", "vegas_points_line")
LINE_PARAMS = {
    "iterations": 200,
    "learning_rate": 0.05,
    "depth": 3,
    "l2_leaf_reg": 10.0,
    "loss_function": "Quantile:alpha=0.5",
    "random_seed": 7,
    "thread_count": 2,
    "verbose": False,
    "allow_writing_files": False,
}
LINE_MIN_SIGMA_ROWS = 150  # lined rows before the cutoff to measure the error's width
LINE_MIN_FIT_ROWS = 300  # ... and to fit the error model, then check it on the last week
LINE_MIN_CALIBRATION_ROWS = 150
LINE_CALIBRATION_DAYS = 7
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed entry timestamps: the archive adds no variation of its own


def anchor(rows: pd.DataFrame) -> pd.Series:
    """The consensus line, or the offered line where no consensus was recorded."""
    consensus = (
        pd.to_numeric(rows["consensus_points_line"], errors="coerce")
        if "consensus_points_line" in rows
        else pd.Series(np.nan, index=rows.index)
    )
    return consensus.fillna(pd.to_numeric(rows["current_points_line"], errors="coerce")).astype(float)


def fair_anchor(rows: pd.DataFrame) -> pd.Series:
    """The books' price-aware fair line (``fair_line``: the median over the books' consistent quotes of
    the median each quote implies, its vig removed, ``predictions.with_fair_lines``), else ``anchor``."""
    fair = pd.to_numeric(rows["fair_line"], errors="coerce") if "fair_line" in rows else None
    return anchor(rows) if fair is None else fair.fillna(anchor(rows)).astype(float)


def _design(rows: pd.DataFrame, features: tuple[str, ...]) -> pd.DataFrame:
    base = anchor(rows)
    x = pd.DataFrame(
        {value_column(name): rows[value_column(name)].astype(float) for name in features}, index=rows.index
    )
    for name in LINE_RELATIVE:
        if name in features:
            x[value_column(name)] = x[value_column(name)] - base
    return x


def _fit_residual(rows: pd.DataFrame, features: tuple[str, ...]):
    # Optional heavy dependency, loaded only when the error model is fitted.
    from catboost import CatBoostRegressor

    model = CatBoostRegressor(**LINE_PARAMS)
    model.fit(_design(rows, features), (rows["points"] - anchor(rows)).astype(float))
    return model


def _widths_by_line(lines: np.ndarray, residuals: np.ndarray) -> dict:
    """The error's width by the consensus line's size (``line_shopping.widths_by_line_size``: a
    25-point line misses by more than a 10-point one, on the real 2025-26 lines 7.5 against 5.2
    points); empty while a tercile has fewer than LINE_MIN_SIGMA_ROWS."""
    by_size = shop.widths_by_line_size(lines, residuals, LINE_MIN_SIGMA_ROWS)
    if by_size is None:
        return {"sigma_cuts": [], "sigma_by_line": []}
    cuts, widths = by_size
    return {"sigma_cuts": [float(c) for c in cuts], "sigma_by_line": [float(w) for w in widths]}


def error_widths(cal: dict, lines: np.ndarray) -> np.ndarray:
    """Each row's error width: by its consensus line's tercile where the calibration measured them,
    else the one width."""
    if cal.get("sigma_by_line"):
        return shop.width_at(cal["sigma_cuts"], cal["sigma_by_line"], lines)
    return np.full(len(lines), cal["sigma"], dtype=float)


def _calibrate(lined: pd.DataFrame, cutoff: dt.date, features: tuple[str, ...], residual_model: bool):
    """(error model or None, calibration): sigma is the spread of actual - consensus; with enough
    rows an error model is fitted up to a week before the cutoff and checked on the last week (out of
    sample): beta = slope of the actual on the predicted error, in [0, 1]; sigma then is the spread
    left after it; the model is refitted on every row before the cutoff."""
    resid_all = (lined["points"] - anchor(lined)).to_numpy(dtype=float)
    calibration = {
        "beta": 0.0,
        "sigma": float(np.std(resid_all)),
        "fit_rows": 0,
        "calibration_rows": 0,
        "sigma_rows": len(lined),
    }
    split = pd.Timestamp(cutoff - dt.timedelta(days=LINE_CALIBRATION_DAYS))
    fit, calib = lined[lined["game_date"] < split], lined[lined["game_date"] >= split]
    if not (residual_model and len(fit) >= LINE_MIN_FIT_ROWS and len(calib) >= LINE_MIN_CALIBRATION_ROWS):
        calibration.update(_widths_by_line(anchor(lined).to_numpy(dtype=float), resid_all))
        return None, calibration
    resid_hat = _fit_residual(fit, features).predict(_design(calib, features))
    resid = (calib["points"] - anchor(calib)).to_numpy(dtype=float)
    var = float(np.var(resid_hat))
    beta = float(np.clip(np.cov(resid, resid_hat, ddof=0)[0, 1] / var, 0.0, 1.0)) if var > 1e-9 else 0.0
    calibration.update(
        beta=beta, sigma=float(np.std(resid - beta * resid_hat)), fit_rows=len(fit), calibration_rows=len(calib)
    )
    return _fit_residual(lined, features), calibration


def _pack(model, calibration: dict) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        if model is not None:
            z.writestr(zipfile.ZipInfo("model.cbm", date_time=_ZIP_TIME), artifacts.to_bytes(model))
        z.writestr(zipfile.ZipInfo("calibration.json", date_time=_ZIP_TIME), json.dumps(calibration, sort_keys=True))
    return buf.getvalue()


def train(
    frame: pd.DataFrame, cutoff: dt.date, features: tuple[str, ...], residual_model: bool = True
) -> TrainedArtifact | None:
    """The calibration (and error model) of the lined rows before the cutoff (``_calibrate``); None
    with fewer than LINE_MIN_SIGMA_ROWS lined rows."""
    if frame.empty:
        return None
    lined = frame[frame["current_points_line"].notna()].copy()
    if len(lined) < LINE_MIN_SIGMA_ROWS:
        return None
    lined["game_date"] = pd.to_datetime(lined["game_date"])
    model, calibration = _calibrate(lined, cutoff, features, residual_model)
    shift = calibration["beta"] * model.predict(_design(lined, features)) if model is not None else 0.0
    pred = anchor(lined).to_numpy(dtype=float) + shift
    return TrainedArtifact(
        _pack(model, calibration),
        len(lined),
        lined["game_date"].min().date(),
        lined["game_date"].max().date(),
        float(np.mean(np.abs(pred - lined["points"].to_numpy(dtype=float)))),
        calibration,
    )


def load(blob: bytes):
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        model = artifacts.load(z.read("model.cbm")) if "model.cbm" in z.namelist() else None
        return model, json.loads(z.read("calibration.json"))


def predict(loaded, rows: pd.DataFrame, features: tuple[str, ...], price_aware: bool = False) -> SystemPrediction:
    base = (fair_anchor(rows) if price_aware else anchor(rows)).to_numpy(dtype=float)
    if loaded is None:
        return SystemPrediction(base.copy(), np.full(len(rows), 0.5))
    model, cal = loaded
    shift = cal["beta"] * model.predict(_design(rows, features)) if model is not None else 0.0
    predicted = np.clip(base + shift, *PREDICTION_CLAMP)
    line = rows["current_points_line"].to_numpy(dtype=float)
    # Heavy dependency loaded only when P(over) is computed: scipy.special costs a process about 0.3 s
    # of imports (scipy.stats about 1.3 s).
    from scipy.special import ndtr

    if cal["sigma"] <= 0:
        return SystemPrediction(predicted, np.full(len(rows), 0.5))
    widths = error_widths(cal, base)
    return SystemPrediction(predicted, ndtr((predicted - line) / widths), widths)


def line_anchored(
    system_id: str, features: tuple[str, ...] = LINE_FEATURES, residual_model: bool = True, price_aware: bool = False
) -> PredictionSystem:
    """A consensus-anchored system reading ``features`` (the ablation script builds variants with
    this; ``residual_model=False`` is the consensus and its error width alone; ``price_aware``
    anchors on the books' fair line, their prices with the vig removed, instead of the median line)."""
    what = (
        "plus its predicted error (CatBoost, median loss, on the features), shrunk by its out-of-sample skill"
        if residual_model
        else "as the prediction"
    )
    consensus = "fair line (every book's line and prices, the vig removed)" if price_aware else "consensus line"
    return PredictionSystem(
        system_id=system_id,
        description=f"The books' {consensus} {what}; P(over) at the offered line from the width of the "
        "error out of sample; OVER/UNDER only at positive expected value at the offered price.",
        features=features,
        eligible=has_pre_tip_line,
        trainer=lambda frame, cutoff: train(frame, cutoff, features, residual_model),
        load=load,
        predictor=lambda loaded, rows: predict(loaded, rows, features, price_aware),
        rule=positive_ev_rule,
        # Features recorded by their stored column index: the params are part of a model's identity
        # (models.model_identity), so the same system keeps naming the same stored models.
        params={
            **LINE_PARAMS,
            "features": [FEATURE_INDEX[name] for name in features],
            "residual_model": residual_model,
            "min_sigma_rows": LINE_MIN_SIGMA_ROWS,
            "min_fit_rows": LINE_MIN_FIT_ROWS,
            "min_calibration_rows": LINE_MIN_CALIBRATION_ROWS,
            "calibration_days": LINE_CALIBRATION_DAYS,
            "sigma_by_line_size": True,
            # Only when set: line_anchored_v1's params, and so its stored models' identities, stay as they were.
            **({"price_aware": True} if price_aware else {}),
        },
        requires_model=False,
        artifact_suffix=".zip",
    )


# The error model did not earn its place walk-forward on the 2025-26 dates with lines (benchmarks/
# ablation.py: same MAE as the consensus, no better picks), so the registered system is the consensus
# and the width of its error; the model stays one argument away for the next ablation.
SYSTEM = line_anchored(SYSTEM_ID, features=("vegas_points_line",), residual_model=False)
WITH_ERROR_MODEL = line_anchored("line_anchored_error_model", residual_model=True)
