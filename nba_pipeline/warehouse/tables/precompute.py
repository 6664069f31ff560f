"""Phase 4 tables (nba_precompute, and the feature store in nba_predictions): per upcoming game date, from history before it."""

from __future__ import annotations

from nba_pipeline.domain.features import CATEGORIES, N_FEATURES, quality_col, source_col, value_col
from nba_pipeline.warehouse.spec import TableSpec
from nba_pipeline.warehouse.tables.types import TS, B, D, F, I, S  # noqa: E741

TEAM_DEFENSE_ZONE = TableSpec(
    "nba_precompute",
    "team_defense_zone_analysis",
    {
        "game_date": D,
        "team_tricode": S,
        "games_in_sample": I,
        "defensive_rating_last_15": F,
        "opponent_points_per_game": F,
        "opponent_pace": F,
        "three_pct_allowed_last_15": F,
        "three_att_allowed_per_game": F,
        "two_pct_allowed_last_15": F,
        "two_att_allowed_per_game": F,
        "blocks_per_game": F,
        "steals_per_game": F,
        "league_three_pct_30d": F,
        "league_two_pct_30d": F,
        "three_defense_vs_league_avg": F,
        "two_defense_vs_league_avg": F,
        "paint_pct_allowed_last_15": F,
        "mid_pct_allowed_last_15": F,
        "strongest_zone": S,
        "weakest_zone": S,
        "data_quality": S,
    },
    primary_key=("game_date", "team_tricode"),
    description="Defense of every team playing on the analysis date over its last 15 games before it; "
    "zone deltas vs the league's prior 30 days (positive = weak). Paint/mid-range need "
    "play-by-play and are NULL.",
)

PLAYER_SHOT_ZONE = TableSpec(
    "nba_precompute",
    "player_shot_zone_analysis",
    {
        "game_date": D,
        "player_id": I,
        "player_lookup": S,
        "games_in_sample_l10": I,
        "three_rate_last_10": F,
        "three_pct_last_10": F,
        "two_rate_last_10": F,
        "two_pct_last_10": F,
        "fta_rate_last_10": F,
        "three_rate_last_20": F,
        "paint_rate_last_10": F,
        "mid_range_rate_last_10": F,
        "primary_scoring_zone": S,
        "sample_quality": S,
        "data_quality_tier": S,
    },
    primary_key=("game_date", "player_id"),
    description="Shot profile of each expected player over his last 10 (and 20) games before the date.",
)

PLAYER_DAILY_CACHE = TableSpec(
    "nba_precompute",
    "player_daily_cache",
    {
        "game_date": D,
        "player_id": I,
        "player_lookup": S,
        "team_tricode": S,
        "last_game_date": D,
        "points_avg_last_3": F,
        "points_avg_last_5": F,
        "points_avg_last_10": F,
        "points_avg_season": F,
        "points_std_last_10": F,
        "minutes_avg_last_10": F,
        "minutes_std_last_10": F,
        "minutes_avg_season": F,
        "usage_rate_last_5": F,
        "usage_rate_last_10": F,
        "usage_rate_season": F,
        "ts_pct_last_10": F,
        "ppm_last_10": F,
        "ftm_share_last_10": F,
        "three_rate_last_10": F,
        "games_played_season": I,
        "games_in_sample_l10": I,
        "games_last_7_days": I,
        "minutes_last_7_days": F,
        "team_pace_last_10": F,
        "team_off_rating_last_10": F,
        "team_blowout_rate_last_10": F,
        "pts_slope_last_10": F,
        "pts_slope_last_7": F,
        "over_rate_last_10": F,
        "margin_vs_line_last_5": F,
        "primary_scoring_zone": S,
        "player_age": F,
        "early_season_flag": B,
    },
    primary_key=("game_date", "player_id"),
    description="Per expected player: scoring, minutes, usage and team context over windows ending "
    "before the date (played games only).",
)

PLAYER_COMPOSITE_FACTORS = TableSpec(
    "nba_precompute",
    "player_composite_factors",
    {
        "game_date": D,
        "player_id": I,
        "player_lookup": S,
        "team_tricode": S,
        "opponent_tricode": S,
        "fatigue_score": I,
        "shot_zone_mismatch_score": F,
        "pace_score": F,
        "usage_spike_score": F,
        "total_composite_adjustment": F,
        "fatigue_context_json": S,
        "upstream_shot_zone_ready": B,
        "upstream_opponent_defense_ready": B,
        "upstream_player_cache_ready": B,
    },
    primary_key=("game_date", "player_id"),
    description="Legacy composite factors: fatigue (0-100), shot-zone mismatch (+-10), pace (+-3), usage spike (+-3).",
)


def _feature_store_columns() -> dict[str, str]:
    cols = {
        "game_date": D,
        "game_id": S,
        "player_id": I,
        "player_lookup": S,
        "player_name": S,
        "team_tricode": S,
        "opponent_tricode": S,
        "is_home": B,
        "injury_status": S,
        "current_points_line": F,
        "consensus_points_line": F,
        "line_over_price": I,
        "line_under_price": I,
        "line_bookmaker": S,
        "line_snapshot_at": TS,
        "line_minutes_before_tipoff": I,
    }
    for i in range(N_FEATURES):
        cols[value_col(i)] = F
        cols[quality_col(i)] = F
        cols[source_col(i)] = S
    cols.update(
        {
            "feature_quality_score": F,
            "quality_tier": S,
            "required_default_count": I,
            "default_feature_count": I,
            "default_feature_indices": S,
            **{f"{c}_quality": F for c in CATEGORIES},
            "is_quality_ready": B,
            "is_training_ready": B,
            "has_vegas_line": B,
            "feature_count": I,
            "feature_version": S,
            "early_season_flag": B,
        }
    )
    return cols


ML_FEATURE_STORE = TableSpec(
    "nba_predictions",
    "ml_feature_store_v2",
    _feature_store_columns(),
    primary_key=("game_date", "player_id"),
    description="60 features per expected player per upcoming game, each with value, quality and "
    "source; the quality score, tier and readiness gate of legacy section 4.2.",
)

PHASE4_TABLES = (TEAM_DEFENSE_ZONE, PLAYER_SHOT_ZONE, PLAYER_DAILY_CACHE, PLAYER_COMPOSITE_FACTORS, ML_FEATURE_STORE)
