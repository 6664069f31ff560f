"""Every warehouse table: address (= asset key), columns, primary key, partition column."""

from __future__ import annotations

from nba_pipeline.warehouse.spec import TableSpec

# Short column-type aliases, as the specs below read like DDL.
D, TS, S, I, F, B = "DATE", "TIMESTAMP", "VARCHAR", "BIGINT", "DOUBLE", "BOOLEAN"  # noqa: E741

BOX_STATS = {
    k: I
    for k in (
        "fgm",
        "fga",
        "fg3m",
        "fg3a",
        "ftm",
        "fta",
        "oreb",
        "dreb",
        "reb",
        "ast",
        "stl",
        "blk",
        "tov",
        "pf",
        "pts",
    )
}

# --- Phase 2: nba_raw ------------------------------------------------------------------------------

NBAC_SCHEDULE = TableSpec(
    "nba_raw",
    "nbac_schedule",
    {
        "game_date": D,
        "game_id": S,
        "internal_game_id": S,
        "game_code": S,
        "season_year": I,
        "season_type": S,
        "game_status": I,
        "game_status_text": S,
        "is_postponed": B,
        "tipoff_utc": TS,
        "home_team_tricode": S,
        "away_team_tricode": S,
        "home_team_score": I,
        "away_team_score": I,
        "scraped_at": TS,
        "source_file": S,
    },
    primary_key=("game_date", "game_id"),
    description="One row per game on the date, as of the latest schedule scrape (status 1/2/3).",
)

NBAC_PLAYER_BOXSCORES = TableSpec(
    "nba_raw",
    "nbac_player_boxscores",
    {
        "game_date": D,
        "game_id": S,
        "internal_game_id": S,
        "season_year": I,
        "team_tricode": S,
        "opponent_tricode": S,
        "is_home": B,
        "player_id": I,
        "player_name": S,
        "player_lookup": S,
        "player_status": S,
        "dnp_reason": S,
        "starter": B,
        "minutes": S,
        "minutes_decimal": F,
        **BOX_STATS,
        "plus_minus": F,
        "source": S,
        "source_file": S,
    },
    primary_key=("game_date", "player_id"),
    description="One row per player per final game: played rows (leaguegamelog) and DNP/inactive rows "
    "(boxscoretraditionalv3 comments). Only games final at scrape time.",
    descriptions={"player_status": "active | dnp | inactive", "minutes": "as the source wrote it"},
)

NBAC_TEAM_BOXSCORE = TableSpec(
    "nba_raw",
    "nbac_team_boxscore",
    {
        "game_date": D,
        "game_id": S,
        "internal_game_id": S,
        "team_tricode": S,
        "opponent_tricode": S,
        "is_home": B,
        "minutes": S,
        **BOX_STATS,
        "plus_minus": F,
        "source_file": S,
    },
    primary_key=("game_date", "team_tricode"),
    description="Team totals per final game from boxscoretraditionalv3 (two rows per game).",
)

ODDS_PLAYER_POINTS_PROPS = TableSpec(
    "nba_raw",
    "odds_api_player_points_props",
    {
        "game_date": D,
        "odds_event_id": S,
        "snapshot_timestamp": TS,
        "commence_time": TS,
        "minutes_before_tipoff": I,
        "home_team_tricode": S,
        "away_team_tricode": S,
        "bookmaker": S,
        "bookmaker_last_update": TS,
        "player_name": S,
        "player_lookup": S,
        "points_line": F,
        "over_price": I,
        "under_price": I,
        "source_file": S,
    },
    primary_key=("game_date", "snapshot_timestamp", "odds_event_id", "bookmaker", "player_lookup", "points_line"),
    description="Every player-points snapshot x book x player (a time series). Readers must keep "
    "minutes_before_tipoff >= 0: in-game snapshots leak the outcome.",
)

ODDS_GAME_LINES = TableSpec(
    "nba_raw",
    "odds_api_game_lines",
    {
        "game_date": D,
        "odds_event_id": S,
        "snapshot_timestamp": TS,
        "commence_time": TS,
        "minutes_before_tipoff": I,
        "home_team_tricode": S,
        "away_team_tricode": S,
        "bookmaker": S,
        "market_key": S,
        "outcome_name": S,
        "outcome_point": F,
        "outcome_price": I,
        "source_file": S,
    },
    primary_key=("game_date", "snapshot_timestamp", "odds_event_id", "bookmaker", "market_key", "outcome_name"),
    description="Every spreads/totals snapshot x book x outcome.",
)

TEAM_ROSTERS = TableSpec(
    "nba_raw",
    "team_rosters",
    {
        "game_date": D,
        "team_tricode": S,
        "player_id": I,
        "player_name": S,
        "player_lookup": S,
        "position": S,
        "age": F,
        "how_acquired": S,
        "source_file": S,
    },
    primary_key=("game_date", "team_tricode", "player_id"),
    description="Roster of every team playing on the date, as scraped that day.",
)

NBAC_INJURY_REPORT = TableSpec(
    "nba_raw",
    "nbac_injury_report",
    {
        "game_date": D,
        "report_name": S,
        "report_published_at": TS,
        "team_tricode": S,
        "player_name": S,
        "player_lookup": S,
        "injury_status": S,
        "reason": S,
        "reason_category": S,
        "matchup": S,
        "source_file": S,
    },
    primary_key=("game_date", "report_name", "team_tricode", "player_lookup"),
    description="Every published injury report's rows for the game date (one report per publication time).",
)

# --- Phase 3: nba_analytics ----------------------------------------------------------------------

TEAM_OFFENSE = TableSpec(
    "nba_analytics",
    "team_offense_game_summary",
    {
        "game_date": D,
        "game_id": S,
        "internal_game_id": S,
        "season_year": I,
        "team_tricode": S,
        "opponent_tricode": S,
        "is_home": B,
        "points": I,
        "opp_points": I,
        **{k: I for k in BOX_STATS if k != "pts"},
        "team_minutes": I,
        "game_minutes": F,
        "overtime_periods": I,
        "possessions": F,
        "offensive_rating": F,
        "pace": F,
        "ts_pct": F,
        "efg_pct": F,
        "three_pt_rate": F,
        "win_flag": B,
        "margin": I,
        "data_source": S,
        "quality_tier": S,
    },
    primary_key=("game_date", "team_tricode"),
    description="Team offense per completed game: possessions, pace, offensive rating, shooting.",
)

TEAM_DEFENSE = TableSpec(
    "nba_analytics",
    "team_defense_game_summary",
    {
        "game_date": D,
        "game_id": S,
        "internal_game_id": S,
        "season_year": I,
        "defending_team_tricode": S,
        "opponent_tricode": S,
        "is_home": B,
        "points_allowed": I,
        "opp_fgm": I,
        "opp_fga": I,
        "opp_fg3m": I,
        "opp_fg3a": I,
        "opp_ftm": I,
        "opp_fta": I,
        "opp_oreb": I,
        "opp_tov": I,
        "defensive_rating": F,
        "opponent_pace": F,
        "opponent_ts_pct": F,
        "opp_three_pct": F,
        "opp_two_pct": F,
        "turnovers_forced": I,
        "steals": I,
        "blocks": I,
        "defensive_rebounds": I,
        "win_flag": B,
        "margin": I,
        "data_source": S,
    },
    primary_key=("game_date", "defending_team_tricode"),
    description="Team defense per completed game from the opponent's box (flipped perspective).",
    descriptions={"opponent_pace": "opponent possessions (a count, not per-48, as in legacy)"},
)

PLAYER_GAME_SUMMARY = TableSpec(
    "nba_analytics",
    "player_game_summary",
    {
        "game_date": D,
        "game_id": S,
        "internal_game_id": S,
        "season_year": I,
        "player_id": I,
        "player_lookup": S,
        "player_name": S,
        "team_tricode": S,
        "opponent_tricode": S,
        "is_home": B,
        "player_status": S,
        "is_active": B,
        "is_dnp": B,
        "dnp_reason": S,
        "dnp_reason_category": S,
        "started": B,
        "starter_flag": B,
        "minutes": F,
        "points": I,
        **{k: I for k in BOX_STATS if k != "pts"},
        "plus_minus": F,
        "efg_pct": F,
        "ts_pct": F,
        "usage_rate": F,
        "win_flag": B,
        "points_line": F,
        "points_line_bookmaker": S,
        "over_under_result": S,
        "margin_vs_line": F,
        "data_quality_flag": S,
        "primary_source": S,
    },
    primary_key=("game_date", "player_id"),
    description="One row per player per completed game, DNP and inactive rows included.",
    descriptions={"usage_rate": "NULL when > 100 or without team stats", "over_under_result": "OVER / UNDER / PUSH"},
)

UPCOMING_TEAM_CONTEXT = TableSpec(
    "nba_analytics",
    "upcoming_team_game_context",
    {
        "game_date": D,
        "game_id": S,
        "internal_game_id": S,
        "team_tricode": S,
        "opponent_tricode": S,
        "is_home": B,
        "tipoff_utc": TS,
        "game_number_in_season": I,
        "days_rest": I,
        "is_back_to_back": B,
        "games_last_7_days": I,
        "games_last_14_days": I,
        "opponent_days_rest": I,
        "streak_entering": I,
        "last_game_margin": I,
        "season_wins": I,
        "season_losses": I,
        "team_win_pct": F,
        "travel_miles": F,
        "timezone_change_hours": F,
        "pace_last_10": F,
        "off_rating_last_10": F,
        "def_rating_last_10": F,
        "game_spread": F,
        "game_total": F,
        "game_lines_source": S,
        "players_out": I,
        "questionable_count": I,
    },
    primary_key=("game_date", "team_tricode"),
    description="Two rows per upcoming game: rest, schedule density, form and lines, from history < date.",
)

UPCOMING_PLAYER_CONTEXT = TableSpec(
    "nba_analytics",
    "upcoming_player_game_context",
    {
        "game_date": D,
        "game_id": S,
        "internal_game_id": S,
        "player_id": I,
        "player_lookup": S,
        "player_name": S,
        "team_tricode": S,
        "opponent_tricode": S,
        "is_home": B,
        "tipoff_utc": TS,
        "roster_source": S,
        "injury_status": S,
        "injury_reason": S,
        "days_rest": I,
        "back_to_back": B,
        "games_last_7_days": I,
        "games_last_14_days": I,
        "minutes_last_7_days": F,
        "minutes_last_14_days": F,
        "avg_minutes_last_7_days": F,
        "back_to_backs_last_14_days": I,
        "avg_usage_last_7_games": F,
        "points_avg_last_5": F,
        "points_avg_last_10": F,
        "games_used_last_5": I,
        "games_used_last_10": I,
        "sample_quality": S,
        "has_prop_line": B,
        "current_points_line": F,
        "opening_points_line": F,
        "line_movement": F,
        "line_bookmaker": S,
        "line_snapshot_at": TS,
        "line_minutes_before_tipoff": I,
        "line_book_count": I,
        "consensus_points_line": F,
        "line_over_price": I,
        "line_under_price": I,
        "prop_over_streak": I,
        "prop_under_streak": I,
        "pace_differential": F,
        "opponent_def_rating_last_10": F,
        "opponent_off_rating_last_10": F,
        "opponent_days_rest": I,
        "game_spread": F,
        "game_total": F,
        "star_teammates_out": I,
        "questionable_star_teammates": I,
        "season_phase": S,
        "is_production_ready": B,
    },
    primary_key=("game_date", "player_id"),
    description="One row per expected player per upcoming game, from history strictly before the date "
    "and pre-tip line snapshots only.",
)

PHASE2_TABLES = (
    NBAC_SCHEDULE,
    NBAC_PLAYER_BOXSCORES,
    NBAC_TEAM_BOXSCORE,
    ODDS_PLAYER_POINTS_PROPS,
    ODDS_GAME_LINES,
    TEAM_ROSTERS,
    NBAC_INJURY_REPORT,
)
PHASE3_TABLES = (TEAM_OFFENSE, TEAM_DEFENSE, PLAYER_GAME_SUMMARY, UPCOMING_TEAM_CONTEXT, UPCOMING_PLAYER_CONTEXT)

# --- Phase 4: nba_precompute (+ the feature store in nba_predictions) -----------------------------

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
    from nba_pipeline.domain.features import CATEGORIES, N_FEATURES, quality_col, source_col, value_col

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

# --- Phase 5: nba_predictions ---------------------------------------------------------------------

POINTS_MODEL = TableSpec(
    "nba_predictions",
    "points_model",
    {
        "game_date": D,
        "system_id": S,
        "model_id": S,
        "status": S,
        "cutoff_date": D,
        "train_start": D,
        "train_end": D,
        "train_rows": I,
        "train_days": I,
        "feature_count": I,
        "artifact_path": S,
        "artifact_sha256": S,
        "train_mae": F,
        "params_json": S,
        "calibration_json": S,
        "trained_at": TS,
    },
    primary_key=("game_date", "system_id"),
    description="The model of each trainable prediction system serving each game date: the weekly model "
    "whose cutoff is the Monday on or before the date, trained only on rows before the cutoff. "
    "status = trained | insufficient_training_data.",
)

PLAYER_PROP_PREDICTIONS = TableSpec(
    "nba_predictions",
    "player_prop_predictions",
    {
        "game_date": D,
        "prediction_id": S,
        "system_id": S,
        "game_id": S,
        "player_id": I,
        "player_lookup": S,
        "player_name": S,
        "team_tricode": S,
        "opponent_tricode": S,
        "is_home": B,
        "predicted_points": F,
        "confidence_score": F,
        "recommendation": S,
        "edge": F,
        "p_over": F,
        "expected_value": F,
        "current_points_line": F,
        "consensus_points_line": F,
        "line_over_price": I,
        "line_under_price": I,
        "line_bookmaker": S,
        "line_source": S,
        "line_snapshot_at": TS,
        "line_minutes_before_game": I,
        "model_id": S,
        "model_sha256": S,
        "feature_quality_score": F,
        "injury_status_at_prediction": S,
        "is_actionable": B,
        "filter_reason": S,
        "is_active": B,
        "superseded_by": S,
        "superseded_at": TS,
        "created_at": TS,
    },
    primary_key=("game_date", "prediction_id"),
    description="Predictions per (game, player, system), quality-ready players with a pre-tip line. Exactly "
    "one active row per (game, player, system); earlier versions stay, inactive.",
)

# --- Grading ---------------------------------------------------------------------------------------

PREDICTION_ACCURACY = TableSpec(
    "nba_predictions",
    "prediction_accuracy",
    {
        "game_date": D,
        "prediction_id": S,
        "system_id": S,
        "game_id": S,
        "player_id": I,
        "player_lookup": S,
        "player_name": S,
        "team_tricode": S,
        "opponent_tricode": S,
        "predicted_points": F,
        "line_value": F,
        "consensus_line": F,
        "over_price": I,
        "under_price": I,
        "p_over": F,
        "expected_value": F,
        "line_bookmaker": S,
        "recommendation": S,
        "confidence_score": F,
        "actual_points": F,
        "minutes_played": F,
        "absolute_error": F,
        "signed_error": F,
        "within_3_points": B,
        "within_5_points": B,
        "predicted_margin": F,
        "actual_margin": F,
        "edge_abs": F,
        "edge_bucket": S,
        "prediction_correct": B,
        "is_push": B,
        "is_voided": B,
        "void_reason": S,
        "model_id": S,
        "feature_quality_score": F,
        "graded_at": TS,
    },
    primary_key=("game_date", "prediction_id"),
    description="Each active prediction of a final game, graded: error, win/loss against the line, push "
    "when actual == line, voided when the player did not play.",
)


def _performance_columns() -> dict[str, str]:
    cols = {"game_date": D, "system_id": S}
    for w in (7, 14, 30):
        cols.update(
            {f"picks_{w}d": I, f"wins_{w}d": I, f"hit_rate_{w}d": F, f"mae_{w}d": F, f"bias_{w}d": F, f"graded_{w}d": I}
        )
    cols["state"] = S
    return cols


MODEL_PERFORMANCE_DAILY = TableSpec(
    "nba_predictions",
    "model_performance_daily",
    _performance_columns(),
    primary_key=("game_date", "system_id"),
    description="Per system and date: hit rate of its picks over the last 7/14/30 days with counts, MAE, "
    "bias, and HEALTHY / WATCH / DEGRADING / BLOCKED (INSUFFICIENT_DATA below 5 picks).",
)

PHASE5_TABLES = (POINTS_MODEL, PLAYER_PROP_PREDICTIONS)
GRADING_TABLES = (PREDICTION_ACCURACY, MODEL_PERFORMANCE_DAILY)
ALL_TABLES = (*PHASE2_TABLES, *PHASE3_TABLES, *PHASE4_TABLES, *PHASE5_TABLES, *GRADING_TABLES)
