"""Asset keys and group names: the physical address of every asset, in one place.

Table assets take their key from their TableSpec (schema + table); these are the keys that are not
warehouse tables, plus the group (= phase) names.
"""

import dagster as dg

from nba_pipeline import endpoints
from nba_pipeline.warehouse import tables as t

PHASE1 = "phase1_scrapers"
PHASE2 = "phase2_raw"
PHASE3 = "phase3_analytics"
PHASE4 = "phase4_precompute"
PHASE5 = "phase5_predictions"
PHASE6 = "phase6_publishing"
GRADING = "grading"
PHASE_GROUPS = (PHASE1, PHASE2, PHASE3, PHASE4, PHASE5, PHASE6, GRADING)
# Dependency order of the groups: the results export reads grading.
RUN_ORDER = (PHASE1, PHASE2, PHASE3, PHASE4, PHASE5, GRADING, PHASE6)

SCRAPED_SCHEDULE = endpoints.SCHEDULE_ENDPOINT.asset_key
SCRAPED_PLAYER_BOXSCORES = endpoints.PLAYER_BOXSCORES_ENDPOINT.asset_key
SCRAPED_TEAM_BOXSCORES = endpoints.TEAM_BOXSCORES_ENDPOINT.asset_key
SCRAPED_ODDS_PLAYER_PROPS = endpoints.ODDS_PLAYER_PROPS_ENDPOINT.asset_key
SCRAPED_ODDS_GAME_LINES = endpoints.ODDS_GAME_LINES_ENDPOINT.asset_key
SCRAPED_ROSTERS = endpoints.ROSTERS_ENDPOINT.asset_key
SCRAPED_INJURY_REPORT = endpoints.INJURY_REPORT_ENDPOINT.asset_key

RAW_SCHEDULE = t.NBAC_SCHEDULE.asset_key
RAW_PLAYER_BOXSCORES = t.NBAC_PLAYER_BOXSCORES.asset_key
RAW_TEAM_BOXSCORE = t.NBAC_TEAM_BOXSCORE.asset_key
RAW_ODDS_PLAYER_PROPS = t.ODDS_PLAYER_PROPS.asset_key
RAW_ODDS_GAME_LINES = t.ODDS_GAME_LINES.asset_key
RAW_ROSTERS = t.TEAM_ROSTERS.asset_key
RAW_INJURY_REPORT = t.NBAC_INJURY_REPORT.asset_key

TEAM_OFFENSE = t.TEAM_OFFENSE.asset_key
TEAM_DEFENSE = t.TEAM_DEFENSE.asset_key
PLAYER_GAME_SUMMARY = t.PLAYER_GAME_SUMMARY.asset_key
UPCOMING_TEAM_CONTEXT = t.UPCOMING_TEAM_CONTEXT.asset_key
UPCOMING_PLAYER_CONTEXT = t.UPCOMING_PLAYER_CONTEXT.asset_key
PLAYER_PROP_LINES = t.PLAYER_PROP_LINES.asset_key

TEAM_DEFENSE_ZONE = t.TEAM_DEFENSE_ZONE.asset_key
PLAYER_SHOT_ZONE = t.PLAYER_SHOT_ZONE.asset_key
PLAYER_DAILY_CACHE = t.PLAYER_DAILY_CACHE.asset_key
PLAYER_COMPOSITE_FACTORS = t.PLAYER_COMPOSITE_FACTORS.asset_key
ML_FEATURE_STORE = t.ML_FEATURE_STORE.asset_key

POINTS_MODEL = t.POINTS_MODEL.asset_key
PLAYER_PROP_PREDICTIONS = t.PLAYER_PROP_PREDICTIONS.asset_key
PREDICTION_ACCURACY = t.PREDICTION_ACCURACY.asset_key
MODEL_PERFORMANCE_DAILY = t.MODEL_PERFORMANCE_DAILY.asset_key

EXPORT_TONIGHT = dg.AssetKey(["nba_api_export", "tonight"])
EXPORT_PREDICTIONS = dg.AssetKey(["nba_api_export", "predictions"])
EXPORT_RESULTS = dg.AssetKey(["nba_api_export", "results"])
