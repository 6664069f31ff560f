"""BigQuery's REST API, offline, for tests: no emulator is reachable, so this stands in for the server.

The production code runs unchanged: ``BigQueryWarehouse`` builds its client through dagster-gcp's
``BigQueryResource``, the real ``google.cloud.bigquery.Client`` serialises jobs, query parameters and
Parquet uploads and decodes result rows, and only the HTTP exchange is answered here (through the
``responses`` library; credentials are anonymous). Every job is recorded (kind, SQL, parameters,
labels, the tables it wrote and the partitions it modified) so tests can count operations the way
BigQuery's quotas count them.

The SQL is parsed in BigQuery's dialect by sqlglot (errors raise) and executed on DuckDB after
sqlglot translates it. So this proves what BigQuery's client sends and that each statement is valid
BigQuery syntax with the intended shape; it does not prove BigQuery's own semantics (a DuckDB
translation runs instead), its permissions, or its performance.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import threading
import uuid
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from unittest import mock
from urllib.parse import parse_qs, urlparse

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import responses
import sqlglot
from sqlglot import exp

PROJECT = "nba-test"
LOCATION = "US"

_API = re.compile(r"https://bigquery\.googleapis\.com/.*")
# BigQuery column type -> DuckDB type (what the fake stores) and back, as the API names them.
_TO_DUCKDB = {
    "DATE": "DATE",
    "TIMESTAMP": "TIMESTAMPTZ",
    "STRING": "VARCHAR",
    "INT64": "BIGINT",
    "INTEGER": "BIGINT",
    "FLOAT64": "DOUBLE",
    "FLOAT": "DOUBLE",
    "BOOL": "BOOLEAN",
    "BOOLEAN": "BOOLEAN",
}
_FROM_DUCKDB = {
    "DATE": "DATE",
    "TIMESTAMP WITH TIME ZONE": "TIMESTAMP",
    "VARCHAR": "STRING",
    "BIGINT": "INTEGER",
    "DOUBLE": "FLOAT",
    "BOOLEAN": "BOOLEAN",
}


class JobError(Exception):
    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


@dataclass
class Write:
    """One table a job wrote: ``kind`` is dml (a DML statement), load (a load job) or ddl (a table
    created or altered); ``partitions`` the partitions whose rows it deleted or inserted."""

    table: str  # dataset.table
    kind: str
    statement: str
    partitions: set[dt.date] = field(default_factory=set)


@dataclass
class Job:
    job_id: str
    kind: str  # query | load
    day: dt.date
    sql: str | None = None
    statements: list[exp.Expression] = field(default_factory=list)
    parameters: dict[str, object] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    writes: list[Write] = field(default_factory=list)
    destination: str | None = None
    error: str | None = None
    statement_type: str = ""
    dml_stats: dict[str, int] = field(default_factory=dict)
    result: pa.Table | None = None


class FakeBigQuery:
    def __init__(self, project: str = PROJECT, location: str = LOCATION):
        self.project, self.location = project, location
        self.today = dt.date(2025, 1, 1)  # the day jobs are counted against (quotas are per day)
        self.jobs: list[Job] = []
        self.api_calls: list[tuple[str, str]] = []
        self.datasets: dict[str, dict] = {}
        self.tables: dict[str, dict] = {}  # dataset.table -> partition/cluster/expiration metadata
        self.dropped: list[str] = []
        self.metadata_updates: list[tuple[str, str]] = []
        self._uploads: dict[str, dict] = {}
        self._lock = threading.Lock()
        self.con = duckdb.connect()
        self.con.execute("SET TimeZone = 'UTC'")
        self.con.execute(f"ATTACH ':memory:' AS {self._q(project)}")

    # --- serving ---------------------------------------------------------------------------------

    @contextmanager
    def serve(self):
        """Answer every request to bigquery.googleapis.com; clients get anonymous credentials."""
        from google.auth.credentials import AnonymousCredentials

        with (
            mock.patch("google.auth.default", return_value=(AnonymousCredentials(), self.project)),
            responses.RequestsMock(assert_all_requests_are_fired=False) as rsps,
        ):
            for method in (responses.GET, responses.POST, responses.PUT, responses.DELETE, responses.PATCH):
                rsps.add_callback(method, _API, callback=self._handle)
            yield self

    def _handle(self, request):
        with self._lock:
            url = urlparse(request.url)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            self.api_calls.append((request.method, url.path))
            try:
                return self._route(request, url.path, query)
            except JobError as exc:
                code = 404 if exc.reason == "notFound" else 400
                return (
                    code,
                    {},
                    json.dumps(
                        {
                            "error": {
                                "code": code,
                                "message": str(exc),
                                "errors": [{"reason": exc.reason, "message": str(exc)}],
                            }
                        }
                    ),
                )

    def _route(self, request, path: str, query: dict):  # noqa: C901  (a router: one branch per REST route the client calls)
        p = re.escape(self.project)
        body = request.body
        if isinstance(body, str):
            body = body.encode()
        if request.method == "POST" and re.fullmatch(rf"/bigquery/v2/projects/{p}/jobs", path):
            return self._ok(self._insert_query(json.loads(body)))
        if request.method == "POST" and re.fullmatch(rf"/upload/bigquery/v2/projects/{p}/jobs", path):
            if query.get("uploadType") == "multipart":
                config, data = _multipart(request.headers["Content-Type"], body)
                return self._ok(self._load(config, data))
            upload_id = uuid.uuid4().hex
            self._uploads[upload_id] = {"config": json.loads(body), "data": b""}
            return (
                200,
                {"Location": f"https://bigquery.googleapis.com{path}?uploadType=resumable&upload_id={upload_id}"},
                "",
            )
        if request.method == "PUT" and "upload_id" in query:
            upload = self._uploads[query["upload_id"]]
            upload["data"] += body or b""
            total = request.headers.get("Content-Range", "").rsplit("/", 1)[-1]
            if total != "*" and int(total) == len(upload["data"]):
                return self._ok(self._load(upload.pop("config"), upload.pop("data")))
            return 308, {"Range": f"bytes=0-{len(upload['data']) - 1}"}, ""
        if request.method == "GET" and re.fullmatch(rf"/bigquery/v2/projects/{p}/datasets", path):
            return self._ok(
                {
                    "kind": "bigquery#datasetList",
                    "datasets": [
                        {
                            "id": f"{self.project}:{name}",
                            "location": d["location"],
                            "datasetReference": {"projectId": self.project, "datasetId": name},
                        }
                        for name, d in sorted(self.datasets.items())
                    ],
                }
            )
        m = re.fullmatch(rf"/bigquery/v2/projects/{p}/queries/([^/]+)", path)
        if m:
            return self._ok(self._query_results(self._job(m.group(1)), query))
        m = re.fullmatch(rf"/bigquery/v2/projects/{p}/jobs/([^/]+)", path)
        if m and request.method == "GET":
            return self._ok(self._job_resource(self._job(m.group(1))))
        m = re.fullmatch(rf"/bigquery/v2/projects/{p}/datasets/([^/]+)", path)
        if m and request.method in ("GET", "PATCH"):
            if m.group(1) not in self.datasets:
                raise JobError("notFound", f"Not found: Dataset {self.project}:{m.group(1)}")
            dataset = self.datasets[m.group(1)]
            if request.method == "PATCH":
                patch = json.loads(body)
                ms = patch.get("defaultTableExpirationMs")
                dataset["default_table_expiration_ms"] = int(ms) if ms is not None else None
                self.metadata_updates.append(("dataset", m.group(1)))
            resource = {
                "datasetReference": {"projectId": self.project, "datasetId": m.group(1)},
                "location": dataset["location"],
                "etag": "e",
            }
            if dataset["default_table_expiration_ms"] is not None:
                resource["defaultTableExpirationMs"] = str(dataset["default_table_expiration_ms"])
            return self._ok(resource)
        m = re.fullmatch(rf"/bigquery/v2/projects/{p}/datasets/([^/]+)/tables/([^/]+)", path)
        if m and request.method == "GET":
            return self._ok(self._table_resource(f"{m.group(1)}.{m.group(2)}"))
        if m and request.method == "DELETE":
            name = f"{m.group(1)}.{m.group(2)}"
            if name not in self.tables:
                raise JobError("notFound", f"Not found: Table {self.project}:{name}")
            self.con.execute(f"DROP TABLE {self._table(name)}")
            del self.tables[name]
            self.dropped.append(name)
            return 204, {}, ""
        raise JobError("invalid", f"the fake BigQuery does not implement {request.method} {path}")

    @staticmethod
    def _ok(payload):
        return 200, {"Content-Type": "application/json"}, json.dumps(payload)

    def _job(self, job_id: str) -> Job:
        for job in self.jobs:
            if job.job_id == job_id:
                return job
        raise JobError("notFound", f"Not found: Job {job_id}")

    # --- what tests read -------------------------------------------------------------------------

    def table_operations(self, kinds=("dml", "load")) -> Counter:
        """Jobs that wrote each table, per (day, table): what the 1,500-a-day limit counts."""
        out = Counter()
        for job in self.jobs:
            for table in {w.table for w in job.writes if w.kind in kinds}:
                out[(job.day, table)] += sum(1 for w in job.writes if w.table == table and w.kind in kinds)
        return out

    def partition_modifications(self) -> Counter:
        """Partitions modified per (day, table), summed over jobs (a partition rewritten by two jobs
        counts twice)."""
        out = Counter()
        for job in self.jobs:
            for w in job.writes:
                out[(job.day, w.table)] += len(w.partitions)
        return out

    def tables_in(self, dataset: str) -> list[str]:
        return sorted(t for t in self.tables if t.split(".")[0] == dataset)

    def rows(self, table: str) -> list[tuple]:
        return self.con.execute(f"SELECT * FROM {self._table(table)}").fetchall()

    # --- query jobs -------------------------------------------------------------------------------

    def _insert_query(self, body: dict) -> dict:
        config = body["configuration"]["query"]
        job = Job(
            job_id=body["jobReference"]["jobId"],
            kind="query",
            day=self.today,
            sql=config["query"],
            labels=body["configuration"].get("labels", {}),
        )
        self.jobs.append(job)
        try:
            job.parameters = {p["name"]: _parameter_value(p) for p in config.get("queryParameters", [])}
            job.statements = [
                s
                for s in sqlglot.parse(job.sql, read="bigquery", error_level=sqlglot.ErrorLevel.RAISE)
                if s is not None
            ]
            used = {n.name for s in job.statements for n in s.find_all(exp.Parameter)}
            if used != set(job.parameters):
                raise JobError("invalidQuery", f"parameters used {sorted(used)} but passed {sorted(job.parameters)}")
            for statement in job.statements:
                self._execute(job, statement)
            job.statement_type = "SCRIPT" if len(job.statements) > 1 else job.statement_type
        except JobError as exc:
            job.error = exc.reason
            return self._job_resource(job, exc)
        except (sqlglot.errors.ParseError, duckdb.Error) as exc:
            job.error = "invalidQuery"
            reason = "notFound" if isinstance(exc, duckdb.CatalogException) else "invalidQuery"
            return self._job_resource(job, JobError(reason, str(exc)))
        return self._job_resource(job)

    def _execute(self, job: Job, statement: exp.Expression) -> None:
        statement = statement.transform(
            lambda n: _literal(job.parameters[n.name]) if isinstance(n, exp.Parameter) else n
        )
        if isinstance(statement, exp.Create) and statement.kind == "SCHEMA":
            self._create_schema(statement)
            job.statement_type = "CREATE_SCHEMA"
        elif isinstance(statement, exp.Create) and statement.kind == "TABLE":
            job.statement_type = "CREATE_TABLE"
            name = self._name(statement.this.this)
            created = name not in self.tables
            self._create_table(statement, name)
            if created:
                job.writes.append(Write(name, "ddl", "CREATE TABLE"))
        elif isinstance(statement, exp.Alter):
            job.statement_type = "ALTER_TABLE"
            name = self._name(statement.this)
            self.con.execute(statement.sql("duckdb"))
            job.writes.append(Write(name, "ddl", "ALTER TABLE"))
        elif isinstance(statement, (exp.Merge, exp.Delete, exp.Insert)):
            self._dml(job, statement)
        elif isinstance(statement, exp.Select):
            job.statement_type = "SELECT"
            job.result = self.con.sql(statement.sql("duckdb")).to_arrow_table()
        else:
            raise JobError("invalidQuery", f"the fake BigQuery does not run {type(statement).__name__} statements")

    def _create_schema(self, statement: exp.Create) -> None:
        table = statement.this
        dataset = table.name if not table.args.get("db") else table.args["db"].name
        options = {}
        for prop in (statement.args.get("properties") or exp.Properties(expressions=[])).expressions:
            if isinstance(prop, exp.LocationProperty):
                options["location"] = prop.this.name
            elif isinstance(prop, exp.Property):
                options[prop.name] = prop.args["value"].name
        days = options.get("default_table_expiration_days")
        if dataset not in self.datasets:
            self.datasets[dataset] = {
                "location": options.get("location", self.location),
                "default_table_expiration_ms": int(float(days) * 86_400_000) if days else None,
            }
            self.con.execute(f"CREATE SCHEMA IF NOT EXISTS {self._q(self.project)}.{self._q(dataset)}")

    def _create_table(self, statement: exp.Create, name: str) -> None:
        if name.split(".")[0] not in self.datasets:
            raise JobError("notFound", f"Not found: Dataset {self.project}:{name.split('.')[0]}")
        props = statement.args.get("properties")
        partition = cluster = None
        for prop in props.expressions if props else []:
            if isinstance(prop, exp.PartitionedByProperty):
                partition = prop.this.name
            elif isinstance(prop, exp.ClusterProperty):
                cluster = [e.name for e in prop.expressions]
        plain = statement.copy()
        plain.set("properties", None)
        if name not in self.tables:
            self.tables[name] = {"partition": partition, "cluster": cluster or [], "expires": False}
        self.con.execute(plain.sql("duckdb"))

    def _dml(self, job: Job, statement: exp.Expression) -> None:
        target = statement.this if not isinstance(statement.this, exp.Schema) else statement.this.this
        name = self._name(target)
        if name not in self.tables:
            raise JobError("notFound", f"Not found: Table {self.project}:{name}")
        part = self.tables[name]["partition"]
        alias = target.alias or None
        deleted, inserted = set(), set()
        n_deleted = n_inserted = 0
        tgt = f"{self._table(name)}" + (f" AS {alias}" if alias else "")

        def dates_where(condition: exp.Expression | None, source: str, column: str) -> tuple[set, int]:
            where = f" WHERE {condition.sql('duckdb')}" if condition is not None else ""
            rows = self.con.execute(f"SELECT {column}, count(*) FROM {source}{where} GROUP BY 1").fetchall()
            return {r[0] for r in rows}, sum(r[1] for r in rows)

        if isinstance(statement, exp.Delete):
            job.statement_type = "DELETE"
            col = f"{alias}.{self._q(part)}" if alias else self._q(part)
            deleted, n_deleted = dates_where(statement.args.get("where") and statement.args["where"].this, tgt, col)
        elif isinstance(statement, exp.Merge):
            job.statement_type = "MERGE"
            if statement.args.get("on") != exp.false():
                raise JobError("invalidQuery", "the fake BigQuery runs MERGE ... ON FALSE only")
            source = statement.args["using"]
            src = f"{self._table(self._name(source))}" + (f" AS {source.alias}" if source.alias else "")
            for when in statement.args["whens"].expressions:
                then = when.args["then"]
                if when.args.get("source") and isinstance(then, exp.Var) and then.name.upper() == "DELETE":
                    col = f"{alias}.{self._q(part)}" if alias else self._q(part)
                    d, n = dates_where(when.args.get("condition"), tgt, col)
                    deleted |= d
                    n_deleted += n
                elif not when.args.get("matched") and not when.args.get("source") and isinstance(then, exp.Insert):
                    columns = [c.name for c in then.this.expressions]
                    value = then.expression.expressions[columns.index(part)]
                    d, n = dates_where(when.args.get("condition"), src, value.sql("duckdb"))
                    inserted |= d
                    n_inserted += n
                else:
                    raise JobError(
                        "invalidQuery", f"the fake BigQuery does not run this MERGE clause: {when.sql('bigquery')}"
                    )
        else:
            raise JobError("invalidQuery", f"the fake BigQuery does not run {type(statement).__name__}")
        self.con.execute(statement.sql("duckdb"))
        job.dml_stats = {"deletedRowCount": n_deleted, "insertedRowCount": n_inserted, "updatedRowCount": 0}
        job.writes.append(Write(name, "dml", job.statement_type, {d for d in deleted | inserted if d is not None}))

    # --- load jobs --------------------------------------------------------------------------------

    def _load(self, body: dict, data: bytes) -> dict:
        from google.cloud import bigquery
        from google.cloud.bigquery import _pandas_helpers

        config = body["configuration"]["load"]
        ref = config["destinationTable"]
        name = f"{ref['datasetId']}.{ref['tableId']}"
        job = Job(
            job_id=body["jobReference"]["jobId"],
            kind="load",
            day=self.today,
            destination=name,
            labels=body["configuration"].get("labels", {}),
            statement_type="LOAD",
        )
        self.jobs.append(job)
        try:
            if ref["datasetId"] not in self.datasets:
                raise JobError("notFound", f"Not found: Dataset {self.project}:{ref['datasetId']}")
            if config.get("sourceFormat") != "PARQUET":
                raise JobError("invalid", f"the fake BigQuery loads Parquet only, not {config.get('sourceFormat')}")
            fields = [bigquery.SchemaField.from_api_repr(f) for f in config["schema"]["fields"]]
            table = pq.read_table(io.BytesIO(data))
            if table.column_names != [f.name for f in fields]:
                raise JobError(
                    "invalid", f"Parquet columns {table.column_names} are not the schema's {[f.name for f in fields]}"
                )
            for f in fields:
                # The Arrow type google-cloud-bigquery itself writes for this BigQuery type.
                want = _pandas_helpers.bq_to_arrow_data_type(f)
                got = table.schema.field(f.name).type
                if got != want:
                    raise JobError(
                        "invalid",
                        f"column {f.name}: Parquet type {got} cannot load into {f.field_type} "
                        f"(the client writes {want})",
                    )
            disposition = config.get("writeDisposition", "WRITE_APPEND")
            exists = name in self.tables
            if exists and disposition == "WRITE_EMPTY" and self.rows(name):
                raise JobError("duplicate", f"table {name} is not empty")
            if exists and disposition == "WRITE_TRUNCATE":
                self.con.execute(f"DROP TABLE {self._table(name)}")
                exists = False
            if not exists:
                cols = ", ".join(f"{self._q(f.name)} {_TO_DUCKDB[f.field_type]}" for f in fields)
                self.con.execute(f"CREATE TABLE {self._table(name)} ({cols})")
                expires = self.datasets[ref["datasetId"]]["default_table_expiration_ms"] is not None
                self.tables[name] = {"partition": None, "cluster": [], "expires": expires}
            self.con.register("_incoming", table)
            self.con.execute(f"INSERT INTO {self._table(name)} SELECT * FROM _incoming")
            self.con.unregister("_incoming")
            part = self.tables[name]["partition"]
            partitions = set(table.column(part).to_pylist()) if part else set()
            job.writes.append(Write(name, "load", "LOAD", partitions))
        except JobError as exc:
            job.error = exc.reason
            return self._job_resource(job, exc)
        return self._job_resource(job)

    # --- resources --------------------------------------------------------------------------------

    def _job_resource(self, job: Job, error: JobError | None = None) -> dict:
        kind = "query" if job.kind == "query" else "load"
        resource = {
            "kind": "bigquery#job",
            "id": f"{self.project}:{self.location}.{job.job_id}",
            "jobReference": {"projectId": self.project, "jobId": job.job_id, "location": self.location},
            "configuration": {kind: {"query": job.sql} if kind == "query" else {}, "labels": job.labels},
            "status": {"state": "DONE"},
            "statistics": {"creationTime": "0", "startTime": "0", "endTime": "0"},
        }
        if kind == "query":
            stats = {"statementType": job.statement_type}
            if job.dml_stats:
                stats["dmlStats"] = {k: str(v) for k, v in job.dml_stats.items()}
                stats["numDmlAffectedRows"] = str(sum(job.dml_stats.values()))
            resource["statistics"]["query"] = stats
        if error is not None or job.error:
            err = {"reason": error.reason if error else job.error, "message": str(error) if error else job.error}
            resource["status"] = {"state": "DONE", "errorResult": err, "errors": [err]}
        return resource

    def _query_results(self, job: Job, query: dict) -> dict:
        resource = {
            "kind": "bigquery#getQueryResultsResponse",
            "jobComplete": True,
            "jobReference": {"projectId": self.project, "jobId": job.job_id, "location": self.location},
        }
        if job.error:
            raise JobError(job.error, f"job {job.job_id} failed")
        table = job.result
        if table is None:
            resource["totalRows"] = "0"
            if job.dml_stats:
                resource["numDmlAffectedRows"] = str(sum(job.dml_stats.values()))
            return resource
        resource["schema"] = {
            "fields": [{"name": f.name, "type": _arrow_to_bigquery(f.type), "mode": "NULLABLE"} for f in table.schema]
        }
        resource["totalRows"] = str(table.num_rows)
        start = int(query.get("pageToken") or query.get("startIndex") or 0)
        size = int(query["maxResults"]) if "maxResults" in query else table.num_rows
        if size == 0:
            return resource
        page = table.slice(start, size)
        int64_ts = query.get("formatOptions.useInt64Timestamp", "").lower() == "true"
        columns = [_encode(page.column(i), int64_ts) for i in range(page.num_columns)]
        resource["rows"] = [{"f": [{"v": col[r]} for col in columns]} for r in range(page.num_rows)]
        if start + size < table.num_rows:
            resource["pageToken"] = str(start + size)
        return resource

    def _table_resource(self, name: str) -> dict:
        if name not in self.tables:
            raise JobError("notFound", f"Not found: Table {self.project}:{name}")
        dataset, table = name.split(".")
        cols = self.con.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_catalog = ? AND "
            "table_schema = ? AND table_name = ? ORDER BY ordinal_position",
            [self.project, dataset, table],
        ).fetchall()
        meta = self.tables[name]
        resource = {
            "tableReference": {"projectId": self.project, "datasetId": dataset, "tableId": table},
            "schema": {"fields": [{"name": c, "type": _FROM_DUCKDB[t], "mode": "NULLABLE"} for c, t in cols]},
            "location": self.location,
        }
        if meta["partition"]:
            resource["timePartitioning"] = {"type": "DAY", "field": meta["partition"]}
        if meta["cluster"]:
            resource["clustering"] = {"fields": meta["cluster"]}
        return resource

    # --- names ------------------------------------------------------------------------------------

    @staticmethod
    def _q(name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    def _name(self, table: exp.Table) -> str:
        catalog = table.args.get("catalog")
        if catalog is None or catalog.name != self.project:
            raise JobError(
                "invalidQuery", f"{table.sql('bigquery')}: every table must be named with its project ({self.project})"
            )
        return f"{table.args['db'].name}.{table.name}"

    def _table(self, name: str) -> str:
        dataset, table = name.split(".")
        return f"{self._q(self.project)}.{self._q(dataset)}.{self._q(table)}"


def _multipart(content_type: str, body: bytes) -> tuple[dict, bytes]:
    """The JSON job resource and the file of a multipart/related upload."""
    if isinstance(content_type, bytes):
        content_type = content_type.decode()
    boundary = re.search(r'boundary="?([^";]+)"?', content_type).group(1).encode()
    parts = [p for p in body.split(b"--" + boundary) if p.strip(b"\r\n") not in (b"", b"--")]
    payloads = [p.split(b"\r\n\r\n", 1)[1] for p in parts]
    config = json.loads(payloads[0].rstrip(b"\r\n"))
    data = payloads[1][:-2] if payloads[1].endswith(b"\r\n") else payloads[1]
    return config, data


def _parameter_value(param: dict):
    kind = param["parameterType"]["type"]
    value = param.get("parameterValue", {})
    if kind == "ARRAY":
        inner = param["parameterType"]["arrayType"]["type"]
        return (inner, [v["value"] for v in value.get("arrayValues", [])])
    return (kind, value.get("value"))


def _literal(typed) -> exp.Expression:
    kind, value = typed
    if isinstance(value, list):
        return exp.Array(expressions=[_literal((kind, v)) for v in value])
    if value is None:
        return exp.cast(exp.null(), kind)
    return exp.cast(exp.Literal.string(value), kind)


def _arrow_to_bigquery(t: pa.DataType) -> str:
    if pa.types.is_date32(t):
        return "DATE"
    if pa.types.is_timestamp(t):
        return "TIMESTAMP"
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return "STRING"
    if pa.types.is_integer(t):
        return "INTEGER"
    if pa.types.is_floating(t):
        return "FLOAT"
    if pa.types.is_boolean(t):
        return "BOOLEAN"
    raise JobError("invalidQuery", f"the fake BigQuery cannot return {t}")


def _encode(column: pa.ChunkedArray, int64_timestamps: bool) -> list:
    """Values as the REST API sends them: strings, timestamps in microseconds (or seconds)."""
    t = column.type
    if pa.types.is_timestamp(t):
        micros = pc.cast(pc.cast(column, pa.timestamp("us", tz="UTC")), pa.int64()).to_pylist()
        return [None if v is None else (str(v) if int64_timestamps else f"{v / 1e6:.6f}") for v in micros]
    if pa.types.is_boolean(t):
        return [None if v is None else ("true" if v else "false") for v in column.to_pylist()]
    if pa.types.is_floating(t):
        return [None if v is None else repr(float(v)) for v in column.to_pylist()]
    return [None if v is None else str(v) for v in column.to_pylist()]
