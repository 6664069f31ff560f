"""Phase 1 schedules: the scrape jobs and when they run, shaped like the legacy scrape windows
(legacy-system.md 1.2), in ET, on the pipeline clock.

Built when the definitions are: the environment's schedule profile (a real day, or an accelerated
simulated one evaluated every real minute) decides the crons.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import dagster as dg
import pandas as pd
from croniter import croniter

from nba_pipeline.calendar import ET, ET_NAME, GameStatus, played_games
from nba_pipeline.endpoints import ENDPOINTS, SCRAPE_JOB_NAMES
from nba_pipeline.resources import Clock
from nba_pipeline.warehouse import tables as t
from nba_pipeline.warehouse.base import Warehouse


def _scrape_job(name: str) -> dg.UnresolvedAssetJobDefinition:
    """A Phase 1 job: every endpoint that names it (endpoints.py)."""
    return dg.define_asset_job(name, selection=[e.asset_key for e in ENDPOINTS if name in e.scrape_jobs])


SCRAPE_SCHEDULE_JOB, SCRAPE_RESULTS_JOB, SCRAPE_LINES_JOB, SCRAPE_ROSTERS_JOB, SCRAPE_INJURIES_JOB = SCRAPE_JOBS = (
    tuple(_scrape_job(name) for name in SCRAPE_JOB_NAMES)
)

SCHEDULE_CRON = ["15 6 * * *", "0 15,18,21 * * *"]  # morning operations; status refresh for matinees
RESULTS_CRON = ["0 22 * * *", "30 23 * * *", "0 1,2,4 * * *", "0 6 * * *"]  # post-game windows; recovery
RESULTS_RECOVERY_AT = (6, 0)  # the morning recovery scrapes last night whatever the warehouse says
ROSTERS_CRON = ["0 8 * * *", "0 17 * * *"]
LINES_CRON = "5 * * * *"  # evaluated hourly; fires every 2 hours inside the lines window
INJURIES_CRON = "45 8-20/2 * * *"  # the report is republished through the day
LINES_LEAD = dt.timedelta(hours=12)
LINES_EVERY_HOURS = 2
EVERY_MINUTE = "* * * * *"
WINDOW_TAG = "nba_pipeline/window"


def game_night(tick: dt.datetime) -> dt.date:
    """The game date a post-game window belongs to: a tick between midnight and noon ET scrapes last
    night's games (legacy incident 13: the 04:00 window is yesterday's, explicitly, in ET)."""
    tick = tick.astimezone(ET)
    return tick.date() - dt.timedelta(days=1) if tick.hour < 12 else tick.date()


def lines_decision(tick: dt.datetime, tips: list) -> tuple[bool, str]:
    """Scrape lines every 2 hours from 12 hours before the first tip-off until the last one."""
    tick = tick.astimezone(ET)
    if not tips:
        return True, "schedule of the date not loaded: scrape (fail-safe)"
    first = pd.Timestamp(tips[0]).to_pydatetime().astimezone(ET)
    last = pd.Timestamp(tips[-1]).to_pydatetime().astimezone(ET)
    window_start = (first - LINES_LEAD).replace(minute=0, second=0, microsecond=0)
    if tick < window_start:
        return False, f"lines window opens {window_start:%Y-%m-%d %H:%M} ET, 12 h before the first tip {first:%H:%M}"
    if tick > last:
        return False, f"last tip-off {last:%H:%M} ET has passed"
    if int((tick - window_start).total_seconds() // 3600) % LINES_EVERY_HOURS:
        return False, "between two 2-hourly scrapes"
    return True, f"lines window {window_start:%H:%M}-{last:%H:%M} ET"


def latest_fire(crons: str | list[str], now: dt.datetime) -> dt.datetime:
    """The latest instant at or before ``now`` at which one of the crons fires (ET)."""
    crons = [crons] if isinstance(crons, str) else crons
    just_after = now.astimezone(ET) + dt.timedelta(microseconds=1)
    return max(croniter(c, just_after).get_prev(dt.datetime) for c in crons).astimezone(ET)


def night_complete(warehouse: Warehouse, day: dt.date) -> bool:
    """The date's schedule is loaded, every game on it is final (or postponed) and every final game
    has player box-score rows."""
    sched = warehouse.read(t.NBAC_SCHEDULE, day, day)
    if sched.empty:
        return False
    sched = played_games(sched)
    if (sched["game_status"] != GameStatus.FINAL).any():
        return False
    covered = set(warehouse.read(t.NBAC_PLAYER_BOXSCORES, day, day)["game_id"])
    return set(sched["game_id"]) <= covered


def _tips(warehouse: Warehouse, day: dt.date) -> list:
    sched = played_games(warehouse.read(t.NBAC_SCHEDULE, day, day))
    return sorted(sched["tipoff_utc"].dropna()) if len(sched) else []


def _request(job: dg.UnresolvedAssetJobDefinition, day: dt.date, tick: dt.datetime, why: str) -> dg.RunRequest:
    window = f"{job.name}:{day.isoformat()}:{tick:%Y%m%dT%H%M}"
    return dg.RunRequest(
        run_key=window,
        partition_key=day.isoformat(),
        tags={"nba_pipeline/trigger": why, "nba_pipeline/tick_et": tick.isoformat(), WINDOW_TAG: window},
    )


def _once(context: dg.ScheduleEvaluationContext, result):
    """Drop requests for a scrape window that already has a run. Dagster de-duplicates a schedule's
    run keys only within one scheduled execution time; an evaluation that stands for an earlier
    window (the accelerated profile evaluates every minute) would otherwise scrape it again."""
    if isinstance(result, dg.SkipReason):
        return result
    requests = result if isinstance(result, list) else [result]
    fresh = [
        r
        for r in requests
        if context.instance_ref is None
        or not context.instance.get_run_ids(dg.RunsFilter(tags={WINDOW_TAG: r.tags[WINDOW_TAG]}), limit=1)
    ]
    return fresh or dg.SkipReason(f"already scraped: {', '.join(r.tags[WINDOW_TAG] for r in requests)}")


@dataclass(frozen=True)
class _Profile:
    """A real day, or an accelerated simulated one (``benchmarks/daemon_day.py``) evaluated every real
    minute against the pipeline clock; each window still runs once."""

    accelerated: bool

    def cron(self, crons):
        return EVERY_MINUTE if self.accelerated else crons

    def tick(self, context: dg.ScheduleEvaluationContext, clock: Clock, crons) -> dt.datetime:
        """The scrape window this evaluation stands for. On the wall clock, the cron tick itself. On
        a replayed clock (NBA_PIPELINE_NOW, frozen or accelerated) the latest window that clock has
        passed, never the wall-clock date."""
        if self.accelerated or clock.frozen_now:
            return latest_fire(crons, clock.now())
        return context.scheduled_execution_time.astimezone(ET)


def _refresh_schedule(tick: dt.datetime) -> list[dg.RunRequest]:
    game_dates = [tick.date()] + ([tick.date() + dt.timedelta(days=1)] if tick.hour >= 21 else [])
    return [_request(SCRAPE_SCHEDULE_JOB, d, tick, "schedule refresh") for d in game_dates]


def _post_game_results(tick: dt.datetime, warehouse: Warehouse):
    night = game_night(tick)
    # A night already complete in the warehouse is not scraped again before the morning recovery: an
    # identical re-scrape would still re-run every phase of the date downstream.
    if (tick.hour, tick.minute) != RESULTS_RECOVERY_AT and night_complete(warehouse, night):
        return dg.SkipReason(f"every game of {night} is final and in the box scores; next: the 06:00 recovery")
    return _request(SCRAPE_RESULTS_JOB, night, tick, "post-game window")


def _pre_game_lines(tick: dt.datetime, warehouse: Warehouse):
    tips = _tips(warehouse, tick.date())
    # The window of this hour or of the previous one (every 2 hours): a late or coarse tick still
    # scrapes the window it belongs to; a window already scraped is dropped by its run key.
    why = ""
    for candidate in (tick, tick - dt.timedelta(hours=1)):
        fire, why = lines_decision(candidate, tips)
        if fire and candidate.date() == tick.date():
            return _request(SCRAPE_LINES_JOB, candidate.date(), candidate, why)
    return dg.SkipReason(why)


def _schedule(profile: _Profile, name: str, crons, job, description: str, decide, reads_warehouse: bool):
    """A Phase 1 schedule: the window this tick stands for, the requests ``decide`` makes for it, each
    window once."""
    options = dict(
        name=name,
        cron_schedule=profile.cron(crons),
        job=job,
        execution_timezone=ET_NAME,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description=description,
    )
    if reads_warehouse:

        @dg.schedule(**options)
        def _with_warehouse(context: dg.ScheduleEvaluationContext, clock: Clock, warehouse: Warehouse):
            return _once(context, decide(profile.tick(context, clock, crons), warehouse))

        return _with_warehouse

    @dg.schedule(**options)
    def _on_the_clock(context: dg.ScheduleEvaluationContext, clock: Clock):
        return _once(context, decide(profile.tick(context, clock, crons)))

    return _on_the_clock


def build_schedules(accelerated: bool = False) -> tuple[dg.ScheduleDefinition, ...]:
    """The five Phase 1 schedules, in ET on the pipeline clock."""
    p = _Profile(accelerated)
    return (
        _schedule(
            p,
            "schedule_refresh",
            SCHEDULE_CRON,
            SCRAPE_SCHEDULE_JOB,
            "Today's schedule each morning and through the afternoon (status refresh for matinees); the "
            "21:00 run also loads tomorrow's, so tomorrow's first tip is known before its lines window opens.",
            _refresh_schedule,
            reads_warehouse=False,
        ),
        _schedule(
            p,
            "results_post_game",
            RESULTS_CRON,
            SCRAPE_RESULTS_JOB,
            "Schedule and box scores of the game night after the games: 22:00 and 23:30 for tonight; 01:00, "
            "02:00, 04:00 and the 06:00 morning recovery for last night. A window other than the recovery "
            "is skipped once the night is complete.",
            _post_game_results,
            reads_warehouse=True,
        ),
        _schedule(
            p,
            "rosters_daily",
            ROSTERS_CRON,
            SCRAPE_ROSTERS_JOB,
            "Rosters of the teams playing today, morning and afternoon.",
            lambda tick: _request(SCRAPE_ROSTERS_JOB, tick.date(), tick, "morning operations"),
            reads_warehouse=False,
        ),
        _schedule(
            p,
            "lines_pre_game",
            LINES_CRON,
            SCRAPE_LINES_JOB,
            "Player-points and game lines every 2 hours from 12 hours before the first tip-off until the "
            "last one (legacy incident 5: a 6-hour window lost 7 games of lines).",
            _pre_game_lines,
            reads_warehouse=True,
        ),
        _schedule(
            p,
            "injury_report_discovery",
            INJURIES_CRON,
            SCRAPE_INJURIES_JOB,
            "Today's injury report every 2 hours from 08:45 to 20:45 ET.",
            lambda tick: _request(SCRAPE_INJURIES_JOB, tick.date(), tick, "injury report hours"),
            reads_warehouse=False,
        ),
    )
