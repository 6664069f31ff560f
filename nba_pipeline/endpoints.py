"""The Phase 1 endpoints, one declaration each: the scraped asset, what the sources call the
endpoint (its archive folder and the source method that fetches it), the scrape jobs that fetch it,
the raw table it feeds and when that table is due. The scrape assets, the asset keys, the Phase 1
jobs, the deadlines and the sources' dispatch all read this list."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import dagster as dg

from nba_pipeline.calendar import Deadline
from nba_pipeline.warehouse import tables as t
from nba_pipeline.warehouse.spec import TableSpec

# What the sources call each endpoint, "<service>/<resource>": archive folders and parsers use it.
SCHEDULE = "cdn_nba_com/scheduleLeagueV2"
PLAYER_GAME_LOG = "stats_nba_com/leaguegamelog"
BOXSCORE_TRADITIONAL = "stats_nba_com/boxscoretraditionalv3"
TEAM_ROSTER = "stats_nba_com/commonteamroster"
INJURY_REPORT = "nba_com/injury_report"
ODDS_PLAYER_PROPS = "odds_api/event_odds_player_props"
ODDS_GAME_LINES = "odds_api/event_odds_game_lines"

# The Phase 1 jobs (automation/schedules.py says when each runs).
SCRAPE_SCHEDULE, SCRAPE_RESULTS, SCRAPE_LINES = "scrape_schedule", "scrape_results", "scrape_lines"
SCRAPE_ROSTERS, SCRAPE_INJURIES = "scrape_rosters", "scrape_injuries"
SCRAPE_JOB_NAMES = (SCRAPE_SCHEDULE, SCRAPE_RESULTS, SCRAPE_LINES, SCRAPE_ROSTERS, SCRAPE_INJURIES)

_MORNING_AFTER_BOX_SCORES = Deadline(1, dt.time(6, 30))


@dataclass(frozen=True)
class Endpoint:
    name: str  # the scraped asset is nba_scraped/<name>
    source_id: str  # what the sources call it
    source_method: str  # the NbaSource method that fetches it
    description: str
    scrape_jobs: tuple[str, ...]
    raw_table: TableSpec  # the Phase 2 table it feeds
    raw_deadline: Deadline  # when that table's partition of date D must have landed

    @property
    def asset_key(self) -> dg.AssetKey:
        return dg.AssetKey(["nba_scraped", self.name])


SCHEDULE_ENDPOINT = Endpoint(
    "schedule",
    SCHEDULE,
    "schedule",
    "cdn.nba.com scheduleLeagueV2: the date's games with status and scores.",
    (SCRAPE_SCHEDULE, SCRAPE_RESULTS),
    t.NBAC_SCHEDULE,
    Deadline(0, dt.time(9, 0)),
)
PLAYER_BOXSCORES_ENDPOINT = Endpoint(
    "player_boxscores",
    PLAYER_GAME_LOG,
    "player_game_logs",
    "stats.nba.com leaguegamelog (PlayerOrTeam=P): one row per player who appeared in a final game.",
    (SCRAPE_RESULTS,),
    t.NBAC_PLAYER_BOXSCORES,
    _MORNING_AFTER_BOX_SCORES,
)
TEAM_BOXSCORES_ENDPOINT = Endpoint(
    "team_boxscores",
    BOXSCORE_TRADITIONAL,
    "team_boxscores",
    "stats.nba.com boxscoretraditionalv3 per final game: team totals and every player incl. DNP comments.",
    (SCRAPE_RESULTS,),
    t.NBAC_TEAM_BOXSCORE,
    _MORNING_AFTER_BOX_SCORES,
)
ODDS_PLAYER_PROPS_ENDPOINT = Endpoint(
    "odds_player_props",
    ODDS_PLAYER_PROPS,
    "player_props_odds",
    "The Odds API v4 event odds of every registered prop market (points, rebounds, assists, threes, "
    "PRA; one call per event): one snapshot per scrape.",
    (SCRAPE_LINES,),
    t.ODDS_PLAYER_PROPS,
    Deadline(0, dt.time(12, 0)),
)
ODDS_GAME_LINES_ENDPOINT = Endpoint(
    "odds_game_lines",
    ODDS_GAME_LINES,
    "game_lines_odds",
    "The Odds API v4 spreads and totals per event: one snapshot per scrape.",
    (SCRAPE_LINES,),
    t.ODDS_GAME_LINES,
    Deadline(0, dt.time(12, 0)),
)
ROSTERS_ENDPOINT = Endpoint(
    "rosters",
    TEAM_ROSTER,
    "team_rosters",
    "stats.nba.com commonteamroster for every team playing on the date.",
    (SCRAPE_ROSTERS,),
    t.TEAM_ROSTERS,
    Deadline(0, dt.time(10, 0)),
)
INJURY_REPORT_ENDPOINT = Endpoint(
    "injury_report",
    INJURY_REPORT,
    "injury_report",
    "The NBA injury report: the latest publication for the date.",
    (SCRAPE_INJURIES,),
    t.NBAC_INJURY_REPORT,
    Deadline(0, dt.time(14, 0)),
)

ENDPOINTS = (
    SCHEDULE_ENDPOINT,
    PLAYER_BOXSCORES_ENDPOINT,
    TEAM_BOXSCORES_ENDPOINT,
    ODDS_PLAYER_PROPS_ENDPOINT,
    ODDS_GAME_LINES_ENDPOINT,
    ROSTERS_ENDPOINT,
    INJURY_REPORT_ENDPOINT,
)
BY_SOURCE_ID = {e.source_id: e for e in ENDPOINTS}
ALL_SOURCE_IDS = tuple(BY_SOURCE_ID)
