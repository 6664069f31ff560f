"""Which dates of a run, or of an automation tick, have their inputs ready.

A date D of an asset is ready when every required same-date parent's partition D landed (its
latest run did not fail, its blocking checks passed on its latest materialization) and every
history parent's partition D-1 did too. Optional parents never hold a date back (legacy incident
16: a disabled source blocked a phase for three days). The run (``inputs_ready``) and automation
(``HistoryReady``) apply this same rule, so what automation requests is what a run computes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import dagster as dg

# The type of a job's asset graph and of automation's: neither is exported, and readiness takes both.
from dagster._core.definitions.assets.graph.base_asset_graph import BaseAssetGraph

# Dagster has no public query for "the latest evaluation of a check on a partition"; the UI and
# automation read this storage method (covered by nba_pipeline_tests/execution/test_dagster_contract.py).
from dagster._core.event_api import PartitionKeyFilter

from nba_pipeline.execution.leases import holders
from nba_pipeline.partitions import FIRST_GAME_DATE, GAME_DATE_PARTITIONS

_LANDED = (dg.AssetPartitionStatus.MATERIALIZED,)


def _blocking_check_keys(graph: BaseAssetGraph, parent: dg.AssetKey) -> list[dg.AssetCheckKey]:
    return sorted((k for k in graph.get(parent).check_keys if graph.get(k).blocking), key=lambda k: k.name)


def latest_check_executions(instance: dg.DagsterInstance, keys: Sequence[dg.AssetCheckKey], partition: str) -> dict:
    """Each check's latest execution record on one partition (status, event, run, timestamp)."""
    return dict(
        instance.event_log_storage.get_latest_asset_check_execution_by_key(
            list(keys), partition_filter=PartitionKeyFilter(key=partition)
        )
    )


def _unpassed_checks(
    instance: dg.DagsterInstance, graph: BaseAssetGraph, parent: dg.AssetKey, partitions: list[str]
) -> dict[str, list[str]]:
    """Per parent partition, its blocking checks that did not pass on its latest materialization
    (failed with ERROR severity, or never evaluated). WARN-severity failures (a coverage bypass) pass."""
    blocking = _blocking_check_keys(graph, parent)
    if not blocking or not partitions:
        return {}
    ok = {
        (i.check_key, i.partition_key)
        for i in instance.event_log_storage.get_asset_check_partition_info(blocking, partition_keys=partitions)
        if i.is_current and i.latest_execution_status.value == "SUCCEEDED"
    }
    out: dict[str, list[str]] = {}
    for p in partitions:
        for key in blocking:
            if (key, p) in ok:
                continue
            latest = instance.event_log_storage.get_latest_asset_check_execution_by_key(
                [key], partition_filter=PartitionKeyFilter(key=p)
            ).get(key)
            event = latest.event.dagster_event.event_specific_data if latest and latest.event else None
            if not isinstance(event, dg.AssetCheckEvaluation):
                out.setdefault(p, []).append(f"{key.name} (not evaluated)")
            elif event.passed or event.severity != dg.AssetCheckSeverity.WARN:
                out.setdefault(p, []).append(key.name)
    return out


def _status(instance: dg.DagsterInstance, parent: dg.AssetKey, partitions: list[str]) -> dict:
    return instance.get_status_by_partition(parent, partitions, GAME_DATE_PARTITIONS) or {} if partitions else {}


def _being_written(instance: dg.DagsterInstance, parent: dg.AssetKey, day: dt.date, run_id: str | None) -> str:

    held = [h for h in holders(instance, [parent], day, day) if h.run.run_id != run_id]
    return f"being materialized by {held[0].describe()}" if held else "being materialized by another run"


def same_date_unready(
    instance: dg.DagsterInstance,
    graph: BaseAssetGraph,
    parents: Iterable[dg.AssetKey],
    dates: Sequence[dt.date],
    run_id: str | None = None,
) -> dict[dt.date, list[str]]:
    """Dates whose partition of a required same-date parent is missing, failed or blocked."""
    reasons: dict[dt.date, list[str]] = {}
    partitions = [d.isoformat() for d in dates]
    for parent in sorted(parents, key=lambda k: k.to_user_string()):
        status = _status(instance, parent, partitions)
        unpassed = _unpassed_checks(instance, graph, parent, [p for p in partitions if status.get(p) in _LANDED])
        name = parent.to_user_string()
        for d, p in zip(dates, partitions):
            state = status.get(p)
            if state == dg.AssetPartitionStatus.FAILED:
                reasons.setdefault(d, []).append(f"{name} {p}: its latest run failed")
            elif state is None:
                reasons.setdefault(d, []).append(f"{name} {p}: never materialized")
            elif state == dg.AssetPartitionStatus.IN_PROGRESS:
                reasons.setdefault(d, []).append(f"{name} {p}: {_being_written(instance, parent, d, run_id)}")
            elif p in unpassed:
                reasons.setdefault(d, []).append(f"{name} {p}: blocking check(s) {', '.join(unpassed[p])} did not pass")
    return reasons


def history_unready(
    instance: dg.DagsterInstance,
    graph: BaseAssetGraph,
    parents: Iterable[dg.AssetKey],
    dates: Sequence[dt.date],
    missing_blocks: bool = False,
    run_id: str | None = None,
) -> dict[dt.date, list[str]]:
    """Dates whose history (a history parent's partition of the day before) is not ready.

    A day before the home's first partition of that parent is no gap: the first date of a home (a
    backfill that starts mid-season) computes from the history there is. A missing day after it is a
    gap, and a day another run is still computing is not history yet. With ``missing_blocks`` any
    missing day before blocks (automation: a recent date waits for yesterday's results)."""
    first = dt.date.fromisoformat(FIRST_GAME_DATE)
    reasons: dict[dt.date, list[str]] = {}
    wanted = {d: d - dt.timedelta(days=1) for d in dates if d - dt.timedelta(days=1) >= first}
    partitions = sorted({p.isoformat() for p in wanted.values()})
    for parent in sorted(parents, key=lambda k: k.to_user_string()):
        status = _status(instance, parent, partitions)
        landed = [p for p in partitions if status.get(p) in _LANDED]
        unpassed = _unpassed_checks(instance, graph, parent, landed)
        held = None
        name = parent.to_user_string()
        for d, before in wanted.items():
            p = before.isoformat()
            state = status.get(p)
            if state == dg.AssetPartitionStatus.FAILED:
                reasons.setdefault(d, []).append(f"{name} {p} (history): its latest run failed")
            elif state == dg.AssetPartitionStatus.IN_PROGRESS:
                reasons.setdefault(d, []).append(
                    f"{name} {p} (history): {_being_written(instance, parent, before, run_id)}"
                )
            elif state is None:
                if held is None and not missing_blocks:
                    held = sorted(instance.get_materialized_partitions(parent))
                if missing_blocks:
                    reasons.setdefault(d, []).append(f"{name} {p} (history): never materialized")
                elif held and held[0] < p:
                    reasons.setdefault(d, []).append(
                        f"{name} {p} (history): never materialized, though the home holds {held[0]} and later"
                    )
            elif p in unpassed:
                reasons.setdefault(d, []).append(
                    f"{name} {p} (history): blocking check(s) {', '.join(unpassed[p])} did not pass"
                )
    return reasons


def unready_dates(
    instance: dg.DagsterInstance,
    graph: BaseAssetGraph,
    key: dg.AssetKey,
    dates: Sequence[dt.date],
    optional: Iterable[dg.AssetKey] = (),
    history: Iterable[dg.AssetKey] = (),
    run_id: str | None = None,
) -> dict[dt.date, str]:
    """Dates of ``key`` whose required inputs are not ready, with the reason (parent, date, check)."""
    parents = set(graph.get(key).parent_keys)
    history = set(history) & parents
    same_date = parents - set(optional) - history
    reasons = same_date_unready(instance, graph, same_date, dates, run_id)
    for d, why in history_unready(instance, graph, history, dates, run_id=run_id).items():
        reasons.setdefault(d, []).extend(why)
    return {d: "; ".join(r) for d, r in sorted(reasons.items())}
