"""What a feature is (name, meaning, category, source, computation, default, optional) and how the
feature store names its stored columns (``feature_{index}_value`` / ``_quality`` / ``_source``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from nba_pipeline.domain.features.inputs import FeatureInputs

MATCHUP, PLAYER_HISTORY, TEAM_CONTEXT, VEGAS, GAME_CONTEXT = (
    "matchup",
    "player_history",
    "team_context",
    "vegas",
    "game_context",
)
CATEGORIES = (MATCHUP, PLAYER_HISTORY, TEAM_CONTEXT, VEGAS, GAME_CONTEXT)
MISSING, DEFAULT = "missing", "default"


@dataclass(frozen=True)
class Feature:
    """One feature of the store.

    ``compute`` gives its values from the inputs (a Series on the rows' index, or a scalar for every
    row); None when our sources cannot provide it (always NULL, source "missing"). A known value is
    recorded with ``source``. Where the value is missing (NULL, or wherever ``default_when`` says), it
    is ``default`` with source "default", or NULL with source "missing" when there is no default;
    ``fallback`` = (source, compute) then fills what is still NULL with a lesser value and its own
    source. ``optional`` features never block a prediction (legacy 4.2). ``index`` is the feature's
    position in the store (its column number), set by the list it is in."""

    name: str
    meaning: str
    category: str
    source: str
    compute: Callable[[FeatureInputs], Any] | None
    default: float | None = None
    default_when: Callable[[FeatureInputs], Any] | None = None
    fallback: tuple[str, Callable[[FeatureInputs], Any]] | None = None
    optional: bool = False
    index: int = -1

    @property
    def available(self) -> bool:
        """False: our sources cannot provide it (always NULL / missing)."""
        return self.compute is not None


def value_col(index: int) -> str:
    return f"feature_{index}_value"


def quality_col(index: int) -> str:
    return f"feature_{index}_quality"


def source_col(index: int) -> str:
    return f"feature_{index}_source"
