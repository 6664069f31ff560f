"""A backfill launched exactly as the UI's dialog launches it, and CLI runs as the UI sees them.

The dialog ("Materialize all" -> choose dates -> "Launch backfill") sends ``assetSelection`` +
``partitionNames`` (or ``allPartitions``); Dagster's backfill daemon plans it. Each test drives
Dagster's own machinery (the webserver's GraphQL mutations, the backfill daemon's iteration) against
the code location loaded as `dagster dev` loads it, in a separate process.
"""

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd

from nba_pipeline import keys
from nba_pipeline.sources.simulated import SimulatedSource
from nba_pipeline.warehouse import tables as t
from nba_pipeline.warehouse.duckdb import DuckDBWarehouse
from nba_pipeline_tests.conftest import SIM_SEED, make_pipeline

ROOT = Path(__file__).resolve().parents[2]
ASSET_COUNT = 32


def _env(home: Path, now: str) -> dict:
    (home / "dagster").mkdir(parents=True, exist_ok=True)
    (home / "dagster" / "dagster.yaml").write_text(
        (ROOT / "nba_pipeline" / "instance" / "local_dagster.yaml").read_text()
    )
    return {
        **os.environ,
        "NBA_PIPELINE_HOME": str(home),
        "NBA_PIPELINE_SOURCE": "simulated",
        "NBA_PIPELINE_SEED": str(SIM_SEED),
        "NBA_PIPELINE_NOW": now,
        "DAGSTER_HOME": str(home / "dagster"),
    }


def _driver(module: str, *args: str, env: dict) -> dict:
    proc = subprocess.run(
        [sys.executable, "-m", f"nba_pipeline_tests.integration.{module}", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:] + proc.stdout[-3000:]
    # Dagster's run logs share stdout; the driver's report is the last JSON line.
    return json.loads([line for line in proc.stdout.splitlines() if line.startswith("{")][-1])


def _days(start: dt.date, end: dt.date) -> list[str]:
    return [(start + dt.timedelta(days=i)).isoformat() for i in range((end - start).days + 1)]


def test_the_dialogs_backfill_of_ten_dates_is_one_run_of_exactly_those_dates_with_the_clis_rows(tmp_path):
    start, end, now = dt.date(2024, 11, 4), dt.date(2024, 11, 13), "2024-11-20T12:00:00-05:00"
    home = tmp_path / "ui"
    report = _driver(
        "dagster_backfill_driver", start.isoformat(), end.isoformat(), "--params", "dialog", env=_env(home, now)
    )
    assert report["status"] == "COMPLETED_SUCCESS"
    # One run, every asset, the chosen dates, planned in one daemon pass.
    assert [(r["status"], r["range"], len(r["assets"])) for r in report["runs"]] == [
        ("SUCCESS", [start.isoformat(), end.isoformat()], ASSET_COUNT)
    ]
    # Exactly the chosen dates: history of the day before the first is read, not materialized, and
    # nothing after the last is touched.
    assert {k: v for k, v in report["materialized"].items() if v != _days(start, end)} == {}
    assert all(set(dates) <= set(_days(start, end)) for dates in report["tables"].values())
    assert all(report["unevaluated_checks"][d] == [] for d in report["unevaluated_checks"])

    cli = make_pipeline(tmp_path / "cli", SimulatedSource(seed=SIM_SEED), now)
    assert all(r.success for r in cli.run(keys.PHASE_GROUPS, start, end))
    ui = DuckDBWarehouse(database=str(home / "warehouse" / "warehouse.duckdb"))
    for spec in t.ALL_TABLES:
        a, b = (w.read(spec, start, end) for w in (ui, cli.warehouse))
        key = list(spec.primary_key)
        pd.testing.assert_frame_equal(
            a.sort_values(key).reset_index(drop=True), b.sort_values(key).reset_index(drop=True), obj=spec.address
        )


def test_the_dialogs_backfill_of_150_dates_is_planned_as_two_runs_of_every_asset(tmp_path):
    start, end = dt.date(2024, 11, 1), dt.date(2025, 3, 30)
    report = _driver(
        "dagster_backfill_driver",
        start.isoformat(),
        end.isoformat(),
        "--params",
        "dialog",
        "--plan-only",
        env=_env(tmp_path, "2025-04-20T12:00:00-04:00"),
    )
    assert report["daemon_passes"] == 1
    assert [(r["range"], len(r["assets"])) for r in report["runs"]] == [
        (["2024-11-01", "2025-02-08"], ASSET_COUNT),
        (["2025-02-09", "2025-03-30"], ASSET_COUNT),
    ]


def test_the_range_form_is_planned_as_the_dialog_is(tmp_path):
    """The GraphQL API's other form (``partitionsByAssets``), which scripts send: the same plan. The
    dialog's "All partitions" is measured by benchmarks/ui_backfill.py (about 800 dates to plan)."""
    ranged = _driver(
        "dagster_backfill_driver",
        "2025-01-01",
        "2025-01-10",
        "--params",
        "range",
        "--plan-only",
        env=_env(tmp_path, "2025-04-20T12:00:00-04:00"),
    )
    assert [(r["range"], len(r["assets"])) for r in ranged["runs"]] == [(["2025-01-01", "2025-01-10"], ASSET_COUNT)]


def test_a_cli_run_is_a_run_of_the_code_location_the_ui_re_executes_from_failure(tmp_path):
    """The CLI's run of a date that failed (an archived payload it cannot parse) is a run of the code
    location's asset job: the UI finds its job and location, and "Re-execute from failure" runs the
    failed step and what it held back, not the steps that succeeded."""
    day, now = "2024-11-06", "2024-11-07T08:00:00-05:00"
    home = tmp_path / "home"
    env = _env(home, now)

    def cli(*groups: str) -> subprocess.CompletedProcess:
        select = [a for g in groups for a in ("--select", g)]
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "nba_pipeline.cli",
                "backfill",
                "--start",
                day,
                "--end",
                day,
                *select,
                "--home",
                str(home),
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    assert cli(keys.PHASE1).returncode == 0
    [game_log] = sorted((home / "archive").rglob("*leaguegamelog*/**/*.json"))
    original = game_log.read_bytes()
    game_log.write_bytes(original[: len(original) // 2])
    failed = cli(keys.PHASE2, keys.PHASE3)
    assert failed.returncode == 1 and "FAILED" in failed.stdout
    run_id = next(line.split()[1] for line in failed.stdout.splitlines() if line.startswith("run "))
    game_log.write_bytes(original)  # the cause is fixed

    report = _driver("dagster_reexecute_driver", run_id, env=env)
    assert report["parent"]["pipelineName"] == "__ASSET_JOB"
    assert report["parent"]["repositoryOrigin"] == {
        "repositoryLocationName": "nba_pipeline",
        "repositoryName": "__repository__",
    }
    child = report["child"]
    assert child["status"] == "SUCCESS" and child["parent_run_id"].startswith(run_id)
    steps = set(child["succeeded_steps"])
    assert "nba_raw__nbac_player_boxscores" in steps and "nba_analytics__player_game_summary" in steps
    assert "nba_raw__nbac_schedule" not in steps  # it succeeded in the parent run: not re-run
