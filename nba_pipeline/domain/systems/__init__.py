"""The registry of prediction systems, one module each.

The model asset trains every trainable system, predictions run every system, grading and model
performance report every system, the website publishes the one with the best walk-forward record
(``domain/records.py``: chosen by results, never by a flag), and ``nba-pipeline evaluate`` scores
them all. Adding a system is a module here (its ``SYSTEM``, a
``base.PredictionSystem``), an entry in ``REGISTRY`` and its test. ``validate`` checks the registry
when the definitions load.
"""

from __future__ import annotations

from nba_pipeline.domain.features import FEATURE_INDEX, FEATURES
from nba_pipeline.domain.systems import catboost_points_v1, fair_line_v1, line_anchored_v1, moving_average_baseline_v1
from nba_pipeline.domain.systems.base import (
    DEFAULT_EDGE_THRESHOLD,
    PREDICTION_CLAMP,
    PredictionSystem,
    SystemPrediction,
    TrainedArtifact,
    edge_rule,
    has_pre_tip_line,
    positive_ev_rule,
    quality_ready_with_line,
    recommend,
)
from nba_pipeline.domain.systems.line_anchored_v1 import line_anchored
from nba_pipeline.markets import MARKETS

CATBOOST_V1 = catboost_points_v1.SYSTEM
MOVING_AVERAGE = moving_average_baseline_v1.SYSTEM
LINE_ANCHORED = line_anchored_v1.SYSTEM
LINE_ANCHORED_WITH_ERROR_MODEL = line_anchored_v1.WITH_ERROR_MODEL
FAIR_LINE = fair_line_v1.SYSTEM

REGISTRY: tuple[PredictionSystem, ...] = (CATBOOST_V1, MOVING_AVERAGE, LINE_ANCHORED, FAIR_LINE)
SYSTEM_IDS = tuple(s.system_id for s in REGISTRY)
TRAINABLE = tuple(s for s in REGISTRY if s.trainable)
# (system, market) of every registered system and each market it serves: the grain of performance.
SERVED = tuple((s.system_id, m.key) for m in MARKETS for s in REGISTRY if m.serves(s.system_id))


def get(system_id: str) -> PredictionSystem:
    for s in REGISTRY:
        if s.system_id == system_id:
            return s
    raise KeyError(f"no prediction system {system_id!r} (registered: {', '.join(SYSTEM_IDS)})")


def validate(registry: tuple[PredictionSystem, ...] = REGISTRY) -> None:
    """The registry's contract, checked when the definitions load: unique ids, features that exist
    and are available, and every market served by registered systems."""
    ids = [s.system_id for s in registry]
    if len(set(ids)) != len(ids):
        raise ValueError(f"duplicate prediction system ids: {ids}")
    for m in MARKETS:
        unregistered = sorted(set(m.systems or ()) - set(ids))
        if unregistered:
            raise ValueError(f"market {m.key} is served by systems that are not registered: {unregistered}")
    available = {f.name for f in FEATURES if f.available}
    for s in registry:
        unknown = sorted(set(s.features) - set(FEATURE_INDEX))
        if unknown:
            raise ValueError(f"{s.system_id} reads features {unknown} that do not exist")
        bad = sorted(set(s.features) - available, key=FEATURE_INDEX.get)
        if bad:
            raise ValueError(
                f"{s.system_id} reads features {[FEATURE_INDEX[n] for n in bad]} ({', '.join(bad)}), "
                "which our sources do not provide"
            )


__all__ = [
    "CATBOOST_V1",
    "DEFAULT_EDGE_THRESHOLD",
    "FAIR_LINE",
    "LINE_ANCHORED",
    "LINE_ANCHORED_WITH_ERROR_MODEL",
    "MOVING_AVERAGE",
    "PREDICTION_CLAMP",
    "REGISTRY",
    "SERVED",
    "SYSTEM_IDS",
    "TRAINABLE",
    "PredictionSystem",
    "SystemPrediction",
    "TrainedArtifact",
    "edge_rule",
    "get",
    "has_pre_tip_line",
    "line_anchored",
    "positive_ev_rule",
    "quality_ready_with_line",
    "recommend",
    "validate",
]
