"""The legacy incident catalogue (legacy-system.md section 9), replayed against our graph.

Each test reproduces an incident's triggering condition (a withheld game, a failing step, a disabled
source, concurrent runs, an empty write, an in-game line...) and asserts the safe outcome: the failure
is impossible here, or it is loud (a failed blocking check, a failed run, one alert) and bounded.
"""

import datetime as dt
import json
from typing import ClassVar

import dagster as dg
import pandas as pd
import pytest

from nba_pipeline import automation, keys
from nba_pipeline.automation import self_heal as sensors
from nba_pipeline.checks.completeness import no_missing_game_dates_this_season
from nba_pipeline.domain import analytics as an
from nba_pipeline.domain.analytics.lines import points_quotes
from nba_pipeline.observe import check_specs_by_asset, partition_state
from nba_pipeline.resources import AlertSink, Clock
from nba_pipeline.sources import base as src
from nba_pipeline.sources.simulated import SimulatedSource, get_league
from nba_pipeline.status import date_status
from nba_pipeline.warehouse import tables as t
from nba_pipeline_tests.automation_helpers import ET, Automation, land
from nba_pipeline_tests.conftest import SIM_END, SIM_SEED, make_pipeline

NIGHT = dt.date(2024, 11, 6)  # a simulated game night of the 2024-25 season
MORNING_AFTER = "2024-11-07T08:00:00-05:00"
CHECKS = check_specs_by_asset(__import__("nba_pipeline.assets", fromlist=["ALL_ASSETS"]).ALL_ASSETS)
RESULTS = [keys.SCRAPED_SCHEDULE, keys.SCRAPED_PLAYER_BOXSCORES, keys.SCRAPED_TEAM_BOXSCORES]
RAW_RESULTS = [keys.RAW_SCHEDULE, keys.RAW_PLAYER_BOXSCORES, keys.RAW_TEAM_BOXSCORE]
COMPLETED = [keys.TEAM_OFFENSE, keys.TEAM_DEFENSE, keys.PLAYER_GAME_SUMMARY]


class RecordingAlerts(AlertSink):
    """An alert sink that also keeps what it sent (class-level: resources are rebuilt per run)."""

    sent: ClassVar[list] = []

    def send(self, alert):
        super().send(alert)
        RecordingAlerts.sent.append(alert)


@pytest.fixture(autouse=True)
def _reset_alerts():
    RecordingAlerts.sent = []


def _games(day=NIGHT):
    return get_league(SIM_SEED).games_on(day)


def _state(p, key, day=NIGHT):
    return partition_state(p.instance, key, day.isoformat(), CHECKS.get(key, []))


def _results_night(p, day=NIGHT, raise_on_error=True):
    """Scrape and load one game night's results, then Phase 3's completed-game tables."""
    for sel in (RESULTS, RAW_RESULTS, COMPLETED):
        res = p.materialize(sel, day, raise_on_error=raise_on_error)
        if not res.success:
            return res
    return res


@pytest.fixture
def withheld(tmp_path):
    game = _games()[0].game_id
    p = make_pipeline(tmp_path, SimulatedSource(seed=SIM_SEED, withheld_game_ids=[game]), MORNING_AFTER)
    p.alerts = RecordingAlerts()
    return p, game


# --- 1, 14: a night's games must all be there before the date counts as done ---------------------------


def test_01_one_of_nine_gamebooks_is_a_failed_blocking_check_not_a_success(withheld):
    p, game = withheld
    _results_night(p, raise_on_error=False)
    raw = _state(p, keys.RAW_PLAYER_BOXSCORES)
    assert raw.materialized and "final_games_covered" in raw.failed_blocking_checks
    check = p.instance.event_log_storage.get_latest_asset_check_execution_by_key(
        [dg.AssetCheckKey(keys.RAW_PLAYER_BOXSCORES, "final_games_covered")]
    )
    meta = next(iter(check.values())).event.dagster_event.event_specific_data.metadata
    assert game in json.dumps(meta["missing_games"].value)
    # Phase 3 of the date does not run on the incomplete night: not computed, held by its own
    # failed inputs_ready check, no rows written.
    pgs = _state(p, keys.PLAYER_GAME_SUMMARY)
    assert pgs.failed_blocking_checks == ["inputs_ready"]
    assert p.read(t.PLAYER_GAME_SUMMARY, NIGHT, NIGHT).empty


def test_14_a_late_game_keeps_the_date_blocked_until_it_lands(withheld, tmp_path):
    p, game = withheld
    _results_night(p, raise_on_error=False)
    assert _state(p, keys.RAW_PLAYER_BOXSCORES).failed
    p.source = SimulatedSource(seed=SIM_SEED)  # the late gamebook arrives
    assert _results_night(p).success
    for key in (keys.RAW_PLAYER_BOXSCORES, *COMPLETED):
        assert _state(p, key).healthy, key
    pgs = p.read(t.PLAYER_GAME_SUMMARY, NIGHT, NIGHT)
    assert game in set(pgs["game_id"]) and set(pgs["game_id"]) == {g.game_id for g in _games()}


# --- 2, 7, 9, 35: same-day features from the upcoming context alone; code identity recorded -----------


def test_02_same_day_features_need_only_todays_context_and_yesterdays_results():
    today = dt.date(2026, 11, 22)
    auto = Automation(dg.DagsterInstance.ephemeral(), dt.datetime(2026, 11, 22, 10, 0, tzinfo=ET))
    auto.tick()
    for key, day in [
        (keys.RAW_SCHEDULE, today),
        (keys.UPCOMING_PLAYER_CONTEXT, today),
        (keys.UPCOMING_TEAM_CONTEXT, today),
        (keys.PLAYER_GAME_SUMMARY, today - dt.timedelta(days=1)),
        (keys.TEAM_DEFENSE, today - dt.timedelta(days=1)),
        (keys.TEAM_OFFENSE, today - dt.timedelta(days=1)),
    ]:
        land(auto.instance, key, day)
    tick = auto.tick()
    # Today's own results (player game summary of today) do not exist yet and are not needed.
    assert today.isoformat() in tick.get_requested_partitions(keys.PLAYER_SHOT_ZONE)
    assert today.isoformat() in tick.get_requested_partitions(keys.TEAM_DEFENSE_ZONE)


def test_07_09_35_every_partition_records_which_code_and_model_wrote_it(sim_graph):
    from nba_pipeline.environment import code_identity

    p, _ = sim_graph
    for key in (
        keys.RAW_PLAYER_BOXSCORES,
        keys.PLAYER_GAME_SUMMARY,
        keys.ML_FEATURE_STORE,
        keys.PLAYER_PROP_PREDICTIONS,
    ):
        assert _state(p, key, SIM_END).code_identity == code_identity()
    preds = p.read(t.PLAYER_PROP_PREDICTIONS, SIM_END, SIM_END)
    cb = preds[preds["system_id"] == "catboost_points_v1"]
    models = p.read(t.POINTS_MODEL, SIM_END, SIM_END)
    model = models[models["system_id"] == "catboost_points_v1"].iloc[0]
    assert (cb["model_sha256"] == model["artifact_sha256"]).all() and (cb["model_id"] == model["model_id"]).all()
    # A swapped artifact (legacy: a file baked into the image won over the configured one) fails loudly.
    store = p.resources["model_store"]
    original = store.get(model["artifact_path"])
    store.put(model["artifact_path"], original + b"tampered")
    try:
        res = p.materialize([keys.PLAYER_PROP_PREDICTIONS], SIM_END, raise_on_error=False)
        assert not res.success
        failure = next(e for e in res.all_events if e.event_type_value == "STEP_FAILURE")
        assert "does not match its recorded sha256" in str(failure.event_specific_data.error.cause)
    finally:
        # The shared graph as the other tests expect it: the artifact back, and the date's latest run
        # of predictions a successful one again.
        store.put(model["artifact_path"], original)
        assert p.materialize([keys.PLAYER_PROP_PREDICTIONS], SIM_END).success


# --- 3: self-heal covers today and runs before the publish deadline ------------------------------------


def test_03_self_heal_requests_todays_missing_predictions_after_their_deadline():
    today = dt.date(2026, 11, 22)
    inst = dg.DagsterInstance.ephemeral()
    before = dt.datetime(2026, 11, 22, 12, 55, tzinfo=ET)
    after = dt.datetime(2026, 11, 22, 13, 5, tzinfo=ET)
    assert keys.PLAYER_PROP_PREDICTIONS not in sensors.plan_day(inst, today, before, {}, 3).due
    plan = sensors.plan_day(inst, today, after, {}, 3)
    assert keys.PLAYER_PROP_PREDICTIONS in plan.due
    # The run heals the whole missing chain of the date, from the scrapes up.
    assert {keys.ML_FEATURE_STORE, keys.UPCOMING_PLAYER_CONTEXT, keys.SCRAPED_SCHEDULE} <= set(plan.selection)
    # Before the export deadline (13:30 ET), so the website gets the healed predictions.
    assert automation.DEADLINES[keys.PLAYER_PROP_PREDICTIONS].due(today) < automation.DEADLINES[
        keys.EXPORT_TONIGHT
    ].due(today)
    tomorrow = sensors.plan_day(inst, today + dt.timedelta(days=1), after, {}, 3)
    assert not tomorrow.due  # not due yet


# --- 4: a date with unfinished games no-ops ------------------------------------------------------------


def test_04_unfinished_games_materialize_an_empty_partition_instead_of_failing(tmp_path):
    tip = min(g.tipoff_utc for g in _games())
    during = (tip + dt.timedelta(minutes=40)).isoformat()
    p = make_pipeline(tmp_path, SimulatedSource(seed=SIM_SEED), during)
    assert _results_night(p).success
    assert p.warehouse.count_by_date(t.PLAYER_GAME_SUMMARY, NIGHT, NIGHT) == {}
    for key in (keys.RAW_PLAYER_BOXSCORES, *COMPLETED):
        assert _state(p, key).healthy
    # Nothing is due for self-heal while the games are on.
    plan = sensors.plan_day(p.instance, NIGHT, pd.Timestamp(during).to_pydatetime(), {}, 3)
    assert not {keys.PLAYER_GAME_SUMMARY, keys.RAW_PLAYER_BOXSCORES} & set(plan.due)


# --- 10: completion is the materialization; record counts are rows written -----------------------------


def test_10_record_count_is_what_the_warehouse_holds_for_every_table(sim_graph):
    p, _ = sim_graph
    for spec in t.ALL_TABLES:
        st = _state(p, spec.asset_key, SIM_END)
        assert st.materialized, spec.address
        held = p.warehouse.count_by_date(spec, SIM_END, SIM_END).get(SIM_END, 0)
        mats = p.instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=spec.asset_key, asset_partitions=[SIM_END.isoformat()]), limit=1
        ).records
        # The date's own row count, although the date was written inside a range run.
        assert mats[0].asset_materialization.metadata["dagster/row_count"].value == held, spec.address


# --- 11: coverage metrics exclude DNP rows --------------------------------------------------------------


def test_11_dnp_rows_do_not_make_a_healthy_night_look_broken(sim_graph):
    p, _ = sim_graph
    pgs = p.read(t.PLAYER_GAME_SUMMARY, SIM_END, SIM_END)
    dnp_share = pgs["is_dnp"].mean()
    naive = pgs["minutes"].notna().mean()  # the legacy 55.7% alarm: DNPs in the denominator
    assert dnp_share > 0.3 and naive < 0.8
    st = _state(p, keys.PLAYER_GAME_SUMMARY, SIM_END)
    assert "minutes_coverage_non_dnp" in st.passed_checks


# --- 12: usage can never exceed 100% -------------------------------------------------------------------


def test_12_player_summary_without_team_stats_has_null_usage_not_1228_percent(sim_graph):
    p, _ = sim_graph
    box = p.read(t.NBAC_PLAYER_BOXSCORES, SIM_END, SIM_END)
    early = an.player_game_summary(box, pd.DataFrame(), pd.DataFrame())  # team offense not there yet
    assert early["usage_rate"].isna().all() and (early["data_quality_flag"] == "partial_no_team_stats").all()
    usage = p.read(t.PLAYER_GAME_SUMMARY, SIM_END, SIM_END)["usage_rate"].dropna()
    assert len(usage) > 100 and usage.between(0, 100, inclusive="right").all()


# --- 15, 24: a run that fails after deciding stays retryable; concurrent runs of one date ---------------


def test_15_a_run_that_raises_after_some_assets_landed_leaves_the_rest_retryable(tmp_path, monkeypatch):
    p = make_pipeline(tmp_path, SimulatedSource(seed=SIM_SEED), MORNING_AFTER)
    for sel in (RESULTS, RAW_RESULTS):
        assert p.materialize(sel, NIGHT).success

    def boom(*args, **kwargs):
        raise RuntimeError("warehouse went away mid-run")

    monkeypatch.setattr(an, "player_game_summary", boom)
    res = p.materialize(COMPLETED, NIGHT, raise_on_error=False)
    assert not res.success
    assert _state(p, keys.TEAM_OFFENSE).healthy and _state(p, keys.TEAM_DEFENSE).healthy
    pgs = _state(p, keys.PLAYER_GAME_SUMMARY)
    assert not pgs.materialized and pgs.attempt_failed  # no "triggered" flag: still missing, still failed
    plan = sensors.plan_day(p.instance, NIGHT, dt.datetime(2024, 11, 7, 7, 5, tzinfo=ET), {}, 3)
    assert keys.PLAYER_GAME_SUMMARY in plan.due and keys.TEAM_OFFENSE not in plan.selection
    monkeypatch.undo()
    assert p.materialize([keys.PLAYER_GAME_SUMMARY], NIGHT).success
    assert _state(p, keys.PLAYER_GAME_SUMMARY).healthy


def test_24_concurrent_runs_of_one_date_neither_collide_nor_duplicate(tmp_path):
    """Three processes re-load the same night into one DuckDB file at once (legacy: a second writer
    pre-empted the orchestrator's transaction). Each write is one transaction; writers queue on the
    file lock; the result is the same as one run."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from nba_pipeline_tests.harness import materialize_in_new_process

    p = make_pipeline(tmp_path, SimulatedSource(seed=SIM_SEED), MORNING_AFTER)
    assert p.materialize(RESULTS + RAW_RESULTS, NIGHT).success
    single = p.warehouse.count_by_date(t.NBAC_PLAYER_BOXSCORES, NIGHT, NIGHT)
    args = (str(tmp_path), MORNING_AFTER, SIM_SEED, [list(k.path) for k in RAW_RESULTS], NIGHT.isoformat())
    with ProcessPoolExecutor(3, mp_context=multiprocessing.get_context("spawn")) as pool:
        results = list(pool.map(materialize_in_new_process, *zip(*[args] * 3)))
    assert results == [True, True, True]
    box = p.read(t.NBAC_PLAYER_BOXSCORES, NIGHT, NIGHT)
    assert not box.duplicated(["game_date", "player_id"]).any()
    assert p.warehouse.count_by_date(t.NBAC_PLAYER_BOXSCORES, NIGHT, NIGHT) == single
    assert len(box) == sum(
        len(h) + len(a) for h, a in (get_league(SIM_SEED).season(2024).box(g.game_id) for g in _games())
    )


# --- 16: a disabled source cannot block a phase ---------------------------------------------------------


def test_16_disabled_sources_leave_phase_3_and_4_running(tmp_path):
    off = [src.TEAM_ROSTER, src.INJURY_REPORT, src.ODDS_GAME_LINES, src.BOXSCORE_TRADITIONAL]
    p = make_pipeline(tmp_path, SimulatedSource(seed=SIM_SEED, disabled_endpoints=off), MORNING_AFTER)
    start = NIGHT - dt.timedelta(days=3)
    assert all(r.success for r in p.run([keys.PHASE1, keys.PHASE2, keys.PHASE3, keys.PHASE4], start, NIGHT))
    upcoming_players = p.read(t.UPCOMING_PLAYER_CONTEXT, NIGHT, NIGHT)
    assert len(upcoming_players) > 100 and set(upcoming_players["roster_source"]) <= {"recent_box_scores", "prop_line"}
    off_rows = p.read(t.TEAM_OFFENSE, NIGHT, NIGHT)
    assert (off_rows["data_source"] == "reconstructed_from_players").all()
    assert p.warehouse.count_by_date(t.TEAM_ROSTERS, start, NIGHT) == {}
    assert len(p.read(t.ML_FEATURE_STORE, NIGHT, NIGHT)) == len(upcoming_players)


# --- 17: health is the data, not a flag -----------------------------------------------------------------


def test_17_status_reads_materializations_and_checks_not_flags(tmp_path):
    day = dt.date(2026, 11, 20)
    p = make_pipeline(tmp_path, SimulatedSource(seed=SIM_SEED), "2026-11-22T10:00:00-05:00")
    now = dt.datetime(2026, 11, 22, 10, 0, tzinfo=ET)
    keys_of_date = [k for k in automation.DEADLINES]
    for key in [keys.SCRAPED_SCHEDULE, *keys_of_date]:
        land(p.instance, key, day, failing_checks=("final_games_covered",) if key == keys.PLAYER_GAME_SUMMARY else ())
    status = date_status(p.defs, p.instance, day, now)
    assert status.verdict == "PHASE_3_FAILED" and status.exit_code == 1
    land(p.instance, keys.PLAYER_GAME_SUMMARY, day)
    assert date_status(p.defs, p.instance, day, now).verdict in ("COMPLETE", "NO_GAMES")


# --- 20: a partial night is a partial partition ---------------------------------------------------------


class ZeroPointTeamSource(SimulatedSource):
    """One team's box score arrives with 0 points (an in-progress feed)."""

    def team_boxscores(self, game_date, as_of):
        payloads = super().team_boxscores(game_date, as_of)
        if payloads:
            stats = payloads[0].body["boxScoreTraditional"]["homeTeam"]["statistics"]
            stats["points"], stats["fieldGoalsAttempted"] = 0, 0
        return payloads


def test_20_an_invalid_team_row_is_dropped_alone_and_the_night_still_lands(tmp_path):
    p = make_pipeline(tmp_path, ZeroPointTeamSource(seed=SIM_SEED), MORNING_AFTER)
    assert _results_night(p).success
    team = p.read(t.NBAC_TEAM_BOXSCORE, NIGHT, NIGHT)
    assert len(team) == 2 * len(_games()) - 1
    off = p.read(t.TEAM_OFFENSE, NIGHT, NIGHT)
    assert len(off) == 2 * len(_games())  # the bad game is reconstructed from its players
    assert (off["data_source"] == "reconstructed_from_players").sum() == 2


# --- 26: a write of 0 rows for a date with final games fails -------------------------------------------


def test_26_zero_rows_for_a_night_with_final_games_fails_and_keeps_the_old_rows(tmp_path, monkeypatch):
    """Legacy: a refactor made the loader read its file path from a key the payload never had; it
    parsed nothing, wrote 0 rows and reported success for 184 days."""
    from nba_pipeline.assets import raw

    p = make_pipeline(tmp_path, SimulatedSource(seed=SIM_SEED), MORNING_AFTER)
    assert _results_night(p).success
    before = p.warehouse.count_by_date(t.NBAC_PLAYER_BOXSCORES, NIGHT, NIGHT)
    monkeypatch.setattr(raw, "parse_league_game_log", lambda *a, **k: pd.DataFrame())
    monkeypatch.setattr(raw, "boxscore_v3_records", lambda *a, **k: ([], []))
    assert p.materialize([keys.RAW_PLAYER_BOXSCORES], NIGHT).success
    # Loud: the date's blocking coverage check fails (holding Phase 3 of the date), and the
    # materialization says why nothing was written; the previous rows are kept.
    state = _state(p, keys.RAW_PLAYER_BOXSCORES)
    assert "final_games_covered" in state.failed_blocking_checks
    mat = p.instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=keys.RAW_PLAYER_BOXSCORES, asset_partitions=[NIGHT.isoformat()]), limit=1
    ).records[0]
    assert "computed 0 rows" in mat.asset_materialization.metadata["not_written"].value
    assert p.warehouse.count_by_date(t.NBAC_PLAYER_BOXSCORES, NIGHT, NIGHT) == before  # nothing lost


# --- 28: a permanently missing game: bounded retries, one alert, then proceed -----------------------------


def test_28_permanently_missing_game_no_retry_storm(withheld):
    p, game = withheld
    _results_night(p, raise_on_error=False)
    instance = p.instance
    # The night's pre-game side (context, features, predictions) landed earlier; only results matter here.
    for key, deadline in automation.DEADLINES.items():
        if deadline.days_after == 0 and key not in RAW_RESULTS:
            land(instance, key, NIGHT)
    cursor, requests = None, 0  # requests re-running the blocked raw box scores of the night
    clock = dt.datetime(2024, 11, 7, 8, 0, tzinfo=ET)
    from nba_pipeline.definitions import defs

    repository = defs.get_repository_def()  # the code location the daemon loads (sensors included)
    for step in range(12):  # six hours of sensor ticks, every 30 minutes
        now = clock + dt.timedelta(minutes=30 * step)
        ctx = dg.build_sensor_context(
            instance=instance,
            cursor=cursor,
            repository_def=repository,
            resources={"clock": Clock(frozen_now=now.isoformat()), "alerts": p.alerts},
        )
        # As the daemon evaluates it: the requests are resolved against the code location's jobs
        # (a sensor without a target has its requests refused there, not when called as a function).
        tick = sensors.self_heal.evaluate_tick(ctx)
        result, cursor = tick.run_requests, tick.cursor
        # Only this night has data in this pipeline; its neighbours are (correctly) healed too, but
        # executing their runs adds nothing to what this test shows.
        for req in result if isinstance(result, list) else []:
            if req.partition_key != NIGHT.isoformat():
                continue
            requests += keys.RAW_PLAYER_BOXSCORES in req.asset_selection
            p.now = now.isoformat()
            p.materialize(req.asset_selection, NIGHT, raise_on_error=False)
    assert requests == 3  # the configured bound (NBA_PIPELINE_SELF_HEAL_MAX_ATTEMPTS), not a storm
    exhausted = [(a.asset, a.partition) for a in RecordingAlerts.sent if a.kind == "self_heal_exhausted"]
    assert (keys.RAW_PLAYER_BOXSCORES.to_user_string(), NIGHT.isoformat()) in exhausted
    assert len(set(exhausted)) == len(exhausted)  # one alert per asset and date, not one per tick
    # Two days later (>= 80% of the games covered) one more attempt passes the check with a warning and
    # the date proceeds instead of blocking forever.
    later = dt.datetime(2024, 11, 8, 8, 0, tzinfo=ET)
    ctx = dg.build_sensor_context(
        instance=instance, cursor=cursor, resources={"clock": Clock(frozen_now=later.isoformat()), "alerts": p.alerts}
    )
    reqs = [r for r in sensors.self_heal(ctx) if r.partition_key == NIGHT.isoformat()]
    assert len(reqs) == 1 and keys.RAW_PLAYER_BOXSCORES in reqs[0].asset_selection
    p.now = later.isoformat()
    p.materialize(reqs[0].asset_selection, NIGHT, raise_on_error=False)
    raw = _state(p, keys.RAW_PLAYER_BOXSCORES)
    assert raw.healthy and "final_games_covered" in raw.failed_checks  # WARN, not blocking
    assert _state(p, keys.PLAYER_GAME_SUMMARY).healthy


# --- 29: in-game line snapshots never reach features or predictions ---------------------------------------


def test_29_in_game_snapshots_are_excluded_everywhere(sim_graph):
    p, _ = sim_graph
    odds = p.read(t.ODDS_PLAYER_PROPS, SIM_END, SIM_END)
    assert (odds["minutes_before_tipoff"] < 0).sum() > 100  # they are in the raw time series
    closing = an.closing_lines(points_quotes(odds)).set_index("player_lookup")
    fs = p.read(t.ML_FEATURE_STORE, SIM_END, SIM_END)
    lined = fs[fs["current_points_line"].notna()]
    assert (lined["line_minutes_before_tipoff"] >= 0).all()
    assert (
        lined.set_index("player_lookup")["current_points_line"]
        == closing.loc[lined["player_lookup"], "points_line"].values
    ).all()
    preds = p.read(t.PLAYER_PROP_PREDICTIONS, SIM_END, SIM_END)
    assert (preds["line_minutes_before_game"] >= 0).all()
    assert _state(p, keys.ML_FEATURE_STORE, SIM_END).passed_checks.count("lines_pre_tip_only") == 1


# --- 31: gaps anywhere in the season are found, not only in a trailing window -----------------------------


def test_31_a_missing_date_deep_in_the_season_fails_the_gap_check(sim_graph):
    p, _ = sim_graph
    hole = dt.date(2024, 10, 29)
    saved = p.read(t.PLAYER_GAME_SUMMARY, hole, hole)
    clock = Clock(frozen_now="2024-11-14T09:00:00-05:00")
    ctx = dg.build_asset_check_context(instance=p.instance)
    assert no_missing_game_dates_this_season(ctx, warehouse=p.warehouse, clock=clock).passed
    p.warehouse.replace_dates(t.PLAYER_GAME_SUMMARY, saved.iloc[0:0], hole, hole)
    try:
        result = no_missing_game_dates_this_season(ctx, warehouse=p.warehouse, clock=clock)
        assert not result.passed and hole.isoformat() in json.dumps(result.metadata["dates_missing_player_rows"].value)
    finally:
        p.warehouse.replace_dates(t.PLAYER_GAME_SUMMARY, saved, hole, hole)


def test_31_a_home_that_starts_mid_season_is_judged_from_its_first_date(sim_graph):
    """The demo (and any backfill from a later date) starts mid-season: the dates before its first
    date were never meant to be in this home and are not gaps; holes after it still are (above)."""
    p, _ = sim_graph
    instance = dg.DagsterInstance.ephemeral()
    first = dt.date(2024, 11, 1)
    for i in range(13):
        land(instance, keys.RAW_SCHEDULE, first + dt.timedelta(days=i))
    result = no_missing_game_dates_this_season(
        dg.build_asset_check_context(instance=instance),
        warehouse=p.warehouse,
        clock=Clock(frozen_now="2024-11-14T09:00:00-05:00"),
    )
    assert result.passed and result.metadata["judged_from"].value == first.isoformat()


# --- 33: exactly one active prediction per (game, player, system) -----------------------------------------


def test_33_a_stray_active_duplicate_is_deactivated_by_the_next_run(sim_graph):
    p, _ = sim_graph
    preds = p.read(t.PLAYER_PROP_PREDICTIONS, SIM_END, SIM_END)
    stray = preds[preds["is_active"]].head(1).copy()
    stray["prediction_id"] = "stray-from-a-concurrent-writer"
    stray["predicted_points"] += 2
    p.warehouse.replace_dates(t.PLAYER_PROP_PREDICTIONS, pd.concat([preds, stray], ignore_index=True), SIM_END, SIM_END)
    try:
        assert p.materialize([keys.PLAYER_PROP_PREDICTIONS], SIM_END).success
        after = p.read(t.PLAYER_PROP_PREDICTIONS, SIM_END, SIM_END)
        active = after[after["is_active"]]
        assert not active.duplicated(["game_id", "player_id", "system_id", "market"]).any()
        assert not after.set_index("prediction_id").loc["stray-from-a-concurrent-writer", "is_active"]
        assert (
            "one_active_prediction_per_game_player_system"
            in _state(p, keys.PLAYER_PROP_PREDICTIONS, SIM_END).passed_checks
        )
    finally:
        p.warehouse.replace_dates(t.PLAYER_PROP_PREDICTIONS, preds, SIM_END, SIM_END)
