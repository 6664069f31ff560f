"""Calibration of a system's P(over): observed over rates in ten equal-width bins with Wilson
intervals, the Brier score and the expected calibration error."""

from __future__ import annotations

import numpy as np
import pandas as pd

from nba_pipeline.domain.betting import OVER, line_result
from nba_pipeline.domain.evaluation.intervals import wilson_interval

CALIBRATION_BINS = 10
CALIBRATION_COLUMNS = [
    "system_id",
    "bin",
    "bin_lo",
    "bin_hi",
    "n",
    "mean_p_over",
    "observed_over_rate",
    "observed_lo",
    "observed_hi",
]
CALIBRATION_SUMMARY_COLUMNS = ["system_id", "n", "mean_p_over", "observed_over_rate", "brier", "ece"]


def system_calibration(system: str, s: pd.DataFrame) -> tuple[list[dict], dict | None]:
    """The bins (non-empty only) and the summary of one system's prepared rows; ([], None) when it
    states no P(over)."""
    # Pushes have no over/under outcome, so they are out of the observed rate and the Brier score.
    c = s[s["p_over"].notna() & s["decided"]]
    if c.empty:
        return [], None
    p = c["p_over"].to_numpy()
    y = (line_result(c["actual_points"], c["line_value"]) == OVER).to_numpy(dtype=float)
    # Equal-width bins [k/10, (k+1)/10), p_over = 1.0 in the last one.
    b = np.minimum(np.floor(p * CALIBRATION_BINS).astype(int), CALIBRATION_BINS - 1)
    n = np.bincount(b, minlength=CALIBRATION_BINS)
    over = np.bincount(b, weights=y, minlength=CALIBRATION_BINS)
    psum = np.bincount(b, weights=p, minlength=CALIBRATION_BINS)
    lo, hi = wilson_interval(over, n)
    rows = []
    for k in np.flatnonzero(n):
        rows.append(
            {
                "system_id": system,
                "bin": f"{k / CALIBRATION_BINS:.1f}-{(k + 1) / CALIBRATION_BINS:.1f}",
                "bin_lo": k / CALIBRATION_BINS,
                "bin_hi": (k + 1) / CALIBRATION_BINS,
                "n": int(n[k]),
                "mean_p_over": psum[k] / n[k],
                "observed_over_rate": over[k] / n[k],
                "observed_lo": float(lo[k]),
                "observed_hi": float(hi[k]),
            }
        )
    ece = sum(r["n"] * abs(r["observed_over_rate"] - r["mean_p_over"]) for r in rows) / len(c)
    summary = {
        "system_id": system,
        "n": len(c),
        "mean_p_over": float(p.mean()),
        "observed_over_rate": float(y.mean()),
        "brier": float(np.mean((p - y) ** 2)),
        "ece": float(ece),
    }
    return rows, summary
