"""Game dates and the schedule's game filters: the first and last date of a range, the history an
upcoming date reads, which scheduled games are played (not postponed) and which are final.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pandas as pd

# Days of history the upcoming-game tables and Phase 4 read: a whole season plus its predecessor's tail.
HISTORY_DAYS = 400
FINAL_STATUS = 3  # the schedule's game_status of a final game (1 scheduled, 2 in progress)


def span(game_dates: Iterable[dt.date]) -> tuple[dt.date, dt.date]:
    """(first, last) of a range of game dates."""
    game_dates = list(game_dates)
    return min(game_dates), max(game_dates)


def history_window(game_dates: Iterable[dt.date]) -> tuple[dt.date, dt.date]:
    """The dates of completed-game history that upcoming dates read: HISTORY_DAYS before the first
    through the day before the last (each date then keeps only what lies strictly before it)."""
    first, last = span(game_dates)
    return first - dt.timedelta(days=HISTORY_DAYS), last - dt.timedelta(days=1)


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
    """The schedule's final games: status final and not postponed."""
    played = played_games(schedule)
    return played[played["game_status"] == FINAL_STATUS]
