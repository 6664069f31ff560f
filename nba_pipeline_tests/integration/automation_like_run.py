"""A run of one date as the daemon's automation sensor launches it, in its own process.

    python -m nba_pipeline_tests.integration.automation_like_run DATE GROUP [GROUP ...]

The environment names the home (DAGSTER_HOME, NBA_PIPELINE_*), as for `dagster dev`. The run is a
single-partition run of the code location's asset job with the sensor's tag, recorded in the home's
instance; it prints the run id when it is created and its status when it ends.
"""

import sys

import dagster as dg

from nba_pipeline.definitions import defs


def main(day: str, groups: list[str]) -> int:
    instance = dg.DagsterInstance.get()
    selection = sorted(
        dg.AssetSelection.groups(*groups).resolve(defs.resolve_asset_graph()), key=lambda k: k.to_user_string()
    )
    job = defs.resolve_implicit_global_asset_job_def()
    result = job.execute_in_process(
        instance=instance,
        partition_key=day,
        asset_selection=selection,
        tags={"dagster/sensor_name": "automation_phase2_raw"},
        raise_on_error=False,
    )
    print(f"{result.run_id} {result.dagster_run.status.value}", flush=True)
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2:]))
