"""Recording a run's dates: each date its own materialization (with its row count and metadata)
and its own check results, linked to that date's materialization.

Dagster records the check results of a run over a range without a partition; automation and the UI
read them per partition, so they are logged here as one evaluation per date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence

import dagster as dg

# An evaluation logged from an asset body must name the materialization it judged; Dagster builds
# this target only for a single-partition step. Covered by nba_pipeline_tests/execution/test_dagster_contract.py.
from dagster._core.definitions.asset_checks.asset_check_evaluation import AssetCheckEvaluationTargetMaterializationData

from nba_pipeline.checks.names import CHECK_INPUTS_READY


def inputs_ready_result(reason: str | None) -> dg.AssetCheckResult:
    if reason is None:
        return dg.AssetCheckResult(check_name=CHECK_INPUTS_READY, passed=True)
    return dg.AssetCheckResult(
        check_name=CHECK_INPUTS_READY, passed=False, description=reason, metadata={"reason": reason}
    )


# --- recording a run's dates ----------------------------------------------------------------------


def _check_evaluation(
    result: dg.AssetCheckResult,
    key: dg.AssetKey,
    spec: dg.AssetCheckSpec,
    day: str,
    target: AssetCheckEvaluationTargetMaterializationData,
) -> dg.AssetCheckEvaluation:
    return dg.AssetCheckEvaluation(
        asset_key=key,
        check_name=spec.name,
        passed=result.passed,
        metadata=result.metadata,
        target_materialization_data=target,
        severity=result.severity,
        description=result.description,
        blocking=spec.blocking,
        partition=day,
    )


def record_dates(
    context: dg.AssetExecutionContext,
    dates: Sequence[dt.date],
    *,
    metadata: Mapping,
    per_date_metadata: Mapping[dt.date, Mapping],
    checks: Mapping[dt.date, Sequence[dg.AssetCheckResult]],
) -> Iterator:
    """Yield the run's materialization, each date with its own metadata, then log each date's check
    results linked to that date's materialization.

    Dagster records the check results of a run over a range without a partition; automation and the
    UI read them per partition, so they are logged here as one evaluation per date. They are logged
    after the materialization because an evaluation must name the materialization it judged."""
    key = context.asset_key
    for day in dates:
        context.add_asset_metadata(dict(per_date_metadata.get(day, {})), partition_key=day.isoformat())
    yield dg.MaterializeResult(metadata=dict(metadata))

    partitions = [d.isoformat() for d in dates]
    records = context.instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=key, asset_partitions=partitions), limit=2 * len(partitions)
    ).records
    targets = {}
    for r in records:
        if r.run_id == context.run.run_id and r.partition_key not in targets:
            targets[r.partition_key] = AssetCheckEvaluationTargetMaterializationData(
                storage_id=r.storage_id, run_id=r.run_id, timestamp=r.timestamp
            )
    missing = [p for p in partitions if p not in targets]
    if missing:
        raise dg.DagsterInvariantViolationError(
            f"{key.to_user_string()}: no materialization of {', '.join(missing)} recorded by run {context.run.run_id}"
        )
    specs = {s.name: s for s in context.assets_def.check_specs if s.asset_key == key}
    selected = {k.name for k in context.selected_asset_check_keys if k.asset_key == key}
    for day in dates:
        for result in checks.get(day, ()):
            name = result.check_name
            if name not in selected:
                continue
            context.log_event(_check_evaluation(result, key, specs[name], day.isoformat(), targets[day.isoformat()]))
    # The check outputs themselves carry no value (the evaluations above are the results).
    for output_name, spec in context.assets_def.check_specs_by_output_name.items():
        if spec.key in context.selected_asset_check_keys:
            yield dg.Output(None, output_name=output_name)
