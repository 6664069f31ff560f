"""Running the graph from Python: the local instance and range materializations.

Used by the CLI (demo, backfill, evaluate) and the benchmarks. A range is materialized the way
Dagster's own backfill of these assets runs it (the UI's "Materialize all" over a partition range):
one run per chunk of at most the assets' BackfillPolicy size, every selected asset in the run in
dependency order; here the run executes in-process, with a line per finished asset.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

from nba_pipeline.assets.common import MAX_DATES_PER_RUN
from nba_pipeline.environment import ENV_DEPLOYMENT, Deployment, Environment, EnvironmentError_
from nba_pipeline.execution import leases
from nba_pipeline.execution.runs import (
    create_asset_run,
    execute_asset_run,
    execute_prepared_run,
    standalone_check_keys,
)
from nba_pipeline.instance import LOCAL_INSTANCE_YAML
# The process tag and the liveness test are shared with the daemon's run launcher.
from nba_pipeline.instance.workers import PROCESS_TAG, gone_reason, process_identity

# Step-level logs go to the instance (and the UI); the console stays quiet (failures are summarised by the caller).
QUIET_RUN_CONFIG = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


def ensure_local_instance(env: Environment) -> Path:
    """The DAGSTER_HOME every command uses, and so its Dagster instance (``dagster.yaml`` there).

    DAGSTER_HOME, when set, wins, and its dagster.yaml is used as it is, as Dagster's own tools
    would (the production instance: the repository's dagster.yaml, Postgres from DAGSTER_PG_*).
    Otherwise the home is ``$NBA_PIPELINE_HOME/dagster``. A missing dagster.yaml is written from the
    shipped local config (SQLite under the home) only for a local deployment: in prod it is an error,
    because runs recorded in a SQLite file on one machine would be invisible to the webserver,
    the daemon and every other worker."""
    home = Path(os.environ.get("DAGSTER_HOME") or env.dagster_home)
    cfg = home / "dagster.yaml"
    if env.deployment is Deployment.PROD and not cfg.is_file():
        raise EnvironmentError_(
            f"{ENV_DEPLOYMENT}=prod needs the production Dagster instance config, and {cfg} does not exist: "
            "set DAGSTER_HOME to the folder holding it (the repository's dagster.yaml: Postgres, with "
            "DAGSTER_PG_HOST, DAGSTER_PG_PORT, DAGSTER_PG_USERNAME, DAGSTER_PG_PASSWORD, DAGSTER_PG_DB set)")
    home.mkdir(parents=True, exist_ok=True)
    if not cfg.exists():
        # Written whole or not at all: a second command starting on the same empty home never reads
        # half a config.
        partial = home / f".dagster.yaml.{os.getpid()}"
        shutil.copyfile(str(LOCAL_INSTANCE_YAML), partial)
        os.replace(partial, cfg)
    os.environ["DAGSTER_HOME"] = str(home)
    return home


@dataclass
class StepDone:
    """One asset of a run finished: ok, or FAILED (an error). Dagster does not execute the children
    of a failed step; they finish neither way (``RangeRun.not_run``)."""

    asset: str
    group: str
    status: str
    seconds: float
    error: str | None = None


@dataclass
class RangeRun:
    start: dt.date
    end: dt.date
    seconds: float
    success: bool
    run_id: str
    steps: list[StepDone] = field(default_factory=list)
    # Dates held back by a failed blocking check: date -> ["asset check: why", ...] (root causes
    # only; the inputs_ready checks of their descendants are counted in `held`).
    blocked: dict[dt.date, list[str]] = field(default_factory=dict)
    held: dict[dt.date, int] = field(default_factory=dict)
    not_run: int = 0  # selected assets that never ran (downstream of a failed step)

    @property
    def error(self) -> str | None:
        failed = [f"{s.asset}: {s.error}" for s in self.steps if s.status == "FAILED"]
        return "; ".join(failed) or (None if self.success else "run failed")


def this_process() -> str:
    return process_identity(os.getpid()) or f"{socket.gethostname()}:{os.getpid()}:?"


def reap_dead_runs(instance: dg.DagsterInstance, only_this_process: bool = False) -> list[str]:
    """Runs still marked in progress whose process on this machine is gone: a run the CLI executed
    (every run it executes is tagged with its process), or one a `dagster dev` here launched whose
    worker died (with it, or on its own). Or, with ``only_this_process``, this process's own runs
    after an interrupt. Each is marked failed and the pool slots it held are freed at once (a dead
    run keeps the one warehouse slot, and every later run would wait for it). One line per run."""
    from nba_pipeline.observe import IN_PROGRESS, run_span

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
        notes.append(f"run {run.run_id[:8]} ({run_span(run)}) was still marked in progress but {why}: marked FAILED "
                     f"and freed the pool slots it held")
    return notes


class _Progress:
    """Turns a run's events, as they happen, into the caller's step and warning callbacks."""

    def __init__(self, on_step: Callable[[StepDone], None], group_of: dict[str, str],
                 on_warning: Callable[[str], None] | None):
        self.on_step, self.group_of, self.on_warning = on_step, group_of, on_warning
        self.retries: dict[str, int] = {}

    def event(self, event: dg.DagsterEvent) -> None:
        step = (event.step_key or "").replace("__", "/")
        data = event.event_specific_data
        if event.event_type_value == "STEP_UP_FOR_RETRY" and self.on_warning is not None:
            self.retries[step] = self.retries.get(step, 0) + 1
            self.on_warning(f"{step}: transient failure ({_root_cause(data.error)}); retry {self.retries[step]} "
                            f"in {data.seconds_to_wait or 0:.0f} s")
        elif event.event_type_value == "STEP_SUCCESS":
            self.on_step(StepDone(step, self.group_of.get(step, ""), "ok", data.duration_ms / 1000))
        elif event.event_type_value == "STEP_FAILURE":
            self.on_step(StepDone(step, self.group_of.get(step, ""), "FAILED", 0.0, _root_cause(data.error)))


class _WarningHandler(logging.Handler):
    """Warnings the assets log through Dagster's logger (a warehouse lock being waited on)."""

    def __init__(self, on_warning: Callable[[str], None]):
        super().__init__(level=logging.WARNING)
        self.on_warning = on_warning

    def emit(self, record: logging.LogRecord) -> None:
        self.on_warning(record.getMessage())


def materialize_range(defs: dg.Definitions, groups: Sequence[str], start: dt.date, end: dt.date,
                      instance: dg.DagsterInstance, on_step: Callable[[StepDone], None] | None = None,
                      chunk_days: int | None = None, raise_on_error: bool = True,
                      quiet: bool = True, on_warning: Callable[[str], None] | None = None,
                      on_wait: Callable[[str], None] | None = None) -> list[RangeRun]:
    """Materialize the assets of ``groups`` for ``start..end`` as Dagster's backfill of them does:
    one run of the code location's asset job per chunk of at most ``chunk_days`` dates (default:
    the assets' BackfillPolicy), every selected asset and its checks in that run in dependency
    order. Each date records its own materialization and checks inside the assets, so a date's rows
    and check results do not depend on how it was run; the runs are the code location's, so the UI
    lists them and can re-execute them."""
    graph = defs.resolve_asset_graph()
    selected = sorted(dg.AssetSelection.groups(*groups).resolve(graph), key=lambda k: k.to_user_string())
    if not selected:
        return []
    group_of = {k.to_user_string(): graph.get(k).group_name for k in selected}
    steps: list[StepDone] = []

    def _on_step(step: StepDone) -> None:
        if step.asset not in group_of:
            return  # a check of its own step (the standalone on-time and gap checks)
        steps.append(step)
        if on_step:
            on_step(step)

    progress = _Progress(_on_step, group_of, on_warning)
    run_config = QUIET_RUN_CONFIG if quiet else {}
    runs = []
    handler = _WarningHandler(on_warning) if on_warning else None
    dagster_logger = logging.getLogger("dagster.builtin")
    if handler:
        dagster_logger.addHandler(handler)
    try:
        for lo, hi in date_chunks(start, end, chunk_days or MAX_DATES_PER_RUN):
            steps.clear()
            t0 = time.perf_counter()
            tags = {"dagster/asset_partition_range_start": lo.isoformat(),
                    "dagster/asset_partition_range_end": hi.isoformat(),
                    "nba_pipeline/trigger": "cli", PROCESS_TAG: this_process()}
            # A lease on the chunk's assets and dates: wait while another run holds any of them.
            prepared = leases.claim(
                instance, _dagster_home(instance), selected, lo, hi, on_wait=on_wait,
                create=lambda: create_asset_run(defs, instance, selected, tags, run_config=run_config))
            run, events = execute_prepared_run(prepared, instance, on_event=progress.event)
            success = run.status == dg.DagsterRunStatus.SUCCESS
            result = RangeRun(lo, hi, time.perf_counter() - t0, success, run.run_id, list(steps),
                              not_run=len(selected) - len(steps))
            result.blocked, result.held = _blocked_dates(events)
            runs.append(result)
            if not success and raise_on_error:
                raise RuntimeError(f"{lo}..{hi} failed: {result.error}")
    finally:
        if handler:
            dagster_logger.removeHandler(handler)
    return runs


def _dagster_home(instance: dg.DagsterInstance) -> str | None:
    """Where the home's lock lives: the instance's folder. An ephemeral instance lives in this
    process only, so nothing else can race it and it needs no lock."""
    return instance.root_directory if instance.is_persistent else None


def evaluate_standalone_checks(defs: dg.Definitions, instance: dg.DagsterInstance) -> dg.DagsterRun | None:
    """One run of the checks that judge whole tables (on-time, season gaps), after a command's runs,
    so the UI shows every check of the command's dates evaluated (the 15-minute schedule keeps them
    current afterwards)."""
    checks = standalone_check_keys(defs)
    if not checks:
        return None
    run, _ = execute_asset_run(defs, instance, [], checks=checks, run_config=QUIET_RUN_CONFIG,
                               tags={"nba_pipeline/trigger": "cli", PROCESS_TAG: this_process()})
    return run


def _blocked_dates(events) -> tuple[dict[dt.date, list[str]], dict[dt.date, int]]:
    from nba_pipeline.assets.common import CHECK_INPUTS_READY

    blocked: dict[dt.date, list[str]] = {}
    held: dict[dt.date, int] = {}
    for event in events:
        if event.event_type_value != "ASSET_CHECK_EVALUATION":
            continue
        ev = event.event_specific_data
        if ev.passed or not ev.blocking or ev.severity != dg.AssetCheckSeverity.ERROR or ev.partition is None:
            continue
        day = dt.date.fromisoformat(ev.partition)
        if ev.check_name == CHECK_INPUTS_READY:
            held[day] = held.get(day, 0) + 1
        else:
            blocked.setdefault(day, []).append(
                f"{ev.asset_key.to_user_string()} {ev.check_name}" + (f": {ev.description}" if ev.description else ""))
    return blocked, held


def _root_cause(error) -> str:
    """The innermost error of a step failure, in one line (what the user needs to read)."""
    while getattr(error, "cause", None) is not None:
        error = error.cause
    return f"{error.cls_name}: {error.message.strip()}"[:600]


def date_chunks(start: dt.date, end: dt.date, days: int | None) -> list[tuple[dt.date, dt.date]]:
    if not days:
        return [(start, end)]
    out, lo = [], start
    while lo <= end:
        hi = min(lo + dt.timedelta(days=days - 1), end)
        out.append((lo, hi))
        lo = hi + dt.timedelta(days=1)
    return out
