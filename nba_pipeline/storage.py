"""Blob stores for archived payloads, published JSON and model artifacts.

Three resource keys share this interface (``archive``, ``exports``, ``model_store``): a folder under
the home directory locally, a GCS bucket prefix in production. Writes are atomic (a reader never
sees half a file) and content-addressed where that makes re-runs harmless.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
from abc import abstractmethod
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from nba_pipeline.sources.base import Payload, count_records


@dataclass(frozen=True)
class BlobRef:
    path: str  # relative path inside the store
    uri: str  # where a human can find it
    bytes: int
    sha256: str


class BlobStore(dg.ConfigurableResource):
    @abstractmethod
    def put(self, path: str, data: bytes) -> BlobRef: ...

    @abstractmethod
    def get(self, path: str) -> bytes: ...

    @abstractmethod
    def list(self, prefix: str) -> list[str]:
        """Relative paths under ``prefix``, sorted."""

    @abstractmethod
    def exists(self, path: str) -> bool: ...

    @abstractmethod
    def uri(self, path: str) -> str: ...

    def put_json(self, path: str, obj) -> BlobRef:
        return self.put(path, json.dumps(obj, indent=1, sort_keys=False, default=str).encode())

    def get_json(self, path: str):
        return json.loads(self.get(path))


class LocalBlobStore(BlobStore):
    root: str

    def _abs(self, path: str) -> Path:
        p = (Path(self.root) / path).resolve()
        if Path(self.root).resolve() not in p.parents and p != Path(self.root).resolve():
            raise ValueError(f"path {path!r} escapes the store root")
        return p

    def put(self, path: str, data: bytes) -> BlobRef:
        target = self._abs(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return BlobRef(path, str(target), len(data), hashlib.sha256(data).hexdigest())

    def get(self, path: str) -> bytes:
        return self._abs(path).read_bytes()

    def list(self, prefix: str) -> list[str]:
        base = self._abs(prefix)
        if not base.exists():
            return []
        root = Path(self.root).resolve()
        return sorted(str(p.relative_to(root)) for p in base.rglob("*") if p.is_file() and not p.name.startswith(".tmp-"))

    def exists(self, path: str) -> bool:
        return self._abs(path).exists()

    def uri(self, path: str) -> str:
        return str(self._abs(path))


_CONTENT_TYPES = {"json": "application/json", "pdf": "application/pdf"}


class GCSBlobStore(BlobStore):
    bucket: str
    prefix: str = ""
    project: str | None = None

    def _bucket(self):
        from dagster_gcp import GCSResource

        return GCSResource(project=self.project).get_client().bucket(self.bucket)

    def _key(self, path: str) -> str:
        return f"{self.prefix.strip('/')}/{path}" if self.prefix else path

    def put(self, path: str, data: bytes) -> BlobRef:
        # A GCS object upload is atomic: readers see the old object or the new one.
        blob = self._bucket().blob(self._key(path))
        blob.upload_from_string(data, content_type=_CONTENT_TYPES.get(path.rsplit(".", 1)[-1]))
        return BlobRef(path, self.uri(path), len(data), hashlib.sha256(data).hexdigest())

    def get(self, path: str) -> bytes:
        return self._bucket().blob(self._key(path)).download_as_bytes()

    def list(self, prefix: str) -> list[str]:
        strip = len(self._key(""))
        return sorted(b.name[strip:] for b in self._bucket().list_blobs(prefix=self._key(prefix)))

    def exists(self, path: str) -> bool:
        return self._bucket().blob(self._key(path)).exists()

    def uri(self, path: str) -> str:
        return f"gs://{self.bucket}/{self._key(path)}"


# --- payload archive layout -------------------------------------------------------------------

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
    return instant.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


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
    # gets the next sequence number; identical content is the same file.
    seq = 1
    while True:
        path = f"{base}.{ext}" if seq == 1 else f"{base}~{seq}.{ext}"
        if not store.exists(path):
            ref = store.put(path, data)
            break
        if hashlib.sha256(store.get(path)).hexdigest() == digest:
            ref = BlobRef(path, store.uri(path), len(data), digest)
            break
        seq += 1
    return ArchivedPayload(ref.path, ref.uri, ref.bytes, ref.sha256, count_records(payload),
                           payload.endpoint, payload.name, payload.fetched_at)


@dataclass(frozen=True)
class ArchivedFile:
    path: str
    name: str
    fetched_at: dt.datetime
    seq: int = 1


def list_archived(store: BlobStore, source_name: str, endpoint: str, game_date: dt.date,
                  latest_only: bool) -> list[ArchivedFile]:
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
            fetched = dt.datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.timezone.utc)
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
