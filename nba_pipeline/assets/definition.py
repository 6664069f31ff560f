"""How a table asset is declared: its key (the table's address), partitions, the one backfill
policy, the warehouse pool, its base per-date checks, its metadata (columns, primary key, the
history it reads) and the retry policy of the sources."""

from __future__ import annotations

from collections.abc import Sequence

import dagster as dg

from nba_pipeline.automation import history_parents
from nba_pipeline.checks.names import CHECK_INPUTS_READY, CHECK_PRIMARY_KEY, CHECK_ROWS_WRITTEN
from nba_pipeline.partitions import GAME_DATE_PARTITIONS
from nba_pipeline.warehouse.spec import TableSpec

# Transient source errors (timeouts, 5xx, throttling) retry with exponential backoff and jitter.
SOURCE_RETRY_POLICY = dg.RetryPolicy(
    max_retries=4, delay=10, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)
# Every asset takes a range of dates in one run, at most this many per run (a season is two runs per
# dependency level; memory stays bounded and BigQuery sees one load per table per run). All assets
# share the one policy: Dagster's backfills only put a parent and its child in one run when their
# policies are equal.
MAX_DATES_PER_RUN = 100
BACKFILL_POLICY = dg.BackfillPolicy.multi_run(max_partitions_per_run=MAX_DATES_PER_RUN)
# Steps that write the warehouse share one pool; the shipped instance config limits it to one slot
# so two runs never hold DuckDB's single write lock at the same time.
WAREHOUSE_POOL = "warehouse"


# Shown on assets that read a parent's history (the rows before the date) through a same-date edge.
HISTORY_METADATA_KEY = "reads_history_before_the_date"


def check_spec(key: TableSpec | dg.AssetKey, name: str, description: str, blocking: bool = True) -> dg.AssetCheckSpec:
    asset_key = key.asset_key if isinstance(key, TableSpec) else key
    return dg.AssetCheckSpec(
        name, asset=asset_key, blocking=blocking, description=description, partitions_def=GAME_DATE_PARTITIONS
    )


def inputs_ready_spec(key: dg.AssetKey) -> dg.AssetCheckSpec:
    return check_spec(
        key,
        CHECK_INPUTS_READY,
        "Every required parent of the date (and the history partition it reads) landed, its "
        "latest run did not fail and its blocking checks passed. Otherwise the date is not "
        "computed, keeps its previous rows, and this check holds its children.",
    )


def base_checks(spec: TableSpec) -> list[dg.AssetCheckSpec]:
    return [
        inputs_ready_spec(spec.asset_key),
        check_spec(spec, CHECK_PRIMARY_KEY, f"No two rows share ({', '.join(spec.primary_key)})."),
        check_spec(
            spec,
            CHECK_ROWS_WRITTEN,
            "The reported record count equals the rows the warehouse holds for the date after the write.",
        ),
    ]


def table_metadata(spec: TableSpec) -> dict:
    return {
        "dagster/column_schema": spec.column_schema(),
        "dagster/table_name": spec.address,
        "primary_key": ", ".join(spec.primary_key),
    }


def table_asset(
    spec: TableSpec,
    *,
    group: str,
    deps: Sequence[dg.AssetDep | dg.AssetKey] = (),
    checks: Sequence[dg.AssetCheckSpec] = (),
    automation_condition=None,
    description: str | None = None,
):
    """Decorator for a partitioned asset that writes ``spec``; the key is the table's address. Parents
    the automation condition names as history are same-date edges read strictly before the date;
    the asset's metadata says so, since the lineage cannot."""
    dep_keys = {d.asset_key if isinstance(d, dg.AssetDep) else d for d in deps}
    history = sorted(k.to_user_string() for k in history_parents(automation_condition) & dep_keys)
    metadata = table_metadata(spec)
    if history:
        metadata[HISTORY_METADATA_KEY] = ", ".join(history)
    return dg.asset(
        key=spec.asset_key,
        group_name=group,
        partitions_def=GAME_DATE_PARTITIONS,
        backfill_policy=BACKFILL_POLICY,
        deps=list(deps),
        check_specs=[*base_checks(spec), *checks],
        automation_condition=automation_condition,
        pool=WAREHOUSE_POOL,
        metadata=metadata,
        description=description or spec.description,
    )
