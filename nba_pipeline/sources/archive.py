"""A source that replays the payload archive: Phase 1 for a rebuild, with no service behind it.

``nba-pipeline rebuild`` binds this class to the ``nba_source`` key in place of the configured
source, so nothing in the rebuild's definitions can call a service, read a historical folder or
simulate a league: the configured source is not among its resources at all. Each scrape asset then
"fetches" the files the archive holds for its endpoint and date, byte for byte (verified against the
sha256 recorded when they were archived), and archives them again under the name they already have,
which ``archive_payload`` turns into a no-op. What that gives a rebuild:

* Phase 1 is materialized in the Dagster instance for every date, so Phase 2's readiness holds
  even in a new instance (the archive copied to a new machine, or the instance lost with the
  warehouse), and the scrapes' checks verify every archived file once more.
* Phase 2 parses exactly what it would have parsed after the original scrapes: it reads the archive,
  never the payloads a scrape returned.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import dagster as dg
from pydantic import PrivateAttr

from nba_pipeline.sources import base as src
from nba_pipeline.storage import BlobStore, list_archived, read_archived


@dataclass(frozen=True)
class ArchivedBytesPayload(src.Payload):
    """A payload read back from the archive: ``to_bytes`` is the archived bytes themselves, so
    archiving it again finds the identical file (re-serializing the parsed JSON could differ in a
    byte and make a ``~2`` copy)."""

    archived: bytes = b""

    def to_bytes(self) -> bytes:
        return self.archived


class ArchiveReplaySource(src.NbaSource):
    """Serves, for each endpoint and game date, every payload the archive holds for the source named
    ``replayed_source`` (its archive folder), whatever ``as_of`` says: a rebuild reproduces what the
    archive holds, as Phase 2 reads it, not what was published by a moment."""

    replayed_source: str
    _archive: BlobStore | None = PrivateAttr(default=None)

    @classmethod
    def reading(cls, archive: BlobStore, replayed_source: str) -> ArchiveReplaySource:
        source = cls(replayed_source=replayed_source)
        source._archive = archive
        return source

    @property
    def source_name(self) -> str:
        # The archive folder it replays, so the re-archived payloads land on their own files.
        return self.replayed_source

    @property
    def archive(self) -> BlobStore:
        if self._archive is None:
            raise RuntimeError("ArchiveReplaySource reads an archive: build it with ArchiveReplaySource.reading")
        return self._archive

    def _replay(self, endpoint: str, game_date: dt.date) -> list[src.Payload]:
        payloads = []
        for f in list_archived(self.archive, self.replayed_source, endpoint, game_date, latest_only=False):
            data = read_archived(self.archive, f.path, game_date)
            content_type = f.path.rsplit(".", 1)[-1]
            if content_type == "json":
                try:
                    body = json.loads(data)
                except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                    raise src.SourcePermanentError(
                        f"archived payload {self.archive.uri(f.path)} (game date {game_date}) is not valid JSON "
                        f"({exc}); Phase 2 cannot parse it either: restore the original file or move it out of the "
                        "archive"
                    ) from None
            else:
                body = data if content_type == "pdf" else data.decode()
            payloads.append(
                ArchivedBytesPayload(
                    endpoint,
                    f.name,
                    body,
                    self.archive.uri(f.path),
                    f.fetched_at,
                    content_type=content_type,
                    archived=data,
                )
            )
        return payloads

    def schedule(self, game_date: dt.date, as_of: dt.datetime) -> list[src.Payload]:
        return self._replay(src.SCHEDULE, game_date)

    def player_game_logs(self, game_date: dt.date, as_of: dt.datetime) -> list[src.Payload]:
        return self._replay(src.PLAYER_GAME_LOG, game_date)

    def team_boxscores(self, game_date: dt.date, as_of: dt.datetime) -> list[src.Payload]:
        return self._replay(src.BOXSCORE_TRADITIONAL, game_date)

    def team_rosters(self, game_date: dt.date, as_of: dt.datetime) -> list[src.Payload]:
        return self._replay(src.TEAM_ROSTER, game_date)

    def injury_report(self, game_date: dt.date, as_of: dt.datetime) -> list[src.Payload]:
        return self._replay(src.INJURY_REPORT, game_date)

    def player_props_odds(self, game_date: dt.date, as_of: dt.datetime) -> list[src.Payload]:
        return self._replay(src.ODDS_PLAYER_PROPS, game_date)

    def game_lines_odds(self, game_date: dt.date, as_of: dt.datetime) -> list[src.Payload]:
        return self._replay(src.ODDS_GAME_LINES, game_date)


def replay_resources(resources: dict, replayed_source: str) -> dict:
    """The run's resources with the archive replay in place of the configured source."""
    return {**resources, "nba_source": replay_source(replayed_source)}


def replay_source(replayed_source: str) -> dg.ResourceDefinition:
    """``nba_source`` for a rebuild: the replay of the run's own ``archive`` resource, whatever its
    implementation (a folder, a bucket). A resource that requires the ``archive`` key, rather than a
    ConfigurableResource holding the store as a nested resource: Dagster 1.13.27 warns about its own
    deprecated ``InitResourceContext.dagster_run`` on every run that initializes a configured nested
    resource, and a normal run prints no warning."""

    @dg.resource(
        required_resource_keys={"archive"},
        description=f"Replays the {replayed_source} payloads of the archive; calls no service.",
    )
    def _replay(init_context) -> ArchiveReplaySource:
        return ArchiveReplaySource.reading(init_context.resources.archive, replayed_source)

    return _replay
