"""The NBA's calendar: the Eastern time zone game dates are reckoned in, game statuses, spans of
game dates, UTC conversion and the final-games filter. Every module asks here; none spells the zone
or a status code itself."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pandas as pd

# The league's game date is the date in New York: a 10:30 pm PT tip is still that day's game.
ET_NAME = "America/New_York"
ET = ZoneInfo(ET_NAME)


class GameStatus(enum.IntEnum):
    """cdn.nba.com / stats.nba.com `gameStatus`."""

    SCHEDULED = 1
    IN_PROGRESS = 2
    FINAL = 3


# Days of history the upcoming-game tables and Phase 4 read: a whole season plus its predecessor's tail.
HISTORY_DAYS = 400


def span(game_dates: Iterable[dt.date]) -> tuple[dt.date, dt.date]:
    """First and last of some game dates (a run's range, a frame's dates)."""
    ordered = sorted(game_dates)
    if not ordered:
        raise ValueError("no game dates")
    return ordered[0], ordered[-1]


def history_window(game_dates: Iterable[dt.date]) -> tuple[dt.date, dt.date]:
    """The dates of completed-game history that upcoming dates read: HISTORY_DAYS before the first
    through the day before the last (each date then keeps only what lies strictly before it)."""
    first, last = span(game_dates)
    return first - dt.timedelta(days=HISTORY_DAYS), last - dt.timedelta(days=1)


def span_text(game_dates: Iterable[dt.date]) -> str:
    first, last = span(game_dates)
    return first.isoformat() if first == last else f"{first}..{last}"


def date_range(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def et_date(instant: dt.datetime) -> dt.date:
    """The game date an instant falls on."""
    return instant.astimezone(ET).date()


def to_utc(instant: dt.datetime) -> dt.datetime:
    """An aware instant in UTC; a naive one is read as ET (the league's clock)."""
    return (instant if instant.tzinfo else instant.replace(tzinfo=ET)).astimezone(dt.UTC)


def as_timestamps(values: pd.Series) -> pd.Series:
    """Dates as timestamps. Warehouse reads are datetime64 already, and pd.to_datetime walks such a
    column anyway (its cache check iterates it): called per date over a year of history, that cost
    a second a month of dates."""
    return values if pd.api.types.is_datetime64_any_dtype(values) else pd.to_datetime(values)


def as_dates(values: pd.Series) -> pd.Series:
    """A date column as datetime.date values (the keys of per-date groupings)."""
    return pd.to_datetime(values).dt.date


def played_games(schedule: pd.DataFrame) -> pd.DataFrame:
    """The schedule's games that are played on their date: every game not postponed."""
    return schedule[~schedule["is_postponed"].fillna(False).astype(bool)]


def final_games(schedule: pd.DataFrame) -> pd.DataFrame:
    """The schedule's final games that were played (a postponed game can carry a stale status)."""
    played = played_games(schedule)
    return played[played["game_status"] == GameStatus.FINAL]


@dataclass(frozen=True)
class Deadline:
    """When the partition of game date D is due, in ET: on D itself or ``days_after`` later, at ``at``."""

    days_after: int  # 0: due on the game date itself; 1: the next morning
    at: dt.time

    def due(self, game_date: dt.date) -> dt.datetime:
        return dt.datetime.combine(game_date + dt.timedelta(days=self.days_after), self.at, tzinfo=ET)

    def cron(self) -> str:
        return f"{self.at.minute} {self.at.hour} * * *"
