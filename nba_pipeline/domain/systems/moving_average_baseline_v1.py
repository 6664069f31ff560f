"""moving_average_baseline_v1: 0.5 x L5 + 0.3 x L10 + 0.2 x season points, no model; OVER / UNDER at
|edge| >= the edge threshold."""

from __future__ import annotations

import numpy as np
import pandas as pd

from nba_pipeline.domain.features import value_column
from nba_pipeline.domain.systems.base import (
    PREDICTION_CLAMP,
    PredictionSystem,
    SystemPrediction,
    edge_rule,
    quality_ready_with_line,
)

SYSTEM_ID = "moving_average_baseline_v1"
FEATURES = ("points_avg_last_5", "points_avg_last_10", "points_avg_season")


def predict(_model, rows: pd.DataFrame) -> SystemPrediction:
    """0.5 x L5 + 0.3 x L10 + 0.2 x season, each falling back to the next available."""
    l5, l10, season = (rows[value_column(name)].astype(float) for name in FEATURES)
    l10 = l10.fillna(l5)
    season = season.fillna(l10)
    l5 = l5.fillna(l10)
    points = np.clip((0.5 * l5 + 0.3 * l10 + 0.2 * season).to_numpy(), *PREDICTION_CLAMP)
    return SystemPrediction(points, np.full(len(rows), np.nan))


SYSTEM = PredictionSystem(
    system_id=SYSTEM_ID,
    description="0.5 x L5 + 0.3 x L10 + 0.2 x season points; OVER/UNDER at |edge| >= the edge threshold.",
    features=FEATURES,
    eligible=quality_ready_with_line,
    predictor=predict,
    rule=edge_rule,
    requires_model=False,
)
