"""The production source: calls cdn.nba.com, stats.nba.com, the NBA injury-report CDN and The Odds API.

Every method returns the services' own bodies (the historical source replays the same shapes), so
Phase 2 parses every source through one path. Failures are split in two (see
:mod:`nba_pipeline.sources.live_http`): transient ones raise
:class:`~nba_pipeline.sources.base.SourceUnavailableError`, retried by the scrape assets' Dagster
``RetryPolicy``; permanent ones (any other 4xx, a missing API key) raise :class:`SourcePermanentError`,
a ``dagster.Failure`` with ``allow_retries=False`` naming the URL and the status, so the step fails at
once. The source itself never retries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
import httpx
from pydantic import PrivateAttr

from nba_pipeline.calendar import ET, GameStatus
from nba_pipeline.domain.teams import BY_TRICODE, is_nba_team, normalize_tricode
from nba_pipeline.markets import odds_api_markets
from nba_pipeline.partitions import season_label, season_year
from nba_pipeline.sources import formats
from nba_pipeline.sources.base import (
    BOXSCORE_TRADITIONAL,
    INJURY_REPORT,
    ODDS_GAME_LINES,
    ODDS_PLAYER_PROPS,
    PLAYER_GAME_LOG,
    SCHEDULE,
    TEAM_ROSTER,
    NbaSource,
    Payload,
    SourcePermanentError,
    SourceUnavailableError,
    redact,
)
from nba_pipeline.sources.live_http import RequestPolicy, get_json, send
from nba_pipeline.sources.live_services import (  # noqa: F401  (injury_report_candidate_urls: re-exported)
    BOXSCORE_TRADITIONAL_URL,
    BROWSER_HEADERS,
    COMMON_TEAM_ROSTER_URL,
    DEFAULT_BOOKMAKERS,
    LEAGUE_GAME_LOG_URL,
    ODDS_API_BASE,
    ODDS_HEADERS,
    SCHEDULE_URL,
    STATS_HEADERS,
    UTC,
    as_utc,
    games_of,
    injury_report_candidate_urls,
    parse_instant,
    row_count,
    schedule_date_key,
    season_types,
)


class LiveSource(NbaSource):
    """The live services: cdn.nba.com (schedule), stats.nba.com (game logs, box scores, rosters),
    ak-static.cms.nba.com (injury report) and The Odds API v4 (props and game lines).

    ``as_of`` only stamps ``fetched_at``: live data is "now". stats.nba.com calls are spaced by at
    least ``stats_min_interval_seconds`` within the process (stats.nba.com throttles and blocks cloud
    IPs); separate processes (Dagster's multiprocess executor) each keep their own spacing.

    ``injury_report`` finds the latest report published for the day (15-minute publication slots up to
    ``as_of``, latest first) and returns the PDF as the NBA serves it; Phase 2 reads it
    (``parsers.injury_pdf``) after it is archived. Nothing published yet for the day: ``[]``.

    Tests inject an ``httpx`` transport through the private ``_transport`` attribute, for example
    ``source._transport = httpx.MockTransport(handler)``.
    """

    odds_api_key: str | None = None
    stats_min_interval_seconds: float = 0.6
    timeout_seconds: float = 30
    bookmakers: list[str] = list(DEFAULT_BOOKMAKERS)

    _transport: httpx.BaseTransport | None = PrivateAttr(default=None)

    @property
    def source_name(self) -> str:
        return "live"

    # --- HTTP ------------------------------------------------------------------------------------

    @contextmanager
    def _client(self) -> Iterator[httpx.Client]:
        with httpx.Client(
            transport=self._transport, timeout=httpx.Timeout(self.timeout_seconds), follow_redirects=True
        ) as client:
            yield client

    @property
    def _requests(self) -> RequestPolicy:
        return RequestPolicy(self.timeout_seconds, self.stats_min_interval_seconds)

    # --- cdn.nba.com schedule --------------------------------------------------------------------

    def _schedule_payload(self, client: httpx.Client, game_date: dt.date, as_of: dt.datetime) -> Payload:
        doc, response = get_json(client, self._requests, SCHEDULE_URL, headers=BROWSER_HEADERS)
        try:
            league = doc["leagueSchedule"]
            game_dates = league["gameDates"]
        except (KeyError, TypeError):
            raise SourcePermanentError(
                f"GET {SCHEDULE_URL}: the body has no leagueSchedule.gameDates; the format changed",
                url=SCHEDULE_URL,
                status=response.status_code,
            ) from None
        key = schedule_date_key(game_date)
        body = {**doc, "leagueSchedule": {**league, "gameDates": [d for d in game_dates if d.get("gameDate") == key]}}
        return Payload(
            endpoint=SCHEDULE,
            name=f"scheduleLeagueV2_{game_date:%Y%m%d}",
            body=body,
            url=SCHEDULE_URL,
            fetched_at=as_utc(as_of),
            extra={"season": league.get("seasonYear")},
        )

    def schedule(self, game_date: dt.date, as_of: dt.datetime) -> list[Payload]:
        with self._client() as client:
            return [self._schedule_payload(client, game_date, as_of)]

    # --- stats.nba.com ---------------------------------------------------------------------------

    def player_game_logs(self, game_date: dt.date, as_of: dt.datetime) -> list[Payload]:
        season = season_label(season_year(game_date))
        day = f"{game_date:%m/%d/%Y}"
        payloads: list[Payload] = []
        with self._client() as client:
            for season_type in season_types(game_date):
                params = {
                    "Counter": 1000,
                    "DateFrom": day,
                    "DateTo": day,
                    "Direction": "ASC",
                    "LeagueID": "00",
                    "PlayerOrTeam": "P",
                    "Season": season,
                    "SeasonType": season_type,
                }
                body, response = get_json(
                    client, self._requests, LEAGUE_GAME_LOG_URL, params=params, headers=STATS_HEADERS
                )
                payloads.append(
                    Payload(
                        endpoint=PLAYER_GAME_LOG,
                        name=f"leaguegamelog_{game_date:%Y%m%d}_{season_type.replace(' ', '')}",
                        body=body,
                        url=str(response.request.url),
                        fetched_at=as_utc(as_of),
                        extra={"season": season, "season_type": season_type},
                    )
                )
        with_rows = [p for p in payloads if row_count(p.body) > 0]
        return with_rows or payloads[:1]

    def team_boxscores(self, game_date: dt.date, as_of: dt.datetime) -> list[Payload]:
        payloads: list[Payload] = []
        with self._client() as client:
            sched = self._schedule_payload(client, game_date, as_of)
            final_ids = sorted(
                {str(g["gameId"]) for g in games_of(sched.body) if g.get("gameStatus") == GameStatus.FINAL}
            )
            for game_id in final_ids:
                params = {
                    "GameID": game_id,
                    "StartPeriod": 0,
                    "EndPeriod": 10,
                    "StartRange": 0,
                    "EndRange": 28800,
                    "RangeType": 0,
                }
                body, response = get_json(
                    client, self._requests, BOXSCORE_TRADITIONAL_URL, params=params, headers=STATS_HEADERS
                )
                payloads.append(
                    Payload(
                        endpoint=BOXSCORE_TRADITIONAL,
                        name=game_id,
                        body=body,
                        url=str(response.request.url),
                        fetched_at=as_utc(as_of),
                        extra={"game_id": game_id},
                    )
                )
        return payloads

    def team_rosters(self, game_date: dt.date, as_of: dt.datetime) -> list[Payload]:
        season = season_label(season_year(game_date))
        payloads: list[Payload] = []
        with self._client() as client:
            sched = self._schedule_payload(client, game_date, as_of)
            teams: dict[str, int] = {}
            for g in games_of(sched.body):
                for side in ("homeTeam", "awayTeam"):
                    code = (g.get(side) or {}).get("teamTricode")
                    if code and is_nba_team(code):  # preseason exhibitions against non-NBA clubs
                        tricode = normalize_tricode(code)
                        teams[tricode] = BY_TRICODE[tricode].team_id
            for tricode, team_id in sorted(teams.items()):
                params = {"LeagueID": "00", "Season": season, "TeamID": team_id}
                body, response = get_json(
                    client, self._requests, COMMON_TEAM_ROSTER_URL, params=params, headers=STATS_HEADERS
                )
                payloads.append(
                    Payload(
                        endpoint=TEAM_ROSTER,
                        name=f"commonteamroster_{tricode}",
                        body=body,
                        url=str(response.request.url),
                        fetched_at=as_utc(as_of),
                        extra={"team_id": team_id, "tricode": tricode, "season": season},
                    )
                )
        return payloads

    # --- NBA injury report ----------------------------------------------------------------------

    def _find_injury_report(self, client: httpx.Client, game_date: dt.date, as_of: dt.datetime) -> str | None:
        for url in injury_report_candidate_urls(game_date, as_of):
            response = send(client, self._requests, "HEAD", url, headers=BROWSER_HEADERS, allow=(403, 404, 405))
            if response.status_code == 405:  # HEAD refused: ask for the body instead
                response = send(client, self._requests, "GET", url, headers=BROWSER_HEADERS, allow=(403, 404))
            # The CDN (an S3 bucket behind Akamai) answers 403 or 404 for a missing file.
            if 200 <= response.status_code < 300:
                return url
        return None

    def find_injury_report_url(self, game_date: dt.date, as_of: dt.datetime) -> str | None:
        """The latest published injury report URL for the date at or before ``as_of``, or None."""
        with self._client() as client:
            return self._find_injury_report(client, game_date, as_of)

    def injury_report(self, game_date: dt.date, as_of: dt.datetime) -> list[Payload]:
        with self._client() as client:
            url = self._find_injury_report(client, game_date, as_of)
            if url is None:
                return []  # nothing published yet for the day (the legacy scraper treats this as success)
            response = send(
                client, self._requests, "GET", url, headers={**BROWSER_HEADERS, "Accept": "application/pdf"}
            )
        body = response.content
        if not body.startswith(b"%PDF-"):
            # An HTML block page or an empty body served with 200: worth one more (bounded) try.
            raise SourceUnavailableError(
                f"GET {url}: HTTP {response.status_code} but the body is not a PDF "
                f"({len(body)} bytes starting {body[:40]!r})"
            )
        name = url.rsplit("/", 1)[-1].removesuffix(".pdf")
        return [
            Payload(
                endpoint=INJURY_REPORT,
                name=name,
                body=body,
                url=url,
                fetched_at=as_utc(as_of),
                content_type="pdf",
                extra={"bytes": len(body), "last_modified": response.headers.get("last-modified")},
            )
        ]

    # --- The Odds API v4 -------------------------------------------------------------------------

    def _api_key(self) -> str:
        key = self.odds_api_key
        if isinstance(key, dg.EnvVar):  # used outside a Dagster run: resolve the variable ourselves
            key = key.get_value()
        if not key:
            raise SourcePermanentError(
                "LiveSource.odds_api_key is not set (production reads it from the ODDS_API_KEY environment "
                "variable): The Odds API endpoints cannot be called without it"
            )
        return str(key)

    def _event_odds(self, game_date: dt.date, as_of: dt.datetime, markets: str, endpoint: str) -> list[Payload]:
        api_key = self._api_key()
        snapshot = as_utc(as_of)
        start = dt.datetime.combine(game_date, dt.time(0, 0), ET).astimezone(UTC)
        end = dt.datetime.combine(game_date + dt.timedelta(days=1), dt.time(0, 0), ET).astimezone(UTC)
        payloads: list[Payload] = []
        with self._client() as client:
            events, _ = get_json(
                client,
                self._requests,
                f"{ODDS_API_BASE}/events",
                headers=ODDS_HEADERS,
                params={
                    "apiKey": api_key,
                    "commenceTimeFrom": formats.iso_z(start),
                    "commenceTimeTo": formats.iso_z(end - dt.timedelta(seconds=1)),
                },
            )
            if not isinstance(events, list):
                raise SourcePermanentError(
                    f"GET {ODDS_API_BASE}/events: expected a list of events, got {type(events).__name__}",
                    url=f"{ODDS_API_BASE}/events",
                )
            todays = sorted(
                (e for e in events if start <= parse_instant(e.get("commence_time")) < end),
                key=lambda e: (e.get("commence_time"), e.get("id")),
            )
            for event in todays:
                event_id = event["id"]
                body, response = get_json(
                    client,
                    self._requests,
                    f"{ODDS_API_BASE}/events/{event_id}/odds",
                    headers=ODDS_HEADERS,
                    params={
                        "apiKey": api_key,
                        "regions": "us",
                        "markets": markets,
                        "oddsFormat": "american",
                        "bookmakers": ",".join(self.bookmakers),
                    },
                )
                payloads.append(
                    Payload(
                        endpoint=endpoint,
                        name=f"{snapshot:%Y%m%dT%H%M%SZ}_{event_id}",
                        body=formats.odds_historical_snapshot(snapshot, body),
                        url=redact(str(response.request.url)),
                        fetched_at=snapshot,
                        extra={
                            "event_id": event_id,
                            "requests_remaining": response.headers.get("x-requests-remaining"),
                            "requests_used": response.headers.get("x-requests-used"),
                        },
                    )
                )
        return payloads

    def player_props_odds(self, game_date: dt.date, as_of: dt.datetime) -> list[Payload]:
        # Every registered market in one call per event: the API bills each market (markets.py).
        return self._event_odds(game_date, as_of, odds_api_markets(), ODDS_PLAYER_PROPS)

    def game_lines_odds(self, game_date: dt.date, as_of: dt.datetime) -> list[Payload]:
        return self._event_odds(game_date, as_of, "spreads,totals", ODDS_GAME_LINES)
