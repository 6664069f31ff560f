"""The books' lines: snapshots taken before tip-off, each book's main line, the closing line of
each player (with its opening line and the books' consensus) and each game's spread and total."""

from __future__ import annotations

import numpy as np
import pandas as pd

from nba_pipeline.domain.betting import implied_probability
from nba_pipeline.markets import MARKETS, POINTS, Market

# Legacy book priority for a player's line: DraftKings, then FanDuel, then the others.
BOOK_PRIORITY = ["draftkings", "fanduel", "betmgm", "pointsbetus", "williamhill_us", "betrivers"]


def market_quotes(odds: pd.DataFrame, market: str) -> pd.DataFrame:
    """The rows of one market of the raw props table, with the line named ``points_line``: every
    quote frame of the domain (closing lines, shopping, closing-line value) names its line so,
    whatever the market, as the points code that came first did."""
    if odds.empty or "market" not in odds:
        rows = odds if market == POINTS.key else odds.iloc[0:0]
    else:
        rows = odds[odds["market"] == market]
    return rows.rename(columns={"line": "points_line"})


def points_quotes(odds: pd.DataFrame) -> pd.DataFrame:
    """The player-points rows of the raw props table (every registered market lands there): what the
    points features and the points systems read."""
    return market_quotes(odds, POINTS.key)


def prop_lines(odds: pd.DataFrame, markets: tuple[Market, ...] = MARKETS) -> pd.DataFrame:
    """``closing_lines`` of every market, one row per (game date, player, market), the line named
    ``line``."""
    parts = [
        closing_lines(market_quotes(odds, m.key)).rename(columns={"points_line": "line"}).assign(market=m.key)
        for m in markets
    ]
    return pd.concat([p for p in parts if len(p)] or parts[:1], ignore_index=True)


def pre_tip_lines(odds: pd.DataFrame) -> pd.DataFrame:
    """Snapshots taken before tip-off only (minutes_before_tipoff >= 0): an in-game snapshot has
    already moved toward the outcome (legacy incident 29)."""
    if odds.empty:
        return odds
    return odds[pd.to_numeric(odds["minutes_before_tipoff"], errors="coerce") >= 0]


def main_lines(odds: pd.DataFrame) -> pd.DataFrame:
    """One line per book, player and snapshot: books also quote alternate lines (14.5, 15.5, 16.5...
    at skewed prices); the main line is the one priced closest to even. Ties go to the lower line,
    so the choice never depends on row order."""
    if odds.empty:
        return odds
    prices = [odds[c] if c in odds else pd.Series(np.nan, index=odds.index) for c in ("over_price", "under_price")]
    over, under = (implied_probability(pd.to_numeric(p, errors="coerce").astype(float)) for p in prices)
    keyed = odds.assign(_skew=(over - under).abs().fillna(np.inf))
    keyed = keyed.sort_values(["_skew", "points_line"], kind="stable")
    keep = ~keyed.duplicated(["game_date", "player_lookup", "bookmaker", "snapshot_timestamp"])
    return keyed[keep].drop(columns="_skew").sort_index()


def _book_rank(books: pd.Series) -> pd.Series:
    order = {b: i for i, b in enumerate(BOOK_PRIORITY)}
    return books.map(lambda b: order.get(b, len(order)))


def closing_lines(odds: pd.DataFrame) -> pd.DataFrame:
    """Per (game_date, player): the latest pre-tip line of the highest-priority book quoting the
    player, its opening line (earliest snapshot, same book), and the book consensus (median of each
    book's latest pre-tip line)."""
    cols = [
        "game_date",
        "player_lookup",
        "home_team_tricode",
        "away_team_tricode",
        "commence_time",
        "points_line",
        "over_price",
        "under_price",
        "bookmaker",
        "snapshot_timestamp",
        "minutes_before_tipoff",
        "opening_line",
        "consensus_line",
        "book_count",
        "line_std",
    ]
    pre = main_lines(pre_tip_lines(odds))
    if pre.empty:
        return pd.DataFrame(columns=cols)
    pre = pre.assign(**{c: pre[c] if c in pre else np.nan for c in ("over_price", "under_price")})
    pre = pre.sort_values(["snapshot_timestamp", "bookmaker", "player_lookup"], kind="stable")
    latest = pre.groupby(["game_date", "player_lookup", "bookmaker"], as_index=False).last()
    opening = (
        pre.groupby(["game_date", "player_lookup", "bookmaker"], as_index=False)
        .first()[["game_date", "player_lookup", "bookmaker", "points_line"]]
        .rename(columns={"points_line": "opening_line"})
    )
    latest = latest.merge(opening, on=["game_date", "player_lookup", "bookmaker"], how="left")
    cons = (
        latest.groupby(["game_date", "player_lookup"])
        .agg(
            consensus_line=("points_line", "median"),
            book_count=("bookmaker", "nunique"),
            line_std=("points_line", lambda s: float(np.std(s, ddof=0)) if len(s) > 1 else 0.0),
        )
        .reset_index()
    )
    latest["rank"] = _book_rank(latest["bookmaker"])
    best = (
        latest.sort_values(["rank", "snapshot_timestamp"], ascending=[True, False])
        .groupby(["game_date", "player_lookup"], as_index=False)
        .first()
    )
    best = best.merge(cons, on=["game_date", "player_lookup"], how="left")
    return best[cols]


def game_lines_for_date(game_lines: pd.DataFrame) -> pd.DataFrame:
    """Per (game_date, home, away): consensus spread (home perspective) and total from each book's
    latest pre-tip snapshot."""
    cols = ["game_date", "home_team_tricode", "away_team_tricode", "home_spread", "game_total"]
    pre = pre_tip_lines(game_lines)
    if pre.empty:
        return pd.DataFrame(columns=cols)
    pre = pre.sort_values("snapshot_timestamp")
    latest = pre.groupby(
        ["game_date", "home_team_tricode", "away_team_tricode", "bookmaker", "market_key", "outcome_name"],
        as_index=False,
    ).last()
    spreads = latest[(latest["market_key"] == "spreads") & (latest["outcome_name"] == latest["home_team_tricode"])]
    totals = latest[(latest["market_key"] == "totals") & (latest["outcome_name"] == "Over")]
    sp = (
        spreads.groupby(["game_date", "home_team_tricode", "away_team_tricode"])["outcome_point"]
        .median()
        .rename("home_spread")
    )
    tt = (
        totals.groupby(["game_date", "home_team_tricode", "away_team_tricode"])["outcome_point"]
        .median()
        .rename("game_total")
    )
    return pd.concat([sp, tt], axis=1).reset_index()
