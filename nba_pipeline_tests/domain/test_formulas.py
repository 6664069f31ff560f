"""Legacy formulas (section 3) against hand-computed values."""

import math

import pandas as pd
import pytest

from nba_pipeline.domain import formulas as f
from nba_pipeline.domain.names import player_lookup


@pytest.mark.parametrize(
    "text, expected",
    [
        ("40:11", 40.2),
        ("0:59", 1.0),
        ("12:00", 12.0),
        ("PT20M46.00S", 20.8),
        (36, 36.0),
        ("36", 36.0),
        ("-", None),
        ("", None),
        ("null", None),
        (None, None),
        (float("nan"), None),
    ],
)
def test_parse_minutes(text, expected):
    assert f.parse_minutes(text) == expected


@pytest.mark.parametrize("bad", ["40:61", "abc", "-3"])
def test_parse_minutes_rejects_garbage(bad):
    with pytest.raises(f.MinutesFormatError):
        f.parse_minutes(bad)


def test_possessions_rating_pace():
    poss = f.possessions(88, 22, 13, 10).iloc[0]
    assert poss == pytest.approx(88 + 9.68 + 13 - 10)  # 100.68
    assert f.rating(110, poss).iloc[0] == pytest.approx(100 * 110 / 100.68)
    # 265 team minutes = one overtime: a 53-minute game.
    gm = f.game_minutes_from_team_minutes([265]).iloc[0]
    assert gm == 53.0 and f.overtime_periods([265]).iloc[0] == 1 and f.overtime_periods([240]).iloc[0] == 0
    assert f.pace(poss, gm).iloc[0] == pytest.approx(100.68 * 48 / 53)
    assert f.team_minutes_value("265:00") == 265 and f.team_minutes_value("PT240M00.00S") == 240


def test_usage_rate_hand_computed_and_impossible_values_null():
    usage = f.usage_rate(
        pd.Series([20, 5, 3]),
        pd.Series([5, 0, 0]),
        pd.Series([3, 1, 0]),
        pd.Series([36.0, 2.0, 0.0]),
        pd.Series([88] * 3),
        pd.Series([22] * 3),
        pd.Series([13] * 3),
    )
    # 100 * (20 + 2.2 + 3) * 48 / (36 * (88 + 9.68 + 13)) = 30.36 -> 30.4
    assert usage.iloc[0] == 30.4
    assert math.isnan(usage.iloc[1])  # 130%: impossible, NULL (legacy incident 12)
    assert math.isnan(usage.iloc[2])  # no minutes
    no_team = f.usage_rate(
        pd.Series([20]),
        pd.Series([5]),
        pd.Series([3]),
        pd.Series([36.0]),
        pd.Series([None]),
        pd.Series([None]),
        pd.Series([None]),
    )
    assert math.isnan(no_team.iloc[0])


def test_shooting_efficiency():
    assert f.effective_fg_pct(10, 3, 20).iloc[0] == pytest.approx(0.575)
    assert f.true_shooting_pct(30, 20, 5).iloc[0] == pytest.approx(30 / 44.4)
    assert math.isnan(f.true_shooting_pct(2, 0, 2).iloc[0])  # only when FGA > 0


def test_dnp_rule():
    status = pd.Series(["active", "active", "active", "dnp", "inactive"])
    minutes = pd.Series([30.0, 0.0, None, None, None])
    assert f.is_dnp(status, minutes).tolist() == [False, True, False, True, True]


@pytest.mark.parametrize(
    "reason, category",
    [
        ("DNP - Injury/Illness", "injury"),
        ("Injury/Illness - Left Ankle; Sprain", "injury"),
        ("DNP - Rest", "rest"),
        ("DNP - Coach's Decision", "coach_decision"),
        ("NWT - Personal", "personal"),
        ("G League - Two-Way", "coach_decision"),
        ("Something else", "other"),
        (None, None),
    ],
)
def test_dnp_reason_category(reason, category):
    assert f.dnp_reason_category(reason) == category


@pytest.mark.parametrize(
    "name, key",
    [
        ("Nikola Jokić", "nikolajokic"),
        ("Jokic, Nikola", "nikolajokic"),
        ("Jaren Jackson Jr.", "jarenjackson"),
        ("Jaquez Jr., Jaime", "jaimejaquez"),
        ("Shai Gilgeous-Alexander", "shaigilgeousalexander"),
        ("Alperen Şengün", "alperensengun"),
        ("P.J. Washington", "pjwashington"),
        ("Kristaps Porziņģis", "kristapsporzingis"),
    ],
)
def test_player_lookup(name, key):
    assert player_lookup(name) == key
