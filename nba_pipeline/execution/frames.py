"""Per-date views of a range's frames: a run computes many dates at once and judges each alone."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from nba_pipeline.warehouse.spec import TableSpec


class ByDate:
    """A frame split by date once: ``by[d]`` is d's rows (an empty frame of the same columns if none)."""

    def __init__(self, frame: pd.DataFrame, column: str = "game_date"):
        self._empty = frame.iloc[0:0]
        self._groups: dict[dt.date, pd.DataFrame] = {}
        if len(frame):
            days = pd.to_datetime(frame[column]).dt.date
            self._groups = {d: g for d, g in frame.groupby(days, sort=False)}

    def __getitem__(self, day: dt.date) -> pd.DataFrame:
        return self._groups.get(day, self._empty)


def or_empty(spec: TableSpec, frame: pd.DataFrame) -> pd.DataFrame:
    """The frame, or the table's empty frame (with every column) when a computation yielded no rows."""
    return frame if len(frame) else spec.empty()
