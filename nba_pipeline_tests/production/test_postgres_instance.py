"""The production Dagster instance (deploy/dagster.yaml: dagster-postgres) on a real
PostgreSQL server: a game date runs through every phase with its runs, materializations and per-date
check results stored there, `nba-pipeline status` reads the date back, and automation evaluates on it.

Only the instance is production here; the warehouse and blob stores stay the local DuckDB file and
folders, and the source the simulated league.
"""

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import dagster as dg
import pytest
import yaml
from dagster_postgres.event_log import PostgresEventLogStorage
from dagster_postgres.run_storage import PostgresRunStorage

from nba_pipeline import keys
from nba_pipeline.sources.simulated import SimulatedSource
from nba_pipeline.warehouse import tables as t
from nba_pipeline_tests.automation_helpers import CHECKS, ET, Automation
from nba_pipeline_tests.conftest import SIM_SEED
from nba_pipeline_tests.harness import Pipeline
from nba_pipeline_tests.postgres_server import PG_ENV_VARS

ROOT = Path(__file__).resolve().parents[2]
NIGHT = dt.date(2024, 11, 6)
MORNING_AFTER = dt.datetime(2024, 11, 7, 8, 0, tzinfo=ET)
PHASES_1_3 = [keys.PHASE1, keys.PHASE2, keys.PHASE3]
LATER_PHASES = [g for g in keys.PHASE_GROUPS if g not in PHASES_1_3]


def _production_home(home: Path, env_db: dict[str, str]) -> dict[str, str]:
    """A pipeline home whose DAGSTER_HOME holds the shipped production dagster.yaml, and the
    environment a deployment would set for it (connection settings only in variables)."""
    (home / "dagster").mkdir(parents=True)
    shutil.copyfile(ROOT / "deploy" / "dagster.yaml", home / "dagster" / "dagster.yaml")
    return {
        **os.environ,
        **env_db,
        "NBA_PIPELINE_ENV": "local",
        "NBA_PIPELINE_HOME": str(home),
        "NBA_PIPELINE_SOURCE": "simulated",
        "NBA_PIPELINE_SEED": str(SIM_SEED),
        "NBA_PIPELINE_NOW": MORNING_AFTER.isoformat(),
        "DAGSTER_HOME": str(home / "dagster"),
    }


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "nba_pipeline.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def night(postgres_server, tmp_path_factory):
    """The night's Phases 1-3, and the day before's (the history Phase 4 of the night reads), land
    through the runner in this process; the automation sensors tick before and after; the CLI then runs the later phases of the
    night and reports its status, all on one Postgres-backed instance."""
    home = tmp_path_factory.mktemp("postgres_home")
    env = _production_home(home, postgres_server.create_database("phases"))
    with pytest.MonkeyPatch.context() as mp:
        for var in PG_ENV_VARS:  # the dagster.yaml reads them when the instance loads
            mp.setenv(var, env[var])
        instance = dg.DagsterInstance.from_config(str(home / "dagster"))
        auto = Automation(instance, MORNING_AFTER)
        before = auto.tick()
        p = Pipeline(home=home, source=SimulatedSource(seed=SIM_SEED), now=MORNING_AFTER.isoformat(), instance=instance)
        early = p.run(PHASES_1_3, NIGHT - dt.timedelta(days=1), NIGHT)
        after_phase3 = auto.tick()
        logins_before = postgres_server.logins("phases")
        later = _cli(
            "backfill",
            "--start",
            NIGHT.isoformat(),
            "--end",
            NIGHT.isoformat(),
            *[a for g in LATER_PHASES for a in ("--select", g)],
            env=env,
        )
        later_logins = postgres_server.logins("phases") - logins_before
        status = _cli("status", "--date", NIGHT.isoformat(), env=env)
        yield SimpleNamespace(
            server=postgres_server,
            home=home,
            env=env,
            instance=instance,
            pipeline=p,
            before=before,
            early=early,
            after_phase3=after_phase3,
            later=later,
            later_logins=later_logins,
            status=status,
        )
        instance.dispose()


def test_the_shipped_instance_config_keeps_every_connection_setting_in_the_environment():
    storage = yaml.safe_load((ROOT / "deploy" / "dagster.yaml").read_text())["storage"]["custom"]
    assert (storage["module"], storage["class"]) == ("nba_pipeline.instance.postgres", "PooledPostgresStorage")
    settings = {k: v for k, v in storage["config"]["postgres_db"].items() if k != "scheme"}
    assert settings == {
        "hostname": {"env": "DAGSTER_PG_HOST"},
        "port": {"env": "DAGSTER_PG_PORT"},
        "username": {"env": "DAGSTER_PG_USERNAME"},
        "password": {"env": "DAGSTER_PG_PASSWORD"},
        "db_name": {"env": "DAGSTER_PG_DB"},
    }


def test_a_date_runs_through_every_phase_with_its_records_in_postgres(night):
    assert all(r.success for r in night.early) and not any(r.blocked for r in night.early)
    assert night.later.returncode == 0, night.later.stdout[-3000:] + night.later.stderr[-3000:]
    # The instance is the shipped Postgres one; nothing fell back to SQLite files in DAGSTER_HOME.
    assert isinstance(night.instance.event_log_storage, PostgresEventLogStorage)
    assert isinstance(night.instance.run_storage, PostgresRunStorage)
    assert not list((night.home / "dagster").rglob("*.db"))

    # Every asset of every phase has the night's materialization, with its row count, and every
    # check of it has a result for the night, current for that materialization, and passed.
    partition = NIGHT.isoformat()
    graph = night.pipeline.defs.resolve_asset_graph()
    assets = sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string())
    assert {graph.get(k).group_name for k in assets} == set(keys.PHASE_GROUPS) and len(assets) == 32
    mats = {}
    for key in assets:
        [record] = night.instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=key, asset_partitions=[partition]), limit=1
        ).records
        mats[key] = record.asset_materialization
    for spec in t.ALL_TABLES:
        rows = night.pipeline.warehouse.count_by_date(spec, NIGHT, NIGHT).get(NIGHT, 0)
        assert mats[spec.asset_key].metadata["dagster/row_count"].value == rows, spec.address
    check_keys = [dg.AssetCheckKey(k, s.name) for k in assets for s in CHECKS.get(k, [])]
    infos = night.instance.event_log_storage.get_asset_check_partition_info(check_keys, partition_keys=[partition])
    assert {i.check_key for i in infos} == set(check_keys) and len(check_keys) > 90
    assert {(i.latest_execution_status.value, i.is_current) for i in infos} == {("SUCCEEDED", True)}

    # The same records, read straight from the server's tables.
    with night.server.connect("phases") as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT count(DISTINCT asset_key) FROM event_logs "
            "WHERE partition = %s AND dagster_event_type = 'ASSET_MATERIALIZATION'",
            (partition,),
        )
        assert cur.fetchone()[0] == 32
        cur.execute(
            "SELECT DISTINCT asset_key, check_name, execution_status FROM asset_check_executions WHERE partition = %s",
            (partition,),
        )
        stored = cur.fetchall()
    assert len(stored) == len(check_keys) and {status for *_, status in stored} == {"SUCCEEDED"}


def test_status_reads_the_date_back_from_postgres(night):
    out = night.status
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert "verdict: COMPLETE" in out.stdout and f"game date {NIGHT}" in out.stdout
    # The runs it names are the ones the runner and the CLI recorded in Postgres.
    runs = [
        r
        for r in night.instance.get_runs(dg.RunsFilter(statuses=[dg.DagsterRunStatus.SUCCESS]))
        if "dagster/asset_partition_range_start" in r.tags
    ]  # not the CLI's run of the standalone checks
    assert len(runs) == 2 and all(r.run_id[:8] in out.stdout for r in runs)
    assert "FAILED" not in out.stdout and "LATE" not in out.stdout


def test_automation_requests_phase_4_once_phase_3_of_the_date_lands(night):
    partition = NIGHT.isoformat()
    for key in (keys.TEAM_DEFENSE_ZONE, keys.PLAYER_SHOT_ZONE):
        assert partition not in night.before.get_requested_partitions(key)
        assert partition in night.after_phase3.get_requested_partitions(key), key


def _cli_here(monkeypatch, capsys, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """The CLI in this process, for refusals that happen before anything runs (the environment is restored)."""
    from nba_pipeline import cli

    monkeypatch.setattr(os, "environ", env)
    code = cli.main(list(args))
    out = capsys.readouterr()
    return subprocess.CompletedProcess(args, code, out.out, out.err)


def test_the_cli_names_an_unset_connection_variable(tmp_path, monkeypatch, capsys):
    env = _production_home(
        tmp_path,
        {
            "DAGSTER_PG_HOST": "db.internal",
            "DAGSTER_PG_USERNAME": "dagster",
            "DAGSTER_PG_PASSWORD": "secret",
            "DAGSTER_PG_DB": "dagster",
        },
    )
    env.pop("DAGSTER_PG_PORT", None)
    out = _cli_here(monkeypatch, capsys, "status", "--date", NIGHT.isoformat(), env=env)
    assert out.returncode == 2 and out.stderr.strip().splitlines() == [
        f"nba-pipeline status: error: cannot load the Dagster instance config {tmp_path / 'dagster' / 'dagster.yaml'}: "
        "the environment variable DAGSTER_PG_PORT is not set"
    ]


def test_prod_never_falls_back_to_a_sqlite_instance(tmp_path, monkeypatch, capsys):
    env = {
        **os.environ,
        "NBA_PIPELINE_ENV": "prod",
        "NBA_PIPELINE_HOME": str(tmp_path),
        "DAGSTER_HOME": str(tmp_path / "dagster"),
    }
    out = _cli_here(monkeypatch, capsys, "status", env=env)
    assert out.returncode == 2 and "NBA_PIPELINE_ENV=prod needs the production Dagster instance config" in out.stderr
    assert "DAGSTER_PG_HOST" in out.stderr and not (tmp_path / "dagster" / "dagster.yaml").exists()


def test_the_cli_keeps_its_connections_instead_of_opening_one_per_statement(night):
    """dagster-postgres alone opens a server connection for every statement (several per stored
    event); the shipped storage keeps a few per process, so a run's cost is its events, not its logins."""
    run = next(r for r in night.instance.get_runs() if "dagster/asset_partition_range_start" in r.tags)
    events = len(night.instance.get_records_for_run(run.run_id, limit=100_000).records)
    assert events > 200 and night.later_logins * 5 < events
