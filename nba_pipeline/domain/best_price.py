"""Line shopping inside the graph: a system that states a distribution (its median and error width)
bets the quote with the highest expected value over every book's line and price, not the priority
book's.

The quotes a prediction may shop are each book's latest pre-tip main line at or before the snapshot
its feature row was built from (``line_snapshot_at``): the same information the features had, so a
line or price quoted later changes nothing. Quotes that disagree with the other books (an alternate
line under the main line's label) are dropped first (``line_shopping.consistent_quotes``). The best
bet must have a positive expected value; otherwise the row keeps the priority book's quote (and the
system's rule passes). Each prediction keeps the priority book's quote beside the one it bets, so
``evaluate`` reports ROI at the price taken and at the priority book's.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nba_pipeline.domain import line_shopping as shop
from nba_pipeline.domain.analytics.lines import main_lines, pre_tip_lines
from nba_pipeline.markets import POINTS, Market

PRIORITY_COLUMNS = ("priority_points_line", "priority_bookmaker", "priority_over_price", "priority_under_price")
_QUOTED = ("current_points_line", "line_bookmaker", "line_over_price", "line_under_price")
_ROW_KEY = ["game_date", "player_lookup"]


def shoppable_quotes(odds: pd.DataFrame, rows: pd.DataFrame, market: Market = POINTS) -> pd.DataFrame:
    """Per row (date, player) of one market: each book's latest pre-tip main quote of the market
    (``odds``: its quotes, the line named ``points_line``) taken at or before the row's line snapshot,
    in ``line_shopping``'s shape."""
    cols = [*shop.KEY, "bookmaker", "line", "over_price", "under_price"]
    pre = main_lines(pre_tip_lines(odds))
    if pre.empty or rows.empty:
        return pd.DataFrame(columns=cols)
    pre = pre.assign(game_date=pd.to_datetime(pre["game_date"]))
    known = rows[[*_ROW_KEY, "line_snapshot_at"]].drop_duplicates(_ROW_KEY)
    q = pre.merge(known.assign(game_date=pd.to_datetime(known["game_date"])), on=_ROW_KEY)
    taken = pd.to_datetime(q["snapshot_timestamp"], utc=True)
    q = q[taken <= pd.to_datetime(q["line_snapshot_at"], utc=True)]
    # Whole rows of each book's last snapshot (groupby.last would mix columns of several snapshots
    # where a price is missing).
    q = q.sort_values("snapshot_timestamp", kind="stable").drop_duplicates([*_ROW_KEY, "bookmaker"], keep="last")
    q = q.dropna(subset=["over_price", "under_price"])
    q = q.assign(event="", market=market.key, line=q["points_line"].astype(float))
    return q[cols].reset_index(drop=True)


def with_fair_lines(rows: pd.DataFrame, quotes: pd.DataFrame, market: Market = POINTS) -> pd.DataFrame:
    """The rows with ``fair_line``: the median over the books' consistent quotes known at the row's
    snapshot (``shoppable_quotes``) of the median each implies with its vig removed, at the market's
    error width (``line_shopping.fair_lines``); NaN without quotes."""
    if quotes.empty or rows.empty:
        return rows.assign(fair_line=np.nan)
    sigma = {market.key: market.error_width}
    fair = shop.fair_lines(shop.consistent_quotes(quotes, sigma), sigma)
    fair = fair[["game_date", "player_lookup", "fair_median"]].rename(columns={"fair_median": "fair_line"})
    return rows.drop(columns=["fair_line"], errors="ignore").merge(fair, on=_ROW_KEY, how="left")


def shop_best_price(
    part: pd.DataFrame, error_width: np.ndarray | None, quotes: pd.DataFrame, market: Market = POINTS
) -> pd.DataFrame:
    """One system's predictions (of one date or a range) in one market with each row's bet moved to the best-priced consistent
    quote where that bet has a positive expected value (line, book, prices and P(over) at that line);
    the priority book's quote is kept in ``PRIORITY_COLUMNS``. Rows of a system without an error
    width (None, or NaN for a row), or without quotes, keep the priority book's quote."""
    out = part.copy()
    for target, source in zip(PRIORITY_COLUMNS, _QUOTED):
        out[target] = out[source]
    if error_width is None or quotes.empty or out.empty:
        return out
    median = pd.to_numeric(out["predicted_points"], errors="coerce").astype(float)
    predictions = pd.DataFrame(
        {
            "game_date": pd.to_datetime(out["game_date"]),
            "event": "",
            "player_lookup": out["player_lookup"],
            "market": market.key,
            "median": median.to_numpy(),
            "sigma": np.asarray(error_width, dtype=float),
        },
        index=out.index,
    )
    predictions = predictions[predictions["sigma"] > 0]
    # Only these rows' players: the rule judges each player's quotes among themselves, and a range's
    # quotes would otherwise be judged again for every date of the range.
    mine = quotes.merge(predictions[shop.KEY].drop_duplicates(), on=shop.KEY)
    consistent = shop.consistent_quotes(mine, {market.key: market.error_width})
    best = shop.best_bets(consistent, predictions)
    best = best[best["expected_value"] > 0]
    if best.empty:
        return out
    chosen = predictions[shop.KEY].reset_index().merge(best, on=shop.KEY).set_index("index")
    out.loc[chosen.index, "current_points_line"] = chosen["line"]
    out.loc[chosen.index, "line_bookmaker"] = chosen["bookmaker"]
    out.loc[chosen.index, "line_over_price"] = chosen["over_price"].astype(float)
    out.loc[chosen.index, "line_under_price"] = chosen["under_price"].astype(float)
    p_over, _ = shop.side_probabilities(chosen["median"], chosen["sigma"], chosen["line"])
    out.loc[chosen.index, "p_over"] = p_over
    return out
