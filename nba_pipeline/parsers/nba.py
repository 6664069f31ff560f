"""Parsers for cdn.nba.com and stats.nba.com payloads."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from nba_pipeline.domain.formulas import MinutesFormatError, parse_minutes
from nba_pipeline.domain.names import player_lookup
from nba_pipeline.domain.teams import BY_ID, is_nba_team, normalize_tricode
from nba_pipeline.parsers import PayloadError
from nba_pipeline.partitions import season_year
from nba_pipeline.sources.base import BOXSCORE_TRADITIONAL, PLAYER_GAME_LOG, SCHEDULE, TEAM_ROSTER
from nba_pipeline.sources.formats import season_type_of_game_id


def internal_game_id(game_date: dt.date, away: str, home: str) -> str:
    """Legacy internal id YYYYMMDD_AWAY_HOME (always AWAY first)."""
    return f"{game_date:%Y%m%d}_{away}_{home}"


def _number(value, *, field: str, **kw):
    """A stat as the service sends it: a number or null; anything else names the field."""
    if value is None or isinstance(value, bool):
        return None if value is None else int(value)
    if isinstance(value, (int, float)):
        return value
    try:
        return float(value)
    except (TypeError, ValueError):
        raise PayloadError(field=field, problem=f"{value!r} is not a number", **kw) from None


def _need(obj: dict, key: str, *, endpoint, game_date, path, where: str = ""):
    if not isinstance(obj, dict) or key not in obj:
        raise PayloadError(endpoint=endpoint, game_date=game_date, path=path, field=f"{where}{key}", problem="missing")
    return obj[key]


# --- scheduleLeagueV2 ----------------------------------------------------------------------------


def parse_schedule(body: dict, game_date: dt.date, path: str) -> pd.DataFrame:
    kw = dict(endpoint=SCHEDULE, game_date=game_date, path=path)
    league = _need(body, "leagueSchedule", **kw)
    rows = []
    for gd in _need(league, "gameDates", **kw, where="leagueSchedule."):
        for g in gd.get("games", []):
            est = _need(g, "gameDateEst", **kw, where="game.")
            try:
                day = dt.date.fromisoformat(str(est)[:10])
            except ValueError:
                raise PayloadError(field="game.gameDateEst", problem=f"not a date: {est!r}", **kw) from None
            if day != game_date:
                continue
            home = _need(g, "homeTeam", **kw, where="game.")
            away = _need(g, "awayTeam", **kw, where="game.")
            h, a = home.get("teamTricode"), away.get("teamTricode")
            if not (is_nba_team(h) and is_nba_team(a)):
                continue  # preseason exhibitions against non-NBA clubs
            h, a = normalize_tricode(h), normalize_tricode(a)
            status = g.get("gameStatus")
            if status not in (1, 2, 3):
                raise PayloadError(
                    field=f"game[{g.get('gameId')}].gameStatus", problem=f"unknown status {status!r}", **kw
                )
            tip = g.get("gameDateTimeUTC")
            rows.append(
                {
                    "game_date": game_date,
                    "game_id": str(_need(g, "gameId", **kw, where="game.")),
                    "internal_game_id": internal_game_id(game_date, a, h),
                    "game_code": g.get("gameCode"),
                    "season_year": season_year(game_date),
                    "season_type": season_type_of_game_id(g["gameId"]),
                    "game_status": status,
                    "game_status_text": g.get("gameStatusText"),
                    "is_postponed": g.get("postponedStatus") == "Y" or g.get("gameStatusText") == "PPD",
                    "tipoff_utc": pd.Timestamp(tip) if tip else pd.NaT,
                    "home_team_tricode": h,
                    "away_team_tricode": a,
                    "home_team_score": home.get("score") if status in (2, 3) else None,
                    "away_team_score": away.get("score") if status in (2, 3) else None,
                }
            )
    return pd.DataFrame(rows)


# --- leaguegamelog -------------------------------------------------------------------------------

_GAMELOG_STATS = {
    "FGM": "fgm",
    "FGA": "fga",
    "FG3M": "fg3m",
    "FG3A": "fg3a",
    "FTM": "ftm",
    "FTA": "fta",
    "OREB": "oreb",
    "DREB": "dreb",
    "REB": "reb",
    "AST": "ast",
    "STL": "stl",
    "BLK": "blk",
    "TOV": "tov",
    "PF": "pf",
    "PTS": "pts",
}


def _result_set(body: dict, name: str, *, endpoint, game_date, path) -> tuple[list[str], list[list]]:
    sets = _need(body, "resultSets", endpoint=endpoint, game_date=game_date, path=path)
    if isinstance(sets, dict):
        sets = [sets]
    for rs in sets:
        if rs.get("name") == name:
            return rs["headers"], rs["rowSet"]
    raise PayloadError(
        endpoint=endpoint, game_date=game_date, path=path, field=f"resultSets[{name}]", problem="missing"
    )


def _matchup(matchup: str, *, kw) -> tuple[str, str, bool]:
    text = str(matchup)
    if " vs. " in text:
        team, opp = text.split(" vs. ")
        return team.strip(), opp.strip(), True
    if " @ " in text:
        team, opp = text.split(" @ ")
        return team.strip(), opp.strip(), False
    raise PayloadError(field="MATCHUP", problem=f"unrecognised matchup {matchup!r}", **kw)


def parse_league_game_log(body: dict, game_date: dt.date, path: str) -> pd.DataFrame:
    """Player rows (PlayerOrTeam=P) or team rows (T) of a leaguegamelog for one date."""
    kw = dict(endpoint=PLAYER_GAME_LOG, game_date=game_date, path=path)
    headers, rows = _result_set(body, "LeagueGameLog", **kw)
    is_player = "PLAYER_ID" in headers
    required = ["TEAM_ABBREVIATION", "GAME_ID", "GAME_DATE", "MATCHUP", "MIN", *_GAMELOG_STATS]
    if is_player:
        required += ["PLAYER_ID", "PLAYER_NAME"]
    missing = [h for h in required if h not in headers]
    if missing:
        raise PayloadError(field=f"headers {missing}", problem="missing", **kw)
    idx = {h: i for i, h in enumerate(headers)}
    out = []
    for n, r in enumerate(rows):
        row_date = str(r[idx["GAME_DATE"]])[:10]
        if row_date != game_date.isoformat():
            raise PayloadError(field=f"rowSet[{n}].GAME_DATE", problem=f"{row_date} is not the requested date", **kw)
        team, opp, is_home = _matchup(r[idx["MATCHUP"]], kw=kw)
        if not (is_nba_team(team) and is_nba_team(opp)):
            continue
        team, opp = normalize_tricode(team), normalize_tricode(opp)
        try:
            minutes = parse_minutes(r[idx["MIN"]])
        except MinutesFormatError as exc:
            raise PayloadError(field=f"rowSet[{n}].MIN", problem=str(exc), **kw) from None
        rec = {
            "game_date": game_date,
            "game_id": str(r[idx["GAME_ID"]]),
            "team_tricode": team,
            "opponent_tricode": opp,
            "is_home": is_home,
            "minutes": None if minutes is None else str(r[idx["MIN"]]),
            "minutes_decimal": minutes,
            "plus_minus": _number(r[idx["PLUS_MINUS"]], field=f"rowSet[{n}].PLUS_MINUS", **kw)
            if "PLUS_MINUS" in idx
            else None,
            **{col: _number(r[idx[h]], field=f"rowSet[{n}].{h}", **kw) for h, col in _GAMELOG_STATS.items()},
        }
        if is_player:
            name = str(r[idx["PLAYER_NAME"]])
            rec.update(
                player_id=int(r[idx["PLAYER_ID"]]),
                player_name=name,
                player_lookup=player_lookup(name),
                player_status="active",
                dnp_reason=None,
                starter=None,
            )
        out.append(rec)
    return pd.DataFrame(out)


# --- boxscoretraditionalv3 -----------------------------------------------------------------------

_V3_STATS = {
    "fieldGoalsMade": "fgm",
    "fieldGoalsAttempted": "fga",
    "threePointersMade": "fg3m",
    "threePointersAttempted": "fg3a",
    "freeThrowsMade": "ftm",
    "freeThrowsAttempted": "fta",
    "reboundsOffensive": "oreb",
    "reboundsDefensive": "dreb",
    "reboundsTotal": "reb",
    "assists": "ast",
    "steals": "stl",
    "blocks": "blk",
    "turnovers": "tov",
    "foulsPersonal": "pf",
    "points": "pts",
    "plusMinusPoints": "plus_minus",
}


def player_status_from_comment(comment: str | None, minutes_text: str | None) -> tuple[str, str | None]:
    """Gamebook categories: DNP/DND -> dnp, NWT/Inactive -> inactive, else active."""
    c = (comment or "").strip()
    upper = c.upper()
    if upper.startswith(("DNP", "DND")):
        return "dnp", c
    if upper.startswith(("NWT", "INACTIVE", "NOT WITH TEAM")):
        return "inactive", c
    if c and not (minutes_text or "").strip():
        return "dnp", c
    return "active", None


def parse_boxscore_v3(body: dict, game_date: dt.date, path: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(team rows, player rows incl. DNP) of one game."""
    teams, players = boxscore_v3_records(body, game_date, path)
    return pd.DataFrame(teams), pd.DataFrame(players)


def boxscore_v3_records(body: dict, game_date: dt.date, path: str) -> tuple[list[dict], list[dict]]:
    """:func:`parse_boxscore_v3` as records, for callers that build one frame from many games."""
    kw = dict(endpoint=BOXSCORE_TRADITIONAL, game_date=game_date, path=path)
    box = _need(body, "boxScoreTraditional", **kw)
    game_id = str(_need(box, "gameId", **kw, where="boxScoreTraditional."))
    sides = {}
    for side in ("homeTeam", "awayTeam"):
        team = _need(box, side, **kw, where="boxScoreTraditional.")
        code = team.get("teamTricode")
        if not is_nba_team(code):
            return [], []
        sides[side] = (normalize_tricode(code), team)
    home, away = sides["homeTeam"][0], sides["awayTeam"][0]
    iid = internal_game_id(game_date, away, home)
    team_rows, player_rows = [], []
    for side, (code, team) in sides.items():
        is_home = side == "homeTeam"
        opp = away if is_home else home
        stats = _need(team, "statistics", **kw, where=f"{side}.")
        team_rows.append(
            {
                "game_date": game_date,
                "game_id": game_id,
                "internal_game_id": iid,
                "team_tricode": code,
                "opponent_tricode": opp,
                "is_home": is_home,
                "minutes": stats.get("minutes"),
                **{col: _number(stats.get(k), field=f"{side}.statistics.{k}", **kw) for k, col in _V3_STATS.items()},
            }
        )
        for n, p in enumerate(team.get("players", [])):
            pst = p.get("statistics") or {}
            mtext = pst.get("minutes")
            try:
                minutes = parse_minutes(mtext)
            except MinutesFormatError as exc:
                raise PayloadError(field=f"{side}.players[{n}].statistics.minutes", problem=str(exc), **kw) from None
            status, reason = player_status_from_comment(p.get("comment"), mtext)
            name = f"{p.get('firstName', '')} {p.get('familyName', '')}".strip()
            if "personId" not in p:
                raise PayloadError(field=f"{side}.players[{n}].personId", problem="missing", **kw)
            played = status == "active"
            player_rows.append(
                {
                    "game_date": game_date,
                    "game_id": game_id,
                    "team_tricode": code,
                    "opponent_tricode": opp,
                    "is_home": is_home,
                    "player_id": int(p["personId"]),
                    "player_name": name,
                    "player_lookup": player_lookup(name),
                    "player_status": status,
                    "dnp_reason": reason,
                    "starter": bool(p.get("position")) if played else False,
                    "minutes": mtext if minutes is not None else None,
                    "minutes_decimal": minutes,
                    **{
                        col: (
                            _number(pst.get(k), field=f"{side}.players[{n}].statistics.{k}", **kw) if played else None
                        )
                        for k, col in _V3_STATS.items()
                    },
                }
            )
    return team_rows, player_rows


# --- commonteamroster ----------------------------------------------------------------------------


def parse_common_team_roster(body: dict, game_date: dt.date, path: str) -> pd.DataFrame:
    kw = dict(endpoint=TEAM_ROSTER, game_date=game_date, path=path)
    headers, rows = _result_set(body, "CommonTeamRoster", **kw)
    idx = {h: i for i, h in enumerate(headers)}
    for h in ("TeamID", "PLAYER", "PLAYER_ID"):
        if h not in idx:
            raise PayloadError(field=f"headers {h}", problem="missing", **kw)
    out = []
    for n, r in enumerate(rows):
        team_id = int(r[idx["TeamID"]])
        if team_id not in BY_ID:
            raise PayloadError(field=f"rowSet[{n}].TeamID", problem=f"unknown team id {team_id}", **kw)
        name = str(r[idx["PLAYER"]])
        out.append(
            {
                "game_date": game_date,
                "team_tricode": BY_ID[team_id].tricode,
                "player_id": int(r[idx["PLAYER_ID"]]),
                "player_name": name,
                "player_lookup": player_lookup(name),
                "position": r[idx["POSITION"]] if "POSITION" in idx else None,
                "age": r[idx["AGE"]] if "AGE" in idx else None,
                "how_acquired": r[idx["HOW_ACQUIRED"]] if "HOW_ACQUIRED" in idx else None,
            }
        )
    return pd.DataFrame(out)
