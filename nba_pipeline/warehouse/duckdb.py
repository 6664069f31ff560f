"""DuckDB warehouse (local default).

DuckDB allows one process per file to write. Connections are opened per call and closed at once.
When another program holds the file (a notebook, a second pipeline process), the connect waits for
it with a visible log line per attempt and a bound (``lock_wait_seconds``), then fails with one line
naming the file and the holder. dagster-duckdb's resource retries such locks silently for up to
minutes, which left users staring at a hang, so the warehouse opens its own connections. Writers
also share the ``warehouse`` concurrency pool (see assets/definition.py).
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pyarrow as pa

from nba_pipeline.warehouse.base import Warehouse, WarehouseDamagedError, WriteResult, prepare_for_write
from nba_pipeline.warehouse.spec import TYPES, TableSpec

# Writers in one process (threads of an in-process executor, concurrent test runs) take turns per
# database file; writers in different processes wait on DuckDB's file lock (``_connect``).
_WRITE_LOCKS: dict[str, threading.Lock] = defaultdict(threading.Lock)
_CONFLICT_RETRIES = 5
_SESSIONS = threading.local()
# Warehouse integers and booleans read as pandas' nullable dtypes, the spec's types for them.
_ARROW_DTYPES = {pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}


# What DuckDB says when the file itself is damaged, on open or when a damaged block is first read
# (measured on DuckDB 1.x/2.0 with overwritten, truncated and foreign files): a block or header
# whose checksum fails, a file that is not a database, a file shorter than its own header says, a
# catalog that cannot be deserialized.
_DAMAGE = re.compile(
    r"Corrupt database file|not a valid DuckDB database file|Could not read enough bytes|"
    r"checksum .* does not match|Failed to deserializ",
    re.IGNORECASE,
)


def _damaged(database: str, exc: BaseException) -> WarehouseDamagedError | None:
    """The one-line error for a damaged file, or None when ``exc`` is something else."""
    if not isinstance(exc, duckdb.Error):
        return None
    text = " ".join(str(exc).split())
    if not (_DAMAGE.search(text) or isinstance(exc, duckdb.SerializationException)):
        return None
    return WarehouseDamagedError(database, text if len(text) <= 240 else text[:237] + "...")


class WarehouseLockedError(RuntimeError):
    """Another program held the warehouse file for longer than the wait bound."""


def _holder(message: str) -> str:
    """'Conflicting lock is held in /usr/bin/python3 (PID 123) by user x' -> that part, or the message."""
    marker = "Conflicting lock is held in "
    return message.split(marker, 1)[1].split(". See", 1)[0].strip() if marker in message else message.strip()


def _q(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


class DuckDBWarehouse(Warehouse):
    database: str

    lock_wait_seconds: float = 60.0

    @contextmanager
    def session(self):
        """One connection for everything this thread does inside (an asset step reads several tables
        and writes one; opening the file costs ~10 ms a time). Closed, and the file released, on exit."""
        open_ = _SESSIONS.__dict__.setdefault("cons", {})
        if self.database in open_:
            yield
            return
        with self._open() as con:
            open_[self.database] = con
            try:
                yield
            finally:
                del open_[self.database]

    @contextmanager
    def _connect(self):
        con = _SESSIONS.__dict__.get("cons", {}).get(self.database)
        try:
            if con is not None:
                yield con
            else:
                with self._open() as con:
                    yield con
        except duckdb.Error as exc:
            # A damaged block is only found when a query first reads it.
            damaged = _damaged(self.database, exc)
            if damaged is not None:
                raise damaged from None
            raise

    @contextmanager
    def _open(self):
        """A connection, waiting (bounded, one log line per attempt) while another program holds the file."""
        if self.database != ":memory:":
            Path(self.database).parent.mkdir(parents=True, exist_ok=True)
        started, attempt = time.monotonic(), 0
        while True:
            try:
                con = duckdb.connect(self.database)
                break
            except duckdb.Error as exc:
                damaged = _damaged(self.database, exc)
                if damaged is not None:
                    raise damaged from None
                if not isinstance(exc, duckdb.IOException) or "lock" not in str(exc).lower():
                    raise
                waited = time.monotonic() - started
                if waited >= self.lock_wait_seconds:
                    raise WarehouseLockedError(
                        f"warehouse {self.database} is locked by another program ({_holder(str(exc))}); gave up "
                        f"after waiting {waited:.0f} s. Close the program holding it (a notebook?) and re-run."
                    ) from None
                attempt += 1
                delay = min(0.25 * 2 ** (attempt - 1), 5.0, max(self.lock_wait_seconds - waited, 0.05))
                dg.get_dagster_logger().warning(
                    f"warehouse {self.database} is locked by another program ({_holder(str(exc))}); waiting "
                    f"(attempt {attempt}, {waited:.0f} of at most {self.lock_wait_seconds:.0f} s)"
                )
                time.sleep(delay)
        try:
            yield con
        finally:
            con.close()

    def check_not_damaged(self) -> None:
        # Opening reads the headers and the catalog, which is where damage to the start of the file
        # (the reported case) shows; a damaged data block is found by the first query that reads it.
        with self._connect():
            pass

    def check_reachable(self) -> str:
        with self._connect() as con:
            tables = con.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema LIKE 'nba_%'"
            ).fetchone()[0]
        return f"DuckDB {self.database} ({tables} tables)"

    def _table(self, spec: TableSpec) -> str:
        return f"{_q(spec.schema)}.{_q(spec.name)}"

    def _exists(self, con, spec: TableSpec) -> bool:
        return bool(
            con.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
                [spec.schema, spec.name],
            ).fetchone()[0]
        )

    def _ensure(self, con, spec: TableSpec) -> None:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {_q(spec.schema)}")
        cols = ", ".join(f"{_q(c)} {TYPES[t][0]}" for c, t in spec.columns.items())
        con.execute(f"CREATE TABLE IF NOT EXISTS {self._table(spec)} ({cols})")
        # Additive schema evolution: new columns appear as NULL for old rows.
        have = {
            r[0]
            for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ?",
                [spec.schema, spec.name],
            ).fetchall()
        }
        for c, t in spec.columns.items():
            if c not in have:
                con.execute(f"ALTER TABLE {self._table(spec)} ADD COLUMN {_q(c)} {TYPES[t][0]}")

    def replace_dates(self, spec, df, start, end, keep=()) -> WriteResult:
        frame = prepare_for_write(spec, df, start, end, keep)
        for attempt in range(_CONFLICT_RETRIES):
            try:
                with _WRITE_LOCKS[str(Path(self.database).resolve())]:
                    return self._replace(spec, frame, start, end, sorted(keep))
            except duckdb.TransactionException:
                # Another process committed to the same table first: the transaction rolled back
                # whole, so trying again is safe.
                if attempt == _CONFLICT_RETRIES - 1:
                    raise
                time.sleep(0.2 * 2**attempt)
        raise AssertionError("unreachable")

    def _replace(self, spec, frame, start, end, keep) -> WriteResult:
        date_col = _q(spec.date_column)
        spare = f" AND {date_col} NOT IN ({', '.join('?' for _ in keep)})" if keep else ""
        with self._connect() as con:
            self._ensure(con, spec)
            con.execute("BEGIN TRANSACTION")
            try:
                deleted = con.execute(
                    f"DELETE FROM {self._table(spec)} WHERE {date_col} BETWEEN ? AND ?{spare}", [start, end, *keep]
                ).fetchone()[0]
                if len(frame):
                    con.register("_incoming", frame)
                    select = ", ".join(f"CAST({_q(c)} AS {TYPES[t][0]}) AS {_q(c)}" for c, t in spec.columns.items())
                    con.execute(f"INSERT INTO {self._table(spec)} BY NAME SELECT {select} FROM _incoming")
                    con.unregister("_incoming")
                counts = con.execute(
                    f"SELECT {date_col}, count(*) FROM {self._table(spec)} WHERE {date_col} BETWEEN ? AND ? GROUP BY 1",
                    [start, end],
                ).fetchall()
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        rows_by_date = {_as_date(d): int(n) for d, n in counts}
        return WriteResult(spec.address, start, end, sum(rows_by_date.values()), rows_by_date, int(deleted or 0))

    def read(self, spec, start=None, end=None, columns=None) -> pd.DataFrame:
        where, params = [], []
        if start is not None:
            where.append(f"{_q(spec.date_column)} >= ?")
            params.append(start)
        if end is not None:
            where.append(f"{_q(spec.date_column)} <= ?")
            params.append(end)
        with self._connect() as con:
            if not self._exists(con, spec):
                frame = spec.empty()
            else:
                self._ensure(con, spec)
                sql = f"SELECT * FROM {self._table(spec)}"
                if where:
                    sql += " WHERE " + " AND ".join(where)
                # Through Arrow: DuckDB's own .df() builds wide tables (the feature store has 200+
                # columns) one inserted column at a time, which pandas warns is fragmented. Arrow
                # gives the spec's dtypes directly (nullable integers and booleans, dates as
                # datetime64[ns]), so only what differs is cast.
                table = con.sql(sql, params=params).to_arrow_table()
                frame = spec.conform(
                    table.to_pandas(
                        types_mapper=_ARROW_DTYPES.get, date_as_object=False, coerce_temporal_nanoseconds=True
                    ),
                    typed=True,
                )
        return frame[columns] if columns else frame

    def count_by_date(self, spec, start, end) -> dict[dt.date, int]:
        with self._connect() as con:
            if not self._exists(con, spec):
                return {}
            rows = con.execute(
                f"SELECT {_q(spec.date_column)}, count(*) FROM {self._table(spec)} "
                f"WHERE {_q(spec.date_column)} BETWEEN ? AND ? GROUP BY 1",
                [start, end],
            ).fetchall()
        return {_as_date(d): int(n) for d, n in rows}


def _as_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return pd.Timestamp(value).date()
