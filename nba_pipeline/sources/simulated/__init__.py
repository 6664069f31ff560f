"""A deterministic simulated NBA league, and the source that serves it in the real services' formats.

:class:`SimulatedLeague` builds, from one integer seed, a league of the 30 real teams with rosters of
real active-player names, a regular-season schedule, every game's box score, the NBA injury reports
and the sportsbooks' player-prop lines (every market of ``markets.MARKETS``: points, rebounds,
assists, threes made, points + rebounds + assists) and game lines. Everything is a pure function of
the seed (numpy generators seeded from ``(seed, season year, purpose, ...)`` tuples), and seasons are
built lazily, one at a time, and cached. :class:`SimulatedSource` answers the
:class:`~nba_pipeline.sources.base.NbaSource` questions from that league.

One module per concern:

* ``rosters``: teams, player identities, base rosters and traits, each season's trades and drift
* ``schedule``: the calendar (opener, All-Star break, off days), matchups, game days, tip-offs
* ``injuries``: availability plans, game-day availability, the injury reports
* ``boxscores``: who plays, minutes, points and box-score lines of one team in one game
* ``estimates``: the books' running knowledge and fair pre-game estimates of each player's points,
  rebounds, assists and threes
* ``games``: the season played game by game (overtime, scores, records, rest)
* ``books``: the sportsbooks, their margin and how a half-point prop line is priced
* ``lines``: the odds snapshots: the books' player-points and game lines per snapshot
* ``stat_lines``: the books' rebounds, assists, threes and PRA lines per snapshot
* ``season`` and ``league``: one season assembled with its truth accessors; all seasons of a seed
* ``source``: :class:`SimulatedSource`, the league through the services' payload formats

Scope and simplifications:

* Regular season only: no preseason, play-in, playoffs, All-Star game or NBA Cup knockout games.
  Dates outside a season's regular season (July-September, before the opener, after mid-April)
  have no games.
* Player identities (names and person ids from ``nba_api``'s static active-player list) are the
  same in every season of a seed; traits drift a little from season to season and a handful of
  same-role trades move players between seasons (relative to the 2024-25 base rosters).
* Injury reports are published at 13:30, 17:30 and 18:30 ET on every game day, plus one at 11:30 ET
  on days with a game tipping before 15:00 ET (so afternoon games have a pre-game report).
* Odds snapshots: every 2 hours from 12 hours before the day's first tip up to each game's tip, plus
  one in-game snapshot at tip + 75 minutes whose lines have moved toward the actual outcome (a leak
  the pipeline must filter out). Each snapshot's player-props payload carries every prop market, one
  event-odds call with the markets comma-joined, as the live API is asked. The books list a player's
  other markets only where they list his points; threes skip players expected under 0.3.
* Box scores of games listed in ``withheld_game_ids`` are never published, neither in
  ``boxscoretraditionalv3`` nor in the ``leaguegamelog`` (the game is missing from stats.nba.com);
  the schedule still shows it final.
"""

from nba_pipeline.sources.simulated.books import BOOKS, MEDIAN_SHIFT
from nba_pipeline.sources.simulated.boxscores import DND_INJURY, DNP_COACH, DNP_INJURY, DNP_REST, NWT_PERSONAL
from nba_pipeline.sources.simulated.estimates import PropEstimate
from nba_pipeline.sources.simulated.injuries import (
    AVAILABLE,
    DOUBTFUL,
    EARLY_REPORT_TIME_ET,
    OUT,
    PROBABLE,
    QUESTIONABLE,
    REPORT_TIMES_ET,
    InjuryReport,
    PlayerAvailability,
)
from nba_pipeline.sources.simulated.league import SimulatedLeague, get_league
from nba_pipeline.sources.simulated.lines import (
    IN_GAME_SNAPSHOT_AFTER_TIP,
    SNAPSHOT_INTERVAL,
    SNAPSHOT_LEAD,
    OddsSnapshot,
)
from nba_pipeline.sources.simulated.randomness import event_id_for
from nba_pipeline.sources.simulated.rosters import (
    BASE_YEAR,
    BENCH,
    DEEP,
    MAX_ROSTER,
    N_TEAMS,
    POSITIONS,
    ROLE_NAMES,
    ROTATION,
    STAR,
    STARTER,
    TRICODES,
    SimPlayer,
    SimTeam,
)
from nba_pipeline.sources.simulated.schedule import (
    ET,
    GAMES_PER_TEAM,
    OT_DURATION,
    REGULATION_DURATION,
    UTC,
    SimGame,
    all_star_break,
    off_days,
    season_last_day,
)
from nba_pipeline.sources.simulated.season import SimSeason
from nba_pipeline.sources.simulated.source import URL_INJURY, URL_ODDS, URL_SCHEDULE, URL_STATS, SimulatedSource
from nba_pipeline.sources.simulated.usage import USAGE_ELASTICITY

__all__ = [
    "AVAILABLE",
    "BASE_YEAR",
    "BENCH",
    "BOOKS",
    "DEEP",
    "DND_INJURY",
    "DNP_COACH",
    "DNP_INJURY",
    "DNP_REST",
    "DOUBTFUL",
    "EARLY_REPORT_TIME_ET",
    "ET",
    "GAMES_PER_TEAM",
    "IN_GAME_SNAPSHOT_AFTER_TIP",
    "MAX_ROSTER",
    "MEDIAN_SHIFT",
    "N_TEAMS",
    "NWT_PERSONAL",
    "OT_DURATION",
    "OUT",
    "POSITIONS",
    "PROBABLE",
    "QUESTIONABLE",
    "REGULATION_DURATION",
    "REPORT_TIMES_ET",
    "ROLE_NAMES",
    "ROTATION",
    "SNAPSHOT_INTERVAL",
    "SNAPSHOT_LEAD",
    "STAR",
    "STARTER",
    "TRICODES",
    "URL_INJURY",
    "URL_ODDS",
    "URL_SCHEDULE",
    "URL_STATS",
    "USAGE_ELASTICITY",
    "UTC",
    "InjuryReport",
    "OddsSnapshot",
    "PlayerAvailability",
    "PropEstimate",
    "SimGame",
    "SimPlayer",
    "SimSeason",
    "SimTeam",
    "SimulatedLeague",
    "SimulatedSource",
    "all_star_break",
    "event_id_for",
    "get_league",
    "off_days",
    "season_last_day",
]
