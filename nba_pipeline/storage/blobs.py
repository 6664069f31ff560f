"""The blob store interface and the local folder store.

Three resource keys share this interface (``archive``, ``exports``, ``model_store``): a folder under
the home directory locally, a GCS bucket prefix in production (``storage/gcs.py``). Both behave the
same for everything the pipeline does: the same bytes under the same relative paths, the same
``list`` (relative paths, sorted, never a temporary file), ``FileNotFoundError`` for a missing file
and ``FileExistsError`` when a write that must not overwrite meets an existing file. Writes are
atomic (a reader never sees half a file). A store that cannot be used at all (missing bucket,
missing or rejected credentials, no permission, unreachable) raises ``BlobStoreError`` with one line
that says what to do. Both keep, beside each write-once file, the sha256 it had when written, so a
reader can tell whether it changed since (``get_recorded``; the archive verifies every read with it).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import tempfile
from abc import abstractmethod
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

# Temporary files (an interrupted local write, a reachability probe) carry this prefix; ``list``
# never returns them.
TEMP_PREFIX = ".tmp-"
SHA256_METADATA_KEY = "sha256"
# The local store's record of a write-once file's sha256 (see LocalBlobStore), hidden beside it.
SHA256_SIDECAR_SUFFIX = ".sha256"
_HEX64 = re.compile(r"[0-9a-f]{64}")


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


def sha256_record_path(file: Path) -> Path:
    """Where the folder store records the sha256 of a write-once file: hidden, beside it."""
    return file.with_name(f".{file.name}{SHA256_SIDECAR_SUFFIX}")


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
    def get_recorded(self, path: str) -> tuple[bytes, str | None]:
        """The file's bytes and the sha256 the store recorded when the file was written (``None`` when
        it recorded none: a file written before stores recorded them, or replaced in place). Read
        together, so the record judges exactly these bytes. ``FileNotFoundError`` if there is none."""

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
    """A folder. A write-once file (``overwrite=False``: every archived payload) gets its sha256
    recorded in a hidden sidecar beside it, ``.<name>.sha256``, in ``sha256sum`` format, so ``cd`` into
    the folder and ``sha256sum -c .<name>.sha256`` checks it by hand.

    Why a sidecar per file rather than a manifest per folder or extended attributes: it is written
    by the one writer that claimed the name (no shared file for concurrent scrapes to append to), it
    travels with the file when a folder is copied or synced to another machine (extended attributes
    are dropped by most copies), and a partial copy of the archive keeps the records of what it
    copied. It is written after the file is claimed, never before: a writer that loses the race for a
    name must not touch the winner's record. A crash in between leaves a file without a record,
    which reads as unverified, never as damaged. Files that are replaced in place (exports, models)
    get no record: a reader could see new bytes beside the old record between the two renames, so
    a replace removes any record the path had instead."""

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
        digest = hashlib.sha256(data).hexdigest()
        if overwrite:
            sha256_record_path(target).unlink(missing_ok=True)
        else:
            self._record(target, digest)
        return BlobRef(path, str(target), len(data), digest)

    def _record(self, target: Path, digest: str) -> None:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=TEMP_PREFIX)
        try:
            with os.fdopen(fd, "w") as fh:
                fh.write(f"{digest}  {target.name}\n")
            os.replace(tmp, sha256_record_path(target))
        finally:
            Path(tmp).unlink(missing_ok=True)

    def get(self, path: str) -> bytes:
        return self._abs(path).read_bytes()

    def get_recorded(self, path: str) -> tuple[bytes, str | None]:
        target = self._abs(path)
        data = target.read_bytes()
        try:
            text = sha256_record_path(target).read_text(errors="replace").strip()
        except FileNotFoundError:
            return data, None
        # A record that is not a sha256 (truncated, edited) can vouch for nothing: it is returned as
        # it is, so it never equals the file's sha256 and the reader reports both.
        recorded = text.split()[0] if text else ""
        return data, recorded if _HEX64.fullmatch(recorded) else (recorded[:80] or "(an empty record)")

    def list(self, prefix: str) -> list[str]:
        base = self._abs(prefix, prefix=True)
        if not base.is_dir():
            return []
        root = Path(self.root).resolve()
        # Hidden names are the store's own (temporary files, sha256 records), never stored files.
        return sorted(
            p.relative_to(root).as_posix() for p in base.rglob("*") if p.is_file() and not p.name.startswith(".")
        )

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
                raise BlobStoreError(
                    f"store folder {root} does not exist and {parent} does not let this user "
                    "create it: choose a writable NBA_PIPELINE_HOME (or fix the permissions)"
                )
            return
        if not root.is_dir():
            raise BlobStoreError(
                f"store folder {root} is a file, not a folder: move it away or choose another NBA_PIPELINE_HOME"
            )
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
            raise BlobStoreError(
                f"store folder {root} cannot be written and read by this user "
                f"({exc.strerror or exc}): fix its permissions or choose another "
                "NBA_PIPELINE_HOME"
            ) from None
        if back != probe:
            raise BlobStoreError(
                f"store folder {root} returned different bytes than were written to it: check the disk or file system"
            )
