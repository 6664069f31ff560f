"""Betting arithmetic of a player-points prop: American odds, decimal odds and implied probability,
break-even and expected value, how a bet settles against a line, and edge buckets.

One definition of each, used by grading, the prediction systems and the evaluation. Prices are
American odds (-110, +150); functions take a scalar (and return a float), an array or a Series
(and return the same shape; a Series keeps its index).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# The price assumed where a book's price is unknown (the simulated league, lines scraped without
# prices): the standard -110 on both sides.
DEFAULT_PRICE = -110.0
OVER, UNDER, PUSH = "OVER", "UNDER", "PUSH"
PICK_SIDES = (OVER, UNDER)
# How a bet settled (the results export writes these words).
WIN, LOSS, PUSHED = "win", "loss", "push"

# |predicted - line| buckets, half-open [lower bound, next lower bound): an edge of exactly 1.0 is in
# 1-2 (README, "Evaluating prediction systems").
EDGE_BUCKETS = ((0.0, "0-1"), (1.0, "1-2"), (2.0, "2-3"), (3.0, "3-5"), (5.0, "5+"))
# Legacy grading (legacy-system.md section 7) treats edges under 3 points as noise and reports them
# as one bucket; its table keeps that label, the finer buckets above 3 are the same.
NOISE_EDGE = 3.0
NOISE_BUCKET = "<3"


def _shaped(like, values: np.ndarray):
    """``values`` in the shape of ``like``: a Series keeps its index and name, a scalar is a float."""
    if isinstance(like, pd.Series):
        return pd.Series(values, index=like.index, name=like.name)
    return float(values) if values.ndim == 0 else values


def american_profit(price):
    """Profit per 1 unit staked on a win at American odds: -110 -> 100/110 = 0.9091, +150 -> 1.5.
    NaN stays NaN; a price between -100 and +100 is not American odds and raises ValueError."""
    p = np.asarray(price, dtype=float)
    bad = ~np.isnan(p) & (np.abs(p) < 100)
    if bad.any():
        raise ValueError(f"American odds are <= -100 or >= +100; got {np.atleast_1d(p[bad])[:5].tolist()}")
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(p < 0, 100.0 / -p, p / 100.0)
    return _shaped(price, out)


def decimal_odds(price):
    """Decimal odds (stake included) of American odds: -110 -> 1.9091, +150 -> 2.5."""
    return _shaped(price, 1.0 + np.asarray(american_profit(price), dtype=float))


def american_odds(decimal):
    """American odds of decimal odds: 2.5 -> +150, 1.9091 -> -110 (2.0 -> +100)."""
    d = np.asarray(decimal, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(d >= 2.0, (d - 1.0) * 100.0, -100.0 / (d - 1.0))
    return _shaped(decimal, out)


def implied_probability(price):
    """The probability a price implies (the book's margin included): -110 -> 110/210 = 0.5238,
    +150 -> 100/250 = 0.4. NaN stays NaN. It does not refuse odd prices: the main-line choice
    compares whatever the books quoted."""
    p = np.asarray(price, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(p < 0, -p / (-p + 100.0), 100.0 / (p + 100.0))
    return _shaped(price, out)


def break_even(price):
    """The hit rate at which a bet at this price has zero expected value, which is its implied
    probability: -110 -> 0.5238 (the README's "52.4 %"), -200 -> 2/3."""
    return implied_probability(price)


def no_vig_probabilities(over_price, under_price):
    """The book's fair P(over) and P(under) with its margin removed: each side's implied probability
    divided by their sum (the multiplicative method). -110 / -110 -> 0.5 / 0.5; -130 / +110 ->
    0.5427 / 0.4573 (implied 0.5652 and 0.4762, sum 1.0414). NaN where a price is missing."""
    over = np.asarray(implied_probability(over_price), dtype=float)
    under = np.asarray(implied_probability(under_price), dtype=float)
    total = over + under
    with np.errstate(divide="ignore", invalid="ignore"):
        return _shaped(over_price, over / total), _shaped(under_price, under / total)


def kelly_stake(p_win, price, fraction: float = 0.25):
    """The share of the bankroll to stake: ``fraction`` of the Kelly criterion (p·b − q) / b, b the
    profit per unit at the price, never below 0. p = 0.55 at +100 -> full Kelly 0.10, quarter 0.025;
    no edge (p at or below the break-even) -> 0."""
    p = np.asarray(p_win, dtype=float)
    b = np.asarray(american_profit(price), dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        full = (p * b - (1.0 - p)) / b
    return _shaped(p_win, np.clip(full, 0.0, None) * fraction)


def price_or_default(price):
    """The offered price, or DEFAULT_PRICE where it is unknown (NaN / NULL)."""
    p = np.asarray(price, dtype=float)
    return _shaped(price, np.where(np.isnan(p), DEFAULT_PRICE, p))


def expected_value(p_win, price):
    """Expected profit per unit staked: p x profit - (1 - p), at the offered price (DEFAULT_PRICE
    where it is unknown)."""
    p = np.asarray(p_win, dtype=float)
    out = p * np.asarray(american_profit(price_or_default(np.asarray(price, dtype=float))), dtype=float) - (1 - p)
    return float(out) if out.ndim == 0 else out


def _aligned_floats(*values) -> list[pd.Series]:
    """Float Series on one index (the first Series' index, by position; else 0..n-1); NULL -> NaN."""
    index = next((x.index for x in values if isinstance(x, pd.Series)), None)
    out = []
    for x in values:
        s = pd.to_numeric(x if isinstance(x, pd.Series) else pd.Series(np.atleast_1d(x)), errors="coerce")
        out.append(pd.Series(s.astype(float).to_numpy(), index=index))
    return out


def line_result(actual, line) -> pd.Series:
    """How the points settled against the line: OVER above it, UNDER below, PUSH on it (the stake
    comes back); None where the points or the line are unknown."""
    a, ln = _aligned_floats(actual, line)
    out = np.where(a.isna() | ln.isna(), None, np.where(a > ln, OVER, np.where(a < ln, UNDER, PUSH)))
    return pd.Series(out, index=a.index, dtype=object)


def bet_result(side, actual, line) -> pd.Series:
    """How a bet on ``side`` (OVER / UNDER) settled: win, loss or push; None where there is no bet
    (PASS, NO_LINE) or the result is unknown."""
    result = line_result(actual, line)
    side = pd.Series(np.asarray(side, dtype=object), index=result.index)
    bet = side.isin(PICK_SIDES) & result.notna()
    out = np.where(~bet, None, np.where(result == PUSH, PUSHED, np.where(result == side, WIN, LOSS)))
    return pd.Series(out, index=result.index, dtype=object)


def edge_bucket(edge_abs: pd.Series) -> pd.Series:
    """The EDGE_BUCKETS label of each |predicted - line|; None without a line. Rounded to 9 decimals
    first, so a float subtraction landing at 0.9999999999 is not put below a boundary."""
    edge = pd.to_numeric(edge_abs, errors="coerce").astype(float).round(9)
    out = pd.Series(None, index=edge.index, dtype=object)
    bounds = [lo for lo, _ in EDGE_BUCKETS[1:]] + [np.inf]
    for (lo, label), hi in zip(EDGE_BUCKETS, bounds):
        out[(edge >= lo) & (edge < hi)] = label
    return out


def graded_edge_bucket(edge_abs: pd.Series) -> pd.Series:
    """edge_bucket, with every edge under NOISE_EDGE reported as NOISE_BUCKET (legacy grading)."""
    out = edge_bucket(edge_abs)
    out[pd.to_numeric(edge_abs, errors="coerce").astype(float).round(9) < NOISE_EDGE] = NOISE_BUCKET
    return out
