"""The local instance's run launcher: Dagster's default one, plus a worker health check.

Dagster's ``DefaultRunLauncher`` starts each run in a worker process of the code server, and cannot
tell run monitoring whether that worker still exists (``supports_check_run_worker_health`` is
False). A `dagster dev` killed with its workers (kill -9, an OOM kill, a closed laptop) therefore
left its runs STARTED for good, holding the warehouse pool slot, and every later run waited. This
launcher launches exactly as the default one does, tags runs whose worker starts on this machine,
and answers the health check from the worker's process (``workers.gone_reason``): the monitoring
daemon then marks a run whose worker is gone failed, and frees its pool slots
(``free_slots_after_run_end_seconds``), at its first pass after a restart.
"""

from __future__ import annotations

import socket

from dagster import DefaultRunLauncher

# The health check's result types (and the launch context) are not exported by dagster itself.
from dagster._core.launcher.base import CheckRunHealthResult, LaunchRunContext, WorkerStatus

from nba_pipeline.instance.event_log import LocalSqliteEventLogStorage
from nba_pipeline.instance.workers import WORKER_HOST_TAG, gone_reason

_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


class LocalRunLauncher(DefaultRunLauncher):
    def launch_run(self, context: LaunchRunContext) -> None:
        # Before the launch: a daemon killed right after it still leaves a run that says where its
        # worker is. Always written: a re-executed run starts with its parent's tags, and "" says
        # that this run's worker is not known to be here.
        here = socket.gethostname() if self._worker_starts_here(context) else ""
        self._instance.add_run_tags(context.dagster_run.run_id, {WORKER_HOST_TAG: here})
        super().launch_run(context)

    @staticmethod
    def _worker_starts_here(context: LaunchRunContext) -> bool:
        """The code server that starts the worker runs on this machine (a unix socket, or a
        loopback address, as `dagster dev` starts it)."""
        origin = context.dagster_run.remote_job_origin
        if context.workspace is None or origin is None:
            return False
        location = context.workspace.get_code_location(origin.repository_origin.code_location_origin.location_name)
        client = getattr(location, "client", None)
        return client is not None and (
            client.socket is not None or client.host in _LOCAL_HOSTS | {socket.gethostname()}
        )

    @property
    def supports_check_run_worker_health(self) -> bool:
        return True

    def check_run_worker_health(self, run) -> CheckRunHealthResult:
        reason = gone_reason(self._instance, run)
        if reason is not None:
            return CheckRunHealthResult(
                WorkerStatus.FAILED, f"{reason} (killed, or out of memory); its pool slots are freed within seconds"
            )
        # Alive, or not judged from here (another host, no worker recorded yet): run monitoring marks
        # anything but RUNNING or SUCCESS failed, so "cannot tell" must not be UNKNOWN.
        return CheckRunHealthResult(WorkerStatus.RUNNING)


def lacks_worker_checks(instance) -> bool:
    """A local (SQLite) home whose dagster.yaml predates this launcher: the CLI never rewrites an
    existing config, so its daemon still cannot see a dead run worker."""

    return isinstance(instance.event_log_storage, LocalSqliteEventLogStorage) and not isinstance(
        instance.run_launcher, LocalRunLauncher
    )
