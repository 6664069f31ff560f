"""Drive a partition backfill the way the UI does, through Dagster's own machinery, in one process.

    python -m nba_pipeline_tests.integration.dagster_backfill_driver START END

The environment names the pipeline home, source and clock (as for `nba-pipeline`). The backfill is
launched with the webserver's GraphQL mutation (`launchPartitionBackfill`, every asset, the date
range) against the code location loaded as `dagster dev` loads it (workspace.yaml's module, in a
code server), and advanced by the backfill daemon's own iteration; runs execute synchronously
(Dagster's in-memory run launcher) instead of waiting for 30-second daemon ticks. Prints one JSON
object: the backfill status, each run (status, partition range, assets) and each table's dates.
"""

from __future__ import annotations

import json
import logging
import os
import sys
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


def main(start: str, end: str) -> dict:
    from dagster._core.instance.ref import InstanceRef
    from dagster._core.test_utils import create_test_daemon_workspace_context
    from dagster._core.workspace.load_target import ModuleTarget
    from dagster._daemon.backfill import execute_backfill_iteration
    from dagster_graphql.test.utils import execute_dagster_graphql

    home = Path(os.environ["DAGSTER_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    instance = dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(home), overrides={
        "run_coordinator": {"module": "dagster._core.run_coordinator", "class": "DefaultRunCoordinator"},
        "run_launcher": {"module": "dagster._core.launcher.sync_in_memory_run_launcher",
                         "class": "SyncInMemoryRunLauncher"}}))
    target = ModuleTarget(module_name="nba_pipeline.definitions", attribute="defs", working_directory=str(ROOT),
                          location_name="nba_pipeline")
    with create_test_daemon_workspace_context(target, instance) as ctx:
        request = ctx.create_request_context()
        keys_ = [node.key for node in request.asset_graph.asset_nodes]
        result = execute_dagster_graphql(request, LAUNCH, {"p": {"partitionsByAssets": [
            {"assetKey": {"path": k.path}, "partitions": {"range": {"start": start, "end": end}}} for k in keys_]}})
        launched = result.data["launchPartitionBackfill"]
        if launched["__typename"] != "LaunchBackfillSuccess":
            raise SystemExit(f"launch failed: {launched}")
        backfill_id = launched["backfillId"]
        logger = logging.getLogger("backfill_driver")
        for _ in range(50):
            list(execute_backfill_iteration(ctx, logger))
            backfill = instance.get_backfill(backfill_id)
            if backfill.status.value != "REQUESTED":
                break
        runs = instance.get_runs(dg.RunsFilter(tags={"dagster/backfill": backfill_id}))

    from nba_pipeline.definitions import defs
    from nba_pipeline.warehouse import tables as t

    warehouse = defs.resources["warehouse"]
    import datetime as dt

    lo, hi = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    days = [(lo + dt.timedelta(days=i)).isoformat() for i in range((hi - lo).days + 1)]
    check_keys = [k for a in defs.assets for k in a.check_keys]
    evaluated = {(i.check_key, i.partition_key) for i in instance.event_log_storage.get_asset_check_partition_info(
        check_keys, partition_keys=days) if i.is_current and i.latest_execution_status.value in ("SUCCEEDED", "FAILED")}
    return {
        "unevaluated_checks": {d: sorted(f"{k.asset_key.to_user_string()}:{k.name}" for k in check_keys
                                         if (k, d) not in evaluated) for d in days},
        "backfill_id": backfill_id,
        "status": backfill.status.value,
        "runs": [{"status": r.status.value,
                  "range": [r.tags.get("dagster/asset_partition_range_start"), r.tags.get("dagster/asset_partition_range_end")],
                  "assets": sorted(k.to_user_string() for k in (r.asset_selection or []))} for r in runs],
        "tables": {spec.address: sorted(d.isoformat() for d in warehouse.count_by_date(spec, lo, hi))
                   for spec in t.ALL_TABLES},
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2])))
