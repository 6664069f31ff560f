"""The historical source: a historical folder served date by date, "as if scraping that day"."""

from __future__ import annotations

import bisect
import datetime as dt
from urllib.parse import urlencode

from nba_pipeline.markets import odds_api_markets
from nba_pipeline.partitions import season_label, season_year
from nba_pipeline.sources import formats
from nba_pipeline.sources.base import (
    BOXSCORE_TRADITIONAL,
    INJURY_REPORT,
    ODDS_PLAYER_PROPS,
    PLAYER_GAME_LOG,
    SCHEDULE,
    NbaSource,
    Payload,
)
from nba_pipeline.sources.formats import BookQuotes, ScheduleGame
from nba_pipeline.sources.historical.folder import folder_data
from nba_pipeline.sources.historical.model import UTC, FolderData, Game

PERIOD_WALL_CLOCK = dt.timedelta(minutes=36)  # only to label an in-progress game's period

URL_SCHEDULE = "https://cdn.nba.com/static/json/staticData/scheduleLeagueV2.json"
URL_STATS = "https://stats.nba.com/stats"
URL_INJURY = "https://ak-static.cms.nba.com/referee/injury"
URL_ODDS = "https://api.the-odds-api.com/v4/historical/sports/basketball_nba/events"


def _utc(instant: dt.datetime) -> dt.datetime:
    return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant.astimezone(UTC)


class HistoricalSource(NbaSource):
    """Replays a historical data folder (see the package docstring for its layout and what is
    approximated). ``root`` is the folder; the CSVs are read once per folder and process."""

    root: str

    @property
    def source_name(self) -> str:
        return "historical"

    def _data(self) -> FolderData:
        return folder_data(self.root)

    def covered_dates(self) -> list[dt.date]:
        """Game dates the folder has games or lines for (loads and validates the folder)."""
        data = self._data()
        return sorted(set(data.games_by_date) | set(data.odds_by_date))

    def _final_games(self, game_date: dt.date, as_of: dt.datetime) -> list[Game]:
        return [g for g in self._data().games_by_date.get(game_date, []) if as_of >= g.final_at]

    def _record(self, season: int, team: str, until: dt.datetime) -> tuple[int, int]:
        finals, wins = self._data().records.get((season, team), ([], []))
        n = bisect.bisect_right(finals, until.timestamp())
        won = wins[n - 1] if n else 0
        return won, n - won

    # --- cdn.nba.com scheduleLeagueV2 ------------------------------------------------------------

    def schedule(self, game_date: dt.date, as_of: dt.datetime) -> list[Payload]:
        as_of = _utc(as_of)
        items = []
        for g in self._data().games_by_date.get(game_date, []):
            until = min(as_of, g.tipoff_utc)
            hw, hl = self._record(g.season_year, g.home, until)
            aw, al = self._record(g.season_year, g.away, until)
            sg = ScheduleGame(
                g.game_id, g.tipoff_utc, g.home, g.away, home_wins=hw, home_losses=hl, away_wins=aw, away_losses=al
            )
            if as_of >= g.final_at:
                sg.status, sg.home_score, sg.away_score, sg.period = 3, g.home_score, g.away_score, g.periods or 4
            elif as_of >= g.tipoff_utc:
                sg.status, sg.period = 2, min(4, 1 + int((as_of - g.tipoff_utc) / PERIOD_WALL_CLOCK))
            items.append(sg)
        body = formats.schedule_league_v2(season_label(season_year(game_date)), items, as_of)
        return [
            Payload(
                SCHEDULE,
                f"scheduleLeagueV2_{game_date:%Y%m%d}",
                body,
                URL_SCHEDULE,
                as_of,
                extra={"season": season_label(season_year(game_date))},
            )
        ]

    # --- stats.nba.com leaguegamelog (players) ---------------------------------------------------

    def player_game_logs(self, game_date: dt.date, as_of: dt.datetime) -> list[Payload]:
        as_of = _utc(as_of)
        data = self._data()
        by_type: dict[str, list] = {}
        for g in self._final_games(game_date, as_of):
            lines = data.played_by_game.get(g.game_id)
            if lines:
                entry = (g.game_id, g.home, g.away, lines, g.home_score, g.away_score)
                by_type.setdefault(g.season_type, []).append(entry)
        out = []
        year = season_year(game_date)
        for season_type, games in sorted(by_type.items()):
            body = formats.league_game_log_players(year, season_type, game_date, games)
            params = {
                "Counter": 1000,
                "DateFrom": f"{game_date:%m/%d/%Y}",
                "DateTo": f"{game_date:%m/%d/%Y}",
                "Direction": "ASC",
                "LeagueID": "00",
                "PlayerOrTeam": "P",
                "Season": season_label(year),
                "SeasonType": season_type,
                "Sorter": "DATE",
            }
            out.append(
                Payload(
                    PLAYER_GAME_LOG,
                    f"leaguegamelog_{game_date:%Y%m%d}_{season_type.replace(' ', '')}",
                    body,
                    f"{URL_STATS}/leaguegamelog?{urlencode(params)}",
                    as_of,
                    extra={"season": season_label(year), "season_type": season_type},
                )
            )
        return out

    # --- stats.nba.com boxscoretraditionalv3 -----------------------------------------------------

    def team_boxscores(self, game_date: dt.date, as_of: dt.datetime) -> list[Payload]:
        as_of = _utc(as_of)
        data = self._data()
        out = []
        for g in sorted(self._final_games(game_date, as_of), key=lambda g: g.game_id):
            totals = data.team_totals.get(g.game_id)
            played = data.played_by_game.get(g.game_id, [])
            if not totals or g.home not in totals or g.away not in totals or not played:
                continue
            lines = played + data.dnp_by_game.get(g.game_id, [])
            body = formats.boxscore_traditional_v3(
                g.game_id,
                g.home,
                g.away,
                [ln for ln in lines if ln.team == g.home],
                [ln for ln in lines if ln.team == g.away],
                periods=g.periods or 4,
                home_totals=totals[g.home],
                away_totals=totals[g.away],
            )
            params = {
                "EndPeriod": 10,
                "EndRange": 28800,
                "GameID": g.game_id,
                "RangeType": 0,
                "StartPeriod": 0,
                "StartRange": 0,
            }
            out.append(
                Payload(
                    BOXSCORE_TRADITIONAL,
                    g.game_id,
                    body,
                    f"{URL_STATS}/boxscoretraditionalv3?{urlencode(params)}",
                    as_of,
                    extra={"game_id": g.game_id},
                )
            )
        return out

    def team_rosters(self, game_date: dt.date, as_of: dt.datetime) -> list[Payload]:
        """The folder holds no rosters (commonteamroster): nothing to replay."""
        return []

    # --- NBA injury report -----------------------------------------------------------------------

    def injury_report(self, game_date: dt.date, as_of: dt.datetime) -> list[Payload]:
        as_of = _utc(as_of)
        published = [(at, p) for at, p in self._data().injury_by_date.get(game_date, []) if at <= as_of]
        if not published:
            return []
        at, path = published[-1]
        if path.suffix == ".pdf":
            body, content_type = path.read_bytes(), "pdf"
        else:
            body, content_type = path.read_bytes().decode("utf-8"), "csv"
        return [
            Payload(
                INJURY_REPORT,
                path.stem,
                body,
                f"{URL_INJURY}/{path.stem}.pdf",
                at,
                content_type=content_type,
                extra={"published_at": formats.iso_z(at)},
            )
        ]

    # --- The Odds API v4 -------------------------------------------------------------------------

    def player_props_odds(self, game_date: dt.date, as_of: dt.datetime) -> list[Payload]:
        as_of = _utc(as_of)
        data = self._data()
        game_ids = {(g.home, g.away): g.game_id for g in data.games_by_date.get(game_date, [])}
        out = []
        for ev in data.odds_by_date.get(game_date, []):
            if ev.snapshot_at > as_of:
                continue
            books = [BookQuotes(book, ev.snapshot_at, list(quotes)) for book, quotes in ev.books]
            body = formats.odds_historical_snapshot(
                ev.snapshot_at, formats.odds_event(ev.event_id, ev.commence_utc, ev.home, ev.away, books)
            )
            query = urlencode(
                {
                    "regions": "us",
                    "markets": odds_api_markets(),
                    "oddsFormat": "american",
                    "date": formats.iso_z(ev.snapshot_at),
                }
            )
            extra = {"event_id": ev.event_id}
            if (ev.home, ev.away) in game_ids:
                extra["game_id"] = game_ids[(ev.home, ev.away)]
            out.append(
                Payload(
                    ODDS_PLAYER_PROPS,
                    f"{ev.snapshot_at:%Y%m%dT%H%M%SZ}_{ev.event_id}",
                    body,
                    f"{URL_ODDS}/{ev.event_id}/odds?{query}",
                    ev.snapshot_at,
                    extra=extra,
                )
            )
        return out

    def game_lines_odds(self, game_date: dt.date, as_of: dt.datetime) -> list[Payload]:
        """The folder holds no spreads/totals: nothing to replay."""
        return []
