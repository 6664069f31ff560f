"""How the graph runs itself: named automation conditions (``conditions``) and the terms of our own
they use (``terms``), the Phase 1 schedules (``schedules``), the automation sensors (``sensors``),
the deadlines behind freshness and self-heal (``deadlines``), self-heal (``self_heal``) and alerts
(``alerts``). Assets and the definitions import the names below."""

from nba_pipeline.automation.conditions import (
    EXPORT_ON_TABLES,
    FEATURES_ON_PRECOMPUTE,
    GRADING_ON_RESULTS,
    GRADING_ON_RESULTS_LINES_OPTIONAL,
    IN_RECENT_GAME_DATES,
    MODEL_ON_HISTORY,
    PLAYER_SUMMARY_ON_RAW,
    PRECOMPUTE_ON_ANALYTICS,
    PREDICTIONS_ON_FEATURES,
    PROP_LINES_ON_RAW,
    RAW_ON_SCRAPE,
    RAW_PLAYER_BOX_ON_SCRAPE,
    TEAM_SUMMARY_ON_RAW,
    TONIGHT_ON_TABLES,
    UPCOMING_PLAYER_ON_HISTORY,
    UPCOMING_TEAM_ON_HISTORY,
    history_parents,
    optional_parents,
    parents_landed,
)
from nba_pipeline.automation.deadlines import DEADLINES, Deadline, attach_freshness, freshness_policy, latest_due_date
from nba_pipeline.automation.schedules import SCRAPE_JOBS, build_schedules, game_night, latest_fire, lines_decision
from nba_pipeline.automation.sensors import build_automation_sensors

__all__ = [
    "DEADLINES",
    "EXPORT_ON_TABLES",
    "FEATURES_ON_PRECOMPUTE",
    "GRADING_ON_RESULTS",
    "GRADING_ON_RESULTS_LINES_OPTIONAL",
    "IN_RECENT_GAME_DATES",
    "MODEL_ON_HISTORY",
    "PLAYER_SUMMARY_ON_RAW",
    "PRECOMPUTE_ON_ANALYTICS",
    "PREDICTIONS_ON_FEATURES",
    "PROP_LINES_ON_RAW",
    "RAW_ON_SCRAPE",
    "RAW_PLAYER_BOX_ON_SCRAPE",
    "SCRAPE_JOBS",
    "TEAM_SUMMARY_ON_RAW",
    "TONIGHT_ON_TABLES",
    "UPCOMING_PLAYER_ON_HISTORY",
    "UPCOMING_TEAM_ON_HISTORY",
    "Deadline",
    "attach_freshness",
    "build_automation_sensors",
    "build_schedules",
    "freshness_policy",
    "game_night",
    "history_parents",
    "latest_due_date",
    "latest_fire",
    "lines_decision",
    "optional_parents",
    "parents_landed",
]
