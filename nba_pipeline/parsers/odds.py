"""Parsers for The Odds API v4 event odds (player props of every registered market, spreads and totals)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from nba_pipeline.calendar import ET
from nba_pipeline.domain.names import player_lookup
from nba_pipeline.domain.teams import UnknownTeamError, team_by_name
from nba_pipeline.markets import BY_KEY as PROP_MARKET_KEYS
from nba_pipeline.parsers import PayloadError
from nba_pipeline.sources.base import ODDS_GAME_LINES, ODDS_PLAYER_PROPS


def _ts(value, *, field, kw) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise PayloadError(field=field, problem=f"not a timestamp: {value!r}", **kw) from None
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def _event(body: dict, fetched_at: dt.datetime, kw) -> tuple[dict, pd.Timestamp]:
    """Historical envelope {timestamp, data} or a bare live event (snapshot = fetch instant)."""
    if "data" in body and "timestamp" in body:
        return body["data"], _ts(body["timestamp"], field="timestamp", kw=kw)
    return body, pd.Timestamp(fetched_at).tz_convert("UTC")


def _event_header(event: dict, game_date: dt.date, kw) -> dict:
    for key in ("id", "commence_time", "home_team", "away_team"):
        if key not in event:
            raise PayloadError(field=key, problem="missing", **kw)
    commence = _ts(event["commence_time"], field="commence_time", kw=kw)
    if commence.tz_convert(ET).date() != game_date:
        raise PayloadError(
            field="commence_time", problem=f"{event['commence_time']} is not on game date {game_date} (ET)", **kw
        )
    try:
        home, away = team_by_name(event["home_team"]).tricode, team_by_name(event["away_team"]).tricode
    except UnknownTeamError as exc:
        raise PayloadError(field="home_team/away_team", problem=str(exc), **kw) from None
    return {
        "game_date": game_date,
        "odds_event_id": event["id"],
        "commence_time": commence,
        "home_team_tricode": home,
        "away_team_tricode": away,
    }


def _minutes_before(commence: pd.Timestamp, snapshot: pd.Timestamp) -> int:
    # Floor, so a snapshot 30 s after tip-off is -1, never 0: 0 and above means pre-tip.
    return int((commence - snapshot).total_seconds() // 60)


def parse_player_props(body: dict, game_date: dt.date, path: str, fetched_at: dt.datetime) -> pd.DataFrame:
    """One row per snapshot x book x market x player: the Over/Under pair at one line. Markets that
    are not registered (markets.py) are skipped: the API may add some we do not settle."""
    return pd.DataFrame(player_props_records(body, game_date, path, fetched_at))


def player_props_records(body: dict, game_date: dt.date, path: str, fetched_at: dt.datetime) -> list[dict]:
    """The rows of :func:`parse_player_props` as records (a day's thousands of snapshots become one
    frame at the end instead of a frame each)."""
    kw = dict(endpoint=ODDS_PLAYER_PROPS, game_date=game_date, path=path)
    event, snapshot = _event(body, fetched_at, kw)
    head = _event_header(event, game_date, kw)
    head["snapshot_timestamp"] = snapshot
    head["minutes_before_tipoff"] = _minutes_before(head["commence_time"], snapshot)
    rows: dict[tuple, dict] = {}
    for b, book in enumerate(event.get("bookmakers", [])):
        for market in book.get("markets", []):
            if market.get("key") not in PROP_MARKET_KEYS:
                continue
            last_update = market.get("last_update") or book.get("last_update")
            last_update = _ts(last_update, field="last_update", kw=kw) if last_update else pd.NaT
            for o, out in enumerate(market.get("outcomes", [])):
                side = str(out.get("name", "")).lower()
                player = out.get("description")
                if side not in ("over", "under") or not player:
                    raise PayloadError(
                        field=f"bookmakers[{b}].markets.outcomes[{o}]",
                        problem=f"expected Over/Under with a player, got {out!r}",
                        **kw,
                    )
                if out.get("point") is None:
                    raise PayloadError(field=f"bookmakers[{b}].outcomes[{o}].point", problem="missing line", **kw)
                key = (book.get("key"), market["key"], player, float(out["point"]))
                rec = rows.get(key)
                if rec is None:
                    rec = rows[key] = {
                        **head,
                        "bookmaker": book.get("key"),
                        "bookmaker_last_update": last_update,
                        "market": market["key"],
                        "player_name": player,
                        "player_lookup": player_lookup(player),
                        "line": float(out["point"]),
                        "over_price": None,
                        "under_price": None,
                    }
                rec[f"{side}_price"] = out.get("price")
    return list(rows.values())


def parse_game_lines(body: dict, game_date: dt.date, path: str, fetched_at: dt.datetime) -> pd.DataFrame:
    return pd.DataFrame(game_lines_records(body, game_date, path, fetched_at))


def game_lines_records(body: dict, game_date: dt.date, path: str, fetched_at: dt.datetime) -> list[dict]:
    kw = dict(endpoint=ODDS_GAME_LINES, game_date=game_date, path=path)
    event, snapshot = _event(body, fetched_at, kw)
    head = _event_header(event, game_date, kw)
    head["snapshot_timestamp"] = snapshot
    head["minutes_before_tipoff"] = _minutes_before(head["commence_time"], snapshot)
    rows = []
    for book in event.get("bookmakers", []):
        for market in book.get("markets", []):
            if market.get("key") not in ("spreads", "totals"):
                continue
            for out in market.get("outcomes", []):
                name = out.get("name")
                if market["key"] == "spreads":
                    try:
                        name = team_by_name(name).tricode
                    except UnknownTeamError as exc:
                        raise PayloadError(field="spreads.outcomes.name", problem=str(exc), **kw) from None
                rows.append(
                    {
                        **head,
                        "bookmaker": book.get("key"),
                        "market_key": market["key"],
                        "outcome_name": name,
                        "outcome_point": out.get("point"),
                        "outcome_price": out.get("price"),
                    }
                )
    return rows
