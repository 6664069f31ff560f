"""A staging setup, chosen by environment variables only: the production Dagster instance (the
repository's dagster.yaml on a real PostgreSQL server), the archive, exports and model store in GCS
(the emulator), and the DuckDB warehouse. `nba-pipeline doctor` passes on it and a game date runs
end to end through the CLI, every phase, with its files in the bucket and its runs in Postgres."""

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from nba_pipeline import environment as e
from nba_pipeline.deployment import GCS_PREFIXES
from nba_pipeline_tests.conftest import SIM_SEED
from nba_pipeline_tests.production.gcs_emulator import GOOGLE_ENV

ROOT = Path(__file__).resolve().parents[2]
NIGHT = dt.date(2024, 11, 6)
MORNING_AFTER = "2024-11-07T08:00:00-05:00"


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
def staging(postgres_server, gcs_emulator, tmp_path_factory):
    home = tmp_path_factory.mktemp("staging_home")
    (home / "dagster").mkdir()
    shutil.copyfile(ROOT / "deploy" / "dagster.yaml", home / "dagster" / "dagster.yaml")
    bucket = gcs_emulator.create_bucket()
    env = {k: v for k, v in os.environ.items() if k not in GOOGLE_ENV and not k.startswith("NBA_PIPELINE_")}
    env.update(postgres_server.create_database("staging"))
    env.update(gcs_emulator.env())
    env.update(
        {
            e.ENV_HOME: str(home),
            "DAGSTER_HOME": str(home / "dagster"),
            "CLOUDSDK_CONFIG": str(home / "gcloud"),
            e.ENV_STORAGE: "gcs",
            e.ENV_GCP_PROJECT: gcs_emulator.project,
            e.ENV_GCS_BUCKET: bucket,
            e.ENV_SOURCE: "simulated",
            e.ENV_SEED: str(SIM_SEED),
            e.ENV_NOW: MORNING_AFTER,
        }
    )
    doctor = _cli("doctor", "--timeout", "30", env=env)
    backfill = _cli("backfill", "--start", NIGHT.isoformat(), "--end", NIGHT.isoformat(), env=env)
    status = _cli("status", "--date", NIGHT.isoformat(), env=env)
    objects = sorted(b.name for b in gcs_emulator.client().list_blobs(bucket))
    return SimpleNamespace(
        home=home,
        bucket=bucket,
        doctor=doctor,
        backfill=backfill,
        status=status,
        objects=objects,
        emulator=gcs_emulator,
        server=postgres_server,
        env=env,
    )


def test_doctor_passes_on_the_staging_setup(staging):
    out = staging.doctor.stdout
    assert staging.doctor.returncode == 0, out + staging.doctor.stderr
    assert "ready to run" in out
    lines = {line.split(None, 2)[1]: line for line in out.splitlines() if line.startswith(("ok", "warn"))}
    assert "(PooledPostgresRunStorage, " in lines["dagster"], out
    assert "DuckDB" in lines["warehouse"]
    for key in ("archive", "exports", "model_store"):
        assert lines[key].startswith("ok") and f"gs://{staging.bucket}/" in lines[key], out
    # The probes leave nothing behind in the bucket.
    assert not [o for o in staging.objects if ".tmp-probe" in o]


def test_a_date_runs_end_to_end_with_its_files_in_the_bucket(staging):
    assert staging.backfill.returncode == 0, staging.backfill.stdout[-3000:] + staging.backfill.stderr[-3000:]
    night = NIGHT.isoformat()
    archive, exports, models = (GCS_PREFIXES[k] for k in ("archive", "exports", "model_store"))
    archived = [o for o in staging.objects if o.startswith(f"{archive}/") and f"/{night}/" in o]
    assert any("/scheduleLeagueV2/" in o for o in archived) and any("/odds_api/" in o for o in archived), archived[:20]
    published = {o for o in staging.objects if o.startswith(f"{exports}/")}
    assert {f"{exports}/{kind}/{night}.json" for kind in ("tonight", "predictions")} <= published, published
    # One date of history trains no model (the baseline predicts); the model store's bucket prefix is
    # probed by doctor above and its contract shared with the folder store in test_blob_stores.py.
    assert not any(o.startswith(f"{models}/") for o in staging.objects)
    # What the website reads is the JSON the pipeline wrote, readable from the bucket.
    blob = staging.emulator.client().bucket(staging.bucket).get_blob(f"{exports}/predictions/{night}.json")
    payload = json.loads(blob.download_as_bytes())
    assert payload and blob.metadata and len(blob.metadata.get("sha256", "")) == 64
    # Nothing went to the local folders the default environment would use.
    assert not (staging.home / "archive").exists() and not (staging.home / "exports").exists()


def test_status_reads_the_date_back_from_postgres(staging):
    assert staging.status.returncode == 0, staging.status.stdout + staging.status.stderr
    assert "COMPLETE" in staging.status.stdout
    with staging.server.connect("staging") as con, con.cursor() as cur:
        cur.execute("SELECT count(*) FROM runs WHERE status = 'SUCCESS'")
        assert cur.fetchone()[0] >= 1


def test_a_deleted_warehouse_is_rebuilt_from_the_bucket(staging):
    """The rebuild reads the archive where the environment keeps it (the bucket) and writes the same
    rows; the home's Dagster instance is the Postgres one. Last in the module: it replaces the warehouse."""
    from nba_pipeline.warehouse import tables as t
    from nba_pipeline.warehouse.duckdb import DuckDBWarehouse

    database = staging.home / "warehouse" / "warehouse.duckdb"
    before = {spec.address: DuckDBWarehouse(database=str(database)).read(spec, NIGHT, NIGHT) for spec in t.ALL_TABLES}
    archived = [o for o in staging.objects if o.startswith(f"{GCS_PREFIXES['archive']}/")]
    database.unlink()

    out = _cli("rebuild", env=staging.env)

    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert f"rebuild {NIGHT}..{NIGHT} from the payload archive gs://{staging.bucket}/" in out.stdout
    after = DuckDBWarehouse(database=str(database))
    for spec in t.ALL_TABLES:
        key = list(spec.primary_key)
        pd.testing.assert_frame_equal(
            before[spec.address].sort_values(key).reset_index(drop=True),
            after.read(spec, NIGHT, NIGHT).sort_values(key).reset_index(drop=True),
            obj=spec.address,
        )
    now = sorted(b.name for b in staging.emulator.client().list_blobs(staging.bucket))
    assert [o for o in now if o.startswith(f"{GCS_PREFIXES['archive']}/")] == archived  # nothing archived anew
