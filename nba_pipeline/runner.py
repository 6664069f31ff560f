"""Running the graph from Python: the local instance and range materializations.

Used by the CLI (demo, backfill, evaluate) and the benchmarks. A range is materialized phase by
phase, each phase as one run over the whole range (the assets' single-run backfill policy), which is
how Dagster's own backfills of this graph run, just in-process.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from nba_pipeline import keys
from nba_pipeline.environment import Environment
from nba_pipeline.instance import LOCAL_INSTANCE_YAML

PHASE_ORDER = keys.RUN_ORDER
# Step-level logs go to the instance (and the UI); the console stays quiet (failures are summarised by the caller).
QUIET_RUN_CONFIG = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


def ensure_local_instance(env: Environment) -> Path:
    """DAGSTER_HOME under the pipeline home, with the shipped instance config, unless the user
    already points DAGSTER_HOME somewhere."""
    home = Path(os.environ.get("DAGSTER_HOME") or env.dagster_home)
    home.mkdir(parents=True, exist_ok=True)
    cfg = home / "dagster.yaml"
    if not cfg.exists():
        shutil.copyfile(str(LOCAL_INSTANCE_YAML), cfg)
    os.environ["DAGSTER_HOME"] = str(home)
    return home


@dataclass
class PhaseRun:
    group: str
    start: dt.date
    end: dt.date
    seconds: float
    success: bool
    run_id: str
    error: str | None = None


def materialize_range(defs: dg.Definitions, groups: Sequence[str], start: dt.date, end: dt.date,
                      instance: dg.DagsterInstance, on_phase: Callable[[PhaseRun], None] | None = None,
                      chunk_days: int | None = None, raise_on_error: bool = True,
                      quiet: bool = True) -> list[PhaseRun]:
    """Materialize ``groups`` (in phase order) for ``start..end``: one run per phase and chunk."""
    graph = defs.resolve_asset_graph()
    assets = [a for a in defs.assets if isinstance(a, dg.AssetsDefinition)]
    ordered = [g for g in PHASE_ORDER if g in groups]
    chunks = date_chunks(start, end, chunk_days)
    clock = defs.resources.get("clock")
    today = clock.today_et() if clock is not None else dt.date.today()
    runs = []
    for group in ordered:
        selection = dg.AssetSelection.groups(group)
        if not selection.resolve(graph):
            continue
        for lo, hi in chunks:
            t0 = time.perf_counter()
            result = dg.materialize(
                assets, instance=instance, selection=selection, resources=defs.resources,
                tags={"dagster/asset_partition_range_start": lo.isoformat(),
                      "dagster/asset_partition_range_end": hi.isoformat(),
                      "nba_pipeline/trigger": "cli"},
                run_config=QUIET_RUN_CONFIG if quiet else None,
                raise_on_error=False,
            )
            fan_out_range_checks(instance, result, lo, hi, today)
            err = None
            if not result.success:
                failures = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
                err = "; ".join(f"{e.step_key}: {_root_cause(e.event_specific_data.error)}"
                                for e in failures) or "run failed"
            run = PhaseRun(group, lo, hi, time.perf_counter() - t0, result.success, result.run_id, err)
            runs.append(run)
            if on_phase:
                on_phase(run)
            if not result.success and raise_on_error:
                raise RuntimeError(f"{group} {lo}..{hi} failed: {err}")
    return runs


# Dagster records the check results of a run over a partition range once, without a partition, but
# automation (all_deps_blocking_checks_passed) and status read per-partition results. For the dates
# automation can still act on, the range result is fanned out per date, linked to that date's
# materialization from the same run. A check names the dates it failed on in "failing_dates";
# without that, a failure counts for every date.
FAN_OUT_DAYS = 7


def fan_out_range_checks(instance: dg.DagsterInstance, result, lo: dt.date, hi: dt.date, today: dt.date) -> None:
    from dagster._core.definitions.asset_checks.asset_check_evaluation import (
        AssetCheckEvaluationTargetMaterializationData,
    )
    from dagster._core.event_api import AssetRecordsFilter
    from dagster._core.events import DagsterEvent, DagsterEventType

    if lo == hi:
        return
    recent = today - dt.timedelta(days=FAN_OUT_DAYS)
    days = [d.isoformat() for d in (lo + dt.timedelta(days=i) for i in range((hi - lo).days + 1)) if d >= recent]
    if not days:
        return
    mats: dict = {}
    for event in result.all_events:
        if event.event_type_value != DagsterEventType.ASSET_CHECK_EVALUATION.value:
            continue
        ev = event.event_specific_data
        if ev.partition is not None:
            continue
        if ev.asset_key not in mats:
            records = instance.fetch_materializations(
                AssetRecordsFilter(asset_key=ev.asset_key, asset_partitions=days), limit=len(days) * 4).records
            mats[ev.asset_key] = {r.partition_key: r for r in records if r.run_id == result.run_id}
        failing = ev.metadata.get("failing_dates")
        failing = set(failing.value) if failing is not None else None
        for day, rec in mats[ev.asset_key].items():
            passed = ev.passed or (failing is not None and day not in failing)
            per_day = dg.AssetCheckEvaluation(
                asset_key=ev.asset_key, check_name=ev.check_name, passed=passed, metadata=ev.metadata,
                severity=ev.severity, description=ev.description, blocking=ev.blocking, partition=day,
                target_materialization_data=AssetCheckEvaluationTargetMaterializationData(
                    storage_id=rec.storage_id, run_id=rec.run_id, timestamp=rec.timestamp))
            instance.report_dagster_event(DagsterEvent(DagsterEventType.ASSET_CHECK_EVALUATION.value,
                                                       job_name=event.job_name, event_specific_data=per_day),
                                          run_id=result.run_id)


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
