"""Line shopping in the graph on hand-made quotes: the bet moves to the best consistent price, the
priority book's quote is kept beside it, an alternate line is never bought, a quote after the row's
snapshot changes nothing, and a system without an error width keeps the priority book."""

import numpy as np
import pandas as pd
import pytest

from nba_pipeline.domain.best_price import shop_best_price, shoppable_quotes
from nba_pipeline.domain.predictions import prediction_id

DAY = pd.Timestamp("2025-01-10")
SNAPSHOT = pd.Timestamp("2025-01-10T17:00Z")


def quote(book, line, over, under, at=SNAPSHOT, minutes_before=450, player="a"):
    return {
        "game_date": DAY,
        "player_lookup": player,
        "bookmaker": book,
        "snapshot_timestamp": at,
        "minutes_before_tipoff": minutes_before,
        "points_line": line,
        "over_price": over,
        "under_price": under,
    }


def rows(predicted=22.0, p_over=0.6):
    """One system's prediction, built on DraftKings' 20.5 at -110 (the priority book)."""
    return pd.DataFrame(
        {
            "game_date": [DAY],
            "player_lookup": ["a"],
            "line_snapshot_at": [SNAPSHOT],
            "predicted_points": [predicted],
            "p_over": [p_over],
            "current_points_line": [20.5],
            "line_bookmaker": ["draftkings"],
            "line_over_price": [-110.0],
            "line_under_price": [-110.0],
        }
    )


ODDS = pd.DataFrame(
    [
        quote("draftkings", 20.5, -110, -110),
        quote("fanduel", 20.5, +100, -120),  # the same line, a better price for the over
        quote("betmgm", 19.5, -150, +125),  # a lower line, dearer
        quote("betrivers", 20.5, +230, -335),  # an alternate line under the main label: disagrees with all
    ]
)


def test_the_bet_moves_to_the_best_consistent_price_and_keeps_the_priority_quote():
    out = shop_best_price(rows(), np.array([5.0]), shoppable_quotes(ODDS, rows())).iloc[0]
    # Over 20.5 at +100 beats -110 at the same line and -125 at 19.5 for a median of 22 (sigma 5).
    assert (out["line_bookmaker"], out["current_points_line"], out["line_over_price"]) == ("fanduel", 20.5, 100.0)
    assert (out["priority_bookmaker"], out["priority_points_line"], out["priority_over_price"]) == (
        "draftkings",
        20.5,
        -110.0,
    )
    assert out["p_over"] == pytest.approx(0.6179, abs=1e-3)  # P(N(22, 5) > 20.5)


def test_an_alternate_line_is_never_bought():
    # Without the rule, +230 on the over at 20.5 would be "worth" far more than anything else.
    out = shop_best_price(rows(), np.array([5.0]), shoppable_quotes(ODDS, rows())).iloc[0]
    assert out["line_bookmaker"] != "betrivers"


def test_a_quote_after_the_row_s_snapshot_or_after_tip_off_changes_nothing():
    later = pd.concat(
        [
            ODDS,
            pd.DataFrame(
                [
                    quote("betmgm", 17.5, +150, -180, at=SNAPSHOT + pd.Timedelta(hours=2), minutes_before=330),
                    quote("betmgm", 15.5, +200, -250, at=SNAPSHOT + pd.Timedelta(hours=8), minutes_before=-30),
                ]
            ),
        ],
        ignore_index=True,
    )
    before = shop_best_price(rows(), np.array([5.0]), shoppable_quotes(ODDS, rows()))
    after = shop_best_price(rows(), np.array([5.0]), shoppable_quotes(later, rows()))
    pd.testing.assert_frame_equal(before, after)


def test_no_positive_bet_or_no_error_width_keeps_the_priority_book():
    # A median on the line: no quote has a positive expected value.
    flat = shop_best_price(rows(predicted=20.5, p_over=0.5), np.array([5.0]), shoppable_quotes(ODDS, rows()))
    assert flat.iloc[0]["line_bookmaker"] == "draftkings" and flat.iloc[0]["p_over"] == 0.5
    # A system that states no distribution (edge rules) bets the priority book's line.
    edge_only = shop_best_price(rows(), None, shoppable_quotes(ODDS, rows()))
    assert edge_only.iloc[0]["line_bookmaker"] == "draftkings"
    assert edge_only.iloc[0]["priority_bookmaker"] == "draftkings"


def test_a_better_price_at_another_book_is_a_new_version_of_the_prediction():
    """The id is the prediction's content, the quote bet included: the same line at another book or
    another price supersedes the stored row instead of being taken for it."""
    base = {
        "game_date": "2025-01-10",
        "game_id": "g1",
        "player_id": 1,
        "system_id": "line_anchored_v1",
        "market": "player_points",
        "model_id": "line_anchored_v1",
        "current_points_line": 20.5,
        "line_bookmaker": "draftkings",
        "line_over_price": -110.0,
        "line_under_price": -110.0,
        "predicted_points": 22.0,
        "recommendation": "OVER",
    }
    same = prediction_id(dict(base))
    assert prediction_id(dict(base)) == same
    assert prediction_id({**base, "line_bookmaker": "fanduel", "line_over_price": 100.0}) != same
    assert prediction_id({**base, "line_over_price": -140.0}) != same
    assert prediction_id({**base, "recommendation": "PASS"}) != same
    # 20.5 rebounds + assists would be absurd, but a PRA line of 20.5 is the same numbers in another market.
    assert prediction_id({**base, "market": "player_points_rebounds_assists"}) != same


def test_the_fair_line_reads_prices_the_median_line_ignores():
    """20.5 at -130 says more than 20.5 at +110: every book at 20.5, but priced toward the over. The
    median line is 20.5; the fair line sits above it. Where one book hangs 19.5 at a price that pays
    for the point, line_anchored_v1 (median line) takes its over as value and fair_line_v1 does not."""
    from nba_pipeline.domain import systems
    from nba_pipeline.domain.best_price import with_fair_lines
    from nba_pipeline.domain.betting import expected_value

    toward_over = pd.DataFrame(
        [quote("draftkings", 20.5, -130, +110), quote("fanduel", 20.5, -135, +115), quote("betmgm", 19.5, -175, +145)]
    )
    fair = with_fair_lines(rows(), shoppable_quotes(toward_over, rows())).iloc[0]["fair_line"]
    assert fair > 20.5 + 0.5  # the prices say the median is above the books' median line
    even = pd.DataFrame([quote("draftkings", 20.5, -110, -110), quote("fanduel", 20.5, -110, -110)])
    assert with_fair_lines(rows(), shoppable_quotes(even, rows())).iloc[0]["fair_line"] == pytest.approx(20.5)
    assert with_fair_lines(rows(), shoppable_quotes(ODDS.iloc[0:0], rows()))["fair_line"].isna().all()

    # The two systems on the same rows: a 19.5 bet at -110 against a 20.5 consensus whose prices lean under.
    lean_under = pd.DataFrame(
        [quote("draftkings", 20.5, +115, -135), quote("fanduel", 20.5, +110, -130), quote("betmgm", 19.5, -110, -110)]
    )
    base = rows().assign(
        current_points_line=19.5,
        consensus_points_line=20.5,
        line_bookmaker="betmgm",
        line_minutes_before_tipoff=450,
        injury_status=None,
    )
    base = with_fair_lines(base, shoppable_quotes(lean_under, base))
    calibration = {"beta": 0.0, "sigma": 5.0}
    median_line = systems.LINE_ANCHORED.predictor((None, calibration), base)
    fair_line = systems.FAIR_LINE.predictor((None, calibration), base)
    assert median_line.predicted_points[0] == 20.5 and fair_line.predicted_points[0] < 20.0
    ev = [float(expected_value(p.p_over, np.array([-110.0]))[0]) for p in (median_line, fair_line)]
    assert ev[0] > 0.05 and ev[1] < 0  # value to the median line, none once the prices are read
