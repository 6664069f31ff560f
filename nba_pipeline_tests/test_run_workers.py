"""The run worker health check the local run launcher gives run monitoring, and the reaping that
`nba-pipeline dev` (and every command) does with the same test: alive, dead, a reused pid, a worker
on another host, a worker that has not said where it is yet."""

import os
import socket
import subprocess
import sys
import time

import dagster as dg
import pytest
from dagster._core.events import DagsterEvent, DagsterEventType, EngineEventData
from dagster._core.launcher.base import WorkerStatus
from dagster._core.utils import make_new_run_id

from nba_pipeline import cli
from nba_pipeline.instance import reaper, workers
from nba_pipeline.instance.home import ensure_local_instance
from nba_pipeline.instance.launcher import LocalRunLauncher
from nba_pipeline.instance.workers import PROCESS_TAG, WORKER_HOST_TAG, found_gone, gone_reason

LOCAL_CONFIG = {
    "concurrency": {"pools": {"default_limit": 1}},
    "run_launcher": {"module": "nba_pipeline.instance.launcher", "class": "LocalRunLauncher"},
}


@pytest.fixture
def instance():
    with dg.instance_for_test(overrides=LOCAL_CONFIG) as inst:
        yield inst


@pytest.fixture
def child():
    """A live process standing in for a run worker."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield proc
    proc.kill()
    proc.wait()


def _daemon_run(
    instance,
    pid: int | None,
    host: str | None = None,
    logged_at: float | None = None,
    status=dg.DagsterRunStatus.STARTED,
) -> dg.DagsterRun:
    """A run as the daemon launches it: tagged with the worker's host by the launcher, holding the
    warehouse slot, its worker's pid in Dagster's own "Started process for run" engine event."""
    run = instance.add_run(
        dg.DagsterRun(
            job_name="__ASSET_JOB",
            run_id=make_new_run_id(),
            status=status,
            tags={WORKER_HOST_TAG: host or socket.gethostname()},
        )
    )
    instance.event_log_storage.claim_concurrency_slot("warehouse", run.run_id, "step")
    if pid is not None:
        event = DagsterEvent(
            DagsterEventType.ENGINE_EVENT.value,
            run.job_name,
            message=f"Started process for run (pid: {pid}).",
            event_specific_data=EngineEventData.in_process(pid),
        )
        instance.report_dagster_event(event, run.run_id, timestamp=logged_at)
    return instance.get_run_by_id(run.run_id)


def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(done.stdout)


def _health(instance, run):
    launcher = instance.run_launcher
    assert isinstance(launcher, LocalRunLauncher) and launcher.supports_check_run_worker_health
    return launcher.check_run_worker_health(instance.get_run_by_id(run.run_id))


def test_a_live_worker_is_running_and_then_known_exactly(instance, child):
    run = _daemon_run(instance, child.pid)
    assert _health(instance, run).status == WorkerStatus.RUNNING
    # Seen alive once, the run names its worker exactly (pid and start ticks): later checks compare
    # those, not clocks.
    identity = instance.get_run_by_id(run.run_id).tags[PROCESS_TAG]
    assert identity == workers.process_identity(child.pid)
    assert _health(instance, run).status == WorkerStatus.RUNNING
    child.kill()
    child.wait()
    result = _health(instance, run)
    assert result.status == WorkerStatus.FAILED and f"its worker process {child.pid} is gone" in result.msg


def test_a_dead_worker_fails_the_run(instance):
    pid = _dead_pid()
    result = _health(instance, _daemon_run(instance, pid))
    assert result.status == WorkerStatus.FAILED
    assert found_gone(result.msg) == f"its worker process {pid} is gone"


def test_a_reused_pid_is_not_the_worker(instance, child):
    # The worker logged its pid a minute ago; the process holding that pid now started after that.
    run = _daemon_run(instance, child.pid, logged_at=time.time() - 60)
    assert _health(instance, run).status == WorkerStatus.FAILED
    assert PROCESS_TAG not in instance.get_run_by_id(run.run_id).tags


def test_a_retry_is_not_judged_by_the_dead_worker_whose_tags_it_copied(instance, child):
    """Run retries (and the UI's re-execute) copy the parent's tags, the process tag of its dead
    worker included: the retry is judged by its own worker, and left alone until it has one."""
    dead = _daemon_run(instance, _dead_pid())
    dead_identity = f"{socket.gethostname()}:{_dead_pid()}:1"
    instance.add_run_tags(dead.run_id, {PROCESS_TAG: dead_identity})
    copied = {**instance.get_run_by_id(dead.run_id).tags, "dagster/parent_run_id": dead.run_id}
    retry = instance.add_run(
        dg.DagsterRun(
            job_name="__ASSET_JOB", run_id=make_new_run_id(), tags=copied, status=dg.DagsterRunStatus.STARTING
        )
    )
    assert gone_reason(instance, retry) is None
    notes = reaper.reap_dead_runs(instance)  # the dead parent only
    assert len(notes) == 1 and dead.run_id[:8] in notes[0], notes
    assert instance.get_run_by_id(retry.run_id).status == dg.DagsterRunStatus.STARTING
    event = DagsterEvent(
        DagsterEventType.ENGINE_EVENT.value,
        retry.job_name,
        message=f"Started process for run (pid: {child.pid}).",
        event_specific_data=EngineEventData.in_process(child.pid),
    )
    instance.report_dagster_event(event, retry.run_id)
    instance.handle_run_event(retry.run_id, DagsterEvent(DagsterEventType.RUN_START.value, retry.job_name))
    assert _health(instance, retry).status == WorkerStatus.RUNNING
    assert instance.get_run_by_id(retry.run_id).tags[PROCESS_TAG] == workers.process_identity(child.pid)


def test_runs_that_cannot_be_judged_here_are_left_running(instance):
    elsewhere = _daemon_run(instance, _dead_pid(), host="another-machine")
    not_started_yet = _daemon_run(instance, None)  # the worker has not logged its pid yet
    cli_run_elsewhere = instance.add_run(
        dg.DagsterRun(
            job_name="x",
            run_id=make_new_run_id(),
            status=dg.DagsterRunStatus.STARTED,
            tags={PROCESS_TAG: "another-machine:1:1"},
        )
    )
    for run in (elsewhere, not_started_yet, cli_run_elsewhere):
        # UNKNOWN would make run monitoring fail a run nobody here can see.
        assert _health(instance, run).status == WorkerStatus.RUNNING
        assert gone_reason(instance, run) is None
    assert reaper.reap_dead_runs(instance) == []


def test_the_reaper_fails_daemon_runs_whose_worker_is_gone_starting_ones_too(instance, child):
    pid = _dead_pid()
    dead_started = _daemon_run(instance, pid)
    dead_starting = _daemon_run(instance, pid, status=dg.DagsterRunStatus.STARTING)
    alive = _daemon_run(instance, child.pid)
    notes = reaper.reap_dead_runs(instance)
    assert len(notes) == 2 and all(f"its worker process {pid} is gone" in n for n in notes), notes
    for run in (dead_started, dead_starting):
        assert instance.get_run_by_id(run.run_id).status == dg.DagsterRunStatus.FAILURE
    assert instance.event_log_storage.get_concurrency_run_ids() == {alive.run_id}
    assert instance.get_run_by_id(alive.run_id).status == dg.DagsterRunStatus.STARTED


def test_nba_pipeline_dev_reaps_dead_runs_before_dagster_dev_starts(tmp_path, monkeypatch, capsys):
    """A restart after a killed `dagster dev` is clean at once: the dead run is failed, its slot
    freed, and the command says so before it hands over to `dagster dev`."""
    home = tmp_path / "home"
    monkeypatch.setenv("DAGSTER_HOME", str(home / "dagster"))
    monkeypatch.setenv("NBA_PIPELINE_HOME", str(home))
    started = {}
    monkeypatch.setattr(os, "execvp", lambda prog, argv: started.update(argv=argv))
    monkeypatch.setattr(os, "chdir", lambda path: None)
    from nba_pipeline.environment import current

    ensure_local_instance(current())
    pid = _dead_pid()
    with dg.DagsterInstance.get() as inst:  # the shipped local config: this launcher
        assert isinstance(inst.run_launcher, LocalRunLauncher)
        run = _daemon_run(inst, pid)
    assert cli.main(["dev", "--home", str(home), "--port", "3999"]) == 0
    out = capsys.readouterr().out
    assert f"cleaned up: run {run.run_id[:8]}" in out and f"its worker process {pid} is gone" in out, out
    assert "predates the run launcher" not in out
    assert started["argv"][:2] == ["dagster", "dev"]
    with dg.DagsterInstance.get() as inst:
        assert inst.get_run_by_id(run.run_id).status == dg.DagsterRunStatus.FAILURE
        assert inst.event_log_storage.get_concurrency_run_ids() == set()


def test_nba_pipeline_dev_says_when_a_home_predates_the_launcher(tmp_path, monkeypatch, capsys):
    from nba_pipeline.instance import LOCAL_INSTANCE_YAML

    home = tmp_path / "home"
    (home / "dagster").mkdir(parents=True)
    old = (
        LOCAL_INSTANCE_YAML.read_text()
        .replace("class: LocalRunLauncher", "class: DefaultRunLauncher")
        .replace("module: nba_pipeline.instance.launcher", "module: dagster")
    )
    (home / "dagster" / "dagster.yaml").write_text(old)
    monkeypatch.setenv("DAGSTER_HOME", str(home / "dagster"))
    monkeypatch.setenv("NBA_PIPELINE_HOME", str(home))
    monkeypatch.setattr(os, "execvp", lambda prog, argv: None)
    monkeypatch.setattr(os, "chdir", lambda path: None)
    assert cli.main(["dev", "--home", str(home)]) == 0
    assert "predates the run launcher that detects dead run workers" in capsys.readouterr().out
