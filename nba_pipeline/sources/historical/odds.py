"""The props files of a historical folder: each event's teams and tip-off, and the odds snapshots.

One ``OddsEvent`` per snapshot file x event, books and quotes in file order; the event belongs to the ET
date of its commence time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pandas as pd

from nba_pipeline.calendar import ET
from nba_pipeline.domain.teams import team_by_name
from nba_pipeline.markets import POINTS, market
from nba_pipeline.sources.formats import PropQuote
from nba_pipeline.sources.historical.files import HistoricalDataError, read_csvs, to_int
from nba_pipeline.sources.historical.model import FolderData, OddsEvent
from nba_pipeline.sources.historical.props import snapshot_instant

# event id -> (commence time UTC, home tricode, away tricode)
EventTeams = dict[str, tuple[dt.datetime, str, str]]
# (ET game date, home, away) -> tip-off UTC
Tipoffs = dict[tuple[dt.date, str, str], dt.datetime]


def read_props(root: Path) -> pd.DataFrame:
    """Every props file of the folder, all markets (``market`` holds the Odds API key or an alias).
    Files without the Odds API's event id (the 2024-25 threes) get a stable one from the game and its
    tip-off, so each game is one event."""
    props = read_csvs(sorted((root / "props").glob("odds_api_player_*.csv")), "props", dtype={"event_id": str})
    if len(props) and props["event_id"].isna().any():
        missing = props["event_id"].isna()
        keys = props.loc[missing, "game"].astype(str) + "|" + props.loc[missing, "game_time"].astype(str)
        props.loc[missing, "event_id"] = keys.map(lambda k: hashlib.sha1(k.encode()).hexdigest()[:32])
    return props


def events(props: pd.DataFrame) -> tuple[Tipoffs, EventTeams]:
    """The events' teams and commence times; a commence time is the tip-off of the game it covers."""
    tipoffs: Tipoffs = {}
    event_teams: EventTeams = {}
    if not len(props):
        return tipoffs, event_teams
    for event_id, game, game_time in (
        props[["event_id", "game", "game_time"]].drop_duplicates("event_id").itertuples(index=False)
    ):
        away_name, _, home_name = str(game).partition(" @ ")
        home, away = team_by_name(home_name).tricode, team_by_name(away_name).tricode
        ts = pd.Timestamp(game_time)
        commence = (ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")).to_pydatetime()
        event_teams[event_id] = (commence, home, away)
        tipoffs.setdefault((commence.astimezone(ET).date(), home, away), commence)
    return tipoffs, event_teams


def index_odds(props: pd.DataFrame, event_teams: EventTeams, data: FolderData) -> None:
    """Snapshot x event, books in file order, quotes in file order (rows without a line or odds skipped)."""
    if not len(props):
        return
    props = props.dropna(subset=["line", "over_odds", "under_odds"])
    try:
        market_keys = {name: market(name).key for name in props["market"].unique()} if "market" in props else {}
    except ValueError as exc:
        raise HistoricalDataError(f"historical source: props: field 'market': {exc}") from None
    grouped: dict[tuple[str, str], dict[str, list[PropQuote]]] = {}
    for snap, event_id, player, line, book, over, under, name in props.assign(
        market=props["market"] if "market" in props else POINTS.key
    )[["snapshot_file", "event_id", "player", "line", "bookmaker", "over_odds", "under_odds", "market"]].itertuples(
        index=False
    ):
        grouped.setdefault((snap, event_id), {}).setdefault(book, []).append(
            PropQuote(
                player_name=str(player),
                line=float(line),
                over_price=to_int(over),
                under_price=to_int(under),
                market=market_keys.get(name, POINTS.key),
            )
        )
    for (snap, event_id), books in grouped.items():
        snapshot_at = snapshot_instant(str(snap)).to_pydatetime()
        commence, home, away = event_teams[event_id]
        data.odds_by_date.setdefault(commence.astimezone(ET).date(), []).append(
            OddsEvent(
                snapshot_at,
                event_id,
                commence,
                home,
                away,
                tuple((b, tuple(q)) for b, q in books.items()),
                sum(len(q) for q in books.values()),
            )
        )
    for day_events in data.odds_by_date.values():
        day_events.sort(key=lambda e: (e.snapshot_at, e.event_id))
