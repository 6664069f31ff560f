"""Named automation conditions: when each phase of a game date is requested.

Every condition from Phase 2 on says the same thing with different optional parents: request game
date D once all required parents for D (and the history D declares) are materialized and their
blocking checks passed; not while a parent or the asset itself is in progress; once per parent
update. Dates covered: the last three partitions (yesterday, today, tomorrow in ET; the partition set
ends tomorrow), because yesterday's results land after midnight. Older dates are backfills.
"""

from __future__ import annotations

import datetime as dt

import dagster as dg

from nba_pipeline import keys

AC = dg.AutomationCondition

RECENT_GAME_DATES = dt.timedelta(days=3)

IN_RECENT_GAME_DATES = AC.in_latest_time_window(RECENT_GAME_DATES).with_label(
    "game date is yesterday, today or tomorrow (ET)"
)


def parents_landed(label: str, optional: tuple[dg.AssetKey, ...] = ()) -> dg.AutomationCondition:
    """All required parents of the date present, none running, their blocking checks passed.

    Optional parents (a source that may be disabled or have nothing for the date) neither block
    when missing nor when their checks fail, but their updates still re-request the child.
    """
    deps_missing = AC.any_deps_missing()
    checks_passed = AC.all_deps_blocking_checks_passed()
    if optional:
        selection = dg.AssetSelection.assets(*optional)
        deps_missing = deps_missing.ignore(selection)
        checks_passed = checks_passed.ignore(selection)
    return (
        IN_RECENT_GAME_DATES
        & (AC.newly_missing() | AC.any_deps_updated()).since_last_handled()
        & ~deps_missing
        & ~AC.any_deps_in_progress()
        & checks_passed
        & ~AC.in_progress()
    ).with_label(label)


# Phase 2: a raw table follows its scrape of the same date.
RAW_ON_SCRAPE = parents_landed("phase 2: scrape of the date archived")
# Player box scores also take DNP rows from the team box-score scrape, which is unreliable (legacy:
# "API returning 0 teams"): it must never hold the played rows back.
RAW_PLAYER_BOX_ON_SCRAPE = parents_landed(
    "phase 2: player game log archived (team box score optional)",
    optional=(keys.SCRAPED_TEAM_BOXSCORES,),
)

# Phase 3, completed games: team tables need the date's team box score or, when that source has
# nothing, reconstruct from player rows; lines only decorate player rows.
TEAM_SUMMARY_ON_RAW = parents_landed(
    "phase 3: raw box scores of the date landed (team box optional)",
    optional=(keys.RAW_TEAM_BOXSCORE,),
)
PLAYER_SUMMARY_ON_RAW = parents_landed(
    "phase 3: raw box scores and team offense of the date landed (lines optional)",
    optional=(keys.RAW_ODDS_PLAYER_POINTS,),
)
# Phase 3, upcoming games: the schedule and yesterday's completed-game history are required; lines,
# rosters, injuries and game lines are optional (a source may be off or have nothing yet, legacy
# incident 16), and each update of them refreshes the context.
UPCOMING_TEAM_ON_HISTORY = parents_landed(
    "phase 3: schedule and completed-game history landed (game lines, injuries optional)",
    optional=(keys.RAW_ODDS_GAME_LINES, keys.RAW_INJURY_REPORT),
)
UPCOMING_PLAYER_ON_HISTORY = parents_landed(
    "phase 3: schedule and completed-game history landed (lines, rosters, injuries optional)",
    optional=(keys.RAW_ODDS_PLAYER_POINTS, keys.RAW_ROSTERS, keys.RAW_INJURY_REPORT, keys.RAW_ODDS_GAME_LINES),
)

# Phase 4: every Phase 3 parent of the date (and yesterday's completed-game history) landed and
# passed its blocking checks; same-day line updates re-request the feature store.
PRECOMPUTE_ON_ANALYTICS = parents_landed("phase 4: phase 3 parents of the date and yesterday's history landed")
FEATURES_ON_PRECOMPUTE = parents_landed(
    "phase 4: precompute of the date landed (raw lines optional)",
    optional=(keys.RAW_ODDS_PLAYER_POINTS,),
)

# Phase 5: the model of date D needs yesterday's features and results landed (training history).
MODEL_ON_HISTORY = parents_landed("phase 5: yesterday's features and results landed (training history)")
PREDICTIONS_ON_FEATURES = parents_landed("phase 5: feature store and model of the date landed")
# Phase 6: exports follow their tables.
EXPORT_ON_TABLES = parents_landed("phase 6: tables behind the export landed")
# Grading: results of date D landed (player game summary) and its predictions exist.
GRADING_ON_RESULTS = parents_landed("grading: predictions and completed-game results of the date landed")
