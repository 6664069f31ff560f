"""Declarative automation of the graph, evaluated in-process with dagster.evaluate_automation_conditions."""

import datetime as dt

import dagster as dg
import pytest
from dagster._core.event_api import PartitionKeyFilter

from nba_pipeline import automation, keys
from nba_pipeline.automation.schedules import SCRAPE_ROSTERS_JOB, build_schedules
from nba_pipeline_tests.automation_helpers import ET, Automation, land

TODAY = dt.date(2026, 11, 22)
YESTERDAY = TODAY - dt.timedelta(days=1)
NOW = dt.datetime(2026, 11, 22, 10, 0, tzinfo=ET)

PHASE3_FOR_PSZA = [keys.UPCOMING_PLAYER_CONTEXT]
SCHEDULE = {s.name: s for s in build_schedules()}


def defs_graph():
    from nba_pipeline.definitions import defs

    return defs.resolve_asset_graph()


def _tick_requests(auto: Automation, key: dg.AssetKey) -> set[str]:
    return set(auto.tick().get_requested_partitions(key))


@pytest.fixture
def auto():
    a = Automation(dg.DagsterInstance.ephemeral(), NOW)
    a.tick()  # the sensor has been running: later ticks see what changed since
    return a


def test_phase_4_waits_for_every_phase_3_parent_then_runs_once(auto):
    """Phase 4 (player shot zones of today) needs today's upcoming player context and yesterday's
    player game summary. Before both land: nothing. After: requested once. A parent update: again."""
    inst = auto.instance
    assert not _tick_requests(auto, keys.PLAYER_SHOT_ZONE)
    land(inst, keys.UPCOMING_PLAYER_CONTEXT, TODAY)
    assert TODAY.isoformat() not in _tick_requests(auto, keys.PLAYER_SHOT_ZONE)  # yesterday's results missing
    land(inst, keys.PLAYER_GAME_SUMMARY, YESTERDAY)
    assert TODAY.isoformat() in _tick_requests(auto, keys.PLAYER_SHOT_ZONE)
    assert TODAY.isoformat() not in _tick_requests(auto, keys.PLAYER_SHOT_ZONE)  # not twice for one update
    land(inst, keys.UPCOMING_PLAYER_CONTEXT, TODAY)  # e.g. new lines landed
    assert TODAY.isoformat() in _tick_requests(auto, keys.PLAYER_SHOT_ZONE)


def test_a_failed_blocking_check_holds_the_child_until_it_passes(auto):
    inst = auto.instance
    land(inst, keys.UPCOMING_PLAYER_CONTEXT, TODAY)
    land(inst, keys.PLAYER_GAME_SUMMARY, YESTERDAY, failing_checks=("final_games_covered",))
    assert TODAY.isoformat() not in _tick_requests(auto, keys.PLAYER_SHOT_ZONE)
    land(inst, keys.PLAYER_GAME_SUMMARY, YESTERDAY)  # the late game arrived; the check passes
    assert TODAY.isoformat() in _tick_requests(auto, keys.PLAYER_SHOT_ZONE)


def test_player_summary_never_without_a_healthy_team_offense_of_the_same_date(auto):
    """Legacy incident 12: player game summary ran 92 minutes before team offense (usage 1228%).
    Here it is requested together with team offense (one run, team offense first) or after it, never
    while team offense is missing or blocked."""
    inst = auto.instance
    day = YESTERDAY.isoformat()
    land(inst, keys.RAW_PLAYER_BOXSCORES, YESTERDAY)
    land(inst, keys.RAW_SCHEDULE, YESTERDAY)
    tick = auto.tick()
    assert day in tick.get_requested_partitions(keys.TEAM_OFFENSE)
    assert day in tick.get_requested_partitions(keys.PLAYER_GAME_SUMMARY)  # same run, ordered by the dependency
    assert keys.TEAM_OFFENSE in defs_graph().get(keys.PLAYER_GAME_SUMMARY).parent_keys
    # Team offense lands with a failing blocking check: the summary is not requested again.
    land(inst, keys.TEAM_OFFENSE, YESTERDAY, failing_checks=("final_games_covered",))
    land(inst, keys.RAW_PLAYER_BOXSCORES, YESTERDAY)
    assert day not in _tick_requests(auto, keys.PLAYER_GAME_SUMMARY)
    land(inst, keys.TEAM_OFFENSE, YESTERDAY)
    assert day in _tick_requests(auto, keys.PLAYER_GAME_SUMMARY)


def test_optional_sources_never_block_the_upcoming_context(auto):
    """Legacy incident 16: a disabled source blocked Phase 3 for days. Rosters, injuries, lines and game
    lines are optional parents of the upcoming context: with none of them, both tables are requested."""
    inst = auto.instance
    land(inst, keys.RAW_SCHEDULE, TODAY)
    land(inst, keys.TEAM_OFFENSE, YESTERDAY)
    land(inst, keys.TEAM_DEFENSE, YESTERDAY)
    land(inst, keys.PLAYER_GAME_SUMMARY, YESTERDAY)
    tick = auto.tick()
    assert TODAY.isoformat() in tick.get_requested_partitions(keys.UPCOMING_TEAM_CONTEXT)
    assert TODAY.isoformat() in tick.get_requested_partitions(keys.UPCOMING_PLAYER_CONTEXT)


def test_recent_dates_not_only_the_latest_partition_and_no_old_backfill_dates(auto):
    """Yesterday's results land after midnight: automation covers yesterday, today and tomorrow."""
    inst = auto.instance
    old = TODAY - dt.timedelta(days=10)
    for day in (YESTERDAY, old):
        land(inst, keys.SCRAPED_PLAYER_BOXSCORES, day)
        land(inst, keys.SCRAPED_TEAM_BOXSCORES, day)
        land(inst, keys.RAW_SCHEDULE, day)
    requested = _tick_requests(auto, keys.RAW_PLAYER_BOXSCORES)
    assert YESTERDAY.isoformat() in requested and old.isoformat() not in requested


def test_scrape_windows_cross_midnight_in_et():
    """Legacy incident 13: the 04:00 post-game window belongs to last night's games."""
    assert automation.game_night(dt.datetime(2026, 11, 23, 4, 0, tzinfo=ET)) == TODAY
    assert automation.game_night(dt.datetime(2026, 11, 22, 23, 30, tzinfo=ET)) == TODAY
    # 04:00 ET is 09:00 UTC: the date is resolved in ET, not UTC.
    assert automation.game_night(dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)) == TODAY


def test_lines_start_twelve_hours_before_the_first_tip():
    """Legacy incident 5: a 6-hour window lost seven games of lines."""
    import pandas as pd

    tips = [pd.Timestamp("2026-11-22T19:00", tz=ET), pd.Timestamp("2026-11-22T22:30", tz=ET)]
    at = lambda h, m=5: dt.datetime(2026, 11, 22, h, m, tzinfo=ET)  # noqa: E731
    assert not automation.lines_decision(at(6), tips)[0]
    assert automation.lines_decision(at(7), tips)[0]  # 11 h 55 min before the first tip
    assert not automation.lines_decision(at(8), tips)[0] and automation.lines_decision(at(9), tips)[0]
    assert not automation.lines_decision(at(23), tips)[0]  # after the last tip
    assert automation.lines_decision(at(3), [])[0]  # schedule unknown: scrape anyway


def test_schedules_request_the_right_game_date_in_et(tmp_path):
    from nba_pipeline.definitions import defs
    from nba_pipeline.resources import Clock
    from nba_pipeline.warehouse.duckdb import DuckDBWarehouse

    res = {"clock": Clock(), "warehouse": DuckDBWarehouse(database=str(tmp_path / "w.duckdb"))}
    repo = defs.get_repository_def()

    def run(schedule, when):
        ctx = dg.build_schedule_context(scheduled_execution_time=when, resources=res, repository_def=repo)
        out = schedule.evaluate_tick(ctx)
        return [r.partition_key for r in out.run_requests or []], out.skip_message

    at = lambda day, h, m=0: dt.datetime.combine(day, dt.time(h, m), tzinfo=ET)  # noqa: E731
    assert run(SCHEDULE["results_post_game"], at(TODAY + dt.timedelta(days=1), 4))[0] == [TODAY.isoformat()]
    assert run(SCHEDULE["results_post_game"], at(TODAY, 23, 30))[0] == [TODAY.isoformat()]
    assert run(SCHEDULE["schedule_refresh"], at(TODAY, 21))[0] == [
        TODAY.isoformat(),
        (TODAY + dt.timedelta(days=1)).isoformat(),
    ]
    assert run(SCHEDULE["schedule_refresh"], at(TODAY, 6, 15))[0] == [TODAY.isoformat()]
    # Lines with no schedule loaded yet: scrape (fail-safe) rather than miss the window.
    assert run(SCHEDULE["lines_pre_game"], at(TODAY, 7, 5))[0] == [TODAY.isoformat()]
    # Every schedule starts running with the deployment (legacy incident 32: 94 jobs silently deleted).
    assert all(s.default_status == dg.DefaultScheduleStatus.RUNNING for s in defs.schedules)
    assert all(s.default_status == dg.DefaultSensorStatus.RUNNING for s in defs.sensors)


def test_after_a_range_backfill_automation_sees_each_dates_checks(tmp_path):
    """A backfill computes a range in one run, whose check results Dagster records once for the
    range. The runner fans them out per date, so the next day's automation is not held back by
    "checks not passed" on history that is in fact fine."""
    from nba_pipeline.sources.simulated import SimulatedSource
    from nba_pipeline_tests.conftest import SIM_SEED, make_pipeline

    night = dt.date(2024, 11, 6)
    p = make_pipeline(tmp_path, SimulatedSource(seed=SIM_SEED), "2024-11-07T10:00:00-05:00")
    p.run([keys.PHASE1, keys.PHASE2, keys.PHASE3], night - dt.timedelta(days=2), night)
    from nba_pipeline.observe import partition_state
    from nba_pipeline_tests.automation_helpers import CHECKS

    for day in (night - dt.timedelta(days=1), night):
        st = partition_state(p.instance, keys.PLAYER_GAME_SUMMARY, day.isoformat(), CHECKS[keys.PLAYER_GAME_SUMMARY])
        assert st.healthy and "final_games_covered" in st.passed_checks
        rec = p.instance.event_log_storage.get_latest_asset_check_execution_by_key(
            [dg.AssetCheckKey(keys.PLAYER_GAME_SUMMARY, "final_games_covered")],
            partition_filter=PartitionKeyFilter(key=day.isoformat()),
        )
        assert next(iter(rec.values())).status.value == "SUCCEEDED"
    auto = Automation(p.instance, dt.datetime(2024, 11, 7, 10, 0, tzinfo=ET))
    auto.tick()
    land(p.instance, keys.UPCOMING_PLAYER_CONTEXT, night + dt.timedelta(days=1))
    assert (night + dt.timedelta(days=1)).isoformat() in _tick_requests(auto, keys.PLAYER_SHOT_ZONE)


def test_post_game_windows_skip_a_complete_night_but_the_morning_recovery_always_scrapes(tmp_path):
    """An identical re-scrape of a finished night re-runs every phase of the date downstream, so the
    later windows skip once every game is final and in the box scores; the 06:00 recovery still runs,
    and a night with a game still on (or not yet in the box scores) is scraped again."""
    import pandas as pd

    from nba_pipeline.definitions import defs
    from nba_pipeline.resources import Clock
    from nba_pipeline.warehouse import tables as t
    from nba_pipeline.warehouse.duckdb import DuckDBWarehouse

    wh = DuckDBWarehouse(database=str(tmp_path / "w.duckdb"))
    res = {"clock": Clock(), "warehouse": wh}
    repo = defs.get_repository_def()
    at = lambda day, h, m=0: dt.datetime.combine(day, dt.time(h, m), tzinfo=ET)  # noqa: E731
    tomorrow = TODAY + dt.timedelta(days=1)

    def run(when):
        ctx = dg.build_schedule_context(scheduled_execution_time=when, resources=res, repository_def=repo)
        out = SCHEDULE["results_post_game"].evaluate_tick(ctx)
        return [r.partition_key for r in out.run_requests or []]

    def land(statuses: list[int], boxed: list[str]):
        sched = pd.DataFrame(
            {
                "game_date": [TODAY] * len(statuses),
                "game_id": [f"g{i}" for i in range(len(statuses))],
                "game_status": statuses,
                "is_postponed": [False] * len(statuses),
            }
        )
        box = pd.DataFrame({"game_date": [TODAY] * len(boxed), "game_id": boxed, "player_id": range(len(boxed))})
        wh.replace_dates(t.NBAC_SCHEDULE, sched.reindex(columns=t.NBAC_SCHEDULE.columns), TODAY, TODAY)
        wh.replace_dates(t.NBAC_PLAYER_BOXSCORES, box.reindex(columns=t.NBAC_PLAYER_BOXSCORES.columns), TODAY, TODAY)

    land([3, 2], ["g0"])  # one game still on
    assert run(at(TODAY, 23, 30)) == [TODAY.isoformat()]
    land([3, 3], ["g0"])  # final, but its box score has not landed
    assert run(at(tomorrow, 1)) == [TODAY.isoformat()]
    land([3, 3], ["g0", "g1"])  # complete
    assert run(at(tomorrow, 2)) == [] and run(at(tomorrow, 4)) == []
    assert run(at(tomorrow, 6)) == [TODAY.isoformat()]


def test_a_scrape_window_runs_once_even_when_evaluated_again_later(tmp_path):
    """Dagster de-duplicates a schedule's run keys only within one scheduled execution time; an
    evaluation that stands for a window already scraped (the accelerated profile evaluates every
    minute, a daemon catching up after downtime evaluates late) must not scrape it again."""
    from nba_pipeline.definitions import defs
    from nba_pipeline.resources import Clock
    from nba_pipeline.warehouse.duckdb import DuckDBWarehouse

    instance = dg.DagsterInstance.local_temp(str(tmp_path))
    res = {"clock": Clock(), "warehouse": DuckDBWarehouse(database=str(tmp_path / "w.duckdb"))}
    when = dt.datetime.combine(TODAY, dt.time(8, 0), tzinfo=ET)

    def tick():
        ctx = dg.build_schedule_context(
            instance=instance, scheduled_execution_time=when, resources=res, repository_def=defs.get_repository_def()
        )
        return SCHEDULE["rosters_daily"].evaluate_tick(ctx)

    first = tick().run_requests
    assert [r.partition_key for r in first] == [TODAY.isoformat()]
    instance.add_run(dg.DagsterRun(job_name=SCRAPE_ROSTERS_JOB.name, tags=first[0].tags))
    again = tick()
    assert not again.run_requests and "already scraped" in again.skip_message


def test_one_clock_a_replayed_moment_never_works_on_the_wall_clock_date(tmp_path, monkeypatch):
    """With NBA_PIPELINE_NOW set, schedules and the automation sensors read the replayed clock: a
    tick at the wall clock's time stands for the replayed day's windows, and automation considers the
    replayed day's dates, never the wall clock's."""
    from nba_pipeline.automation.terms import InRecentGameDates
    from nba_pipeline.definitions import defs
    from nba_pipeline.resources import Clock
    from nba_pipeline.warehouse.duckdb import DuckDBWarehouse

    replayed = "2025-04-15T12:00:00-04:00"
    wall = dt.datetime(2026, 12, 6, 11, 5, tzinfo=ET)  # a cron tick of the real day
    res = {"clock": Clock(frozen_now=replayed), "warehouse": DuckDBWarehouse(database=str(tmp_path / "w.duckdb"))}
    repo = defs.get_repository_def()
    for schedule in SCHEDULE.values():
        ctx = dg.build_schedule_context(scheduled_execution_time=wall, resources=res, repository_def=repo)
        requested = {r.partition_key for r in schedule.evaluate_tick(ctx).run_requests or []}
        assert requested <= {"2025-04-14", "2025-04-15", "2025-04-16"}, (schedule.name, requested)
    ctx = dg.build_schedule_context(scheduled_execution_time=wall, resources=res, repository_def=repo)
    assert [r.partition_key for r in SCHEDULE["rosters_daily"].evaluate_tick(ctx).run_requests] == ["2025-04-15"]

    monkeypatch.setenv("NBA_PIPELINE_NOW", replayed)
    window = dg.AssetSpec(
        "probe",
        partitions_def=defs.resolve_assets_def(keys.RAW_SCHEDULE).partitions_def,
        automation_condition=InRecentGameDates(),
    )
    result = dg.evaluate_automation_conditions(
        defs=[window], instance=dg.DagsterInstance.ephemeral(), evaluation_time=wall
    )
    assert result.get_requested_partitions(window.key) == {"2025-04-14", "2025-04-15", "2025-04-16"}
    monkeypatch.delenv("NBA_PIPELINE_NOW")
    result = dg.evaluate_automation_conditions(
        defs=[window], instance=dg.DagsterInstance.ephemeral(), evaluation_time=wall
    )
    assert result.get_requested_partitions(window.key) == {"2026-12-05", "2026-12-06", "2026-12-07"}
