"""The simulated league served through the real services' payload formats, with ``as_of`` semantics.

Box scores of games listed in ``withheld_game_ids`` are never published, neither in
``boxscoretraditionalv3`` nor in the ``leaguegamelog`` (the game is missing from stats.nba.com); the
schedule still shows it final.
"""

from __future__ import annotations

import datetime as dt

from nba_pipeline.domain.teams import BY_TRICODE
from nba_pipeline.sources import formats as fmt
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
)
from nba_pipeline.sources.simulated.books import BOOKS
from nba_pipeline.sources.simulated.league import SimulatedLeague, get_league
from nba_pipeline.sources.simulated.lines import SNAPSHOT_INTERVAL, SNAPSHOT_LEAD
from nba_pipeline.sources.simulated.schedule import UTC, SimGame
from nba_pipeline.sources.simulated.season import SimSeason

URL_SCHEDULE = "https://cdn.nba.com/static/json/staticData/scheduleLeagueV2.json"
URL_STATS = "https://stats.nba.com/stats"
URL_INJURY = "https://ak-static.cms.nba.com/referee/injury"
URL_ODDS = "https://api.the-odds-api.com/v4/historical/sports/basketball_nba/events"


def _utc(instant: dt.datetime) -> dt.datetime:
    if instant.tzinfo is None:
        return instant.replace(tzinfo=UTC)
    return instant.astimezone(UTC)


class SimulatedSource(NbaSource):
    """Serves the deterministic simulated league through the real services' payload formats."""

    seed: int = 20241022
    boxscore_delay_minutes: int = 20
    withheld_game_ids: list[str] = []

    @property
    def source_name(self) -> str:
        return "simulated"

    @property
    def league(self) -> SimulatedLeague:
        return get_league(self.seed)

    def _season_games(self, game_date: dt.date) -> tuple[SimSeason | None, list[SimGame]]:
        season = self.league.season_for_date(game_date)
        if season is None:
            return None, []
        return season, season.games_on(game_date)

    def _published_box(self, g: SimGame, as_of: dt.datetime) -> bool:
        return g.game_id not in self.withheld_game_ids and as_of >= g.end_utc + dt.timedelta(
            minutes=self.boxscore_delay_minutes
        )

    def schedule(self, game_date: dt.date, as_of: dt.datetime) -> list[Payload]:
        as_of = _utc(as_of)
        season, games = self._season_games(game_date)
        if not games:
            return []
        body = fmt.schedule_league_v2(season.label, [g.schedule_game(as_of) for g in games], as_of)
        return [Payload(SCHEDULE, f"scheduleLeagueV2_{game_date:%Y%m%d}", body, URL_SCHEDULE, as_of)]

    def player_game_logs(self, game_date: dt.date, as_of: dt.datetime) -> list[Payload]:
        as_of = _utc(as_of)
        season, games = self._season_games(game_date)
        final = [g for g in games if self._published_box(g, as_of)]
        if not final:
            return []
        entries = []
        for g in final:
            home, away = season.box(g.game_id)
            entries.append((g.game_id, g.home, g.away, home + away, g.home_score, g.away_score))
        body = fmt.league_game_log_players(season.year, "Regular Season", game_date, entries)
        url = (
            f"{URL_STATS}/leaguegamelog?Counter=1000&DateFrom={game_date:%m/%d/%Y}&DateTo={game_date:%m/%d/%Y}"
            f"&Direction=ASC&LeagueID=00&PlayerOrTeam=P&Season={season.label}&SeasonType=Regular+Season"
            f"&Sorter=DATE"
        )
        return [Payload(PLAYER_GAME_LOG, f"leaguegamelog_P_{game_date:%Y%m%d}", body, url, as_of)]

    def team_boxscores(self, game_date: dt.date, as_of: dt.datetime) -> list[Payload]:
        as_of = _utc(as_of)
        season, games = self._season_games(game_date)
        out = []
        for g in games:
            if not self._published_box(g, as_of):
                continue
            home, away = season.box(g.game_id)
            body = fmt.boxscore_traditional_v3(g.game_id, g.home, g.away, home, away, periods=g.periods)
            url = (
                f"{URL_STATS}/boxscoretraditionalv3?EndPeriod=0&EndRange=0&GameID={g.game_id}&RangeType=0"
                f"&StartPeriod=0&StartRange=0"
            )
            out.append(Payload(BOXSCORE_TRADITIONAL, g.game_id, body, url, as_of, extra={"game_id": g.game_id}))
        return out

    def team_rosters(self, game_date: dt.date, as_of: dt.datetime) -> list[Payload]:
        as_of = _utc(as_of)
        season, games = self._season_games(game_date)
        teams = sorted({t for g in games for t in (g.home, g.away)})
        out = []
        for code in teams:
            entries = []
            for p in season.roster(code):
                age = (game_date - p.birth_date).days // 365.25
                entries.append(
                    fmt.RosterEntry(
                        person_id=p.person_id,
                        name=p.full_name,
                        position=p.roster_position,
                        number=p.jersey,
                        age=float(age),
                        birth_date=p.birth_date,
                        experience=str(p.experience) if p.experience else "R",
                        how_acquired=p.how_acquired,
                    )
                )
            body = fmt.common_team_roster(code, season.year, entries)
            url = f"{URL_STATS}/commonteamroster?LeagueID=00&Season={season.label}&TeamID={BY_TRICODE[code].team_id}"
            out.append(Payload(TEAM_ROSTER, f"commonteamroster_{code}", body, url, as_of))
        return out

    def injury_report(self, game_date: dt.date, as_of: dt.datetime) -> list[Payload]:
        as_of = _utc(as_of)
        season, games = self._season_games(game_date)
        if not games:
            return []
        published = [r for r in season.injury_reports(game_date) if r.published_utc <= as_of]
        if not published:
            return []
        rep = published[-1]
        return [
            Payload(
                INJURY_REPORT, rep.name, rep.csv, f"{URL_INJURY}/{rep.name}.pdf", rep.published_utc, content_type="csv"
            )
        ]

    def _odds(self, endpoint: str, game_date: dt.date, as_of: dt.datetime) -> list[Payload]:
        as_of = _utc(as_of)
        season, games = self._season_games(game_date)
        out = []
        # One event-odds call per snapshot, every prop market at once, as the live API is asked.
        markets = fmt.PROP_MARKETS if endpoint == ODDS_PLAYER_PROPS else ("spreads", "totals")
        for g in games:
            if g.tipoff_utc - SNAPSHOT_LEAD - SNAPSHOT_INTERVAL * 8 > as_of:
                continue  # nothing taken yet (cheap pre-check before building the game's odds)
            for snap in season.odds_snapshots(g.game_id):
                if snap.taken_at > as_of:
                    continue
                books = []
                for bk in BOOKS:
                    if endpoint == ODDS_PLAYER_PROPS:
                        quotes = snap.book_props(bk)
                        if not quotes:
                            continue
                        books.append(fmt.BookQuotes(bk, snap.last_update[bk], props=quotes))
                    else:
                        if bk not in snap.game_lines:
                            continue
                        spread, total = snap.game_lines[bk]
                        books.append(fmt.BookQuotes(bk, snap.last_update[bk], spread_home=spread, total=total))
                event = fmt.odds_event(g.event_id, g.tipoff_utc, g.home, g.away, books, markets=markets)
                body = fmt.odds_historical_snapshot(snap.taken_at, event, SNAPSHOT_INTERVAL)
                url = (
                    f"{URL_ODDS}/{g.event_id}/odds?regions=us&markets={','.join(markets)}&oddsFormat=american"
                    f"&date={fmt.iso_z(snap.taken_at)}"
                )
                out.append(
                    Payload(
                        endpoint,
                        f"{snap.taken_at:%Y%m%dT%H%M%SZ}_{g.event_id}",
                        body,
                        url,
                        snap.taken_at,
                        extra={"game_id": g.game_id, "in_game": snap.in_game},
                    )
                )
        return sorted(out, key=lambda p: (p.fetched_at, p.name))

    def player_props_odds(self, game_date: dt.date, as_of: dt.datetime) -> list[Payload]:
        return self._odds(ODDS_PLAYER_PROPS, game_date, as_of)

    def game_lines_odds(self, game_date: dt.date, as_of: dt.datetime) -> list[Payload]:
        return self._odds(ODDS_GAME_LINES, game_date, as_of)
