"""All seasons of one seed's simulated league, built lazily (one at a time) and shared per process."""

from __future__ import annotations

import datetime as dt
import threading

from nba_pipeline.partitions import season_opener, season_year
from nba_pipeline.sources.simulated.randomness import event_id_for
from nba_pipeline.sources.simulated.rosters import BaseLeague
from nba_pipeline.sources.simulated.schedule import SimGame, season_last_day
from nba_pipeline.sources.simulated.season import SimSeason


class SimulatedLeague:
    """All seasons of one seed, built lazily (one at a time) and cached."""

    def __init__(self, seed: int):
        self.seed = int(seed)
        self._base: BaseLeague | None = None
        self._seasons: dict[int, SimSeason] = {}
        self._lock = threading.RLock()

    @property
    def base(self) -> BaseLeague:
        with self._lock:
            if self._base is None:
                self._base = BaseLeague(self.seed)
            return self._base

    def season(self, year: int) -> SimSeason:
        with self._lock:
            if year not in self._seasons:
                self._seasons[year] = SimSeason(self.seed, year, self.base)
            return self._seasons[year]

    def season_for_date(self, day: dt.date) -> SimSeason | None:
        """The season whose regular season covers ``day``, or None (off-season, preseason)."""
        year = season_year(day)
        if day < season_opener(year) or day > season_last_day(year):
            return None
        return self.season(year)

    def games_on(self, day: dt.date) -> list[SimGame]:
        s = self.season_for_date(day)
        return s.games_on(day) if s else []

    def game(self, game_id: str) -> SimGame:
        return self.season_of_game(game_id).game(game_id)

    def season_of_game(self, game_id: str) -> SimSeason:
        yy = int(str(game_id)[3:5])
        return self.season(2000 + yy)

    def event_id(self, game_id: str) -> str:
        return event_id_for(self.seed, game_id)


_LEAGUES: dict[int, SimulatedLeague] = {}
_LEAGUES_LOCK = threading.Lock()


def get_league(seed: int) -> SimulatedLeague:
    """The shared league for ``seed`` (module-level cache: every source instance reuses it)."""
    with _LEAGUES_LOCK:
        if seed not in _LEAGUES:
            _LEAGUES[seed] = SimulatedLeague(seed)
        return _LEAGUES[seed]
