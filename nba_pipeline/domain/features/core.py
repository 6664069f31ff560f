"""The first 25 legacy features (legacy-system.md 4.1, indexes 0-24): recent scoring, the composite
factors, game and team context."""

from __future__ import annotations

from nba_pipeline.domain.features.computations import (
    CALCULATED,
    INJURY_RISK,
    PHASE3,
    PHASE4,
    bucket,
    column,
    minutes_change,
    number,
    recent_trend,
    team_games,
)
from nba_pipeline.domain.features.contract import GAME_CONTEXT as G
from nba_pipeline.domain.features.contract import MATCHUP as M
from nba_pipeline.domain.features.contract import MISSING, Feature
from nba_pipeline.domain.features.contract import PLAYER_HISTORY as H
from nba_pipeline.domain.features.contract import TEAM_CONTEXT as T

CORE: tuple[Feature, ...] = (
    Feature(
        "points_avg_last_5", "mean points, last 5 played games", H, PHASE4, column("daily_cache", "points_avg_last_5")
    ),
    Feature(
        "points_avg_last_10",
        "mean points, last 10 played games",
        H,
        PHASE4,
        column("daily_cache", "points_avg_last_10"),
    ),
    Feature("points_avg_season", "season mean of played games", H, PHASE4, column("daily_cache", "points_avg_season")),
    Feature(
        "points_std_last_10",
        "std of points, last 10 (>= 2 games)",
        H,
        PHASE4,
        column("daily_cache", "points_std_last_10"),
    ),
    Feature(
        "games_in_last_7_days",
        "games played in the 7 days before the date",
        H,
        PHASE4,
        column("daily_cache", "games_in_last_7_days"),
    ),
    Feature(
        "fatigue_score",
        "0-100 fatigue (rest, load, back-to-backs, age)",
        M,
        PHASE4,
        column("composite_factors", "fatigue_score"),
    ),
    Feature(
        "shot_zone_mismatch_score",
        "opponent weakness in the player's primary zone, +-10 (two measurable zones: three-point, two-point)",
        M,
        PHASE4,
        column("composite_factors", "shot_zone_mismatch_score"),
    ),
    Feature("pace_score", "pace differential / 2, +-3", M, PHASE4, column("composite_factors", "pace_score")),
    Feature(
        "usage_spike_score",
        "(25 - usage last 7) x 0.3, star-out multiplier, +-3",
        M,
        PHASE4,
        column("composite_factors", "usage_spike_score"),
    ),
    Feature(
        "rest_advantage",
        "player days rest - opponent days rest, clamped +-2",
        G,
        CALCULATED,
        lambda x: (number(x, "days_rest") - number(x, "opponent_days_rest")).clip(lower=-2, upper=2),
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
        lambda x: recent_trend(x).map(lambda v: bucket(v, 5, 2, -2, -5)),
        default=0.0,
        default_when=lambda x: x.state["games_l10"].fillna(0) < 5,
    ),
    Feature(
        "minutes_change",
        "(minutes L10 - season) / season, bucketed -2..2",
        G,
        CALCULATED,
        lambda x: minutes_change(x).map(lambda v: bucket(v, 0.2, 0.1, -0.1, -0.2)),
        default=0.0,
    ),
    Feature(
        "opponent_def_rating",
        "opponent defensive rating, last 15 games",
        M,
        PHASE4,
        column("opponent_defense", "defensive_rating_last_15"),
    ),
    Feature(
        "opponent_pace",
        "opponent possessions per game allowed, last 15",
        M,
        PHASE4,
        column("opponent_defense", "opponent_pace"),
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
    Feature("team_pace", "team pace, last 10 games", T, PHASE4, column("daily_cache", "team_pace_last_10")),
    Feature(
        "team_off_rating",
        "team offensive rating, last 10 games",
        T,
        PHASE4,
        column("daily_cache", "team_off_rating_last_10"),
    ),
    Feature(
        "team_win_pct",
        "season win share (>= 5 games else 0.5)",
        T,
        CALCULATED,
        lambda x: x.team_context["season_wins"] / team_games(x).where(team_games(x) > 0),
        default=0.5,
        default_when=lambda x: team_games(x) < 5,
    ),
)
