"""Every prop market of a historical folder as quotes (one row per snapshot, event, player, book),
with the pre-tip rule applied, and the players' box-score stats that settle them."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd

from nba_pipeline import markets
from nba_pipeline.calendar import ET
from nba_pipeline.domain.names import player_lookup
from nba_pipeline.sources.historical.files import HistoricalDataError, read_csvs

# A folder's daily files without a time in their name were taken at about 17:00 UTC (its README).
DAILY_SNAPSHOT_UTC = dt.time(17, 0)
_STAMPED = re.compile(r"(\d{8})_(\d{6})")
_DATED = re.compile(r"(\d{4}-\d{2}-\d{2})")


def snapshot_instant(name: str) -> pd.Timestamp:
    """When a snapshot file was taken (UTC): ``raw_20251021_170000.csv``, or a dated daily file."""
    stamped = _STAMPED.search(name)
    if stamped:
        return pd.Timestamp(dt.datetime.strptime("".join(stamped.groups()), "%Y%m%d%H%M%S"), tz="UTC")
    dated = _DATED.search(name)
    if not dated:
        raise ValueError(f"props snapshot file {name!r} names neither an instant nor a date")
    return pd.Timestamp(dt.datetime.combine(dt.date.fromisoformat(dated.group(1)), DAILY_SNAPSHOT_UTC), tz="UTC")


def read_quotes(root: Path) -> pd.DataFrame:
    """Every market's quotes taken before their game's tip-off: game_date (ET), event, player_lookup,
    player_name, market, bookmaker, line, over_price, under_price, snapshot_at, tipoff. A snapshot at
    or after tip-off (an in-game price) is never a quote here."""
    raw = read_csvs(sorted((root / "props").glob("odds_api_player_*.csv")), "props")
    if raw.empty:
        return raw
    if "market" not in raw:
        raise HistoricalDataError(f"historical source: {root / 'props'}: a props file lacks the field 'market'")
    unknown = ~raw["market"].isin([*markets.BY_KEY, *markets.ALIASES])
    if unknown.any():
        first = raw[unknown].iloc[0]
        raise HistoricalDataError(
            f"historical source: props file {first['snapshot_file']} ({first['game_time']}): field 'market' holds "
            f"{first['market']!r}, not a registered market ({', '.join(markets.BY_KEY)})"
        )
    tipoff = pd.to_datetime(raw["game_time"], utc=True)
    snapshots = {name: snapshot_instant(name) for name in raw["snapshot_file"].unique()}
    quotes = pd.DataFrame(
        {
            "game_date": tipoff.dt.tz_convert(ET).dt.date,
            "event": raw["game"].astype(str) + " " + raw["game_time"].astype(str),
            "player_lookup": raw["player"].map(player_lookup),
            "player_name": raw["player"],
            "market": raw["market"].map(lambda key: markets.market(key).key),
            "bookmaker": raw["bookmaker"],
            "line": pd.to_numeric(raw["line"]),
            "over_price": pd.to_numeric(raw["over_odds"]),
            "under_price": pd.to_numeric(raw["under_odds"]),
            "snapshot_at": raw["snapshot_file"].map(snapshots),
            "tipoff": tipoff,
        }
    )
    quotes = quotes[quotes["snapshot_at"] < quotes["tipoff"]].dropna(subset=["over_price", "under_price"])
    # Each book's latest pre-tip quote of a player's market (a day's file can hold a book twice).
    latest = quotes.sort_values("snapshot_at").drop_duplicates(
        ["game_date", "event", "player_lookup", "market", "bookmaker"], keep="last"
    )
    return latest.reset_index(drop=True)


def read_player_stats(root: Path) -> pd.DataFrame:
    """One row per player-game of the folder's game logs: game_date, player_lookup and the stats
    markets settle on (markets.POINTS_STAT, ...)."""
    logs = read_csvs(sorted((root / "box_scores").glob("player_game_logs_20??-??.csv")), "player_game_logs")
    return pd.DataFrame(
        {
            "game_date": pd.to_datetime(logs["date"]).dt.date,
            "player_lookup": logs["player"].map(player_lookup),
            "minutes": pd.to_numeric(logs["minutes"]),
            markets.POINTS_STAT: pd.to_numeric(logs["pts"]),
            markets.REBOUNDS_STAT: pd.to_numeric(logs["reb"]),
            markets.ASSISTS_STAT: pd.to_numeric(logs["ast"]),
            markets.THREES_STAT: pd.to_numeric(logs["threes_made"]),
        }
    ).drop_duplicates(["game_date", "player_lookup"])
