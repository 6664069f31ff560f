"""Runs left "in progress" by a process of this machine that is gone: found, failed, their slots freed."""

from __future__ import annotations

import os
import socket

import dagster as dg

from nba_pipeline.instance.workers import PROCESS_TAG, gone_reason, process_identity
from nba_pipeline.observe import IN_PROGRESS, run_span


def this_process() -> str:
    return process_identity(os.getpid()) or f"{socket.gethostname()}:{os.getpid()}:?"


def reap_dead_runs(instance: dg.DagsterInstance, only_this_process: bool = False) -> list[str]:
    """Runs still marked in progress whose process on this machine is gone: a run the CLI executed
    (every run it executes is tagged with its process), or one a `dagster dev` here launched whose
    worker died (with it, or on its own). Or, with ``only_this_process``, this process's own runs
    after an interrupt. Each is marked failed and the pool slots it held are freed at once (a dead
    run keeps the one warehouse slot, and every later run would wait for it). One line per run."""
    me = this_process()
    notes = []
    for run in instance.get_runs(dg.RunsFilter(statuses=list(IN_PROGRESS))):
        if only_this_process:
            if run.tags.get(PROCESS_TAG) != me:
                continue
            why = "interrupted"
        else:
            why = gone_reason(instance, run)
            if why is None:
                continue  # alive, or not a process of this machine
        instance.report_run_failed(run, message=f"nba-pipeline: run left in progress ({why}); marked failed")
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        notes.append(
            f"run {run.run_id[:8]} ({run_span(run)}) was still marked in progress but {why}: marked FAILED "
            f"and freed the pool slots it held"
        )
    return notes
