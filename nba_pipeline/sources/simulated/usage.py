"""How a team's minutes and scoring are shared among the players who play."""

from __future__ import annotations

import numpy as np

# The share of a missing player's scoring his teammates make up: a team's output depends only partly on
# who plays, because the shots he would have taken go to the players on the floor.
USAGE_ELASTICITY = 0.65


def allocate(weights: np.ndarray, total: float, cap: float) -> np.ndarray:
    """Split ``total`` minutes proportionally to ``weights``, no one above ``cap``."""
    w = np.maximum(np.asarray(weights, dtype=float), 1e-6)
    out = np.zeros_like(w)
    free = np.ones(len(w), dtype=bool)
    remaining = total
    for _ in range(len(w)):
        share = w[free] / w[free].sum() * remaining
        over = share > cap
        if not over.any():
            out[free] = share
            break
        idx = np.flatnonzero(free)[over]
        out[idx] = cap
        free[idx] = False
        remaining = total - out[~free].sum()
        if not free.any() or remaining <= 0:
            break
    return out


def to_seconds(minutes: np.ndarray, total_seconds: int) -> np.ndarray:
    """Integer seconds summing exactly to ``total_seconds`` (largest remainder)."""
    raw = minutes * 60.0
    raw = raw * (total_seconds / raw.sum())
    base = np.floor(raw).astype(int)
    short = total_seconds - int(base.sum())
    if short > 0:
        order = np.argsort(-(raw - base), kind="stable")[:short]
        base[order] += 1
    return base
