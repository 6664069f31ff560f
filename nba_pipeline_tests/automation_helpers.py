"""Drive declarative automation in-process: report what landed, evaluate the conditions."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import dagster as dg
from dagster._core.definitions.asset_checks.asset_check_evaluation import AssetCheckEvaluationTargetMaterializationData
from dagster._core.event_api import AssetRecordsFilter
from dagster._core.events import DagsterEvent, DagsterEventType, StepMaterializationData
from dagster._core.utils import make_new_run_id

from nba_pipeline.definitions import ASSETS, defs
from nba_pipeline.observe import check_specs_by_asset

ET = ZoneInfo("America/New_York")
CHECKS = check_specs_by_asset(ASSETS)


def land(instance: dg.DagsterInstance, key: dg.AssetKey, day: dt.date, *, failing_checks: tuple[str, ...] = ()) -> None:
    """Record a materialization of ``key`` for ``day`` and its inline check results, as one run of
    the asset would (each call is a new run id, so a partition can land again)."""
    partition = day.isoformat()
    run_id = make_new_run_id()
    instance.report_dagster_event(
        DagsterEvent(
            DagsterEventType.ASSET_MATERIALIZATION.value,
            job_name="landing",
            event_specific_data=StepMaterializationData(dg.AssetMaterialization(asset_key=key, partition=partition)),
        ),
        run_id=run_id,
    )
    mat = instance.fetch_materializations(
        AssetRecordsFilter(asset_key=key, asset_partitions=[partition]), limit=1
    ).records[0]
    target = AssetCheckEvaluationTargetMaterializationData(
        storage_id=mat.storage_id, run_id=run_id, timestamp=mat.timestamp
    )
    for spec in CHECKS.get(key, []):
        evaluation = dg.AssetCheckEvaluation(
            asset_key=key,
            check_name=spec.name,
            passed=spec.name not in failing_checks,
            blocking=spec.blocking,
            partition=partition,
            target_materialization_data=target,
        )
        instance.report_dagster_event(
            DagsterEvent(
                DagsterEventType.ASSET_CHECK_EVALUATION.value, job_name="landing", event_specific_data=evaluation
            ),
            run_id=run_id,
        )


class Automation:
    """Successive ticks of the automation sensors (all conditions of the graph) at a fixed time."""

    def __init__(self, instance: dg.DagsterInstance, now: dt.datetime):
        self.instance, self.now, self.cursor = instance, now, None

    def tick(self) -> dg.EvaluateAutomationConditionsResult:
        result = dg.evaluate_automation_conditions(
            defs=defs, instance=self.instance, evaluation_time=self.now, cursor=self.cursor
        )
        self.cursor = result.cursor
        return result

    def requested(self, key: dg.AssetKey) -> set[str]:
        return set(self.tick().get_requested_partitions(key))
