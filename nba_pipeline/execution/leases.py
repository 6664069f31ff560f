"""Who may materialize a date: one run at a time per (asset, date), whoever starts it.

Two CLI commands on one home (two terminals, a cron job overlapping a manual run), or the CLI beside
`dagster dev`'s daemon, must never compute the same asset and date at once: each would replace the
other's rows mid-way and both could end "ok". A run is a lease on its assets and dates: while one is
in progress (queued, starting or started, whoever launched it), a CLI run that overlaps it waits,
saying which run holds the dates, and starts when that run has ended. The check and the creation of
the new run happen under one lock on the home, so two commands started in the same instant cannot
both see the dates free. Runs the daemon launches are kept off the same dates by automation's
``~in_progress()`` terms and, for a date whose parent another run is still writing, by readiness
(``execution/readiness.py``: the date is not computed and says why).

The lock is a file lock in DAGSTER_HOME: it serialises processes that share the home's folder (one
machine). The same lock guards the first creation of a local instance, which two processes racing on
an empty home would otherwise both try (SQLite's ``alembic_version`` UNIQUE failure).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from nba_pipeline.instance.workers import PROCESS_TAG

LOCK_FILE = ".nba_pipeline.lock"
IN_PROGRESS = (
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
)
POLL_SECONDS = 2.0
REMIND_EVERY_SECONDS = 60.0


@contextmanager
def home_lock(dagster_home: str | os.PathLike | None) -> Iterator[None]:
    """An exclusive lock on the home, held by one process at a time (released if it dies). No home
    (an ephemeral instance, private to this process): nothing to lock."""
    if dagster_home is None:
        yield
        return
    path = Path(dagster_home)
    path.mkdir(parents=True, exist_ok=True)
    with open(path / LOCK_FILE, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@dataclass(frozen=True)
class Holder:
    run: dg.DagsterRun

    @property
    def span(self) -> str:
        tags = self.run.tags
        start = tags.get("dagster/asset_partition_range_start") or tags.get("dagster/partition")
        end = tags.get("dagster/asset_partition_range_end") or start
        return start if start == end else f"{start}..{end}"

    def describe(self) -> str:
        tags = self.run.tags
        if PROCESS_TAG in tags:
            host, pid, _ = (tags[PROCESS_TAG].split(":") + ["", ""])[:3]
            who = f"an nba-pipeline command (process {pid} on {host})"
        elif "dagster/backfill" in tags:
            who = f"backfill {tags['dagster/backfill']}"
        elif "dagster/sensor_name" in tags:
            who = f"sensor {tags['dagster/sensor_name']}"
        elif "dagster/schedule_name" in tags:
            who = f"schedule {tags['dagster/schedule_name']}"
        else:
            who = "another launcher"
        return f"run {self.run.run_id[:8]} ({self.span}, {self.run.status.value}, started by {who})"


def _span(run: dg.DagsterRun) -> tuple[dt.date, dt.date] | None:
    tags = run.tags
    start = tags.get("dagster/asset_partition_range_start") or tags.get("dagster/partition")
    end = tags.get("dagster/asset_partition_range_end") or start
    if not start:
        return None
    try:
        return dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    except ValueError:
        return None


def holders(
    instance: dg.DagsterInstance, selection: Sequence[dg.AssetKey], start: dt.date, end: dt.date
) -> list[Holder]:
    """In-progress runs that materialize one of ``selection`` for a date in ``start..end``."""
    wanted = set(selection)
    out = []
    for run in instance.get_runs(dg.RunsFilter(statuses=list(IN_PROGRESS))):
        span = _span(run)
        if span is None or span[1] < start or span[0] > end:
            continue
        if run.asset_selection is not None and not (set(run.asset_selection) & wanted):
            continue
        out.append(Holder(run))
    return out


def claim(
    instance: dg.DagsterInstance,
    dagster_home: str | os.PathLike | None,
    selection: Sequence[dg.AssetKey],
    start: dt.date,
    end: dt.date,
    create: Callable[[], dg.DagsterRun],
    on_wait: Callable[[str], None] | None = None,
) -> dg.DagsterRun:
    """Create the run (``create``) once no other run holds any of its assets and dates; until then
    wait, saying which run holds them (once, then every minute)."""
    waited_since, reminded = None, 0.0
    while True:
        with home_lock(dagster_home):
            held = holders(instance, selection, start, end)
            if not held:
                return create()
        now = time.monotonic()
        if on_wait is not None and (waited_since is None or now - reminded >= REMIND_EVERY_SECONDS):
            span = start.isoformat() if start == end else f"{start}..{end}"
            waited = "" if waited_since is None else f" (waiting {now - waited_since:.0f} s)"
            on_wait(f"{span} is being materialized by {held[0].describe()}: this run starts when it has ended{waited}")
            reminded = now
        waited_since = waited_since or now
        time.sleep(POLL_SECONDS)
