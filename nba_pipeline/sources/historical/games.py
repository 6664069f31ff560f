"""The games of a historical folder: the schedule files, the team logs' games and totals, and each
team's regular-season record over time.

Games against non-NBA clubs (preseason exhibitions, All-Star games) are dropped. The 2024-25 schedule
file misses a few games the team logs hold (NBA Cup knockout games, games abroad, some preseason
games); they are added from the team logs. Tip-off is the props file's commence time where it covers
the game, else 19:30 ET; periods come from the team minutes (240 -> 4, 265 -> 5, ...).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from nba_pipeline.calendar import ET
from nba_pipeline.domain.teams import is_nba_team, normalize_tricode
from nba_pipeline.sources.historical.files import ints, matchup_teams, read_csv, read_csvs, to_int
from nba_pipeline.sources.historical.model import DEFAULT_TIPOFF_ET, UTC, FolderData, Game
from nba_pipeline.sources.historical.odds import Tipoffs

# Team-log CSV column -> team_totals field.
_TEAM_STAT_COLUMNS = {
    "FGM": "fgm",
    "FGA": "fga",
    "FG3M": "fg3m",
    "FG3A": "fg3a",
    "FTM": "ftm",
    "FTA": "fta",
    "OREB": "oreb",
    "DREB": "dreb",
    "AST": "ast",
    "STL": "stl",
    "BLK": "blk",
    "TOV": "tov",
    "PF": "pf",
    "PTS": "pts",
}


def _periods(minutes) -> int | None:
    if minutes is None or pd.isna(minutes):
        return None
    return 4 + max(0, int(round((float(minutes) - 240) / 25)))


def _default_tipoff(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, DEFAULT_TIPOFF_ET, ET).astimezone(UTC)


class _Games:
    """The folder's games by id, as the files add them."""

    def __init__(self, tipoffs: Tipoffs):
        self.tipoffs = tipoffs
        self.by_id: dict[str, Game] = {}

    def add(self, game_id: str, day: dt.date, home: str, away: str, home_score, away_score, minutes) -> None:
        if not (is_nba_team(home) and is_nba_team(away)):
            return  # exhibitions against non-NBA clubs, All-Star games
        home, away = normalize_tricode(home), normalize_tricode(away)
        tip = self.tipoffs.get((day, home, away)) or _default_tipoff(day)
        self.by_id[game_id] = Game(
            game_id, day, home, away, to_int(home_score), to_int(away_score), _periods(minutes), tip
        )


def load_games(root: Path, tipoffs: Tipoffs, data: FolderData) -> dict[str, Game]:
    """Every game of the schedule files and team logs (team totals go to ``data``), indexed by date in
    ``data`` (by tip-off), with the teams' records."""
    games = _Games(tipoffs)
    for path in sorted((root / "schedule").glob("schedule_*.csv")):
        df = read_csv(path, "schedule", dtype={"game_id": str})
        minutes = df["minutes_team"] if "minutes_team" in df.columns else pd.Series([None] * len(df))
        for gid, day, home, away, hs, as_, mins in zip(
            df["game_id"],
            df["game_date"],
            df["home_team"],
            df["away_team"],
            df["home_score"],
            df["away_score"],
            minutes,
        ):
            games.add(str(gid).zfill(10), dt.date.fromisoformat(str(day)), home, away, hs, as_, mins)
    team_logs = read_csvs(
        sorted((root / "schedule").glob("team_game_logs_*.csv")), "team_game_logs", dtype={"GAME_ID": str}
    )
    if len(team_logs):
        _add_team_logs(team_logs, games, data)
    for g in games.by_id.values():
        data.games_by_date.setdefault(g.game_date, []).append(g)
    for day_games in data.games_by_date.values():
        day_games.sort(key=lambda g: (g.tipoff_utc, g.game_id))
    data.records.update(_records(games.by_id.values()))
    return games.by_id


def _add_team_logs(tl: pd.DataFrame, games: _Games, data: FolderData) -> None:
    """Team totals per game from the team logs, adding the games the schedule files lack."""
    tl["GAME_ID"] = tl["GAME_ID"].str.zfill(10)
    # Columns as lists and whole-column conversions: a per-game DataFrame costs 3 s a season.
    col = {c: tl[c].tolist() for c in ("TEAM_ABBREVIATION", "MATCHUP", "PTS", "GAME_DATE", "MIN")}
    stats = {c: ints(tl[c]) for c in _TEAM_STAT_COLUMNS}
    plus_minus = pd.to_numeric(tl["PLUS_MINUS"], errors="coerce").fillna(0.0).astype(float).tolist()
    for gid, positions in sorted(tl.groupby("GAME_ID").indices.items()):
        teams = [col["TEAM_ABBREVIATION"][i] for i in positions]
        if len(positions) != 2 or not all(is_nba_team(c) for c in teams):
            continue
        codes = [normalize_tricode(c) for c in teams]
        if gid not in games.by_id:
            home, away = (normalize_tricode(c) for c in matchup_teams(col["MATCHUP"][positions[0]]))
            if {home, away} != set(codes):
                continue
            pts = dict(zip(codes, (col["PTS"][i] for i in positions)))
            games.add(
                gid,
                dt.date.fromisoformat(str(col["GAME_DATE"][positions[0]])),
                home,
                away,
                pts[home],
                pts[away],
                max(col["MIN"][i] for i in positions),
            )
        if gid not in games.by_id:
            continue
        data.team_totals[gid] = {
            code: {**{field: stats[c][i] for c, field in _TEAM_STAT_COLUMNS.items()}, "plus_minus": plus_minus[i]}
            for code, i in zip(codes, positions)
        }


def _records(games) -> dict[tuple[int, str], tuple[list[float], list[int]]]:
    """(season year, team) -> (sorted final instants of its regular-season games, cumulative wins)."""
    by_team: dict[tuple[int, str], list[tuple[float, int]]] = {}
    for g in games:
        if not g.is_regular_season:
            continue
        final = g.final_at.timestamp()
        by_team.setdefault((g.season_year, g.home), []).append((final, int(g.home_score > g.away_score)))
        by_team.setdefault((g.season_year, g.away), []).append((final, int(g.away_score > g.home_score)))
    records = {}
    for key, results in by_team.items():
        results.sort()
        cumulative, wins = [], 0
        for _, won in results:
            wins += won
            cumulative.append(wins)
        records[key] = ([t for t, _ in results], cumulative)
    return records
