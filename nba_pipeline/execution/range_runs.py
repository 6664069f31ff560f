"""Range runs: a range of game dates materialized the way Dagster's backfill of these assets runs it.

One run of the code location's asset job per chunk of at most the assets' BackfillPolicy size (100
dates), every selected asset and its per-date checks in the run in dependency order, each run a
lease on its assets and dates; the run executes in this process and reports each finished asset.
Used by the CLI (demo, backfill, evaluate, rebuild), the benchmarks and the tests.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import dagster as dg

from nba_pipeline.assets.definition import MAX_DATES_PER_RUN
from nba_pipeline.checks.names import CHECK_INPUTS_READY
from nba_pipeline.execution import leases
from nba_pipeline.execution.runs import create_asset_run, execute_asset_run, execute_prepared_run, standalone_check_keys
from nba_pipeline.instance.reaper import this_process
from nba_pipeline.instance.workers import PROCESS_TAG

# Step-level logs go to the instance (and the UI); the console stays quiet (failures are summarised
# by the caller). A run config every code-location job accepts, so the UI can re-execute the run.
QUIET_RUN_CONFIG = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


@dataclass
class Callbacks:
    """What the caller hears while a range runs: each finished asset, warnings the assets log (a
    warehouse lock being waited on, a retry), and a wait for another run holding the dates."""

    on_step: Callable[[StepDone], None] | None = None
    on_warning: Callable[[str], None] | None = None
    on_wait: Callable[[str], None] | None = None


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


class _Progress:
    """Turns a run's events, as they happen, into the caller's step and warning callbacks."""

    def __init__(
        self, on_step: Callable[[StepDone], None], group_of: dict[str, str], on_warning: Callable[[str], None] | None
    ):
        self.on_step, self.group_of, self.on_warning = on_step, group_of, on_warning
        self.retries: dict[str, int] = {}

    def event(self, event: dg.DagsterEvent) -> None:
        step = (event.step_key or "").replace("__", "/")
        data = event.event_specific_data
        if event.event_type_value == "STEP_UP_FOR_RETRY" and self.on_warning is not None:
            self.retries[step] = self.retries.get(step, 0) + 1
            self.on_warning(
                f"{step}: transient failure ({root_cause(data.error)}); retry {self.retries[step]} "
                f"in {data.seconds_to_wait or 0:.0f} s"
            )
        elif event.event_type_value == "STEP_SUCCESS":
            self.on_step(StepDone(step, self.group_of.get(step, ""), "ok", data.duration_ms / 1000))
        elif event.event_type_value == "STEP_FAILURE":
            self.on_step(StepDone(step, self.group_of.get(step, ""), "FAILED", 0.0, root_cause(data.error)))


class _WarningHandler(logging.Handler):
    """Warnings the assets log through Dagster's logger (a warehouse lock being waited on)."""

    def __init__(self, on_warning: Callable[[str], None]):
        super().__init__(level=logging.WARNING)
        self.on_warning = on_warning

    def emit(self, record: logging.LogRecord) -> None:
        self.on_warning(record.getMessage())


def materialize_range(
    defs: dg.Definitions,
    groups: Sequence[str],
    start: dt.date,
    end: dt.date,
    instance: dg.DagsterInstance,
    *,
    chunk_days: int | None = None,
    raise_on_error: bool = True,
    callbacks: Callbacks | None = None,
) -> list[RangeRun]:
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
    callbacks = callbacks or Callbacks()
    on_step, on_warning, on_wait = callbacks.on_step, callbacks.on_warning, callbacks.on_wait
    steps: list[StepDone] = []

    def _on_step(step: StepDone) -> None:
        if step.asset not in group_of:
            return  # a check of its own step (the standalone on-time and gap checks)
        steps.append(step)
        if on_step:
            on_step(step)

    progress = _Progress(_on_step, group_of, on_warning)
    run_config = QUIET_RUN_CONFIG
    runs = []
    handler = _WarningHandler(on_warning) if on_warning else None
    dagster_logger = logging.getLogger("dagster.builtin")
    if handler:
        dagster_logger.addHandler(handler)
    try:
        for lo, hi in date_chunks(start, end, chunk_days or MAX_DATES_PER_RUN):
            steps.clear()
            t0 = time.perf_counter()
            tags = {
                "dagster/asset_partition_range_start": lo.isoformat(),
                "dagster/asset_partition_range_end": hi.isoformat(),
                "nba_pipeline/trigger": "cli",
                PROCESS_TAG: this_process(),
            }
            # A lease on the chunk's assets and dates: wait while another run holds any of them.
            prepared = leases.claim(
                instance,
                _dagster_home(instance),
                selected,
                lo,
                hi,
                on_wait=on_wait,
                create=functools.partial(create_asset_run, defs, instance, selected, tags, run_config=run_config),
            )
            run, events = execute_prepared_run(prepared, instance, on_event=progress.event)
            success = run.status == dg.DagsterRunStatus.SUCCESS
            result = RangeRun(
                lo, hi, time.perf_counter() - t0, success, run.run_id, list(steps), not_run=len(selected) - len(steps)
            )
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
    run, _ = execute_asset_run(
        defs,
        instance,
        [],
        checks=checks,
        run_config=QUIET_RUN_CONFIG,
        tags={"nba_pipeline/trigger": "cli", PROCESS_TAG: this_process()},
    )
    return run


def _blocked_dates(events) -> tuple[dict[dt.date, list[str]], dict[dt.date, int]]:
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
                f"{ev.asset_key.to_user_string()} {ev.check_name}" + (f": {ev.description}" if ev.description else "")
            )
    return blocked, held


def root_cause(error) -> str:
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
