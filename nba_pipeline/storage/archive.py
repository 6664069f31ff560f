"""The payload archive: every payload as the source returned it, written once, verified on every read.

Layout: ``<source>/<endpoint>/<game date>/<fetched UTC>__<name>[~<seq>].<json|csv|pdf>`` in the
``archive`` store. A file is never replaced (``archive_payload``); the store records its sha256 when
it is written (GCS: object metadata; a folder: a sidecar, see ``LocalBlobStore``), and every read of an
archived file goes through :func:`read_archived`, which refuses bytes that no longer match that record,
so nothing is ever parsed from a payload that changed after it was archived.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from dataclasses import dataclass

import dagster as dg

from nba_pipeline.sources.base import ALL_ENDPOINTS, Payload, count_records
from nba_pipeline.storage.blobs import BlobRef, BlobStore


class ArchiveIntegrityError(dg.Failure):
    """An archived payload whose bytes differ from the sha256 recorded when it was archived. Not
    retried: waiting does not restore a file. One line naming the file, its game date, both sha256s
    and what to do; nothing was parsed from the file."""

    def __init__(self, uri: str, game_date: dt.date, recorded: str, actual: str):
        self.uri, self.game_date, self.recorded, self.actual = uri, game_date, recorded, actual
        super().__init__(
            description=f"archived payload {uri} (game date {game_date}) does not match the sha256 recorded when it "
            f"was archived (recorded {recorded}, now {actual}): nothing was parsed from it; restore the "
            "original file, or move it out of the archive, then re-run the date",
            metadata={
                "file": uri,
                "game_date": game_date.isoformat(),
                "recorded_sha256": recorded,
                "actual_sha256": actual,
            },
            allow_retries=False,
        )

    def __reduce__(self):  # keep the fields through pickling (multiprocess executors)
        return type(self), (self.uri, self.game_date, self.recorded, self.actual)


# Files archived before stores recorded sha256s are read, unverified; the warning is logged once per
# process and endpoint folder, not once per file (a season holds thousands of them).
_UNVERIFIED_REPORTED: set[str] = set()
_UNVERIFIED_LOCK = threading.Lock()


def read_archived(store: BlobStore, path: str, game_date: dt.date) -> bytes:
    """The bytes of an archived payload, only if they are the bytes that were archived: the one way
    anything reads the archive (Phase 2, the scrapes' own checks, a rebuild's replay).

    Raises :class:`ArchiveIntegrityError` when they differ from the sha256 the store recorded. A file
    with no record (archived by a version that did not record them) is returned unverified, with a
    warning: refusing it would make every archive older than this check unreadable, and recording
    a sha256 for it now would vouch for bytes nobody checked."""
    data, recorded = store.get_recorded(path)
    actual = hashlib.sha256(data).hexdigest()
    if recorded is None:
        folder = store.uri(path.rsplit("/", 2)[0])
        with _UNVERIFIED_LOCK:
            first = folder not in _UNVERIFIED_REPORTED
            _UNVERIFIED_REPORTED.add(folder)
        if first:
            dg.get_dagster_logger().warning(
                f"archived payload {store.uri(path)} (game date {game_date}) has no recorded sha256 (archived before "
                f"the archive recorded them): read unverified, as is every such file under {folder}"
            )
        return data
    if recorded != actual:
        raise ArchiveIntegrityError(store.uri(path), game_date, recorded, actual)
    return data


@dataclass(frozen=True)
class ArchivedPayload:
    path: str
    uri: str
    bytes: int
    sha256: str
    records: int
    endpoint: str
    name: str
    fetched_at: dt.datetime


def _stamp(instant: dt.datetime) -> str:
    return instant.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def archive_prefix(source_name: str, endpoint: str, game_date: dt.date) -> str:
    return f"{source_name}/{endpoint}/{game_date.isoformat()}"


def archive_payload(store: BlobStore, source_name: str, game_date: dt.date, payload: Payload) -> ArchivedPayload:
    """Write the payload before anything parses it. The file name carries the fetch instant, so
    every scrape is kept; re-archiving identical content at the same instant is a no-op."""
    ext = "json" if payload.content_type == "json" else payload.content_type
    base = f"{archive_prefix(source_name, payload.endpoint, game_date)}/{_stamp(payload.fetched_at)}__{payload.name}"
    data = payload.to_bytes()
    digest = hashlib.sha256(data).hexdigest()
    # Never overwrite: different content at the same instant (a frozen clock, a same-second re-scrape)
    # gets the next sequence number; identical content is the same file. The store refuses to replace
    # an existing name itself (FileExistsError), so a concurrent scrape cannot overwrite either.
    seq = 1
    while True:
        path = f"{base}.{ext}" if seq == 1 else f"{base}~{seq}.{ext}"
        try:
            ref = store.put(path, data, overwrite=False)
            break
        except FileExistsError:
            # The name is taken: the same payload archived before (a no-op), or another scrape of
            # the same instant. Read through the verification, so a file changed since it was
            # archived stops the scrape rather than being taken for "different content".
            if hashlib.sha256(read_archived(store, path, game_date)).hexdigest() == digest:
                ref = BlobRef(path, store.uri(path), len(data), digest)
                break
        seq += 1
    return ArchivedPayload(
        ref.path,
        ref.uri,
        ref.bytes,
        ref.sha256,
        count_records(payload),
        payload.endpoint,
        payload.name,
        payload.fetched_at,
    )


@dataclass(frozen=True)
class ArchivedFile:
    path: str
    name: str
    fetched_at: dt.datetime
    seq: int = 1


def list_archived(
    store: BlobStore, source_name: str, endpoint: str, game_date: dt.date, latest_only: bool
) -> list[ArchivedFile]:
    """Archived files for a date. ``latest_only`` keeps the newest scrape of each payload name
    (schedule, box scores, rosters: each scrape supersedes the previous); otherwise every file
    (odds snapshots: a time series)."""
    files = []
    for path in store.list(archive_prefix(source_name, endpoint, game_date)):
        fname = path.rsplit("/", 1)[-1]
        stamp, sep, rest = fname.partition("__")
        if not sep:
            continue
        try:
            fetched = dt.datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
        except ValueError:
            continue
        stem = rest.rsplit(".", 1)[0]
        name, _, seq = stem.partition("~")
        files.append(ArchivedFile(path, name, fetched, int(seq) if seq.isdigit() else 1))
    if latest_only:
        newest: dict[str, ArchivedFile] = {}
        for f in files:
            if f.name not in newest or (f.fetched_at, f.seq) > (newest[f.name].fetched_at, newest[f.name].seq):
                newest[f.name] = f
        files = list(newest.values())
    return sorted(files, key=lambda f: (f.fetched_at, f.name, f.seq))


def archived_dates(store: BlobStore, source_name: str) -> list[dt.date]:
    """Every game date the archive holds a payload of ``source_name`` for (any endpoint), sorted."""
    days = set()
    for endpoint in ALL_ENDPOINTS:
        prefix = f"{source_name}/{endpoint}/"
        for path in store.list(prefix):
            try:
                days.add(dt.date.fromisoformat(path[len(prefix) :].split("/", 1)[0]))
            except ValueError:
                continue  # not a date folder: not the archive's layout
    return sorted(days)
