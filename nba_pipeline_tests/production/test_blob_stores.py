"""The blob stores behind ``archive``, ``exports`` and ``model_store``: the local folder and the GCS
bucket prefix (against the fake-gcs-server emulator) keep the same contract, and a GCS store that
cannot be used says so in one line."""

import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from dagster_gcp import GCSResource

from nba_pipeline.sources import base as src
from nba_pipeline.sources.base import Payload
from nba_pipeline.storage import BlobStoreError, LocalBlobStore, archive_payload, list_archived
from nba_pipeline.storage.gcs import GCSBlobStore
from nba_pipeline_tests.conftest import SIM_NOW, SIM_SEED
from nba_pipeline_tests.harness import free_port
from nba_pipeline_tests.production.gcs_emulator import FAKE_PROJECT, GOOGLE_ENV

PREFIX = "nba-scraped"
BINARY = bytes(range(256)) * 3  # not UTF-8, not JSON: bytes must come back exactly
FETCHED = dt.datetime(2024, 11, 12, 17, 0, tzinfo=dt.UTC)


@pytest.fixture(params=["local", "gcs"])
def store(request, tmp_path):
    if request.param == "local":
        return LocalBlobStore(root=str(tmp_path / "store"))
    bucket = request.getfixturevalue("gcs_bucket")
    return GCSBlobStore(bucket=bucket, prefix=PREFIX, project=FAKE_PROJECT)


def _plant(store, path: str, data: bytes) -> None:
    """Put a file there behind the store's back (a crashed writer's leftover)."""
    if isinstance(store, LocalBlobStore):
        target = Path(store.root) / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    else:
        bucket = GCSResource(project=FAKE_PROJECT).get_client().bucket(store.bucket)
        bucket.blob(f"{PREFIX}/{path}").upload_from_string(data)


def _payload(version) -> Payload:
    """A schedule payload, always fetched at the same instant; ``version`` tells scrapes apart."""
    body = {"leagueSchedule": {"gameDates": [], "version": version}}
    return Payload(
        endpoint=src.SCHEDULE,
        name="scheduleLeagueV2_20241112",
        body=body,
        url="https://cdn.nba.com/x",
        fetched_at=FETCHED,
    )


# --- one contract, both stores ---------------------------------------------------------------


def test_put_then_get_returns_the_same_bytes_with_their_sha256_and_a_findable_uri(store):
    ref = store.put("models/m.cbm", BINARY)

    assert store.get("models/m.cbm") == BINARY
    assert (ref.path, ref.bytes, ref.sha256) == ("models/m.cbm", len(BINARY), hashlib.sha256(BINARY).hexdigest())
    assert ref.uri == store.uri("models/m.cbm")
    if isinstance(store, LocalBlobStore):
        assert Path(ref.uri) == Path(store.root).resolve() / "models" / "m.cbm"
    else:
        assert ref.uri == f"gs://{store.bucket}/{PREFIX}/models/m.cbm"


def test_json_round_trips_and_a_replaced_export_reads_back_new(store):
    doc = {"game_date": "2024-11-12", "players": [{"name": "Nikola Jokić", "line": 27.5, "has_line": True}]}
    first = store.put_json("tonight/2024-11-12.json", doc)
    assert store.get_json("tonight/2024-11-12.json") == doc

    # Exports are meant to be replaced: the latest file for a date wins.
    doc["players"][0]["line"] = 28.5
    second = store.put_json("tonight/2024-11-12.json", doc)
    assert store.get_json("tonight/2024-11-12.json") == doc
    assert second.sha256 != first.sha256
    assert hashlib.sha256(store.get(second.path)).hexdigest() == second.sha256


def test_list_gives_sorted_relative_paths_of_the_folder_only_and_never_temporary_files(store):
    for path in ["a/b/2.json", "a/b/1.json", "a/b/c/3.json", "a/bc/4.json", "x.json"]:
        store.put(path, b"{}")
    _plant(store, "a/b/.tmp-abc123", b"half a file")

    assert store.list("a/b") == ["a/b/1.json", "a/b/2.json", "a/b/c/3.json"]
    assert store.list("a/b/") == store.list("a/b")
    assert store.list("") == ["a/b/1.json", "a/b/2.json", "a/b/c/3.json", "a/bc/4.json", "x.json"]
    assert store.list("nothing/here") == []
    assert store.list("x.json") == []  # a file is not a folder


def test_exists_is_true_for_files_only_and_a_missing_file_is_file_not_found(store):
    store.put("a/b/1.json", b"{}")

    assert store.exists("a/b/1.json")
    assert not store.exists("a/b/2.json")
    assert not store.exists("a/b")
    with pytest.raises(FileNotFoundError, match="2.json"):
        store.get("a/b/2.json")


def test_a_write_that_must_not_overwrite_never_replaces_a_file(store):
    other_writer = store.model_copy()  # another process holding its own client / file handles
    other_writer.put("p/1.json", b"first", overwrite=False)

    with pytest.raises(FileExistsError):
        store.put("p/1.json", b"second", overwrite=False)
    assert store.get("p/1.json") == b"first"


@pytest.mark.parametrize("path", ["/abs.json", "a/../b.json", "a//b.json", "./a.json"])
def test_paths_mean_the_same_file_everywhere_or_are_refused(store, path):
    with pytest.raises(ValueError, match="must be relative"):
        store.put(path, b"{}")


def test_archiving_keeps_every_scrape_and_identical_content_is_one_file(store):
    a = archive_payload(store, "simulated", dt.date(2024, 11, 12), _payload(1))
    again = archive_payload(store, "simulated", dt.date(2024, 11, 12), _payload(1))
    changed = archive_payload(store, "simulated", dt.date(2024, 11, 12), _payload(2))

    assert again.path == a.path and again.sha256 == a.sha256
    assert changed.path == a.path.replace(".json", "~2.json")
    assert json.loads(store.get(a.path))["leagueSchedule"]["version"] == 1
    assert json.loads(store.get(changed.path))["leagueSchedule"]["version"] == 2
    assert store.list("simulated") == [a.path, changed.path]
    archived = list_archived(store, "simulated", src.SCHEDULE, dt.date(2024, 11, 12), latest_only=False)
    assert [f.seq for f in archived] == [1, 2]


def test_concurrent_scrapes_of_one_instant_lose_nothing(store):
    """Eight writers archive different bodies under the same name and instant at once: the store's
    own no-overwrite (a hard link locally, ``if_generation_match=0`` on GCS) gives each its own file."""
    writers = range(8)

    def archive(version):
        return archive_payload(store.model_copy(), "simulated", dt.date(2024, 11, 12), _payload(version))

    with ThreadPoolExecutor(len(writers)) as pool:
        refs = list(pool.map(archive, writers))

    assert len({r.path for r in refs}) == len(writers)
    assert sorted(json.loads(store.get(r.path))["leagueSchedule"]["version"] for r in refs) == list(writers)
    assert len(store.list("simulated")) == len(writers)


def test_check_reachable_passes_and_leaves_nothing_behind(store):
    store.put("kept.json", b"{}")

    assert store.check_reachable() is None
    assert store.list("") == ["kept.json"]


# --- the same archive in a folder and in a bucket --------------------------------------------


@pytest.fixture(scope="module")
def simulated_payloads():
    from nba_pipeline.sources.simulated import SimulatedSource

    source = SimulatedSource(seed=SIM_SEED)
    day, as_of = dt.date(2024, 11, 12), dt.datetime.fromisoformat(SIM_NOW)
    payloads = [p for e in src.ALL_ENDPOINTS if source.is_enabled(e) for p in source.fetch(e, day, as_of)]
    return source.source_name, day, payloads


def test_one_simulated_dates_archive_is_the_same_files_and_bytes_in_a_folder_and_in_gcs(
    tmp_path, gcs_bucket, simulated_payloads
):
    source_name, day, payloads = simulated_payloads
    local = LocalBlobStore(root=str(tmp_path / "archive"))
    gcs = GCSBlobStore(bucket=gcs_bucket, prefix=PREFIX, project=FAKE_PROJECT)

    local_refs = [archive_payload(local, source_name, day, p) for p in payloads]
    gcs_refs = [archive_payload(gcs, source_name, day, p) for p in payloads]

    assert {p.content_type for p in payloads} == {"json", "csv"}  # both kinds of file are covered
    assert [(r.path, r.bytes, r.sha256, r.records) for r in local_refs] == [
        (r.path, r.bytes, r.sha256, r.records) for r in gcs_refs
    ]
    assert local.list(source_name) == gcs.list(source_name) == sorted(r.path for r in local_refs)
    assert all(local.get(r.path) == gcs.get(r.path) for r in local_refs)
    for endpoint in src.ALL_ENDPOINTS:
        for latest_only in (True, False):
            assert list_archived(local, source_name, endpoint, day, latest_only) == list_archived(
                gcs, source_name, endpoint, day, latest_only
            )

    # GCS keeps each payload's sha256 with the object, and a content type a browser understands.
    blobs = {b.name: b for b in GCSResource(project=FAKE_PROJECT).get_client().list_blobs(gcs_bucket)}
    for ref in gcs_refs:
        blob = blobs[f"{PREFIX}/{ref.path}"]
        assert blob.metadata == {"sha256": ref.sha256}
        assert blob.content_type == ("text/csv" if ref.path.endswith(".csv") else "application/json")


# --- GCS specifics ---------------------------------------------------------------------------


def test_dagster_gcp_client_talks_to_the_emulator_with_anonymous_credentials(gcs_env):
    from google.auth.credentials import AnonymousCredentials

    client = GCSResource(project=FAKE_PROJECT).get_client()

    assert isinstance(client._credentials, AnonymousCredentials)
    assert client._connection.API_BASE_URL == gcs_env.url
    assert client.project == FAKE_PROJECT


def test_model_artifacts_are_octet_streams_with_their_sha256(gcs_bucket):
    store = GCSBlobStore(bucket=gcs_bucket, prefix="models", project=FAKE_PROJECT)
    ref = store.put("points_model/20241111_abc.cbm", BINARY)

    bucket = GCSResource(project=FAKE_PROJECT).get_client().bucket(gcs_bucket)
    blob = bucket.get_blob("models/points_model/20241111_abc.cbm")
    assert blob.content_type == "application/octet-stream"
    assert blob.metadata == {"sha256": ref.sha256}


def test_an_empty_prefix_is_the_whole_bucket(gcs_bucket):
    store = GCSBlobStore(bucket=gcs_bucket, project=FAKE_PROJECT)
    store.put("a/1.json", b"{}")

    assert store.uri("a/1.json") == f"gs://{gcs_bucket}/a/1.json"
    assert store.list("") == ["a/1.json"]


def test_the_production_deployment_lays_out_one_bucket(gcs_bucket, monkeypatch, tmp_path):
    """The prod resource set, its EnvVars resolved by Dagster as at run time: archive, exports and
    model store are three prefixes of NBA_PIPELINE_GCS_BUCKET."""
    import dagster as dg

    from nba_pipeline import environment
    from nba_pipeline.deployment import build_resources

    monkeypatch.setenv(environment.ENV_GCS_BUCKET, gcs_bucket)
    monkeypatch.setenv(environment.ENV_GCP_PROJECT, FAKE_PROJECT)
    prod = build_resources(
        environment.current({environment.ENV_DEPLOYMENT: "prod", environment.ENV_HOME: str(tmp_path)})
    )
    stores = {key: prod[key] for key in ("archive", "exports", "model_store")}
    with dg.build_resources(stores) as resources:
        archived = archive_payload(resources.archive, "live", dt.date(2024, 11, 12), _payload(1))
        export = resources.exports.put_json("tonight/2024-11-12.json", {"games": []})
        model = resources.model_store.put("catboost_points_v1/20241111_abc.cbm", BINARY)
        for store in (resources.archive, resources.exports, resources.model_store):
            store.check_reachable()

    assert (
        archived.uri == f"gs://{gcs_bucket}/nba-scraped/live/cdn_nba_com/scheduleLeagueV2/2024-11-12/"
        "20241112T170000Z__scheduleLeagueV2_20241112.json"
    )
    assert export.uri == f"gs://{gcs_bucket}/api/v1/tonight/2024-11-12.json"
    assert model.uri == f"gs://{gcs_bucket}/models/catboost_points_v1/20241111_abc.cbm"
    assert sorted(b.name for b in GCSResource(project=FAKE_PROJECT).get_client().list_blobs(gcs_bucket)) == sorted(
        r.uri.removeprefix(f"gs://{gcs_bucket}/") for r in (archived, export, model)
    )


def _one_line_naming(exc: BaseException, *words: str) -> str:
    text = str(exc)
    assert "\n" not in text and len(text) < 600
    for word in words:
        assert word in text, f"{word!r} not in {text!r}"
    return text


def test_a_missing_bucket_is_one_clear_line_naming_bucket_prefix_and_what_to_do(gcs_env):
    store = GCSBlobStore(bucket="no-such-bucket", prefix="api/v1", project=FAKE_PROJECT)

    for attempt in (
        lambda: store.put("tonight/2024-11-12.json", b"{}"),
        lambda: store.get("tonight/2024-11-12.json"),
        lambda: store.list("tonight"),
        lambda: archive_payload(store, "simulated", dt.date(2024, 11, 12), _payload(0)),
        store.check_reachable,
    ):
        with pytest.raises(BlobStoreError) as err:
            attempt()
        _one_line_naming(
            err.value,
            "gs://no-such-bucket/api/v1/",
            "does not exist",
            "gcloud storage buckets create",
            "NBA_PIPELINE_GCS_BUCKET",
        )
        assert err.value.allow_retries is False  # waiting does not create a bucket
    assert not store.exists("tonight/2024-11-12.json")


def test_an_emulator_that_stopped_answering_is_a_retryable_one_line_error(gcs_env, monkeypatch):
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", f"http://127.0.0.1:{free_port()}")  # nothing listens there
    store = GCSBlobStore(bucket="b", prefix=PREFIX, project=FAKE_PROJECT, check_timeout_seconds=1)

    with pytest.raises(BlobStoreError) as err:
        store.check_reachable()

    _one_line_naming(err.value, "gs://b/nba-scraped/", "did not answer", "retry")
    assert err.value.allow_retries is True


def test_local_store_under_a_file_is_not_reachable(tmp_path):
    (tmp_path / "home").write_text("a file where a folder should be")

    with pytest.raises(BlobStoreError) as err:
        LocalBlobStore(root=str(tmp_path / "home" / "archive")).check_reachable()
    _one_line_naming(err.value, str(tmp_path / "home"), "NBA_PIPELINE_HOME")
    # A folder that does not exist yet but can be created is fine, and is not created by the check.
    LocalBlobStore(root=str(tmp_path / "new" / "archive")).check_reachable()
    assert not (tmp_path / "new").exists()


_NO_CREDENTIALS_SCRIPT = textwrap.dedent("""
    import json, os, sys
    from nba_pipeline.storage import BlobStoreError
    from nba_pipeline.storage.gcs import GCSBlobStore
    from nba_pipeline_tests.production.gcs_emulator import loopback_only

    out = {}
    with loopback_only():
        for case, key_file in (("none", None), ("invalid key file", sys.argv[1])):
            if key_file:
                os.environ["GOOGLE_APPLICATION_CREDENTIALS"] = key_file
            store = GCSBlobStore(bucket="nba-prod", prefix="nba-scraped", project="nba-prod-project")
            for action in (store.check_reachable, lambda: store.put("x.json", b"{}")):
                try:
                    action()
                    out.setdefault(case, []).append("no error")
                except BlobStoreError as exc:
                    out.setdefault(case, []).append(str(exc))
    print(json.dumps(out))
""")


def test_missing_or_invalid_credentials_are_a_quick_clear_error(tmp_path):
    """A fresh process as a user would start it, without the emulator: google-auth looks for
    credentials, probes the GCE metadata server and gives up; the store turns that into one line.
    The probe goes to a closed localhost port here, once (in production: 169.254.169.254, 3 tries
    of up to 3 s each off GCP), and the storage endpoint is local too, so nothing leaves the machine.
    Then the same with GOOGLE_APPLICATION_CREDENTIALS naming a file that is not a key."""
    env = {k: v for k, v in os.environ.items() if k not in GOOGLE_ENV}
    closed = f"127.0.0.1:{free_port()}"
    env.update(
        CLOUDSDK_CONFIG=str(tmp_path / "gcloud-config-empty"),
        GCE_METADATA_HOST=closed,
        GCE_METADATA_IP=closed,
        GCE_METADATA_DETECT_RETRIES="1",
        API_ENDPOINT_OVERRIDE=f"http://{closed}",
    )
    key = tmp_path / "key.json"
    key.write_text("{not json")

    proc = subprocess.run(
        [sys.executable, "-c", _NO_CREDENTIALS_SCRIPT, str(key)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[2],
    )

    assert proc.returncode == 0, proc.stderr[-3000:]
    messages = json.loads(proc.stdout.strip().splitlines()[-1])
    assert {case: len(m) for case, m in messages.items()} == {"none": 2, "invalid key file": 2}
    for case, texts in messages.items():
        for text in texts:
            _one_line_naming(
                BlobStoreError(text),
                "gs://nba-prod/nba-scraped/",
                "no usable Google credentials",
                "GOOGLE_APPLICATION_CREDENTIALS",
                "gcloud auth application-default login",
            )
            assert ("credentials were not found" in text) == (case == "none")
            assert (f"{key} is not a valid json file" in text) == (case == "invalid key file")


def test_rejected_credentials_are_one_clear_line(gcs_emulator, monkeypatch, tmp_path):
    """A well-formed service-account key that Google refuses (deleted or rotated): the token endpoint
    (a local stand-in answering as Google does) says invalid_grant, and the store says to renew it."""
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    class TokenEndpoint(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            body = b'{"error": "invalid_grant", "error_description": "Invalid JWT Signature."}'
            self.send_response(400)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), TokenEndpoint)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    pem = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        .private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        .decode()
    )
    key = tmp_path / "key.json"
    key.write_text(
        json.dumps(
            {
                "type": "service_account",
                "project_id": FAKE_PROJECT,
                "private_key_id": "0" * 40,
                "private_key": pem,
                "client_email": f"pipeline@{FAKE_PROJECT}.iam.gserviceaccount.com",
                "client_id": "1",
                "token_uri": f"http://127.0.0.1:{server.server_port}/token",
            }
        )
    )
    for name in GOOGLE_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key))
    # Real credentials are used against a custom endpoint (unlike STORAGE_EMULATOR_HOST, which makes
    # the client anonymous): the emulator, so that nothing could leave the machine.
    monkeypatch.setenv("API_ENDPOINT_OVERRIDE", gcs_emulator.url)
    store = GCSBlobStore(bucket=gcs_emulator.create_bucket(), prefix=PREFIX, project=FAKE_PROJECT)

    try:
        with pytest.raises(BlobStoreError) as err:
            store.check_reachable()
    finally:
        server.shutdown()
        server.server_close()
    _one_line_naming(
        err.value,
        f"gs://{store.bucket}/{PREFIX}/",
        "rejected the credentials",
        "invalid_grant",
        "GOOGLE_APPLICATION_CREDENTIALS",
    )
    assert err.value.allow_retries is False
