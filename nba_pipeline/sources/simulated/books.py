"""The simulated sportsbooks and how they price a half-point player-prop line: the books, their margin,
half-point lines and American prices (shared by every prop market)."""

from __future__ import annotations

import numpy as np

BOOKS = ("draftkings", "fanduel", "betmgm", "williamhill_us", "betrivers")
MEDIAN_SHIFT = 0.1  # points: books hang lines near the (right-skewed) median, a little under the mean
VIG = 1.0476  # both sides' implied probabilities are scaled up by the books' margin


def round_half(x):
    """Nearest x.5 (player-prop lines are always half points), never below 0.5."""
    return np.maximum(np.floor(x) + 0.5, 0.5)


def american(implied: np.ndarray, lowest: int = -130, highest: int = 110) -> np.ndarray:
    """Implied probabilities (with vig) to American prices rounded to 5, clamped to lowest..highest
    (points lines sit near even money; small counts like threes carry longer prices)."""
    p = np.clip(implied, 0.05, 0.95)
    fav = -100.0 * p / (1.0 - p)
    dog = 100.0 * (1.0 - p) / p
    price = np.where(p >= 0.5, fav, dog)
    price = np.round(price / 5.0) * 5.0
    price = np.where((price > -100) & (price < 100), np.where(p >= 0.5, -100.0, 100.0), price)
    price = np.clip(price, lowest, highest)
    return price.astype(int)
