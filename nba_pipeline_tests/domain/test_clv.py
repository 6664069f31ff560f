"""Closing-line value on hand-made quotes: the closing quote is the same book's last pre-tip main line,
CLV in points has the pick's sign, CLV in no-vig probability is the price's move at the same line and
the closing median carried to the taken line where the line moved; an in-game quote is never the close;
the quote taken is the one the pick was first published with."""

import numpy as np
import pandas as pd
import pytest

from nba_pipeline.domain.betting import no_vig_probabilities
from nba_pipeline.domain.clv import closing_line_value, closing_quotes, first_published
from nba_pipeline.domain.line_shopping import side_probabilities
from nba_pipeline.markets import POINTS

DAY = "2025-01-10"


def quote(book, minutes_before, line, over, under, player="a"):
    at = pd.Timestamp("2025-01-11T00:30Z") - pd.Timedelta(minutes=minutes_before)
    return {
        "game_date": pd.Timestamp(DAY),
        "player_lookup": player,
        "bookmaker": book,
        "snapshot_timestamp": at,
        "minutes_before_tipoff": minutes_before,
        "points_line": line,
        "over_price": over,
        "under_price": under,
    }


def pick(recommendation, line, over, under, book="fanduel", player="a"):
    return {
        "game_date": pd.Timestamp(DAY),
        "player_lookup": player,
        "published_bookmaker": book,
        "recommendation": recommendation,
        "published_line": line,
        "published_over_price": over,
        "published_under_price": under,
    }


ODDS = pd.DataFrame(
    [
        quote("fanduel", 400, 20.5, -110, -110),  # the morning quote the picks were taken at
        quote("fanduel", 30, 20.5, -130, 110),  # the close, same line: the over got dearer
        quote("fanduel", 30, 22.5, 150, -190),  # an alternate line in the same snapshot, not the main one
        quote("fanduel", -20, 25.5, -110, -110),  # in-game: never the close
        quote("draftkings", 45, 21.5, -110, -110),  # another book: not the pick's
        quote("fanduel", 400, 10.5, -110, -110, player="b"),
        quote("fanduel", 10, 11.5, -110, -110, player="b"),  # the line moved a point up
    ]
)


def test_the_close_is_the_same_book_s_last_pre_tip_main_line():
    close = closing_quotes(ODDS).set_index(["player_lookup", "bookmaker"])
    assert close.loc[("a", "fanduel"), ["closing_line", "closing_over_price", "closing_under_price"]].tolist() == [
        20.5,
        -130,
        110,
    ]
    assert close.loc[("a", "draftkings"), "closing_line"] == 21.5
    assert close.loc[("b", "fanduel"), "closing_line"] == 11.5


def test_clv_in_points_and_no_vig_probability():
    graded = pd.DataFrame(
        [
            pick("OVER", 20.5, -110, -110),
            pick("UNDER", 20.5, -110, -110),
            pick("PASS", 20.5, -110, -110),
            pick("OVER", 10.5, -110, -110, player="b"),
            pick("UNDER", 10.5, -110, -110, player="b"),
            pick("OVER", 30.5, -110, -110, player="c"),  # no closing quote
        ]
    )
    out = closing_line_value(graded, closing_quotes(ODDS))
    p_over_close, p_under_close = no_vig_probabilities(-130.0, 110.0)
    # Same line, the price moved: the over's no-vig probability went from 0.5 to 0.5427.
    assert out["clv_points"].iloc[0] == 0.0 and out["clv_probability"].iloc[0] == pytest.approx(
        p_over_close - 0.5, abs=1e-6
    )
    assert out["clv_probability"].iloc[1] == pytest.approx(p_under_close - 0.5, abs=1e-6)
    assert out["clv_probability"].iloc[0] > 0 > out["clv_probability"].iloc[1]
    # A PASS bet nothing: its close is recorded, its CLV is not.
    assert out["closing_line"].iloc[2] == 20.5 and np.isnan(out["clv_points"].iloc[2])
    # The line moved from 10.5 to 11.5 at even prices: the over gained a point, the under lost one, and
    # the closing median (11.5) carried to 10.5 gives P(over 10.5) above one half.
    p_over_at_taken, _ = side_probabilities(11.5, POINTS.error_width, 10.5)
    assert (out["clv_points"].iloc[3], out["clv_points"].iloc[4]) == (1.0, -1.0)
    assert out["clv_probability"].iloc[3] == pytest.approx(float(p_over_at_taken) - 0.5, abs=1e-6)
    assert out["clv_probability"].iloc[4] == pytest.approx(0.5 - float(p_over_at_taken), abs=1e-6)
    assert np.isnan(out["closing_line"].iloc[5]) and np.isnan(out["clv_probability"].iloc[5])


def test_an_in_game_quote_changes_nothing():
    later = pd.concat([ODDS, pd.DataFrame([quote("fanduel", -90, 35.5, -500, 350)])], ignore_index=True)
    graded = pd.DataFrame([pick("OVER", 20.5, -110, -110)])
    before = closing_line_value(graded, closing_quotes(ODDS))
    after = closing_line_value(graded, closing_quotes(later))
    pd.testing.assert_frame_equal(before, after)


def version(created, recommendation, line, over=-110, under=-110, active=False, book="fanduel"):
    return {
        "game_id": "g1",
        "player_id": 1,
        "system_id": "s",
        "created_at": pd.Timestamp("2025-01-10T15:00Z") + pd.Timedelta(hours=created),
        "recommendation": recommendation,
        "current_points_line": line,
        "line_over_price": over,
        "line_under_price": under,
        "line_bookmaker": book,
        "is_active": active,
    }


def test_the_quote_taken_is_the_one_the_pick_was_first_published_with():
    # OVER at 20.5, re-made at 21.5 (still OVER): the bet was placed at 20.5, when it first appeared.
    same_side = pd.DataFrame([version(0, "OVER", 20.5), version(3, "OVER", 21.5, active=True)])
    got = first_published(same_side).iloc[0]
    assert (got["published_line"], got["published_at"]) == (20.5, pd.Timestamp("2025-01-10T15:00Z"))
    # OVER, then PASS, then OVER again: the pick a reader could bet appeared with the third version.
    flipped = pd.DataFrame(
        [version(0, "OVER", 20.5), version(2, "PASS", 21.5), version(4, "OVER", 21.0, over=-105, active=True)]
    )
    got = first_published(flipped).iloc[0]
    assert (got["published_line"], got["published_over_price"]) == (21.0, -105)
    # A version made back (the line moved and moved back) keeps its first publication.
    revived = pd.DataFrame([version(0, "UNDER", 20.5, active=True), version(2, "UNDER", 21.5)])
    assert first_published(revived).iloc[0]["published_line"] == 20.5
