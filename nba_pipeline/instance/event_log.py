"""The local Dagster instance's event log: Dagster's consolidated SQLite storage, kept connections.

Every run here records a materialization and its check results per date (a season is ~22,000
events). Dagster's SQLite storages build a new engine and open and close a connection for every
statement; with WAL journaling the close of the last connection checkpoints the log, and each
commit waits for the disk, so one stored event cost ~5-8 ms on the reference machine. This storage
keeps one engine and a small pool of open connections per process, remembers which tables exist
(Dagster asks before every check result), and commits with
``synchronous=NORMAL`` (the WAL setting SQLite documents as safe against corruption; a power cut
may lose the last transactions of a local sandbox, never its consistency). An idle WAL connection
holds no lock, so the webserver, the daemon and runs still share the file.

Not done: writing a step's materializations as one batch (as Dagster's Postgres storage does). It
needs Dagster's private tag writer and the process-wide DAGSTER_EVENT_BATCH_SIZE, and it saved 4-7 %
of a 71-date backfill (71.9 s against 74.1 and 77.0 s): not worth that risk.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

import sqlalchemy as db

# Dagster's consolidated SQLite storage is not exported; only it builds the schema and queries the
# UI and daemon share. We override its connection handling (``_connect``, ``_get_engine``): Dagster
# has no hook for keeping connections. Pinned by nba_pipeline_tests/test_local_event_log.py.
from dagster._core.storage.event_log.sqlite.consolidated_sqlite_event_log import ConsolidatedSqliteEventLogStorage
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS


def _pragmas(dbapi_connection, _record) -> None:
    dbapi_connection.execute("PRAGMA journal_mode=WAL")
    dbapi_connection.execute("PRAGMA synchronous=NORMAL")


class LocalSqliteEventLogStorage(ConsolidatedSqliteEventLogStorage):
    _engine: db.engine.Engine | None = None
    _engine_lock = threading.Lock()

    def _get_engine(self) -> db.engine.Engine:
        if self._engine is None:
            with self._engine_lock:
                if self._engine is None:
                    engine = db.create_engine(
                        self._conn_string,
                        pool_size=2,
                        max_overflow=8,
                        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
                    )
                    db.event.listen(engine, "connect", _pragmas)
                    self._engine = engine
        return self._engine

    def has_table(self, table_name: str) -> bool:
        # Dagster asks before storing every check result and every asset event's tags, and its SQLite
        # storage answers with a new engine and connection each time (~2 ms, more than the insert).
        # A table once there stays there (migrations only add), so a yes is kept; a no is asked again.
        present = self.__dict__.setdefault("_tables_present", set())
        if table_name in present:
            return True
        with self._get_engine().connect() as conn:
            found = bool(self._get_engine().dialect.has_table(conn, table_name))
        if found:
            present.add(table_name)
        return found

    @contextmanager
    def _connect(self):
        with self._get_engine().connect() as conn:
            with conn.begin():
                yield conn
