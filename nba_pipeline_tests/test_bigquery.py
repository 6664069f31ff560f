"""The BigQuery warehouse, proved offline (no BigQuery is reachable from tests).

What runs for real: our SQL through sqlglot's BigQuery parser (errors raise), google-cloud-bigquery's
client (job and parameter serialisation, Parquet upload, row decoding) through dagster-gcp's
BigQueryResource, and the statements' effect through a DuckDB translation (``bigquery_fake``).
What does not: BigQuery itself (its semantics, permissions, quotas and speed).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter
from contextlib import contextmanager

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
import sqlglot
from google.cloud.bigquery import _pandas_helpers
from google.cloud.bigquery.schema import LEGACY_TO_STANDARD_TYPES
from sqlglot import exp

from nba_pipeline.assets.definition import BACKFILL_POLICY, MAX_DATES_PER_RUN
from nba_pipeline.calendar import date_range
from nba_pipeline.execution import range_runs
from nba_pipeline.warehouse import bigquery as bq
from nba_pipeline.warehouse import tables as t
from nba_pipeline.warehouse.base import Warehouse
from nba_pipeline.warehouse.bigquery import BigQueryWarehouse
from nba_pipeline.warehouse.duckdb import DuckDBWarehouse
from nba_pipeline.warehouse.spec import TYPES, SchemaError, TableSpec
from nba_pipeline_tests.bigquery_fake import PROJECT, FakeBigQuery

SPECS = {spec.address: spec for spec in t.ALL_TABLES}

# BigQuery's documented limits (cloud.google.com/bigquery/quotas): table operations (load, copy and
# query jobs writing the table, DML included) per table per day; partition modifications per table
# per day (5,000 for ingestion-time partitioned tables, 30,000 for column-partitioned ones: we hold
# ourselves to the smaller); partitions one job may modify.
TABLE_OPERATIONS_PER_DAY = 1_500
PARTITION_MODIFICATIONS_PER_DAY = 5_000
PARTITIONS_PER_JOB = 4_000
# The 2024-25 regular season, every calendar day a partition (game or not).
SEASON = (dt.date(2024, 10, 22), dt.date(2025, 4, 13))


def parse(sql: str) -> list[exp.Expression]:
    return [s for s in sqlglot.parse(sql, read="bigquery", error_level=sqlglot.ErrorLevel.RAISE) if s is not None]


def tokens(sql: str) -> list[tuple]:
    return [(tok.token_type, tok.text.upper()) for tok in sqlglot.tokenize(sql, read="bigquery")]


def check(spec: TableSpec, sql: str) -> list[exp.Expression]:
    """Parse (errors raise), check each statement's shape, and for DML and queries check that the
    text is token for token what sqlglot renders from its parse: sqlglot reads some broken text
    (a WHEN without THEN, a MERGE without USING) as if it were whole, and only this catches that."""
    statements = parse(sql)
    for statement in statements:
        _expected_shape(spec, statement)
    if len(statements) == 1 and isinstance(statements[0], (exp.Merge, exp.Delete, exp.Select)):
        assert tokens(sql) == tokens(statements[0].sql("bigquery")), sql
    return statements


def parts(table: exp.Table) -> tuple[str, str, str]:
    return (table.catalog, table.db, table.name)


def sample(spec: TableSpec, dates, per_date: int = 2, nanos: bool = False) -> pd.DataFrame:
    """Rows of every column type for each date; the second row of a date has NULLs in every column
    outside the primary key."""
    rows = []
    for day in dates:
        for i in range(per_date):
            row = {}
            for c, logical in spec.columns.items():
                null = i % 2 == 1 and c not in spec.primary_key
                if c == spec.date_column:
                    row[c] = pd.Timestamp(day)
                elif null:
                    row[c] = None
                elif logical == "DATE":
                    row[c] = pd.Timestamp(day) - pd.Timedelta(days=i + 1)
                elif logical == "TIMESTAMP":
                    row[c] = pd.Timestamp(day, tz="UTC") + pd.Timedelta(
                        hours=23, microseconds=123_456 + i, nanoseconds=789 if nanos else 0
                    )
                elif logical == "VARCHAR":
                    row[c] = f"{c}-{day:%m%d}-{i}"
                elif logical == "BIGINT":
                    row[c] = 1_000_000_000_000 + i  # beyond float32, inside float64: kept exactly
                elif logical == "DOUBLE":
                    row[c] = i + 0.25
                else:
                    row[c] = i % 2 == 0
            rows.append(row)
    return spec.conform(pd.DataFrame(rows, columns=list(spec.columns)))


def by_key(spec: TableSpec, frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(list(spec.primary_key)).reset_index(drop=True)


@pytest.fixture
def fake():
    server = FakeBigQuery()
    with server.serve():
        yield server


@pytest.fixture
def warehouse() -> BigQueryWarehouse:
    return BigQueryWarehouse(project=PROJECT, location="US")


# --- 1. every statement parses in BigQuery's dialect and has the intended shape ------------------


def _exercise(warehouse: BigQueryWarehouse, spec: TableSpec, d0: dt.date) -> None:
    """Every kind of statement the warehouse issues for a table: create, write, write keeping a
    date, write nothing, counts, reads (whole, bounded, narrowed). Rows come back as written."""
    d1, d2 = d0 + dt.timedelta(days=1), d0 + dt.timedelta(days=2)
    frame = sample(spec, [d0, d1, d2])
    result = warehouse.replace_dates(spec, frame, d0, d2)
    assert result.rows_by_date == {d0: 2, d1: 2, d2: 2} and result.deleted == 0
    pd.testing.assert_frame_equal(by_key(spec, warehouse.read(spec)), by_key(spec, frame))
    warehouse.replace_dates(spec, sample(spec, [d0]), d0, d1, keep={d1})
    warehouse.replace_dates(spec, spec.empty(), d2, d2)
    assert warehouse.count_by_date(spec, d0, d2) == {d0: 2, d1: 2}
    pd.testing.assert_frame_equal(
        by_key(spec, warehouse.read(spec, start=d0)), by_key(spec, frame[frame[spec.date_column] < pd.Timestamp(d2)])
    )
    assert set(warehouse.read(spec, end=d0)[spec.date_column].dt.date) == {d0}
    narrow = [c for c in spec.columns if c != spec.date_column][:2]
    assert list(warehouse.read(spec, d0, d2, columns=narrow).columns) == narrow


def _expected_shape(spec: TableSpec, statement: exp.Expression) -> None:
    target = (PROJECT, spec.schema, spec.name)
    date_col = spec.date_column
    if isinstance(statement, exp.Create) and statement.kind == "SCHEMA":
        assert statement.args["exists"]
        assert (statement.this.catalog, statement.this.db) in {(PROJECT, spec.schema), (PROJECT, bq.STAGING_DATASET)}
        props = {
            p.name: p.args["value"].name
            for p in statement.args["properties"].expressions
            if isinstance(p, exp.Property) and not isinstance(p, exp.LocationProperty)
        }
        locations = [
            p.this.name for p in statement.args["properties"].expressions if isinstance(p, exp.LocationProperty)
        ]
        assert locations == ["US"]
        if statement.this.db == bq.STAGING_DATASET:
            assert props == {"default_table_expiration_days": str(bq.STAGING_EXPIRATION_DAYS)}
        else:
            assert props == {}
    elif isinstance(statement, exp.Create) and statement.kind == "TABLE":
        assert statement.args["exists"]
        assert parts(statement.this.this) == target
        columns = [(c.name, c.args["kind"].sql("bigquery")) for c in statement.this.expressions]
        assert columns == [(f.name, f.field_type) for f in bq.schema_fields(spec)]
        props = {type(p).__name__: p for p in statement.args["properties"].expressions}
        assert props["PartitionedByProperty"].this.name == date_col
        cluster = props.get("ClusterProperty")
        assert ([e.name for e in cluster.expressions] if cluster else []) == bq.cluster_columns(spec)
    elif isinstance(statement, exp.Merge):
        assert parts(statement.this) == target and statement.this.alias == "T"
        source = statement.args["using"]
        assert (source.catalog, source.db) == (PROJECT, bq.STAGING_DATASET) and source.alias == "S"
        assert source.name.startswith(f"{spec.schema}__{spec.name}__")
        assert statement.args["on"] == exp.false()
        delete, insert = statement.args["whens"].expressions
        assert (delete.args["matched"], delete.args["source"]) == (False, True)
        assert delete.args["then"].name.upper() == "DELETE"
        assert delete.args["condition"].sql("bigquery") == (
            f"T.`{date_col}` BETWEEN @start AND @end AND NOT (T.`{date_col}` IN UNNEST(@keep))"
        )
        assert (insert.args["matched"], insert.args.get("source")) == (False, False)
        assert insert.args.get("condition") is None
        assert [c.name for c in insert.args["then"].this.expressions] == list(spec.columns)
        assert [(v.table, v.name) for v in insert.args["then"].expression.expressions] == [
            ("S", c) for c in spec.columns
        ]
    elif isinstance(statement, exp.Delete):
        assert parts(statement.this) == target
        assert statement.args["where"].this.sql("bigquery") == (
            f"`{date_col}` BETWEEN @start AND @end AND NOT (`{date_col}` IN UNNEST(@keep))"
        )
    elif isinstance(statement, exp.Select):
        assert parts(statement.args["from_"].this) == target
        where = statement.args.get("where")
        if statement.args.get("group"):  # the row counts
            assert [s.sql("bigquery") for s in statement.expressions] == [f"`{date_col}` AS d", "COUNT(*) AS n"]
            assert where.this.sql("bigquery") == f"`{date_col}` BETWEEN @start AND @end"
        else:
            assert all(isinstance(s, exp.Column) and s.name in spec.columns for s in statement.expressions)
            assert statement.expressions[0].name == date_col
            if where is not None:
                assert {c.sql("bigquery") for c in where.find_all(exp.GTE, exp.LTE)} <= {
                    f"`{date_col}` >= @start",
                    f"`{date_col}` <= @end",
                }
    elif isinstance(statement, exp.Alter):
        assert parts(statement.this) == target
    else:
        raise AssertionError(f"unexpected statement {statement.sql('bigquery')}")


@pytest.mark.parametrize("address", sorted(SPECS))
def test_every_statement_the_warehouse_issues_parses_as_bigquery_and_rows_round_trip(address, fake, warehouse):
    spec = SPECS[address]
    _exercise(warehouse, spec, dt.date(2024, 11, 1))
    jobs = [j for j in fake.jobs if j.kind == "query" and j.labels.get("table") == f"{spec.schema}__{spec.name}"]
    seen = Counter()
    for job in jobs:
        statements = check(spec, job.sql)
        assert statements == job.statements
        for statement in statements:
            seen[type(statement).__name__ + (f":{statement.kind}" if isinstance(statement, exp.Create) else "")] += 1
        used = {p.name for s in statements for p in s.find_all(exp.Parameter)}
        assert used == set(job.parameters)
        types = {"start": ("DATE", None), "end": ("DATE", None), "keep": ("DATE", [])}
        for name in used:
            assert job.parameters[name][0] == types[name][0]
    # Created once (dataset + table in one script), 2 MERGEs, 1 DELETE, reads and counts; the
    # staging dataset is created by the first write of the test.
    assert seen["Create:TABLE"] == 1 and seen["Merge"] == 2 and seen["Delete"] == 1
    assert seen["Select"] == 3 + 1 + 4  # a count after each write, count_by_date, four reads
    assert all(j.error is None for j in jobs if j.sql.startswith(("MERGE", "DELETE", "CREATE")))


# sqlglot is lenient: it reads ``BETWEEN @start @end``, a WHEN without THEN or a MERGE without USING
# as if they were whole (the token check catches them) and falls back to an opaque Command for DDL it
# cannot read (the shape check catches that).
BROKEN = [
    ("merge", "THEN DELETE", "DELETE"),
    ("merge", "BETWEEN @start AND @end", "BETWEEN @start @end"),
    ("merge", "UNNEST(@keep)", "UNNEST(@keep"),
    ("merge", "USING", ""),
    ("merge", "ON FALSE", "ON TRUE"),
    ("merge", " VALUES (", " ("),
    ("create", "PARTITION BY", "PARTITION"),
    ("create", "CLUSTER BY", "CLUSTER"),
    ("create", "INT64", "INT 64"),
    ("create", "IF NOT EXISTS ", ""),
    ("delete", "NOT (", "("),
]


@pytest.mark.parametrize("kind, good, bad", BROKEN)
def test_a_broken_statement_fails_the_checks(kind, good, bad):
    spec = t.NBAC_SCHEDULE
    sql = {
        "merge": bq.merge_sql(PROJECT, spec, f"{spec.schema}__{spec.name}__0"),
        "create": bq.create_table_sql(PROJECT, spec),
        "delete": bq.delete_sql(PROJECT, spec),
    }[kind]
    check(spec, sql)  # the statement as generated passes
    assert good in sql
    with pytest.raises((sqlglot.errors.ParseError, AssertionError)):
        check(spec, sql.replace(good, bad, 1))


def test_names_cannot_break_out_of_their_quotes():
    with pytest.raises(SchemaError, match="not a BigQuery"):
        bq.merge_sql(PROJECT, t.NBAC_SCHEDULE, "staging`; DROP TABLE x; --")
    with pytest.raises(SchemaError, match="not a BigQuery location"):
        bq.create_dataset_sql(PROJECT, "nba_raw", "US'); DROP SCHEMA x; --")


def test_identifiers_partitioning_and_clustering_are_valid_for_bigquery():
    # Dataset and table names: letters, digits, underscores; columns also must not start with a digit.
    for spec in t.ALL_TABLES:
        assert re.fullmatch(r"[A-Za-z0-9_]{1,1024}", spec.schema) and re.fullmatch(r"[A-Za-z0-9_]{1,1024}", spec.name)
        assert all(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,299}", c) for c in spec.columns), spec.address
        assert len(spec.columns) <= 10_000
        # PARTITION BY a bare column needs a DATE column (a TIMESTAMP would need DATE(...)).
        assert spec.columns[spec.date_column] == "DATE", spec.address
        cluster = bq.cluster_columns(spec)
        assert len(cluster) <= 4
        assert all(bq.bigquery_type(spec.columns[c]) in bq.CLUSTERABLE for c in cluster), spec.address
    assert bq.STAGING_DATASET not in {spec.schema for spec in t.ALL_TABLES}
    # BigQuery refuses to cluster on FLOAT64: such a key column is left out, the others kept.
    keyed = TableSpec(
        "nba_raw",
        "x",
        {"game_date": "DATE", "line": "DOUBLE", "book": "VARCHAR"},
        primary_key=("game_date", "line", "book"),
    )
    assert bq.cluster_columns(keyed) == ["book"]


# --- 2. schemas map one to one -------------------------------------------------------------------


@pytest.mark.parametrize("address", sorted(SPECS))
def test_schema_maps_one_to_one_ddl_load_schema_parquet_and_pandas(address):
    spec = SPECS[address]
    fields = bq.schema_fields(spec)
    (create,) = parse(bq.create_table_sql(PROJECT, spec))
    ddl = [(c.name, c.args["kind"].sql("bigquery")) for c in create.this.expressions]
    assert ddl == [(f.name, f.field_type) for f in fields] == [(c, TYPES[x][1]) for c, x in spec.columns.items()]
    back = {bq_type: logical for logical, (_, bq_type, _) in TYPES.items()}
    assert len(back) == len(TYPES)  # no two logical types share a BigQuery type
    for f, (c, logical) in zip(fields, spec.columns.items()):
        assert LEGACY_TO_STANDARD_TYPES[f.field_type].value == f.field_type  # a standard SQL name
        assert back[f.field_type] == logical
        # The Arrow type we write is the one google-cloud-bigquery writes for this BigQuery type.
        assert bq.arrow_schema(spec).field(c).type == _pandas_helpers.bq_to_arrow_data_type(f)

    frame = sample(spec, [dt.date(2024, 11, 1), dt.date(2024, 11, 2)])
    for conformed in (spec.empty(), frame):
        written = pq.read_table(io.BytesIO(bq.to_parquet(spec, conformed)))
        assert written.schema.remove_metadata() == bq.arrow_schema(spec)
        # The client's own DataFrame conversion (what load_table_from_dataframe would use) agrees.
        theirs = _pandas_helpers.dataframe_to_arrow(conformed, fields)
        assert theirs.schema.remove_metadata() == written.schema.remove_metadata()
        assert theirs.to_pylist() == written.to_pylist()
        back_frame = spec.conform(bq._to_pandas(written))
        pd.testing.assert_frame_equal(back_frame, conformed)


def test_timestamps_keep_microseconds_as_bigquery_does():
    spec = t.NBAC_SCHEDULE
    frame = sample(spec, [dt.date(2024, 11, 1)], nanos=True)
    assert (frame["scraped_at"].dropna().dt.nanosecond == 789).all()
    back = spec.conform(bq._to_pandas(pq.read_table(io.BytesIO(bq.to_parquet(spec, frame)))))
    assert back["scraped_at"].equals(frame["scraped_at"].dt.floor("us"))


def test_partition_writes_replace_their_dates_keep_what_they_must_and_clean_up(fake, warehouse):
    spec = t.PLAYER_GAME_SUMMARY
    d0, d1, d2 = dt.date(2024, 11, 1), dt.date(2024, 11, 2), dt.date(2024, 11, 3)
    warehouse.replace_dates(spec, sample(spec, [d0, d1, d2], per_date=3), d0, d2)
    # Re-running d0..d1 with d1 held back: d0 replaced (3 rows -> 1), d1 and d2 untouched.
    result = warehouse.replace_dates(spec, sample(spec, [d0], per_date=1), d0, d1, keep={d1})
    assert result.rows_by_date == {d0: 1, d1: 3} and result.deleted == 3
    assert warehouse.count_by_date(spec, d0, d2) == {d0: 1, d1: 3, d2: 3}
    # Nothing computed for d2: its rows go, no staging table is made.
    loads = sum(1 for j in fake.jobs if j.kind == "load")
    result = warehouse.replace_dates(spec, spec.empty(), d2, d2)
    assert result.rows == 0 and result.deleted == 3 and sum(1 for j in fake.jobs if j.kind == "load") == loads
    with pytest.raises(SchemaError, match="outside the partitions being written"):
        warehouse.replace_dates(spec, sample(spec, [d2]), d0, d1)
    assert fake.tables_in(bq.STAGING_DATASET) == []
    assert fake.datasets[bq.STAGING_DATASET]["default_table_expiration_ms"] == bq.STAGING_EXPIRATION_DAYS * 86_400_000
    assert warehouse.read(t.TEAM_OFFENSE).empty and warehouse.count_by_date(t.TEAM_OFFENSE, d0, d2) == {}


def test_a_staging_dataset_that_lost_its_expiration_gets_it_back(fake, warehouse):
    spec = t.TEAM_ROSTERS
    day = dt.date(2024, 11, 1)
    warehouse.replace_dates(spec, sample(spec, [day]), day, day)
    assert fake.metadata_updates == []
    fake.datasets[bq.STAGING_DATASET]["default_table_expiration_ms"] = None  # someone edited it
    warehouse.replace_dates(spec, sample(spec, [day]), day, day)
    assert fake.metadata_updates == [("dataset", bq.STAGING_DATASET)]
    assert fake.datasets[bq.STAGING_DATASET]["default_table_expiration_ms"] == bq.STAGING_EXPIRATION_DAYS * 86_400_000


def test_a_failed_merge_still_drops_its_staging_table(fake, warehouse, monkeypatch):
    spec = t.TEAM_OFFENSE
    day = dt.date(2024, 11, 1)
    warehouse.replace_dates(spec, sample(spec, [day]), day, day)
    monkeypatch.setattr(
        bq,
        "merge_sql",
        lambda *a: (
            "MERGE `nba-test`.`nba_analytics`.`no_such_table` AS T USING "
            "`nba-test`.`nba_analytics`.`x` AS S ON FALSE WHEN NOT MATCHED "
            "BY SOURCE AND T.d BETWEEN @start AND @end AND T.d NOT IN "
            "UNNEST(@keep) THEN DELETE"
        ),
    )
    with pytest.raises(Exception, match="no_such_table"):
        warehouse.replace_dates(spec, sample(spec, [day]), day, day)
    assert fake.tables_in(bq.STAGING_DATASET) == [] and len(fake.dropped) == 2


def test_an_existing_table_of_another_shape_is_refused_by_name(fake, warehouse):
    spec = t.TEAM_OFFENSE
    day = dt.date(2024, 11, 1)
    warehouse.replace_dates(spec, sample(spec, [day]), day, day)
    fake.con.execute('ALTER TABLE "nba-test".nba_analytics.team_offense_game_summary ALTER pace TYPE VARCHAR')
    with pytest.raises(SchemaError, match="pace is STRING, the spec says FLOAT64"):
        warehouse.replace_dates(spec, sample(spec, [day]), day, day)
    fake.tables["nba_analytics.team_offense_game_summary"]["partition"] = None
    with pytest.raises(SchemaError, match="partitioned on None"):
        warehouse.replace_dates(spec, sample(spec, [day]), day, day)


def test_a_column_the_spec_gained_is_added_not_recreated(fake, warehouse):
    spec = t.TEAM_ROSTERS
    day = dt.date(2024, 11, 1)
    warehouse.replace_dates(spec, sample(spec, [day]), day, day)
    grown = TableSpec(spec.schema, spec.name, {**spec.columns, "jersey": "VARCHAR"}, spec.primary_key)
    warehouse.replace_dates(
        grown, sample(grown, [day + dt.timedelta(days=1)]), day + dt.timedelta(days=1), day + dt.timedelta(days=1)
    )
    rows = warehouse.read(grown)
    assert rows.groupby(rows["game_date"].dt.date)["jersey"].count().to_dict() == {
        day: 0,
        day + dt.timedelta(days=1): 1,
    }
    assert [w.statement for j in fake.jobs for w in j.writes if w.kind == "ddl"] == ["CREATE TABLE", "ALTER TABLE"]


# --- 3. a season backfill stays far inside BigQuery's per-table limits ---------------------------


def _season_backfill(fake: FakeBigQuery, day: dt.date) -> list[tuple[dt.date, dt.date]]:
    """What a season backfill asks of the warehouse: one run per chunk of dates (Dagster's
    BackfillPolicy), and in each run one replace_dates per asset's table over the run's dates."""
    fake.today = day
    runs = range_runs.date_chunks(*SEASON, MAX_DATES_PER_RUN)
    season = {spec.address: sample(spec, date_range(*SEASON), per_date=1) for spec in t.ALL_TABLES}
    for lo, hi in runs:
        warehouse = BigQueryWarehouse(project=PROJECT, location="US")  # each run: its own process
        for spec in t.ALL_TABLES:
            rows = season[spec.address]
            dates = rows[spec.date_column]
            with warehouse.session():
                warehouse.replace_dates(spec, rows[(dates >= pd.Timestamp(lo)) & (dates <= pd.Timestamp(hi))], lo, hi)
    return runs


def test_a_season_backfill_costs_each_table_two_operations_and_cleans_up_its_staging(fake):
    assert BACKFILL_POLICY.max_partitions_per_run == MAX_DATES_PER_RUN
    day = dt.date(2025, 4, 14)
    runs = _season_backfill(fake, day)
    n_dates = (SEASON[1] - SEASON[0]).days + 1
    assert (n_dates, len(runs)) == (174, 2)

    targets = {f"{s.schema}.{s.name}" for s in t.ALL_TABLES}
    ops = fake.table_operations()
    partitions = fake.partition_modifications()
    for target in targets:
        # One MERGE per run; loads never write a target (they write staging tables).
        assert ops[(day, target)] == len(runs) <= TABLE_OPERATIONS_PER_DAY
        # Every date of the season rewritten once (each date holds rows here).
        assert partitions[(day, target)] == n_dates <= PARTITION_MODIFICATIONS_PER_DAY
    assert max(len(w.partitions) for j in fake.jobs for w in j.writes) == MAX_DATES_PER_RUN <= PARTITIONS_PER_JOB
    ddl = Counter(w.table for j in fake.jobs for w in j.writes if w.kind == "ddl")
    assert ddl == {target: 1 for target in targets}  # created on the first write, then only read

    loads = [j for j in fake.jobs if j.kind == "load"]
    assert len(loads) == len(runs) * len(t.ALL_TABLES)
    assert all(j.destination.startswith(bq.STAGING_DATASET + ".") for j in loads)
    assert all(ops[(day, j.destination)] == 1 for j in loads)  # each staging table written once
    assert sorted(fake.dropped) == sorted(j.destination for j in loads)
    assert fake.tables_in(bq.STAGING_DATASET) == []
    assert fake.datasets[bq.STAGING_DATASET]["default_table_expiration_ms"] == bq.STAGING_EXPIRATION_DAYS * 86_400_000

    # Jobs per write do not grow with the dates written: a 100-date write costs what a 1-date one does.
    per_write = Counter((j.labels["table"], j.kind, j.statement_type) for j in fake.jobs)
    assert set(per_write.values()) <= {1, len(runs)}


# --- the graph on BigQuery -------------------------------------------------------------------------


class TeeWarehouse(Warehouse):
    """Writes go to both warehouses; every read is answered by BigQuery and must equal DuckDB's."""

    project: str
    database: str

    def _pair(self) -> tuple[BigQueryWarehouse, DuckDBWarehouse]:
        return BigQueryWarehouse(project=self.project, location="US"), DuckDBWarehouse(database=self.database)

    @contextmanager
    def session(self):
        big, duck = self._pair()
        with big.session(), duck.session():
            yield

    def replace_dates(self, spec, df, start, end, keep=()):
        big, duck = self._pair()
        ours, theirs = big.replace_dates(spec, df, start, end, keep), duck.replace_dates(spec, df, start, end, keep)
        assert (ours.rows_by_date, ours.deleted) == (theirs.rows_by_date, theirs.deleted), spec.address
        return ours

    def read(self, spec, start=None, end=None, columns=None):
        big, duck = self._pair()
        ours, theirs = big.read(spec, start, end, columns), duck.read(spec, start, end, columns)
        key = [c for c in spec.primary_key if c in ours.columns]
        key = key if len(key) == len(spec.primary_key) else list(ours.columns)
        pd.testing.assert_frame_equal(
            ours.sort_values(key).reset_index(drop=True),
            theirs.sort_values(key).reset_index(drop=True),
            obj=spec.address,
        )
        return ours

    def count_by_date(self, spec, start, end):
        big, duck = self._pair()
        ours = big.count_by_date(spec, start, end)
        assert ours == duck.count_by_date(spec, start, end), spec.address
        return ours

    def check_reachable(self) -> str:
        big, duck = self._pair()
        return f"{big.check_reachable()} and {duck.check_reachable()}"


def test_phases_1_to_3_on_bigquery_read_and_write_what_they_do_on_duckdb(tmp_path, sim_source, fake):
    """A simulated date through scrapes, raw and analytics tables with BigQuery answering every
    read: each query the assets issue goes through the client and parses as BigQuery, every frame read
    equals DuckDB's, and each table costs one DML statement."""
    from dataclasses import dataclass

    import dagster as dg

    from nba_pipeline import keys
    from nba_pipeline_tests.conftest import SIM_NOW
    from nba_pipeline_tests.harness import Pipeline

    @dataclass
    class TeePipeline(Pipeline):
        @property
        def resources(self) -> dict:
            return {
                **super().resources,
                "warehouse": TeeWarehouse(project=PROJECT, database=str(self.home / "warehouse" / "warehouse.duckdb")),
            }

    p = TeePipeline(home=tmp_path, source=sim_source, now=SIM_NOW, instance=dg.DagsterInstance.ephemeral())
    (run,) = p.run([keys.PHASE1, keys.PHASE2, keys.PHASE3], dt.date(2024, 11, 2))
    assert run.success
    written = [spec for spec in (*t.PHASE2_TABLES, *t.PHASE3_TABLES) if len(p.read(spec))]
    assert len(written) == len(t.PHASE2_TABLES) + len(t.PHASE3_TABLES)
    assert all(j.error is None for j in fake.jobs if j.statement_type != "SELECT")
    dml = Counter(w.table for j in fake.jobs for w in j.writes if w.kind == "dml")
    assert dml == {f"{s.schema}.{s.name}": 1 for s in written}
    assert fake.tables_in(bq.STAGING_DATASET) == []


def test_numbers_survive_the_round_trip_exactly(fake, warehouse):
    spec = t.TEAM_DEFENSE_ZONE
    day = dt.date(2024, 11, 1)
    frame = sample(spec, [day], per_date=1)
    frame["defensive_rating_last_15"] = [np.nextafter(110.1, 200)]
    warehouse.replace_dates(spec, frame, day, day)
    assert warehouse.read(spec)["defensive_rating_last_15"].iloc[0] == np.nextafter(110.1, 200)


def test_doctor_reaches_bigquery_without_writing(fake):
    """`nba-pipeline doctor`'s warehouse probe: a dry-run query and the dataset list, no job that
    writes."""
    wh = BigQueryWarehouse(project=PROJECT, location="US")
    wh.replace_dates(t.NBAC_SCHEDULE, t.NBAC_SCHEDULE.empty(), dt.date(2024, 11, 2), dt.date(2024, 11, 2))
    before = len(fake.jobs)
    assert wh.check_reachable() == f"BigQuery project {PROJECT} (US, 1 nba_* datasets)"
    assert not [j for j in fake.jobs[before:] if j.writes]
