"""Phase 1: scrape each source for a game date and archive the payloads before anything parses them."""

import hashlib

import dagster as dg

from nba_pipeline import keys
from nba_pipeline.assets.definition import BACKFILL_POLICY, SOURCE_RETRY_POLICY, check_spec
from nba_pipeline.checks.names import CHECK_ARCHIVE_INTACT
from nba_pipeline.endpoints import ENDPOINTS
from nba_pipeline.environment import code_identity
from nba_pipeline.execution.recording import record_dates
from nba_pipeline.partitions import GAME_DATE_PARTITIONS, context_dates
from nba_pipeline.resources import Clock
from nba_pipeline.sources import base as src
from nba_pipeline.storage import ArchivedPayload, ArchiveIntegrityError, BlobStore, archive_payload, read_archived


def _files_table(archived: list[ArchivedPayload]) -> dg.MetadataValue:
    rows = [
        dg.TableRecord({"path": a.uri, "bytes": a.bytes, "sha256": a.sha256, "records": a.records})
        for a in archived[:200]
    ]
    return dg.MetadataValue.table(
        rows,
        schema=dg.TableSchema(
            columns=[
                dg.TableColumn("path"),
                dg.TableColumn("bytes", "int"),
                dg.TableColumn("sha256"),
                dg.TableColumn("records", "int"),
            ]
        ),
    )


def _intact(archive: BlobStore, archived: ArchivedPayload, day) -> bool:
    """The file reads back (verified against the store's record) as the bytes just archived."""
    try:
        return hashlib.sha256(read_archived(archive, archived.path, day)).hexdigest() == archived.sha256
    except ArchiveIntegrityError:
        return False


def _scraper(key: dg.AssetKey, description: str, endpoint: str) -> dg.AssetsDefinition:
    @dg.asset(
        key=key,
        group_name=keys.PHASE1,
        partitions_def=GAME_DATE_PARTITIONS,
        backfill_policy=BACKFILL_POLICY,
        retry_policy=SOURCE_RETRY_POLICY,
        description=f"{description} Archived under the home folder (or bucket) before parsing. Grain: "
        "payload files; partition: the game date the payload is about.",
        metadata={"endpoint": endpoint},
        check_specs=[
            check_spec(
                key, CHECK_ARCHIVE_INTACT, "Every archived file reads back with the sha256 we recorded.", blocking=False
            )
        ],
        kinds={"python", "json"},
    )
    def _asset(context: dg.AssetExecutionContext, nba_source: src.NbaSource, archive: BlobStore, clock: Clock):
        as_of = clock.now()
        dates = context_dates(context)
        archived: dict = {}
        for day in dates:
            try:
                payloads = nba_source.fetch(endpoint, day, as_of)
            except (src.SourceUnavailableError, dg.Failure):
                raise  # transient: the RetryPolicy retries it; a Failure says itself whether to retry
            except Exception as exc:
                # Anything else (a missing file, a corrupt record, a bug) cannot be fixed by waiting.
                raise src.SourcePermanentError(
                    f"{nba_source.source_name} {endpoint} for {day}: {type(exc).__name__}: {exc}"
                ) from exc
            archived[day] = [archive_payload(archive, nba_source.source_name, day, p) for p in payloads]
        per_date, checks = {}, {}
        for day, files in archived.items():
            corrupt = [a.path for a in files if not _intact(archive, a, day)]
            per_date[day] = {
                "record_count": sum(f.records for f in files),
                "files": len(files),
                "bytes": sum(a.bytes for a in files),
                "archive": _files_table(files),
                "path": files[0].uri.rsplit("/", 1)[0] if files else "",
                "sha256": files[-1].sha256 if len(files) == 1 else "",
            }
            checks[day] = [
                dg.AssetCheckResult(
                    check_name=CHECK_ARCHIVE_INTACT,
                    passed=not corrupt,
                    metadata={"files": len(files), "corrupt_files": dg.MetadataValue.json(corrupt)},
                )
            ]
        total = sum(m["record_count"] for m in per_date.values())
        context.log.info(
            f"{endpoint}: archived {sum(len(f) for f in archived.values())} files, {total} records "
            f"({nba_source.source_name}, as of {as_of.isoformat()})"
        )
        # source_class tells a scrape from a rebuild's replay of the archive (ArchiveReplaySource).
        yield from record_dates(
            context,
            dates,
            per_date_metadata=per_date,
            checks=checks,
            metadata={
                "source": nba_source.source_name,
                "source_class": type(nba_source).__name__,
                "code_identity": code_identity(),
                "endpoint": endpoint,
                "endpoint_enabled": nba_source.is_enabled(endpoint),
                "as_of": as_of.isoformat(),
            },
        )

    return _asset


SCRAPER_ASSETS = [_scraper(e.asset_key, e.description, e.source_id) for e in ENDPOINTS]
