"""`nba-pipeline doctor`: what a configured environment lacks, printed line by line, with an exit code."""

import subprocess
import sys

from nba_pipeline import doctor
from nba_pipeline import environment as e

CLEAN = {"PATH": "/usr/bin:/bin", "NO_GCE_CHECK": "true"}


def _doctor(tmp_path, extra: dict[str, str]) -> subprocess.CompletedProcess:
    env = {**CLEAN, "HOME": str(tmp_path), e.ENV_HOME: str(tmp_path / "home"), **extra}
    return subprocess.run(
        [sys.executable, "-m", "nba_pipeline.cli", "doctor", "--timeout", "20"],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def _lines(out: str) -> dict[str, list[str]]:
    by_check: dict[str, list[str]] = {}
    for line in out.splitlines():
        parts = line.split(None, 2)
        if len(parts) == 3 and parts[0] in ("ok", "warn", "FAIL"):
            by_check.setdefault(parts[1], []).append(f"{parts[0]} {parts[2]}")
    return by_check


def test_local_default_is_ready(tmp_path):
    out = _doctor(tmp_path, {})
    assert out.returncode == 0, out.stdout + out.stderr
    found = _lines(out.stdout)
    for check in ("environment", "dagster", "warehouse", "archive", "exports", "model_store", "source"):
        assert any(line.startswith("ok") for line in found[check]), (check, out.stdout)
    assert found["exports"] == [f"ok folder {tmp_path / 'home' / 'exports'} can be written and read"]
    assert "ready to run" in out.stdout


def test_unconfigured_production_names_everything_missing(tmp_path):
    out = _doctor(tmp_path, {e.ENV_DEPLOYMENT: "prod"})
    assert out.returncode == 1
    text = out.stdout
    for name in (e.ENV_GCP_PROJECT, e.ENV_GCS_BUCKET, e.ENV_BIGQUERY_LOCATION, e.ENV_ODDS_API_KEY):
        assert f"{name} is not set" in text, (name, text)
    assert "needs the production Dagster instance config" in text and "set DAGSTER_HOME" in text
    assert "no Google credentials" in text
    found = _lines(text)
    # The resources that read an unset variable say which one, not a traceback.
    assert any(e.ENV_GCS_BUCKET in line for line in found["archive"]), text
    assert "Traceback" not in out.stderr


def test_a_bad_variable_is_one_failed_line(tmp_path):
    out = _doctor(tmp_path, {e.ENV_WAREHOUSE: "snowflake"})
    assert out.returncode == 1
    assert "FAIL  environment" in out.stdout and "NBA_PIPELINE_WAREHOUSE='snowflake' is not one of" in out.stdout


def test_a_disabled_source_endpoint_fails_production_and_warns_locally(tmp_path, monkeypatch):
    # Legacy incident: a disabled source blocked a phase for three days and nobody was told.
    from nba_pipeline import deployment
    from nba_pipeline.sources.base import ODDS_PLAYER_PROPS
    from nba_pipeline.sources.simulated import SimulatedSource

    monkeypatch.setattr(deployment, "build_source", lambda env: SimulatedSource(disabled_endpoints=[ODDS_PLAYER_PROPS]))
    monkeypatch.setenv(e.ENV_HOME, str(tmp_path / "home"))
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    monkeypatch.delenv(e.ENV_DEPLOYMENT, raising=False)
    [local] = [f for f in doctor._resources(e.current(), timeout=20) if f.check == "source"]
    assert local.status == doctor.WARN and ODDS_PLAYER_PROPS in local.detail

    monkeypatch.setenv(e.ENV_DEPLOYMENT, "prod")
    monkeypatch.setenv(e.ENV_SOURCE, "simulated")
    monkeypatch.setenv(e.ENV_WAREHOUSE, "duckdb")
    monkeypatch.setenv(e.ENV_STORAGE, "local")
    [prod] = [f for f in doctor._resources(e.current(), timeout=20) if f.check == "source"]
    assert prod.status == doctor.FAIL and ODDS_PLAYER_PROPS in prod.detail


def test_a_probe_that_hangs_is_a_failure_not_a_hang():
    import threading

    release = threading.Event()
    found = doctor._bounded("warehouse", lambda: release.wait(30) and "never", timeout=0.2)
    release.set()
    assert found.status == doctor.FAIL and "no answer within" in found.detail
