"""A table asset's run: compute the dates whose inputs are ready, replace their rows atomically
(dates not ready, or refused, keep their rows), then record each date with its checks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import dagster as dg
import pandas as pd

from nba_pipeline import calendar
from nba_pipeline.automation import history_parents, optional_parents
from nba_pipeline.checks.names import CHECK_PRIMARY_KEY, CHECK_ROWS_WRITTEN
from nba_pipeline.environment import code_identity
from nba_pipeline.execution import readiness
from nba_pipeline.execution.frames import ByDate
from nba_pipeline.execution.recording import inputs_ready_result, record_dates
from nba_pipeline.partitions import context_dates
from nba_pipeline.warehouse.base import Warehouse, WriteResult
from nba_pipeline.warehouse.spec import TableSpec

DateChecks = Callable[[dt.date], Iterable[dg.AssetCheckResult]]


def _no_checks(_day: dt.date) -> tuple:
    return ()


def unready_dates(context: dg.AssetExecutionContext, dates: Sequence[dt.date]) -> dict[dt.date, str]:
    """Dates whose required inputs are not ready, with the reason (``execution/readiness.py``).
    Required parents are those the asset's automation condition requires (optional sources never
    block, legacy incident 16); history parents are judged on the day before."""
    key = context.asset_key
    condition = context.assets_def.automation_conditions_by_key.get(key)
    return readiness.unready_dates(
        context.instance,
        context.job_def.asset_layer.asset_graph,
        key,
        dates,
        optional=optional_parents(condition),
        history=history_parents(condition),
        run_id=context.run.run_id,
    )


@dataclass
class TableOutput:
    """What an asset computed for its ready dates: the rows, the per-date checks, run metadata, and
    dates whose rows must not be replaced (with the reason)."""

    frame: pd.DataFrame
    checks: DateChecks = _no_checks
    metadata: dict = field(default_factory=dict)
    keep: dict[dt.date, str] = field(default_factory=dict)


def _base_checks(
    spec: TableSpec, day_rows: pd.DataFrame, duplicates: pd.DataFrame, rows_in_warehouse: int, not_replaced: str | None
) -> list[dg.AssetCheckResult]:
    """Every table's own checks of a computed date: the primary key holds, and the warehouse holds
    exactly the rows computed (legacy incident 10: a record count of 0 on a table with rows)."""
    return [
        inputs_ready_result(None),
        dg.AssetCheckResult(
            check_name=CHECK_PRIMARY_KEY,
            passed=duplicates.empty,
            metadata={
                "duplicate_rows": len(duplicates),
                "examples": dg.MetadataValue.json(
                    duplicates.head(5)[list(spec.primary_key)].astype(str).to_dict("records")
                ),
            },
        ),
        dg.AssetCheckResult(
            check_name=CHECK_ROWS_WRITTEN,
            passed=not_replaced is not None or rows_in_warehouse == len(day_rows),
            metadata={
                "rows_computed": len(day_rows),
                "rows_in_warehouse": rows_in_warehouse,
                **({"not_replaced": not_replaced} if not_replaced else {}),
            },
        ),
    ]


def _write(warehouse: Warehouse, spec: TableSpec, dates: list[dt.date], unready: dict, compute):
    """Compute the ready dates and replace the rows of the run's dates in one transaction; dates not
    ready, or refused by the computation, keep their rows."""
    ready = [d for d in dates if d not in unready]
    with warehouse.session():
        out = compute(ready) if ready else TableOutput(spec.empty())
        conformed = spec.conform(out.frame)
        keep = {**{d: f"inputs not ready: {r}" for d, r in unready.items()}, **out.keep}
        if len(conformed) and keep:
            conformed = conformed[~conformed[spec.date_column].dt.date.isin(set(keep))].reset_index(drop=True)
        result: WriteResult = warehouse.replace_dates(spec, conformed, *calendar.span(dates), keep=set(keep))
    return out, conformed, keep, result


def write_table(
    context: dg.AssetExecutionContext,
    warehouse: Warehouse,
    spec: TableSpec,
    compute: Callable[[list[dt.date]], TableOutput],
) -> Iterator:
    """Run one table asset over the run's dates: compute the dates whose inputs are ready, replace
    their rows atomically (dates not ready, or refused, keep their rows), then record each date."""
    dates = context_dates(context)
    unready = unready_dates(context, dates)
    out, conformed, keep, result = _write(warehouse, spec, dates, unready, compute)
    written = ByDate(conformed, spec.date_column)
    duplicated = ByDate(spec.duplicate_keys(conformed), spec.date_column)
    span = calendar.span_text(dates)
    context.log.info(
        f"{spec.address}: wrote {len(conformed)} rows for {span} (replaced {result.deleted})"
        + (f"; kept the rows of {len(keep)} date(s): {', '.join(str(d) for d in sorted(keep))}" if keep else "")
    )
    per_date_meta, checks = {}, {}
    for d in dates:
        rows = result.rows_by_date.get(d, 0)
        per_date_meta[d] = {
            "dagster/row_count": rows,
            "table": spec.address,
            **({"not_written": keep[d]} if d in keep else {}),
        }
        # A date not computed records only its readiness verdict; its other checks stay unevaluated
        # for this materialization.
        checks[d] = (
            [inputs_ready_result(unready[d])]
            if d in unready
            else [*_base_checks(spec, written[d], duplicated[d], rows, keep.get(d)), *out.checks(d)]
        )
    not_written = {"dates_not_written": dg.MetadataValue.json({str(d): r for d, r in sorted(keep.items())})}
    yield from record_dates(
        context,
        dates,
        checks=checks,
        per_date_metadata=per_date_meta,
        metadata={
            "table": spec.address,
            "dates": span,
            "rows_written": len(conformed),
            "code_identity": code_identity(),
            **(not_written if keep else {}),
            **out.metadata,
        },
    )
