"""Prop markets, one entry each: the Odds API market key, the box-score stats a bet settles on and the
prediction systems that serve it. The scorecard, the line shopping and the settlement read this list;
adding a market is one entry (and its test)."""

from __future__ import annotations

from dataclasses import dataclass

# Box-score stats, in the names our tables and the real-data folder's game logs share.
POINTS_STAT, REBOUNDS_STAT, ASSISTS_STAT, THREES_STAT = "points", "rebounds", "assists", "threes_made"
# The systems that need only the books' lines serve every market; the feature-store models are
# trained on points.
LINE_SYSTEMS = ("line_anchored_v1",)
POINTS_SYSTEMS = ("catboost_points_v1", "moving_average_baseline_v1", *LINE_SYSTEMS)


@dataclass(frozen=True)
class Market:
    key: str  # the Odds API market key (its `markets=` value)
    label: str
    settles_on: tuple[str, ...]  # the box-score stats whose sum settles a bet
    # The standard deviation of the settled stat around the books' fair line: the width a walk-forward
    # starts from before it has measured its own, and the one closing-line value carries a moved line
    # with. Measured on the real-data folder (`nba-pipeline evaluate-markets`, column "sd").
    error_width: float
    systems: tuple[str, ...] = LINE_SYSTEMS

    def actual(self, stats) -> object:
        """The settled value from a row (or frame) of box-score stats: the sum of ``settles_on``."""
        total = stats[self.settles_on[0]]
        for stat in self.settles_on[1:]:
            total = total + stats[stat]
        return total


POINTS = Market("player_points", "points", (POINTS_STAT,), 6.46, POINTS_SYSTEMS)
REBOUNDS = Market("player_rebounds", "rebounds", (REBOUNDS_STAT,), 2.58)
ASSISTS = Market("player_assists", "assists", (ASSISTS_STAT,), 1.99)
THREES = Market("player_threes", "threes", (THREES_STAT,), 1.48)
PRA = Market(
    "player_points_rebounds_assists", "points + rebounds + assists", (POINTS_STAT, REBOUNDS_STAT, ASSISTS_STAT), 8.09
)

MARKETS: tuple[Market, ...] = (POINTS, REBOUNDS, ASSISTS, THREES, PRA)
BY_KEY = {m.key: m for m in MARKETS}
# Short names (``--market threes``); the real-data folder names the PRA market "pra" in its files.
ALIASES = {**{m.key.removeprefix("player_"): m.key for m in MARKETS}, "player_pra": PRA.key, "pra": PRA.key}


def market(key: str) -> Market:
    """The registered market of an Odds API key (or an alias of one); ValueError naming the key and
    the registered ones otherwise."""
    try:
        return BY_KEY[ALIASES.get(key, key)]
    except KeyError:
        raise ValueError(f"unknown prop market {key!r}; registered: {', '.join(BY_KEY)}") from None


def odds_api_markets(markets: tuple[Market, ...] = MARKETS) -> str:
    """The `markets=` parameter of one event-odds call: every market at once, comma-joined."""
    return ",".join(m.key for m in markets)


def credits_per_event(markets: tuple[Market, ...] = MARKETS, regions: int = 1) -> int:
    """What one event-odds call costs in Odds API credits: one per market per region."""
    return len(markets) * regions
