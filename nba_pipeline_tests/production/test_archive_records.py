"""The archive is verified on every read, in a folder and in a bucket alike: each store records an
archived payload's sha256 when it is written (a hidden sidecar in a folder, object metadata on GCS),
and ``read_archived`` refuses bytes that no longer match it, naming the file, the game date and both
sha256s; files archived before stores recorded them are still read, with a warning."""

import datetime as dt
import hashlib
import logging
import subprocess
from pathlib import Path

import pytest
from dagster_gcp import GCSResource

from nba_pipeline.sources import base as src
from nba_pipeline.sources.base import Payload
from nba_pipeline.storage import ArchiveIntegrityError, LocalBlobStore, archive_payload, list_archived, read_archived
from nba_pipeline.storage.gcs import GCSBlobStore
from nba_pipeline_tests.production.gcs_emulator import FAKE_PROJECT

PREFIX = "nba-scraped"
DAY = dt.date(2024, 11, 12)
FETCHED = dt.datetime(2024, 11, 13, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(params=["local", "gcs"])
def store(request, tmp_path):
    if request.param == "local":
        return LocalBlobStore(root=str(tmp_path / "archive"))
    return GCSBlobStore(bucket=request.getfixturevalue("gcs_bucket"), prefix=PREFIX, project=FAKE_PROJECT)


def _box_score(points: int) -> Payload:
    body = {"resultSets": [{"headers": ["PLAYER_NAME", "PTS"], "rowSet": [["Nikola Jokić", points]]}]}
    return Payload(
        endpoint=src.PLAYER_GAME_LOG,
        name="leaguegamelog_P_20241112",
        body=body,
        url="https://stats.nba.com/x",
        fetched_at=FETCHED,
    )


def _rewrite_behind_the_stores_back(store, path: str, data: bytes) -> None:
    """Change an archived file's bytes the way a person or a tool would: in the folder, an edit in
    place; in the bucket, a re-upload that keeps the object's metadata (``gcloud storage cp`` of a
    downloaded copy with its metadata preserved, say)."""
    if isinstance(store, LocalBlobStore):
        (Path(store.root) / path).write_bytes(data)
        return
    bucket = GCSResource(project=FAKE_PROJECT).get_client().bucket(store.bucket)
    blob = bucket.get_blob(f"{PREFIX}/{path}")
    kept = dict(blob.metadata)
    blob.metadata = kept
    blob.upload_from_string(data, content_type=blob.content_type)
    assert bucket.get_blob(f"{PREFIX}/{path}").metadata == kept


def test_an_archived_payload_reads_back_verified(store):
    archived = archive_payload(store, "live", DAY, _box_score(31))

    data, recorded = store.get_recorded(archived.path)
    assert recorded == archived.sha256 == hashlib.sha256(data).hexdigest()
    assert read_archived(store, archived.path, DAY) == _box_score(31).to_bytes()


def test_a_payload_changed_after_it_was_archived_is_refused_naming_file_date_and_both_sha256s(store):
    archived = archive_payload(store, "live", DAY, _box_score(31))
    edited = _box_score(13).to_bytes()
    _rewrite_behind_the_stores_back(store, archived.path, edited)

    with pytest.raises(ArchiveIntegrityError) as err:
        read_archived(store, archived.path, DAY)
    text = err.value.description
    assert "\n" not in text
    for part in (
        store.uri(archived.path),
        f"game date {DAY}",
        f"recorded {archived.sha256}",
        f"now {hashlib.sha256(edited).hexdigest()}",
        "nothing was parsed",
    ):
        assert part in text, f"{part!r} not in {text!r}"
    assert err.value.allow_retries is False  # waiting does not restore a file


def test_archiving_the_same_payload_again_stops_at_a_changed_file_instead_of_taking_it_for_another_scrape(store):
    """A re-scrape of the same instant compares its bytes with the archived file: a file changed
    since it was archived is reported, not silently treated as different content beside a ``~2``."""
    archived = archive_payload(store, "live", DAY, _box_score(31))
    _rewrite_behind_the_stores_back(store, archived.path, _box_score(13).to_bytes())

    with pytest.raises(ArchiveIntegrityError, match="does not match the sha256 recorded"):
        archive_payload(store, "live", DAY, _box_score(31))
    assert [f.path for f in list_archived(store, "live", src.PLAYER_GAME_LOG, DAY, latest_only=False)] == [
        archived.path
    ]


def test_a_file_archived_before_sha256s_were_recorded_is_read_unverified_with_one_warning(store, caplog):
    path = f"live/{src.PLAYER_GAME_LOG}/{DAY}/20241113T090000Z__leaguegamelog_P_20241112.json"
    older = f"live/{src.PLAYER_GAME_LOG}/{DAY}/20241113T080000Z__leaguegamelog_P_20241112.json"
    for p in (older, path):
        if isinstance(store, LocalBlobStore):
            target = Path(store.root) / p
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(_box_score(31).to_bytes())  # the layout as an older version wrote it
        else:
            bucket = GCSResource(project=FAKE_PROJECT).get_client().bucket(store.bucket)
            bucket.blob(f"{PREFIX}/{p}").upload_from_string(_box_score(31).to_bytes())  # no metadata

    with caplog.at_level(logging.WARNING):
        assert read_archived(store, path, DAY) == _box_score(31).to_bytes()
        assert read_archived(store, older, DAY) == _box_score(31).to_bytes()
    warnings = [r.getMessage() for r in caplog.records if "no recorded sha256" in r.getMessage()]
    assert len(warnings) == 1  # once per endpoint folder, not once per file
    assert store.uri(path) in warnings[0] and "read unverified" in warnings[0]


# --- the folder store's record ------------------------------------------------------------------


def test_the_folder_records_a_hidden_sha256sum_file_beside_each_archived_payload(tmp_path):
    store = LocalBlobStore(root=str(tmp_path / "archive"))
    archived = archive_payload(store, "live", DAY, _box_score(31))
    folder = Path(archived.uri).parent

    record = folder / f".{Path(archived.uri).name}.sha256"
    assert record.read_text() == f"{archived.sha256}  {Path(archived.uri).name}\n"
    # sha256sum itself agrees, so a person can check an archive by hand; the store never lists it.
    check = subprocess.run(["sha256sum", "-c", record.name], cwd=folder, capture_output=True, text=True)
    assert check.returncode == 0 and check.stdout.strip().endswith(": OK")
    assert store.list("live") == [archived.path]


def test_a_damaged_record_vouches_for_nothing(tmp_path):
    store = LocalBlobStore(root=str(tmp_path / "archive"))
    archived = archive_payload(store, "live", DAY, _box_score(31))
    (Path(archived.uri).parent / f".{Path(archived.uri).name}.sha256").write_text("3f2a\n")  # truncated

    with pytest.raises(ArchiveIntegrityError, match="recorded 3f2a, now "):
        read_archived(store, archived.path, DAY)


def test_a_file_replaced_in_place_keeps_no_stale_record(tmp_path):
    """Exports and models are replaced in place; a record left from a write-once write of the same
    path would judge the new bytes by the old ones, so the replace removes it."""
    store = LocalBlobStore(root=str(tmp_path / "exports"))
    store.put("tonight/2024-11-12.json", b'{"v": 1}', overwrite=False)
    store.put("tonight/2024-11-12.json", b'{"v": 2}')

    assert store.get_recorded("tonight/2024-11-12.json") == (b'{"v": 2}', None)
