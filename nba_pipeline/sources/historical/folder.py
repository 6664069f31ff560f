"""A historical folder loaded once per process: the loading steps in order, and the cache.

The CSVs are loaded once per folder (a module-level cache keyed by the resolved path).
"""

from __future__ import annotations

import threading
from pathlib import Path

from nba_pipeline.sources.historical.box_scores import load_player_rows
from nba_pipeline.sources.historical.files import HistoricalDataError
from nba_pipeline.sources.historical.games import load_games
from nba_pipeline.sources.historical.injury_reports import index_injury_reports
from nba_pipeline.sources.historical.model import FolderData
from nba_pipeline.sources.historical.odds import events, index_odds, read_props

FOLDER_LAYOUT = "a folder in the layout of a historical data folder (schedule/, box_scores/, props/)"

_CACHE: dict[Path, FolderData] = {}
_LOCK = threading.Lock()


def clear_cache() -> None:
    """Forget every loaded folder (the next call reloads from disk)."""
    with _LOCK:
        _CACHE.clear()


def folder_data(root: str) -> FolderData:
    """The loaded folder at ``root`` (loaded and validated on first use)."""
    path = Path(root).expanduser().resolve()
    with _LOCK:
        data = _CACHE.get(path)
        if data is None:
            if not path.is_dir():
                raise HistoricalDataError(
                    f"historical source: the folder {path} does not exist (set "
                    f"NBA_PIPELINE_HISTORICAL_DIR or --historical-dir to {FOLDER_LAYOUT})"
                )
            data = load(path)
            _CACHE[path] = data
        return data


def load(root: Path) -> FolderData:
    data = FolderData()
    # Props first: their commence times are the tip-off times of the games they cover.
    props = read_props(root)
    tipoffs, event_teams = events(props)
    games = load_games(root, tipoffs, data)
    load_player_rows(root, games, data)
    _keep_games_with_players(data)
    index_odds(props, event_teams, data)
    index_injury_reports(root, data)
    return data


def _keep_games_with_players(data: FolderData) -> None:
    # The replay covers the games the folder has player box scores for. Playoff, play-in and
    # preseason games appear only in the team logs here; scheduling them would announce final
    # games whose box scores this "service" can never return.
    for day in list(data.games_by_date):
        kept = [g for g in data.games_by_date[day] if g.game_id in data.played_by_game]
        if kept:
            data.games_by_date[day] = kept
        else:
            del data.games_by_date[day]
