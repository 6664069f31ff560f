"""The production Dagster instance's storage: dagster-postgres, keeping a few connections per process.

dagster-postgres gives each storage (runs, event log, schedules) an engine without a pool, so no
instance holds connections open, and opens a new server connection for every statement; only the
webserver swaps in a pool (``optimize_for_webserver``). Every run here records a materialization and
its check results per date, several statements an event. Measured against PostgreSQL 15 on the same
machine with password (scram-sha-256) login, Phases 1-2 of one date (187 events): 614 connections and
10.0 s without a pool, 3 connections and 2.6 s with one; a connection cost ~10 ms here and costs more
over a network with TLS. This storage is dagster-postgres's own (same config, tables and migrations)
with a small pool per storage for the CLI, the daemon and the run workers: one kept connection each,
a few more under concurrent use, checked before reuse (a server restart or an idle timeout costs a
reconnect, not a failed statement). The run and event log storages close theirs when the instance is
disposed; Dagster never disposes the schedule storage, whose connection closes with the process.
"""

from __future__ import annotations

from dagster._serdes import ConfigurableClassData
from dagster_postgres import DagsterPostgresStorage
from dagster_postgres.event_log import PostgresEventLogStorage
from dagster_postgres.run_storage import PostgresRunStorage
from dagster_postgres.schedule_storage import PostgresScheduleStorage
from dagster_postgres.utils import create_pg_engine, get_token_provider_from_config, pg_url_from_config

POOL_SIZE = 1
POOL_MAX_OVERFLOW = 4
POOL_RECYCLE_SECONDS = 3600  # below common server and proxy idle timeouts


class _KeepsConnections:
    """Once dagster-postgres has set the storage up (tables, migrations), a pooled engine replaces
    its engine without a pool; disposing the storage (the instance does) closes the kept connections."""

    def __init__(
        self,
        postgres_url: str,
        should_autocreate_tables: bool = True,
        inst_data: ConfigurableClassData | None = None,
        token_provider=None,
    ):
        super().__init__(postgres_url, should_autocreate_tables, inst_data, token_provider)
        self._engine = create_pg_engine(
            postgres_url,
            token_provider,
            isolation_level="AUTOCOMMIT",
            pool_size=POOL_SIZE,
            max_overflow=POOL_MAX_OVERFLOW,
            pool_pre_ping=True,
            pool_recycle=POOL_RECYCLE_SECONDS,
        )

    def dispose(self) -> None:
        super().dispose()
        self._engine.dispose()


class PooledPostgresRunStorage(_KeepsConnections, PostgresRunStorage):
    pass


class PooledPostgresEventLogStorage(_KeepsConnections, PostgresEventLogStorage):
    pass


class PooledPostgresScheduleStorage(_KeepsConnections, PostgresScheduleStorage):
    pass


class PooledPostgresStorage(DagsterPostgresStorage):
    """``storage: postgres`` of dagster-postgres (same config), with the pooled storages."""

    def __init__(
        self,
        postgres_url: str,
        should_autocreate_tables: bool = True,
        inst_data: ConfigurableClassData | None = None,
        token_provider=None,
    ):
        # DagsterPostgresStorage.__init__, building the pooled storages instead of its own.
        self.postgres_url = postgres_url
        self.should_autocreate_tables = should_autocreate_tables
        self._inst_data = inst_data
        self._run_storage = PooledPostgresRunStorage(
            postgres_url, should_autocreate_tables, token_provider=token_provider
        )
        self._event_log_storage = PooledPostgresEventLogStorage(
            postgres_url, should_autocreate_tables, token_provider=token_provider
        )
        self._schedule_storage = PooledPostgresScheduleStorage(
            postgres_url, should_autocreate_tables, token_provider=token_provider
        )
        super(DagsterPostgresStorage, self).__init__()

    @classmethod
    def from_config_value(cls, inst_data, config_value) -> PooledPostgresStorage:
        return cls(
            inst_data=inst_data,
            postgres_url=pg_url_from_config(config_value),
            should_autocreate_tables=config_value.get("should_autocreate_tables", True),
            token_provider=get_token_provider_from_config(config_value),
        )
