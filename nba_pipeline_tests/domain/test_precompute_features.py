"""Phase 4 formulas and the feature-store quality score against hand-computed values."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from nba_pipeline.domain import features as F
from nba_pipeline.domain import history
from nba_pipeline.domain import precompute as pc
from nba_pipeline.domain.features.computations import bucket


def test_fatigue_score_rules():
    assert pc.fatigue_score(False, 2, 2, 60, 30, 0, 25) == 100
    assert pc.fatigue_score(False, 3, 2, 60, 30, 0, 25) == 100  # +5 clamped at 100
    # B2B -15, 4 games in 7 d -10, 250 min in 7 d -10, 36 MPG -8, two B2Bs in 14 d -12, age 36 -10
    assert pc.fatigue_score(True, 1, 4, 250, 36, 2, 36) == 100 - 15 - 10 - 10 - 8 - 12 - 10
    assert pc.fatigue_score(True, 1, 4, 250, 36, 1, 31) == 100 - 15 - 10 - 10 - 8 - 5 - 5


def test_shot_zone_mismatch():
    # Perimeter player (45% threes) vs a defense allowing +4 pct points from three: 4 * min(45/50, 1) = 3.6
    assert pc.shot_zone_mismatch("perimeter", 45, 4.0, -1.0) == pytest.approx(3.6)
    # |x| > 5 is amplified by 1.2, then clamped at 10.
    assert pc.shot_zone_mismatch("perimeter", 60, 7.0, 0) == pytest.approx(8.4)
    assert pc.shot_zone_mismatch("perimeter", 60, 12.0, 0) == 10.0
    assert pc.shot_zone_mismatch("interior", 20, 0, -3.0) == pytest.approx(-3.0)  # 80% twos -> rate capped at 1
    assert pc.shot_zone_mismatch(None, None, 3.0, 3.0) is None


def test_usage_spike_and_primary_zone():
    assert pc.usage_spike(None, 20.0, 0) == pytest.approx(1.5)  # (25 - 20) * 0.3
    assert pc.usage_spike(None, 20.0, 2) == pytest.approx(1.95)  # x1.30 with >= 2 stars out
    assert pc.usage_spike(None, 40.0, 2) == -3.0  # clamped; the multiplier only applies upward
    assert (pc.primary_zone(41), pc.primary_zone(36), pc.primary_zone(20)) == ("perimeter", "balanced", "interior")


def _pgs(points, minutes=None, start=dt.date(2025, 1, 1)):
    n = len(points)
    return pd.DataFrame(
        {
            "player_id": 7,
            "game_date": [pd.Timestamp(start + dt.timedelta(days=2 * i)) for i in range(n)],
            "team_tricode": "NYK",
            "opponent_tricode": "BOS",
            "points": points,
            "minutes": minutes or [30.0] * n,
            "usage_rate": 25.0,
            "ts_pct": 0.6,
            "ftm": 4,
            "fta": 5,
            "fga": 15,
            "fg3a": 6,
            "fg3m": 2,
            "fgm": 6,
            "points_line": np.nan,
            "over_under_result": None,
            "margin_vs_line": np.nan,
            "season_year": 2024,
            "is_dnp": False,
        }
    )


def test_rolling_state_is_looked_up_strictly_before_the_date():
    pgs = _pgs([10, 20, 30, 40, 50, 60])  # on Jan 1, 3, 5, 7, 9, 11
    state = history.player_game_state(pgs)
    targets = pd.DataFrame({"game_date": [pd.Timestamp("2025-01-11"), pd.Timestamp("2025-01-12")], "player_id": [7, 7]})
    got = history.asof(state[["player_id", "game_date", "pts_l5", "pts_l3", "pts_slope_l10"]], targets, "player_id")
    # On the 11th the game of the 11th is not history: last 5 = 10..50 -> 30; on the 12th: 20..60 -> 40.
    assert got["pts_l5"].tolist() == [30.0, 40.0]
    assert got["pts_l3"].tolist() == [40.0, 50.0]
    assert got["pts_slope_l10"].tolist() == pytest.approx([10.0, 10.0])


def test_quality_score_caps_and_readiness():
    all_good = pd.DataFrame([{i: "phase4" for i in range(F.N_FEATURES)}])
    q = F.score_quality(all_good).iloc[0]
    assert q["feature_quality_score"] == 100 and q["quality_tier"] == "gold" and q["is_quality_ready"]

    # An optional feature missing is skipped, not averaged in.
    opt_missing = all_good.copy()
    opt_missing[25] = "missing"
    assert F.score_quality(opt_missing).iloc[0]["feature_quality_score"] == 100

    one_default = all_good.copy()
    one_default[0] = "default"
    q = F.score_quality(one_default).iloc[0]
    assert q["feature_quality_score"] == 69 and q["required_default_count"] == 1 and not q["is_quality_ready"]

    five_defaults = all_good.copy()
    for i in (0, 1, 2, 3, 4):
        five_defaults[i] = "default"
    assert F.score_quality(five_defaults).iloc[0]["feature_quality_score"] == 49

    # Phase 3-sourced matchup features lower the matchup category without blocking.
    matchup = all_good.copy()
    for i in (5, 6, 7, 8):
        matchup[i] = "phase3"
    q = F.score_quality(matchup).iloc[0]
    assert q["matchup_quality"] == pytest.approx((4 * 87 + 2 * 100) / 6, abs=0.01) and q["is_quality_ready"]


LEGACY_FEATURE_NAMES = (
    "points_avg_last_5",
    "points_avg_last_10",
    "points_avg_season",
    "points_std_last_10",
    "games_in_last_7_days",
    "fatigue_score",
    "shot_zone_mismatch_score",
    "pace_score",
    "usage_spike_score",
    "rest_advantage",
    "injury_risk",
    "recent_trend",
    "minutes_change",
    "opponent_def_rating",
    "opponent_pace",
    "home_away",
    "back_to_back",
    "playoff_game",
    "pct_paint",
    "pct_mid_range",
    "pct_three",
    "pct_free_throw",
    "team_pace",
    "team_off_rating",
    "team_win_pct",
    "vegas_points_line",
    "vegas_opening_line",
    "vegas_line_move",
    "has_vegas_line",
    "avg_points_vs_opponent",
    "games_vs_opponent",
    "minutes_avg_last_10",
    "ppm_avg_last_10",
    "dnp_rate",
    "pts_slope_10g",
    "pts_vs_season_zscore",
    "breakout_flag",
    "star_teammates_out",
    "game_total_line",
    "days_rest",
    "minutes_load_last_7d",
    "spread_magnitude",
    "implied_team_total",
    "points_avg_last_3",
    "scoring_trend_slope",
    "deviation_from_avg_last3",
    "consecutive_games_below_avg",
    "teammate_usage_available",
    "usage_rate_last_5",
    "games_since_structural_change",
    "multi_book_line_std",
    "prop_over_streak",
    "prop_under_streak",
    "line_vs_season_avg",
    "prop_line_delta",
    "over_rate_last_10",
    "margin_vs_line_avg_last_5",
    "blowout_minutes_risk",
    "minutes_volatility_last_10",
    "opponent_pace_mismatch",
)


def test_feature_contract():
    assert [f.index for f in F.FEATURES] == list(range(len(F.FEATURES)))
    assert len(set(F.FEATURE_NAMES)) == len(F.FEATURES)
    # The legacy store's 60 features are the contract: their names in their order (legacy 4.1).
    assert F.FEATURE_NAMES[: F.LEGACY_FEATURE_COUNT] == LEGACY_FEATURE_NAMES and F.LEGACY_FEATURE_COUNT == 60
    assert {f.index for f in F.UNAVAILABLE} == {18, 19}
    assert {25, 26, 27}.issubset(F.OPTIONAL) and 28 not in F.OPTIONAL
    assert bucket(5.0, 5, 2, -2, -5) == 2 and bucket(-2.5, 5, 2, -2, -5) == -1 and bucket(0, 5, 2, -2, -5) == 0
