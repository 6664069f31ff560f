"""What every asset shares: policies, check names, the per-date execution of a run and its checks.

One execution model for every way a date runs (automation, a UI backfill, `dagster asset
materialize --partition-range`, self-heal, the CLI): a run covers one date or a range of dates
(``BACKFILL_POLICY``), computes the range vectorised, and then records, for every date, its own
materialization (with that date's row count) and its own check results, linked to that date's
materialization. A date whose inputs are not ready (a required parent missing, failed, or blocked by
a failed blocking check) is not computed and keeps its previous rows; its ``inputs_ready`` check
fails, which holds its own children in turn. A failing date blocks only itself: the other dates of
the same run proceed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import dagster as dg
import pandas as pd
from dagster._core.definitions.asset_checks.asset_check_evaluation import (
    AssetCheckEvaluationTargetMaterializationData,
)
from dagster._core.event_api import AssetRecordsFilter

from nba_pipeline.environment import code_identity
from nba_pipeline.execution import readiness
from nba_pipeline.partitions import GAME_DATE_PARTITIONS, context_dates
from nba_pipeline.warehouse import tables as t
from nba_pipeline.warehouse.base import Warehouse, WriteResult
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

# Check names (constants: the definitions snapshot and the status CLI refer to them).
CHECK_INPUTS_READY = "inputs_ready"
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
CHECK_INJURY_REPORTS_READABLE = "injury_reports_readable"

# A permanently missing game must not block a date forever (legacy incident 28): once the date is
# this old and this share of its final games is covered, the coverage check passes with a warning.
COVERAGE_BYPASS_MIN_SHARE = 0.8
COVERAGE_BYPASS_AFTER_DAYS = 2
MINUTES_COVERAGE_MIN = 0.9

DateChecks = Callable[[dt.date], Iterable[dg.AssetCheckResult]]


def _no_checks(_day: dt.date) -> tuple:
    return ()


def check_spec(key: TableSpec | dg.AssetKey, name: str, description: str, blocking: bool = True) -> dg.AssetCheckSpec:
    asset_key = key.asset_key if isinstance(key, TableSpec) else key
    return dg.AssetCheckSpec(name, asset=asset_key, blocking=blocking, description=description,
                             partitions_def=GAME_DATE_PARTITIONS)


def inputs_ready_spec(key: dg.AssetKey) -> dg.AssetCheckSpec:
    return check_spec(key, CHECK_INPUTS_READY,
                      "Every required parent of the date (and the history partition it reads) landed, its "
                      "latest run did not fail and its blocking checks passed. Otherwise the date is not "
                      "computed, keeps its previous rows, and this check holds its children.")


def base_checks(spec: TableSpec) -> list[dg.AssetCheckSpec]:
    return [
        inputs_ready_spec(spec.asset_key),
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
    """Decorator for a partitioned asset that writes ``spec``; the key is the table's address. Parents
    the automation condition names as history are same-date edges read strictly before the date;
    the asset's metadata says so, since the lineage cannot."""
    from nba_pipeline.automation import history_parents

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


# --- per-date views of range frames ------------------------------------------------------------------

class ByDate:
    """A frame split by date once: ``by[d]`` is d's rows (an empty frame of the same columns if none)."""

    def __init__(self, frame: pd.DataFrame, column: str = "game_date"):
        self._empty = frame.iloc[0:0]
        self._groups: dict[dt.date, pd.DataFrame] = {}
        if len(frame):
            days = pd.to_datetime(frame[column]).dt.date
            self._groups = {d: g for d, g in frame.groupby(days, sort=False)}

    def __getitem__(self, day: dt.date) -> pd.DataFrame:
        return self._groups.get(day, self._empty)


def or_empty(spec: TableSpec, frame: pd.DataFrame) -> pd.DataFrame:
    """The frame, or the table's empty frame (with every column) when a computation yielded no rows."""
    return frame if len(frame) else spec.empty()


def final_games(warehouse: Warehouse, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Final (status 3, not postponed) games per the latest schedule scrape."""
    sched = warehouse.read(t.NBAC_SCHEDULE, start, end)
    return sched[(sched["game_status"] == 3) & ~sched["is_postponed"].fillna(False).astype(bool)]


def zero_row_dates(spec: TableSpec, frame: pd.DataFrame, finals: pd.DataFrame,
                   dates: Iterable[dt.date]) -> dict[dt.date, str]:
    """Dates that have final games but for which the computation produced no rows (incident 26):
    their previous rows are kept rather than replaced with nothing; the coverage check fails."""
    have = set(pd.to_datetime(frame[spec.date_column]).dt.date) if len(frame) else set()
    counts = finals.groupby(pd.to_datetime(finals["game_date"]).dt.date).size() if len(finals) else {}
    return {d: f"computed 0 rows for {d} ({int(counts[d])} final games); nothing was written, previous rows are kept"
            for d in dates if d in counts and d not in have}


def coverage_results(spec: TableSpec, frame: pd.DataFrame, finals: pd.DataFrame, dates: Sequence[dt.date],
                     today_et: dt.date, game_id_col: str = "game_id") -> dict[dt.date, dg.AssetCheckResult]:
    """Per date: every final game has rows. A date >= 2 days old with >= 80% coverage passes with a
    warning instead of blocking forever (a gamebook that will never exist)."""
    finals_by, frame_by = ByDate(finals), ByDate(frame)
    out = {}
    for d in dates:
        want = set(finals_by[d]["game_id"])
        got = set(frame_by[d][game_id_col]) if len(frame_by[d]) else set()
        missing = sorted(want - got)
        meta = {"final_games": len(want), "missing_games": dg.MetadataValue.json(missing)}
        if not missing:
            out[d] = dg.AssetCheckResult(check_name=CHECK_FINAL_GAMES_COVERED, asset_key=spec.asset_key,
                                         passed=True, metadata=meta)
            continue
        share = 1 - len(missing) / len(want)
        if share >= COVERAGE_BYPASS_MIN_SHARE and (today_et - d).days >= COVERAGE_BYPASS_AFTER_DAYS:
            out[d] = dg.AssetCheckResult(
                check_name=CHECK_FINAL_GAMES_COVERED, asset_key=spec.asset_key, passed=False,
                severity=dg.AssetCheckSeverity.WARN, metadata=meta,
                description=f"{len(missing)} of {len(want)} final games still missing on {d}; proceeding "
                            f"(>= {COVERAGE_BYPASS_MIN_SHARE:.0%} covered, >= {COVERAGE_BYPASS_AFTER_DAYS} days old)")
        else:
            out[d] = dg.AssetCheckResult(check_name=CHECK_FINAL_GAMES_COVERED, asset_key=spec.asset_key,
                                         passed=False, metadata=meta,
                                         description=f"{len(missing)} of {len(want)} final games of {d} have no rows")
    return out


# --- which dates of a run may be computed ----------------------------------------------------------

def unready_dates(context: dg.AssetExecutionContext, dates: Sequence[dt.date]) -> dict[dt.date, str]:
    """Dates whose required inputs are not ready, with the reason (``execution/readiness.py``).
    Required parents are those the asset's automation condition requires (optional sources never
    block, legacy incident 16); history parents are judged on the day before."""
    from nba_pipeline.automation import history_parents, optional_parents

    key = context.asset_key
    condition = context.assets_def.automation_conditions_by_key.get(key)
    return readiness.unready_dates(context.instance, context.job_def.asset_layer.asset_graph, key, dates,
                                   optional=optional_parents(condition), history=history_parents(condition),
                                   run_id=context.run.run_id)


def inputs_ready_result(reason: str | None) -> dg.AssetCheckResult:
    if reason is None:
        return dg.AssetCheckResult(check_name=CHECK_INPUTS_READY, passed=True)
    return dg.AssetCheckResult(check_name=CHECK_INPUTS_READY, passed=False, description=reason,
                               metadata={"reason": reason})


# --- recording a run's dates ----------------------------------------------------------------------

def _check_evaluation(result: dg.AssetCheckResult, key: dg.AssetKey, spec: dg.AssetCheckSpec, day: str,
                      target: AssetCheckEvaluationTargetMaterializationData) -> dg.AssetCheckEvaluation:
    return dg.AssetCheckEvaluation(
        asset_key=key, check_name=spec.name, passed=result.passed, metadata=result.metadata,
        target_materialization_data=target, severity=result.severity, description=result.description,
        blocking=spec.blocking, partition=day)


def record_dates(context: dg.AssetExecutionContext, dates: Sequence[dt.date], *, metadata: Mapping,
                 per_date_metadata: Mapping[dt.date, Mapping], checks: Mapping[dt.date, Sequence[dg.AssetCheckResult]]
                 ) -> Iterator:
    """Yield the run's materialization, each date with its own metadata, then log each date's check
    results linked to that date's materialization.

    Dagster records the check results of a run over a range without a partition; automation and the
    UI read them per partition, so they are logged here as one evaluation per date. They are logged
    after the materialization because an evaluation must name the materialization it judged."""
    key = context.asset_key
    for day in dates:
        context.add_asset_metadata(dict(per_date_metadata.get(day, {})), partition_key=day.isoformat())
    yield dg.MaterializeResult(metadata=dict(metadata))

    partitions = [d.isoformat() for d in dates]
    records = context.instance.fetch_materializations(
        AssetRecordsFilter(asset_key=key, asset_partitions=partitions), limit=2 * len(partitions)).records
    targets = {}
    for r in records:
        if r.run_id == context.run.run_id and r.partition_key not in targets:
            targets[r.partition_key] = AssetCheckEvaluationTargetMaterializationData(
                storage_id=r.storage_id, run_id=r.run_id, timestamp=r.timestamp)
    missing = [p for p in partitions if p not in targets]
    if missing:
        raise dg.DagsterInvariantViolationError(
            f"{key.to_user_string()}: no materialization of {', '.join(missing)} recorded by run {context.run.run_id}")
    specs = {s.name: s for s in context.assets_def.check_specs if s.asset_key == key}
    selected = {k.name for k in context.selected_asset_check_keys if k.asset_key == key}
    for day in dates:
        for result in checks.get(day, ()):
            name = result.check_name
            if name not in selected:
                continue
            context.log_event(_check_evaluation(result, key, specs[name], day.isoformat(), targets[day.isoformat()]))
    # The check outputs themselves carry no value (the evaluations above are the results).
    for output_name, spec in context.assets_def.check_specs_by_output_name.items():
        if spec.key in context.selected_asset_check_keys:
            yield dg.Output(None, output_name=output_name)


# --- tables -----------------------------------------------------------------------------------------

@dataclass
class TableOutput:
    """What an asset computed for its ready dates: the rows, the per-date checks, run metadata, and
    dates whose rows must not be replaced (with the reason)."""

    frame: pd.DataFrame
    checks: DateChecks = _no_checks
    metadata: dict = field(default_factory=dict)
    keep: dict[dt.date, str] = field(default_factory=dict)


def write_table(context: dg.AssetExecutionContext, warehouse: Warehouse, spec: TableSpec,
                compute: Callable[[list[dt.date]], TableOutput]) -> Iterator:
    """Run one table asset over the run's dates: compute the dates whose inputs are ready, replace
    their rows atomically (dates not ready, or refused, keep their rows), then record each date."""
    dates = context_dates(context)
    unready = unready_dates(context, dates)
    ready = [d for d in dates if d not in unready]
    with warehouse.session():
        out = compute(ready) if ready else TableOutput(spec.empty())
        conformed = spec.conform(out.frame)
        keep = {**{d: f"inputs not ready: {r}" for d, r in unready.items()}, **out.keep}
        if len(conformed) and keep:
            conformed = conformed[~conformed[spec.date_column].dt.date.isin(set(keep))].reset_index(drop=True)
        result: WriteResult = warehouse.replace_dates(spec, conformed, min(dates), max(dates), keep=set(keep))
    written = ByDate(conformed, spec.date_column)
    duplicated = ByDate(spec.duplicate_keys(conformed), spec.date_column)
    span = f"{min(dates)}..{max(dates)}" if len(dates) > 1 else dates[0].isoformat()
    context.log.info(f"{spec.address}: wrote {len(conformed)} rows for {span} (replaced {result.deleted})"
                     + (f"; kept the rows of {len(keep)} date(s): {', '.join(str(d) for d in sorted(keep))}" if keep else ""))

    per_date_meta, checks = {}, {}
    for d in dates:
        rows = result.rows_by_date.get(d, 0)
        per_date_meta[d] = {"dagster/row_count": rows, "table": spec.address,
                            **({"not_written": keep[d]} if d in keep else {})}
        if d in unready:
            # Nothing was computed for the date: only the readiness verdict is recorded; its other
            # checks stay unevaluated for this materialization.
            checks[d] = [inputs_ready_result(unready[d])]
            continue
        day = written[d]
        dupes = duplicated[d]
        checks[d] = [
            inputs_ready_result(None),
            dg.AssetCheckResult(
                check_name=CHECK_PRIMARY_KEY, passed=dupes.empty,
                metadata={"duplicate_rows": len(dupes), "examples": dg.MetadataValue.json(
                    dupes.head(5)[list(spec.primary_key)].astype(str).to_dict("records"))}),
            dg.AssetCheckResult(
                check_name=CHECK_ROWS_WRITTEN, passed=d in keep or rows == len(day),
                metadata={"rows_computed": len(day), "rows_in_warehouse": rows,
                          **({"not_replaced": keep[d]} if d in keep else {})}),
            *out.checks(d),
        ]
    yield from record_dates(context, dates, checks=checks, per_date_metadata=per_date_meta, metadata={
        "table": spec.address, "dates": span, "rows_written": len(conformed), "code_identity": code_identity(),
        **({"dates_not_written": dg.MetadataValue.json({str(d): r for d, r in sorted(keep.items())})} if keep else {}),
        **out.metadata,
    })
