"""What a command prints while it runs and after: a line per finished asset, warnings and waits,
the blocked dates and failed runs (and the exit status they mean), the rows per table."""

from __future__ import annotations

import datetime as dt

import dagster as dg

from nba_pipeline.assets.definition import MAX_DATES_PER_RUN
from nba_pipeline.execution.range_runs import Callbacks, date_chunks
from nba_pipeline.warehouse import tables as t


def warn(text: str) -> None:
    print(f"  ! {text}", flush=True)


def waiting(text: str) -> None:
    print(f"  waiting: {text}", flush=True)


def step_count(defs, groups, start: dt.date, end: dt.date, chunk_days: int | None = None) -> int:
    assets = dg.AssetSelection.groups(*groups).resolve(defs.resolve_asset_graph())
    return len(assets) * len(date_chunks(start, end, chunk_days or MAX_DATES_PER_RUN))


def progress(total: int) -> Callbacks:
    """A line per finished asset (``[ 12/31] group asset seconds ok``), warnings and waits."""
    state = {"done": 0}

    def on_step(step):
        state["done"] += 1
        print(
            f"  [{state['done']:>3}/{total}] {step.group:<18} {step.asset:<44} {step.seconds:6.1f} s  {step.status}",
            flush=True,
        )
        if step.status == "FAILED":
            print(f"          {step.error}", flush=True)

    return Callbacks(on_step=on_step, on_warning=warn, on_wait=waiting)


def report(runs) -> int:
    """Failed runs and dates held back by a failed blocking check; the exit status says so."""
    blocked = {d: why for r in runs for d, why in r.blocked.items()}
    held = {d: n for r in runs for d, n in r.held.items()}
    for day in sorted(blocked):
        print(f"\n{day} is blocked: {'; '.join(blocked[day])}")
        if held.get(day):
            print(f"  {held[day]} downstream asset(s) of {day} were not computed (inputs_ready)")
    failed = [r for r in runs if not r.success]
    for r in failed:
        print(f"\nrun {r.run_id[:8]} for {r.start}..{r.end} FAILED: {r.error}")
        if r.not_run:
            print(f"  {r.not_run} asset(s) downstream of it were not run for {r.start}..{r.end}")
    return 1 if failed or blocked else 0


def summary(env, defs, start: dt.date, end: dt.date) -> None:
    wh = defs.resources["warehouse"]
    print(f"\nWarehouse {env.warehouse_path if env.warehouse.value == 'duckdb' else 'BigQuery'} for {start}..{end}:")
    with wh.session():  # one connection for the 22 counts, not one each
        for spec in t.ALL_TABLES:
            counts = wh.count_by_date(spec, start, end)
            print(f"  {spec.address:<48} {sum(counts.values()):>8,} rows  {len(counts):>3} dates with rows")
