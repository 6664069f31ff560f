"""Replay a historical data folder (real NBA files) date by date, "as if scraping that day".

A historical data folder has this layout (the real files' own README describes them)::

    schedule/schedule_<season>.csv                       one row per game, final scores
    schedule/team_game_logs_<season>.csv                 one row per team per game (team box totals)
    box_scores/player_game_logs_<season>.csv             one row per player per game played
    box_scores/player_game_logs_<season>_with_inferred_dnp.csv   + inferred DNP rows (dnp == True)
    props/odds_api_player_points_<season>.csv            The Odds API player_points, one row per
                                                         snapshot x event x player x bookmaker x line
    api_payloads/nba_injury_report/Injury-Report_<date>_<HH>_<MM><AM|PM>.pdf (and/or .csv)

Every payload is built with :mod:`nba_pipeline.sources.formats`, so it has exactly the services'
shapes and Phase 2 parses it like a live one. What the folder cannot say is approximated, and never
beyond what was knowable at ``as_of``:

* Tip-off: the props file's ``game_time`` (The Odds API commence time, UTC) for the game when the
  file covers it (2025-26), else 19:30 ET on the game date (2024-25 has no tip times).
* A game is final (status 3, with its scores) from tip-off + 2h30m, in progress (status 2, period
  estimated from the elapsed time, scores 0: live scores are unknown) from tip-off, else scheduled
  (status 1, scores 0). Game logs and box scores appear only for final games.
* ``wins``/``losses``: the team's regular-season (``002`` game id) record over games final both
  before this game's tip-off and at ``as_of``. Preseason games therefore show 0-0 and playoff games
  the final regular-season record.
* Periods: from the team minutes (``minutes_team``/``MIN``: 240 -> 4, 265 -> 5, 290 -> 6); 4 when the
  season's files have no minutes (2025-26).
* Games against non-NBA clubs (preseason exhibitions, All-Star games) are dropped everywhere.
* The 2024-25 schedule file misses a few games the team logs hold (NBA Cup knockout games, games
  abroad, some preseason games); they are added from the team logs.
* Box scores: only games with team totals in the team logs for both teams (2024-25) and at least one
  player row (the player files cover the 2024-25 regular season only: a box score without players is
  nothing the service returns). Team totals are the team log's; players are the played rows plus the
  inferred DNP rows (comment ``DNP - Inferred (absent from box score)``, no minutes). The files hold
  rotation players only, so players do not sum to the team totals. Games without team logs (2025-26)
  get no box score: downstream reconstructs team totals from the players.
* Odds: one payload per snapshot file x event, wrapped in the historical endpoint's envelope; the
  event belongs to the ET date of its commence time; snapshots after ``as_of`` are withheld. The
  books' ``last_update`` is the snapshot instant (the file does not record it).
* Injury reports: the NBA's PDF as is when the folder holds it (what the live source serves), else
  the CSV parsed from it, returned as the file's text (columns gameDate, team, player, status, reason,
  page). The folder's CSVs were made by the legacy parser, which wrote the report's date as every
  row's ``gameDate`` and lost or misplaced some wrapped reason lines; the PDFs are the reference.
* Team rosters and game lines (spreads/totals): the folder has no such data; both return ``[]``.

The CSVs are loaded once per folder (a module-level cache keyed by the resolved path).

One module per concern: ``files`` (reading and validating the CSVs), ``games`` (schedule, team logs,
records), ``box_scores`` (player rows), ``odds`` (props files), ``injury_reports`` (the report files),
``folder`` (the loading steps and the cache), ``model`` (what a loaded folder holds), ``source``
(:class:`HistoricalSource`).
"""

from nba_pipeline.calendar import ET
from nba_pipeline.sources.historical.files import HistoricalDataError
from nba_pipeline.sources.historical.folder import FOLDER_LAYOUT, clear_cache
from nba_pipeline.sources.historical.model import DEFAULT_TIPOFF_ET, DNP_COMMENT, FINAL_AFTER, UTC
from nba_pipeline.sources.historical.source import (
    PERIOD_WALL_CLOCK,
    URL_INJURY,
    URL_ODDS,
    URL_SCHEDULE,
    URL_STATS,
    HistoricalSource,
)

__all__ = [
    "DEFAULT_TIPOFF_ET",
    "DNP_COMMENT",
    "ET",
    "FINAL_AFTER",
    "FOLDER_LAYOUT",
    "PERIOD_WALL_CLOCK",
    "URL_INJURY",
    "URL_ODDS",
    "URL_SCHEDULE",
    "URL_STATS",
    "UTC",
    "HistoricalDataError",
    "HistoricalSource",
    "clear_cache",
]
