"""The 60 legacy features (legacy-system.md 4.1), each defined once: name, meaning, category, source,
computation, default and whether it is optional. Their order is the store's column order (feature
``index``); a new feature is appended as one more definition.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from nba_pipeline.domain.features.contract import GAME_CONTEXT as G
from nba_pipeline.domain.features.contract import MATCHUP as M
from nba_pipeline.domain.features.contract import MISSING, Feature
from nba_pipeline.domain.features.contract import PLAYER_HISTORY as H
from nba_pipeline.domain.features.contract import TEAM_CONTEXT as T
from nba_pipeline.domain.features.contract import VEGAS as V
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


def _number(x: FeatureInputs, column: str) -> pd.Series:
    """A column of the player's upcoming context as numbers (NULL where not a number)."""
    return pd.to_numeric(x.context[column], errors="coerce")


def _zscore(x: FeatureInputs) -> pd.Series:
    """(points L5 - season mean) / std L10; NULL without a spread."""
    std = x.state["pts_std_l10"]
    return (x.state["pts_l5"] - x.daily_cache["points_avg_season"]) / std.where(std > 0)


def _recent_trend(x: FeatureInputs) -> pd.Series:
    """Mean of the last 2 of the last 5 games minus the mean of the 3 before them."""
    s = x.state
    return s["pts_l2"] - (5 * s["pts_l5"] - 2 * s["pts_l2"]) / 3


def _minutes_change(x: FeatureInputs) -> pd.Series:
    c = x.daily_cache
    return (c["minutes_avg_last_10"] - c["minutes_avg_season"]) / c["minutes_avg_season"].where(
        c["minutes_avg_season"] > 0
    )


def _team_games(x: FeatureInputs) -> pd.Series:
    return x.team_context["season_wins"].fillna(0) + x.team_context["season_losses"].fillna(0)


def _line_delta(x: FeatureInputs) -> pd.Series:
    """Tonight's line minus the line at his previous lined game, within 14 days."""
    recent = (x.context["game_date"] - pd.to_datetime(x.state["last_line_date"])).dt.days <= 14
    return (_number(x, "current_points_line") - x.state["last_line"]).where(recent)


_DEFINITIONS: tuple[Feature, ...] = (
    Feature(
        "points_avg_last_5", "mean points, last 5 played games", H, PHASE4, lambda x: x.daily_cache["points_avg_last_5"]
    ),
    Feature(
        "points_avg_last_10",
        "mean points, last 10 played games",
        H,
        PHASE4,
        lambda x: x.daily_cache["points_avg_last_10"],
    ),
    Feature(
        "points_avg_season", "season mean of played games", H, PHASE4, lambda x: x.daily_cache["points_avg_season"]
    ),
    Feature(
        "points_std_last_10",
        "std of points, last 10 (>= 2 games)",
        H,
        PHASE4,
        lambda x: x.daily_cache["points_std_last_10"],
    ),
    Feature(
        "games_in_last_7_days",
        "games played in the 7 days before the date",
        H,
        PHASE4,
        lambda x: x.daily_cache["games_in_last_7_days"],
    ),
    Feature(
        "fatigue_score",
        "0-100 fatigue (rest, load, back-to-backs, age)",
        M,
        PHASE4,
        lambda x: x.composite_factors["fatigue_score"],
    ),
    Feature(
        "shot_zone_mismatch_score",
        "opponent weakness in the player's primary zone, +-10 (two measurable zones: three-point, two-point)",
        M,
        PHASE4,
        lambda x: x.composite_factors["shot_zone_mismatch_score"],
    ),
    Feature("pace_score", "pace differential / 2, +-3", M, PHASE4, lambda x: x.composite_factors["pace_score"]),
    Feature(
        "usage_spike_score",
        "(25 - usage last 7) x 0.3, star-out multiplier, +-3",
        M,
        PHASE4,
        lambda x: x.composite_factors["usage_spike_score"],
    ),
    Feature(
        "rest_advantage",
        "player days rest - opponent days rest, clamped +-2",
        G,
        CALCULATED,
        lambda x: (_number(x, "days_rest") - _number(x, "opponent_days_rest")).clip(lower=-2, upper=2),
        default=0.0,
    ),
    Feature(
        "injury_risk",
        "available 0, probable 1, questionable 2, doubtful/out 3, none 0",
        G,
        CALCULATED,
        lambda x: x.context["injury_status"].map(INJURY_RISK).fillna(0),
    ),
    Feature(
        "recent_trend",
        "mean of last 2 - mean of previous 3 of last 5, bucketed -2..2",
        G,
        CALCULATED,
        lambda x: _recent_trend(x).map(lambda v: bucket(v, 5, 2, -2, -5)),
        default=0.0,
        default_when=lambda x: x.state["games_l10"].fillna(0) < 5,
    ),
    Feature(
        "minutes_change",
        "(minutes L10 - season) / season, bucketed -2..2",
        G,
        CALCULATED,
        lambda x: _minutes_change(x).map(lambda v: bucket(v, 0.2, 0.1, -0.1, -0.2)),
        default=0.0,
    ),
    Feature(
        "opponent_def_rating",
        "opponent defensive rating, last 15 games",
        M,
        PHASE4,
        lambda x: x.opponent_defense["defensive_rating_last_15"],
    ),
    Feature(
        "opponent_pace",
        "opponent possessions per game allowed, last 15",
        M,
        PHASE4,
        lambda x: x.opponent_defense["opponent_pace"],
    ),
    Feature("home_away", "1 home, 0 away", G, PHASE3, lambda x: x.context["is_home"].astype(float)),
    Feature("back_to_back", "1 if played the day before", G, PHASE3, lambda x: x.context["back_to_back"].astype(float)),
    Feature(
        "playoff_game", "1 if playoffs", G, PHASE3, lambda x: (x.context["season_phase"] == "playoffs").astype(float)
    ),
    Feature("pct_paint", "share of shots in the paint, last 10 (needs play-by-play)", G, MISSING, None, optional=True),
    Feature("pct_mid_range", "share of mid-range shots, last 10 (needs play-by-play)", G, MISSING, None, optional=True),
    Feature(
        "pct_three",
        "share of field-goal attempts from three, last 10",
        G,
        PHASE4,
        lambda x: x.shot_zones["three_rate_last_10"] / 100.0,
    ),
    Feature(
        "pct_free_throw",
        "free-throw points / points, last 10 (>= 5 games else 0.15), 0-0.5",
        G,
        CALCULATED,
        lambda x: x.daily_cache["ftm_share_last_10"].clip(lower=0, upper=0.5),
        default=0.15,
        default_when=lambda x: (
            x.daily_cache["ftm_share_last_10"].isna() | (x.daily_cache["games_in_sample_l10"].fillna(0) < 5)
        ),
    ),
    Feature("team_pace", "team pace, last 10 games", T, PHASE4, lambda x: x.daily_cache["team_pace_last_10"]),
    Feature(
        "team_off_rating",
        "team offensive rating, last 10 games",
        T,
        PHASE4,
        lambda x: x.daily_cache["team_off_rating_last_10"],
    ),
    Feature(
        "team_win_pct",
        "season win share (>= 5 games else 0.5)",
        T,
        CALCULATED,
        lambda x: x.team_context["season_wins"] / _team_games(x).where(_team_games(x) > 0),
        default=0.5,
        default_when=lambda x: _team_games(x) < 5,
    ),
    Feature(
        "vegas_points_line",
        "latest pre-tip line (DraftKings > FanDuel > others)",
        V,
        VEGAS_SOURCE,
        lambda x: _number(x, "current_points_line"),
        optional=True,
    ),
    Feature(
        "vegas_opening_line",
        "earliest snapshot line, same book",
        V,
        VEGAS_SOURCE,
        lambda x: _number(x, "opening_points_line"),
        optional=True,
    ),
    Feature(
        "vegas_line_move", "current - opening", V, CALCULATED, lambda x: _number(x, "line_movement"), optional=True
    ),
    Feature(
        "has_vegas_line",
        "1 if a pre-tip line exists",
        V,
        CALCULATED,
        lambda x: _number(x, "current_points_line").notna().astype(float),
    ),
    # Legacy fallback: the season mean when the player has not met this opponent (a real value of
    # lower specificity, weighted like Phase 3, not a default).
    Feature(
        "avg_points_vs_opponent",
        "mean points vs this opponent (fallback: season mean)",
        H,
        OPPONENT_HISTORY,
        lambda x: x.vs_opponent["mean"],
        fallback=(SEASON_FALLBACK, lambda x: x.daily_cache["points_avg_season"]),
    ),
    Feature("games_vs_opponent", "games vs this opponent", H, OPPONENT_HISTORY, lambda x: x.vs_opponent["count"]),
    Feature(
        "minutes_avg_last_10",
        "mean minutes, last 10 played games",
        H,
        PHASE4,
        lambda x: x.daily_cache["minutes_avg_last_10"],
        default=28.0,
    ),
    Feature(
        "ppm_avg_last_10", "points per minute, last 10", H, PHASE4, lambda x: x.daily_cache["ppm_last_10"], default=0.4
    ),
    Feature(
        "dnp_rate",
        "share of last 10 team games as DNP (>= 3 rows)",
        H,
        CALCULATED,
        lambda x: x.dnp["dnp_rate_l10"],
        default=0.0,
        default_when=lambda x: x.dnp["rows_l10"].fillna(0) < 3,
    ),
    Feature(
        "pts_slope_10g",
        "OLS slope of points over last 10 (>= 5 games)",
        H,
        CALCULATED,
        lambda x: x.state["pts_slope_l10"],
        default=0.0,
    ),
    Feature(
        "pts_vs_season_zscore",
        "(L5 - season) / std L10, clamped +-3",
        H,
        CALCULATED,
        lambda x: _zscore(x).clip(lower=-3, upper=3),
        default=0.0,
    ),
    Feature(
        "breakout_flag",
        "1 if L5 > season + 1.5 std",
        H,
        CALCULATED,
        lambda x: (
            (x.state["pts_l5"] > x.daily_cache["points_avg_season"] + 1.5 * x.state["pts_std_l10"])
            .astype(float)
            .where(_zscore(x).notna())
        ),
        default=0.0,
    ),
    Feature(
        "star_teammates_out",
        "teammates OUT/DOUBTFUL averaging >= 18 PPG (or >= 28 MPG and >= 12)",
        H,
        PHASE3,
        lambda x: _number(x, "star_teammates_out"),
        optional=True,
    ),
    Feature(
        "game_total_line", "consensus game total", G, VEGAS_SOURCE, lambda x: _number(x, "game_total"), optional=True
    ),
    Feature("days_rest", "days since last game", G, PHASE3, lambda x: _number(x, "days_rest"), optional=True),
    Feature(
        "minutes_load_last_7d",
        "minutes in the last 7 days",
        G,
        PHASE3,
        lambda x: _number(x, "minutes_last_7_days"),
        optional=True,
    ),
    Feature(
        "spread_magnitude",
        "abs(team spread)",
        G,
        VEGAS_SOURCE,
        lambda x: _number(x, "game_spread").abs(),
        optional=True,
    ),
    Feature(
        "implied_team_total",
        "(total - spread) / 2 for the team",
        G,
        CALCULATED,
        lambda x: (_number(x, "game_total") - _number(x, "game_spread")) / 2,
        optional=True,
    ),
    Feature("points_avg_last_3", "mean points, last 3", H, CALCULATED, lambda x: x.state["pts_l3"], optional=True),
    Feature(
        "scoring_trend_slope",
        "OLS slope of points over last 7 (>= 4 games)",
        H,
        CALCULATED,
        lambda x: x.state["pts_slope_l7"],
        optional=True,
    ),
    Feature(
        "deviation_from_avg_last3",
        "(L3 - 60-day mean) / 60-day std",
        H,
        CALCULATED,
        lambda x: (
            (x.state["pts_l3"] - x.state["pts_mean_60d"]) / x.state["pts_std_60d"].where(x.state["pts_std_60d"] > 0)
        ),
        optional=True,
    ),
    Feature(
        "consecutive_games_below_avg",
        "current streak of games below season mean",
        H,
        CALCULATED,
        lambda x: x.state["below_avg_streak"],
        optional=True,
    ),
    Feature(
        "teammate_usage_available",
        "summed usage (L10) of rotation teammates OUT/DOUBTFUL or absent from the team's last game",
        G,
        CALCULATED,
        lambda x: x.teammate_usage,
        optional=True,
    ),
    Feature("usage_rate_last_5", "mean usage, last 5", H, CALCULATED, lambda x: x.state["usage_l5"], optional=True),
    Feature(
        "games_since_structural_change",
        "games since a team change or a >= 14-day gap",
        H,
        CALCULATED,
        lambda x: x.state["games_since_change"],
        optional=True,
    ),
    Feature(
        "multi_book_line_std",
        "std of the books' latest pre-tip lines",
        G,
        VEGAS_SOURCE,
        lambda x: x.line_spread["line_std"],
        optional=True,
    ),
    Feature(
        "prop_over_streak",
        "consecutive games over the line",
        H,
        PHASE3,
        lambda x: _number(x, "prop_over_streak"),
        optional=True,
    ),
    Feature(
        "prop_under_streak",
        "consecutive games under the line",
        H,
        PHASE3,
        lambda x: _number(x, "prop_under_streak"),
        optional=True,
    ),
    Feature(
        "line_vs_season_avg",
        "vegas_points_line - points_avg_season",
        G,
        CALCULATED,
        lambda x: _number(x, "current_points_line") - x.daily_cache["points_avg_season"],
        optional=True,
    ),
    Feature(
        "prop_line_delta",
        "current line - line at previous game (14-day lookback)",
        H,
        CALCULATED,
        _line_delta,
        optional=True,
    ),
    Feature(
        "over_rate_last_10",
        "share of last 10 lined games over the line",
        H,
        CALCULATED,
        lambda x: x.state["over_rate_l10"],
        optional=True,
    ),
    Feature(
        "margin_vs_line_avg_last_5",
        "mean (actual - line), last 5 lined games",
        H,
        CALCULATED,
        lambda x: x.state["margin_line_l5"],
        optional=True,
    ),
    Feature(
        "blowout_minutes_risk",
        "share of team's last 10 games decided by 15+",
        T,
        CALCULATED,
        lambda x: x.daily_cache["team_blowout_rate_last_10"],
        optional=True,
    ),
    Feature(
        "minutes_volatility_last_10",
        "std of minutes, last 10",
        H,
        CALCULATED,
        lambda x: x.state["min_std_l10"],
        optional=True,
    ),
    Feature(
        "opponent_pace_mismatch",
        "team_pace - opponent_pace",
        G,
        CALCULATED,
        lambda x: x.values["team_pace"] - x.values["opponent_pace"],
        optional=True,
    ),
)

FEATURES: tuple[Feature, ...] = tuple(dataclasses.replace(f, index=i) for i, f in enumerate(_DEFINITIONS))
