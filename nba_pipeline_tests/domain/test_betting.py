"""The one betting module: odds, implied probability, break-even, expected value, settlement and edge
buckets, and which of the earlier copies' definitions it keeps."""

import numpy as np
import pandas as pd
import pytest

from nba_pipeline.domain import betting
from nba_pipeline.domain import grading as gr


def test_odds_convert_both_ways():
    assert betting.decimal_odds(-110) == pytest.approx(1 + 100 / 110)
    assert betting.decimal_odds(150) == 2.5
    assert betting.american_odds(2.5) == pytest.approx(150)
    assert betting.american_odds(betting.decimal_odds(-110)) == pytest.approx(-110)
    assert betting.american_odds(2.0) == 100
    s = pd.Series([-200.0, 100.0, np.nan], index=[7, 8, 9])
    back = betting.american_odds(betting.decimal_odds(s))
    assert list(back.index) == [7, 8, 9] and back.iloc[:2].tolist() == pytest.approx([-200, 100]) and np.isnan(back[9])


def test_implied_probability_is_the_break_even():
    assert betting.implied_probability(-110) == 110 / 210
    assert betting.implied_probability(150) == 100 / 250
    for price in (-110, -200, 120, 150):
        assert betting.break_even(price) == betting.implied_probability(price)
        assert betting.expected_value(betting.break_even(price), price) == pytest.approx(0.0, abs=1e-12)
    # The main-line choice compares whatever the books quoted: an odd price is not refused there.
    assert betting.implied_probability(pd.Series([50.0, np.nan])).iloc[0] == pytest.approx(100 / 150)


def test_expected_value_at_an_unknown_price_is_at_minus_110():
    assert betting.expected_value(0.55, np.nan) == betting.expected_value(0.55, -110)
    got = betting.expected_value(np.array([0.55, 0.55]), pd.Series([None, 150], dtype="Int64"))
    assert got.tolist() == pytest.approx([0.55 * 100 / 110 - 0.45, 0.55 * 1.5 - 0.45])


def test_line_and_bet_results_decide_push_win_and_loss_once():
    actual = pd.Series([24.0, 24.0, 22.0, np.nan, 30.0, 18.0], index=list("abcdef"))
    line = pd.Series([20.5, 20.5, 22.0, 20.5, np.nan, 20.5], index=list("abcdef"))
    assert betting.line_result(actual, line).tolist() == ["OVER", "OVER", "PUSH", None, None, "UNDER"]
    side = pd.Series(["OVER", "UNDER", "OVER", "OVER", "OVER", "PASS"], index=list("abcdef"))
    assert betting.bet_result(side, actual, line).tolist() == ["win", "loss", "push", None, None, None]
    assert betting.bet_result(["UNDER"], [18.0], [20.5]).tolist() == ["win"]


def test_edge_buckets_are_one_list_and_grading_names_the_noise_under_3():
    edge = pd.Series([0.0, 0.9, 1.0, 2.5, 2.9999999999, 3.0, 4.9, 5.0, 12.0, np.nan])
    assert betting.edge_bucket(edge).tolist()[:9] == ["0-1", "0-1", "1-2", "2-3", "3-5", "3-5", "3-5", "5+", "5+"]
    graded = betting.graded_edge_bucket(edge).tolist()
    assert graded[:9] == ["<3", "<3", "<3", "<3", "3-5", "3-5", "3-5", "5+", "5+"] and pd.isna(graded[9])


def test_blocked_means_below_the_exact_break_even_at_minus_110():
    """Grading used a rounded 0.524 and the evaluation 110/210: the README's "break-even at -110 is
    52.4 %" is the price's arithmetic, so the exact value is kept. 11 of 21 is exactly break-even:
    not losing money, hence not BLOCKED (the rounded constant blocked it)."""
    assert gr.BREAK_EVEN_HIT_RATE == betting.break_even(-110) == 11 / 21
    assert gr.performance_state(11 / 21, 21) == "DEGRADING"
    assert gr.performance_state(10 / 21, 21) == "BLOCKED"
