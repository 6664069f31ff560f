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

A step's materializations over a range reach ``store_event_batch`` together (Dagster does this when
DAGSTER_EVENT_BATCH_SIZE is set; the CLI sets it, instance/home.py) and are committed as one
transaction. Dagster's private multi-row writer (its tag writer) is not used: one transaction gives
most of its gain. Measured back to back on the 2024-25 season (benchmarks/season.py, against the
code before the one-concern-per-module refactoring): one commit per event 1.089x and 1.106x the old
wall, one transaction per batch 1.072x, and with the markets CLI no longer importing scipy.stats at
start 1.016x.
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

    _batch = threading.local()

    def store_event_batch(self, events) -> None:
        # The materializations one step records over a range (Dagster hands them over together when
        # DAGSTER_EVENT_BATCH_SIZE is set; the CLI sets it) are stored by the base class one by one,
        # here inside one transaction: one commit instead of one per event and its tags.
        with self._get_engine().connect() as conn, conn.begin():
            self._batch.conn = conn
            try:
                super().store_event_batch(events)
            finally:
                self._batch.conn = None

    @contextmanager
    def _connect(self):
        shared = getattr(self._batch, "conn", None)
        if shared is not None:
            yield shared
            return
        with self._get_engine().connect() as conn:
            with conn.begin():
                yield conn
