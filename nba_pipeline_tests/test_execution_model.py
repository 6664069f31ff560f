"""One execution model: however a date runs (alone, inside a range, from the CLI or from Dagster's
own backfill: integration/test_ui_backfill.py), it gets its own check results, linked to its own
materialization, and a failing date holds back only itself and what reads it."""

import datetime as dt

import dagster as dg

from nba_pipeline import keys
from nba_pipeline.checks.names import CHECK_INPUTS_READY
from nba_pipeline.observe import partition_state
from nba_pipeline.sources.simulated import SimulatedSource, get_league
from nba_pipeline.warehouse import tables as t
from nba_pipeline_tests.automation_helpers import CHECKS, ET, Automation
from nba_pipeline_tests.conftest import SIM_SEED, make_pipeline

NIGHT = dt.date(2024, 11, 6)
MORNING_AFTER = dt.datetime(2024, 11, 7, 8, 0, tzinfo=ET)
PHASES_1_3 = [keys.PHASE1, keys.PHASE2, keys.PHASE3]


def _check_results(instance: dg.DagsterInstance, key: dg.AssetKey, days) -> dict[str, dict[str, str]]:
    """Per date, each check's latest status, only counting results linked to the date's latest
    materialization (what the UI shows per partition and automation reads)."""
    check_keys = [dg.AssetCheckKey(key, s.name) for s in CHECKS[key]]
    out = {d.isoformat(): {} for d in days}
    for info in instance.event_log_storage.get_asset_check_partition_info(
        check_keys, partition_keys=[d.isoformat() for d in days]
    ):
        if info.is_current:
            out[info.partition_key][info.check_key.name] = info.latest_execution_status.value
    return out


def test_a_one_date_backfill_lets_automation_request_the_next_phase(tmp_path):
    """`nba-pipeline backfill --start D --end D` is a range run of one date: its checks must still
    be recorded for D, or Phase 4 of D is never requested."""
    today = NIGHT + dt.timedelta(days=1)
    p = make_pipeline(tmp_path, SimulatedSource(seed=SIM_SEED), MORNING_AFTER.isoformat())
    p.run(PHASES_1_3, NIGHT, NIGHT)
    auto = Automation(p.instance, MORNING_AFTER)
    auto.tick()
    p.run(PHASES_1_3, today, today)
    results = _check_results(p.instance, keys.UPCOMING_PLAYER_CONTEXT, [today])[today.isoformat()]
    assert results and set(results.values()) <= {"SUCCEEDED", "FAILED"} and results[CHECK_INPUTS_READY] == "SUCCEEDED"
    tick = auto.tick()
    for key in (keys.TEAM_DEFENSE_ZONE, keys.PLAYER_SHOT_ZONE):
        assert today.isoformat() in tick.get_requested_partitions(key), key


def test_a_range_run_records_each_dates_checks_and_a_failing_date_blocks_only_itself(tmp_path):
    withheld = get_league(SIM_SEED).games_on(NIGHT)[0].game_id
    p = make_pipeline(tmp_path, SimulatedSource(seed=SIM_SEED, withheld_game_ids=[withheld]), MORNING_AFTER.isoformat())
    days = [NIGHT - dt.timedelta(days=1), NIGHT, NIGHT + dt.timedelta(days=1)]
    auto = Automation(p.instance, MORNING_AFTER)
    auto.tick()
    [run] = p.run(PHASES_1_3, days[0], days[-1])

    # One run, still successful: the failing date does not fail the other dates with it.
    assert run.success and list(run.blocked) == [NIGHT]
    assert "nba_raw/nbac_player_boxscores final_games_covered" in run.blocked[NIGHT][0]

    # Every date has every check of its own, linked to its own materialization.
    raw = _check_results(p.instance, keys.RAW_PLAYER_BOXSCORES, days)
    for day in days:
        assert set(raw[day.isoformat()]) == {s.name for s in CHECKS[keys.RAW_PLAYER_BOXSCORES]}, day
    assert [raw[d.isoformat()]["final_games_covered"] for d in days] == ["SUCCEEDED", "FAILED", "SUCCEEDED"]

    # The day before proceeds through Phase 3; the failing night is not computed (no rows) and says why.
    pgs = _check_results(p.instance, keys.PLAYER_GAME_SUMMARY, days)
    assert set(pgs[days[0].isoformat()].values()) == {"SUCCEEDED"}
    assert pgs[NIGHT.isoformat()] == {CHECK_INPUTS_READY: "FAILED"}
    assert p.read(t.PLAYER_GAME_SUMMARY, NIGHT, NIGHT).empty and len(p.read(t.PLAYER_GAME_SUMMARY, days[0], days[0]))
    why = partition_state(p.instance, keys.PLAYER_GAME_SUMMARY, NIGHT.isoformat(), CHECKS[keys.PLAYER_GAME_SUMMARY])
    assert why.failed_blocking_checks == [CHECK_INPUTS_READY]

    # The night's upcoming context reads the day before's results, so it proceeds; the next day's
    # reads the failing night's, so it is held.
    upcoming = _check_results(p.instance, keys.UPCOMING_PLAYER_CONTEXT, days)
    assert upcoming[NIGHT.isoformat()][CHECK_INPUTS_READY] == "SUCCEEDED"
    assert upcoming[days[2].isoformat()] == {CHECK_INPUTS_READY: "FAILED"}

    # Automation reads the same per-date results: Phase 4 of the night is requested, not the next day's.
    tick = auto.tick()
    requested = set(tick.get_requested_partitions(keys.TEAM_DEFENSE_ZONE))
    assert NIGHT.isoformat() in requested and days[2].isoformat() not in requested


def test_a_fresh_home_runs_one_mid_season_date_through_every_phase(tmp_path):
    """A user's first command can be one date in mid-season: no history in the home yet. Every phase
    completes; players without history carry NULL state and say their sample is insufficient."""
    p = make_pipeline(tmp_path, SimulatedSource(seed=SIM_SEED), MORNING_AFTER.isoformat())
    runs = p.run(list(keys.PHASE_GROUPS), NIGHT, NIGHT)
    assert all(r.success for r in runs), [r.error for r in runs]
    zones = p.warehouse.read(t.PLAYER_SHOT_ZONE, NIGHT, NIGHT)
    assert len(zones) > 0
    assert set(zones["sample_quality"]) == {"insufficient"} and zones["three_rate_last_10"].isna().all()
