"""One simulated regular season assembled (rosters, schedule, played games) and its truth accessors.

Regular season only: no preseason, play-in, playoffs, All-Star game or NBA Cup knockout games. Odds
snapshots and injury reports are built on first request and cached.
"""

from __future__ import annotations

import bisect
import datetime as dt
import threading

from nba_pipeline.partitions import season_label, season_opener
from nba_pipeline.sources import formats as fmt
from nba_pipeline.sources.simulated.estimates import PropEstimate
from nba_pipeline.sources.simulated.games import play_season
from nba_pipeline.sources.simulated.injuries import InjuryReport, PlayerAvailability, make_reports, report_times
from nba_pipeline.sources.simulated.lines import OddsSnapshot, consensus_lines, make_odds, pregame_lines, snapshot_times
from nba_pipeline.sources.simulated.rosters import TEAM_INDEX, TRICODES, BaseLeague, SeasonRosters, SimPlayer
from nba_pipeline.sources.simulated.schedule import SimGame, all_star_break, make_schedule, off_days, season_last_day


class SimSeason:
    """One simulated regular season: schedule, rosters, results, injury reports and odds.

    Truth accessors for tests: :attr:`games`, :meth:`games_on`, :meth:`game`, :meth:`roster`,
    :attr:`players`, :attr:`teams`, :meth:`box`, :meth:`availability`, :meth:`injury_reports`,
    :meth:`prop_estimates`, :meth:`odds_snapshots`, :meth:`pregame_lines`, :meth:`consensus_lines`,
    :meth:`back_to_backs`.
    """

    def __init__(self, seed: int, year: int, base: BaseLeague):
        self.seed = seed
        self.year = year
        self.label = season_label(year)
        self.opener = season_opener(year)
        self.last_day = season_last_day(year)
        self.all_star_break = all_star_break(year)
        self.off_days = off_days(year)
        self._base = base
        self._lock = threading.RLock()
        self._odds_cache: dict[str, list[OddsSnapshot]] = {}
        self._report_cache: dict[dt.date, list[InjuryReport]] = {}
        self.rosters = SeasonRosters(seed, year, base)
        self.players: dict[int, SimPlayer] = self.rosters.players
        self.teams = self.rosters.teams
        self.games: list[SimGame] = make_schedule(seed, year)
        self._by_id = {g.game_id: g for g in self.games}
        self._by_date: dict[dt.date, list[SimGame]] = {}
        for g in self.games:
            self._by_date.setdefault(g.game_date, []).append(g)
        self.game_days = sorted(self._by_date)
        self._info = play_season(seed, year, base, self.rosters, self.games)

    def report_times(self, day: dt.date) -> list[dt.datetime]:
        """UTC publication instants of the day's injury reports (empty on days without games)."""
        return report_times(day, self._by_date.get(day, []))

    def games_on(self, day: dt.date) -> list[SimGame]:
        return list(self._by_date.get(day, []))

    def game(self, game_id: str) -> SimGame:
        return self._by_id[game_id]

    def roster(self, team: str) -> list[SimPlayer]:
        members = self.rosters.rosters_idx[TEAM_INDEX[team]]
        return [self.players[self._base.ids[i].person_id] for i in members]

    def box(self, game_id: str) -> tuple[list[fmt.PlayerLine], list[fmt.PlayerLine]]:
        """(home lines, away lines): every rostered player, DNPs included (comment set)."""
        info = self._info[game_id]
        return info.home_lines, info.away_lines

    def availability(self, game_id: str) -> list[PlayerAvailability]:
        return list(self._info[game_id].availability)

    def prop_estimates(self, game_id: str, state: int | None = None) -> dict[int, PropEstimate]:
        """The books' fair estimates for line-eligible players; ``state`` 0 = before the day's first
        injury report, i + 1 = after report i; default: the last state before tip-off."""
        info = self._info[game_id]
        if state is None:
            g = self.game(game_id)
            state = bisect.bisect_right(self.report_times(g.game_date), g.tipoff_utc)
        return dict(info.states[state][0])

    def snapshot_times(self, game_id: str) -> list[dt.datetime]:
        """Pre-game snapshot instants for the game (every 2 hours from 12 hours before the day's
        first tip, up to its tip-off), then the in-game snapshot."""
        g = self.game(game_id)
        return snapshot_times(g, min(x.tipoff_utc for x in self._by_date[g.game_date]))

    def odds_snapshots(self, game_id: str) -> list[OddsSnapshot]:
        with self._lock:
            if game_id not in self._odds_cache:
                g = self.game(game_id)
                self._odds_cache[game_id] = make_odds(
                    self.seed,
                    self.year,
                    g,
                    self._info[game_id],
                    self.snapshot_times(game_id),
                    self.report_times(g.game_date),
                )
            return self._odds_cache[game_id]

    def pregame_lines(self, game_id: str) -> dict[int, dict[str, fmt.PropQuote]]:
        """person id -> book -> quote at the last pre-game snapshot."""
        return pregame_lines(self.odds_snapshots(game_id))

    def consensus_lines(self, game_id: str) -> dict[int, float]:
        """person id -> median line over the books at the last pre-game snapshot."""
        return consensus_lines(self.odds_snapshots(game_id))

    def injury_reports(self, day: dt.date) -> list[InjuryReport]:
        """Every report published for the day, in publication order."""
        with self._lock:
            if day not in self._report_cache:
                games = self._by_date.get(day, [])
                self._report_cache[day] = make_reports(
                    day, self.report_times(day), games, {g.game_id: self._info[g.game_id].availability for g in games}
                )
            return self._report_cache[day]

    def back_to_backs(self) -> dict[str, int]:
        days: dict[str, list[dt.date]] = {c: [] for c in TRICODES}
        for g in self.games:
            days[g.home].append(g.game_date)
            days[g.away].append(g.game_date)
        return {c: sum((b - a).days == 1 for a, b in zip(sorted(ds), sorted(ds)[1:])) for c, ds in days.items()}
