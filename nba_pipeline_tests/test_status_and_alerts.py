"""`nba-pipeline status` tells the truth; failures become exactly one alert each."""

import datetime as dt
from typing import ClassVar

import dagster as dg
import pytest

from nba_pipeline import automation, keys
from nba_pipeline.automation import alerts as sensors
from nba_pipeline.parsers.nba import parse_schedule
from nba_pipeline.resources import AlertSink, Clock
from nba_pipeline.sources.simulated import SimulatedSource
from nba_pipeline.status import date_status, render
from nba_pipeline.warehouse import tables as t
from nba_pipeline_tests.automation_helpers import ET, land
from nba_pipeline_tests.conftest import SIM_END, SIM_SEED, make_pipeline

THANKSGIVING = dt.date(2024, 11, 28)  # no games in the simulated league


class Recording(AlertSink):
    sent: ClassVar[list] = []

    def send(self, alert):
        Recording.sent.append(alert)


@pytest.fixture(autouse=True)
def _reset():
    Recording.sent = []


def test_complete_date(sim_graph):
    p, _ = sim_graph
    status = date_status(p.defs, p.instance, SIM_END, dt.datetime(2024, 11, 14, 12, 0, tzinfo=ET))
    assert status.verdict == "COMPLETE" and status.exit_code == 0 and status.games > 0
    text = render(status)
    assert "verdict: COMPLETE" in text and "nba_predictions/player_prop_predictions" in text


def test_a_refresh_in_progress_of_a_healthy_partition_keeps_the_date_complete(tmp_path):
    """An evening line update re-runs today's predictions after their deadline: the partition that
    passed its checks on time stands while the refresh runs."""
    from dagster._core.events import AssetMaterializationPlannedData, DagsterEvent, DagsterEventType
    from dagster._core.utils import make_new_run_id

    day = dt.date(2026, 11, 22)
    p = make_pipeline(tmp_path, SimulatedSource(seed=SIM_SEED), None)
    payload = p.source.schedule(day, dt.datetime(2026, 11, 22, 10, 0, tzinfo=ET))[0]
    games = parse_schedule(payload.body, day, "schedule.json").assign(scraped_at=payload.fetched_at, source_file="x")
    p.warehouse.replace_dates(t.NBAC_SCHEDULE, games, day, day)
    for key, deadline in automation.DEADLINES.items():
        if deadline.days_after == 0:
            land(p.instance, key, day)
    evening = dt.datetime(2026, 11, 22, 19, 0, tzinfo=ET)
    assert date_status(p.defs, p.instance, day, evening).verdict == "COMPLETE"
    run = p.instance.add_run(
        dg.DagsterRun(job_name="refresh", run_id=make_new_run_id(), status=dg.DagsterRunStatus.STARTED)
    )
    p.instance.report_dagster_event(
        DagsterEvent(
            DagsterEventType.ASSET_MATERIALIZATION_PLANNED.value,
            job_name="refresh",
            event_specific_data=AssetMaterializationPlannedData(
                keys.PLAYER_PROP_PREDICTIONS, partition=day.isoformat()
            ),
        ),
        run_id=run.run_id,
    )
    status = date_status(p.defs, p.instance, day, evening)
    preds = next(s for s in status.assets if s.key == keys.PLAYER_PROP_PREDICTIONS)
    assert preds.state.in_progress and preds.label == "OK+RUN" and not preds.late
    assert status.verdict == "COMPLETE" and status.exit_code == 0


def test_late_date_is_pending_and_exits_non_zero(tmp_path):
    day = dt.date(2026, 11, 22)
    p = make_pipeline(tmp_path, SimulatedSource(seed=SIM_SEED), None)
    # Today's schedule is in the warehouse (games tonight); the pre-game Phases 2-3 landed.
    payload = p.source.schedule(day, dt.datetime(2026, 11, 22, 10, 0, tzinfo=ET))[0]
    games = parse_schedule(payload.body, day, "schedule.json").assign(scraped_at=payload.fetched_at, source_file="x")
    p.warehouse.replace_dates(t.NBAC_SCHEDULE, games, day, day)
    for key, deadline in automation.DEADLINES.items():
        if deadline.days_after == 0 and key.path[0] in ("nba_raw", "nba_analytics"):
            land(p.instance, key, day)
    before_deadline = date_status(p.defs, p.instance, day, dt.datetime(2026, 11, 22, 12, 10, tzinfo=ET))
    assert before_deadline.verdict == "PHASE_4_PENDING" and before_deadline.exit_code == 0  # not due yet
    late = date_status(p.defs, p.instance, day, dt.datetime(2026, 11, 22, 13, 40, tzinfo=ET))
    assert late.verdict == "PHASE_4_PENDING" and late.exit_code == 1
    assert "LATE" in render(late)


def test_failed_run_is_reported(tmp_path, monkeypatch):
    from nba_pipeline.domain import analytics as an

    night = dt.date(2024, 11, 6)
    p = make_pipeline(tmp_path, SimulatedSource(seed=SIM_SEED), "2024-11-07T08:00:00-05:00")
    assert p.materialize(
        [
            keys.SCRAPED_SCHEDULE,
            keys.SCRAPED_PLAYER_BOXSCORES,
            keys.SCRAPED_TEAM_BOXSCORES,
            keys.RAW_SCHEDULE,
            keys.RAW_PLAYER_BOXSCORES,
            keys.RAW_TEAM_BOXSCORE,
        ],
        night,
    ).success
    monkeypatch.setattr(an, "team_offense", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("boom")))
    assert not p.materialize([keys.TEAM_OFFENSE], night, raise_on_error=False).success
    status = date_status(p.defs, p.instance, night, dt.datetime(2024, 11, 7, 8, 0, tzinfo=ET))
    assert status.verdict == "PHASE_3_FAILED" and status.exit_code == 1


def test_no_game_date(tmp_path):
    p = make_pipeline(tmp_path, SimulatedSource(seed=SIM_SEED), "2024-11-29T12:00:00-05:00")
    assert p.run([keys.PHASE1, keys.PHASE2], THANKSGIVING)[-1].success
    status = date_status(p.defs, p.instance, THANKSGIVING, dt.datetime(2024, 11, 29, 12, 0, tzinfo=ET))
    assert status.games == 0 and status.verdict == "NO_GAMES" and status.exit_code == 0


def test_a_failed_blocking_check_and_a_late_partition_each_alert_once(tmp_path):
    day = dt.date(2026, 11, 21)
    p = make_pipeline(tmp_path, SimulatedSource(seed=SIM_SEED), "2026-11-22T10:00:00-05:00")
    land(p.instance, keys.PLAYER_GAME_SUMMARY, day, failing_checks=("final_games_covered",))
    from nba_pipeline.checks.freshness import ON_TIME_CHECKS

    on_time = next(c for c in ON_TIME_CHECKS if keys.PLAYER_PROP_PREDICTIONS in {k.asset_key for k in c.check_keys})
    ctx = dg.build_asset_check_context(instance=p.instance)
    result = on_time(ctx, clock=Clock(frozen_now="2026-11-22T14:00:00-05:00"))
    assert not result.passed and "2026-11-22" in result.description and "late" in result.description
    p.instance.report_runless_asset_event(
        dg.AssetCheckEvaluation(
            asset_key=keys.PLAYER_PROP_PREDICTIONS,
            check_name="partition_on_time",
            passed=False,
            metadata=result.metadata,
            description=result.description,
            blocking=False,
        )
    )
    cursor = None
    for _ in range(3):  # later ticks must not repeat the alerts
        ctx = dg.build_sensor_context(instance=p.instance, cursor=cursor, resources={"alerts": Recording()})
        sensors.alert_on_check_failure(ctx)
        cursor = ctx.cursor
    kinds = sorted((a.kind, a.asset, a.partition) for a in Recording.sent)
    assert kinds == [
        ("blocking_check_failed", "nba_analytics/player_game_summary", "2026-11-21"),
        ("late_partition", "nba_predictions/player_prop_predictions", "2026-11-22"),
    ]
    blocking = next(a for a in Recording.sent if a.kind == "blocking_check_failed")
    assert blocking.reason.startswith("final_games_covered: ")


def test_slack_gets_the_same_alert_when_a_token_is_configured(monkeypatch):
    posted = []

    class FakeClient:
        def chat_postMessage(self, channel, text):
            posted.append((channel, text))

    from dagster_slack import SlackResource

    monkeypatch.setattr(SlackResource, "get_client", lambda self: FakeClient())
    from nba_pipeline.resources import Alert

    AlertSink(slack_token="xoxb-test", slack_channel="#alerts").send(
        Alert("run_failure", "nba_raw/nbac_schedule", "2026-11-22", "boom")
    )
    assert posted == [
        ("#alerts", ":rotating_light: nba_pipeline run_failure: nba_raw/nbac_schedule [2026-11-22]: boom")
    ]
