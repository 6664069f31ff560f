"""Several drivers at once on one home: a date is computed by one run at a time, and the later
run waits, saying which run holds the dates (execution/leases.py)."""

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pandas as pd

from nba_pipeline import keys
from nba_pipeline.sources.historical import HistoricalSource
from nba_pipeline.sources.simulated import SimulatedSource
from nba_pipeline.warehouse import tables as t
from nba_pipeline.warehouse.duckdb import DuckDBWarehouse
from nba_pipeline_tests.conftest import SIM_SEED, make_pipeline

ROOT = Path(__file__).resolve().parents[1]
REAL_START, REAL_END = "2025-01-10", "2025-01-12"
REAL_NOW = "2025-04-15T12:00:00-04:00"


def _env(home: Path, now: str, **extra: str) -> dict:
    return {
        **os.environ,
        "NBA_PIPELINE_HOME": str(home),
        "DAGSTER_HOME": str(home / "dagster"),
        "NBA_PIPELINE_NOW": now,
        **extra,
    }


def _cli(*args: str, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "nba_pipeline.cli", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _instance(home: Path, monkeypatch) -> dg.DagsterInstance:
    monkeypatch.setenv("DAGSTER_HOME", str(home / "dagster"))  # the local config names its folder by it
    return dg.DagsterInstance.from_config(str(home / "dagster"))


def _same_tables(a, b, start: dt.date, end: dt.date) -> None:
    for spec in t.ALL_TABLES:
        x, y = a.read(spec, start, end), b.read(spec, start, end)
        key = list(spec.primary_key)
        pd.testing.assert_frame_equal(
            x.sort_values(key).reset_index(drop=True), y.sort_values(key).reset_index(drop=True), obj=spec.address
        )


def test_two_backfills_of_the_same_real_dates_at_once_leave_the_rows_of_one_clean_run(real_data, tmp_path, monkeypatch):
    """Two terminals (or a cron job and a manual run) start the same week on one empty home in the
    same instant: the instance is created once, one run computes the dates while the other waits
    and says for which run, then computes them again; both exit 0 and the tables are a clean run's."""
    home = tmp_path / "home"
    env = _env(home, REAL_NOW)
    args = (
        "backfill",
        "--start",
        REAL_START,
        "--end",
        REAL_END,
        "--source",
        "historical",
        "--historical-dir",
        str(real_data),
        "--home",
        str(home),
    )
    first, second = _cli(*args, env=env), _cli(*args, env=env)
    outs = [p.communicate(timeout=600) for p in (first, second)]
    for proc, (out, err) in zip((first, second), outs):
        assert proc.returncode == 0, out[-2000:] + err[-2000:]
        assert "Traceback" not in err
    waited = [out for out, _ in outs if "waiting:" in out]
    assert len(waited) == 1
    assert f"{REAL_START}..{REAL_END} is being materialized by run " in waited[0]
    assert "started by an nba-pipeline command (process " in waited[0]

    clean = make_pipeline(tmp_path / "clean", HistoricalSource(root=str(real_data)), REAL_NOW)
    start, end = dt.date.fromisoformat(REAL_START), dt.date.fromisoformat(REAL_END)
    assert all(r.success for r in clean.run(keys.PHASE_GROUPS, start, end))
    shared = DuckDBWarehouse(database=str(home / "warehouse" / "warehouse.duckdb"))
    assert len(shared.read(t.NBAC_PLAYER_BOXSCORES, start, end)) > 0
    _same_tables(shared, clean.warehouse, start, end)
    with _instance(home, monkeypatch) as instance:
        assert {r.status for r in instance.get_runs()} == {dg.DagsterRunStatus.SUCCESS}


def test_a_backfill_waits_for_automations_run_of_the_same_date(tmp_path, monkeypatch):
    """The daemon's automation is running Phase 2 of a date (held up: its step waits for the
    warehouse pool's one slot) when a backfill of the same date starts: the backfill waits, naming
    the sensor's run, and runs once that run has ended. The date's rows are a clean run's."""
    day, now = "2024-11-06", "2024-11-07T08:00:00-05:00"
    home = tmp_path / "home"
    env = _env(home, now, NBA_PIPELINE_SOURCE="simulated", NBA_PIPELINE_SEED=str(SIM_SEED))
    scraped = _cli("backfill", "--start", day, "--end", day, "--select", keys.PHASE1, "--home", str(home), env=env)
    assert scraped.wait(timeout=300) == 0, scraped.stderr.read()

    with _instance(home, monkeypatch) as instance:
        # Whatever else holds the slot (another run's step), the sensor's run starts and waits for it.
        instance.event_log_storage.claim_concurrency_slot("warehouse", "another-run", "a-step")
        automation = subprocess.Popen(
            [sys.executable, "-m", "nba_pipeline_tests.integration.automation_like_run", day, keys.PHASE2],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 120
        while not instance.get_runs(dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED])):
            assert time.monotonic() < deadline and automation.poll() is None, automation.stderr.read()[-2000:]
            time.sleep(0.5)
        backfill = _cli("backfill", "--start", day, "--end", day, "--home", str(home), env=env)
        deadline = time.monotonic() + 120
        seen = ""
        while "waiting:" not in seen:
            assert time.monotonic() < deadline and backfill.poll() is None, seen
            seen += backfill.stdout.readline()
        instance.event_log_storage.free_concurrency_slots_for_run("another-run")
    out, err = backfill.communicate(timeout=600)
    assert automation.wait(timeout=300) == 0, automation.stderr.read()[-2000:]
    assert backfill.returncode == 0, (seen + out)[-3000:] + err[-2000:]
    assert f"{day} is being materialized by run " in seen and "started by sensor automation_phase2_raw" in seen

    clean = make_pipeline(tmp_path / "clean", SimulatedSource(seed=SIM_SEED), now)
    the_day = dt.date.fromisoformat(day)
    assert all(r.success for r in clean.run(keys.PHASE_GROUPS, the_day, the_day))
    _same_tables(
        DuckDBWarehouse(database=str(home / "warehouse" / "warehouse.duckdb")), clean.warehouse, the_day, the_day
    )
