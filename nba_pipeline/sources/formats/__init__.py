"""Builders for the services' own payload formats, one module per format.

The simulated and historical sources build their payloads here, so they return byte-for-byte the
shapes the real services return (see the real samples in a historical data folder's ``api_payloads/``)
and Phase 2 parses every source through one path.
"""

from nba_pipeline.calendar import ET
from nba_pipeline.sources.formats.box_scores import (
    LEAGUE_GAME_LOG_PLAYER_HEADERS,
    PlayerLine,
    boxscore_traditional_v3,
    league_game_log_players,
    minutes_text,
)
from nba_pipeline.sources.formats.common import UTC, iso_z, season_id, season_type_of_game_id
from nba_pipeline.sources.formats.injury_report import (
    INJURY_REPORT_COLUMNS,
    InjuryRow,
    injury_report_csv,
    injury_report_name,
)
from nba_pipeline.sources.formats.odds import (
    BOOK_TITLES,
    PROP_MARKETS,
    BookQuotes,
    PropQuote,
    odds_event,
    odds_historical_snapshot,
)
from nba_pipeline.sources.formats.roster import COMMON_TEAM_ROSTER_HEADERS, RosterEntry, common_team_roster
from nba_pipeline.sources.formats.schedule import ScheduleGame, schedule_league_v2

__all__ = [
    "BOOK_TITLES",
    "PROP_MARKETS",
    "COMMON_TEAM_ROSTER_HEADERS",
    "ET",
    "INJURY_REPORT_COLUMNS",
    "LEAGUE_GAME_LOG_PLAYER_HEADERS",
    "UTC",
    "BookQuotes",
    "InjuryRow",
    "PlayerLine",
    "PropQuote",
    "RosterEntry",
    "ScheduleGame",
    "boxscore_traditional_v3",
    "common_team_roster",
    "iso_z",
    "injury_report_csv",
    "injury_report_name",
    "league_game_log_players",
    "minutes_text",
    "odds_event",
    "odds_historical_snapshot",
    "schedule_league_v2",
    "season_id",
    "season_type_of_game_id",
]
