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

A run over a range materializes every date of an asset at once; those materializations are written
as one batch (one multi-row insert, their tags, and the asset's latest entry once), the write
Dagster's own Postgres storage does for them. Dagster hands a storage batches only when
``DAGSTER_EVENT_BATCH_SIZE`` is set, so this storage sets it (unless the environment already does).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from contextlib import contextmanager

import sqlalchemy as db
from dagster._core.events import DagsterEventType
from dagster._core.events.log import EventLogEntry
from dagster._core.storage.event_log.schema import SqlEventLogStorageTable
from dagster._core.storage.event_log.sqlite.consolidated_sqlite_event_log import ConsolidatedSqliteEventLogStorage
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS

# Events a step emits together (the materializations of a range) go to store_event_batch in groups
# of at most this many; Dagster reads the size from the environment at each event.
EVENT_BATCH_SIZE = "1000"
_BATCHED_TYPES = ({DagsterEventType.ASSET_MATERIALIZATION}, {DagsterEventType.ASSET_OBSERVATION})


def _pragmas(dbapi_connection, _record) -> None:
    dbapi_connection.execute("PRAGMA journal_mode=WAL")
    dbapi_connection.execute("PRAGMA synchronous=NORMAL")


class LocalSqliteEventLogStorage(ConsolidatedSqliteEventLogStorage):
    _engine: db.engine.Engine | None = None
    _engine_lock = threading.Lock()

    def __init__(self, base_dir, inst_data=None):
        super().__init__(base_dir, inst_data=inst_data)
        os.environ.setdefault("DAGSTER_EVENT_BATCH_SIZE", EVENT_BATCH_SIZE)

    def store_event_batch(self, events: Sequence[EventLogEntry]) -> None:
        """Materializations (or observations) of one step as one write, as PostgresEventLogStorage
        does: one multi-row insert, the tags of every event, the asset's latest entry from the last.
        Anything else (planned events, a failure to materialize) is stored one event at a time."""
        types = {event.get_dagster_event().event_type for event in events}
        if not events or types not in _BATCHED_TYPES:
            super().store_event_batch(events)
            return
        insert = self.prepare_insert_event_batch(events).returning(SqlEventLogStorageTable.c.id)
        with self._connect() as conn:
            # One INSERT assigns increasing ids in the order of its rows; sorted, they pair with events.
            event_ids = sorted(row[0] for row in conn.execute(insert).fetchall())
            self._store_asset_event_tags(conn, events, event_ids)
            self._store_asset_event(conn, events[-1], event_ids[-1])

    def _get_engine(self) -> db.engine.Engine:
        if self._engine is None:
            with self._engine_lock:
                if self._engine is None:
                    engine = db.create_engine(self._conn_string, pool_size=2, max_overflow=8,
                                              connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS,
                                                            "check_same_thread": False})
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
