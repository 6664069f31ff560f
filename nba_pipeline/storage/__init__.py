"""Blob stores (a folder, a GCS bucket prefix) and the payload archive kept in one of them.

``blobs``: the store interface and the folder store; ``gcs``: the bucket store; ``archive``: the
payload archive's layout, its write-once writes and its verified reads. Everything is importable
from ``nba_pipeline.storage``. The GCS store (``storage.gcs``) is imported where it is chosen:
the Google clients it needs cost a second of every command otherwise.
"""

from nba_pipeline.storage.archive import (
    ArchivedFile,
    ArchivedPayload,
    ArchiveIntegrityError,
    archive_payload,
    archive_prefix,
    archived_dates,
    list_archived,
    read_archived,
)
from nba_pipeline.storage.blobs import (
    SHA256_METADATA_KEY,
    TEMP_PREFIX,
    BlobRef,
    BlobStore,
    BlobStoreError,
    LocalBlobStore,
)

__all__ = [
    "SHA256_METADATA_KEY",
    "TEMP_PREFIX",
    "ArchiveIntegrityError",
    "ArchivedFile",
    "ArchivedPayload",
    "BlobRef",
    "BlobStore",
    "BlobStoreError",
    "LocalBlobStore",
    "archive_payload",
    "archive_prefix",
    "archived_dates",
    "list_archived",
    "read_archived",
]
