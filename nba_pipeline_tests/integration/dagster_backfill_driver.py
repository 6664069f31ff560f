"""Drive a partition backfill the way the UI does, through Dagster's own machinery, in one process.

    python -m nba_pipeline_tests.integration.dagster_backfill_driver START END [--params dialog|range|all]
                                                                      [--plan-only]

The environment names the pipeline home, source and clock (as for `nba-pipeline`). The backfill is
launched with the webserver's GraphQL mutation (`launchPartitionBackfill`) against the code location
loaded as `dagster dev` loads it (workspace.yaml's module, in a code server), with the parameters of
`--params`:

* ``dialog`` (default): what the UI's backfill dialog sends (dagster-webserver's
  `LaunchAssetChoosePartitionsDialog`: "Materialize all" -> choose dates -> "Launch backfill"):
  ``assetSelection`` (every asset) + ``partitionNames`` (each chosen date) + ``fromFailure: false``;
* ``all``: the same dialog with "All partitions" (``allPartitions: true``);
* ``range``: ``partitionsByAssets`` with a range per asset (the GraphQL API's other form; the dialog
  never sends it).

The backfill daemon's own iteration advances it; runs execute synchronously (Dagster's in-memory run
launcher) instead of waiting for 30-second daemon ticks. With ``--plan-only`` runs are queued and
never executed, and one iteration shows how the daemon plans the whole backfill. Prints one JSON
object: the backfill status, each run (status, partition range, assets), each asset's materialized
partitions and each table's dates.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
from pathlib import Path

import dagster as dg

ROOT = Path(__file__).resolve().parents[2]
LAUNCH = """
mutation($p: LaunchBackfillParams!) {
  launchPartitionBackfill(backfillParams: $p) {
    __typename
    ... on LaunchBackfillSuccess { backfillId }
    ... on PythonError { message }
    ... on InvalidSubsetError { message }
  }
}"""


# What the dialog adds to every launch (ui-core/src/launchpad/uiExecutionTags.tsx).
UI_EXECUTION_TAGS = [{"key": "dagster/from_ui", "value": "true"}]


def launch_params(kind: str, asset_paths: list[list[str]], start: str, end: str) -> dict:
    """The ``backfillParams`` of ``launchPartitionBackfill`` for each way of asking. ``dialog`` and
    ``all`` are what ui-core/src/assets/LaunchAssetChoosePartitionsDialog.tsx builds for an asset
    selection outside a job (its third and second branches)."""
    if kind == "range":
        return {
            "partitionsByAssets": [
                {"assetKey": {"path": p}, "partitions": {"range": {"start": start, "end": end}}} for p in asset_paths
            ]
        }
    selection = [{"path": p} for p in asset_paths]
    if kind == "all":
        return {"tags": UI_EXECUTION_TAGS, "assetSelection": selection, "allPartitions": True}
    lo, hi = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    names = [(lo + dt.timedelta(days=i)).isoformat() for i in range((hi - lo).days + 1)]
    return {"tags": UI_EXECUTION_TAGS, "assetSelection": selection, "partitionNames": names, "fromFailure": False}


def main(start: str, end: str, kind: str, plan_only: bool) -> dict:
    from dagster._core.instance.ref import InstanceRef
    from dagster._core.test_utils import create_test_daemon_workspace_context
    from dagster._core.workspace.load_target import ModuleTarget
    from dagster._daemon.backfill import execute_backfill_iteration
    from dagster_graphql.test.utils import execute_dagster_graphql

    home = Path(os.environ["DAGSTER_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    overrides = {
        "run_coordinator": {"module": "dagster._core.run_coordinator", "class": "DefaultRunCoordinator"},
        "run_launcher": {
            "module": "dagster._core.launcher.sync_in_memory_run_launcher",
            "class": "SyncInMemoryRunLauncher",
        },
    }
    if plan_only:  # queued and never dequeued: no queue daemon runs here
        overrides = {"run_coordinator": {"module": "dagster._core.run_coordinator", "class": "QueuedRunCoordinator"}}
    instance = dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(home), overrides=overrides))
    target = ModuleTarget(
        module_name="nba_pipeline.definitions",
        attribute="defs",
        working_directory=str(ROOT),
        location_name="nba_pipeline",
    )
    with create_test_daemon_workspace_context(target, instance) as ctx:
        request = ctx.create_request_context()
        paths = [node.key.path for node in request.asset_graph.asset_nodes]
        result = execute_dagster_graphql(request, LAUNCH, {"p": launch_params(kind, paths, start, end)})
        launched = result.data["launchPartitionBackfill"]
        if launched["__typename"] != "LaunchBackfillSuccess":
            raise SystemExit(f"launch failed: {launched}")
        backfill_id = launched["backfillId"]
        logger = logging.getLogger("backfill_driver")
        passes = 0
        for _ in range(1 if plan_only else 50):
            list(execute_backfill_iteration(ctx, logger))
            passes += 1
            backfill = instance.get_backfill(backfill_id)
            if backfill.status.value != "REQUESTED":
                break
        runs = instance.get_runs(dg.RunsFilter(tags={"dagster/backfill": backfill_id}), ascending=True)

    from nba_pipeline.definitions import defs
    from nba_pipeline.warehouse import tables as t

    lo, hi = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    days = [(lo + dt.timedelta(days=i)).isoformat() for i in range((hi - lo).days + 1)]
    check_keys = [k for a in defs.assets for k in a.check_keys]
    evaluated = {
        (i.check_key, i.partition_key)
        for i in instance.event_log_storage.get_asset_check_partition_info(check_keys, partition_keys=days)
        if i.is_current and i.latest_execution_status.value in ("SUCCEEDED", "FAILED")
    }
    report = {
        "backfill_id": backfill_id,
        "status": backfill.status.value,
        "daemon_passes": passes,
        "runs": [
            {
                "status": r.status.value,
                "range": [
                    r.tags.get("dagster/asset_partition_range_start"),
                    r.tags.get("dagster/asset_partition_range_end"),
                ],
                "assets": sorted(k.to_user_string() for k in (r.asset_selection or [])),
            }
            for r in runs
        ],
        "materialized": {
            k.to_user_string(): sorted(instance.get_materialized_partitions(k)) for a in defs.assets for k in a.keys
        },
    }
    if not plan_only:
        warehouse = defs.resources["warehouse"]
        report["unevaluated_checks"] = {
            d: sorted(f"{k.asset_key.to_user_string()}:{k.name}" for k in check_keys if (k, d) not in evaluated)
            for d in days
        }
        report["tables"] = {
            spec.address: sorted(d.isoformat() for d in warehouse.count_by_date(spec, lo, hi + dt.timedelta(days=5)))
            for spec in t.ALL_TABLES
        }
    return report


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("start")
    ap.add_argument("end")
    ap.add_argument("--params", choices=["dialog", "range", "all"], default="dialog")
    ap.add_argument("--plan-only", action="store_true")
    args = ap.parse_args()
    print(json.dumps(main(args.start, args.end, args.params, args.plan_only)))
