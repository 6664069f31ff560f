"""The GCS blob store: a prefix of a bucket, the production implementation of ``archive``,
``exports`` and ``model_store`` (the contract is in ``storage/blobs.py``)."""

from __future__ import annotations

import contextlib
import hashlib
import mimetypes
import uuid
from typing import Any

import requests
from dagster_gcp import GCSResource
from google.api_core import exceptions as api
from google.api_core.exceptions import NotFound, PreconditionFailed
from google.auth import exceptions as auth
from google.cloud.storage.retry import DEFAULT_RETRY
from pydantic import PrivateAttr

from nba_pipeline.storage.blobs import SHA256_METADATA_KEY, TEMP_PREFIX, BlobRef, BlobStore, BlobStoreError, _checked


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

        where = self._where()
        try:
            yield
        except auth.DefaultCredentialsError as exc:
            # The first sentence says which: none found, or the key file it names is unusable.
            raise BlobStoreError(
                f"{where}: no usable Google credentials ({_one_line(exc).split('. ')[0].rstrip('.')}): "
                "set GOOGLE_APPLICATION_CREDENTIALS "
                "to a service-account key file, run `gcloud auth application-default login`, or run on GCP "
                "with a service account attached"
            ) from None
        except auth.RefreshError as exc:
            raise BlobStoreError(
                f"{where}: Google rejected the credentials ({_one_line(exc)}): renew the key in "
                "GOOGLE_APPLICATION_CREDENTIALS or run `gcloud auth application-default login` again"
            ) from None
        except auth.TransportError as exc:
            raise BlobStoreError(
                f"{where}: could not reach Google to obtain an access token ({_one_line(exc)}): "
                "check the network, then retry",
                retryable=True,
            ) from None
        except (api.Unauthorized, api.Forbidden) as exc:
            raise BlobStoreError(
                f"{where}: permission denied ({_one_line(exc.message)}): grant the service account "
                f"roles/storage.objectUser on bucket {self.bucket}"
            ) from None
        except api.NotFound:
            # A missing object is handled where one can occur (get); anything else not found is the bucket.
            raise BlobStoreError(
                f"{where}: bucket {self.bucket!r} does not exist (or project {self.project!r} cannot see it): "
                f"create it (`gcloud storage buckets create gs://{self.bucket}`) or set NBA_PIPELINE_GCS_BUCKET "
                "to an existing bucket"
            ) from None
        except (api.RetryError, api.ServerError, requests.exceptions.RequestException) as exc:
            # After the client's retries: say what the last attempt met (a RetryError keeps it as
            # ``cause``; requests wraps urllib3's error, which keeps the socket's as ``reason``).
            last = getattr(exc, "cause", None) or exc
            if last.args and getattr(last.args[0], "reason", None) is not None:
                last = last.args[0].reason
            raise BlobStoreError(
                f"{where}: GCS did not answer ({_one_line(last)}): check the network (or "
                "STORAGE_EMULATOR_HOST) and GCS status, then retry",
                retryable=True,
            ) from None

    def put(self, path: str, data: bytes, *, overwrite: bool = True) -> BlobRef:

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
                blob.upload_from_string(
                    data,
                    content_type=_content_type(path),
                    if_generation_match=None if overwrite else 0,
                    retry=DEFAULT_RETRY,
                )
            except PreconditionFailed:
                raise FileExistsError(f"{self.uri(path)} already exists") from None
        return BlobRef(path, self.uri(path), len(data), digest)

    def get(self, path: str) -> bytes:

        bucket = self._bucket()
        with self._errors():
            try:
                return bucket.blob(self._key(path)).download_as_bytes()
            except NotFound:
                # The object or the whole bucket? Listing answers 404 only for a missing bucket.
                next(iter(bucket.list_blobs(prefix=self._key(path), max_results=1)), None)
        raise FileNotFoundError(f"{self.uri(path)} does not exist")

    def get_recorded(self, path: str) -> tuple[bytes, str | None]:
        # The sha256 is the object's own metadata, written in the same upload as its bytes (``put``),
        # so every object has one. Two requests: the download does not return custom metadata, and
        # pinning it to the generation the metadata describes makes the pair one version's.
        bucket = self._bucket()
        with self._errors():
            blob = bucket.get_blob(self._key(path))
            if blob is not None:
                data = blob.download_as_bytes(if_generation_match=blob.generation)
                return data, (blob.metadata or {}).get(SHA256_METADATA_KEY)
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
        # Names ending in '/' are console "folders", not files; hidden names are a store's own
        # (probes here; a local folder's sha256 records, if such a folder was synced to the bucket).
        return sorted(n[strip:] for n in names if not n.endswith("/") and not n.rsplit("/", 1)[-1].startswith("."))

    def exists(self, path: str) -> bool:
        blob = self._bucket().blob(self._key(path))
        with self._errors():
            return blob.exists()

    def uri(self, path: str) -> str:
        return f"gs://{self.bucket}/{self._key(path)}"

    def check_reachable(self) -> None:

        timeout = self.check_timeout_seconds
        retry = DEFAULT_RETRY.with_timeout(timeout)
        probe_data = b"nba-pipeline probe"
        bucket = self._bucket()
        blob = bucket.blob(self._key(f"{TEMP_PREFIX}probe-{uuid.uuid4().hex}"))
        with self._errors():
            blob.upload_from_string(
                probe_data, content_type="text/plain", if_generation_match=0, timeout=timeout / 2, retry=retry
            )
            try:
                back = blob.download_as_bytes(timeout=timeout / 2, retry=retry)
            finally:
                # Deleting is part of the check: exports and models replace files, which needs it.
                blob.delete(timeout=timeout / 2, retry=retry)
        if back != probe_data:
            raise BlobStoreError(
                f"{self._where()}: read back different bytes than were written: check "
                "STORAGE_EMULATOR_HOST / the endpoint this process talks to"
            )
