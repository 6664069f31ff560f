"""The Odds API v4 event odds (every registered player-prop market, spreads, totals) and the
historical endpoint's envelope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from nba_pipeline.domain.teams import BY_TRICODE
from nba_pipeline.markets import MARKETS, POINTS
from nba_pipeline.sources.formats.common import iso_z

PROP_MARKETS = tuple(m.key for m in MARKETS)

BOOK_TITLES = {
    "draftkings": "DraftKings",
    "fanduel": "FanDuel",
    "betmgm": "BetMGM",
    "pointsbetus": "PointsBet (US)",
    "williamhill_us": "Caesars",
    "betrivers": "BetRivers",
    "bovada": "Bovada",
    "espnbet": "ESPN BET",
    "fliff": "Fliff",
    "betonlineag": "BetOnline.ag",
    "fanatics": "Fanatics",
    "hardrockbet": "Hard Rock Bet",
}


@dataclass
class PropQuote:
    player_name: str
    line: float
    over_price: int
    under_price: int
    market: str = POINTS.key  # the Odds API market key (markets.py)


@dataclass
class BookQuotes:
    book: str
    last_update: dt.datetime
    props: list[PropQuote] = field(default_factory=list)
    spread_home: float | None = None  # home team's spread (negative = favourite)
    total: float | None = None


def odds_event(
    event_id: str,
    commence_time: dt.datetime,
    home: str,
    away: str,
    books: list[BookQuotes],
    markets: tuple[str, ...] = PROP_MARKETS,
) -> dict:
    """One event's odds as the v4 event-odds endpoint returns them: per book, one entry per requested
    market it quotes (prop markets in the order asked, then spreads and totals)."""
    home_name, away_name = BY_TRICODE[home].full_name, BY_TRICODE[away].full_name
    bookmakers = []
    for b in books:
        mkts = []
        for key in (m for m in markets if m in PROP_MARKETS):
            outcomes = []
            for q in (q for q in b.props if q.market == key):
                outcomes.append({"name": "Over", "description": q.player_name, "price": q.over_price, "point": q.line})
                outcomes.append(
                    {"name": "Under", "description": q.player_name, "price": q.under_price, "point": q.line}
                )
            if outcomes:
                mkts.append({"key": key, "last_update": iso_z(b.last_update), "outcomes": outcomes})
        if "spreads" in markets and b.spread_home is not None:
            mkts.append(
                {
                    "key": "spreads",
                    "last_update": iso_z(b.last_update),
                    "outcomes": [
                        {"name": home_name, "price": -110, "point": b.spread_home},
                        {"name": away_name, "price": -110, "point": -b.spread_home},
                    ],
                }
            )
        if "totals" in markets and b.total is not None:
            mkts.append(
                {
                    "key": "totals",
                    "last_update": iso_z(b.last_update),
                    "outcomes": [
                        {"name": "Over", "price": -110, "point": b.total},
                        {"name": "Under", "price": -110, "point": b.total},
                    ],
                }
            )
        if mkts:
            bookmakers.append(
                {
                    "key": b.book,
                    "title": BOOK_TITLES.get(b.book, b.book),
                    "last_update": iso_z(b.last_update),
                    "markets": mkts,
                }
            )
    return {
        "id": event_id,
        "sport_key": "basketball_nba",
        "sport_title": "NBA",
        "commence_time": iso_z(commence_time),
        "home_team": home_name,
        "away_team": away_name,
        "bookmakers": bookmakers,
    }


def odds_historical_snapshot(snapshot_at: dt.datetime, event: dict, interval: dt.timedelta | None = None) -> dict:
    """The v4 historical endpoint's envelope: the snapshot time travels with the data."""
    out = {"timestamp": iso_z(snapshot_at), "data": event}
    if interval is not None:
        out["previous_timestamp"] = iso_z(snapshot_at - interval)
        out["next_timestamp"] = iso_z(snapshot_at + interval)
    return out
