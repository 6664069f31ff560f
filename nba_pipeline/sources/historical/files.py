"""Reading a historical folder's CSV files: the columns each kind must hold, and their values."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from nba_pipeline.sources.base import SourcePermanentError

# What each file kind must hold: required columns and the columns that must be numbers where set. A
# file that breaks this is a permanent error naming file, line and field (a corrupt export is not
# fixed by retrying).
_PLAYER_LOG_NUMBERS = (
    "player_id",
    "minutes",
    "fgm",
    "fga",
    "threes_made",
    "threes_attempted",
    "ftm",
    "fta",
    "oreb",
    "dreb",
    "ast",
    "stl",
    "blk",
    "tov",
    "pf",
    "pts",
    "plus_minus",
)
_CSV_SCHEMAS = {
    "schedule": (
        ("game_id", "game_date", "home_team", "away_team", "home_score", "away_score"),
        ("home_score", "away_score", "minutes_team"),
    ),
    "team_game_logs": (
        ("GAME_ID", "GAME_DATE", "TEAM_ABBREVIATION", "MATCHUP", "MIN", "PTS"),
        (
            "MIN",
            "FGM",
            "FGA",
            "FG3M",
            "FG3A",
            "FTM",
            "FTA",
            "OREB",
            "DREB",
            "AST",
            "STL",
            "BLK",
            "TOV",
            "PF",
            "PTS",
            "PLUS_MINUS",
        ),
    ),
    "player_game_logs": (("date", "game_id", "player", *_PLAYER_LOG_NUMBERS), _PLAYER_LOG_NUMBERS),
    "inferred_dnp": (("player", "player_id", "date", "matchup", "dnp"), ("player_id",)),
    "props": (
        ("event_id", "game", "game_time", "snapshot_file", "player", "line", "bookmaker", "over_odds", "under_odds"),
        ("line", "over_odds", "under_odds"),
    ),
}


class HistoricalDataError(SourcePermanentError):
    """A file of the historical folder that cannot be read: names the file, line and field."""


def read_csv(path: Path, kind: str, **kwargs) -> pd.DataFrame:
    required, numeric = _CSV_SCHEMAS[kind]
    try:
        df = pd.read_csv(path, **kwargs)
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise HistoricalDataError(f"historical source: {path} cannot be read as CSV: {exc}") from None
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise HistoricalDataError(
            f"historical source: {path} lacks column(s) {', '.join(missing)} "
            f"(has {', '.join(map(str, df.columns[:12]))}...)"
        )
    for col in (c for c in numeric if c in df.columns):
        values = df[col]
        bad = values.notna() & pd.to_numeric(values, errors="coerce").isna()
        if bad.any():
            i = int(bad.idxmax())
            raise HistoricalDataError(
                f"historical source: {path} line {i + 2}, field {col!r}: {values.iloc[i]!r} is not a number"
            )
    return df


def read_csvs(paths: Iterable[Path], kind: str, **kwargs) -> pd.DataFrame:
    """Every file of one kind, validated and concatenated (an empty frame when there is none)."""
    frames = [read_csv(p, kind, **kwargs) for p in paths]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def to_int(value) -> int:
    return 0 if value is None or pd.isna(value) else int(round(float(value)))


def ints(values: pd.Series) -> list[int]:
    """``to_int`` of a whole column."""
    return pd.to_numeric(values, errors="coerce").fillna(0).astype(float).round().astype(int).tolist()


def split_name(name: str) -> tuple[str, str]:
    first, _, family = str(name).strip().partition(" ")
    return first, family


def matchup_teams(matchup: str) -> tuple[str, str]:
    """(home, away) from "AWY @ HOM" or "HOM vs. AWY"."""
    text = str(matchup).strip()
    if " @ " in text:
        away, _, home = text.partition(" @ ")
    elif " vs. " in text:
        home, _, away = text.partition(" vs. ")
    else:
        raise ValueError(f"unrecognised matchup {matchup!r}")
    return home.strip(), away.strip()
