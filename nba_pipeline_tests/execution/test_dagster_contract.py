"""What the execution engine takes from Dagster's internals, each pinned by a test that fails if
Dagster's behaviour under it changes (execution/ and instance/ are the only code that imports
``dagster._``; each import there says why no public API serves).

Small assets, an ephemeral instance: these run in a second.
"""

import datetime as dt

import dagster as dg

from nba_pipeline.execution import readiness
from nba_pipeline.execution.recording import record_dates
from nba_pipeline.execution.runs import code_location_job_origin, create_asset_run, execute_prepared_run
from nba_pipeline.partitions import GAME_DATE_PARTITIONS

DAILY = GAME_DATE_PARTITIONS  # readiness reads partition status through it
DAYS = [dt.date(2025, 1, 2), dt.date(2025, 1, 3)]


@dg.asset(
    partitions_def=DAILY, check_specs=[dg.AssetCheckSpec("ok", asset="parent", blocking=True, partitions_def=DAILY)]
)
def parent(context: dg.AssetExecutionContext):
    """A range step that records each date and a per-date check, as every table asset does."""
    days = sorted(dt.date.fromisoformat(k) for k in context.partition_keys)
    checks = {d: [dg.AssetCheckResult(check_name="ok", passed=d != DAYS[1])] for d in days}
    yield from record_dates(
        context, days, metadata={}, per_date_metadata={d: {"dagster/row_count": 1} for d in days}, checks=checks
    )


@dg.asset(partitions_def=DAILY, deps=[parent])
def child(context: dg.AssetExecutionContext):
    """Reads the asset layer's graph: the parent's check, and whether it blocks."""
    graph = context.job_def.asset_layer.asset_graph
    [key] = graph.get(parent.key).check_keys
    return dg.MaterializeResult(metadata={"parent_check": key.name, "blocking": graph.get(key).blocking})


DEFS = dg.Definitions(assets=[parent, child], executor=dg.in_process_executor)
RANGE = {
    "dagster/asset_partition_range_start": DAYS[0].isoformat(),
    "dagster/asset_partition_range_end": DAYS[-1].isoformat(),
}


def _run(instance, selection=(parent.key, child.key)):
    prepared = create_asset_run(DEFS, instance, list(selection), tags=RANGE)
    events = []
    run, _ = execute_prepared_run(prepared, instance, on_event=events.append)
    return run, events


def test_a_run_created_with_the_code_locations_origin_executes_here_and_streams_its_events():
    instance = dg.DagsterInstance.ephemeral()
    run, events = _run(instance)
    assert run.status == dg.DagsterRunStatus.SUCCESS
    assert run.remote_job_origin == code_location_job_origin() and run.job_name == "__ASSET_JOB"
    assert set(run.asset_selection) == {parent.key, child.key}
    steps = [e.step_key for e in events if e.event_type_value == "STEP_SUCCESS"]
    assert steps == ["parent", "child"]  # as they happened, in dependency order


def test_a_range_step_records_each_dates_check_linked_to_that_dates_materialization():
    instance = dg.DagsterInstance.ephemeral()
    _run(instance)
    key = dg.AssetCheckKey(parent.key, "ok")
    infos = {
        i.partition_key: i
        for i in instance.event_log_storage.get_asset_check_partition_info(
            [key], partition_keys=[d.isoformat() for d in DAYS]
        )
    }
    assert {p: (i.latest_execution_status.value, i.is_current) for p, i in infos.items()} == {
        "2025-01-02": ("SUCCEEDED", True),
        "2025-01-03": ("FAILED", True),
    }


def test_readiness_reads_each_dates_blocking_checks_from_the_latest_evaluation():
    instance = dg.DagsterInstance.ephemeral()
    _run(instance)
    graph = DEFS.resolve_asset_graph()
    unready = readiness.same_date_unready(instance, graph, [parent.key], DAYS + [dt.date(2025, 1, 4)])
    assert DAYS[0] not in unready
    assert unready[DAYS[1]] == ["parent 2025-01-03: blocking check(s) ok did not pass"]
    assert unready[dt.date(2025, 1, 4)] == ["parent 2025-01-04: never materialized"]


def test_a_subset_runs_asset_layer_graph_holds_the_unselected_parents_blocking_checks():
    instance = dg.DagsterInstance.ephemeral()
    _run(instance)
    _run(instance, selection=[child.key])
    latest = instance.fetch_materializations(dg.AssetRecordsFilter(asset_key=child.key), limit=1).records[0]
    meta = latest.asset_materialization.metadata
    assert meta["parent_check"].value == "ok" and meta["blocking"].value is True
