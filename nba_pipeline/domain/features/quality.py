"""Feature quality (legacy-system.md 4.2): per-feature source weights, the quality score with its
caps, the tier, the per-category qualities and the readiness gates."""

from __future__ import annotations

import numpy as np
import pandas as pd

from nba_pipeline.domain.features.contract import CATEGORIES, DEFAULT, MISSING
from nba_pipeline.domain.features.definitions import FEATURES

OPTIONAL = frozenset(f.index for f in FEATURES if f.optional)
# Source weights (legacy quality_scorer.py).
SOURCE_WEIGHT = {
    "phase4": 100.0,
    "phase3": 87.0,
    "calculated": 100.0,
    "vegas": 100.0,
    "opponent_history": 90.0,
    "season_fallback": 87.0,
    DEFAULT: 40.0,
    MISSING: 0.0,
}
READY_TIERS = ("gold", "silver", "bronze")
TRAINING_TIERS = ("gold", "silver")


def tier(score: float) -> str:
    return (
        "gold"
        if score >= 95
        else "silver"
        if score >= 85
        else "bronze"
        if score >= 70
        else "poor"
        if score >= 50
        else "critical"
    )


def _capped_score(weights: pd.DataFrame, is_default: pd.DataFrame, required_defaults: pd.Series) -> np.ndarray:
    """Mean weight over features, skipping optional features that are missing/default; capped at 69
    with >= 1 required default and at 49 with >= 5."""
    counted = weights.copy()
    for i in [i for i in weights.columns if i in OPTIONAL]:
        counted.loc[is_default[i], i] = np.nan
    score = counted.mean(axis=1, skipna=True)
    return np.where(
        required_defaults >= 5,
        np.minimum(score, 49.0),
        np.where(required_defaults >= 1, np.minimum(score, 69.0), score),
    )


def score_quality(sources: pd.DataFrame) -> pd.DataFrame:
    """Quality fields from per-feature sources (columns: feature indices, values: source names).

    feature_quality_score = mean weight over features, skipping optional features that are
    missing/default; capped at 69 with >= 1 required default and at 49 with >= 5. A required
    feature that is missing counts as a required default. is_quality_ready = tier gold/silver/
    bronze, score >= 70, matchup >= 50 and no required default.
    """
    weights = sources.apply(lambda col: col.map(SOURCE_WEIGHT).fillna(0.0))
    is_default = sources.isin([DEFAULT, MISSING])
    required_defaults = is_default[[i for i in sources.columns if i not in OPTIONAL]].sum(axis=1)
    out = pd.DataFrame(index=sources.index)
    out["feature_quality_score"] = np.round(_capped_score(weights, is_default, required_defaults).astype(float), 2)
    out["quality_tier"] = [tier(s) for s in out["feature_quality_score"]]
    out["required_default_count"] = required_defaults.astype(int)
    out["default_feature_count"] = is_default.sum(axis=1).astype(int)
    out["default_feature_indices"] = [",".join(str(i) for i in sources.columns[row]) for row in is_default.values]
    for cat in CATEGORIES:
        idx = [f.index for f in FEATURES if f.category == cat]
        out[f"{cat}_quality"] = weights[idx].mean(axis=1).round(2)
    out["is_quality_ready"] = (
        out["quality_tier"].isin(READY_TIERS)
        & (out["feature_quality_score"] >= 70)
        & (out["matchup_quality"] >= 50)
        & (out["required_default_count"] == 0)
    )
    out["is_training_ready"] = (
        out["quality_tier"].isin(TRAINING_TIERS)
        & (out["matchup_quality"] >= 70)
        & (out["player_history_quality"] >= 80)
    )
    return out
