"""Line shopping: which quotes of a player's prop to trust, the market's fair line from every book's
line and prices with the vig removed, and the bet with the highest expected value over every book.

A quote is (book, line, over price, under price) at one snapshot. Quotes are compared on their no-vig
P(over). The rule that keeps the shopping honest, ``consistent_quotes`` ("agree with the other
books"): a quote whose no-vig P(over) sits more than ``ALTERNATE_LINE_GAP`` away from the P(over) at
its line that the other books' quotes imply is dropped. Books sometimes list an alternate line under
the main line's label (on the 2024-25 threes, a "1.5" at +230 / -335 while the others price 1.5 near
even): taken at face value such a quote looks like a gift, and a naive best-price search buys exactly
those.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nba_pipeline.domain.betting import OVER, UNDER, american_profit, kelly_stake, no_vig_probabilities

LINE_SIZE_GROUPS = 3  # the error width is measured per tercile of a market's lines
ALTERNATE_LINE_GAP = 0.10  # no-vig probability points away from the other books at the same line
PRIORITY_BOOKS = ("draftkings", "fanduel")  # the book a pick is priced at without shopping
KEY = ["game_date", "event", "player_lookup", "market"]


def with_no_vig(quotes: pd.DataFrame) -> pd.DataFrame:
    """The quotes with each book's fair P(over) (its margin removed)."""
    out = quotes.copy()
    out["p_over_no_vig"], _ = no_vig_probabilities(out["over_price"].astype(float), out["under_price"].astype(float))
    return out


def widths_by_line_size(lines, errors, min_rows: int) -> tuple[np.ndarray, np.ndarray] | None:
    """The error width by line size (a big line misses by more than a small one): the cut points of
    the terciles of ``lines`` and the sample standard deviation of ``errors`` in each; None while a
    tercile holds fewer than ``min_rows`` (lines repeat: a threes line is 0.5, 1.5 or 2.5)."""
    lines, errors = np.asarray(lines, dtype=float), np.asarray(errors, dtype=float)
    if len(lines) < min_rows * LINE_SIZE_GROUPS:
        return None
    cuts = np.quantile(lines, np.arange(1, LINE_SIZE_GROUPS) / LINE_SIZE_GROUPS)
    group = np.digitize(lines, cuts)
    if (np.bincount(group, minlength=LINE_SIZE_GROUPS) < min_rows).any():
        return None
    return cuts, np.array([errors[group == g].std(ddof=1) for g in range(LINE_SIZE_GROUPS)])


def width_at(cuts, widths, lines) -> np.ndarray:
    """The width of each line's tercile (``widths_by_line_size``)."""
    return np.asarray(widths, dtype=float)[np.digitize(np.asarray(lines, dtype=float), cuts)]


def row_widths(quotes: pd.DataFrame, sigma: dict[str, float]) -> np.ndarray:
    """Each quote's error width: its own ``width`` column where the caller sets one (a width by line
    size), else its market's."""
    if "width" in quotes:
        return quotes["width"].astype(float).to_numpy()
    return quotes["market"].map(sigma).astype(float).to_numpy()


def consistent_quotes(quotes: pd.DataFrame, sigma: dict[str, float], gap: float = ALTERNATE_LINE_GAP) -> pd.DataFrame:
    """Drop quotes that disagree with the other books: a quote's no-vig P(over) more than ``gap`` away
    from the P(over) at its line that the other books imply (the median of their implied medians, at
    the market's error width ``sigma``). Same line or not: an alternate line sold under a main line's
    label disagrees with everyone. Two books that disagree are both dropped: nothing says which one is
    right. A lone quote stays (to the line-based system its fair line is itself: never value)."""
    q = with_no_vig(quotes) if "p_over_no_vig" not in quotes else quotes.copy()
    q = q[q["p_over_no_vig"].notna()].reset_index(drop=True)
    if q.empty:
        return q
    widths = row_widths(q, sigma)
    implied = implied_median(q["line"], q["p_over_no_vig"], widths)
    group = q.groupby(KEY, sort=False).ngroup().to_numpy()
    others = leave_one_out_median(group, implied)
    expected, _ = side_probabilities(others, widths, q["line"])
    judged = ~np.isnan(others)  # a lone quote has no other book to disagree with
    keep = ~judged | (np.abs(q["p_over_no_vig"].to_numpy() - expected) <= gap)
    return q[keep]


def leave_one_out_median(group, values) -> np.ndarray:
    """For every element, the median of the other elements of its group (NaN in a group of one)."""
    group, values = np.asarray(group), np.asarray(values, dtype=float)
    order = np.lexsort((values, group))
    g, v = group[order], values[order]
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    sizes = np.diff(np.r_[starts, len(g)])
    start, n = np.repeat(starts, sizes), np.repeat(sizes, sizes)
    rank = np.arange(len(g)) - start  # the element's position in its sorted group

    def without(k):
        # The k-th smallest of the group once the element itself is removed.
        return v[np.minimum(start + k + (k >= rank), len(v) - 1)]

    rest = n - 1
    half = rest // 2
    odd = without(half)
    even = (without(np.maximum(half - 1, 0)) + odd) / 2
    out = np.where(rest % 2 == 1, odd, even)
    out[rest == 0] = np.nan
    result = np.empty_like(out)
    result[order] = out
    return result


def implied_median(line, p_over, sigma):
    """The median outcome a quote implies under a normal error of width ``sigma``: P(X > line) =
    p_over gives median = line + sigma * z(p_over)."""
    # Heavy dependency loaded only when used: the CLI imports this module at start (scipy.stats costs
    # a process about 1.3 s of imports, scipy.special about 0.3 s).
    from scipy.special import ndtri

    return np.asarray(line, dtype=float) + np.asarray(sigma, dtype=float) * ndtri(np.asarray(p_over, dtype=float))


def fair_lines(quotes: pd.DataFrame, sigma: dict[str, float]) -> pd.DataFrame:
    """Per player-game-market: the consensus fair median (the median over books of each quote's
    implied median, the vig removed from its prices), the number of books, and the modal line."""
    q = quotes.assign(implied=implied_median(quotes["line"], quotes["p_over_no_vig"], row_widths(quotes, sigma)))
    grouped = q.groupby(KEY)
    return pd.DataFrame(
        {
            "fair_median": grouped["implied"].median(),
            "books": grouped["bookmaker"].nunique(),
            "modal_line": grouped["line"].agg(lambda s: s.mode().iloc[0]),
        }
    ).reset_index()


def side_probabilities(median, sigma, line) -> tuple[np.ndarray, np.ndarray]:
    """P(over), P(under) at a line for a count stat ~ N(median, sigma): a half line cannot push; a
    whole line pushes on the line itself (continuity: the line +- 0.5)."""
    median, sigma, line = (np.asarray(x, dtype=float) for x in (median, sigma, line))
    whole = np.isclose(line, np.round(line))
    # Heavy dependency loaded only when used (see implied_median).
    from scipy.special import ndtr

    p_over = np.where(whole, ndtr(-(line + 0.5 - median) / sigma), ndtr(-(line - median) / sigma))
    p_under = np.where(whole, ndtr((line - 0.5 - median) / sigma), ndtr((line - median) / sigma))
    return p_over, p_under


def bet_values(quotes: pd.DataFrame, median, sigma) -> pd.DataFrame:
    """Each quote's two bets with P(win), P(loss) and expected value per unit at its own price."""
    p_over, p_under = side_probabilities(median, sigma, quotes["line"])
    rows = []
    for side, p_win, p_loss, price in (
        (OVER, p_over, p_under, quotes["over_price"]),
        (UNDER, p_under, p_over, quotes["under_price"]),
    ):
        profit = np.asarray(american_profit(price.astype(float)), dtype=float)
        rows.append(
            quotes.assign(
                side=side, price=price.astype(float), p_win=p_win, p_loss=p_loss, expected_value=p_win * profit - p_loss
            )
        )
    return pd.concat(rows, ignore_index=True)


def best_bets(quotes: pd.DataFrame, predictions: pd.DataFrame, kelly_fraction: float = 0.25) -> pd.DataFrame:
    """Per player-game-market, the bet with the highest expected value over every book's quote and
    both sides, given the prediction's ``median`` and ``sigma`` (one row per KEY); with its book, line,
    price, P(win), expected value and the fractional-Kelly stake."""
    joined = quotes.merge(predictions[[*KEY, "median", "sigma"]], on=KEY, how="inner")
    if joined.empty:
        return joined.assign(side=[], price=[], p_win=[], p_loss=[], expected_value=[], kelly=[])
    bets = bet_values(joined, joined["median"], joined["sigma"])
    best = bets.sort_values(["expected_value", "bookmaker"], ascending=[False, True]).drop_duplicates(KEY)
    best["kelly"] = kelly_stake(best["p_win"].to_numpy(), best["price"].to_numpy(), kelly_fraction)
    return best.reset_index(drop=True)


def priority_quote(quotes: pd.DataFrame) -> pd.DataFrame:
    """The quote a pick is priced at without shopping: DraftKings, else FanDuel, else any book (the
    first by name), per player-game-market."""
    rank = quotes["bookmaker"].map({b: i for i, b in enumerate(PRIORITY_BOOKS)}).fillna(len(PRIORITY_BOOKS))
    ordered = quotes.assign(_rank=rank).sort_values([*KEY, "_rank", "bookmaker"])
    return ordered.drop_duplicates(KEY).drop(columns="_rank")
