"""Named automation conditions: when each phase of a game date is requested.

Every condition from Phase 2 on says the same thing with different optional parents: request game
date D once all required parents for D (and the history D declares) are materialized and their
blocking checks passed; not while a parent or the asset itself is in progress; once per parent
update. Dates covered: the last three partitions (yesterday, today, tomorrow in ET; the partition set
ends tomorrow), because yesterday's results land after midnight. Older dates are backfills.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import dagster as dg
import pandas as pd

from nba_pipeline import keys
from nba_pipeline.automation_terms import HistoryNewer, HistoryReady, InRecentGameDates
from nba_pipeline.environment import current as current_environment
from nba_pipeline.resources import Clock
from nba_pipeline.warehouse.base import Warehouse

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


def parents_landed(label: str, optional: tuple[dg.AssetKey, ...] = (),
                   history: tuple[dg.AssetKey, ...] = ()) -> dg.AutomationCondition:
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
    history=(keys.TEAM_OFFENSE, keys.TEAM_DEFENSE),
)
UPCOMING_PLAYER_ON_HISTORY = parents_landed(
    "phase 3: schedule and completed-game history landed (lines, rosters, injuries optional)",
    optional=(keys.RAW_ODDS_PLAYER_POINTS, keys.RAW_ROSTERS, keys.RAW_INJURY_REPORT, keys.RAW_ODDS_GAME_LINES),
    history=(keys.PLAYER_GAME_SUMMARY,),
)

# Phase 4: every Phase 3 parent of the date (and yesterday's completed-game history) landed and
# passed its blocking checks; same-day line updates re-request the feature store.
PRECOMPUTE_ON_ANALYTICS = parents_landed("phase 4: phase 3 parents of the date and yesterday's history landed",
                                         history=(keys.PLAYER_GAME_SUMMARY, keys.TEAM_OFFENSE, keys.TEAM_DEFENSE))
FEATURES_ON_PRECOMPUTE = parents_landed(
    "phase 4: precompute of the date landed (raw lines optional)",
    optional=(keys.RAW_ODDS_PLAYER_POINTS,),
    history=(keys.PLAYER_GAME_SUMMARY,),
)

# Phase 5: the model of date D needs yesterday's features and results landed (training history).
MODEL_ON_HISTORY = parents_landed("phase 5: yesterday's features and results landed (training history)",
                                  history=(keys.ML_FEATURE_STORE, keys.PLAYER_GAME_SUMMARY))
PREDICTIONS_ON_FEATURES = parents_landed("phase 5: feature store and model of the date landed")
# Phase 6: exports follow their tables.
EXPORT_ON_TABLES = parents_landed("phase 6: tables behind the export landed")
# Grading: results of date D landed (player game summary) and its predictions exist.
GRADING_ON_RESULTS = parents_landed("grading: predictions and completed-game results of the date landed")


# --- Phase 1 schedules ----------------------------------------------------------------------------
# Cron in ET (execution_timezone), shaped like the legacy scrape windows (legacy-system.md 1.2).

ET_TZ = "America/New_York"
_ET = ZoneInfo(ET_TZ)

SCRAPE_SCHEDULE_JOB = dg.define_asset_job("scrape_schedule", selection=[keys.SCRAPED_SCHEDULE])
SCRAPE_RESULTS_JOB = dg.define_asset_job(
    "scrape_results",
    selection=[keys.SCRAPED_SCHEDULE, keys.SCRAPED_PLAYER_BOXSCORES, keys.SCRAPED_TEAM_BOXSCORES],
)
SCRAPE_LINES_JOB = dg.define_asset_job(
    "scrape_lines", selection=[keys.SCRAPED_ODDS_PLAYER_PROPS, keys.SCRAPED_ODDS_GAME_LINES]
)
SCRAPE_ROSTERS_JOB = dg.define_asset_job("scrape_rosters", selection=[keys.SCRAPED_ROSTERS])
SCRAPE_INJURIES_JOB = dg.define_asset_job("scrape_injuries", selection=[keys.SCRAPED_INJURY_REPORT])
SCRAPE_JOBS = (SCRAPE_SCHEDULE_JOB, SCRAPE_RESULTS_JOB, SCRAPE_LINES_JOB, SCRAPE_ROSTERS_JOB, SCRAPE_INJURIES_JOB)

SCHEDULE_CRON = ["15 6 * * *", "0 15,18,21 * * *"]  # morning operations; status refresh for matinees
RESULTS_CRON = ["0 22 * * *", "30 23 * * *", "0 1,2,4 * * *", "0 6 * * *"]  # post-game windows; recovery
RESULTS_RECOVERY_AT = (6, 0)  # the morning recovery scrapes last night whatever the warehouse says
ROSTERS_CRON = ["0 8 * * *", "0 17 * * *"]
LINES_CRON = "5 * * * *"  # evaluated hourly; fires every 2 hours inside the lines window
INJURIES_CRON = "45 8-20/2 * * *"  # the report is republished through the day
LINES_LEAD = dt.timedelta(hours=12)
LINES_EVERY_HOURS = 2


def game_night(tick: dt.datetime) -> dt.date:
    """The game date a post-game window belongs to: a tick between midnight and noon ET scrapes last
    night's games (legacy incident 13: the 04:00 window is yesterday's, explicitly, in ET)."""
    tick = tick.astimezone(_ET)
    return tick.date() - dt.timedelta(days=1) if tick.hour < 12 else tick.date()


def lines_decision(tick: dt.datetime, tips: list) -> tuple[bool, str]:
    """Scrape lines every 2 hours from 12 hours before the first tip-off until the last one."""
    tick = tick.astimezone(_ET)
    if not tips:
        return True, "schedule of the date not loaded: scrape (fail-safe)"
    first = pd.Timestamp(tips[0]).to_pydatetime().astimezone(_ET)
    last = pd.Timestamp(tips[-1]).to_pydatetime().astimezone(_ET)
    window_start = (first - LINES_LEAD).replace(minute=0, second=0, microsecond=0)
    if tick < window_start:
        return False, f"lines window opens {window_start:%Y-%m-%d %H:%M} ET, 12 h before the first tip {first:%H:%M}"
    if tick > last:
        return False, f"last tip-off {last:%H:%M} ET has passed"
    if int((tick - window_start).total_seconds() // 3600) % LINES_EVERY_HOURS:
        return False, "between two 2-hourly scrapes"
    return True, f"lines window {window_start:%H:%M}-{last:%H:%M} ET"


ACCELERATED = current_environment().accelerated_schedules
EVERY_MINUTE = "* * * * *"


def latest_fire(crons: str | list[str], now: dt.datetime) -> dt.datetime:
    """The latest instant at or before ``now`` at which one of the crons fires (ET)."""
    from dagster._utils.schedules import reverse_cron_string_iterator

    crons = [crons] if isinstance(crons, str) else crons
    stamp = now.timestamp() + 1e-6
    return max(next(reverse_cron_string_iterator(stamp, c, ET_TZ)) for c in crons).astimezone(_ET)


def _tick(context: dg.ScheduleEvaluationContext, clock: Clock, crons) -> dt.datetime:
    """The scrape window this evaluation stands for. On the wall clock, the cron tick itself. On a
    replayed clock (NBA_PIPELINE_NOW, frozen or accelerated) the latest window that clock has
    passed, never the wall-clock date: the accelerated profile evaluates every real minute, and
    `_once` makes each window run once."""
    if ACCELERATED or clock.frozen_now:
        return latest_fire(crons, clock.now())
    return context.scheduled_execution_time.astimezone(_ET)


def _cron(crons):
    return EVERY_MINUTE if ACCELERATED else crons


WINDOW_TAG = "nba_pipeline/window"


def _request(job: dg.UnresolvedAssetJobDefinition, day: dt.date, tick: dt.datetime, why: str) -> dg.RunRequest:
    window = f"{job.name}:{day.isoformat()}:{tick:%Y%m%dT%H%M}"
    return dg.RunRequest(run_key=window, partition_key=day.isoformat(),
                         tags={"nba_pipeline/trigger": why, "nba_pipeline/tick_et": tick.isoformat(), WINDOW_TAG: window})


def _once(context: dg.ScheduleEvaluationContext, result):
    """Drop requests for a scrape window that already has a run. Dagster de-duplicates a schedule's
    run keys only within one scheduled execution time; an evaluation that stands for an earlier
    window (the accelerated profile evaluates every minute) would otherwise scrape it again."""
    if isinstance(result, dg.SkipReason):
        return result
    requests = result if isinstance(result, list) else [result]
    fresh = [r for r in requests if context.instance_ref is None or not context.instance.get_run_ids(
        dg.RunsFilter(tags={WINDOW_TAG: r.tags[WINDOW_TAG]}), limit=1)]
    return fresh or dg.SkipReason(f"already scraped: {', '.join(r.tags[WINDOW_TAG] for r in requests)}")


def _tips(warehouse, day: dt.date) -> list:
    from nba_pipeline.warehouse import tables as t

    sched = warehouse.read(t.NBAC_SCHEDULE, day, day)
    sched = sched[~sched["is_postponed"].fillna(False).astype(bool)]
    return sorted(sched["tipoff_utc"].dropna()) if len(sched) else []


@dg.schedule(name="schedule_refresh", cron_schedule=_cron(SCHEDULE_CRON), job=SCRAPE_SCHEDULE_JOB,
             execution_timezone=ET_TZ, default_status=dg.DefaultScheduleStatus.RUNNING,
             description="Today's schedule each morning and through the afternoon (status refresh for "
                         "matinees); the 21:00 run also loads tomorrow's, so tomorrow's first tip is known "
                         "before its lines window opens.")
def schedule_refresh(context: dg.ScheduleEvaluationContext, clock: Clock):
    tick = _tick(context, clock, SCHEDULE_CRON)
    days = [tick.date()] + ([tick.date() + dt.timedelta(days=1)] if tick.hour >= 21 else [])
    return _once(context, [_request(SCRAPE_SCHEDULE_JOB, d, tick, "schedule refresh") for d in days])


@dg.schedule(name="results_post_game", cron_schedule=_cron(RESULTS_CRON), job=SCRAPE_RESULTS_JOB,
             execution_timezone=ET_TZ, default_status=dg.DefaultScheduleStatus.RUNNING,
             description="Schedule and box scores of the game night after the games: 22:00 and 23:30 for "
                         "tonight; 01:00, 02:00, 04:00 and the 06:00 morning recovery for last night. A "
                         "window other than the recovery is skipped once the night is complete.")
def results_post_game(context: dg.ScheduleEvaluationContext, clock: Clock, warehouse: Warehouse):
    tick = _tick(context, clock, RESULTS_CRON)
    night = game_night(tick)
    # A night already complete in the warehouse is not scraped again before the morning recovery: an
    # identical re-scrape would still re-run every phase of the date downstream.
    if (tick.hour, tick.minute) != RESULTS_RECOVERY_AT and night_complete(warehouse, night):
        return dg.SkipReason(f"every game of {night} is final and in the box scores; next: the 06:00 recovery")
    return _once(context, _request(SCRAPE_RESULTS_JOB, night, tick, "post-game window"))


def night_complete(warehouse: Warehouse, day: dt.date) -> bool:
    """The date's schedule is loaded, every game on it is final (or postponed) and every final game
    has player box-score rows."""
    from nba_pipeline.warehouse import tables as t

    sched = warehouse.read(t.NBAC_SCHEDULE, day, day)
    if sched.empty:
        return False
    sched = sched[~sched["is_postponed"].fillna(False).astype(bool)]
    if (sched["game_status"] != 3).any():
        return False
    covered = set(warehouse.read(t.NBAC_PLAYER_BOXSCORES, day, day)["game_id"])
    return set(sched["game_id"]) <= covered


@dg.schedule(name="rosters_daily", cron_schedule=_cron(ROSTERS_CRON), job=SCRAPE_ROSTERS_JOB, execution_timezone=ET_TZ,
             default_status=dg.DefaultScheduleStatus.RUNNING,
             description="Rosters of the teams playing today, morning and afternoon.")
def rosters_daily(context: dg.ScheduleEvaluationContext, clock: Clock):
    tick = _tick(context, clock, ROSTERS_CRON)
    return _once(context, _request(SCRAPE_ROSTERS_JOB, tick.date(), tick, "morning operations"))


@dg.schedule(name="lines_pre_game", cron_schedule=_cron(LINES_CRON), job=SCRAPE_LINES_JOB, execution_timezone=ET_TZ,
             default_status=dg.DefaultScheduleStatus.RUNNING,
             description="Player-points and game lines every 2 hours from 12 hours before the first tip-off "
                         "until the last one (legacy incident 5: a 6-hour window lost 7 games of lines).")
def lines_pre_game(context: dg.ScheduleEvaluationContext, clock: Clock, warehouse: Warehouse):
    tick = _tick(context, clock, LINES_CRON)
    tips = _tips(warehouse, tick.date())
    # The window of this hour or of the previous one (every 2 hours): a late or coarse tick still
    # scrapes the window it belongs to; a window already scraped is dropped by its run key.
    why = ""
    for candidate in (tick, tick - dt.timedelta(hours=1)):
        fire, why = lines_decision(candidate, tips)
        if fire and candidate.date() == tick.date():
            return _once(context, _request(SCRAPE_LINES_JOB, candidate.date(), candidate, why))
    return dg.SkipReason(why)


@dg.schedule(name="injury_report_discovery", cron_schedule=_cron(INJURIES_CRON), job=SCRAPE_INJURIES_JOB,
             execution_timezone=ET_TZ, default_status=dg.DefaultScheduleStatus.RUNNING,
             description="Today's injury report every 2 hours from 08:45 to 20:45 ET.")
def injury_report_discovery(context: dg.ScheduleEvaluationContext, clock: Clock):
    tick = _tick(context, clock, INJURIES_CRON)
    return _once(context, _request(SCRAPE_INJURIES_JOB, tick.date(), tick, "injury report hours"))


SCHEDULES = (schedule_refresh, results_post_game, rosters_daily, lines_pre_game, injury_report_discovery)


# --- Automation sensors ---------------------------------------------------------------------------
# Our own sensors, split by phase so one slow evaluation cannot delay another, and RUNNING from the
# start (Dagster's default automation sensor starts stopped). Phase 1 has no conditions: schedules.

# In the accelerated profile a real second is minutes of simulated time, so the sensors tick faster
# to keep a phase's wait in simulated minutes comparable to a real day's.
AUTOMATION_SENSOR_INTERVAL_SECONDS = 10 if ACCELERATED else 30


def _phase_sensor(name: str, group: str) -> dg.AutomationConditionSensorDefinition:
    # Evaluated in the code location: the pipeline clock and the history terms are our own
    # conditions, which the daemon-side evaluation would silently never fire.
    return dg.AutomationConditionSensorDefinition(
        name, target=dg.AssetSelection.groups(group), default_status=dg.DefaultSensorStatus.RUNNING,
        minimum_interval_seconds=AUTOMATION_SENSOR_INTERVAL_SECONDS, use_user_code_server=True,
        description=f"Evaluates the automation conditions of {group}.",
    )


AUTOMATION_SENSORS = (
    _phase_sensor("automation_phase2_raw", keys.PHASE2),
    _phase_sensor("automation_phase3_analytics", keys.PHASE3),
    _phase_sensor("automation_phase4_precompute", keys.PHASE4),
    _phase_sensor("automation_phase5_predictions", keys.PHASE5),
    _phase_sensor("automation_phase6_publishing", keys.PHASE6),
    _phase_sensor("automation_grading", keys.GRADING),
)


# --- Deadlines and freshness ------------------------------------------------------------------------
# When the partition of game date D must have landed, in ET: tonight's predictions by early afternoon,
# last night's results by the next morning. Freshness policies, the partition-aware on-time checks,
# self-heal and `nba-pipeline status` all read this one table.

@dataclass(frozen=True)
class Deadline:
    days_after: int  # 0: due on the game date itself; 1: the next morning
    at: dt.time

    def due(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day + dt.timedelta(days=self.days_after), self.at, tzinfo=_ET)

    def cron(self) -> str:
        return f"{self.at.minute} {self.at.hour} * * *"


_MORNING_AFTER = Deadline(1, dt.time(7, 0))
DEADLINES: dict[dg.AssetKey, Deadline] = {
    keys.RAW_SCHEDULE: Deadline(0, dt.time(9, 0)),
    keys.RAW_ROSTERS: Deadline(0, dt.time(10, 0)),
    keys.RAW_ODDS_PLAYER_POINTS: Deadline(0, dt.time(12, 0)),
    keys.RAW_ODDS_GAME_LINES: Deadline(0, dt.time(12, 0)),
    keys.RAW_INJURY_REPORT: Deadline(0, dt.time(14, 0)),
    keys.RAW_PLAYER_BOXSCORES: Deadline(1, dt.time(6, 30)),
    keys.RAW_TEAM_BOXSCORE: Deadline(1, dt.time(6, 30)),
    keys.TEAM_OFFENSE: _MORNING_AFTER,
    keys.TEAM_DEFENSE: _MORNING_AFTER,
    keys.PLAYER_GAME_SUMMARY: _MORNING_AFTER,
    keys.UPCOMING_TEAM_CONTEXT: Deadline(0, dt.time(12, 0)),
    keys.UPCOMING_PLAYER_CONTEXT: Deadline(0, dt.time(12, 0)),
    keys.TEAM_DEFENSE_ZONE: Deadline(0, dt.time(12, 30)),
    keys.PLAYER_SHOT_ZONE: Deadline(0, dt.time(12, 30)),
    keys.PLAYER_DAILY_CACHE: Deadline(0, dt.time(12, 30)),
    keys.PLAYER_COMPOSITE_FACTORS: Deadline(0, dt.time(12, 30)),
    keys.ML_FEATURE_STORE: Deadline(0, dt.time(12, 30)),
    keys.POINTS_MODEL: Deadline(0, dt.time(12, 30)),
    keys.PLAYER_PROP_PREDICTIONS: Deadline(0, dt.time(13, 0)),
    keys.EXPORT_TONIGHT: Deadline(0, dt.time(13, 30)),
    keys.EXPORT_PREDICTIONS: Deadline(0, dt.time(13, 30)),
    keys.PREDICTION_ACCURACY: Deadline(1, dt.time(8, 0)),
    keys.MODEL_PERFORMANCE_DAILY: Deadline(1, dt.time(8, 30)),
    keys.EXPORT_RESULTS: Deadline(1, dt.time(9, 0)),
}


def freshness_policy(key: dg.AssetKey) -> dg.FreshnessPolicy:
    """Asset-level freshness: materialized within the 24 hours before each daily deadline. Not
    partition-aware (a backfill of an old date also counts), hence the on-time checks below."""
    return dg.FreshnessPolicy.cron(deadline_cron=DEADLINES[key].cron(), lower_bound_delta=dt.timedelta(hours=24),
                                   timezone=ET_TZ)


def attach_freshness(spec: dg.AssetSpec) -> dg.AssetSpec:
    if spec.key not in DEADLINES:
        return spec
    return dg.apply_freshness_policy(spec, freshness_policy(spec.key), overwrite_existing=True)


def latest_due_date(key: dg.AssetKey, now: dt.datetime) -> dt.date | None:
    """The most recent game date whose partition of ``key`` is past its deadline."""
    deadline = DEADLINES[key]
    today = now.astimezone(_ET).date()
    for back in range(0, 4):
        day = today - dt.timedelta(days=back)
        if deadline.due(day) <= now:
            return day
    return None
