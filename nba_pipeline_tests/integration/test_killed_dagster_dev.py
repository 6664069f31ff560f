"""A killed `dagster dev` never wedges the home (issue 19).

`nba-pipeline dev` runs a range over the webserver's API; while the run holds the one-slot
`warehouse` pool, the whole session is killed with SIGKILL (webserver, daemon, code server, run
worker: a closed laptop, an OOM kill). The run is left STARTED holding the slot, which used to
block every later run forever. Then `dagster dev` alone starts on the same home: its daemon's run
monitoring finds the worker gone (the local run launcher's health check), marks the run failed
saying so and frees its slot; the dead run's dates are failed (not in progress), so self-heal
would re-request them; a new run completes; `nba-pipeline status` names the dead run.
"""

import datetime as dt
import os
import signal
import subprocess
import sys
import time

import dagster as dg

from nba_pipeline import keys
from nba_pipeline.assets.definition import WAREHOUSE_POOL
from nba_pipeline.instance.workers import process_identity
from nba_pipeline_tests.integration.dagster_dev import ROOT, DagsterDev, free_port

NOW = "2024-11-10T12:00:00-05:00"
# Before the window automation looks at (yesterday..tomorrow), inside the one self-heal looks at
# (from the day before yesterday): the only runs are the test's own.
DEAD_START, DEAD_END, DAY = "2024-11-01", "2024-11-08", "2024-11-08"


def _wait(what: str, condition, timeout: float, every: float = 0.25):
    """Poll ``condition`` until it returns something truthy; fail naming what never happened."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"{what}: not within {timeout:.0f} s")


def _worker_pid(instance, run_id: str) -> int:
    """The pid the run worker logged for itself (Dagster's own engine event)."""
    for record in instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.ENGINE_EVENT).records:
        event = record.event_log_entry.dagster_event
        if (event.message or "").startswith("Started process for run"):
            return int(event.engine_event_data.metadata["pid"].value)
    raise AssertionError(f"run {run_id} logged no worker process")


def test_a_killed_dagster_dev_never_wedges_the_home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("DAGSTER_HOME", str(home / "dagster"))  # the local instance config reads it
    env = {
        **os.environ,
        "NBA_PIPELINE_HOME": str(home),
        "DAGSTER_HOME": str(home / "dagster"),
        "NBA_PIPELINE_SOURCE": "simulated",
        "NBA_PIPELINE_NOW": NOW,
        # Self-heal would request the recent dates of this empty home at once; here only the
        # test's runs compete for the slot (whether self-heal would see the dead run's dates is
        # asserted below).
        "NBA_PIPELINE_SELF_HEAL_MAX_ATTEMPTS": "0",
    }
    log = tmp_path / "dagster_dev.log"
    port = free_port()
    dev = DagsterDev(
        [sys.executable, "-m", "nba_pipeline.cli", "dev", "--home", str(home), "--port", str(port)], env, log, port
    )
    try:
        groups = dev.assets_by_group()
        instance = dg.DagsterInstance.from_config(str(home / "dagster"))
        # No automatic retry of this run: its dates must stay failed for self-heal to be checked.
        run_id = dev.launch_range(
            groups[keys.PHASE1] + groups[keys.PHASE2] + groups[keys.PHASE3],
            DEAD_START,
            DEAD_END,
            tags={"dagster/max_retries": "0"},
        )

        def holds_slot():
            info = instance.event_log_storage.get_concurrency_info(WAREHOUSE_POOL)
            return any(slot.run_id == run_id for slot in info.claimed_slots)

        # The run takes and releases the slot step by step: freeze the whole session, and kill it
        # only if the frozen run holds the slot (else let it go on and try again).
        def frozen_holding_slot():
            if not holds_slot():
                return False
            dev.signal(signal.SIGSTOP)
            if holds_slot():
                return True
            dev.signal(signal.SIGCONT)
            return False

        _wait("the run holding the warehouse slot", frozen_holding_slot, timeout=120, every=0.1)
        dev.kill()
    finally:
        dev.stop()
    run, pid = instance.get_run_by_id(run_id), _worker_pid(instance, run_id)
    _wait(f"the run worker {pid} gone with its session", lambda: process_identity(pid) is None, timeout=10)
    # What used to wedge the home: STARTED for good, holding the slot.
    assert run.status == dg.DagsterRunStatus.STARTED
    assert run_id in instance.event_log_storage.get_concurrency_run_ids()

    restarted = time.monotonic()
    port = free_port()
    dev = DagsterDev(
        ["dagster", "dev", "-w", str(ROOT / "workspace.yaml"), "-h", "127.0.0.1", "-p", str(port)], env, log, port
    )
    try:
        failed = _wait(
            "the dead run marked failed by the restarted daemon",
            lambda: instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.FAILURE,
            timeout=120,
        )
        marked_failed = time.monotonic() - restarted
        failure = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.RUN_FAILURE).records
        assert failed and f"its worker process {pid} is gone" in failure[-1].event_log_entry.dagster_event.message
        _wait(
            "the dead run's warehouse slot freed",
            lambda: run_id not in instance.event_log_storage.get_concurrency_run_ids(),
            timeout=60,
        )
        freed = time.monotonic() - restarted

        # Its dates are failed, not in progress: self-heal (attempts allowed) would re-request them.
        from nba_pipeline.automation.self_heal import plan_day
        from nba_pipeline.observe import partition_state

        state = partition_state(instance, keys.PLAYER_GAME_SUMMARY, DAY)
        assert state.failed and not state.in_progress, state
        plan = plan_day(instance, dt.date.fromisoformat(DAY), dt.datetime.fromisoformat(NOW), {}, max_attempts=3)
        assert keys.PLAYER_GAME_SUMMARY in plan.due, plan

        groups = dev.assets_by_group()
        new_run = dev.launch_range(groups[keys.PHASE1] + groups[keys.PHASE2], DAY, DAY)
        final = _wait(
            "a new run finished after the restart",
            lambda: instance.get_run_by_id(new_run).is_finished and instance.get_run_by_id(new_run),
            timeout=180,
            every=0.5,
        )
        assert final.status == dg.DagsterRunStatus.SUCCESS, log.read_text()[-3000:]
    finally:
        dev.stop()
    print(f"restart -> dead run marked failed {marked_failed:.1f} s, slot freed {freed:.1f} s")

    status = subprocess.run(
        [sys.executable, "-m", "nba_pipeline.cli", "status", "--date", DAY, "--home", str(home)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert f"run {run_id[:8]} ({DEAD_START}..{DEAD_END}) failed: its worker process {pid} is gone" in status.stdout, (
        status.stdout[-3000:] + status.stderr[-3000:]
    )
