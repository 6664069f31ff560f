"""Closing-line value: how the market moved after a pick was made, the standard early measure of an
edge (a bettor who keeps beating the closing line wins in the long run, and it shows after hundreds
of picks where ROI needs thousands).

A pick's quote is the one it was *first published* with: predictions are re-made whenever the lines
move, and a reader of the website bets when a pick appears, so the quote taken is that of the
earliest version recommending the same side since the pick last recommended something else
(``first_published``). Its closing quote is the last pre-tip snapshot of the same book for the same
player (each book's main line, ``analytics.lines.main_lines``). Two measures per graded pick:

* ``clv_points``: the line's move in the pick's favour: closing − taken for an OVER, taken − closing
  for an UNDER (an OVER taken at 20.5 that closes at 21.5 gained a point).
* ``clv_probability``: the closing market's no-vig probability that the side taken wins at the line
  taken, minus the no-vig probability of the quote taken. At the same line that is the change of the
  book's own no-vig price; where the line moved, the closing quote's implied median is carried to the
  taken line through a normal error of the market's width (``markets.Market.error_width``).

A pick first published from the last snapshot has a CLV of 0 by construction: a backfill predicts
after the lines closed, and the real-data folder has one snapshot a day, so there CLV says nothing;
a live day (the schedules scrape lines several times, and predictions follow each scrape) measures it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nba_pipeline.domain.analytics.lines import main_lines, market_quotes, pre_tip_lines
from nba_pipeline.domain.betting import OVER, PICK_SIDES, UNDER, no_vig_probabilities
from nba_pipeline.domain.line_shopping import implied_median, side_probabilities
from nba_pipeline.markets import POINTS, Market, market, with_market

PUBLISHED_COLUMNS = (
    "published_at",
    "published_line",
    "published_over_price",
    "published_under_price",
    "published_bookmaker",
)
CLV_COLUMNS = (
    "closing_line",
    "closing_over_price",
    "closing_under_price",
    "closing_snapshot_at",
    "clv_points",
    "clv_probability",
)
_KEY = ["game_date", "player_lookup", "bookmaker"]
_PICK_KEY = ["game_id", "player_id", "system_id", "market"]


def first_published(versions: pd.DataFrame) -> pd.DataFrame:
    """Per (game, player, system, market) with an active row: when its recommendation was first published
    and the quote it was published with, from every version of the date's predictions (active and
    superseded): the earliest version recommending the active row's side created after the last one
    that recommended anything else."""
    cols = [*_PICK_KEY, *PUBLISHED_COLUMNS]
    if versions.empty:
        return pd.DataFrame(columns=cols)
    versions = with_market(versions)
    v = versions.assign(created_at=pd.to_datetime(versions["created_at"], utc=True))
    active = v[v["is_active"].astype(bool)][[*_PICK_KEY, "recommendation"]].rename(
        columns={"recommendation": "_active_side"}
    )
    v = v.merge(active, on=_PICK_KEY)
    same = v["recommendation"] == v["_active_side"]
    last_other = v[~same].groupby(_PICK_KEY)["created_at"].max().rename("_last_other").reset_index()
    v = v.merge(last_other, on=_PICK_KEY, how="left")
    candidates = v[(v["recommendation"] == v["_active_side"]) & ~(v["created_at"] <= v["_last_other"])]
    first = candidates.sort_values("created_at", kind="stable").drop_duplicates(_PICK_KEY, keep="first")
    return first.rename(
        columns={
            "created_at": "published_at",
            "current_points_line": "published_line",
            "line_over_price": "published_over_price",
            "line_under_price": "published_under_price",
            "line_bookmaker": "published_bookmaker",
        }
    )[cols]


def closing_quotes(odds: pd.DataFrame) -> pd.DataFrame:
    """Per (game_date, player, book): the main line and prices of the last snapshot before tip-off."""
    cols = [*_KEY, "closing_line", "closing_over_price", "closing_under_price", "closing_snapshot_at"]
    pre = main_lines(pre_tip_lines(odds))
    if pre.empty:
        return pd.DataFrame(columns=cols)
    # Whole rows (groupby.last would mix columns of several snapshots where a price is missing).
    last = pre.sort_values("snapshot_timestamp", kind="stable").drop_duplicates(_KEY, keep="last")
    last["game_date"] = pd.to_datetime(last["game_date"])
    return last.rename(
        columns={
            "points_line": "closing_line",
            "over_price": "closing_over_price",
            "under_price": "closing_under_price",
            "snapshot_timestamp": "closing_snapshot_at",
        }
    )[cols]


def _floats(values: pd.Series) -> np.ndarray:
    return pd.to_numeric(values, errors="coerce").astype(float).to_numpy()


def _side_no_vig(side: np.ndarray, over_price, under_price) -> np.ndarray:
    p_over, p_under = (np.asarray(p, dtype=float) for p in no_vig_probabilities(over_price, under_price))
    return np.where(side == OVER, p_over, np.where(side == UNDER, p_under, np.nan))


def closing_line_value(graded: pd.DataFrame, closing: pd.DataFrame, market: Market = POINTS) -> pd.DataFrame:
    """The graded rows (with ``PUBLISHED_COLUMNS``: the quote each pick was first published with)
    with their closing quote (same date, player and book as that quote) and CLV in points and in
    no-vig probability; NaN where the row has no pick or no closing quote."""
    if graded.empty:
        return graded.assign(**{c: pd.Series(dtype=float) for c in CLV_COLUMNS})
    g = graded.drop(columns=[c for c in CLV_COLUMNS if c in graded], errors="ignore")
    key = pd.DataFrame(
        {
            "game_date": pd.to_datetime(g["game_date"]).to_numpy(),
            "player_lookup": g["player_lookup"].to_numpy(),
            "bookmaker": g["published_bookmaker"].to_numpy(),
        }
    )
    close = key.merge(closing, on=_KEY, how="left")
    side = np.where(g["recommendation"].isin(PICK_SIDES), g["recommendation"], None)
    taken, closing_line = _floats(g["published_line"]), _floats(close["closing_line"])
    move = closing_line - taken
    clv_points = np.where(side == OVER, move, np.where(side == UNDER, -move, np.nan))

    p_taken = _side_no_vig(side, _floats(g["published_over_price"]), _floats(g["published_under_price"]))
    close_over, close_under = _floats(close["closing_over_price"]), _floats(close["closing_under_price"])
    p_close_same_line = _side_no_vig(side, close_over, close_under)
    # Where the line moved: the closing quote's median, carried to the taken line.
    close_over_nv = np.asarray(no_vig_probabilities(close_over, close_under)[0], dtype=float)
    median = implied_median(closing_line, close_over_nv, market.error_width)
    p_over_at_taken, p_under_at_taken = side_probabilities(median, market.error_width, taken)
    p_close_moved = np.where(side == OVER, p_over_at_taken, np.where(side == UNDER, p_under_at_taken, np.nan))
    p_close = np.where(np.isclose(closing_line, taken), p_close_same_line, p_close_moved)

    out = g.copy()
    out["closing_line"] = closing_line
    out["closing_over_price"] = close_over
    out["closing_under_price"] = close_under
    out["closing_snapshot_at"] = pd.to_datetime(close["closing_snapshot_at"], utc=True).set_axis(out.index)
    out["clv_points"] = clv_points
    out["clv_probability"] = np.round(p_close - p_taken, 6)
    return out


def graded_with_clv(graded: pd.DataFrame, versions: pd.DataFrame, odds: pd.DataFrame) -> pd.DataFrame:
    """Grading's step: each graded row with the quote its pick was first published with (from every
    version of the date's predictions) and its closing-line value against the raw lines' close
    (``odds``: the raw props rows of every market), market by market."""
    if graded.empty:
        return graded
    g = with_market(graded).drop(columns=[c for c in PUBLISHED_COLUMNS if c in graded])
    g = g.merge(first_published(versions), on=_PICK_KEY, how="left")
    parts = [
        closing_line_value(g[g["market"] == key], closing_quotes(market_quotes(odds, key)), market(key))
        for key in g["market"].unique()
    ]
    return pd.concat(parts).loc[g.index] if parts else closing_line_value(g, closing_quotes(odds))
