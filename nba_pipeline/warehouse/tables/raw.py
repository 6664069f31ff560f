"""Phase 2 tables (nba_raw): one row per entity a source gives."""

from __future__ import annotations

from nba_pipeline.warehouse.spec import TableSpec
from nba_pipeline.warehouse.tables.types import BOX_STATS, TS, B, D, F, I, S  # noqa: E741

NBAC_SCHEDULE = TableSpec(
    "nba_raw",
    "nbac_schedule",
    {
        "game_date": D,
        "game_id": S,
        "internal_game_id": S,
        "game_code": S,
        "season_year": I,
        "season_type": S,
        "game_status": I,
        "game_status_text": S,
        "is_postponed": B,
        "tipoff_utc": TS,
        "home_team_tricode": S,
        "away_team_tricode": S,
        "home_team_score": I,
        "away_team_score": I,
        "scraped_at": TS,
        "source_file": S,
    },
    primary_key=("game_date", "game_id"),
    description="One row per game on the date, as of the latest schedule scrape (status 1/2/3).",
)

NBAC_PLAYER_BOXSCORES = TableSpec(
    "nba_raw",
    "nbac_player_boxscores",
    {
        "game_date": D,
        "game_id": S,
        "internal_game_id": S,
        "season_year": I,
        "team_tricode": S,
        "opponent_tricode": S,
        "is_home": B,
        "player_id": I,
        "player_name": S,
        "player_lookup": S,
        "player_status": S,
        "dnp_reason": S,
        "starter": B,
        "minutes": S,
        "minutes_decimal": F,
        **BOX_STATS,
        "plus_minus": F,
        "source": S,
        "source_file": S,
    },
    primary_key=("game_date", "player_id"),
    description="One row per player per final game: played rows (leaguegamelog) and DNP/inactive rows "
    "(boxscoretraditionalv3 comments). Only games final at scrape time.",
    descriptions={"player_status": "active | dnp | inactive", "minutes": "as the source wrote it"},
)

NBAC_TEAM_BOXSCORE = TableSpec(
    "nba_raw",
    "nbac_team_boxscore",
    {
        "game_date": D,
        "game_id": S,
        "internal_game_id": S,
        "team_tricode": S,
        "opponent_tricode": S,
        "is_home": B,
        "minutes": S,
        **BOX_STATS,
        "plus_minus": F,
        "source_file": S,
    },
    primary_key=("game_date", "team_tricode"),
    description="Team totals per final game from boxscoretraditionalv3 (two rows per game).",
)

ODDS_PLAYER_PROPS = TableSpec(
    "nba_raw",
    "odds_api_player_props",
    {
        "game_date": D,
        "odds_event_id": S,
        "snapshot_timestamp": TS,
        "commence_time": TS,
        "minutes_before_tipoff": I,
        "home_team_tricode": S,
        "away_team_tricode": S,
        "bookmaker": S,
        "bookmaker_last_update": TS,
        "market": S,
        "player_name": S,
        "player_lookup": S,
        "line": F,
        "over_price": I,
        "under_price": I,
        "source_file": S,
    },
    primary_key=("game_date", "snapshot_timestamp", "odds_event_id", "bookmaker", "market", "player_lookup", "line"),
    description="Every player-prop snapshot x book x market x player, for every registered market "
    "(markets.py; a time series). Readers must keep minutes_before_tipoff >= 0: in-game snapshots leak "
    "the outcome.",
)

ODDS_GAME_LINES = TableSpec(
    "nba_raw",
    "odds_api_game_lines",
    {
        "game_date": D,
        "odds_event_id": S,
        "snapshot_timestamp": TS,
        "commence_time": TS,
        "minutes_before_tipoff": I,
        "home_team_tricode": S,
        "away_team_tricode": S,
        "bookmaker": S,
        "market_key": S,
        "outcome_name": S,
        "outcome_point": F,
        "outcome_price": I,
        "source_file": S,
    },
    primary_key=("game_date", "snapshot_timestamp", "odds_event_id", "bookmaker", "market_key", "outcome_name"),
    description="Every spreads/totals snapshot x book x outcome.",
)

TEAM_ROSTERS = TableSpec(
    "nba_raw",
    "team_rosters",
    {
        "game_date": D,
        "team_tricode": S,
        "player_id": I,
        "player_name": S,
        "player_lookup": S,
        "position": S,
        "age": F,
        "how_acquired": S,
        "source_file": S,
    },
    primary_key=("game_date", "team_tricode", "player_id"),
    description="Roster of every team playing on the date, as scraped that day.",
)

NBAC_INJURY_REPORT = TableSpec(
    "nba_raw",
    "nbac_injury_report",
    {
        "game_date": D,
        "report_name": S,
        "report_published_at": TS,
        "team_tricode": S,
        "player_name": S,
        "player_lookup": S,
        "injury_status": S,
        "reason": S,
        "reason_category": S,
        "matchup": S,
        "source_file": S,
    },
    primary_key=("game_date", "report_name", "team_tricode", "player_lookup"),
    description="Every published injury report's rows for the game date (one report per publication time).",
)

PHASE2_TABLES = (
    NBAC_SCHEDULE,
    NBAC_PLAYER_BOXSCORES,
    NBAC_TEAM_BOXSCORE,
    ODDS_PLAYER_PROPS,
    ODDS_GAME_LINES,
    TEAM_ROSTERS,
    NBAC_INJURY_REPORT,
)
