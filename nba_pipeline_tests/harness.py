"""A whole pipeline in a temporary home: definitions, instance and helpers for tests."""

from __future__ import annotations

import datetime as dt
import hashlib
import socket
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import pandas as pd

from nba_pipeline import environment, keys
from nba_pipeline.checks import STANDALONE_CHECKS
from nba_pipeline.definitions import ASSETS
from nba_pipeline.deployment import local_resources
from nba_pipeline.execution import range_runs
from nba_pipeline.resources import AlertSink, Clock
from nba_pipeline.storage.blobs import sha256_record_path
from nba_pipeline.warehouse.spec import TableSpec


def free_port() -> int:
    """A TCP port on 127.0.0.1 nothing listens on now (throwaway servers and "nothing answers" tests)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Pipeline:
    home: Path
    source: object
    now: str | None
    instance: dg.DagsterInstance
    alerts: AlertSink = field(default_factory=AlertSink)

    @property
    def env(self) -> environment.Environment:
        return environment.current({environment.ENV_HOME: str(self.home)})

    @property
    def resources(self) -> dict:
        return local_resources(self.env, self.source, Clock(frozen_now=self.now), self.alerts)

    @property
    def defs(self) -> dg.Definitions:
        # The code location's assets and standalone checks: a range run holds what a backfill's run holds.
        return dg.Definitions(
            assets=ASSETS, asset_checks=STANDALONE_CHECKS, resources=self.resources, executor=dg.in_process_executor
        )

    @property
    def warehouse(self):
        return self.resources["warehouse"]

    def run(
        self,
        groups,
        start: dt.date,
        end: dt.date | None = None,
        raise_on_error: bool = True,
        chunk_days: int | None = None,
    ):
        groups = [groups] if isinstance(groups, str) else list(groups)
        return range_runs.materialize_range(
            self.defs, groups, start, end or start, self.instance, raise_on_error=raise_on_error, chunk_days=chunk_days
        )

    def materialize(self, selection, day: dt.date, raise_on_error: bool = True, tags: dict | None = None):
        """One partition of an asset selection (keys or an AssetSelection), as automation would."""
        if not isinstance(selection, dg.AssetSelection):
            selection = dg.AssetSelection.assets(*selection)
        return dg.materialize(
            ASSETS,
            instance=self.instance,
            selection=selection,
            resources=self.resources,
            partition_key=day.isoformat(),
            raise_on_error=raise_on_error,
            tags=tags,
            run_config=range_runs.QUIET_RUN_CONFIG,
        )

    def read(self, spec: TableSpec, start: dt.date | None = None, end: dt.date | None = None) -> pd.DataFrame:
        return self.warehouse.read(spec, start, end)


def archived_as_returned(file: Path, data: bytes) -> None:
    """Make ``data`` the archived bytes of a local archive file as if the service had returned them:
    the file and the sha256 recorded for it both change (a fault of the payload itself, which Phase 2
    must name; changing the file alone is a fault of the archive, which its verification refuses)."""
    file.write_bytes(data)
    sha256_record_path(file).write_text(f"{hashlib.sha256(data).hexdigest()}  {file.name}\n")


def all_phases() -> tuple[str, ...]:
    return keys.PHASE_GROUPS


def materialize_in_new_process(home: str, now: str | None, seed: int, asset_keys: list[list[str]], day: str) -> bool:
    """Entry point for a separate process (a second run of the same date on the same warehouse)."""
    from nba_pipeline.sources.simulated import SimulatedSource

    p = Pipeline(home=Path(home), source=SimulatedSource(seed=seed), now=now, instance=dg.DagsterInstance.ephemeral())
    res = p.materialize([dg.AssetKey(k) for k in asset_keys], dt.date.fromisoformat(day), raise_on_error=False)
    return res.success
