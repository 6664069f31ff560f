"""What simulating one team's side of one game needs: the season's fixed model, the game, the side."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from nba_pipeline.sources.simulated.injuries import AvailabilityPlan, GameReports
from nba_pipeline.sources.simulated.rosters import BaseLeague, SeasonRosters
from nba_pipeline.sources.simulated.schedule import GAMES_PER_TEAM, SimGame


@dataclass(frozen=True)
class SeasonModel:
    """Everything about a season fixed before its first game: players, rosters, the availability plan
    and the day-by-day drift of each player's scoring rate and minutes."""

    seed: int
    year: int
    opener: dt.date
    base: BaseLeague
    rosters: SeasonRosters
    plan: AvailabilityPlan
    drift: np.ndarray  # [day since the opener, player]: log points-per-minute drift
    minutes_drift: np.ndarray  # [day since the opener, player]: typical-minutes drift
    person_ids: np.ndarray  # per base-league player


@dataclass(frozen=True)
class GameContext:
    """What both sides of one game share."""

    game: SimGame
    rng: np.random.Generator  # the game's own generator: both sides draw from it in turn
    reports: GameReports
    pace: float  # the two teams' average pace, before the game's own variation
    day: int  # days since the opener (the row of the drift arrays)


@dataclass(frozen=True)
class TeamSide:
    """One team in one game."""

    team: int
    opponent: int
    is_home: bool
    rest_days: int | None  # days since the team's previous game (1 = back-to-back), None before its first
    team_game: int  # the team's games played before this one

    @property
    def plan_column(self) -> int:
        """The team game's column in the availability plan."""
        return min(self.team_game, GAMES_PER_TEAM - 1)

    @property
    def home_factor(self) -> float:
        return 1.012 if self.is_home else 0.988

    @property
    def rest_factor(self) -> float:
        return 0.965 if self.rest_days == 1 else (1.01 if (self.rest_days or 0) >= 3 else 1.0)
