"""Builders for the services' own payload formats.

The simulated and historical sources build their payloads here, so they return byte-for-byte the
shapes the real services return (see the real samples in ../shared/data/real/api_payloads) and
Phase 2 parses every source through one path.
"""

from __future__ import annotations

import datetime as dt
import io
import csv
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from nba_pipeline.domain.teams import BY_TRICODE, Team

ET = ZoneInfo("America/New_York")
UTC = dt.timezone.utc

LEAGUE_GAME_LOG_PLAYER_HEADERS = [
    "SEASON_ID", "PLAYER_ID", "PLAYER_NAME", "TEAM_ID", "TEAM_ABBREVIATION", "TEAM_NAME", "GAME_ID",
    "GAME_DATE", "MATCHUP", "WL", "MIN", "FGM", "FGA", "FG_PCT", "FG3M", "FG3A", "FG3_PCT", "FTM",
    "FTA", "FT_PCT", "OREB", "DREB", "REB", "AST", "STL", "BLK", "TOV", "PF", "PTS", "PLUS_MINUS",
    "FANTASY_PTS", "VIDEO_AVAILABLE",
]
COMMON_TEAM_ROSTER_HEADERS = [
    "TeamID", "SEASON", "LeagueID", "PLAYER", "NICKNAME", "PLAYER_SLUG", "NUM", "POSITION", "HEIGHT",
    "WEIGHT", "BIRTH_DATE", "AGE", "EXP", "SCHOOL", "PLAYER_ID", "HOW_ACQUIRED",
]
INJURY_REPORT_COLUMNS = ["gameDate", "gameTime", "matchup", "team", "player", "status", "reason", "page"]

BOOK_TITLES = {
    "draftkings": "DraftKings", "fanduel": "FanDuel", "betmgm": "BetMGM", "pointsbetus": "PointsBet (US)",
    "williamhill_us": "Caesars", "betrivers": "BetRivers", "bovada": "Bovada", "espnbet": "ESPN BET",
    "fliff": "Fliff", "betonlineag": "BetOnline.ag", "fanatics": "Fanatics", "hardrockbet": "Hard Rock Bet",
}


def iso_z(instant: dt.datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def season_id(season_year: int, season_type: str = "Regular Season") -> str:
    prefix = {"Pre Season": "1", "Regular Season": "2", "All Star": "3", "Playoffs": "4", "PlayIn": "5"}
    return f"{prefix.get(season_type, '2')}{season_year}"


def season_type_of_game_id(game_id: str) -> str:
    return {
        "001": "Pre Season", "002": "Regular Season", "003": "All Star", "004": "Playoffs",
        "005": "PlayIn", "006": "NBA Cup",
    }.get(str(game_id)[:3], "Regular Season")


# --- cdn.nba.com scheduleLeagueV2 -------------------------------------------------------------

@dataclass
class ScheduleGame:
    game_id: str
    tipoff_utc: dt.datetime
    home: str  # tricode
    away: str
    status: int = 1  # 1 scheduled, 2 in progress, 3 final
    home_score: int = 0
    away_score: int = 0
    home_wins: int = 0
    home_losses: int = 0
    away_wins: int = 0
    away_losses: int = 0
    period: int = 0
    postponed: bool = False


def _team_block(team: Team, score: int, wins: int, losses: int) -> dict:
    return {
        "teamId": team.team_id, "teamName": team.nickname, "teamCity": team.city,
        "teamTricode": team.tricode, "teamSlug": team.slug, "wins": wins, "losses": losses,
        "score": score, "seed": 0,
    }


def _status_text(game: ScheduleGame) -> str:
    if game.postponed:
        return "PPD"
    if game.status == 3:
        return "Final" if game.period <= 4 else f"Final/OT{game.period - 4 if game.period > 5 else ''}"
    if game.status == 2:
        return f"Q{max(game.period, 1)}"
    local = game.tipoff_utc.astimezone(ET)
    return local.strftime("%-I:%M %p ET").lower().replace(" et", " ET")


def schedule_league_v2(season_label: str, games: list[ScheduleGame], generated_at: dt.datetime) -> dict:
    by_day: dict[dt.date, list[ScheduleGame]] = {}
    for g in sorted(games, key=lambda g: (g.tipoff_utc, g.game_id)):
        by_day.setdefault(g.tipoff_utc.astimezone(ET).date(), []).append(g)
    game_dates = []
    for day, day_games in sorted(by_day.items()):
        items = []
        for seq, g in enumerate(day_games, start=1):
            home, away = BY_TRICODE[g.home], BY_TRICODE[g.away]
            et_local = g.tipoff_utc.astimezone(ET)
            items.append({
                "gameId": g.game_id,
                "gameCode": f"{day:%Y%m%d}/{g.away}{g.home}",
                "gameStatus": g.status,
                "gameStatusText": _status_text(g),
                "gameSequence": seq,
                "gameDateEst": f"{day:%Y-%m-%d}T00:00:00Z",
                "gameTimeEst": f"1900-01-01T{et_local:%H:%M:%S}Z",
                "gameDateTimeEst": f"{et_local:%Y-%m-%dT%H:%M:%S}Z",
                "gameDateUTC": f"{g.tipoff_utc.astimezone(UTC):%Y-%m-%d}T04:00:00Z",
                "gameTimeUTC": f"1900-01-01T{g.tipoff_utc.astimezone(UTC):%H:%M:%S}Z",
                "gameDateTimeUTC": iso_z(g.tipoff_utc),
                "day": f"{day:%a}",
                "monthNum": day.month,
                "seriesText": season_type_of_game_id(g.game_id).replace("Regular Season", ""),
                "postponedStatus": "Y" if g.postponed else "A",
                "gameSubtype": "",
                "period": g.period,
                "homeTeam": _team_block(home, g.home_score, g.home_wins, g.home_losses),
                "awayTeam": _team_block(away, g.away_score, g.away_wins, g.away_losses),
                "pointsLeaders": [],
            })
        game_dates.append({"gameDate": f"{day:%m/%d/%Y} 00:00:00", "games": items})
    return {
        "meta": {
            "version": 1,
            "request": f"http://nba.cloud/league/00/{season_label}/scheduleleaguev2?Format=json",
            "time": generated_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z",
        },
        "leagueSchedule": {"seasonYear": season_label, "leagueId": "00", "gameDates": game_dates},
    }


# --- stats.nba.com leaguegamelog (players) -----------------------------------------------------

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


def _pct(made: int, att: int) -> float:
    return round(made / att, 3) if att else 0.0


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
            rows.append([
                season_id(season_year, season_type), ln.person_id, ln.full_name, team.team_id,
                team.tricode, team.full_name, game_id, game_date.isoformat(), matchup,
                "W" if own > other else "L", int(round(ln.minutes or 0)), ln.fgm, ln.fga,
                _pct(ln.fgm, ln.fga), ln.fg3m, ln.fg3a, _pct(ln.fg3m, ln.fg3a), ln.ftm, ln.fta,
                _pct(ln.ftm, ln.fta), ln.oreb, ln.dreb, reb, ln.ast, ln.stl, ln.blk, ln.tov, ln.pf,
                ln.pts, ln.plus_minus, round(fantasy, 1), 1,
            ])
    season_label = f"{season_year}-{str(season_year + 1)[-2:]}"
    return {
        "resource": "leaguegamelog",
        "parameters": {
            "LeagueID": "00", "Season": season_label, "SeasonType": season_type,
            "PlayerOrTeam": "P", "Counter": 1000, "Sorter": "DATE", "Direction": "ASC",
            "DateFrom": game_date.strftime("%m/%d/%Y"), "DateTo": game_date.strftime("%m/%d/%Y"),
        },
        "resultSets": [{"name": "LeagueGameLog", "headers": LEAGUE_GAME_LOG_PLAYER_HEADERS, "rowSet": rows}],
    }


# --- stats.nba.com boxscoretraditionalv3 ------------------------------------------------------

def minutes_text(minutes: float | None) -> str:
    if minutes is None:
        return ""
    total_seconds = int(round(minutes * 60))
    return f"{total_seconds // 60}:{total_seconds % 60:02d}"


def _statistics(ln_or_totals: dict) -> dict:
    s = ln_or_totals
    return {
        "minutes": s["minutes"],
        "fieldGoalsMade": s["fgm"], "fieldGoalsAttempted": s["fga"],
        "fieldGoalsPercentage": _pct(s["fgm"], s["fga"]),
        "threePointersMade": s["fg3m"], "threePointersAttempted": s["fg3a"],
        "threePointersPercentage": _pct(s["fg3m"], s["fg3a"]),
        "freeThrowsMade": s["ftm"], "freeThrowsAttempted": s["fta"],
        "freeThrowsPercentage": _pct(s["ftm"], s["fta"]),
        "reboundsOffensive": s["oreb"], "reboundsDefensive": s["dreb"],
        "reboundsTotal": s["oreb"] + s["dreb"], "assists": s["ast"], "steals": s["stl"],
        "blocks": s["blk"], "turnovers": s["tov"], "foulsPersonal": s["pf"], "points": s["pts"],
        "plusMinusPoints": float(s.get("plus_minus", 0.0)),
    }


_STAT_KEYS = ("fgm", "fga", "fg3m", "fg3a", "ftm", "fta", "oreb", "dreb", "ast", "stl", "blk", "tov", "pf", "pts")


def _player_block(ln: PlayerLine) -> dict:
    stats = {k: getattr(ln, k) for k in _STAT_KEYS}
    stats["plus_minus"] = ln.plus_minus
    stats["minutes"] = minutes_text(ln.minutes) if ln.played else ""
    return {
        "personId": ln.person_id, "firstName": ln.first_name, "familyName": ln.family_name,
        "nameI": f"{ln.first_name[:1]}. {ln.family_name}".strip(),
        "playerSlug": f"{ln.first_name}-{ln.family_name}".lower().replace(" ", "-").replace(".", ""),
        "position": ln.starter_position, "comment": ln.comment, "jerseyNum": ln.jersey,
        "statistics": _statistics(stats),
    }


def _team_box(team: Team, lines: list[PlayerLine], team_minutes: int, totals: dict | None) -> dict:
    if totals is None:
        totals = {k: sum(getattr(ln, k) for ln in lines if ln.played) for k in _STAT_KEYS}
        totals["plus_minus"] = 0.0
    totals = dict(totals)
    totals["minutes"] = f"{team_minutes}:00"
    return {
        "teamId": team.team_id, "teamCity": team.city, "teamName": team.nickname,
        "teamTricode": team.tricode, "teamSlug": team.slug,
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


# --- stats.nba.com commonteamroster -----------------------------------------------------------

@dataclass
class RosterEntry:
    person_id: int
    name: str
    position: str = ""
    number: str = ""
    age: float | None = None
    birth_date: dt.date | None = None
    experience: str = ""
    how_acquired: str = ""


def common_team_roster(team: str, season_year: int, players: list[RosterEntry]) -> dict:
    t = BY_TRICODE[team]
    rows = []
    for p in players:
        first = p.name.split(" ")[0]
        rows.append([
            t.team_id, str(season_year), "00", p.name, first, p.name.lower().replace(" ", "-"),
            p.number or None, p.position, None, None,
            p.birth_date.strftime("%b %d, %Y").upper() if p.birth_date else None,
            p.age, p.experience, None, p.person_id, p.how_acquired,
        ])
    return {
        "resource": "commonteamroster",
        "parameters": {"TeamID": t.team_id, "LeagueID": "00", "Season": f"{season_year}-{str(season_year + 1)[-2:]}"},
        "resultSets": [
            {"name": "CommonTeamRoster", "headers": COMMON_TEAM_ROSTER_HEADERS, "rowSet": rows},
            {"name": "Coaches", "headers": ["TEAM_ID", "SEASON", "COACH_ID", "FIRST_NAME", "LAST_NAME",
                                            "COACH_NAME", "IS_ASSISTANT", "COACH_TYPE", "SORT_SEQUENCE",
                                            "SUB_SORT_SEQUENCE"], "rowSet": []},
        ],
    }


# --- NBA injury report (rows parsed from the PDF) ---------------------------------------------

@dataclass
class InjuryRow:
    game_date: dt.date
    game_time_et: str  # "07:30 (ET)"
    matchup: str  # "MIA@WAS"
    team: str  # tricode
    player_name: str  # "First Last"
    status: str  # Out / Doubtful / Questionable / Probable / Available
    reason: str


def injury_report_csv(rows: list[InjuryRow]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(INJURY_REPORT_COLUMNS)
    for i, r in enumerate(rows):
        first, _, last = r.player_name.partition(" ")
        w.writerow([
            r.game_date.strftime("%m/%d/%Y"), r.game_time_et, r.matchup, BY_TRICODE[r.team].full_name,
            f"{last}, {first}" if last else first, r.status, r.reason, 1 + i // 25,
        ])
    return buf.getvalue()


def injury_report_name(published_et: dt.datetime) -> str:
    """The NBA's file naming: Injury-Report_YYYY-MM-DD_HH_MMAM (minutes segment since 2025-12-23)."""
    return f"Injury-Report_{published_et:%Y-%m-%d_%I_%M%p}"


# --- The Odds API v4 --------------------------------------------------------------------------

@dataclass
class PropQuote:
    player_name: str
    line: float
    over_price: int
    under_price: int


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
    markets: tuple[str, ...] = ("player_points",),
) -> dict:
    home_name, away_name = BY_TRICODE[home].full_name, BY_TRICODE[away].full_name
    bookmakers = []
    for b in books:
        mkts = []
        if "player_points" in markets and b.props:
            outcomes = []
            for q in b.props:
                outcomes.append({"name": "Over", "description": q.player_name, "price": q.over_price, "point": q.line})
                outcomes.append({"name": "Under", "description": q.player_name, "price": q.under_price, "point": q.line})
            mkts.append({"key": "player_points", "last_update": iso_z(b.last_update), "outcomes": outcomes})
        if "spreads" in markets and b.spread_home is not None:
            mkts.append({"key": "spreads", "last_update": iso_z(b.last_update), "outcomes": [
                {"name": home_name, "price": -110, "point": b.spread_home},
                {"name": away_name, "price": -110, "point": -b.spread_home},
            ]})
        if "totals" in markets and b.total is not None:
            mkts.append({"key": "totals", "last_update": iso_z(b.last_update), "outcomes": [
                {"name": "Over", "price": -110, "point": b.total},
                {"name": "Under", "price": -110, "point": b.total},
            ]})
        if mkts:
            bookmakers.append({"key": b.book, "title": BOOK_TITLES.get(b.book, b.book),
                               "last_update": iso_z(b.last_update), "markets": mkts})
    return {
        "id": event_id, "sport_key": "basketball_nba", "sport_title": "NBA",
        "commence_time": iso_z(commence_time), "home_team": home_name, "away_team": away_name,
        "bookmakers": bookmakers,
    }


def odds_historical_snapshot(snapshot_at: dt.datetime, event: dict, interval: dt.timedelta | None = None) -> dict:
    """The v4 historical endpoint's envelope: the snapshot time travels with the data."""
    out = {"timestamp": iso_z(snapshot_at), "data": event}
    if interval is not None:
        out["previous_timestamp"] = iso_z(snapshot_at - interval)
        out["next_timestamp"] = iso_z(snapshot_at + interval)
    return out
