"""What every command opens: the environment with its overrides, the home's Dagster instance (after
cleaning up runs whose process is gone), the definitions, and refusals of bad input or a damaged
home, each one line."""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import re
import sqlite3
from pathlib import Path

import dagster as dg
import sqlalchemy.exc
from dagster_postgres.utils import DagsterPostgresException

from nba_pipeline import environment
from nba_pipeline.environment import SourceKind
from nba_pipeline.execution.leases import home_lock
from nba_pipeline.instance.home import ensure_local_instance
from nba_pipeline.instance.reaper import reap_dead_runs
from nba_pipeline.partitions import FIRST_GAME_DATE
from nba_pipeline.sources.historical import HistoricalSource

INSTANCE_ERRORS = (
    OSError,
    sqlite3.Error,
    sqlalchemy.exc.OperationalError,
    DagsterPostgresException,
    dg.DagsterInvalidConfigError,
)


class UsageError(Exception):
    """Bad input or configuration: printed as one line, exit status 2, no traceback."""


def game_date(text: str) -> dt.date:
    """An argparse type: a game date as YYYY-MM-DD."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def quiet() -> None:
    # Step logs go to the Dagster instance (and the UI); the console shows the CLI's own lines.
    logging.getLogger("dagster").setLevel(logging.WARNING)


def load(env_overrides: dict[str, str] | None = None):
    """Environment, definitions and instance for this command (after applying its overrides to the
    process environment, which the definitions read when they are built)."""
    for k, v in (env_overrides or {}).items():
        os.environ[k] = v
    quiet()
    env = environment.current()
    _home, instance = open_instance(env)
    # The definitions read the environment when they are built: after the overrides above.
    from nba_pipeline.definitions import defs

    return env, defs, instance


def open_instance(env):
    """This environment's DAGSTER_HOME and Dagster instance, after cleaning up runs on this machine
    whose process is gone (a killed nba-pipeline command, or the worker of a killed `dagster dev`):
    marked failed, their pool slots freed, one "cleaned up:" line each."""
    try:
        home = ensure_local_instance(env)
        # Two commands starting on an empty home would both create the instance's tables.
        with home_lock(home):
            instance = dg.DagsterInstance.get()
            cleaned = reap_dead_runs(instance)
    except INSTANCE_ERRORS as exc:
        raise UsageError(instance_problem(exc, env)) from None
    for line in cleaned:
        print(f"cleaned up: {line}", flush=True)
    return home, instance


def instance_problem(exc: Exception, env) -> str:
    """One line the user can act on: an unwritable home (local SQLite), an instance config that does
    not load (an unset DAGSTER_PG_* variable), or the instance's database server refusing or absent."""
    cfg = Path(os.environ.get("DAGSTER_HOME") or env.dagster_home) / "dagster.yaml"
    if isinstance(exc, dg.DagsterInvalidConfigError):
        text = exc.errors[0].message if exc.errors else str(exc)
        unset = re.search(r'environment variable "([^"]+)" which is not set', text)
        bad_value = re.search(r"PostProcessingError: (.+)", text)
        detail = (
            f"the environment variable {unset.group(1)} is not set"
            if unset
            else bad_value.group(1)
            if bad_value
            else text.split("\n")[0]
        )
        return f"cannot load the Dagster instance config {cfg}: {detail}"
    root = exc
    while root.__cause__ is not None:
        root = root.__cause__
    root = getattr(root, "orig", None) or root
    if isinstance(exc, OSError) or isinstance(root, sqlite3.Error):
        return f"cannot use the pipeline home {env.home}: {exc} (is it writable by this user?)"
    return f"cannot reach the database of the Dagster instance in {cfg}: {' '.join(str(root).split())}"


def check_range(env, start: dt.date, end: dt.date, chunk_days: int | None = None, source: bool = True) -> None:
    """A range a backfill can run: ordered, inside the game-date partitions, with data to run on
    (``source=False``: whatever the configured source holds, for a rebuild that never reads it)."""
    if start > end:
        raise UsageError(f"--start {start} is after --end {end}")
    if chunk_days is not None and chunk_days < 1:
        raise UsageError(f"--chunk-days must be at least 1 (got {chunk_days})")
    first = dt.date.fromisoformat(FIRST_GAME_DATE)
    last = env.today_et() + dt.timedelta(days=1)  # the partitions end tomorrow (ET)
    if start < first:
        raise UsageError(f"{start} is before the first game-date partition ({first})")
    if end > last:
        raise UsageError(
            f"{end} is after the last game-date partition ({last}, tomorrow in ET): there is nothing "
            f"to scrape for it yet"
        )
    if source and env.source is SourceKind.HISTORICAL:
        covered = HistoricalSource(root=str(env.historical_dir)).covered_dates()
        if not any(start <= d <= end for d in covered):
            span = f"{covered[0]}..{covered[-1]}" if covered else "no dates"
            raise UsageError(
                f"the historical folder {env.historical_dir} has no games or lines between {start} and "
                f"{end} (it covers {span})"
            )


def open_warehouse(defs) -> None:
    """Refuse a damaged warehouse before anything runs: the one line of ``WarehouseDamagedError``
    (exit 1) before a scrape runs, not a failed step per table after."""
    defs.resources["warehouse"].check_not_damaged()
