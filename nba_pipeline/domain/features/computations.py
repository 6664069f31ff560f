"""What several feature definitions compute alike: the sources they name, buckets, z-scores, trends,
and columns of the player's context as numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd

from nba_pipeline.domain.features.inputs import FeatureInputs

PHASE4, PHASE3, CALCULATED, VEGAS_SOURCE, OPPONENT_HISTORY = (
    "phase4",
    "phase3",
    "calculated",
    "vegas",
    "opponent_history",
)
SEASON_FALLBACK = "season_fallback"
INJURY_RISK = {"available": 0, "probable": 1, "questionable": 2, "doubtful": 3, "out": 3}


def bucket(x, hi2, hi1, lo1, lo2):
    """-2..2: 2 at or above hi2, 1 at or above hi1, -2 at or below lo2, -1 at or below lo1, else 0."""
    if x is None or pd.isna(x):
        return np.nan
    return 2 if x >= hi2 else 1 if x >= hi1 else -2 if x <= lo2 else -1 if x <= lo1 else 0


def number(x: FeatureInputs, column: str) -> pd.Series:
    """A column of the player's upcoming context as numbers (NULL where not a number)."""
    return pd.to_numeric(x.context[column], errors="coerce")


def zscore(x: FeatureInputs) -> pd.Series:
    """(points L5 - season mean) / std L10; NULL without a spread."""
    std = x.state["pts_std_l10"]
    return (x.state["pts_l5"] - x.daily_cache["points_avg_season"]) / std.where(std > 0)


def recent_trend(x: FeatureInputs) -> pd.Series:
    """Mean of the last 2 of the last 5 games minus the mean of the 3 before them."""
    s = x.state
    return s["pts_l2"] - (5 * s["pts_l5"] - 2 * s["pts_l2"]) / 3


def minutes_change(x: FeatureInputs) -> pd.Series:
    c = x.daily_cache
    return (c["minutes_avg_last_10"] - c["minutes_avg_season"]) / c["minutes_avg_season"].where(
        c["minutes_avg_season"] > 0
    )


def team_games(x: FeatureInputs) -> pd.Series:
    return x.team_context["season_wins"].fillna(0) + x.team_context["season_losses"].fillna(0)


def line_delta(x: FeatureInputs) -> pd.Series:
    """Tonight's line minus the line at his previous lined game, within 14 days."""
    recent = (x.context["game_date"] - pd.to_datetime(x.state["last_line_date"])).dt.days <= 14
    return (number(x, "current_points_line") - x.state["last_line"]).where(recent)


def column(table: str, name: str):
    """A feature that is a column of one of its input tables, as it stands."""

    def compute(x: FeatureInputs) -> pd.Series:
        return getattr(x, table)[name]

    compute.__name__ = f"{table}.{name}"
    return compute
