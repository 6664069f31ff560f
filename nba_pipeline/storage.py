"""Blob stores for archived payloads, published JSON and model artifacts.

Three resource keys share this interface (``archive``, ``exports``, ``model_store``): a folder under
the home directory locally, a GCS bucket prefix in production. Both behave the same for everything
the pipeline does: the same bytes under the same relative paths, the same ``list`` (relative paths,
sorted, never a temporary file), ``FileNotFoundError`` for a missing file and ``FileExistsError``
when a write that must not overwrite meets an existing file. Writes are atomic (a reader never sees
half a file). A store that cannot be used at all (missing bucket, missing or rejected credentials,
no permission, unreachable) raises ``BlobStoreError`` with one line that says what to do.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import json
import mimetypes
import os
import tempfile
import uuid
from abc import abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg
from pydantic import PrivateAttr

from nba_pipeline.sources.base import Payload, count_records

# Temporary files (an interrupted local write, a reachability probe) carry this prefix; ``list``
# never returns them.
TEMP_PREFIX = ".tmp-"
SHA256_METADATA_KEY = "sha256"


class BlobStoreError(dg.Failure):
    """A store that cannot be used as configured: a missing bucket or an unwritable folder, missing
    or rejected credentials, no permission, an unreachable service. The message is one line naming
    the store and what to do, so a CLI prints it as it is. ``retryable`` says whether waiting can fix
    it (an outage) or not (a missing bucket); a step's ``RetryPolicy`` honours it."""

    def __init__(self, message: str, *, retryable: bool = False):
        self.retryable = retryable
        super().__init__(description=message, allow_retries=retryable)

    def __reduce__(self):  # keep ``retryable`` through pickling (multiprocess executors)
        return functools.partial(type(self), retryable=self.retryable), (self.description,)


@dataclass(frozen=True)
class BlobRef:
    path: str  # relative path inside the store
    uri: str  # where a human can find it
    bytes: int
    sha256: str


def _checked(path: str, *, prefix: bool = False) -> str:
    """A store path is relative and '/'-separated without empty, '.' or '..' parts, so it means the
    same file in a folder and in a bucket (``prefix``: '' is the whole store, a trailing '/' is allowed)."""
    clean = path.rstrip("/") if prefix else path
    if prefix and not clean:
        return ""
    if clean.startswith("/") or "\\" in clean or any(part in ("", ".", "..") for part in clean.split("/")):
        raise ValueError(f"store path {path!r} must be relative, '/'-separated, without empty, '.' or '..' parts")
    return clean


class BlobStore(dg.ConfigurableResource):
    @abstractmethod
    def put(self, path: str, data: bytes, *, overwrite: bool = True) -> BlobRef:
        """Write ``data`` at ``path`` atomically. With ``overwrite=False`` an existing file is never
        replaced, even by a concurrent writer: ``FileExistsError`` instead."""

    @abstractmethod
    def get(self, path: str) -> bytes:
        """The file's bytes; ``FileNotFoundError`` if there is none."""

    @abstractmethod
    def list(self, prefix: str) -> list[str]:
        """Relative paths of the files under the folder ``prefix`` ('' for all), sorted."""

    @abstractmethod
    def exists(self, path: str) -> bool:
        """Whether a file (not a folder) is stored at ``path``."""

    @abstractmethod
    def uri(self, path: str) -> str: ...

    @abstractmethod
    def check_reachable(self) -> None:
        """Verify the store can be written and read, with a probe file that is removed again; raise
        ``BlobStoreError`` naming the store and what to do if not."""

    def put_json(self, path: str, obj, *, overwrite: bool = True) -> BlobRef:
        return self.put(path, json.dumps(obj, indent=1, sort_keys=False, default=str).encode(), overwrite=overwrite)

    def get_json(self, path: str):
        return json.loads(self.get(path))


class LocalBlobStore(BlobStore):
    root: str

    def _abs(self, path: str, *, prefix: bool = False) -> Path:
        return Path(self.root).resolve() / _checked(path, prefix=prefix)

    def put(self, path: str, data: bytes, *, overwrite: bool = True) -> BlobRef:
        target = self._abs(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=TEMP_PREFIX)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            if overwrite:
                os.replace(tmp, target)
            else:
                # A hard link is created only if the name is free, atomically: a concurrent writer of
                # the same name gets FileExistsError instead of replacing the file.
                os.link(tmp, target)
        finally:
            Path(tmp).unlink(missing_ok=True)
        return BlobRef(path, str(target), len(data), hashlib.sha256(data).hexdigest())

    def get(self, path: str) -> bytes:
        return self._abs(path).read_bytes()

    def list(self, prefix: str) -> list[str]:
        base = self._abs(prefix, prefix=True)
        if not base.is_dir():
            return []
        root = Path(self.root).resolve()
        return sorted(p.relative_to(root).as_posix() for p in base.rglob("*")
                      if p.is_file() and not p.name.startswith(TEMP_PREFIX))

    def exists(self, path: str) -> bool:
        return self._abs(path).is_file()

    def uri(self, path: str) -> str:
        return str(self._abs(path))

    def check_reachable(self) -> None:
        root = Path(self.root).resolve()
        if not root.exists():
            # Nothing is created here: the first write creates the folder, so what matters is that
            # the nearest existing parent lets this user create it.
            parent = next(p for p in root.parents if p.exists())
            if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
                raise BlobStoreError(f"store folder {root} does not exist and {parent} does not let this user "
                                     "create it: choose a writable NBA_PIPELINE_HOME (or fix the permissions)")
            return
        if not root.is_dir():
            raise BlobStoreError(f"store folder {root} is a file, not a folder: move it away or choose another "
                                 "NBA_PIPELINE_HOME")
        probe = b"nba-pipeline probe"
        try:
            fd, tmp = tempfile.mkstemp(dir=root, prefix=f"{TEMP_PREFIX}probe-")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(probe)
                back = Path(tmp).read_bytes()
            finally:
                Path(tmp).unlink(missing_ok=True)
        except OSError as exc:
            raise BlobStoreError(f"store folder {root} cannot be written and read by this user "
                                 f"({exc.strerror or exc}): fix its permissions or choose another "
                                 "NBA_PIPELINE_HOME") from None
        if back != probe:
            raise BlobStoreError(f"store folder {root} returned different bytes than were written to it: "
                                 "check the disk or file system")


def _content_type(path: str) -> str:
    return mimetypes.guess_type(path)[0] or "application/octet-stream"


def _one_line(exc: BaseException | str) -> str:
    """google-auth puts its message first and the raw response after it; keep the message, on one line."""
    if isinstance(exc, BaseException) and exc.args and isinstance(exc.args[0], str):
        exc = exc.args[0]
    text = " ".join(str(exc).split())
    return text if len(text) <= 300 else text[:297] + "..."


class GCSBlobStore(BlobStore):
    """A prefix of a GCS bucket, through dagster-gcp's ``GCSResource`` (so credentials are found the
    way every Google client finds them: ``GOOGLE_APPLICATION_CREDENTIALS``, gcloud's application
    default credentials, or the attached service account on GCP). Each object carries its sha256 as
    metadata besides GCS's own md5/crc32c, which the client checks on upload and download."""

    bucket: str
    prefix: str = ""
    project: str | None = None
    # A reachability check (``nba-pipeline doctor``) answers within about this many seconds even when
    # the service does not answer; ordinary reads and writes keep the client's longer retry budget.
    check_timeout_seconds: float = 20.0

    _client: Any = PrivateAttr(default=None)

    def _where(self) -> str:
        return f"GCS store gs://{self.bucket}/{self._key('', prefix=True)}"

    def _bucket(self):
        if self._client is None:
            from dagster_gcp import GCSResource

            with self._errors():
                self._client = GCSResource(project=self.project).get_client()
        return self._client.bucket(self.bucket)

    def _key(self, path: str, *, prefix: bool = False) -> str:
        """The object name of a store path (``prefix``: of a folder; '' is the store's own prefix)."""
        base = self.prefix.strip("/")
        path = _checked(path, prefix=prefix)
        return f"{base}/{path}" if base else path

    @contextlib.contextmanager
    def _errors(self):
        """Turn Google's exceptions about the store as a whole into one line that says what to do.
        A missing object is not one of them: it stays ``FileNotFoundError`` (see ``get``)."""
        import requests
        from google.api_core import exceptions as api
        from google.auth import exceptions as auth

        where = self._where()
        try:
            yield
        except auth.DefaultCredentialsError as exc:
            # The first sentence says which: none found, or the key file it names is unusable.
            raise BlobStoreError(
                f"{where}: no usable Google credentials ({_one_line(exc).split('. ')[0].rstrip('.')}): "
                "set GOOGLE_APPLICATION_CREDENTIALS "
                "to a service-account key file, run `gcloud auth application-default login`, or run on GCP "
                "with a service account attached") from None
        except auth.RefreshError as exc:
            raise BlobStoreError(
                f"{where}: Google rejected the credentials ({_one_line(exc)}): renew the key in "
                "GOOGLE_APPLICATION_CREDENTIALS or run `gcloud auth application-default login` again") from None
        except auth.TransportError as exc:
            raise BlobStoreError(f"{where}: could not reach Google to obtain an access token ({_one_line(exc)}): "
                                 "check the network, then retry", retryable=True) from None
        except (api.Unauthorized, api.Forbidden) as exc:
            raise BlobStoreError(
                f"{where}: permission denied ({_one_line(exc.message)}): grant the service account "
                f"roles/storage.objectUser on bucket {self.bucket}") from None
        except api.NotFound:
            # A missing object is handled where one can occur (get); anything else not found is the bucket.
            raise BlobStoreError(
                f"{where}: bucket {self.bucket!r} does not exist (or project {self.project!r} cannot see it): "
                f"create it (`gcloud storage buckets create gs://{self.bucket}`) or set NBA_PIPELINE_GCS_BUCKET "
                "to an existing bucket") from None
        except (api.RetryError, api.ServerError, requests.exceptions.RequestException) as exc:
            # After the client's retries: say what the last attempt met (a RetryError keeps it as
            # ``cause``; requests wraps urllib3's error, which keeps the socket's as ``reason``).
            last = getattr(exc, "cause", None) or exc
            if last.args and getattr(last.args[0], "reason", None) is not None:
                last = last.args[0].reason
            raise BlobStoreError(f"{where}: GCS did not answer ({_one_line(last)}): check the network (or "
                                 "STORAGE_EMULATOR_HOST) and GCS status, then retry", retryable=True) from None

    def put(self, path: str, data: bytes, *, overwrite: bool = True) -> BlobRef:
        from google.api_core.exceptions import PreconditionFailed
        from google.cloud.storage.retry import DEFAULT_RETRY

        digest = hashlib.sha256(data).hexdigest()
        blob = self._bucket().blob(self._key(path))
        blob.metadata = {SHA256_METADATA_KEY: digest}
        with self._errors():
            try:
                # A GCS upload is atomic: readers see the old object or the new one. Generation 0 means
                # "only if no object has this name", enforced by GCS itself, so two writers racing for
                # one archive name cannot replace each other's payload. Writing the same bytes again is
                # harmless, so a transient failure is retried either way (the client retries
                # unconditional uploads only when told to).
                blob.upload_from_string(data, content_type=_content_type(path),
                                        if_generation_match=None if overwrite else 0, retry=DEFAULT_RETRY)
            except PreconditionFailed:
                raise FileExistsError(f"{self.uri(path)} already exists") from None
        return BlobRef(path, self.uri(path), len(data), digest)

    def get(self, path: str) -> bytes:
        from google.api_core.exceptions import NotFound

        bucket = self._bucket()
        with self._errors():
            try:
                return bucket.blob(self._key(path)).download_as_bytes()
            except NotFound:
                # The object or the whole bucket? Listing answers 404 only for a missing bucket.
                next(iter(bucket.list_blobs(prefix=self._key(path), max_results=1)), None)
        raise FileNotFoundError(f"{self.uri(path)} does not exist")

    def list(self, prefix: str) -> list[str]:
        strip = len(self._key("", prefix=True))
        key_prefix = self._key(prefix, prefix=True)
        if key_prefix and not key_prefix.endswith("/"):
            key_prefix += "/"  # the folder, as in a file system: 'a/b' never lists 'a/bc/...'
        bucket = self._bucket()
        with self._errors():
            names = [b.name for b in bucket.list_blobs(prefix=key_prefix)]
        # Names ending in '/' are console "folders", not files.
        return sorted(n[strip:] for n in names
                      if not n.endswith("/") and not n.rsplit("/", 1)[-1].startswith(TEMP_PREFIX))

    def exists(self, path: str) -> bool:
        blob = self._bucket().blob(self._key(path))
        with self._errors():
            return blob.exists()

    def uri(self, path: str) -> str:
        return f"gs://{self.bucket}/{self._key(path)}"

    def check_reachable(self) -> None:
        from google.cloud.storage.retry import DEFAULT_RETRY

        timeout = self.check_timeout_seconds
        retry = DEFAULT_RETRY.with_timeout(timeout)
        probe_data = b"nba-pipeline probe"
        bucket = self._bucket()
        blob = bucket.blob(self._key(f"{TEMP_PREFIX}probe-{uuid.uuid4().hex}"))
        with self._errors():
            blob.upload_from_string(probe_data, content_type="text/plain", if_generation_match=0,
                                    timeout=timeout / 2, retry=retry)
            try:
                back = blob.download_as_bytes(timeout=timeout / 2, retry=retry)
            finally:
                # Deleting is part of the check: exports and models replace files, which needs it.
                blob.delete(timeout=timeout / 2, retry=retry)
        if back != probe_data:
            raise BlobStoreError(f"{self._where()}: read back different bytes than were written: check "
                                 "STORAGE_EMULATOR_HOST / the endpoint this process talks to")


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
    # gets the next sequence number; identical content is the same file. The store refuses to replace
    # an existing name itself (FileExistsError), so a concurrent scrape cannot overwrite either.
    seq = 1
    while True:
        path = f"{base}.{ext}" if seq == 1 else f"{base}~{seq}.{ext}"
        try:
            ref = store.put(path, data, overwrite=False)
            break
        except FileExistsError:
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
