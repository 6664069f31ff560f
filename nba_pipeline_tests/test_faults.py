"""Faults a user meets, each injected, with what the user now sees asserted.

A killed run never wedges the home; permanent errors fail at once and name what broke; a failed
parent stops its children for that date; a locked warehouse is waited on visibly and then fails
clearly; bad input is refused before anything runs, with one line and exit status 2.
"""

import datetime as dt
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest
from dagster._core.utils import make_new_run_id

from nba_pipeline import keys
from nba_pipeline.execution import range_runs
from nba_pipeline.instance import reaper, workers
from nba_pipeline.sources.historical import HistoricalSource, clear_cache
from nba_pipeline.sources.simulated import SimulatedSource
from nba_pipeline.status import date_status
from nba_pipeline.warehouse import tables as t
from nba_pipeline.warehouse.duckdb import DuckDBWarehouse
from nba_pipeline_tests.automation_helpers import ET
from nba_pipeline_tests.conftest import SIM_SEED, make_pipeline
from nba_pipeline_tests.harness import archived_as_returned

ROOT = Path(__file__).resolve().parents[1]
NIGHT = dt.date(2024, 11, 6)
MORNING_AFTER = "2024-11-07T08:00:00-05:00"
RESULTS = [keys.SCRAPED_SCHEDULE, keys.SCRAPED_PLAYER_BOXSCORES, keys.SCRAPED_TEAM_BOXSCORES]
RAW_RESULTS = [keys.RAW_SCHEDULE, keys.RAW_PLAYER_BOXSCORES, keys.RAW_TEAM_BOXSCORE]
COMPLETED = [keys.TEAM_OFFENSE, keys.TEAM_DEFENSE, keys.PLAYER_GAME_SUMMARY]


def _cli_here(monkeypatch, capsys, *args: str, home: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """The CLI in this process (refusals happen before anything runs; the environment is restored)."""
    from nba_pipeline import cli

    monkeypatch.setattr(os, "environ", {**os.environ, "DAGSTER_HOME": str(home / "dagster"), **(env or {})})
    code = cli.main([*args, "--home", str(home)])
    out = capsys.readouterr()
    return subprocess.CompletedProcess(args, code, out.out, out.err)


def _cli(*args: str, home: Path, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "nba_pipeline.cli", *args, "--home", str(home)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "DAGSTER_HOME": str(home / "dagster"), **(env or {})},
    )


def _failure(result) -> str:
    failures = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert failures, "expected a failed step"
    return range_runs.root_cause(failures[0].event_specific_data.error)


def _retries(result) -> int:
    return sum(e.event_type_value == "STEP_UP_FOR_RETRY" for e in result.all_events)


def _succeeded(result) -> set[str]:
    """Steps that ran to success (Dagster does not execute the children of a failed step)."""
    return {e.step_key for e in result.all_events if e.event_type_value == "STEP_SUCCESS"}


# --- a killed run -------------------------------------------------------------------------------------


_PHASE3_STEP = re.compile(r"\[\s*\d+/\d+\] phase3_analytics")  # the CLI's progress line of a Phase 3 step


def test_a_killed_backfill_never_wedges_the_home(tmp_path):
    """kill -9 in the middle of a backfill: the dead run held the one-slot warehouse pool and stayed
    "in progress". The next command recognises its process is gone, marks it failed, frees the slot
    and says so; the next backfill completes."""
    home, sim = tmp_path / "home", {"NBA_PIPELINE_SOURCE": "simulated", "NBA_PIPELINE_NOW": MORNING_AFTER}
    args = ["backfill", "--start", "2024-11-05", "--end", "2024-11-06"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "nba_pipeline.cli", *args, "--home", str(home)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "DAGSTER_HOME": str(home / "dagster"), **sim},
    )
    seen = []
    for line in proc.stdout:  # wait until Phase 3 is under way
        seen.append(line)
        if _PHASE3_STEP.search(line):
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert any(_PHASE3_STEP.search(s) for s in seen), "".join(seen)

    status = _cli("status", "--date", "2024-11-06", home=home, env=sim, timeout=120)
    assert "cleaned up: run" in status.stdout and "its process" in status.stdout and "is gone" in status.stdout
    assert "RUNNING" not in status.stdout
    # The next backfill takes the warehouse slot the dead run held (it would wait forever before).
    again = _cli(*args, "--select", "phase2_raw", home=home, env=sim)
    assert again.returncode == 0, again.stdout[-2000:] + again.stderr[-2000:]
    assert "done in" in again.stdout


def test_the_reaper_frees_only_runs_whose_process_is_gone(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    with dg.instance_for_test(overrides={"concurrency": {"pools": {"default_limit": 1}}}) as instance:

        def started(owner: str) -> dg.DagsterRun:
            run = instance.add_run(
                dg.DagsterRun(
                    job_name="x",
                    run_id=make_new_run_id(),
                    status=dg.DagsterRunStatus.STARTED,
                    tags={workers.PROCESS_TAG: owner},
                )
            )
            instance.event_log_storage.claim_concurrency_slot("warehouse", run.run_id, "step")
            return run

        gone = started(f"{os.uname().nodename}:{dead.stdout.strip()}:123")
        alive = started(reaper.this_process())
        notes = reaper.reap_dead_runs(instance)
        assert len(notes) == 1 and gone.run_id[:8] in notes[0]
        assert instance.get_run_by_id(gone.run_id).status == dg.DagsterRunStatus.FAILURE
        assert instance.get_run_by_id(alive.run_id).status == dg.DagsterRunStatus.STARTED
        assert gone.run_id not in instance.event_log_storage.get_concurrency_run_ids()


# --- permanent errors fail at once and name what broke ---------------------------------------------------


@pytest.fixture
def small_real_folder(real_data, tmp_path):
    """The real 2024-25 files, cut to 2025-01-08..16, in a folder the test may corrupt."""
    folder = tmp_path / "real"
    (folder / "schedule").mkdir(parents=True)
    (folder / "box_scores").mkdir()
    for name in ("schedule_2024-25.csv", "team_game_logs_2024-25.csv"):
        (folder / "schedule" / name).write_bytes((real_data / "schedule" / name).read_bytes())
    for name, col in (
        ("player_game_logs_2024-25.csv", "date"),
        ("player_game_logs_2024-25_with_inferred_dnp.csv", "date"),
    ):
        df = pd.read_csv(real_data / "box_scores" / name, dtype=str)
        df[(df[col] >= "2025-01-08") & (df[col] <= "2025-01-16")].to_csv(folder / "box_scores" / name, index=False)
    clear_cache()
    yield folder
    clear_cache()


def _corrupt_pts(folder: Path) -> tuple[Path, int]:
    path = folder / "box_scores" / "player_game_logs_2024-25.csv"
    df = pd.read_csv(path, dtype=str)
    row = int(df.index[df["date"] == "2025-01-10"][3])
    df.loc[row, "pts"] = "abc"
    df.to_csv(path, index=False)
    return path, row + 2  # header is line 1


def test_a_missing_historical_folder_fails_at_once_with_one_line(tmp_path):
    out = _cli(
        "backfill",
        "--start",
        "2025-01-10",
        "--end",
        "2025-01-11",
        "--source",
        "historical",
        "--historical-dir",
        str(tmp_path / "nope"),
        home=tmp_path / "home",
    )
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert str(tmp_path / "nope") in out.stderr and "does not exist" in out.stderr
    assert "retry" not in out.stdout + out.stderr  # refused at once (it took 280 s of retries before)
    # The same fault met by a run (a UI backfill): the scrape fails once, without retrying.
    p = make_pipeline(tmp_path / "run", HistoricalSource(root=str(tmp_path / "nope")), "2025-04-15T12:00:00-04:00")
    res = p.materialize([keys.SCRAPED_SCHEDULE], dt.date(2025, 1, 10), raise_on_error=False)
    assert not res.success and _retries(res) == 0 and "does not exist" in _failure(res)


def test_a_corrupt_row_names_file_line_and_field_and_the_date_is_never_complete(small_real_folder, tmp_path):
    path, line = _corrupt_pts(small_real_folder)
    out = _cli(
        "backfill",
        "--start",
        "2025-01-10",
        "--end",
        "2025-01-11",
        "--source",
        "historical",
        "--historical-dir",
        str(small_real_folder),
        home=tmp_path / "home",
    )
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert f"{path} line {line}, field 'pts': 'abc' is not a number" in out.stderr

    day = dt.date(2025, 1, 10)
    p = make_pipeline(tmp_path / "run", HistoricalSource(root=str(small_real_folder)), "2025-04-15T12:00:00-04:00")
    res = p.materialize([*RESULTS, *RAW_RESULTS, *COMPLETED], day, raise_on_error=False)
    assert not res.success and _retries(res) == 0
    assert f"line {line}, field 'pts'" in _failure(res)
    # Phase 2 and 3 of the date never ran on the failed scrape, and status says so.
    assert not {"nba_raw__nbac_player_boxscores", "nba_analytics__player_game_summary"} & _succeeded(res)
    status = date_status(p.defs, p.instance, day, dt.datetime(2025, 4, 15, 12, 0, tzinfo=ET))
    assert status.verdict == "PHASE_1_FAILED" and status.exit_code == 1


def test_a_dropped_column_names_the_file_and_the_column(small_real_folder, tmp_path, monkeypatch, capsys):
    path = small_real_folder / "box_scores" / "player_game_logs_2024-25.csv"
    pd.read_csv(path, dtype=str).drop(columns=["pts"]).to_csv(path, index=False)
    out = _cli_here(
        monkeypatch,
        capsys,
        "backfill",
        "--start",
        "2025-01-10",
        "--end",
        "2025-01-11",
        "--source",
        "historical",
        "--historical-dir",
        str(small_real_folder),
        home=tmp_path / "home",
    )
    assert out.returncode == 2 and f"{path} lacks column(s) pts" in out.stderr and "Traceback" not in out.stderr


# --- archived payloads that cannot be parsed -----------------------------------------------------------


@pytest.fixture
def scraped_night(tmp_path):
    p = make_pipeline(tmp_path, SimulatedSource(seed=SIM_SEED), MORNING_AFTER)
    assert p.materialize(RESULTS, NIGHT).success
    [game_log] = sorted((tmp_path / "archive").rglob("*leaguegamelog*/**/*.json"))
    return p, game_log


@pytest.mark.parametrize(
    "damage, expected",
    [
        (lambda raw: raw[: len(raw) // 2], "not valid JSON"),
        (lambda raw: b"<html><body>502 Bad Gateway</body></html>", "an HTML page, not JSON"),
    ],
)
def test_a_truncated_or_html_payload_names_file_and_date_and_stops_the_date(scraped_night, damage, expected):
    p, game_log = scraped_night
    archived_as_returned(game_log, damage(game_log.read_bytes()))
    res = p.materialize([*RAW_RESULTS, *COMPLETED], NIGHT, raise_on_error=False)
    message = _failure(res)
    assert expected in message and str(NIGHT) in message and game_log.name in message
    assert not {"nba_analytics__team_offense_game_summary", "nba_analytics__player_game_summary"} & _succeeded(res)
    # A later run of Phase 3 alone does not compute the date on the failed parent either.
    assert p.materialize(COMPLETED, NIGHT).success and p.read(t.PLAYER_GAME_SUMMARY, NIGHT, NIGHT).empty


def test_a_non_numeric_value_in_a_payload_names_table_column_and_file(scraped_night):
    p, game_log = scraped_night
    body = json.loads(game_log.read_bytes())
    rs = body["resultSets"][0]
    rs["rowSet"][2][rs["headers"].index("PTS")] = "abc"
    archived_as_returned(game_log, json.dumps(body).encode())
    res = p.materialize(RAW_RESULTS, NIGHT, raise_on_error=False)
    message = _failure(res)
    assert "field 'rowSet[2].PTS': 'abc' is not a number" in message
    assert game_log.name in message and str(NIGHT) in message


# --- a locked warehouse ------------------------------------------------------------------------------------


def test_a_locked_warehouse_is_waited_on_visibly_then_fails_clearly_and_stops_the_cascade(scraped_night, tmp_path):
    p, _ = scraped_night
    assert p.materialize(RAW_RESULTS, NIGHT).success
    database = str(tmp_path / "warehouse" / "warehouse.duckdb")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('locked', flush=True); time.sleep(120)",
            database,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        resources = {**p.resources, "warehouse": DuckDBWarehouse(database=database, lock_wait_seconds=2)}
        res = dg.materialize(
            p.defs.assets,
            instance=p.instance,
            resources=resources,
            partition_key=NIGHT.isoformat(),
            selection=[*COMPLETED, keys.UPCOMING_TEAM_CONTEXT],
            raise_on_error=False,
        )
    finally:
        holder.kill()
        holder.wait()
    message = _failure(res)
    assert f"warehouse {database} is locked by another program" in message and "gave up after waiting" in message
    waits = [e.user_message for e in p.instance.all_logs(res.run_id) if "waiting (attempt" in (e.user_message or "")]
    assert waits  # each attempt said it was waiting
    assert "nba_analytics__player_game_summary" not in _succeeded(res)  # nothing ran on what is missing
    # An export asked for later is not published from empty inputs.
    p.materialize([keys.EXPORT_TONIGHT], NIGHT)
    assert not (tmp_path / "exports" / "tonight" / f"{NIGHT}.json").exists()


# --- input refused before anything runs -----------------------------------------------------------------


@pytest.mark.parametrize(
    "args, env, expected",
    [
        (
            ["backfill", "--start", "2025-01-16", "--end", "2025-01-10"],
            {},
            "--start 2025-01-16 is after --end 2025-01-10",
        ),
        (
            ["backfill", "--start", "2030-01-01", "--end", "2030-01-03"],
            {},
            "2030-01-03 is after the last game-date partition",
        ),
        (
            ["backfill", "--start", "2024-09-01", "--end", "2024-09-02"],
            {},
            "2024-09-01 is before the first game-date partition",
        ),
        (
            ["backfill", "--start", "2024-11-01", "--end", "2024-11-02", "--select", "phase9"],
            {},
            "unknown group(s) phase9",
        ),
        (["status"], {"NBA_PIPELINE_ENV": "staging"}, "NBA_PIPELINE_ENV='staging' is not one of: local, prod"),
        (["status"], {"NBA_PIPELINE_NOW": "garbage"}, "NBA_PIPELINE_NOW='garbage' is not an ISO-8601 instant"),
        (["status"], {"NBA_PIPELINE_SOURCE": "ftp"}, "NBA_PIPELINE_SOURCE='ftp' is not one of"),
    ],
)
def test_bad_input_is_one_line_and_exit_status_2(tmp_path, monkeypatch, capsys, args, env, expected):
    out = _cli_here(monkeypatch, capsys, *args, home=tmp_path / "home", env={"NBA_PIPELINE_NOW": MORNING_AFTER, **env})
    assert out.returncode == 2, out.stdout + out.stderr
    assert expected in out.stderr and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "home" / "warehouse").exists()  # nothing ran


def test_an_empty_historical_range_is_not_a_success(real_data, tmp_path, monkeypatch, capsys):
    out = _cli_here(
        monkeypatch,
        capsys,
        "backfill",
        "--start",
        "2025-07-01",
        "--end",
        "2025-07-03",
        "--source",
        "historical",
        "--historical-dir",
        str(real_data),
        home=tmp_path / "home",
    )
    assert out.returncode == 2 and "has no games or lines between 2025-07-01 and 2025-07-03" in out.stderr


def test_an_unusable_home_is_one_line_naming_the_path(tmp_path, monkeypatch, capsys):
    """A home the user cannot write (here: a path nothing can create, as root cannot be refused a chmod)."""
    out = _cli_here(monkeypatch, capsys, "status", home=Path("/proc/1/nba_pipeline_home"))
    assert out.returncode == 2 and "cannot use the pipeline home /proc/1/nba_pipeline_home" in out.stderr
    assert "Traceback" not in out.stderr
