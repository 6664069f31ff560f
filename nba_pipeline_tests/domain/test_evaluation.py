"""The evaluation's arithmetic on hand-made sets: prices, MAE / hit rate / ROI with pushes and voids,
edge buckets, calibration, weekly grouping, the date bootstrap and the verdicts."""

import base64

import numpy as np
import pandas as pd
import pytest

from nba_pipeline.domain import betting
from nba_pipeline.domain import evaluation as ev

MON, WED, SUN = pd.Timestamp("2025-01-06"), pd.Timestamp("2025-01-08"), pd.Timestamp("2025-01-12")


def _row(
    day,
    pid,
    predicted,
    line,
    actual,
    rec,
    system="A",
    consensus=np.nan,
    over_price=-110.0,
    under_price=-110.0,
    voided=False,
    p_over=np.nan,
):
    return {
        "game_date": day,
        "system_id": system,
        "player_id": pid,
        "predicted_points": predicted,
        "line_value": line,
        "consensus_line": consensus,
        "actual_points": actual,
        "is_voided": voided,
        "recommendation": rec,
        "p_over": p_over,
        "over_price": over_price,
        "under_price": under_price,
    }


# System A, 8 rows over 3 dates. Per row: error = predicted - actual; line error against the
# consensus (the system's own line where the consensus is missing).
SET_A = [
    _row(MON, 1, 25.0, 20.5, 24.0, "OVER", consensus=21.0, over_price=-120),  # err +1, line 3,   win at -120
    _row(MON, 2, 15.0, 20.5, 24.0, "UNDER", consensus=20.5, under_price=150),  # err -9, line 3.5, loss
    _row(MON, 3, 25.0, 22.0, 22.0, "OVER", consensus=22.0),  # err +3, line 0,   push
    _row(WED, 4, 25.0, 20.5, np.nan, "OVER", consensus=21.0, voided=True),  # voided: out of everything
    _row(WED, 5, 12.0, 15.5, 10.0, "UNDER", under_price=np.nan),  # err +2, line 5.5 (own), win at -110
    _row(WED, 6, 21.0, 20.5, 30.0, "PASS", consensus=20.0),  # err -9, line 10,  no pick
    _row(SUN, 7, 8.0, 10.5, 12.0, "UNDER", consensus=11.0, under_price=-200),  # err -4, line 1,   loss
    _row(SUN, 8, 18.0, 16.5, 20.0, "OVER", consensus=16.0, over_price=105),  # err -2, line 4,   win at +105
]
# System B on the same player-games predicts actual + 1 and never bets.
SET_B = [dict(r, system_id="B", predicted_points=r["actual_points"] + 1, recommendation="PASS") for r in SET_A]


def test_prices():
    assert betting.american_profit(-110) == pytest.approx(100 / 110) == pytest.approx(0.9091, abs=1e-4)
    assert betting.american_profit(150) == 1.5
    assert betting.american_profit(-200) == 0.5
    assert betting.break_even(-110) == pytest.approx(0.5238, abs=1e-4)
    assert betting.break_even(150) == pytest.approx(0.4)
    assert betting.break_even(-200) == pytest.approx(2 / 3)
    assert betting.expected_value(0.55, -110) == pytest.approx(0.55 * 100 / 110 - 0.45)  # 0.05
    assert betting.expected_value(0.5, 150) == pytest.approx(0.25)
    assert betting.expected_value(2 / 3, -200) == pytest.approx(0.0)
    s = betting.american_profit(pd.Series([-110.0, 150.0, np.nan], index=[3, 4, 5]))
    assert list(s.index) == [3, 4, 5] and s.iloc[1] == 1.5 and np.isnan(s.iloc[2])
    with pytest.raises(ValueError, match="-100"):
        betting.american_profit(-50)


def test_summary_arithmetic_with_push_and_void():
    e = ev.evaluate(pd.DataFrame(SET_A + SET_B), n_boot=200)
    a = e.summary.set_index("system_id").loc["A"]
    # 7 graded rows (row 4 voided). |err| 1+9+3+2+9+4+2 = 30; signed 1-9+3+2-9-4-2 = -18.
    assert a["n"] == 7 and a["n_dates"] == 3
    assert a["mae"] == pytest.approx(30 / 7) and a["bias"] == pytest.approx(-18 / 7)
    # Line errors 3+3.5+0+5.5+10+1+4 = 27 over the same 7 rows, one of them the own line (no consensus).
    assert a["line_mae"] == pytest.approx(27 / 7) and a["mae_minus_line"] == pytest.approx(3 / 7)
    assert (a["line_mae_n"], a["line_mae_n_consensus"], a["line_mae_n_own_line"]) == (7, 6, 1)
    assert a["line_mae_rows"] == "6 consensus + 1 own line"
    # Picks: rows 1, 2, 3, 5, 7, 8; row 3 pushes; wins 1, 5, 8.
    assert (a["picks"], a["pushes"], a["picks_decided"], a["wins"]) == (6, 1, 5, 3)
    assert a["hit_rate"] == pytest.approx(3 / 5)
    # -110: 3 x 100/110 - 2 over 5 decided picks.
    assert a["roi_110"] == pytest.approx((3 * 100 / 110 - 2) / 5)
    # Offered: win at -120 (100/120), win at -110 (price missing), win at +105 (1.05); two losses.
    assert a["roi_price"] == pytest.approx((100 / 120 + 100 / 110 + 1.05 - 2) / 5)
    assert a["picks_price_missing"] == 1
    b = e.summary.set_index("system_id").loc["B"]
    assert b["mae"] == 1 and b["bias"] == 1 and b["picks"] == 0 and np.isnan(b["hit_rate"])
    # The consensus row counts each player-game once though two systems carry it: rows 1,2,3,6,7,8,
    # errors 3+3.5+0+10+1+4 = 21.5.
    c = e.summary.set_index("system_id").loc[ev.CONSENSUS_SYSTEM]
    assert c["n"] == 6 and c["mae"] == pytest.approx(21.5 / 6)
    assert list(e.summary.columns) == ev.SUMMARY_COLUMNS
    # 3 dates: every interval exists and holds its estimate.
    for name in ("mae", "bias", "line_mae", "mae_minus_line", "hit_rate", "roi_110", "roi_price"):
        assert a[f"{name}_lo"] <= a[name] <= a[f"{name}_hi"], name


def test_optional_columns_absent_fall_back_to_the_own_line_and_minus_110():
    frame = pd.DataFrame(SET_A).drop(columns=["consensus_line", "p_over", "over_price", "under_price"])
    e = ev.evaluate(frame, n_boot=100)
    a = e.summary.set_index("system_id").loc["A"]
    # Own lines: |20.5-24| + |20.5-24| + 0 + |15.5-10| + |20.5-30| + |10.5-12| + |16.5-20|
    # = 3.5 + 3.5 + 0 + 5.5 + 9.5 + 1.5 + 3.5 = 27
    assert a["line_mae"] == pytest.approx(27 / 7) and a["line_mae_rows"] == "0 consensus + 7 own line"
    assert a["roi_price"] == pytest.approx(a["roi_110"]) and a["picks_price_missing"] == 6
    assert e.summary.set_index("system_id").loc[ev.CONSENSUS_SYSTEM, "n"] == 0
    assert e.calibration.empty and e.calibration_summary.empty


def test_bad_input_names_the_field_and_row():
    with pytest.raises(ValueError, match="is_voided"):
        ev.evaluate(pd.DataFrame(SET_A).drop(columns=["is_voided"]))
    bad = pd.DataFrame([_row(WED, 9, 20.0, 20.5, 22.0, "OVER", p_over=1.2)])
    with pytest.raises(ValueError, match=r"system A, game_date 2025-01-08, player 9: p_over=1.2"):
        ev.evaluate(bad)
    with pytest.raises(ValueError, match="recommendation='over'"):
        ev.evaluate(pd.DataFrame([_row(WED, 9, 20.0, 20.5, 22.0, "over")]))
    with pytest.raises(ValueError, match=r"line_value='twenty'\); expected a number"):
        ev.evaluate(pd.DataFrame([_row(WED, 9, 20.0, "twenty", 22.0, "OVER")]))
    with pytest.raises(ValueError, match="player 9: predicted_points=nan"):
        ev.evaluate(pd.DataFrame([_row(WED, 9, np.nan, 20.5, 22.0, "OVER")]))
    with pytest.raises(ValueError, match="over_price"):
        ev.evaluate(pd.DataFrame([_row(WED, 9, 20.0, 20.5, 22.0, "OVER", over_price=-10)]))


def test_buckets_boundaries_lean_and_picks():
    rows = [
        _row(MON, 1, 21.0, 20.0, 25.0, "PASS"),  # edge 1.0 -> 1-2, leans over, win
        _row(MON, 2, 17.0, 20.0, 25.0, "OVER"),  # edge 3.0 -> 3-5, leans under (the lean, not the pick), loss
        _row(WED, 3, 25.0, 20.0, 19.0, "OVER"),  # edge 5.0 -> 5+,  leans over, loss
        _row(WED, 4, 20.0, 20.0, 25.0, "PASS"),  # predicted == line: no lean
        _row(WED, 5, 20.9, 20.0, 19.0, "PASS"),  # edge 0.9 -> 0-1, leans over, loss
        _row(WED, 6, 22.0, 20.0, 20.0, "PASS"),  # edge 2.0 -> 2-3, push: not decided
        _row(WED, 7, 20.6, 19.6, 10.0, "PASS"),  # edge 1.0 after float subtraction -> 1-2, loss
    ]
    b = ev.evaluate(pd.DataFrame(rows), n_boot=100).buckets.set_index("bucket")
    assert list(b.index) == ["0-1", "1-2", "2-3", "3-5", "5+", "picks"]
    assert b.loc["0-1", ["n", "wins"]].tolist() == [1, 0]
    assert b.loc["1-2", ["n", "wins"]].tolist() == [2, 1]
    assert b.loc["2-3", "n"] == 0 and np.isnan(b.loc["2-3", "hit_rate"])
    assert b.loc["3-5", ["n", "wins"]].tolist() == [1, 0]
    assert b.loc["5+", ["n", "wins"]].tolist() == [1, 0]
    # The picks: row 2 OVER at 25 > 20 wins, row 3 OVER at 19 loses.
    assert b.loc["picks", ["n", "wins"]].tolist() == [2, 1]
    assert b.loc["picks", "hit_rate"] == 0.5
    assert b.loc["picks", "roi_110"] == pytest.approx((100 / 110 - 1) / 2)
    # Total lean decided: 5 rows of 7 (one without a lean, one push).
    assert b.drop("picks")["n"].sum() == 5


def _cal_rows():
    rows = []
    for i in range(10):  # p 0.75: 7 of 10 go over
        rows.append(_row(MON, i, 25.0, 20.5, 25.0 if i < 7 else 15.0, "OVER", p_over=0.75))
    for i in range(4):  # p 0.2: 1 of 4 goes over
        rows.append(_row(WED, 20 + i, 15.0, 20.5, 25.0 if i == 0 else 15.0, "UNDER", p_over=0.2))
    rows.append(_row(WED, 30, 15.0, 20.5, 15.0, "UNDER", p_over=0.3))  # bin edge 0.3 -> 0.3-0.4, under
    rows.append(_row(WED, 31, 30.0, 20.5, 25.0, "OVER", p_over=1.0))  # p = 1 -> last bin, over
    rows.append(_row(WED, 32, 20.0, 20.0, 20.0, "PASS", p_over=0.55))  # push: out
    rows.append(_row(WED, 33, 20.0, 20.5, 25.0, "PASS", system="B"))  # B has no p_over
    return rows


def test_calibration_bins_wilson_brier_ece():
    e = ev.evaluate(pd.DataFrame(_cal_rows()), n_boot=100)
    assert set(e.calibration["system_id"]) == {"A"} and list(e.calibration_summary["system_id"]) == ["A"]
    c = e.calibration.set_index("bin")
    assert list(c.index) == ["0.2-0.3", "0.3-0.4", "0.7-0.8", "0.9-1.0"]
    assert c.loc["0.7-0.8", ["n", "mean_p_over", "observed_over_rate"]].tolist() == pytest.approx([10, 0.75, 0.7])
    # Wilson 95 % for 7/10: centre (0.7 + 1.96^2/20) / (1 + 1.96^2/10) = 0.6445, half-width 0.2477.
    assert c.loc["0.7-0.8", "observed_lo"] == pytest.approx(0.3968, abs=1e-4)
    assert c.loc["0.7-0.8", "observed_hi"] == pytest.approx(0.8922, abs=1e-4)
    assert c.loc["0.2-0.3", ["n", "observed_over_rate"]].tolist() == [4, 0.25]
    assert c.loc["0.9-1.0", ["n", "mean_p_over", "observed_over_rate"]].tolist() == [1, 1.0, 1.0]
    s = e.calibration_summary.iloc[0]
    assert s["n"] == 16
    # Brier: 7 x 0.25^2 + 3 x 0.75^2 = 2.125; 0.8^2 + 3 x 0.2^2 = 0.76; 0.3^2 = 0.09; 0 -> 2.975 / 16.
    assert s["brier"] == pytest.approx(2.975 / 16)
    # ECE: (10 x |0.7-0.75| + 4 x |0.25-0.2| + 1 x |0-0.3| + 1 x 0) / 16 = 1.0 / 16.
    assert s["ece"] == pytest.approx(1 / 16)
    lo, hi = ev.wilson_interval(0, 5)
    assert lo == pytest.approx(0.0, abs=1e-12) and 0 < hi < 0.6


def test_weekly_groups_by_iso_monday():
    rows = [
        _row(pd.Timestamp("2025-01-11"), 1, 20.0, 19.5, 22.0, "OVER"),  # Saturday, week of Jan 6: win
        _row(pd.Timestamp("2025-01-12"), 2, 20.0, 20.5, 24.0, "UNDER"),  # Sunday, still week of Jan 6: loss
        _row(pd.Timestamp("2025-01-13"), 3, 20.0, 19.5, 17.0, "OVER"),  # Monday: week of Jan 13, loss
    ]
    weekly = ev.evaluate(pd.DataFrame(rows), n_boot=100).weekly
    assert list(weekly.columns) == ev.WEEKLY_COLUMNS
    w = weekly.set_index("week")
    assert list(w.index) == [pd.Timestamp("2025-01-06").date(), pd.Timestamp("2025-01-13").date()]
    first = w.loc[pd.Timestamp("2025-01-06").date()]
    # errors -2, -4; line (own) errors 2.5, 3.5
    assert first["n"] == 2 and first["mae"] == 3 and first["line_mae"] == 3 and first["mae_minus_line"] == 0
    assert first["picks"] == 2 and first["wins"] == 1 and first["hit_rate"] == 0.5
    assert first["roi_110"] == pytest.approx((100 / 110 - 1) / 2)


def test_bootstrap_is_seeded_and_brackets_the_estimate():
    rng = np.random.default_rng(7)
    dates = np.repeat(pd.date_range("2025-01-01", periods=12).values, 30)
    values = rng.normal(5, 3, len(dates))
    first = ev.bootstrap_mean(values, dates, n_boot=500, seed=3)
    assert ev.bootstrap_mean(values, dates, n_boot=500, seed=3) == first
    assert ev.bootstrap_mean(values, dates, n_boot=500, seed=4) != first
    est, lo, hi = first
    assert est == pytest.approx(values.mean()) and lo < est < hi


def test_bootstrap_same_value_every_date_has_zero_width():
    dates = ["d1", "d1", "d2", "d3", "d3", "d3"]
    assert ev.bootstrap_mean([5.0] * 6, dates, n_boot=300) == (5.0, 5.0, 5.0)


def test_bootstrap_resamples_dates_not_rows():
    # 4 nights with one perfect prediction each, one night with 20 predictions all 10 points off.
    values = [0.0] * 4 + [10.0] * 20
    dates = ["d1", "d2", "d3", "d4"] + ["bad"] * 20
    est, lo, hi = ev.bootstrap_mean(values, dates)
    assert est == pytest.approx(200 / 24)
    # The bad night is drawn k ~ Binomial(5, 1/5) times: k = 0 in 33 % of resamples (MAE 0), so the
    # lower bound is 0; P(k >= 4) = 0.7 % < 2.5 % < P(k >= 3) = 5.8 %, so the upper bound is the
    # k = 3 value 600 / (60 + 2).
    assert lo == 0.0
    assert hi == pytest.approx(600 / 62)
    # The same rows as 24 independent draws give a far narrower interval around 8.3.
    _, row_lo, row_hi = ev.bootstrap_mean(values, list(range(24)))
    assert row_lo > 6 and row_hi - row_lo < (hi - lo) / 2


def test_bootstrap_without_enough_dates():
    assert ev.bootstrap_mean([], []) == pytest.approx((np.nan, np.nan, np.nan), nan_ok=True)
    est, lo, hi = ev.bootstrap_mean([1.0, 3.0], ["d1", "d1"])
    assert est == 2.0 and np.isnan(lo) and np.isnan(hi)
    # A ratio with no denominator anywhere (all pushes) has no estimate.
    assert np.isnan(ev.bootstrap_ratio([0.0, 0.0], [0.0, 0.0], ["d1", "d2"])[0])


def test_bootstrap_ratio_is_a_ratio_of_sums():
    # Wins over decided picks: night 1 has 3 decided (2 wins) and a push, night 2 one decided loss.
    est, lo, hi = ev.bootstrap_ratio([1, 1, 0, 0, 0], [1, 1, 1, 0, 1], ["n1"] * 4 + ["n2"], n_boot=400)
    assert est == pytest.approx(2 / 4)
    # Resamples are {n1, n1} = 2/3, {n1, n2} = 2/4, {n2, n2} = 0.
    assert lo == 0.0 and hi == pytest.approx(2 / 3)


def test_bootstrap_resamples_whole_dates_and_repeats_with_its_seed():
    """Its speed (vectorised: milliseconds for 2,000 resamples of 5,000 rows) is measured by
    benchmarks, not asserted here."""
    rng = np.random.default_rng(0)
    dates = rng.integers(0, 20, 5000)
    values = rng.normal(5, 3, 5000)
    first = ev.bootstrap_mean(values, dates, n_boot=2000, seed=11)
    assert first == ev.bootstrap_mean(values, dates, n_boot=2000, seed=11)
    # One date's values all equal: every resample has the same mean, so the interval is a point.
    flat = ev.bootstrap_mean(np.full(5000, 7.0), dates, n_boot=200, seed=3)
    assert flat == pytest.approx((7.0, 7.0, 7.0))


def _paired_rows():
    rows = []
    for day in pd.date_range("2025-02-03", periods=4):
        for pid, actual in enumerate((10.0, 20.0, 30.0)):
            cons = actual + 2 + pid  # the line misses by 2-4 points
            rows.append(_row(day, pid, cons, cons - 0.5, actual, "PASS", system="line_copy", consensus=cons))
            rows.append(_row(day, pid, actual + 0.5, cons - 0.5, actual, "PASS", system="sharp", consensus=cons))
            # "picker" bets UNDER on a line above the actual every night: it wins every pick.
            rows.append(_row(day, pid, actual, cons - 0.5, actual, "UNDER", system="picker", consensus=cons))
    return rows


def test_paired_difference_and_verdicts():
    e = ev.evaluate(pd.DataFrame(_paired_rows()), n_boot=500)
    s = e.summary.set_index("system_id")
    # A system that is the consensus line: difference 0 in every resample.
    assert s.loc["line_copy", ["mae_minus_line", "mae_minus_line_lo", "mae_minus_line_hi"]].tolist() == [0, 0, 0]
    assert not s.loc["line_copy", "beats_line_mae"]
    # 0.5 off against 2-4 off on every night: (0.5 - 3) = -2.5, the same in every resample.
    assert s.loc["sharp", "mae_minus_line"] == pytest.approx(-2.5)
    assert s.loc["sharp", "mae_minus_line_hi"] < 0 and s.loc["sharp", "beats_line_mae"]
    assert s.loc["picker", "hit_rate"] == 1 and s.loc["picker", "roi_110_lo"] > 0 and s.loc["picker", "profitable_110"]
    assert pd.isna(s.loc[ev.CONSENSUS_SYSTEM, "beats_line_mae"])

    text = ev.format_evaluation(e)
    sharp = s.loc["sharp"]
    assert ev.format_interval(sharp["mae"], sharp["mae_lo"], sharp["mae_hi"]) == "0.50 [0.50, 0.50]"
    assert "0.50 [0.50, 0.50]" in text and "-2.50 [-2.50, -2.50]" in text
    assert "100.0 % [100.0, 100.0] (n=12)" in text
    assert "sharp: beats the consensus line on MAE? yes: MAE - line -2.50 [-2.50, -2.50], entirely below 0." in text
    assert (
        "line_copy: beats the consensus line on MAE? not shown: MAE - line 0.00 [0.00, 0.00], the interval includes 0."
    ) in text
    assert "line_copy: " in text and "Picks profitable at -110? not measurable: no decided picks." in text
    assert (
        "picker: " in text
        and "Picks profitable at -110? yes: ROI +90.9 % [+90.9, +90.9] (n=12), entirely above 0." in text
    )
    assert text.count("beats the consensus line on MAE?") == 3  # one verdict per system, none for the line


def test_interval_and_percent_formats():
    assert ev.format_interval(5.1, 4.85, 5.37) == "5.10 [4.85, 5.37]"
    assert ev.format_interval(5.1, np.nan, np.nan) == "5.10 [-]"
    assert ev.format_percent(0.542, 0.49, 0.591, 212) == "54.2 % [49.0, 59.1] (n=212)"
    assert ev.format_percent(0.031, -0.04, 0.102, 212, signed=True) == "+3.1 % [-4.0, +10.2] (n=212)"


def test_format_on_the_hand_set_says_includes_zero():
    e = ev.evaluate(pd.DataFrame(SET_A), n_boot=300)
    text = ev.format_evaluation(e)
    a = e.summary.set_index("system_id").loc["A"]
    assert ev.format_interval(a["mae"], a["mae_lo"], a["mae_hi"]) in text
    assert ev.format_percent(a["hit_rate"], a["hit_rate_lo"], a["hit_rate_hi"], 5) in text
    # 3 wins of 5 over 3 nights: the ROI interval straddles 0.
    assert a["roi_110_lo"] < 0 < a["roi_110_hi"]
    assert "Picks profitable at -110? not shown: ROI +14.5 % [" in text and "the interval includes 0." in text
    assert "Calibration: no system gives p_over." in text
    assert "(line: 6 consensus + 1 own line)" in text
    assert "Only 3 game dates: a bootstrap over so few nights understates the uncertainty." in text


def test_calibration_chart_is_an_embedded_png():
    e = ev.evaluate(pd.DataFrame(_cal_rows()), n_boot=50)
    md = ev.calibration_chart_markdown(e)
    prefix = "![calibration](data:image/png;base64,"
    assert md.startswith(prefix)
    png = base64.b64decode(md[len(prefix) : md.index(")")])
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) < 150_000
    assert "| A | 16 | 0.1859 | 0.0625 |" in md

    plain = ev.calibration_chart_markdown(ev.evaluate(pd.DataFrame(SET_A), n_boot=50))
    assert "data:image" not in plain and "| A | no p_over |" in plain
