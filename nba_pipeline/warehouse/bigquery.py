"""BigQuery warehouse (production), through dagster-gcp's BigQueryResource.

A partition write loads the frame into a staging table (one load job on the staging table, not on
the target, which keeps the target far below BigQuery's ~1,500 table operations a day even during
backfills) and then replaces the dates in the target with one multi-statement transaction.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pandas as pd
from dagster_gcp import BigQueryResource

from nba_pipeline.warehouse.base import Warehouse, WriteResult, prepare_for_write
from nba_pipeline.warehouse.spec import TYPES, TableSpec


def create_table_sql(project: str, spec: TableSpec) -> str:
    cols = ",\n  ".join(f"`{c}` {TYPES[t][1]}" for c, t in spec.columns.items())
    cluster = [c for c in spec.primary_key if c != spec.date_column][:4]
    sql = (f"CREATE TABLE IF NOT EXISTS `{project}.{spec.schema}.{spec.name}` (\n  {cols}\n)\n"
           f"PARTITION BY `{spec.date_column}`")
    if cluster:
        sql += "\nCLUSTER BY " + ", ".join(f"`{c}`" for c in cluster)
    return sql


def replace_dates_sql(project: str, spec: TableSpec, staging: str) -> str:
    target = f"`{project}.{spec.schema}.{spec.name}`"
    cols = ", ".join(f"`{c}`" for c in spec.columns)
    return (
        "BEGIN TRANSACTION;\n"
        f"DELETE FROM {target} WHERE `{spec.date_column}` BETWEEN @start AND @end\n"
        f"  AND `{spec.date_column}` NOT IN UNNEST(@keep);\n"
        f"INSERT INTO {target} ({cols}) SELECT {cols} FROM `{project}.{spec.schema}.{staging}`;\n"
        "COMMIT TRANSACTION;"
    )


class BigQueryWarehouse(Warehouse):
    project: str
    location: str = "US"

    def _client(self):
        return BigQueryResource(project=self.project, location=self.location).get_client()

    def replace_dates(self, spec, df, start, end, keep=()) -> WriteResult:
        from google.cloud import bigquery

        frame = prepare_for_write(spec, df, start, end, keep)
        staging = f"_staging_{spec.name}_{uuid.uuid4().hex[:12]}"
        params = [bigquery.ScalarQueryParameter("start", "DATE", start),
                  bigquery.ScalarQueryParameter("end", "DATE", end),
                  bigquery.ArrayQueryParameter("keep", "DATE", sorted(keep))]
        with self._client() as client:
            client.query(f"CREATE SCHEMA IF NOT EXISTS `{self.project}.{spec.schema}`").result()
            client.query(create_table_sql(self.project, spec)).result()
            schema = [bigquery.SchemaField(c, TYPES[t][1]) for c, t in spec.columns.items()]
            staging_ref = f"{self.project}.{spec.schema}.{staging}"
            client.load_table_from_dataframe(
                frame, staging_ref, job_config=bigquery.LoadJobConfig(schema=schema)
            ).result()
            try:
                client.query(replace_dates_sql(self.project, spec, staging),
                             job_config=bigquery.QueryJobConfig(query_parameters=params)).result()
            finally:
                client.delete_table(staging_ref, not_found_ok=True)
            rows_by_date = self._counts(client, spec, start, end)
        return WriteResult(spec.address, start, end, sum(rows_by_date.values()), rows_by_date, deleted=-1)

    def _counts(self, client, spec, start, end) -> dict[dt.date, int]:
        from google.cloud import bigquery

        sql = (f"SELECT `{spec.date_column}` AS d, COUNT(*) AS n FROM `{self.project}.{spec.schema}.{spec.name}` "
               f"WHERE `{spec.date_column}` BETWEEN @start AND @end GROUP BY d")
        job = client.query(sql, job_config=bigquery.QueryJobConfig(query_parameters=[
            bigquery.ScalarQueryParameter("start", "DATE", start),
            bigquery.ScalarQueryParameter("end", "DATE", end)]))
        return {row["d"]: int(row["n"]) for row in job.result()}

    def read(self, spec, start=None, end=None, columns=None) -> pd.DataFrame:
        from google.api_core.exceptions import NotFound
        from google.cloud import bigquery

        where, params = [], []
        if start is not None:
            where.append(f"`{spec.date_column}` >= @start")
            params.append(bigquery.ScalarQueryParameter("start", "DATE", start))
        if end is not None:
            where.append(f"`{spec.date_column}` <= @end")
            params.append(bigquery.ScalarQueryParameter("end", "DATE", end))
        sql = f"SELECT * FROM `{self.project}.{spec.schema}.{spec.name}`"
        if where:
            sql += " WHERE " + " AND ".join(where)
        with self._client() as client:
            try:
                frame = client.query(sql, job_config=bigquery.QueryJobConfig(query_parameters=params)).to_dataframe()
            except NotFound:
                frame = spec.empty()
        frame = spec.conform(frame)
        return frame[columns] if columns else frame

    def count_by_date(self, spec, start, end) -> dict[dt.date, int]:
        from google.api_core.exceptions import NotFound

        with self._client() as client:
            try:
                return self._counts(client, spec, start, end)
            except NotFound:
                return {}

    def check_reachable(self) -> str:
        # A dry run needs credentials and the project but bills and writes nothing.
        from google.cloud import bigquery

        with self._client() as client:
            client.query("SELECT 1", job_config=bigquery.QueryJobConfig(dry_run=True)).result(timeout=20)
            datasets = sum(1 for d in client.list_datasets(timeout=20) if d.dataset_id.startswith("nba_"))
        return f"BigQuery project {self.project} ({self.location}, {datasets} nba_* datasets)"
