"""What every table asset shares: policies, check names, the partition write and its inline checks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import dagster as dg
import pandas as pd

from nba_pipeline.environment import current as current_environment
from nba_pipeline.partitions import GAME_DATE_PARTITIONS
from nba_pipeline.warehouse import tables as t
from nba_pipeline.warehouse.base import Warehouse, WriteResult
from nba_pipeline.warehouse.spec import TableSpec

# Transient source errors (timeouts, 5xx, throttling) retry with exponential backoff and jitter.
SOURCE_RETRY_POLICY = dg.RetryPolicy(
    max_retries=4, delay=10, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)
# No BackfillPolicy, deliberately: with any policy, runs that Dagster plans itself (automation, UI
# backfills) carry a partition *range* (even of one date), and a range run records its asset checks
# without a partition, so all_deps_blocking_checks_passed never sees them. Without one, those runs
# target one date each. Ranges are still computed vectorised in one run when asked for explicitly:
# the CLI's backfill and evaluate pass a range, every asset handles one, and runner.py fans the range
# run's check results out per date.
# Steps that write the warehouse share one pool; the shipped instance config limits it to one slot
# so two runs never hold DuckDB's single write lock at the same time.
WAREHOUSE_POOL = "warehouse"

# Recorded on every materialization, so "which code wrote this partition" is never a guess.
CODE_IDENTITY = current_environment().code_identity

# Check names (constants: the definitions snapshot and the status CLI refer to them).
CHECK_PRIMARY_KEY = "primary_key_unique"
CHECK_ROWS_WRITTEN = "record_count_matches_rows_written"
CHECK_FINAL_GAMES_COVERED = "final_games_covered"
CHECK_MINUTES_COVERAGE = "minutes_coverage_non_dnp"
CHECK_USAGE_RANGE = "usage_rate_in_range"
CHECK_ARCHIVE_INTACT = "archived_payloads_intact"
CHECK_SCORES_FOR_FINALS = "final_games_have_scores"
CHECK_PRE_TIP_LINES_ONLY = "lines_pre_tip_only"
CHECK_TWO_ROWS_PER_GAME = "two_rows_per_game"
CHECK_BOTH_TEAMS_HAVE_PLAYERS = "both_teams_have_players"

# A permanently missing game must not block a date forever (legacy incident 28): once the date is
# this old and this share of its final games is covered, the coverage check passes with a warning.
COVERAGE_BYPASS_MIN_SHARE = 0.8
COVERAGE_BYPASS_AFTER_DAYS = 2
MINUTES_COVERAGE_MIN = 0.9


class ZeroRowsForFinalGamesError(RuntimeError):
    """A computation produced no rows for a date that has final games: fail, write nothing."""


def check_spec(spec: TableSpec, name: str, description: str, blocking: bool = True) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(name, asset=spec.asset_key, blocking=blocking, description=description,
                             partitions_def=GAME_DATE_PARTITIONS)


def base_checks(spec: TableSpec) -> list[dg.AssetCheckSpec]:
    return [
        check_spec(spec, CHECK_PRIMARY_KEY, f"No two rows share ({', '.join(spec.primary_key)})."),
        check_spec(spec, CHECK_ROWS_WRITTEN, "The reported record count equals the rows the warehouse "
                                              "holds for the date after the write."),
    ]


def table_metadata(spec: TableSpec) -> dict:
    return {"dagster/column_schema": spec.column_schema(), "dagster/table_name": spec.address,
            "primary_key": ", ".join(spec.primary_key)}


def table_asset(spec: TableSpec, *, group: str, deps: Sequence[dg.AssetDep | dg.AssetKey] = (),
                checks: Sequence[dg.AssetCheckSpec] = (), automation_condition=None,
                description: str | None = None):
    """Decorator for a partitioned asset that writes ``spec``; the key is the table's address."""
    return dg.asset(
        key=spec.asset_key,
        group_name=group,
        partitions_def=GAME_DATE_PARTITIONS,
        deps=list(deps),
        check_specs=[*base_checks(spec), *checks],
        automation_condition=automation_condition,
        pool=WAREHOUSE_POOL,
        metadata=table_metadata(spec),
        description=description or spec.description,
    )


def concat_frames(frames: Sequence[pd.DataFrame], spec: TableSpec) -> pd.DataFrame:
    """Per-date frames into one, conformed per frame first so all-NULL columns keep their types."""
    frames = [spec.conform(f) for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else spec.empty()


def date_span(dates: Sequence[dt.date]) -> tuple[dt.date, dt.date]:
    return min(dates), max(dates)


def final_games(warehouse: Warehouse, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Final (status 3, not postponed) games per the latest schedule scrape."""
    sched = warehouse.read(t.NBAC_SCHEDULE, start, end)
    return sched[(sched["game_status"] == 3) & ~sched["is_postponed"].fillna(False).astype(bool)]


def guard_zero_rows(spec: TableSpec, frame: pd.DataFrame, finals: pd.DataFrame, dates: Iterable[dt.date]) -> None:
    """Refuse to replace a date's rows with nothing when that date has final games (incident 26):
    the old rows stay, the run fails loudly."""
    have = set(pd.to_datetime(frame[spec.date_column]).dt.date) if len(frame) else set()
    final_dates = set(pd.to_datetime(finals["game_date"]).dt.date) if len(finals) else set()
    empty = sorted(d for d in dates if d in final_dates and d not in have)
    if empty:
        counts = finals.groupby(pd.to_datetime(finals["game_date"]).dt.date).size()
        detail = ", ".join(f"{d} ({int(counts[d])} final games)" for d in empty)
        raise ZeroRowsForFinalGamesError(
            f"{spec.address}: computed 0 rows for {detail}; nothing was written, previous rows are kept"
        )


def coverage_result(spec: TableSpec, frame: pd.DataFrame, finals: pd.DataFrame, dates: Sequence[dt.date],
                    today_et: dt.date, game_id_col: str = "game_id") -> dg.AssetCheckResult:
    """Every final game of the date has rows. A date >= 2 days old with >= 80% coverage passes with
    a warning instead of blocking forever (a gamebook that will never exist)."""
    missing_by_date, bypassed, blocking = {}, [], []
    for d in dates:
        want = set(finals.loc[pd.to_datetime(finals["game_date"]).dt.date == d, "game_id"])
        got = set(frame.loc[pd.to_datetime(frame["game_date"]).dt.date == d, game_id_col]) if len(frame) else set()
        missing = sorted(want - got)
        if not missing:
            continue
        missing_by_date[d.isoformat()] = missing
        share = 1 - len(missing) / len(want)
        if share >= COVERAGE_BYPASS_MIN_SHARE and (today_et - d).days >= COVERAGE_BYPASS_AFTER_DAYS:
            bypassed.append(d.isoformat())
        else:
            blocking.append(d.isoformat())
    n_final = int(len(finals))
    meta = {"final_games": n_final, "missing_games": dg.MetadataValue.json(missing_by_date),
            "bypassed_dates": dg.MetadataValue.json(bypassed), "failing_dates": dg.MetadataValue.json(blocking)}
    if blocking:
        return dg.AssetCheckResult(check_name=CHECK_FINAL_GAMES_COVERED, asset_key=spec.asset_key, passed=False,
                                   metadata=meta, description=f"final games without rows on {', '.join(blocking)}")
    if bypassed:
        return dg.AssetCheckResult(check_name=CHECK_FINAL_GAMES_COVERED, asset_key=spec.asset_key, passed=False,
                                   severity=dg.AssetCheckSeverity.WARN, metadata=meta,
                                   description=f"games still missing on {', '.join(bypassed)}; proceeding "
                                               f"(>= {COVERAGE_BYPASS_MIN_SHARE:.0%} covered, >= "
                                               f"{COVERAGE_BYPASS_AFTER_DAYS} days old)")
    return dg.AssetCheckResult(check_name=CHECK_FINAL_GAMES_COVERED, asset_key=spec.asset_key, passed=True,
                               metadata=meta)


def write_table(
    context: dg.AssetExecutionContext,
    warehouse: Warehouse,
    spec: TableSpec,
    frame: pd.DataFrame,
    dates: Sequence[dt.date],
    *,
    checks: Sequence[dg.AssetCheckResult] = (),
    metadata: dict | None = None,
) -> dg.MaterializeResult:
    """Replace the dates' rows atomically and report what the warehouse now holds."""
    start, end = date_span(dates)
    conformed = spec.conform(frame)
    result: WriteResult = warehouse.replace_dates(spec, conformed, start, end)
    dupes = spec.duplicate_keys(conformed)
    per_date = {d.isoformat(): result.rows_by_date.get(d, 0) for d in dates}
    meta = {
        "dagster/row_count": result.rows,
        "rows_by_date": dg.MetadataValue.json(per_date) if len(dates) > 1 else per_date[start.isoformat()],
        "table": spec.address,
        "dates": f"{start}..{end}" if start != end else start.isoformat(),
        "code_identity": CODE_IDENTITY,
        **(metadata or {}),
    }
    context.log.info(f"{spec.address}: wrote {result.rows} rows for {meta['dates']} (replaced {result.deleted})")
    results = [
        dg.AssetCheckResult(
            check_name=CHECK_PRIMARY_KEY, asset_key=spec.asset_key, passed=dupes.empty,
            metadata={"duplicate_rows": len(dupes),
                      "examples": dg.MetadataValue.json(dupes.head(5)[list(spec.primary_key)].astype(str).to_dict("records"))},
        ),
        dg.AssetCheckResult(
            check_name=CHECK_ROWS_WRITTEN, asset_key=spec.asset_key, passed=result.rows == len(conformed),
            metadata={"rows_computed": len(conformed), "rows_in_warehouse": result.rows},
        ),
        *checks,
    ]
    return dg.MaterializeResult(metadata=meta, check_results=results)
