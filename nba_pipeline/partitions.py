"""The game_date partitions every table shares, and the calendar helpers that go with them."""

from __future__ import annotations

import datetime as dt

import dagster as dg

from nba_pipeline.calendar import ET_NAME

# The 2024-25 preseason opens in early October; the data epoch of this project.
FIRST_GAME_DATE = "2024-10-01"

# end_offset=2: the last partition is tomorrow in ET, so tonight's games (today) and tomorrow's
# upcoming-game context both have a partition before their games start.
GAME_DATE_PARTITIONS = dg.DailyPartitionsDefinition(start_date=FIRST_GAME_DATE, timezone=ET_NAME, end_offset=2)

# Regular-season openers (legacy shared/config/nba_season_dates.py); used by the simulated league
# and by "season" windows. A season's year is the calendar year it starts in.
SEASON_OPENERS = {
    2024: dt.date(2024, 10, 22),
    2025: dt.date(2025, 10, 21),
    2026: dt.date(2026, 10, 21),
    2027: dt.date(2027, 10, 19),
}


def season_year(day: dt.date) -> int:
    """Calendar year the season of ``day`` starts in (Oct-Dec: same year; Jan-Sep: previous)."""
    return day.year if day.month >= 10 else day.year - 1


def season_label(year: int) -> str:
    return f"{year}-{str(year + 1)[-2:]}"


def season_opener(year: int) -> dt.date:
    # Unknown future seasons open on the third Tuesday of October, as recent ones did.
    if year in SEASON_OPENERS:
        return SEASON_OPENERS[year]
    first = dt.date(year, 10, 1)
    first_tuesday = first + dt.timedelta(days=(1 - first.weekday()) % 7)
    return first_tuesday + dt.timedelta(days=14)


def to_date(partition_key: str) -> dt.date:
    return dt.date.fromisoformat(partition_key)


def context_dates(context: dg.AssetExecutionContext | dg.AssetCheckExecutionContext) -> list[dt.date]:
    """The game dates a run covers: one partition, or a range (a backfill's run, the CLI's, automation's)."""
    if context.has_partition_key_range:
        keys = context.partition_keys
    else:
        keys = [context.partition_key]
    return sorted(to_date(k) for k in keys)
