"""DuckDB warehouse (local default), through dagster-duckdb's connection handling.

DuckDB allows one writing process per file. Connections are opened per call and closed at once,
and DuckDBResource retries the connect with backoff when another process holds the lock, so runs
that overlap queue on the lock for milliseconds instead of failing. Writers also share the
``warehouse`` concurrency pool (see assets/common.py).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import defaultdict
from pathlib import Path

import duckdb
import pandas as pd
from dagster_duckdb import DuckDBResource

from nba_pipeline.warehouse.base import Warehouse, WriteResult, prepare_for_write
from nba_pipeline.warehouse.spec import TYPES, TableSpec


# Writers in one process (threads of an in-process executor, concurrent test runs) take turns per
# database file; writers in different processes queue on DuckDB's file lock via DuckDBResource's backoff.
_WRITE_LOCKS: dict[str, threading.Lock] = defaultdict(threading.Lock)
_CONFLICT_RETRIES = 5


def _q(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


class DuckDBWarehouse(Warehouse):
    database: str

    def _resource(self) -> DuckDBResource:
        if self.database != ":memory:":
            Path(self.database).parent.mkdir(parents=True, exist_ok=True)
        return DuckDBResource(database=self.database)

    def _table(self, spec: TableSpec) -> str:
        return f"{_q(spec.schema)}.{_q(spec.name)}"

    def _exists(self, con, spec: TableSpec) -> bool:
        return bool(con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
            [spec.schema, spec.name],
        ).fetchone()[0])

    def _ensure(self, con, spec: TableSpec) -> None:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {_q(spec.schema)}")
        cols = ", ".join(f"{_q(c)} {TYPES[t][0]}" for c, t in spec.columns.items())
        con.execute(f"CREATE TABLE IF NOT EXISTS {self._table(spec)} ({cols})")
        # Additive schema evolution: new columns appear as NULL for old rows.
        have = {r[0] for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ?",
            [spec.schema, spec.name],
        ).fetchall()}
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
        with self._resource().get_connection() as con:
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
        with self._resource().get_connection() as con:
            if not self._exists(con, spec):
                frame = spec.empty()
            else:
                self._ensure(con, spec)
                sql = f"SELECT * FROM {self._table(spec)}"
                if where:
                    sql += " WHERE " + " AND ".join(where)
                frame = spec.conform(con.execute(sql, params).df())
        return frame[columns] if columns else frame

    def count_by_date(self, spec, start, end) -> dict[dt.date, int]:
        with self._resource().get_connection() as con:
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
