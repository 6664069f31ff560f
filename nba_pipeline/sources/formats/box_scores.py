"""stats.nba.com box scores: a player's line, ``leaguegamelog`` (players) and ``boxscoretraditionalv3``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from nba_pipeline.domain.teams import BY_TRICODE, Team
from nba_pipeline.sources.formats.common import pct, season_id

LEAGUE_GAME_LOG_PLAYER_HEADERS = [
    "SEASON_ID",
    "PLAYER_ID",
    "PLAYER_NAME",
    "TEAM_ID",
    "TEAM_ABBREVIATION",
    "TEAM_NAME",
    "GAME_ID",
    "GAME_DATE",
    "MATCHUP",
    "WL",
    "MIN",
    "FGM",
    "FGA",
    "FG_PCT",
    "FG3M",
    "FG3A",
    "FG3_PCT",
    "FTM",
    "FTA",
    "FT_PCT",
    "OREB",
    "DREB",
    "REB",
    "AST",
    "STL",
    "BLK",
    "TOV",
    "PF",
    "PTS",
    "PLUS_MINUS",
    "FANTASY_PTS",
    "VIDEO_AVAILABLE",
]


@dataclass
class PlayerLine:
    """One player's box-score line in one game. ``minutes`` is a decimal number of minutes."""

    person_id: int
    first_name: str
    family_name: str
    team: str  # tricode
    minutes: float | None  # None: did not play
    fgm: int = 0
    fga: int = 0
    fg3m: int = 0
    fg3a: int = 0
    ftm: int = 0
    fta: int = 0
    oreb: int = 0
    dreb: int = 0
    ast: int = 0
    stl: int = 0
    blk: int = 0
    tov: int = 0
    pf: int = 0
    pts: int = 0
    plus_minus: float = 0.0
    starter_position: str = ""  # "F", "C", "G" for starters
    comment: str = ""  # "DNP - Coach's Decision", "DNP - Injury/Illness", "NWT - Personal", ...
    jersey: str = ""

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.family_name}".strip()

    @property
    def played(self) -> bool:
        return self.minutes is not None and not self.comment


def league_game_log_players(
    season_year: int,
    season_type: str,
    game_date: dt.date,
    games: list[tuple[str, str, str, list[PlayerLine], int, int]],
) -> dict:
    """``games``: (game_id, home, away, lines, home_pts, away_pts). Only players who appeared."""
    rows = []
    for game_id, home, away, lines, home_pts, away_pts in games:
        for ln in lines:
            if not ln.played:
                continue
            is_home = ln.team == home
            opp = away if is_home else home
            matchup = f"{ln.team} vs. {opp}" if is_home else f"{ln.team} @ {opp}"
            own, other = (home_pts, away_pts) if is_home else (away_pts, home_pts)
            team = BY_TRICODE[ln.team]
            reb = ln.oreb + ln.dreb
            fantasy = ln.pts + 1.2 * reb + 1.5 * ln.ast + 3 * ln.stl + 3 * ln.blk - ln.tov
            rows.append(
                [
                    season_id(season_year, season_type),
                    ln.person_id,
                    ln.full_name,
                    team.team_id,
                    team.tricode,
                    team.full_name,
                    game_id,
                    game_date.isoformat(),
                    matchup,
                    "W" if own > other else "L",
                    int(round(ln.minutes or 0)),
                    ln.fgm,
                    ln.fga,
                    pct(ln.fgm, ln.fga),
                    ln.fg3m,
                    ln.fg3a,
                    pct(ln.fg3m, ln.fg3a),
                    ln.ftm,
                    ln.fta,
                    pct(ln.ftm, ln.fta),
                    ln.oreb,
                    ln.dreb,
                    reb,
                    ln.ast,
                    ln.stl,
                    ln.blk,
                    ln.tov,
                    ln.pf,
                    ln.pts,
                    ln.plus_minus,
                    round(fantasy, 1),
                    1,
                ]
            )
    season_label = f"{season_year}-{str(season_year + 1)[-2:]}"
    return {
        "resource": "leaguegamelog",
        "parameters": {
            "LeagueID": "00",
            "Season": season_label,
            "SeasonType": season_type,
            "PlayerOrTeam": "P",
            "Counter": 1000,
            "Sorter": "DATE",
            "Direction": "ASC",
            "DateFrom": game_date.strftime("%m/%d/%Y"),
            "DateTo": game_date.strftime("%m/%d/%Y"),
        },
        "resultSets": [{"name": "LeagueGameLog", "headers": LEAGUE_GAME_LOG_PLAYER_HEADERS, "rowSet": rows}],
    }


def minutes_text(minutes: float | None) -> str:
    if minutes is None:
        return ""
    total_seconds = int(round(minutes * 60))
    return f"{total_seconds // 60}:{total_seconds % 60:02d}"


def _statistics(ln_or_totals: dict) -> dict:
    s = ln_or_totals
    return {
        "minutes": s["minutes"],
        "fieldGoalsMade": s["fgm"],
        "fieldGoalsAttempted": s["fga"],
        "fieldGoalsPercentage": pct(s["fgm"], s["fga"]),
        "threePointersMade": s["fg3m"],
        "threePointersAttempted": s["fg3a"],
        "threePointersPercentage": pct(s["fg3m"], s["fg3a"]),
        "freeThrowsMade": s["ftm"],
        "freeThrowsAttempted": s["fta"],
        "freeThrowsPercentage": pct(s["ftm"], s["fta"]),
        "reboundsOffensive": s["oreb"],
        "reboundsDefensive": s["dreb"],
        "reboundsTotal": s["oreb"] + s["dreb"],
        "assists": s["ast"],
        "steals": s["stl"],
        "blocks": s["blk"],
        "turnovers": s["tov"],
        "foulsPersonal": s["pf"],
        "points": s["pts"],
        "plusMinusPoints": float(s.get("plus_minus", 0.0)),
    }


_STAT_KEYS = ("fgm", "fga", "fg3m", "fg3a", "ftm", "fta", "oreb", "dreb", "ast", "stl", "blk", "tov", "pf", "pts")


def _player_block(ln: PlayerLine) -> dict:
    stats = {k: getattr(ln, k) for k in _STAT_KEYS}
    stats["plus_minus"] = ln.plus_minus
    stats["minutes"] = minutes_text(ln.minutes) if ln.played else ""
    return {
        "personId": ln.person_id,
        "firstName": ln.first_name,
        "familyName": ln.family_name,
        "nameI": f"{ln.first_name[:1]}. {ln.family_name}".strip(),
        "playerSlug": f"{ln.first_name}-{ln.family_name}".lower().replace(" ", "-").replace(".", ""),
        "position": ln.starter_position,
        "comment": ln.comment,
        "jerseyNum": ln.jersey,
        "statistics": _statistics(stats),
    }


def _team_box(team: Team, lines: list[PlayerLine], team_minutes: int, totals: dict | None) -> dict:
    if totals is None:
        totals = {k: sum(getattr(ln, k) for ln in lines if ln.played) for k in _STAT_KEYS}
        totals["plus_minus"] = 0.0
    totals = dict(totals)
    totals["minutes"] = f"{team_minutes}:00"
    return {
        "teamId": team.team_id,
        "teamCity": team.city,
        "teamName": team.nickname,
        "teamTricode": team.tricode,
        "teamSlug": team.slug,
        "players": [_player_block(ln) for ln in lines],
        "statistics": _statistics(totals),
    }


def boxscore_traditional_v3(
    game_id: str,
    home: str,
    away: str,
    home_lines: list[PlayerLine],
    away_lines: list[PlayerLine],
    periods: int = 4,
    home_totals: dict | None = None,
    away_totals: dict | None = None,
) -> dict:
    """Team totals default to the sum of the players; pass totals when the source has its own."""
    team_minutes = 240 + 25 * max(periods - 4, 0)
    return {
        "meta": {"version": 1, "request": f"http://nba.cloud/games/{game_id}/boxscoretraditional?Format=json"},
        "boxScoreTraditional": {
            "gameId": game_id,
            "awayTeamId": BY_TRICODE[away].team_id,
            "homeTeamId": BY_TRICODE[home].team_id,
            "homeTeam": _team_box(BY_TRICODE[home], home_lines, team_minutes, home_totals),
            "awayTeam": _team_box(BY_TRICODE[away], away_lines, team_minutes, away_totals),
        },
    }
