"""Named automation conditions: when each phase of a game date is requested.

Every condition from Phase 2 on says the same thing with different optional and history parents:
request game date D once all required parents for D are materialized and their blocking checks
passed and the history it declares is ready for D-1; not while a parent or the asset itself is in
progress; once per parent or history update. Dates covered: yesterday, today and tomorrow on the
pipeline clock, because yesterday's results land after midnight. Older dates are backfills.
"""

from __future__ import annotations

import dagster as dg

from nba_pipeline import keys
from nba_pipeline.automation.terms import HistoryNewer, HistoryReady, InRecentGameDates

AC = dg.AutomationCondition

IN_RECENT_GAME_DATES = InRecentGameDates()


# The optional and history parents of each condition, by label: the same lists decide what a run
# computes for a date (execution/readiness.py: a date whose required inputs are not ready is not
# computed).
_OPTIONAL_PARENTS: dict[str, frozenset[dg.AssetKey]] = {}
_HISTORY_PARENTS: dict[str, frozenset[dg.AssetKey]] = {}


def optional_parents(condition: dg.AutomationCondition | None) -> frozenset[dg.AssetKey]:
    """Parents that never hold a date back, for an asset with this automation condition."""
    return _OPTIONAL_PARENTS.get(condition.get_label(), frozenset()) if condition is not None else frozenset()


def history_parents(condition: dg.AutomationCondition | None) -> frozenset[dg.AssetKey]:
    """Parents an asset with this condition reads as history: the rows strictly before its date. The
    edge is same-date (it orders a run's steps and shows the lineage); date D waits for the parent's
    partition D-1, not D (an upcoming game's context cannot wait for the game's own box scores)."""
    return _HISTORY_PARENTS.get(condition.get_label(), frozenset()) if condition is not None else frozenset()


def parents_landed(
    label: str, optional: tuple[dg.AssetKey, ...] = (), history: tuple[dg.AssetKey, ...] = ()
) -> dg.AutomationCondition:
    """All required parents of the date present, none running, their blocking checks passed, and
    the history of the day before ready.

    Optional parents (a source that may be disabled or have nothing for the date) neither block
    when missing nor when their checks fail, but their updates still re-request the child. History
    parents are judged on the day before (``HistoryReady``), and a newer history re-requests the
    date (``HistoryNewer``); their same-date partition plays no part.
    """
    _OPTIONAL_PARENTS[label] = frozenset(optional)
    _HISTORY_PARENTS[label] = frozenset(history)
    deps_missing = AC.any_deps_missing()
    checks_passed = AC.all_deps_blocking_checks_passed()
    deps_in_progress = AC.any_deps_in_progress()
    deps_updated = AC.any_deps_updated()
    if optional or history:
        not_required = dg.AssetSelection.assets(*optional, *history)
        deps_missing = deps_missing.ignore(not_required)
        checks_passed = checks_passed.ignore(not_required)
    trigger = AC.newly_missing() | deps_updated
    if history:
        same_date_history = dg.AssetSelection.assets(*history)
        deps_in_progress = deps_in_progress.ignore(same_date_history)
        # newly_true() evaluates its operand on every partition unless the operand narrows first.
        history_updated = (IN_RECENT_GAME_DATES & HistoryNewer(history)).newly_true()
        trigger = AC.newly_missing() | deps_updated.ignore(same_date_history) | history_updated
    condition = (
        IN_RECENT_GAME_DATES
        & trigger.since_last_handled()
        & ~deps_missing
        & ~deps_in_progress
        & checks_passed
        & ~AC.in_progress()
    )
    if history:
        condition = condition & HistoryReady(history)
    return condition.with_label(label)


# Phase 2: a raw table follows its scrape of the same date.
RAW_ON_SCRAPE = parents_landed("phase 2: scrape of the date archived")
# Player box scores also take DNP rows from the team box-score scrape, which is unreliable (legacy:
# "API returning 0 teams"): it must never hold the played rows back.
RAW_PLAYER_BOX_ON_SCRAPE = parents_landed(
    "phase 2: player game log archived (team box score optional)", optional=(keys.SCRAPED_TEAM_BOXSCORES,)
)

# Phase 3, completed games: team tables need the date's team box score or, when that source has
# nothing, reconstruct from player rows; lines only decorate player rows.
TEAM_SUMMARY_ON_RAW = parents_landed(
    "phase 3: raw box scores of the date landed (team box optional)", optional=(keys.RAW_TEAM_BOXSCORE,)
)
PLAYER_SUMMARY_ON_RAW = parents_landed(
    "phase 3: raw box scores and team offense of the date landed (lines optional)",
    optional=(keys.RAW_ODDS_PLAYER_PROPS,),
)
# Phase 3, upcoming games: the schedule and yesterday's completed-game history are required; lines,
# rosters, injuries and game lines are optional (a source may be off or have nothing yet, legacy
# incident 16), and each update of them refreshes the context.
UPCOMING_TEAM_ON_HISTORY = parents_landed(
    "phase 3: schedule and completed-game history landed (game lines, injuries optional)",
    optional=(keys.RAW_ODDS_GAME_LINES, keys.RAW_INJURY_REPORT),
    history=(keys.TEAM_OFFENSE, keys.TEAM_DEFENSE),
)
UPCOMING_PLAYER_ON_HISTORY = parents_landed(
    "phase 3: schedule and completed-game history landed (lines, rosters, injuries optional)",
    optional=(keys.RAW_ODDS_PLAYER_PROPS, keys.RAW_ROSTERS, keys.RAW_INJURY_REPORT, keys.RAW_ODDS_GAME_LINES),
    history=(keys.PLAYER_GAME_SUMMARY,),
)
# Every market's pre-tip lines follow the raw lines of the date.
PROP_LINES_ON_RAW = parents_landed("phase 3: raw prop lines of the date landed")

# Phase 4: every Phase 3 parent of the date (and yesterday's completed-game history) landed and
# passed its blocking checks; same-day line updates re-request the feature store.
PRECOMPUTE_ON_ANALYTICS = parents_landed(
    "phase 4: phase 3 parents of the date and yesterday's history landed",
    history=(keys.PLAYER_GAME_SUMMARY, keys.TEAM_OFFENSE, keys.TEAM_DEFENSE),
)
FEATURES_ON_PRECOMPUTE = parents_landed(
    "phase 4: precompute of the date landed (raw lines optional)",
    optional=(keys.RAW_ODDS_PLAYER_PROPS,),
    history=(keys.PLAYER_GAME_SUMMARY,),
)

# Phase 5: the model of date D needs yesterday's features and results landed (training history).
# The other markets' lines are optional: a lines source that is off never holds the points models back.
MODEL_ON_HISTORY = parents_landed(
    "phase 5: yesterday's features and results landed (training history; other markets' lines optional)",
    optional=(keys.PLAYER_PROP_LINES,),
    history=(keys.ML_FEATURE_STORE, keys.PLAYER_GAME_SUMMARY),
)
# The raw lines only let a system shop its bet across books: without them it bets the priority book.
PREDICTIONS_ON_FEATURES = parents_landed(
    "phase 5: feature store and model of the date landed (raw and other markets' lines optional)",
    optional=(keys.RAW_ODDS_PLAYER_PROPS, keys.PLAYER_PROP_LINES),
)
# Phase 6: exports follow their tables.
EXPORT_ON_TABLES = parents_landed("phase 6: tables behind the export landed")
# tonight of date D publishes by each system's record as it stood the day before (what was known
# before D's tip-offs), so yesterday's model performance is its history.
TONIGHT_ON_TABLES = parents_landed(
    "phase 6: tables behind tonight landed and yesterday's system records", history=(keys.MODEL_PERFORMANCE_DAILY,)
)
# Grading: results of date D landed (player game summary) and its predictions exist.
GRADING_ON_RESULTS = parents_landed("grading: predictions and completed-game results of the date landed")
# The closing lines only add closing-line value: a lines source that is off never holds grading back.
GRADING_ON_RESULTS_LINES_OPTIONAL = parents_landed(
    "grading: predictions and completed-game results of the date landed (closing lines optional)",
    optional=(keys.RAW_ODDS_PLAYER_PROPS,),
)
