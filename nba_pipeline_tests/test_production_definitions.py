"""Switching to production needs environment variables only: the production definitions load, with
fake credentials and no network, and bind the production implementations under the same keys."""

import json
import subprocess
import sys
import textwrap

from nba_pipeline import environment as e

# Run in a fresh interpreter: definitions.py reads the environment once, at import. Any socket that
# leaves the machine raises, so a load that reaches for the network fails the test.
PROBE = textwrap.dedent("""
    import json, socket

    _connect = socket.socket.connect
    def _guard(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and host not in ("127.0.0.1", "::1", "localhost") and not host.startswith("/"):
            raise AssertionError(f"network access during load: {address!r}")
        return _connect(self, address)
    socket.socket.connect = _guard

    import dagster as dg
    from nba_pipeline.definitions import defs

    dg.Definitions.validate_loadable(defs)
    resources = {k: type(v).__name__ for k, v in defs.resources.items()}
    # Resolve every resource's dagster.EnvVar the way a run does (no client is created yet).
    keys = ("warehouse", "archive", "exports", "model_store")
    with dg.build_resources({k: defs.resources[k] for k in keys}) as r:
        resolved = {k: {f: str(getattr(getattr(r, k), f)) for f in type(getattr(r, k)).model_fields} for k in keys}
    source = defs.resources["nba_source"]
    print(json.dumps({"resources": resources, "resolved": resolved,
                      "disabled": list(source.disabled_endpoints),
                      "assets": len(defs.resolve_asset_graph().get_all_asset_keys())}))
""")

FAKE = {
    e.ENV_DEPLOYMENT: "prod",
    e.ENV_GCP_PROJECT: "nba-pipeline-test",
    e.ENV_GCS_BUCKET: "nba-pipeline-test-bucket",
    e.ENV_BIGQUERY_LOCATION: "US",
    e.ENV_ODDS_API_KEY: "fake-odds-key",
    "GOOGLE_APPLICATION_CREDENTIALS": "/nonexistent/fake-credentials.json",
    "NO_GCE_CHECK": "true",
}


def _load(tmp_path, extra: dict[str, str]) -> dict:
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        e.ENV_HOME: str(tmp_path / "home"),
        "DAGSTER_HOME": str(tmp_path / "dagster"),
        **extra,
    }
    (tmp_path / "dagster").mkdir(exist_ok=True)
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_production_definitions_load_with_fake_credentials_and_no_network(tmp_path):
    loaded = _load(tmp_path, FAKE)
    assert loaded["resources"] == {
        "warehouse": "BigQueryWarehouse",
        "archive": "GCSBlobStore",
        "exports": "GCSBlobStore",
        "model_store": "GCSBlobStore",
        "nba_source": "LiveSource",
        "clock": "Clock",
        "alerts": "AlertSink",
    }
    resolved = loaded["resolved"]
    assert resolved["warehouse"] == {"project": "nba-pipeline-test", "location": "US"}
    assert {resolved[k]["bucket"] for k in ("archive", "exports", "model_store")} == {"nba-pipeline-test-bucket"}
    assert sorted(resolved[k]["prefix"] for k in ("archive", "exports", "model_store")) == [
        "api/v1",
        "models",
        "nba-scraped",
    ]
    assert loaded["assets"] > 30


def test_local_and_production_bind_the_same_resource_keys(tmp_path):
    local = _load(tmp_path, {})
    prod = _load(tmp_path, FAKE)
    assert set(local["resources"]) == set(prod["resources"])
    assert local["resources"]["warehouse"] == "DuckDBWarehouse"


def test_staging_mix_is_chosen_by_variables_only(tmp_path):
    staging = _load(tmp_path, {e.ENV_STORAGE: "gcs", e.ENV_GCP_PROJECT: "p", e.ENV_GCS_BUCKET: "b"})
    assert staging["resources"]["warehouse"] == "DuckDBWarehouse"
    assert {staging["resources"][k] for k in ("archive", "exports", "model_store")} == {"GCSBlobStore"}
    assert staging["resources"]["nba_source"] == "SimulatedSource"
