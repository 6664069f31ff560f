"""The simulated sportsbooks and how they price a half-point player-prop line: the books, their margin,
half-point lines and American prices, and the late information their pre-game lines absorb as tip-off
nears (shared by every prop market).

Late information is a noisy reading of the outcome, not the outcome: per game, player and stat one
signal, the actual stat plus noise of ``LATE_INFO_NOISE`` times the stat's error width, drawn once from
the game's own ``"late-info"`` stream (so it is the same at every snapshot and the line moves smoothly
toward it, and no other stream draws differently). The books blend their estimate toward that signal
with a weight growing from 0 at the opening snapshot to ``LATE_INFO_AT_TIP`` at tip-off."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from nba_pipeline.markets import (
    ASSISTS,
    ASSISTS_STAT,
    POINTS,
    POINTS_STAT,
    REBOUNDS,
    REBOUNDS_STAT,
    THREES,
    THREES_STAT,
)
from nba_pipeline.sources.simulated.randomness import seeded_rng

BOOKS = ("draftkings", "fanduel", "betmgm", "williamhill_us", "betrivers")
MEDIAN_SHIFT = 0.1  # points: books hang lines near the (right-skewed) median, a little under the mean
VIG = 1.0476  # both sides' implied probabilities are scaled up by the books' margin
# Real markets absorb late information (lineups, minutes news, sharp money) before tip-off, so a
# closing line beats the opening one, but only modestly: that information is a noisy reading of the
# outcome. The books' pre-game fair value of a stat blends their estimate with a signal, the actual stat
# plus noise of LATE_INFO_NOISE error widths, with LATE_INFO_AT_TIP the signal's weight at tip-off
# (growing linearly from 0 at the opening snapshot).
# Noise: a pick at the open toward the side the line later moved wins about 0.5 + asin(rho) / pi of the
# time from this signal alone, rho = 1 / sqrt(1 + noise^2); real closing-line-value bettors win perhaps
# 52-60%. Injury news already moves lines toward the outcome (picks win 0.59-0.68 with no late
# information), so the signal must be weak: at 5 widths points and PRA picks win about 0.61-0.62 over a
# month (benchmarks/line_drift.py), the count markets 0.67-0.72 because their picks are favourites at the
# opening price (0.53-0.60); 2.5 widths gave 0.66-0.77 and 4 gave 0.62-0.72, the exact outcome 0.84-0.93.
LATE_INFO_NOISE = 5.0
# Weight: the move's spread is weight * sqrt(1 + noise^2) error widths; 0.018 keeps the moves the size the
# noise-free 0.10 gave (mean |close - open| of the points consensus about 0.87 points, and fewer than 60%
# of a book's points lines ending the day off their opening number: 0.02 crossed that, the signal's
# Gaussian noise crossing more half-points than the outcome's skewed error did) while the close still
# beats the open in every market.
LATE_INFO_AT_TIP = 0.018
# The error width the late-information noise is scaled by, per stat: its single-stat market's (PRA is
# the sum of its three stats and inherits their noise).
_SIGNAL_WIDTHS = {
    POINTS_STAT: POINTS.error_width,
    REBOUNDS_STAT: REBOUNDS.error_width,
    ASSISTS_STAT: ASSISTS.error_width,
    THREES_STAT: THREES.error_width,
}


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


@dataclass(frozen=True)
class LateInfo:
    """What the books learn of a game before tip-off: per pre-game snapshot the weight of the signal
    (``late_info_weights``), and per player who played, stat -> the signal (``late_info_signals``)."""

    weights: list[float]
    signal: dict[int, dict[str, float]]

    def fair(self, snapshot: int, person_id: int, stat: str, estimate: float) -> float:
        """The books' fair value of a stat at a pre-game snapshot (``absorb_late_info``)."""
        return absorb_late_info(estimate, self.signal.get(person_id, {}).get(stat), self.weights[snapshot])


def late_info_weights(pregame_times: list[dt.datetime], tipoff: dt.datetime) -> list[float]:
    """Per pre-game snapshot: the weight of the late information's signal in the books' fair value, ``LATE_INFO_AT_TIP``
    times the elapsed share of the window from the opening (earliest) snapshot to tip-off."""
    if not pregame_times:
        return []
    opening = pregame_times[0]
    span = (tipoff - opening).total_seconds()
    if span <= 0:
        return [0.0] * len(pregame_times)
    return [LATE_INFO_AT_TIP * min(max((t - opening).total_seconds() / span, 0.0), 1.0) for t in pregame_times]


def late_info_signals(
    seed: int, year: int, game_index: int, roster_pids: list[int], actual: dict[int, dict[str, float]]
) -> dict[int, dict[str, float]]:
    """person id -> stat -> the late information on the player's stat in this game: the actual stat plus
    noise of ``LATE_INFO_NOISE`` of the stat's error width, for the players who played (``actual``).
    One draw per roster player and stat from the game's ``"late-info"`` stream, whoever played, so a
    player's signal does not depend on anyone else's minutes."""
    rng = seeded_rng(seed, year, "late-info", game_index)
    noise = rng.normal(0.0, LATE_INFO_NOISE, (len(roster_pids), len(_SIGNAL_WIDTHS))).tolist()
    return {
        p: {stat: actual[p][stat] + noise[r][j] * width for j, (stat, width) in enumerate(_SIGNAL_WIDTHS.items())}
        for r, p in enumerate(roster_pids)
        if p in actual
    }


def absorb_late_info(estimate: float, signal: float | None, weight: float) -> float:
    """The books' pre-game fair value: their estimate moved ``weight`` of the way toward the late
    information's ``signal`` (a player who did not play, ``signal`` None, keeps the estimate; weight 0
    is the estimate exactly)."""
    return estimate if signal is None or weight == 0 else (1 - weight) * estimate + weight * signal
