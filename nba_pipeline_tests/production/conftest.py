"""Fixtures for the production backends run locally: a GCS emulator shared by the session, the
environment of a process pointed at it, a fresh bucket per test, and no network beyond localhost."""

import pytest

from nba_pipeline_tests.production.gcs_emulator import GOOGLE_ENV, GcsEmulator, loopback_only, running_emulator


@pytest.fixture(autouse=True)
def _offline():
    with loopback_only():
        yield


@pytest.fixture(scope="session")
def gcs_emulator(tmp_path_factory) -> GcsEmulator:
    with running_emulator(tmp_path_factory.mktemp("gcs_emulator")) as emulator:
        yield emulator


@pytest.fixture
def gcs_env(gcs_emulator, monkeypatch, tmp_path) -> GcsEmulator:
    """This process as a deployment pointed at the emulator: STORAGE_EMULATOR_HOST and a fake project,
    no credentials anywhere (an empty gcloud config folder)."""
    for name in GOOGLE_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "gcloud-config-empty"))
    for name, value in gcs_emulator.env().items():
        monkeypatch.setenv(name, value)
    return gcs_emulator


@pytest.fixture
def gcs_bucket(gcs_env) -> str:
    return gcs_env.create_bucket()
