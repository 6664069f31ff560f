"""What a prediction system is: its contract (``PredictionSystem``), what its trainer returns and what
its predictor gives, which rows it may predict, and the two recommendation rules systems choose from.

Walk-forward for every system: the model serving game date D has its cutoff on the Monday on or
before D and sees only rows dated before the cutoff (``model.model_cutoff``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from nba_pipeline.domain.betting import OVER, UNDER, expected_value
from nba_pipeline.domain.features import value_column

PREDICTION_CLAMP = (0.0, 60.0)
DEFAULT_EDGE_THRESHOLD = 3.0
NOT_PLAYING = ("out", "doubtful")


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


@dataclass(frozen=True)
class SystemPrediction:
    predicted_points: np.ndarray
    p_over: np.ndarray  # NaN where the system states no probability
    # The width of the normal error around ``predicted_points`` where the system states one: it then
    # prices every book's line, and its pick is shopped to the best price (domain/best_price.py).
    error_width: np.ndarray | None = None


@dataclass(frozen=True)
class PredictionSystem:
    """One prediction system.

    ``features`` are feature names (``features.FEATURE_NAMES``). ``eligible`` picks the feature rows
    it predicts (always: a pre-tip line and not OUT/DOUBTFUL; systems may ask for more). ``trainer``
    gets the walk-forward training frame (feature rows before the cutoff with actual points of played
    games) and returns an artifact or None when the history is too thin; ``load`` turns the
    artifact's bytes into what ``predictor`` takes. A system whose ``requires_model`` is False still
    predicts without a model (``predictor`` gets None). ``rule(predictions, edge_threshold)`` gives
    OVER / UNDER / PASS / NO_LINE."""

    system_id: str
    description: str
    features: tuple[str, ...]
    eligible: Callable[[pd.DataFrame], pd.Series]
    predictor: Callable[[Any, pd.DataFrame], SystemPrediction]
    rule: Callable[[pd.DataFrame, float], pd.Series]
    trainer: Callable[[pd.DataFrame, dt.date], TrainedArtifact | None] | None = None
    load: Callable[[bytes], Any] = lambda blob: blob
    params: dict = field(default_factory=dict)
    requires_model: bool = True
    artifact_suffix: str = ".bin"

    @property
    def trainable(self) -> bool:
        return self.trainer is not None

    def feature_columns(self) -> list[str]:
        return [value_column(name) for name in self.features]


def has_pre_tip_line(f: pd.DataFrame) -> pd.Series:
    """Rows with a line quoted before tip-off for a player who is not OUT/DOUBTFUL."""
    return (
        f["current_points_line"].notna()
        & ~f["injury_status"].fillna("").isin(NOT_PLAYING)
        & (pd.to_numeric(f["line_minutes_before_tipoff"], errors="coerce").fillna(-1) >= 0)
    )


def quality_ready_with_line(f: pd.DataFrame) -> pd.Series:
    """The legacy gate: quality-ready features (no required default, score >= 70) and a pre-tip line."""
    return has_pre_tip_line(f) & f["is_quality_ready"].astype(bool)


def recommend(edge: pd.Series, threshold: float = DEFAULT_EDGE_THRESHOLD) -> pd.Series:
    """OVER when edge >= threshold, UNDER when edge <= -threshold, else PASS; NO_LINE without a line.
    The direction always agrees with the sign of the edge (legacy direction guard)."""
    out = np.where(
        edge.isna(), "NO_LINE", np.where(edge >= threshold, OVER, np.where(edge <= -threshold, UNDER, "PASS"))
    )
    return pd.Series(out, index=edge.index)


def edge_rule(p: pd.DataFrame, edge_threshold: float) -> pd.Series:
    """OVER when edge >= threshold, UNDER when <= -threshold, else PASS (legacy)."""
    return recommend(p["edge"], edge_threshold)


def positive_ev_rule(p: pd.DataFrame, edge_threshold: float) -> pd.Series:
    """OVER / UNDER only where the calibrated P(win) gives a positive expected value at the book's
    offered price for that side, and the side agrees with the edge; else PASS. ``edge_threshold``
    does not apply: the probability already carries the system's confidence."""
    p_over = p["p_over"].astype(float)
    ev_over = expected_value(p_over.fillna(0.0), p["line_over_price"])
    ev_under = expected_value(1 - p_over.fillna(1.0), p["line_under_price"])
    edge = p["edge"].astype(float)
    out = np.where(
        edge.isna(),
        "NO_LINE",
        np.where((ev_over > 0) & (edge > 0), OVER, np.where((ev_under > 0) & (edge < 0), UNDER, "PASS")),
    )
    return pd.Series(out, index=p.index)
