"""Prop markets, one entry each: the Odds API market key, the box-score stats a bet settles on and the
prediction systems that serve it. The scorecard, the line shopping and the settlement read this list;
adding a market is one entry (and its test)."""

from __future__ import annotations

from dataclasses import dataclass

# Box-score stats, in the names our tables and the real-data folder's game logs share.
POINTS_STAT, REBOUNDS_STAT, ASSISTS_STAT, THREES_STAT = "points", "rebounds", "assists", "threes_made"
# Every box-score stat a market may settle on, under its player_game_summary column name: a market on
# any of them (blocks, say) is one entry in MARKETS.
SUMMARY_COLUMNS = {
    POINTS_STAT: "points",
    REBOUNDS_STAT: "reb",
    ASSISTS_STAT: "ast",
    THREES_STAT: "fg3m",
    "steals": "stl",
    "blocks": "blk",
    "turnovers": "tov",
}
# The systems that need only the books' lines serve every market; points, the market of the
# feature store, is served by every registered system.
LINE_SYSTEMS = ("line_anchored_v1", "fair_line_v1")


@dataclass(frozen=True)
class Market:
    key: str  # the Odds API market key (its `markets=` value)
    label: str
    settles_on: tuple[str, ...]  # the box-score stats whose sum settles a bet
    # The standard deviation of the settled stat around the books' fair line: the width a walk-forward
    # starts from before it has measured its own, and the one closing-line value carries a moved line
    # with. Measured on the real-data folder (`nba-pipeline evaluate-markets`, column "sd").
    error_width: float
    systems: tuple[str, ...] | None = LINE_SYSTEMS  # None: every registered system

    def serves(self, system_id: str) -> bool:
        return self.systems is None or system_id in self.systems

    @property
    def short(self) -> str:
        """The name reports and ``--market`` use: the key without ``player_`` (PRA: "pra")."""
        return (
            "pra" if self.settles_on == (POINTS_STAT, REBOUNDS_STAT, ASSISTS_STAT) else self.key.removeprefix("player_")
        )

    def actual(self, stats) -> object:
        """The settled value from a row (or frame) of box-score stats: the sum of ``settles_on``."""
        total = stats[self.settles_on[0]]
        for stat in self.settles_on[1:]:
            total = total + stats[stat]
        return total


POINTS = Market("player_points", "points", (POINTS_STAT,), 6.46, systems=None)
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


def with_market(frame):
    """The frame with its ``market`` column, rows written before markets (no column, or NULL) being
    player points: every table the graph predicted into held points only until then."""
    if "market" not in frame:
        return frame.assign(market=POINTS.key)
    return frame.assign(market=frame["market"].fillna(POINTS.key)) if frame["market"].isna().any() else frame


def settled_stats(player_games):
    """player_game_summary rows with the box-score stats under the names markets settle on."""
    return player_games.rename(columns={v: k for k, v in SUMMARY_COLUMNS.items() if k != v})


def odds_api_markets(markets: tuple[Market, ...] = MARKETS) -> str:
    """The `markets=` parameter of one event-odds call: every market at once, comma-joined."""
    return ",".join(m.key for m in markets)


def credits_per_event(markets: tuple[Market, ...] = MARKETS, regions: int = 1) -> int:
    """What one event-odds call costs in Odds API credits: one per market per region."""
    return len(markets) * regions
