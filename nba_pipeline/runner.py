"""Running the graph from Python: the local instance and range materializations.

Used by the CLI (demo, backfill, evaluate) and the benchmarks. A range is materialized phase by
phase, each phase as range runs of at most the assets' BackfillPolicy size: the same kind of run a
Dagster backfill of these assets launches, executed in-process.
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
from nba_pipeline.assets.common import MAX_DATES_PER_RUN
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
    """Materialize ``groups`` (in phase order) for ``start..end``: one range run per phase and chunk
    of at most ``chunk_days`` dates (default: the assets' BackfillPolicy), the runs a Dagster
    backfill of the same assets launches. Each date records its own materialization and checks
    inside the assets, so nothing here is specific to the CLI. A chunk whose run failed does not go
    on to later phases (as a backfill does not launch children of failed partitions)."""
    graph = defs.resolve_asset_graph()
    assets = [a for a in defs.assets if isinstance(a, dg.AssetsDefinition)]
    ordered = [g for g in PHASE_ORDER if g in groups]
    chunks = date_chunks(start, end, chunk_days or MAX_DATES_PER_RUN)
    failed_chunks: set[tuple[dt.date, dt.date]] = set()
    runs = []
    for group in ordered:
        selection = dg.AssetSelection.groups(group)
        if not selection.resolve(graph):
            continue
        for lo, hi in chunks:
            if (lo, hi) in failed_chunks:
                continue
            t0 = time.perf_counter()
            result = dg.materialize(
                assets, instance=instance, selection=selection, resources=defs.resources,
                tags={"dagster/asset_partition_range_start": lo.isoformat(),
                      "dagster/asset_partition_range_end": hi.isoformat(),
                      "nba_pipeline/trigger": "cli"},
                run_config=QUIET_RUN_CONFIG if quiet else None,
                raise_on_error=False,
            )
            err = None
            if not result.success:
                failed_chunks.add((lo, hi))
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
