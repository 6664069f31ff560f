"""What Dagster recorded about one asset partition: the single source of truth for "is it done".

Completion is a materialization recorded by the run that wrote the rows, never a flag (legacy
incidents 10, 15, 17, 24): status, self-heal and alerts all read it from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import dagster as dg

from nba_pipeline.execution.readiness import latest_check_executions
from nba_pipeline.instance.workers import found_gone

IN_PROGRESS = {
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
}


@dataclass
class PartitionState:
    asset: dg.AssetKey
    partition: str
    materialized_at: float | None = None
    materialized_run_id: str | None = None
    row_count: int | None = None
    code_identity: str | None = None
    latest_run_id: str | None = None
    latest_run_status: str | None = None
    in_progress: bool = False
    attempt_failed: bool = False  # the latest attempt did not materialize (run failed or step skipped)
    failed_blocking_checks: list[str] = field(default_factory=list)
    failed_checks: list[str] = field(default_factory=list)  # non-blocking or WARN severity
    passed_checks: list[str] = field(default_factory=list)

    @property
    def materialized(self) -> bool:
        return self.materialized_at is not None

    @property
    def failed(self) -> bool:
        return (self.attempt_failed and not self.in_progress) or bool(self.failed_blocking_checks)

    @property
    def healthy(self) -> bool:
        """Materialized, its latest run did not fail and its blocking checks passed. A refresh in
        progress (a line update re-running predictions in the evening) does not make a partition
        that already passed its checks unhealthy: its rows stand until the refresh lands."""
        return self.materialized and not self.failed

    @property
    def refreshing(self) -> bool:
        return self.in_progress and self.healthy


def partition_state(
    instance: dg.DagsterInstance, asset: dg.AssetKey, partition: str, check_specs: list[dg.AssetCheckSpec] = ()
) -> PartitionState:
    state = PartitionState(asset, partition)
    mats = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=asset, asset_partitions=[partition]), limit=1
    )
    mat = mats.records[0] if mats.records else None
    if mat is not None:
        state.materialized_at = mat.timestamp
        state.materialized_run_id = mat.run_id
        meta = mat.asset_materialization.metadata if mat.asset_materialization else {}
        rows = meta.get("dagster/row_count")
        state.row_count = int(rows.value) if rows is not None else None
        ident = meta.get("code_identity")
        state.code_identity = str(ident.value) if ident is not None else None
    planned = instance.get_latest_planned_materialization_info(asset, partition)
    if planned is not None and (mat is None or planned.storage_id > mat.storage_id):
        run = instance.get_run_by_id(planned.run_id)
        if run is not None:
            state.latest_run_id, state.latest_run_status = run.run_id, run.status.value
            state.in_progress = run.status in IN_PROGRESS
            state.attempt_failed = not state.in_progress
    elif mat is not None:
        run = instance.get_run_by_id(mat.run_id)
        state.latest_run_id = mat.run_id
        state.latest_run_status = run.status.value if run else None
    if check_specs:
        keys = [dg.AssetCheckKey(asset, c.name) for c in check_specs]
        latest = latest_check_executions(instance, keys, partition)
        by_name = {c.name: c for c in check_specs}
        for key, rec in latest.items():
            if mat is not None and rec.run_id != state.materialized_run_id and rec.create_timestamp < mat.timestamp:
                continue  # a check of an older materialization
            if rec.status.value == "SUCCEEDED":
                state.passed_checks.append(key.name)
            elif rec.status.value == "FAILED":
                severity = None
                if rec.event is not None and rec.event.dagster_event is not None:
                    severity = getattr(rec.event.dagster_event.event_specific_data, "severity", None)
                blocking = by_name[key.name].blocking and severity != dg.AssetCheckSeverity.WARN
                (state.failed_blocking_checks if blocking else state.failed_checks).append(key.name)
    return state


def check_specs_by_asset(assets) -> dict[dg.AssetKey, list[dg.AssetCheckSpec]]:
    """Inline check specs of each asset (standalone checks are evaluated on their own schedule)."""
    out: dict[dg.AssetKey, list[dg.AssetCheckSpec]] = {}
    for a in assets:
        if isinstance(a, dg.AssetsDefinition):
            for spec in a.check_specs:
                out.setdefault(spec.asset_key, []).append(spec)
    return out


def run_span(run: dg.DagsterRun) -> str:
    """The dates a run covers, as its tags say: "2025-01-10..2025-01-16", "2025-01-10" or ""."""
    span = [run.tags.get("dagster/asset_partition_range_start"), run.tags.get("dagster/asset_partition_range_end")]
    return "..".join(filter(None, span)) or run.tags.get("dagster/partition", "")


def runs_found_dead(instance: dg.DagsterInstance, assets, partition: str) -> list[tuple[dg.DagsterRun, str]]:
    """Runs that planned ``partition`` of any of ``assets`` and were marked failed because their
    process was gone (by run monitoring or the CLI), with that reason: newest first."""
    run_ids: set[str] = set()
    for key in assets:
        # The storage's own query: the instance's equivalents are deprecated (without a successor)
        # or warn about partition-subset events, which this project never records (one per date).
        planned = instance.event_log_storage.get_event_records(
            dg.EventRecordsFilter(
                dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED, asset_key=key, asset_partitions=[partition]
            ),
            limit=50,
        )
        run_ids.update(record.run_id for record in planned)
    if not run_ids:
        return []
    dead = []
    for run in instance.get_runs(dg.RunsFilter(run_ids=sorted(run_ids), statuses=[dg.DagsterRunStatus.FAILURE])):
        failure = instance.get_records_for_run(
            run.run_id, of_type=dg.DagsterEventType.RUN_FAILURE, ascending=False, limit=1
        ).records
        why = found_gone(failure[0].event_log_entry.dagster_event.message) if failure else None
        if why is not None:
            dead.append((run, why))
    return dead
