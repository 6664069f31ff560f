"""Deterministic randomness for the simulated league: generators and ids that depend only on the seed.

Never Python's global random or salted ``hash()``: the same seed builds the same league in every
process.
"""

from __future__ import annotations

import hashlib
import zlib

import numpy as np


def seeded_rng(seed: int, year: int, purpose: str, *more: int) -> np.random.Generator:
    """A generator that depends only on (seed, year, purpose, more): stable across processes."""
    entropy = [abs(int(seed)), 1 if seed < 0 else 0, int(year), zlib.crc32(purpose.encode()), *map(int, more)]
    return np.random.default_rng(entropy)


def event_id_for(seed: int, game_id: str) -> str:
    """The Odds API event id of a game: 32 hex characters derived from the seed and game id."""
    return hashlib.md5(f"{seed}:{game_id}".encode()).hexdigest()
