"""Legacy features 25-59 (legacy-system.md 4.1): the Vegas line and the extended player history and
game context."""

from __future__ import annotations

from nba_pipeline.domain.features.computations import (
    CALCULATED,
    OPPONENT_HISTORY,
    PHASE3,
    PHASE4,
    SEASON_FALLBACK,
    VEGAS_SOURCE,
    column,
    line_delta,
    number,
    zscore,
)
from nba_pipeline.domain.features.contract import GAME_CONTEXT as G
from nba_pipeline.domain.features.contract import PLAYER_HISTORY as H
from nba_pipeline.domain.features.contract import TEAM_CONTEXT as T
from nba_pipeline.domain.features.contract import VEGAS as V
from nba_pipeline.domain.features.contract import Feature

EXTENDED: tuple[Feature, ...] = (
    Feature(
        "vegas_points_line",
        "latest pre-tip line (DraftKings > FanDuel > others)",
        V,
        VEGAS_SOURCE,
        lambda x: number(x, "current_points_line"),
        optional=True,
    ),
    Feature(
        "vegas_opening_line",
        "earliest snapshot line, same book",
        V,
        VEGAS_SOURCE,
        lambda x: number(x, "opening_points_line"),
        optional=True,
    ),
    Feature("vegas_line_move", "current - opening", V, CALCULATED, lambda x: number(x, "line_movement"), optional=True),
    Feature(
        "has_vegas_line",
        "1 if a pre-tip line exists",
        V,
        CALCULATED,
        lambda x: number(x, "current_points_line").notna().astype(float),
    ),
    # Legacy fallback: the season mean when the player has not met this opponent (a real value of
    # lower specificity, weighted like Phase 3, not a default).
    Feature(
        "avg_points_vs_opponent",
        "mean points vs this opponent (fallback: season mean)",
        H,
        OPPONENT_HISTORY,
        column("vs_opponent", "mean"),
        fallback=(SEASON_FALLBACK, column("daily_cache", "points_avg_season")),
    ),
    Feature("games_vs_opponent", "games vs this opponent", H, OPPONENT_HISTORY, column("vs_opponent", "count")),
    Feature(
        "minutes_avg_last_10",
        "mean minutes, last 10 played games",
        H,
        PHASE4,
        column("daily_cache", "minutes_avg_last_10"),
        default=28.0,
    ),
    Feature(
        "ppm_avg_last_10", "points per minute, last 10", H, PHASE4, column("daily_cache", "ppm_last_10"), default=0.4
    ),
    Feature(
        "dnp_rate",
        "share of last 10 team games as DNP (>= 3 rows)",
        H,
        CALCULATED,
        column("dnp", "dnp_rate_l10"),
        default=0.0,
        default_when=lambda x: x.dnp["rows_l10"].fillna(0) < 3,
    ),
    Feature(
        "pts_slope_10g",
        "OLS slope of points over last 10 (>= 5 games)",
        H,
        CALCULATED,
        column("state", "pts_slope_l10"),
        default=0.0,
    ),
    Feature(
        "pts_vs_season_zscore",
        "(L5 - season) / std L10, clamped +-3",
        H,
        CALCULATED,
        lambda x: zscore(x).clip(lower=-3, upper=3),
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
            .where(zscore(x).notna())
        ),
        default=0.0,
    ),
    Feature(
        "star_teammates_out",
        "teammates OUT/DOUBTFUL averaging >= 18 PPG (or >= 28 MPG and >= 12)",
        H,
        PHASE3,
        lambda x: number(x, "star_teammates_out"),
        optional=True,
    ),
    Feature(
        "game_total_line", "consensus game total", G, VEGAS_SOURCE, lambda x: number(x, "game_total"), optional=True
    ),
    Feature("days_rest", "days since last game", G, PHASE3, lambda x: number(x, "days_rest"), optional=True),
    Feature(
        "minutes_load_last_7d",
        "minutes in the last 7 days",
        G,
        PHASE3,
        lambda x: number(x, "minutes_last_7_days"),
        optional=True,
    ),
    Feature(
        "spread_magnitude", "abs(team spread)", G, VEGAS_SOURCE, lambda x: number(x, "game_spread").abs(), optional=True
    ),
    Feature(
        "implied_team_total",
        "(total - spread) / 2 for the team",
        G,
        CALCULATED,
        lambda x: (number(x, "game_total") - number(x, "game_spread")) / 2,
        optional=True,
    ),
    Feature("points_avg_last_3", "mean points, last 3", H, CALCULATED, column("state", "pts_l3"), optional=True),
    Feature(
        "scoring_trend_slope",
        "OLS slope of points over last 7 (>= 4 games)",
        H,
        CALCULATED,
        column("state", "pts_slope_l7"),
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
        column("state", "below_avg_streak"),
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
    Feature("usage_rate_last_5", "mean usage, last 5", H, CALCULATED, column("state", "usage_l5"), optional=True),
    Feature(
        "games_since_structural_change",
        "games since a team change or a >= 14-day gap",
        H,
        CALCULATED,
        column("state", "games_since_change"),
        optional=True,
    ),
    Feature(
        "multi_book_line_std",
        "std of the books' latest pre-tip lines",
        G,
        VEGAS_SOURCE,
        column("line_spread", "line_std"),
        optional=True,
    ),
    Feature(
        "prop_over_streak",
        "consecutive games over the line",
        H,
        PHASE3,
        lambda x: number(x, "prop_over_streak"),
        optional=True,
    ),
    Feature(
        "prop_under_streak",
        "consecutive games under the line",
        H,
        PHASE3,
        lambda x: number(x, "prop_under_streak"),
        optional=True,
    ),
    Feature(
        "line_vs_season_avg",
        "vegas_points_line - points_avg_season",
        G,
        CALCULATED,
        lambda x: number(x, "current_points_line") - x.daily_cache["points_avg_season"],
        optional=True,
    ),
    Feature(
        "prop_line_delta",
        "current line - line at previous game (14-day lookback)",
        H,
        CALCULATED,
        line_delta,
        optional=True,
    ),
    Feature(
        "over_rate_last_10",
        "share of last 10 lined games over the line",
        H,
        CALCULATED,
        column("state", "over_rate_l10"),
        optional=True,
    ),
    Feature(
        "margin_vs_line_avg_last_5",
        "mean (actual - line), last 5 lined games",
        H,
        CALCULATED,
        column("state", "margin_line_l5"),
        optional=True,
    ),
    Feature(
        "blowout_minutes_risk",
        "share of team's last 10 games decided by 15+",
        T,
        CALCULATED,
        column("daily_cache", "team_blowout_rate_last_10"),
        optional=True,
    ),
    Feature(
        "minutes_volatility_last_10",
        "std of minutes, last 10",
        H,
        CALCULATED,
        column("state", "min_std_l10"),
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
