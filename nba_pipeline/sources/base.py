"""The one interface every NBA data source implements.

A source answers "what would the service have returned if we had scraped it at ``as_of``?" for a
game date, in the service's own format (stats.nba.com result sets, cdn.nba.com scheduleLeagueV2,
The Odds API v4, the NBA injury report), so Phase 2 has exactly one parser per format whichever
source produced the payload. The live implementation calls the services; the historical one replays
a folder of real files; the simulated one generates a deterministic league.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from abc import abstractmethod
from dataclasses import dataclass, field
from typing import Any

import dagster as dg

from nba_pipeline.endpoints import (  # noqa: F401  (re-exported: the parsers and sources name endpoints from here)
    ALL_SOURCE_IDS,
    BOXSCORE_TRADITIONAL,
    BY_SOURCE_ID,
    INJURY_REPORT,
    ODDS_GAME_LINES,
    ODDS_PLAYER_PROPS,
    PLAYER_GAME_LOG,
    SCHEDULE,
    TEAM_ROSTER,
)
from nba_pipeline.parsers.injury_pdf import InjuryReportPdfError, injury_report_rows

# The endpoints are declared in endpoints.py; their names stay importable from here for the parsers.
ALL_ENDPOINTS = ALL_SOURCE_IDS


@dataclass(frozen=True)
class Payload:
    """One response body, exactly as the service returns it.

    ``name`` is unique within (endpoint, game date) for distinct content: a re-scrape that returns the
    same snapshot has the same name, so archiving it twice is harmless.
    """

    endpoint: str
    name: str
    body: Any  # JSON-able dict/list, str for CSV bodies, bytes for PDF bodies
    url: str
    fetched_at: dt.datetime
    content_type: str = "json"
    extra: dict[str, Any] = field(default_factory=dict)

    def to_bytes(self) -> bytes:
        if self.content_type == "json":
            return json.dumps(self.body, sort_keys=True, separators=(",", ":")).encode()
        if isinstance(self.body, bytes):
            return self.body
        return str(self.body).encode()


class SourceUnavailableError(RuntimeError):
    """A transient failure talking to a source (timeout, 5xx, throttling): retry later."""


_API_KEY_RE = re.compile(r"(?i)(apiKey=)[^&#\s]*")


class SourcePermanentError(dg.Failure, RuntimeError):
    """A failure that retrying cannot fix (4xx other than 429, a missing file or folder, a corrupt
    record, a missing setting, an unsupported format).

    It is a ``dagster.Failure`` with ``allow_retries=False``, so a step with a ``RetryPolicy`` fails at
    once instead of retrying (legacy incident: permanent errors re-fired for weeks), and the URL and
    status show as failure metadata. ``url`` is always redacted (no API key); ``status`` is the HTTP
    status when there was one.
    """

    def __init__(self, message: str, *, url: str | None = None, status: int | None = None):
        self.url = redact(url) if url else url
        self.status = status
        metadata: dict[str, Any] = {}
        if self.url:
            metadata["url"] = self.url
        if status is not None:
            metadata["status"] = status
        super().__init__(description=redact(message), metadata=metadata, allow_retries=False)

    def __reduce__(self):  # keep url and status through pickling (multiprocess executors)
        return functools.partial(type(self), url=self.url, status=self.status), (self.description,)


def redact(text: str) -> str:
    """Replace the value of any ``apiKey=`` query parameter with ``REDACTED``."""
    return _API_KEY_RE.sub(r"\1REDACTED", str(text))


class NbaSource(dg.ConfigurableResource):
    """Phase 1 interface. ``as_of`` is a UTC-aware instant: nothing published after it is returned.

    ``disabled_endpoints`` switches endpoints off (a cancelled subscription, a blocked API). A
    disabled endpoint returns no payloads; nothing downstream may require it.
    """

    disabled_endpoints: list[str] = []

    @property
    @abstractmethod
    def source_name(self) -> str: ...

    def is_enabled(self, endpoint: str) -> bool:
        return endpoint not in self.disabled_endpoints

    def fetch(self, endpoint: str, game_date: dt.date, as_of: dt.datetime) -> list[Payload]:
        if not self.is_enabled(endpoint):
            return []
        return getattr(self, BY_SOURCE_ID[endpoint].source_method)(game_date, as_of)

    @abstractmethod
    def schedule(self, game_date: dt.date, as_of: dt.datetime) -> list[Payload]:
        """One scheduleLeagueV2 document whose ``gameDates`` hold the games of ``game_date``,
        with each game's status and score as of ``as_of``."""

    @abstractmethod
    def player_game_logs(self, game_date: dt.date, as_of: dt.datetime) -> list[Payload]:
        """One stats.nba.com ``leaguegamelog`` (PlayerOrTeam=P) for the date: a row per player
        who appeared in a game that was final at ``as_of``."""

    @abstractmethod
    def team_boxscores(self, game_date: dt.date, as_of: dt.datetime) -> list[Payload]:
        """One ``boxscoretraditionalv3`` per game final at ``as_of``: team totals and every
        player including DNPs (``comment`` like "DNP - Coach's Decision")."""

    @abstractmethod
    def team_rosters(self, game_date: dt.date, as_of: dt.datetime) -> list[Payload]:
        """One ``commonteamroster`` per team playing on the date."""

    @abstractmethod
    def injury_report(self, game_date: dt.date, as_of: dt.datetime) -> list[Payload]:
        """The latest NBA injury report for the date published at or before ``as_of``: the PDF the NBA
        publishes (content type ``pdf``, bytes), or where only the rows taken from it exist, those rows
        as CSV (content type ``csv``: gameDate, team, player "Last, First", status, reason, ...).
        Phase 2 reads both through ``parsers.injuries.injury_report_text``."""

    @abstractmethod
    def player_props_odds(self, game_date: dt.date, as_of: dt.datetime) -> list[Payload]:
        """The Odds API v4 event odds of every registered prop market (markets.py, one call per
        event with the markets comma-joined) per event and snapshot up to ``as_of``, wrapped as the
        historical endpoint does: {timestamp, data: event}."""

    @abstractmethod
    def game_lines_odds(self, game_date: dt.date, as_of: dt.datetime) -> list[Payload]:
        """The Odds API v4 event odds (markets ``spreads``, ``totals``), wrapped like player odds."""


def count_records(payload: Payload) -> int:
    """The record count a payload carries, computed from its body (never self-reported)."""
    body = payload.body
    if payload.endpoint == SCHEDULE:
        return sum(len(d.get("games", [])) for d in body["leagueSchedule"]["gameDates"])
    if payload.endpoint in (PLAYER_GAME_LOG, TEAM_ROSTER):
        return len(body["resultSets"][0]["rowSet"])
    if payload.endpoint == BOXSCORE_TRADITIONAL:
        box = body["boxScoreTraditional"]
        return len(box["homeTeam"]["players"]) + len(box["awayTeam"]["players"])
    if payload.endpoint in (ODDS_PLAYER_PROPS, ODDS_GAME_LINES):
        event = body.get("data", body)
        return sum(len(m.get("outcomes", [])) for b in event.get("bookmakers", []) for m in b.get("markets", []))
    if payload.endpoint == INJURY_REPORT:
        if payload.content_type == "pdf":
            try:
                return len(injury_report_rows(body, payload.name))
            except InjuryReportPdfError:
                # The file is archived as it came; Phase 2 fails its check naming the file and page
                # and keeps the last report that parses in force. No rows can be counted here.
                return 0
        lines = [ln for ln in str(body).splitlines() if ln.strip()]
        return max(len(lines) - 1, 0)
    raise ValueError(f"unknown endpoint {payload.endpoint!r}")
