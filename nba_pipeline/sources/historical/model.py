"""What a loaded historical folder holds: its games, box-score rows, team totals, odds and reports."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from nba_pipeline.partitions import season_year
from nba_pipeline.sources import formats
from nba_pipeline.sources.formats import PlayerLine, PropQuote

UTC = dt.UTC

DEFAULT_TIPOFF_ET = dt.time(19, 30)
FINAL_AFTER = dt.timedelta(hours=2, minutes=30)
DNP_COMMENT = "DNP - Inferred (absent from box score)"


@dataclass(frozen=True)
class Game:
    game_id: str
    game_date: dt.date
    home: str
    away: str
    home_score: int
    away_score: int
    periods: int | None
    tipoff_utc: dt.datetime

    @property
    def final_at(self) -> dt.datetime:
        return self.tipoff_utc + FINAL_AFTER

    @property
    def season_year(self) -> int:
        return season_year(self.game_date)

    @property
    def season_type(self) -> str:
        return formats.season_type_of_game_id(self.game_id)

    @property
    def is_regular_season(self) -> bool:
        return self.game_id.startswith("002")


@dataclass(frozen=True)
class OddsEvent:
    snapshot_at: dt.datetime
    event_id: str
    commence_utc: dt.datetime
    home: str
    away: str
    books: tuple[tuple[str, tuple[PropQuote, ...]], ...]
    rows: int  # CSV rows kept (after skipping rows without a line or odds)


@dataclass
class FolderData:
    games_by_date: dict[dt.date, list[Game]] = field(default_factory=dict)
    # (season_year, tricode) -> sorted final instants (epoch s) of regular-season games, cumulative wins
    records: dict[tuple[int, str], tuple[list[float], list[int]]] = field(default_factory=dict)
    played_by_game: dict[str, list[PlayerLine]] = field(default_factory=dict)
    dnp_by_game: dict[str, list[PlayerLine]] = field(default_factory=dict)
    team_totals: dict[str, dict[str, dict]] = field(default_factory=dict)  # game_id -> tricode -> totals
    odds_by_date: dict[dt.date, list[OddsEvent]] = field(default_factory=dict)
    injury_by_date: dict[dt.date, list[tuple[dt.datetime, Path]]] = field(default_factory=dict)
