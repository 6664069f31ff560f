"""Resources for each environment, under the same keys everywhere.

LOCAL: DuckDB file, folders under the home directory, the source the environment names (simulated
by default). PROD: BigQuery, GCS and the live services; every credential is a dagster.EnvVar, read
by Dagster at run time and never stored. The warehouse and the blob stores can each be chosen
explicitly (environment.WarehouseKind / StorageKind), e.g. a staging setup with GCS and DuckDB.
"""

from __future__ import annotations

import dagster as dg

from nba_pipeline import environment as envmod
from nba_pipeline.environment import Environment, SourceKind, StorageKind, WarehouseKind
from nba_pipeline.resources import AlertSink, Clock
from nba_pipeline.storage import LocalBlobStore
from nba_pipeline.warehouse.duckdb import DuckDBWarehouse

GCS_PREFIXES = {"archive": "nba-scraped", "exports": "api/v1", "model_store": "models"}


def build_source(env: Environment):
    if env.source is SourceKind.SIMULATED:
        from nba_pipeline.sources.simulated import SimulatedSource

        return SimulatedSource(seed=env.seed)
    if env.source is SourceKind.HISTORICAL:
        from nba_pipeline.sources.historical import HistoricalSource

        return HistoricalSource(root=str(env.historical_dir))
    from nba_pipeline.sources.live import LiveSource

    return LiveSource(odds_api_key=dg.EnvVar(envmod.ENV_ODDS_API_KEY))


def build_resources(env: Environment) -> dict:
    alerts = AlertSink(
        slack_token=dg.EnvVar(envmod.ENV_SLACK_TOKEN) if env.slack_configured else None, slack_channel=env.slack_channel
    )
    clock = Clock(
        frozen_now=env.frozen_now.isoformat() if env.frozen_now else None,
        anchor_epoch=env.clock_anchor,
        speed=env.clock_speed,
    )
    resources = local_resources(env, build_source(env), clock, alerts)
    if env.warehouse is WarehouseKind.BIGQUERY:
        # Imported here: dagster-gcp and the Google clients take ~0.5 s to import, paid by every
        # local process (each CLI command, each run worker) that never talks to BigQuery.
        from nba_pipeline.warehouse.bigquery import BigQueryWarehouse

        resources["warehouse"] = BigQueryWarehouse(
            project=dg.EnvVar(envmod.ENV_GCP_PROJECT), location=dg.EnvVar(envmod.ENV_BIGQUERY_LOCATION)
        )
    if env.storage is StorageKind.GCS:
        resources.update(gcs_blob_stores())
    return resources


def gcs_blob_stores() -> dict:
    """The three blob-store keys as prefixes of one bucket (layout in README, "Production")."""
    project = dg.EnvVar(envmod.ENV_GCP_PROJECT)
    # Imported when chosen: the Google clients behind it cost a second of every local command.
    from nba_pipeline.storage.gcs import GCSBlobStore

    bucket = dg.EnvVar(envmod.ENV_GCS_BUCKET)
    return {key: GCSBlobStore(bucket=bucket, prefix=prefix, project=project) for key, prefix in GCS_PREFIXES.items()}


def local_resources(env: Environment, source, clock: Clock, alerts: AlertSink | None = None) -> dict:
    """The LOCAL resource set for a home folder (also what tests and benchmarks build on)."""
    return {
        "warehouse": DuckDBWarehouse(
            database=str(env.warehouse_path), lock_wait_seconds=env.warehouse_lock_wait_seconds
        ),
        "archive": LocalBlobStore(root=str(env.archive_dir)),
        "exports": LocalBlobStore(root=str(env.export_dir)),
        "model_store": LocalBlobStore(root=str(env.model_dir)),
        "nba_source": source,
        "clock": clock,
        "alerts": alerts or AlertSink(),
    }
