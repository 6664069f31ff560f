"""Phase 4 precompute (legacy-system.md section 4): every value for analysis date D comes from games
strictly before D.

One table per module: ``team_defense_zones``, ``shot_zones``, ``daily_cache`` and
``composite_factors`` (the feature store is ``domain.features``). The names below are the package's
interface.
"""

from nba_pipeline.domain.precompute.composite_factors import (
    fatigue_score,
    player_composite_factors,
    shot_zone_mismatch,
    usage_spike,
)
from nba_pipeline.domain.precompute.daily_cache import player_daily_cache
from nba_pipeline.domain.precompute.shot_zones import player_shot_zone_analysis, primary_zone
from nba_pipeline.domain.precompute.team_defense_zones import team_defense_zone_analysis

__all__ = [
    "fatigue_score",
    "player_composite_factors",
    "player_daily_cache",
    "player_shot_zone_analysis",
    "primary_zone",
    "shot_zone_mismatch",
    "team_defense_zone_analysis",
    "usage_spike",
]
