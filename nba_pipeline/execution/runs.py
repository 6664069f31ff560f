"""Runs the CLI executes in its own process, recorded as runs of the code location's asset job.

A UI backfill's runs are runs of Dagster's asset job (``__ASSET_JOB``) in the code location
``workspace.yaml`` loads, with the selected assets and a partition range. The CLI makes the same
runs: the same job, selection, range tags and run config a daemon-launched run would have, and the
same origin, so the UI lists a CLI run with the code location's runs and can re-execute it (from
failure too) like any other. Only where it executes differs: here, in-process, streaming each event
to the caller as it happens (the CLI's progress lines).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

# No public API creates a run with the origin of a code location and then executes it in this
# process (`execute_in_process` records no origin, `execute_job` needs a reconstructable job and
# cannot stream events). These are the pieces `core_execute_in_process` is made of; the contract
# test (nba_pipeline_tests/execution/test_dagster_contract.py) fails if they change.
from dagster._core.definitions.job_base import InMemoryJob
from dagster._core.execution.api import ExecuteRunWithPlanIterable, create_execution_plan, job_execution_iterator
from dagster._core.execution.context_creation_job import (
    PlanOrchestrationContextManager,
    orchestration_context_event_generator,
)
from dagster._core.remote_origin import ManagedGrpcPythonEnvCodeLocationOrigin, RemoteJobOrigin, RemoteRepositoryOrigin
from dagster._core.types.loadable_target_origin import LoadableTargetOrigin

# workspace.yaml loads the definitions under this location name (a test keeps the two equal).
CODE_LOCATION_NAME = "nba_pipeline"
DEFINITIONS_MODULE = "nba_pipeline.definitions"
REPOSITORY_NAME = "__repository__"  # what Dagster names the repository of a Definitions object
ASSET_JOB_NAME = "__ASSET_JOB"  # the job UI materializations and backfills run
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def code_location_job_origin(job_name: str = ASSET_JOB_NAME) -> RemoteJobOrigin:
    """The origin `dagster dev` gives the runs of ``job_name`` in our code location."""
    location = ManagedGrpcPythonEnvCodeLocationOrigin(
        LoadableTargetOrigin(
            executable_path=sys.executable, module_name=DEFINITIONS_MODULE, working_directory=os.fspath(PROJECT_ROOT)
        ),
        location_name=CODE_LOCATION_NAME,
    )
    return RemoteJobOrigin(RemoteRepositoryOrigin(location, REPOSITORY_NAME), job_name)


def standalone_check_keys(defs: dg.Definitions) -> set[dg.AssetCheckKey]:
    """Checks defined apart from their assets (on-time, season gaps): they judge the whole table at
    the moment they run, not a date, so they run once after a command's runs, not once per chunk."""
    return {k for c in defs.asset_checks or [] for k in c.check_keys}


@dataclass
class PreparedRun:
    """A run recorded in the instance, with what executing it here needs."""

    run: dg.DagsterRun
    job: InMemoryJob
    plan: object
    run_config: dict


def create_asset_run(
    defs: dg.Definitions,
    instance: dg.DagsterInstance,
    selection: Sequence[dg.AssetKey],
    tags: Mapping[str, str],
    run_config: Mapping | None = None,
    checks: Iterable[dg.AssetCheckKey] | None = None,
) -> PreparedRun:
    """Record a run of the asset job for ``selection`` and ``checks`` (default: the per-date checks
    of the selected assets) with the code location's origin; nothing executes yet."""
    asset_job = defs.resolve_implicit_global_asset_job_def()
    if checks is None:
        standalone = standalone_check_keys(defs)
        checks = {
            k
            for k in asset_job.asset_layer.asset_graph.asset_check_keys
            if k.asset_key in set(selection) and k not in standalone
        }
    job_def = asset_job.get_subset(asset_selection=set(selection), asset_check_selection=set(checks))
    job = InMemoryJob(job_def=job_def)
    run_config = dict(run_config or {})
    plan = create_execution_plan(
        job, run_config=run_config, instance_ref=instance.get_ref() if instance.is_persistent else None
    )
    run = instance.create_run_for_job(
        job_def=job_def,
        run_config=run_config,
        tags={**asset_job.run_tags, **tags},
        asset_selection=frozenset(selection),
        execution_plan=plan,
        remote_job_origin=code_location_job_origin(),
    )
    return PreparedRun(run, job, plan, run_config)


def execute_prepared_run(
    prepared: PreparedRun, instance: dg.DagsterInstance, on_event: Callable[[dg.DagsterEvent], None] | None = None
) -> tuple[dg.DagsterRun, list]:
    """Execute a recorded run in this process; ``on_event`` sees each event as it happens."""
    events = []
    iterable = ExecuteRunWithPlanIterable(
        execution_plan=prepared.plan,
        iterator=job_execution_iterator,
        execution_context_manager=PlanOrchestrationContextManager(
            context_event_generator=orchestration_context_event_generator,
            job=prepared.job,
            execution_plan=prepared.plan,
            dagster_run=prepared.run,
            instance=instance,
            run_config=prepared.run_config,
            executor_defs=None,
            output_capture=None,
            raise_on_error=False,
        ),
    )
    for event in iterable:
        events.append(event)
        if on_event is not None:
            on_event(event)
    return instance.get_run_by_id(prepared.run.run_id), events


def execute_asset_run(
    defs: dg.Definitions,
    instance: dg.DagsterInstance,
    selection: Sequence[dg.AssetKey],
    tags: Mapping[str, str],
    run_config: Mapping | None = None,
    on_event: Callable[[dg.DagsterEvent], None] | None = None,
    checks: Iterable[dg.AssetCheckKey] | None = None,
) -> tuple[dg.DagsterRun, list]:
    """Record a run (``create_asset_run``) and execute it here."""
    return execute_prepared_run(
        create_asset_run(defs, instance, selection, tags, run_config, checks), instance, on_event
    )
