"""Re-execute a run from the UI, through Dagster's own machinery, in one process.

    python -m nba_pipeline_tests.integration.dagster_reexecute_driver RUN_ID [--strategy FROM_FAILURE|ALL_STEPS]

RUN_ID may be the 8-character prefix the CLI prints.

Loads the code location as `dagster dev` does (workspace.yaml's module, in a code server), reads the
run as the UI's run page does (`runOrError`: its job and the code location it belongs to) and
re-executes it with the mutation behind the UI's "Re-execute" menu (`launchRunReexecution`); the new
run executes synchronously (Dagster's in-memory run launcher). Prints one JSON object: the parent
as the UI sees it, and the new run's status and executed steps.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import dagster as dg

from nba_pipeline_tests.integration.dagster_backfill_driver import ROOT

RUN = """query($id: ID!) { runOrError(runId: $id) { __typename ... on Run {
  runId status pipelineName repositoryOrigin { repositoryLocationName repositoryName }
  hasReExecutePermission } } }"""
REEXECUTE = """mutation($p: ReexecutionParams) { launchRunReexecution(reexecutionParams: $p) {
  __typename ... on LaunchRunSuccess { run { runId } } ... on PythonError { message }
  ... on InvalidStepError { invalidStepKey } ... on InvalidOutputError { stepKey } } }"""


def main(run_id: str, strategy: str) -> dict:
    from dagster._core.instance.ref import InstanceRef
    from dagster._core.test_utils import create_test_daemon_workspace_context
    from dagster._core.workspace.load_target import ModuleTarget
    from dagster_graphql.test.utils import execute_dagster_graphql

    home = Path(os.environ["DAGSTER_HOME"])
    instance = dg.DagsterInstance.from_ref(
        InstanceRef.from_dir(
            str(home),
            overrides={
                "run_coordinator": {"module": "dagster._core.run_coordinator", "class": "DefaultRunCoordinator"},
                "run_launcher": {
                    "module": "dagster._core.launcher.sync_in_memory_run_launcher",
                    "class": "SyncInMemoryRunLauncher",
                },
            },
        )
    )
    target = ModuleTarget(
        module_name="nba_pipeline.definitions",
        attribute="defs",
        working_directory=str(ROOT),
        location_name="nba_pipeline",
    )
    [run_id] = [r.run_id for r in instance.get_runs() if r.run_id.startswith(run_id)]
    with create_test_daemon_workspace_context(target, instance) as ctx:
        request = ctx.create_request_context()
        parent = execute_dagster_graphql(request, RUN, {"id": run_id}).data["runOrError"]
        launched = execute_dagster_graphql(request, REEXECUTE, {"p": {"parentRunId": run_id, "strategy": strategy}})
        if launched.errors:
            raise SystemExit(f"re-execution failed: {launched.errors}")
        launched = launched.data["launchRunReexecution"]
        if launched["__typename"] != "LaunchRunSuccess":
            raise SystemExit(f"re-execution refused: {launched}")
        child = instance.get_run_by_id(launched["run"]["runId"])
        steps = sorted(
            {
                e.step_key
                for e in instance.all_logs(child.run_id)
                if e.dagster_event and e.dagster_event.event_type_value == "STEP_SUCCESS"
            }
        )
    return {
        "parent": parent,
        "child": {
            "run_id": child.run_id,
            "status": child.status.value,
            "parent_run_id": child.parent_run_id,
            "succeeded_steps": steps,
        },
    }


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("run_id")
    ap.add_argument("--strategy", default="FROM_FAILURE", choices=["FROM_FAILURE", "ALL_STEPS"])
    args = ap.parse_args()
    print(json.dumps(main(args.run_id, args.strategy)))
