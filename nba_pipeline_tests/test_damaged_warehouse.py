"""A damaged DuckDB warehouse: every command that opens it prints one line naming the file and the
way out (move it aside, rebuild from the archive) and exits 1, with no traceback; inside a run, the
step fails with the same line, once.

The damage of issue 19: 64 KB of garbage written at offset 4096 of a warehouse a small run wrote.
"""

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from nba_pipeline import keys
from nba_pipeline.execution import range_runs
from nba_pipeline.sources.simulated import SimulatedSource
from nba_pipeline.warehouse import WarehouseDamagedError
from nba_pipeline.warehouse import tables as t
from nba_pipeline.warehouse.duckdb import DuckDBWarehouse
from nba_pipeline_tests.conftest import SIM_SEED, make_pipeline

ROOT = Path(__file__).resolve().parents[1]
NIGHT = dt.date(2024, 11, 6)
NOW = "2024-11-07T08:00:00-05:00"
ENV = {"NBA_PIPELINE_SOURCE": "simulated", "NBA_PIPELINE_NOW": NOW}


def _damage(database: Path, offset: int = 4096, size: int = 64 * 1024) -> None:
    with open(database, "r+b") as fh:
        fh.seek(offset)
        fh.write(os.urandom(size))


@pytest.fixture(scope="module")
def written_home(tmp_path_factory) -> Path:
    """A home whose warehouse a small run wrote: a night's scrapes and raw tables."""
    home = tmp_path_factory.mktemp("written")
    p = make_pipeline(home, SimulatedSource(seed=SIM_SEED), NOW)
    assert all(r.success for r in p.run([keys.PHASE1, keys.PHASE2], NIGHT))
    assert len(p.read(t.NBAC_PLAYER_BOXSCORES, NIGHT, NIGHT)) > 0
    return home


@pytest.fixture
def damaged_home(written_home, tmp_path) -> Path:
    home = tmp_path / "home"
    shutil.copytree(written_home, home)
    _damage(home / "warehouse" / "warehouse.duckdb")
    return home


def _cli(home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "nba_pipeline.cli", *args, "--home", str(home)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "DAGSTER_HOME": str(home / "dagster"), **ENV},
    )


def _assert_the_one_line(stderr: str, command: str, database: Path) -> None:
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr[-3000:]
    assert lines[0].startswith(f"nba-pipeline {command}: error: warehouse {database} is damaged (")
    assert "Corrupt database file" in lines[0]
    assert 'move it aside and run "nba-pipeline rebuild"' in lines[0]


@pytest.mark.parametrize(
    "args",
    [
        ["status", "--date", NIGHT.isoformat()],
        ["backfill", "--start", NIGHT.isoformat(), "--end", NIGHT.isoformat()],
        ["demo", "--days", "2"],
        [
            "evaluate",
            "--historical-dir",
            "{real}",
            "--start",
            "2024-11-05",
            "--end",
            "2024-11-06",
            "--history-start",
            "2024-11-04",
            "--skip-replay",
        ],
    ],
)
def test_a_damaged_warehouse_is_one_line_and_exit_1_for_every_command(damaged_home, args, request):
    if "{real}" in args:
        args = [a.replace("{real}", str(request.getfixturevalue("real_data"))) for a in args]
    database = damaged_home / "warehouse" / "warehouse.duckdb"
    archived = sorted(p for p in (damaged_home / "archive").rglob("*"))

    out = _cli(damaged_home, *args)

    assert out.returncode == 1, out.stdout[-2000:] + out.stderr[-2000:]
    _assert_the_one_line(out.stderr, args[0], database)
    # Runs stop before any scrape: nothing was fetched or archived against a damaged home.
    assert sorted(p for p in (damaged_home / "archive").rglob("*")) == archived
    assert "[  1/" not in out.stdout


def test_doctor_reports_it_as_the_failed_warehouse_check(damaged_home, monkeypatch):
    from nba_pipeline.doctor import FAIL, diagnose, exit_code

    monkeypatch.setenv("NBA_PIPELINE_HOME", str(damaged_home))
    monkeypatch.setenv("DAGSTER_HOME", str(damaged_home / "dagster"))
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)

    findings = diagnose(timeout=60)

    [warehouse] = [f for f in findings if f.check == "warehouse"]
    assert warehouse.status == FAIL and exit_code(findings) == 1
    assert warehouse.detail.startswith(f"warehouse {damaged_home / 'warehouse' / 'warehouse.duckdb'} is damaged (")


def test_inside_a_run_the_step_fails_with_the_same_line_and_is_not_retried(damaged_home):
    p = make_pipeline(damaged_home, SimulatedSource(seed=SIM_SEED), NOW)

    res = p.materialize([keys.RAW_SCHEDULE], NIGHT, raise_on_error=False)

    [failure] = [e for e in res.all_events if e.event_type_value == "STEP_FAILURE"]
    assert sum(e.event_type_value == "STEP_UP_FOR_RETRY" for e in res.all_events) == 0
    message = range_runs.root_cause(failure.event_specific_data.error)
    assert "WarehouseDamagedError" in message and str(damaged_home / "warehouse" / "warehouse.duckdb") in message
    assert "nba-pipeline rebuild" in message


# --- which DuckDB errors are damage --------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_database(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("duck") / "warehouse.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA nba_raw")
    con.execute("CREATE TABLE nba_raw.t AS SELECT range AS i, 'row ' || range AS s FROM range(300000)")
    con.close()
    return path


def _truncate_to_half(path: Path) -> None:
    os.truncate(path, path.stat().st_size // 2)


@pytest.mark.parametrize(
    "damage, found_on",
    [
        (lambda p: _damage(p), "open"),  # the database headers
        (lambda p: _damage(p, offset=0, size=4096), "open"),  # the main header: not a database
        (_truncate_to_half, "open"),  # a copy cut short
        (lambda p: p.write_text("not a database at all"), "open"),  # another file under its name
        (lambda p: _damage(p, offset=300_000, size=4096), "query"),  # a data block, found when read
    ],
)
def test_every_kind_of_damage_is_the_one_error(small_database, tmp_path, damage, found_on):
    path = tmp_path / "warehouse.duckdb"
    shutil.copyfile(small_database, path)
    damage(path)
    warehouse = DuckDBWarehouse(database=str(path))

    opened = False
    with pytest.raises(WarehouseDamagedError) as err:
        with warehouse._connect() as con:
            opened = True
            con.execute("SELECT sum(i), max(s) FROM nba_raw.t").fetchall()
    assert opened == (found_on == "query")
    text = err.value.description
    assert "\n" not in text and text.startswith(f"warehouse {path} is damaged (") and "nba-pipeline rebuild" in text
    assert err.value.allow_retries is False


def test_other_duckdb_errors_stay_what_they_are(small_database, tmp_path):
    path = tmp_path / "warehouse.duckdb"
    shutil.copyfile(small_database, path)
    with pytest.raises(duckdb.CatalogException):
        with DuckDBWarehouse(database=str(path))._connect() as con:
            con.execute("SELECT * FROM nba_raw.no_such_table")
