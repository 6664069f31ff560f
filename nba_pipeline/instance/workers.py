"""Is the process executing a run still there? One answer for the CLI's runs and the daemon's.

A run left "in progress" by a process that died (kill -9, an OOM kill, a closed laptop, a killed
`dagster dev`) keeps its warehouse pool slot, and every later run waits for it forever. Each run
therefore records where its work happens:

* a run the CLI executes in-process is tagged with that process (``PROCESS_TAG``: host, pid and
  the process's start time in clock ticks, so a reused pid is not mistaken for it);
* a run the daemon launches through ``LocalRunLauncher`` is tagged with this host
  (``WORKER_HOST_TAG``), and its run worker records its own pid in Dagster's "Started process for
  run (pid: N)" engine event. A pid that now belongs to a process started after that event is a
  reused pid, not the worker. The first check that finds the worker alive tags the run with its
  exact identity, so later checks compare start ticks and never clocks.

A re-execution (run retries, the UI's re-execute) starts with a copy of its parent's tags: a process
tag equal to the parent's is the parent's process and is ignored (the launcher rewrites the host).

A worker is gone when no live (non-zombie) process with that identity exists on this host. Runs
whose worker lives on another host or that name no worker are never judged: nothing here can see
them, and a production instance (Postgres, other machines) is left to its own launcher.
"""

from __future__ import annotations

import os
import re
import socket
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

PROCESS_TAG = "nba_pipeline/process"
WORKER_HOST_TAG = "nba_pipeline/worker_host"

# Dagster's run worker logs this engine event, with its pid as metadata, before it starts the run
# (dagster/_grpc/impl.py for a code server's worker, dagster/_cli/api.py for `dagster api execute_run`).
_WORKER_EVENT_PREFIX = "Started process for run"
_PARENT_RUN_ID_TAG = "dagster/parent_run_id"  # set by Dagster on every re-execution of a run
# The start time in /proc is whole clock ticks after a boot time /proc/stat gives in whole seconds:
# a live worker may compute as up to 1 s earlier than the event it logged, never later. The slack
# covers clock adjustments between the event and the first check.
_START_SLACK_SECONDS = 2.0
# "its process 15077 is gone" (a CLI run), "its worker process 15077 is gone" (a daemon-launched run):
# the phrase every "marked failed" message carries, so `status` can find those runs again.
_GONE = re.compile(r"its (?:worker )?process (\d+) is gone")


def _stat(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat after the command name (state first), or None if there is no
    such process or it has exited (a zombie waiting for its parent)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return None if fields[0] == "Z" else fields


def process_identity(pid: int) -> str | None:
    """host:pid:start-ticks of a live process (field 22 of /proc/<pid>/stat), else None."""
    fields = _stat(pid)
    return None if fields is None else f"{socket.gethostname()}:{pid}:{fields[19]}"


def _started_at(start_ticks: str) -> float:
    """Wall-clock instant a process started, from its start ticks since boot."""
    boot = next(
        int(line.split()[1]) for line in Path("/proc/stat").read_text().splitlines() if line.startswith("btime ")
    )
    return boot + int(start_ticks) / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Worker:
    """The process a run's work happens in, as the run recorded it."""

    host: str
    pid: int
    identity: str | None  # host:pid:start-ticks when known exactly
    recorded_at: float | None  # when the worker logged its pid (daemon runs before the first check)
    label: str  # "process" (the CLI executing the run) or "worker process" (a daemon-launched run)

    @property
    def here(self) -> bool:
        return self.host == socket.gethostname()

    def current_identity(self) -> str | None:
        """The identity of the live process that is this worker, or None if it is gone."""
        now = process_identity(self.pid)
        if now is None:
            return None
        if self.identity is not None:
            return now if now == self.identity else None
        started = _started_at(now.rsplit(":", 1)[1])
        return now if self.recorded_at is not None and started <= self.recorded_at + _START_SLACK_SECONDS else None


def _inherited(instance: dg.DagsterInstance, run: dg.DagsterRun, key: str) -> bool:
    """A re-execution (a run retry, the UI's re-execute) starts with a copy of its parent's tags: a
    process tag equal to the parent's names the parent's process, never this run's (no process runs
    two runs of one run group)."""
    parent_id = run.tags.get(_PARENT_RUN_ID_TAG)
    parent = instance.get_run_by_id(parent_id) if parent_id else None
    return parent is not None and parent.tags.get(key) == run.tags.get(key)


def worker_of(instance: dg.DagsterInstance, run: dg.DagsterRun) -> Worker | None:
    """Where the run's work happens, or None when the run does not say (not launched here, or its
    worker has not logged its pid yet)."""
    host = run.tags.get(WORKER_HOST_TAG)
    label = "worker process" if host else "process"
    owner = run.tags.get(PROCESS_TAG)
    if owner is not None and not _inherited(instance, run, PROCESS_TAG):
        parts = owner.rsplit(":", 2)  # host:pid:start-ticks; anything else names no process
        return Worker(parts[0], int(parts[1]), owner, None, label) if len(parts) == 3 and parts[1].isdigit() else None
    if not host:
        return None
    logged = instance.get_records_for_run(run.run_id, of_type=dg.DagsterEventType.ENGINE_EVENT).records
    for record in reversed(logged):  # the latest worker, if Dagster ever resumed the run in a new one
        event = record.event_log_entry
        data = event.dagster_event.engine_event_data if event.dagster_event else None
        pid = data.metadata.get("pid") if data is not None else None
        if (
            pid is not None
            and event.dagster_event.step_key is None
            and (event.dagster_event.message or "").startswith(_WORKER_EVENT_PREFIX)
        ):
            return Worker(host, int(pid.value), None, event.timestamp, label)
    return None


def gone_reason(instance: dg.DagsterInstance, run: dg.DagsterRun) -> str | None:
    """Why the run is dead ("its worker process 1234 is gone") when its worker was on this host and
    no longer exists; None when it is alive or cannot be judged from here."""
    if not Path("/proc/self/stat").exists():
        return None  # no /proc (not Linux): no way to tell a live process from a dead one
    worker = worker_of(instance, run)
    if worker is None or not worker.here:
        return None
    alive = worker.current_identity()
    if alive is None:
        return f"its {worker.label} {worker.pid} is gone"
    if worker.identity is None:
        # Seen alive once: from now on the exact start ticks decide, whatever the clock does.
        instance.add_run_tags(run.run_id, {PROCESS_TAG: alive})
    return None


def found_gone(message: str | None) -> str | None:
    """The "its ... process N is gone" phrase of a failure message, if the run was found dead."""
    match = _GONE.search(message or "")
    return match.group(0) if match else None
