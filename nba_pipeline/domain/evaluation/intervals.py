"""Intervals: the percentile bootstrap over game dates (a cluster bootstrap) and the Wilson interval.

The bootstrap resamples game dates, not rows. Player-games of one night share pace, referees,
blowouts and the books' information, so their errors and results are correlated; resampling rows
treats 200 props of one night as 200 independent draws and understates the interval. A night is the
unit that varies independently, so a night is what is drawn.
"""

from __future__ import annotations

import functools
import statistics

import numpy as np
import pandas as pd

N_BOOT = 2000
CONFIDENCE = 0.95

_Q = (100 * (1 - CONFIDENCE) / 2, 100 * (1 + CONFIDENCE) / 2)


@functools.lru_cache(maxsize=64)
def _resample_weights(n_dates: int, n_boot: int, seed: int) -> np.ndarray:
    """n_boot x n_dates: how many times each date is drawn in each resample (a date drawn twice
    counts its rows twice). Same seed and number of dates, same matrix, so the statistics of one
    system are computed on the same resamples (and the matrix is drawn once)."""
    rng = np.random.default_rng(seed)
    w = rng.multinomial(n_dates, np.full(n_dates, 1.0 / n_dates), size=n_boot).astype(float)
    w.flags.writeable = False
    return w


def _cluster_bootstrap(numerator, denominator, game_dates, n_boot: int, seed: int) -> tuple[float, float, float]:
    num = np.asarray(numerator, dtype=float)
    den = np.asarray(denominator, dtype=float)
    keep = ~(np.isnan(num) | np.isnan(den))
    num, den = num[keep], den[keep]
    if not len(num):
        return np.nan, np.nan, np.nan
    codes, uniques = pd.factorize(np.asarray(game_dates)[keep])
    total_den = den.sum()
    estimate = float(num.sum() / total_den) if total_den else np.nan
    if len(uniques) < 2:
        return estimate, np.nan, np.nan
    # Per-date sums, then each resample is a weighted sum of them: no DataFrame per resample.
    num_by_date = np.bincount(codes, weights=num, minlength=len(uniques))
    den_by_date = np.bincount(codes, weights=den, minlength=len(uniques))
    w = _resample_weights(len(uniques), n_boot, seed)
    with np.errstate(divide="ignore", invalid="ignore"):
        stats = (w @ num_by_date) / (w @ den_by_date)
    # A resample whose dates hold no denominator (e.g. only nights without picks) has no value;
    # it is dropped rather than counted as 0.
    stats = stats[np.isfinite(stats)]
    if not len(stats):
        return estimate, np.nan, np.nan
    lo, hi = np.percentile(stats, _Q)
    return estimate, float(lo), float(hi)


def bootstrap_ratio(
    numerator, denominator, game_dates, n_boot: int = N_BOOT, seed: int = 0
) -> tuple[float, float, float]:
    """sum(numerator) / sum(denominator) with a percentile interval from resampling the dates (each
    row's game date is its cluster). Rows where either is NaN are out. Returns (estimate, lo, hi);
    lo and hi are NaN with fewer than 2 dates, all three with no rows."""
    return _cluster_bootstrap(numerator, denominator, game_dates, n_boot, seed)


def bootstrap_mean(values, game_dates, n_boot: int = N_BOOT, seed: int = 0) -> tuple[float, float, float]:
    """Mean of values (NaN dropped) with a date-resampled interval, as bootstrap_ratio."""
    v = np.asarray(values, dtype=float)
    return _cluster_bootstrap(v, np.where(np.isnan(v), np.nan, 1.0), game_dates, n_boot, seed)


def bootstrap_paired_difference(a, b, game_dates, n_boot: int = N_BOOT, seed: int = 0) -> tuple[float, float, float]:
    """mean(a) - mean(b) over the rows where both exist, the two resampled together: the same rows
    and nights on both sides, so the night-to-night noise they share cancels. With a = system's
    absolute error and b = line's, an upper bound below 0 means the system beats the line."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return bootstrap_mean(a - b, game_dates, n_boot, seed)


def wilson_interval(successes, n, confidence: float = CONFIDENCE):
    """Wilson score interval of a binomial proportion (arrays or scalars): unlike the normal
    approximation it stays inside [0, 1] and is sensible for the small counts of a calibration bin.
    7 of 10 -> (0.3968, 0.8922)."""
    z = statistics.NormalDist().inv_cdf(0.5 + confidence / 2)
    k, n = np.asarray(successes, dtype=float), np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half
