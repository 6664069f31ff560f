"""BigQuery warehouse (production), through dagster-gcp's BigQueryResource.

A partition write costs its target table one DML statement. The frame is serialised to Parquet with
the table's own column types and loaded into a staging table (the load job writes the staging table,
never the target), then one ``MERGE ... ON FALSE`` deletes the written dates' old rows and inserts
the new ones atomically (BigQuery's documented way to replace partitions; dbt-bigquery's
``insert_overwrite`` does the same). A single statement also queues behind a concurrent write of the
same table, where a multi-statement transaction would be aborted. Staging tables live in their own
dataset whose tables expire after a day, and are dropped after the MERGE: a write that dies
half-way leaves nothing behind for long.

BigQuery's limits this design stays under (cloud.google.com/bigquery/quotas, "Standard tables" and
"Partitioned tables"; cloud.google.com/bigquery/docs/data-manipulation-language):

* 1,500 table operations per table per day: load, copy and query jobs that write the table. DML
  statements count towards it (and towards the partition limits) but are not refused by it.
* partition modifications per table per day: 5,000 for ingestion-time partitioned tables, 30,000 for
  column-partitioned tables like ours; at most 4,000 partitions modified by one job.
* 10,000 partitions per table (27 years of daily partitions).

One write per asset per run, a run covering up to 100 dates (``assets/definition.py``), makes a season
backfill two operations per table; ``nba_pipeline_tests/test_bigquery.py`` counts them.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import threading
import uuid
from contextlib import contextmanager

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from dagster_gcp import BigQueryResource
from google.api_core.exceptions import NotFound
from google.cloud import bigquery
from google.cloud.bigquery.schema import LEGACY_TO_STANDARD_TYPES

from nba_pipeline.warehouse.base import Warehouse, WriteResult, prepare_for_write
from nba_pipeline.warehouse.spec import TYPES, SchemaError, TableSpec

STAGING_DATASET = "nba_pipeline_staging"
STAGING_EXPIRATION_DAYS = 1
# Column types BigQuery can cluster on (FLOAT64 cannot), and at most four clustering columns.
CLUSTERABLE = {"DATE", "TIMESTAMP", "STRING", "INT64", "BOOL"}
MAX_CLUSTER_COLUMNS = 4
# Jobs carry labels, so INFORMATION_SCHEMA.JOBS can count each table's operations per day.
JOB_LABEL = "nba_pipeline"

_IDENTIFIER = re.compile(r"^[A-Za-z0-9_-]+$")
_LOCATION = re.compile(r"^[A-Za-z0-9-]+$")
_SESSIONS = threading.local()


def bigquery_type(logical: str) -> str:
    return TYPES[logical][1]


def _path(*parts: str) -> str:
    """A backquoted BigQuery path, one quoted part per level (project ids may contain dashes)."""
    for part in parts:
        if not _IDENTIFIER.match(part):
            raise SchemaError(f"{part!r} is not a BigQuery project, dataset or table name")
    return ".".join(f"`{p}`" for p in parts)


def table_path(project: str, spec: TableSpec) -> str:
    return _path(project, spec.schema, spec.name)


def cluster_columns(spec: TableSpec) -> list[str]:
    """The primary key after the date, in key order, up to BigQuery's four clustering columns (of the
    types BigQuery clusters on)."""
    return [c for c in spec.primary_key if c != spec.date_column and bigquery_type(spec.columns[c]) in CLUSTERABLE][
        :MAX_CLUSTER_COLUMNS
    ]


def create_dataset_sql(
    project: str, dataset: str, location: str, default_table_expiration_days: int | None = None
) -> str:
    if not _LOCATION.match(location):
        raise SchemaError(f"{location!r} is not a BigQuery location")
    options = [f"location = '{location}'"]
    if default_table_expiration_days is not None:
        options.append(f"default_table_expiration_days = {int(default_table_expiration_days)}")
    return f"CREATE SCHEMA IF NOT EXISTS {_path(project, dataset)} OPTIONS ({', '.join(options)})"


def create_table_sql(project: str, spec: TableSpec) -> str:
    cols = ",\n  ".join(f"`{c}` {bigquery_type(t)}" for c, t in spec.columns.items())
    sql = f"CREATE TABLE IF NOT EXISTS {table_path(project, spec)} (\n  {cols}\n)\nPARTITION BY `{spec.date_column}`"
    cluster = cluster_columns(spec)
    if cluster:
        sql += "\nCLUSTER BY " + ", ".join(f"`{c}`" for c in cluster)
    return sql


def add_columns_sql(project: str, spec: TableSpec, columns: list[str]) -> str:
    """Additive schema evolution (as the DuckDB warehouse does): new columns are NULL for old rows."""
    adds = ", ".join(f"ADD COLUMN IF NOT EXISTS `{c}` {bigquery_type(spec.columns[c])}" for c in columns)
    return f"ALTER TABLE {table_path(project, spec)} {adds}"


def merge_sql(project: str, spec: TableSpec, staging_table: str) -> str:
    """Replace the dates ``@start..@end`` except ``@keep`` with the staging table's rows, in one statement."""
    cols = ", ".join(f"`{c}`" for c in spec.columns)
    values = ", ".join(f"S.`{c}`" for c in spec.columns)
    date = f"T.`{spec.date_column}`"
    return (
        f"MERGE INTO {table_path(project, spec)} AS T\n"
        f"USING {_path(project, STAGING_DATASET, staging_table)} AS S\n"
        "ON FALSE\n"
        f"WHEN NOT MATCHED BY SOURCE AND {date} BETWEEN @start AND @end AND NOT ({date} IN UNNEST(@keep)) THEN DELETE\n"
        f"WHEN NOT MATCHED THEN INSERT ({cols}) VALUES ({values})"
    )


def delete_sql(project: str, spec: TableSpec) -> str:
    """A write of no rows: the dates' rows go, nothing comes in (no staging table needed)."""
    date = f"`{spec.date_column}`"
    return (
        f"DELETE FROM {table_path(project, spec)}\n"
        f"WHERE {date} BETWEEN @start AND @end AND NOT ({date} IN UNNEST(@keep))"
    )


def counts_sql(project: str, spec: TableSpec) -> str:
    date = f"`{spec.date_column}`"
    return (
        f"SELECT {date} AS d, COUNT(*) AS n FROM {table_path(project, spec)}\n"
        f"WHERE {date} BETWEEN @start AND @end GROUP BY d"
    )


def read_sql(project: str, spec: TableSpec, columns: list[str], start: bool, end: bool) -> str:
    """Only the columns asked for: BigQuery bills the columns a query reads."""
    date = f"`{spec.date_column}`"
    where = [f"{date} >= @start"] * start + [f"{date} <= @end"] * end
    sql = f"SELECT {', '.join(f'`{c}`' for c in columns)} FROM {table_path(project, spec)}"
    return sql + (" WHERE " + " AND ".join(where) if where else "")


def schema_fields(spec: TableSpec) -> list:
    """The load job's schema: the DDL's columns, same order, same types."""

    return [bigquery.SchemaField(c, bigquery_type(t), mode="NULLABLE") for c, t in spec.columns.items()]


def arrow_schema(spec: TableSpec):
    """The Parquet (Arrow) type of each column, the ones BigQuery loads into the column's type."""

    arrow = {
        "DATE": pa.date32(),
        "TIMESTAMP": pa.timestamp("us", tz="UTC"),
        "STRING": pa.string(),
        "INT64": pa.int64(),
        "FLOAT64": pa.float64(),
        "BOOL": pa.bool_(),
    }
    return pa.schema([pa.field(c, arrow[bigquery_type(t)]) for c, t in spec.columns.items()])


def to_parquet(spec: TableSpec, frame: pd.DataFrame) -> bytes:
    """A conformed frame as Parquet typed by the table's schema (google-cloud-bigquery's own DataFrame
    loader is deprecated in favour of pandas-gbq). BigQuery keeps microseconds, so timestamps are
    floored to them (Arrow refuses to drop nanoseconds silently)."""

    frame = frame.copy()
    for c, t in spec.columns.items():
        if t == "TIMESTAMP":
            frame[c] = frame[c].dt.floor("us")
    table = pa.Table.from_pandas(frame, schema=arrow_schema(spec), preserve_index=False)
    buf = io.BytesIO()
    pq.write_table(table, buf)
    return buf.getvalue()


def _to_pandas(rows) -> pd.DataFrame:
    """Arrow rows as pandas; nullable integers and booleans keep their type (no float or object detour).
    (The client's own ``to_dataframe`` is deprecated in favour of pandas-gbq.)"""

    mapper = {pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}
    return rows.to_pandas(types_mapper=mapper.get)


def _standard_type(field_type: str) -> str:

    standard = LEGACY_TO_STANDARD_TYPES.get(field_type.upper())
    return standard.value if standard is not None else field_type.upper()


class BigQueryWarehouse(Warehouse):
    project: str
    location: str = "US"

    @contextmanager
    def session(self):
        """One client (one HTTP session, one credential refresh) for everything a step does inside."""
        key = (self.project, self.location)
        clients = _SESSIONS.__dict__.setdefault("clients", {})
        if key in clients:
            yield
            return
        with BigQueryResource(project=self.project, location=self.location).get_client() as client:
            clients[key] = client
            try:
                yield
            finally:
                del clients[key]
                client.close()

    @contextmanager
    def _client(self):
        client = _SESSIONS.__dict__.get("clients", {}).get((self.project, self.location))
        if client is not None:
            yield client
            return
        with BigQueryResource(project=self.project, location=self.location).get_client() as client:
            try:
                yield client
            finally:
                client.close()

    def _labels(self, spec: TableSpec) -> dict[str, str]:
        return {"app": JOB_LABEL, "table": f"{spec.schema}__{spec.name}"[:63]}

    def _query(self, client, sql: str, spec: TableSpec, params=()):

        return client.query(
            sql, job_config=bigquery.QueryJobConfig(query_parameters=list(params), labels=self._labels(spec))
        )

    def _ensure_table(self, client, spec: TableSpec) -> None:
        """Create the dataset and table on first use (one DDL job); afterwards only read its metadata,
        which is not a table operation, and add columns the spec gained."""

        try:
            table = client.get_table(f"{self.project}.{spec.schema}.{spec.name}")
        except NotFound:
            self._query(
                client,
                create_dataset_sql(self.project, spec.schema, self.location)
                + ";\n"
                + create_table_sql(self.project, spec),
                spec,
            ).result()
            return
        partitioned_on = table.time_partitioning.field if table.time_partitioning else None
        if partitioned_on != spec.date_column:
            raise SchemaError(
                f"{spec.address}: the BigQuery table is partitioned on {partitioned_on!r}, not "
                f"{spec.date_column!r}; partition writes would rewrite the whole table"
            )
        have = {f.name: _standard_type(f.field_type) for f in table.schema}
        wrong = {
            c: (have[c], bigquery_type(t)) for c, t in spec.columns.items() if c in have and have[c] != bigquery_type(t)
        }
        if wrong:
            raise SchemaError(
                f"{spec.address}: BigQuery column types differ from the spec "
                + ", ".join(f"{c} is {a}, the spec says {b}" for c, (a, b) in wrong.items())
            )
        missing = [c for c in spec.columns if c not in have]
        if missing:
            self._query(client, add_columns_sql(self.project, spec, missing), spec).result()

    def _ensure_staging(self, client, spec: TableSpec) -> None:
        """The staging dataset, whose tables expire by themselves (set again if someone removed it)."""

        try:
            dataset = client.get_dataset(f"{self.project}.{STAGING_DATASET}")
        except NotFound:
            self._query(
                client, create_dataset_sql(self.project, STAGING_DATASET, self.location, STAGING_EXPIRATION_DAYS), spec
            ).result()
            return
        expiration_ms = STAGING_EXPIRATION_DAYS * 86_400_000
        if dataset.default_table_expiration_ms != expiration_ms:
            dataset.default_table_expiration_ms = expiration_ms
            client.update_dataset(dataset, ["default_table_expiration_ms"])

    def replace_dates(self, spec, df, start, end, keep=()) -> WriteResult:

        frame = prepare_for_write(spec, df, start, end, keep)
        params = [
            bigquery.ScalarQueryParameter("start", "DATE", start),
            bigquery.ScalarQueryParameter("end", "DATE", end),
            bigquery.ArrayQueryParameter("keep", "DATE", sorted(keep)),
        ]
        with self._client() as client:
            self._ensure_table(client, spec)
            if frame.empty:
                job = self._query(client, delete_sql(self.project, spec), spec, params)
                job.result()
            else:
                self._ensure_staging(client, spec)
                staging = f"{spec.schema}__{spec.name}__{uuid.uuid4().hex[:12]}"
                staging_id = f"{self.project}.{STAGING_DATASET}.{staging}"
                data = to_parquet(spec, frame)
                try:
                    client.load_table_from_file(
                        io.BytesIO(data),
                        staging_id,
                        size=len(data),
                        job_config=bigquery.LoadJobConfig(
                            schema=schema_fields(spec),
                            source_format=bigquery.SourceFormat.PARQUET,
                            write_disposition=bigquery.WriteDisposition.WRITE_TRUNCATE,
                            labels=self._labels(spec),
                        ),
                    ).result()
                    job = self._query(client, merge_sql(self.project, spec, staging), spec, params)
                    job.result()
                finally:
                    client.delete_table(staging_id, not_found_ok=True)
            rows_by_date = self._counts(client, spec, start, end)
        stats = job.dml_stats
        deleted = stats.deleted_row_count if stats is not None else -1
        return WriteResult(spec.address, start, end, sum(rows_by_date.values()), rows_by_date, deleted=deleted)

    def _counts(self, client, spec, start, end) -> dict[dt.date, int]:

        job = self._query(
            client,
            counts_sql(self.project, spec),
            spec,
            [bigquery.ScalarQueryParameter("start", "DATE", start), bigquery.ScalarQueryParameter("end", "DATE", end)],
        )
        return {row["d"]: int(row["n"]) for row in job.result()}

    def read(self, spec, start=None, end=None, columns=None) -> pd.DataFrame:

        wanted = list(spec.columns) if not columns else list(dict.fromkeys([spec.date_column, *columns]))
        unknown = [c for c in wanted if c not in spec.columns]
        if unknown:
            raise SchemaError(f"{spec.address}: no columns {unknown}")
        # Conform only what was read: the spec narrowed to the selected columns.
        narrow = TableSpec(
            spec.schema,
            spec.name,
            {c: spec.columns[c] for c in wanted},
            primary_key=tuple(c for c in spec.primary_key if c in wanted),
            date_column=spec.date_column,
        )
        params = ([bigquery.ScalarQueryParameter("start", "DATE", start)] if start is not None else []) + (
            [bigquery.ScalarQueryParameter("end", "DATE", end)] if end is not None else []
        )
        sql = read_sql(self.project, spec, wanted, start is not None, end is not None)
        with self._client() as client:
            try:
                rows = self._query(client, sql, spec, params).result().to_arrow(create_bqstorage_client=False)
                frame = _to_pandas(rows)
            except NotFound:
                frame = narrow.empty()
        frame = narrow.conform(frame)
        return frame[columns] if columns else frame

    def count_by_date(self, spec, start, end) -> dict[dt.date, int]:

        with self._client() as client:
            try:
                return self._counts(client, spec, start, end)
            except NotFound:
                return {}

    def check_reachable(self) -> str:
        # A dry run needs credentials and the project but bills and writes nothing.

        with self._client() as client:
            client.query("SELECT 1", job_config=bigquery.QueryJobConfig(dry_run=True)).result(timeout=20)
            datasets = sum(1 for d in client.list_datasets(timeout=20) if d.dataset_id.startswith("nba_"))
        return f"BigQuery project {self.project} ({self.location}, {datasets} nba_* datasets)"
