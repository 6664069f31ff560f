"""The ml_feature_store_v2 features (legacy-system.md 4.1) and their quality (4.2).

Every feature is one definition (``definitions``): name, meaning, category, source, computation,
default, optional; its position is its index in the store. Each row stores the value, a per-feature
quality (the legacy source weight) and the source it came from. A value our sources cannot give is
NULL with source "missing" (quality 0): never invented. ``contract``: what a feature is and the
stored column names; ``inputs``: what the computations read; ``quality``: the score, tier and
readiness; ``store``: the table. The names below are the package's interface.
"""

from nba_pipeline.domain.features.contract import CATEGORIES, Feature, quality_col, source_col, value_col
from nba_pipeline.domain.features.definitions import FEATURES
from nba_pipeline.domain.features.quality import OPTIONAL, SOURCE_WEIGHT, score_quality, tier
from nba_pipeline.domain.features.store import FEATURE_VERSION, build_feature_store

# The legacy store's width (legacy-system.md 4.1, "60 stored, indices 0-59"): the contract our
# definitions keep; N_FEATURES is what the list holds.
LEGACY_FEATURE_COUNT = 60
N_FEATURES = len(FEATURES)
FEATURE_NAMES = tuple(f.name for f in FEATURES)
FEATURE_INDEX = {f.name: f.index for f in FEATURES}
UNAVAILABLE = tuple(f for f in FEATURES if not f.available)


def value_column(name: str) -> str:
    """The stored value column of a feature, by name: "points_avg_last_5" -> "feature_0_value"."""
    return value_col(FEATURE_INDEX[name])


__all__ = [
    "CATEGORIES",
    "FEATURES",
    "FEATURE_INDEX",
    "FEATURE_NAMES",
    "FEATURE_VERSION",
    "LEGACY_FEATURE_COUNT",
    "N_FEATURES",
    "OPTIONAL",
    "SOURCE_WEIGHT",
    "UNAVAILABLE",
    "Feature",
    "build_feature_store",
    "quality_col",
    "score_quality",
    "source_col",
    "tier",
    "value_col",
    "value_column",
]
