"""Player rows of a historical folder: the played rows and the inferred DNP rows of each game.

Played rows come from ``box_scores/player_game_logs_<season>.csv``; DNP rows only from the
``*_with_inferred_dnp`` files (comment ``DNP - Inferred (absent from box score)``, no minutes). A row
whose game id is missing or unknown is matched to its team's game on its date.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from nba_pipeline.domain.teams import is_nba_team, normalize_tricode
from nba_pipeline.sources.formats import PlayerLine
from nba_pipeline.sources.historical.files import ints, read_csv, split_name
from nba_pipeline.sources.historical.model import DNP_COMMENT, FolderData, Game

# Box-score CSV column -> PlayerLine field.
_BOX_STAT_COLUMNS = {
    "fgm": "fgm",
    "fga": "fga",
    "threes_made": "fg3m",
    "threes_attempted": "fg3a",
    "ftm": "ftm",
    "fta": "fta",
    "oreb": "oreb",
    "dreb": "dreb",
    "ast": "ast",
    "stl": "stl",
    "blk": "blk",
    "tov": "tov",
    "pf": "pf",
    "pts": "pts",
}
_DNP_SUFFIX = "_with_inferred_dnp"

# (game date, tricode) -> game id
GameByDateTeam = dict[tuple[dt.date, str], str]


def load_player_rows(root: Path, games: dict[str, Game], data: FolderData) -> None:
    """Every played and DNP row into ``data``, each game's rows by team (played by minutes, DNPs by name)."""
    game_by_date_team = {(g.game_date, t): g.game_id for g in games.values() for t in (g.home, g.away)}
    box_dir = root / "box_scores"
    for path in sorted(box_dir.glob("player_game_logs_*.csv")):
        if not path.stem.endswith(_DNP_SUFFIX):
            _played_rows(path, games, game_by_date_team, data)
    for path in sorted(box_dir.glob(f"player_game_logs_*{_DNP_SUFFIX}.csv")):
        _dnp_rows(path, game_by_date_team, data)
    for lines in data.played_by_game.values():
        lines.sort(key=lambda ln: (ln.team, -(ln.minutes or 0), ln.family_name, ln.first_name, ln.person_id))
    for lines in data.dnp_by_game.values():
        lines.sort(key=lambda ln: (ln.team, ln.family_name, ln.first_name, ln.person_id))


def _played_rows(path: Path, games: dict[str, Game], game_by_date_team: GameByDateTeam, data: FolderData) -> None:
    df = read_csv(path, "player_game_logs", dtype={"game_id": str})
    df = df[df["minutes"].notna()]
    # Whole columns converted at once (as to_int / float would per value): 24,000 rows a season.
    stats = {c: ints(df[c]) for c in _BOX_STAT_COLUMNS}
    plus_minus = pd.to_numeric(df["plus_minus"], errors="coerce").fillna(0.0).astype(float).tolist()
    teams = (df["team"] if "team" in df.columns else df["matchup"].astype(str).str.split().str[0]).tolist()
    for i, (day_text, team_code, game_id, player, pid, minutes) in enumerate(
        zip(df["date"].astype(str), teams, df["game_id"], df["player"], df["player_id"], df["minutes"])
    ):
        day = dt.date.fromisoformat(day_text)
        team = normalize_tricode(team_code)
        gid = str(game_id).zfill(10) if isinstance(game_id, str) and game_id.strip() else None
        if gid not in games:
            gid = game_by_date_team.get((day, team))
        if gid is None:
            continue
        first, family = split_name(player)
        data.played_by_game.setdefault(gid, []).append(
            PlayerLine(
                person_id=int(pid),
                first_name=first,
                family_name=family,
                team=team,
                minutes=float(minutes),
                plus_minus=plus_minus[i],
                **{field: stats[col][i] for col, field in _BOX_STAT_COLUMNS.items()},
            )
        )


def _dnp_rows(path: Path, game_by_date_team: GameByDateTeam, data: FolderData) -> None:
    df = read_csv(
        path, "inferred_dnp", dtype={"game_id": str}, usecols=["player", "player_id", "date", "matchup", "dnp"]
    )
    df = df[df["dnp"].astype(str).str.lower() == "true"]
    for name, pid, day, matchup in df[["player", "player_id", "date", "matchup"]].itertuples(index=False):
        code = str(matchup).split()[0]
        if not is_nba_team(code):
            continue
        team = normalize_tricode(code)
        gid = game_by_date_team.get((dt.date.fromisoformat(str(day)), team))
        if gid is None:
            continue
        first, family = split_name(name)
        data.dnp_by_game.setdefault(gid, []).append(
            PlayerLine(
                person_id=int(pid), first_name=first, family_name=family, team=team, minutes=None, comment=DNP_COMMENT
            )
        )
