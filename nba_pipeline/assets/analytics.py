"""Phase 3: analytics of completed games and context for upcoming games.

Completed-game tables (team offense, team defense, player game summary) are partitioned by the date
the games were played. Upcoming tables are partitioned by the date of the upcoming game and built
from history strictly before it; they depend on yesterday's completed-game partition, which the
lineage shows and automation waits for.
"""

import datetime as dt

import dagster as dg
import pandas as pd

from nba_pipeline import automation, keys
from nba_pipeline.assets.definition import check_spec, table_asset
from nba_pipeline.calendar import HISTORY_DAYS, played_games, span
from nba_pipeline.checks.coverage import coverage_results, final_games, minutes_coverage_result, zero_row_dates
from nba_pipeline.checks.names import (
    CHECK_BOTH_TEAMS_HAVE_PLAYERS,
    CHECK_FINAL_GAMES_COVERED,
    CHECK_MINUTES_COVERAGE,
    CHECK_PRE_TIP_LINES_ONLY,
    CHECK_TWO_ROWS_PER_GAME,
    CHECK_USAGE_RANGE,
)
from nba_pipeline.domain import analytics as an
from nba_pipeline.domain.analytics.lines import points_quotes, prop_lines
from nba_pipeline.execution.frames import ByDate, or_empty
from nba_pipeline.execution.tables import TableOutput, write_table
from nba_pipeline.resources import Clock
from nba_pipeline.warehouse import tables as t
from nba_pipeline.warehouse.base import Warehouse


def _coverage_checks(spec, description):
    return [check_spec(spec, CHECK_FINAL_GAMES_COVERED, description)]


def _completed_games(
    spec,
    frame: pd.DataFrame,
    finals: pd.DataFrame,
    game_dates: list[dt.date],
    clock: Clock,
    extra=lambda game_date: (),
    metadata: dict | None = None,
) -> TableOutput:
    """A completed-game table: every final game covered per date; a date with finals and no rows
    keeps its previous rows (incident 26)."""
    coverage = coverage_results(spec, frame, finals, game_dates, clock.today_et())
    return TableOutput(
        frame,
        lambda d: [coverage[d], *extra(d)],
        metadata=metadata or {},
        keep=zero_row_dates(spec, frame, finals, game_dates),
    )


@table_asset(
    t.TEAM_OFFENSE,
    group=keys.PHASE3,
    deps=[keys.RAW_TEAM_BOXSCORE, keys.RAW_PLAYER_BOXSCORES, keys.RAW_SCHEDULE],
    automation_condition=automation.TEAM_SUMMARY_ON_RAW,
    checks=_coverage_checks(t.TEAM_OFFENSE, "Both teams of every final game have a row."),
)
def team_offense_game_summary(context: dg.AssetExecutionContext, warehouse: Warehouse, clock: Clock):
    """Team offense per completed game: possessions = FGA + 0.44 FTA + TOV - OREB, offensive rating,
    pace per 48, TS%, eFG%, result. From the team box score, or reconstructed from player rows when
    the team box score has nothing for a game (quality tier silver). Grain: team x game."""

    def compute(game_dates: list[dt.date]) -> TableOutput:
        first, last = span(game_dates)
        schedule = warehouse.read(t.NBAC_SCHEDULE, first, last)
        frame = an.team_offense(
            warehouse.read(t.NBAC_TEAM_BOXSCORE, first, last),
            warehouse.read(t.NBAC_PLAYER_BOXSCORES, first, last),
            schedule,
        )
        return _completed_games(
            t.TEAM_OFFENSE,
            frame,
            final_games(warehouse, first, last),
            game_dates,
            clock,
            metadata={
                "reconstructed_teams": int((frame["data_source"] == "reconstructed_from_players").sum())
                if len(frame)
                else 0
            },
        )

    yield from write_table(context, warehouse, t.TEAM_OFFENSE, compute)


@table_asset(
    t.TEAM_DEFENSE,
    group=keys.PHASE3,
    deps=[keys.TEAM_OFFENSE, keys.RAW_SCHEDULE],
    automation_condition=automation.TEAM_SUMMARY_ON_RAW,
    checks=_coverage_checks(t.TEAM_DEFENSE, "Both teams of every final game have a row."),
)
def team_defense_game_summary(context: dg.AssetExecutionContext, warehouse: Warehouse, clock: Clock):
    """Team defense per completed game, the opponent's offense flipped: points allowed, defensive
    rating, opponent possessions (legacy 'opponent_pace'), forced turnovers. Grain: team x game."""

    def compute(game_dates: list[dt.date]) -> TableOutput:
        first, last = span(game_dates)
        frame = an.team_defense(warehouse.read(t.TEAM_OFFENSE, first, last))
        return _completed_games(t.TEAM_DEFENSE, frame, final_games(warehouse, first, last), game_dates, clock)

    yield from write_table(context, warehouse, t.TEAM_DEFENSE, compute)


@table_asset(
    t.PLAYER_GAME_SUMMARY,
    group=keys.PHASE3,
    deps=[keys.RAW_PLAYER_BOXSCORES, keys.TEAM_OFFENSE, keys.RAW_ODDS_PLAYER_PROPS, keys.RAW_SCHEDULE],
    automation_condition=automation.PLAYER_SUMMARY_ON_RAW,
    checks=[
        *_coverage_checks(
            t.PLAYER_GAME_SUMMARY,
            "Every final game has player rows; Phase 4 may not run on a "
            "date with final games missing (bypassed with a warning "
            "once 2 days old and 80% covered).",
        ),
        check_spec(
            t.PLAYER_GAME_SUMMARY, CHECK_MINUTES_COVERAGE, "Minutes known on >= 90% of non-DNP rows.", blocking=False
        ),
        check_spec(t.PLAYER_GAME_SUMMARY, CHECK_USAGE_RANGE, "usage_rate is NULL or in (0, 100]."),
    ],
)
def player_game_summary(context: dg.AssetExecutionContext, warehouse: Warehouse, clock: Clock):
    """Player per completed game, DNP and inactive rows included: minutes parsed from MM:SS, the
    DNP rule (status dnp/inactive, or active with 0 minutes), reason category, eFG%, TS%, usage rate
    against the team's same-date row (NULL above 100), the pre-tip closing line (DraftKings >
    FanDuel > others) and OVER/UNDER/PUSH against it. Grain: player x game."""

    def compute(game_dates: list[dt.date]) -> TableOutput:
        first, last = span(game_dates)
        frame = or_empty(
            t.PLAYER_GAME_SUMMARY,
            an.player_game_summary(
                warehouse.read(t.NBAC_PLAYER_BOXSCORES, first, last),
                warehouse.read(t.TEAM_OFFENSE, first, last),
                points_quotes(warehouse.read(t.ODDS_PLAYER_PROPS, first, last)),
            ),
        )
        by_date = ByDate(frame)

        def usage_checks(game_date):
            f = by_date[game_date]
            usage = pd.to_numeric(f["usage_rate"], errors="coerce")
            bad_usage = int(((usage <= 0) | (usage > 100)).sum())
            non_dnp = f[~f["is_dnp"].astype(bool)]
            usage_cov = float(non_dnp["usage_rate"].notna().mean()) if len(non_dnp) else 1.0
            return [
                minutes_coverage_result(t.PLAYER_GAME_SUMMARY, f, minutes_col="minutes"),
                dg.AssetCheckResult(
                    check_name=CHECK_USAGE_RANGE,
                    passed=bad_usage == 0,
                    metadata={"out_of_range": bad_usage, "usage_coverage_non_dnp": round(usage_cov, 4)},
                ),
            ]

        return _completed_games(
            t.PLAYER_GAME_SUMMARY,
            frame,
            final_games(warehouse, first, last),
            game_dates,
            clock,
            extra=usage_checks,
            metadata={
                "active_rows": int(frame["is_active"].sum()) if len(frame) else 0,
                "dnp_rows": int(frame["is_dnp"].sum()) if len(frame) else 0,
                "rows_with_line": int(frame["points_line"].notna().sum()) if len(frame) else 0,
            },
        )

    yield from write_table(context, warehouse, t.PLAYER_GAME_SUMMARY, compute)


@table_asset(
    t.UPCOMING_TEAM_CONTEXT,
    group=keys.PHASE3,
    deps=[keys.RAW_SCHEDULE, keys.TEAM_OFFENSE, keys.TEAM_DEFENSE, keys.RAW_ODDS_GAME_LINES, keys.RAW_INJURY_REPORT],
    automation_condition=automation.UPCOMING_TEAM_ON_HISTORY,
    checks=[check_spec(t.UPCOMING_TEAM_CONTEXT, CHECK_TWO_ROWS_PER_GAME, "Exactly two rows per scheduled game.")],
)
def upcoming_team_game_context(context: dg.AssetExecutionContext, warehouse: Warehouse):
    """Each team of each upcoming game: rest days, back-to-back, games in 7/14 days, opponent rest,
    season record and streak, travel miles and time-zone change, pace/ratings over the last 10 games,
    consensus spread and total (pre-tip snapshots), injured players. History strictly before the
    date. Grain: team x upcoming game."""

    def compute(game_dates: list[dt.date]) -> TableOutput:
        first, last = span(game_dates)
        schedule = warehouse.read(t.NBAC_SCHEDULE, first - dt.timedelta(days=HISTORY_DAYS), last)
        offense = warehouse.read_history(t.TEAM_OFFENSE, game_dates)
        defense = warehouse.read_history(t.TEAM_DEFENSE, game_dates)
        lines, injuries = (
            warehouse.read(t.ODDS_GAME_LINES, first, last),
            warehouse.read(t.NBAC_INJURY_REPORT, first, last),
        )
        frame = or_empty(
            t.UPCOMING_TEAM_CONTEXT,
            an.upcoming_team_contexts(
                game_dates, schedule, an.team_games_long(schedule), offense, defense, lines, injuries
            ),
        )
        games = ByDate(played_games(schedule))
        by_date = ByDate(frame)

        def checks(game_date):
            per_game = by_date[game_date].groupby("game_id").size()
            wrong = sorted(set(games[game_date]["game_id"]) - set(per_game[per_game == 2].index))
            return [
                dg.AssetCheckResult(
                    check_name=CHECK_TWO_ROWS_PER_GAME,
                    passed=not wrong,
                    metadata={"games": len(games[game_date]), "games_without_two_rows": dg.MetadataValue.json(wrong)},
                )
            ]

        return TableOutput(frame, checks)

    yield from write_table(context, warehouse, t.UPCOMING_TEAM_CONTEXT, compute)


@table_asset(
    t.UPCOMING_PLAYER_CONTEXT,
    group=keys.PHASE3,
    deps=[
        keys.RAW_SCHEDULE,
        keys.PLAYER_GAME_SUMMARY,
        keys.UPCOMING_TEAM_CONTEXT,
        keys.RAW_ODDS_PLAYER_PROPS,
        keys.RAW_ROSTERS,
        keys.RAW_INJURY_REPORT,
    ],
    automation_condition=automation.UPCOMING_PLAYER_ON_HISTORY,
    checks=[
        check_spec(
            t.UPCOMING_PLAYER_CONTEXT,
            CHECK_BOTH_TEAMS_HAVE_PLAYERS,
            "Both teams of every scheduled game have expected players.",
        )
    ],
)
def upcoming_player_game_context(context: dg.AssetExecutionContext, warehouse: Warehouse):
    """Each expected player of each upcoming game: injury status from the latest report before the
    first tip, fatigue (rest, games and minutes in 7/14 days, back-to-backs), recent scoring
    (DNPs excluded), the pre-tip line cascade (DraftKings > FanDuel > others; opening, current,
    movement), prop streaks, pace differential, opponent ratings, stars out. History strictly
    before the date. Grain: player x upcoming game."""

    def compute(game_dates: list[dt.date]) -> TableOutput:
        first, last = span(game_dates)
        schedule = warehouse.read(t.NBAC_SCHEDULE, first, last)
        player_history = warehouse.read_history(t.PLAYER_GAME_SUMMARY, game_dates)
        team_context = warehouse.read(t.UPCOMING_TEAM_CONTEXT, first, last)
        rosters = warehouse.read(t.TEAM_ROSTERS, first, last)
        injuries = warehouse.read(t.NBAC_INJURY_REPORT, first, last)
        odds = points_quotes(warehouse.read(t.ODDS_PLAYER_PROPS, first, last))
        frame = or_empty(
            t.UPCOMING_PLAYER_CONTEXT,
            an.upcoming_player_contexts(game_dates, schedule, player_history, team_context, rosters, injuries, odds),
        )
        schedule_by, frame_by, rosters_by = ByDate(schedule), ByDate(frame), ByDate(rosters)
        first_seen = first_game_by_team(player_history)
        return TableOutput(
            frame,
            lambda d: [both_teams_result(schedule_by[d], frame_by[d], first_seen, rosters_by[d])],
            metadata={
                "with_line": int(frame["has_prop_line"].sum()) if len(frame) else 0,
                "roster_sources": dg.MetadataValue.json(
                    frame["roster_source"].value_counts().to_dict() if len(frame) else {}
                ),
            },
        )

    yield from write_table(context, warehouse, t.UPCOMING_PLAYER_CONTEXT, compute)


@table_asset(
    t.PLAYER_PROP_LINES,
    group=keys.PHASE3,
    deps=[keys.RAW_ODDS_PLAYER_PROPS],
    automation_condition=automation.PROP_LINES_ON_RAW,
    checks=[
        check_spec(
            t.PLAYER_PROP_LINES,
            CHECK_PRE_TIP_LINES_ONLY,
            "Every line was quoted before its game's tip-off (an in-game quote has seen the game).",
        )
    ],
)
def player_prop_lines(context: dg.AssetExecutionContext, warehouse: Warehouse):
    """The pre-tip lines of every registered prop market (``nba_pipeline/markets.py``) per player of
    the date: the priority book's latest main line with its prices and opening line, and the books'
    consensus, from the raw props table's snapshots taken before tip-off. Grain: player x market x
    game date."""

    def compute(game_dates: list[dt.date]) -> TableOutput:
        first, last = span(game_dates)
        frame = or_empty(t.PLAYER_PROP_LINES, prop_lines(warehouse.read(t.ODDS_PLAYER_PROPS, first, last)))
        frame_by = ByDate(frame)

        def checks(game_date):
            late = int((pd.to_numeric(frame_by[game_date]["minutes_before_tipoff"], errors="coerce") < 0).sum())
            return [
                dg.AssetCheckResult(check_name=CHECK_PRE_TIP_LINES_ONLY, passed=late == 0, metadata={"post_tip": late})
            ]

        by_market = frame["market"].value_counts().to_dict() if len(frame) else {}
        return TableOutput(frame, checks, metadata={"lines_by_market": dg.MetadataValue.json(by_market)})

    yield from write_table(context, warehouse, t.PLAYER_PROP_LINES, compute)


def first_game_by_team(player_history: pd.DataFrame) -> pd.Series:
    """Each team's first game date in the history (computed once for a range of dates)."""
    if player_history.empty:
        return pd.Series(dtype=object)
    return pd.to_datetime(player_history["game_date"]).groupby(player_history["team_tricode"]).min().dt.date


def both_teams_result(
    schedule: pd.DataFrame, frame: pd.DataFrame, first_seen: pd.Series, rosters: pd.DataFrame
) -> dg.AssetCheckResult:
    """Both teams of every game have expected players. A team with no roster and no history at all
    (the first game a replay knows of) cannot have any: a warning, not a block. Otherwise an error."""
    games = played_games(schedule)
    have = set(zip(frame["game_id"], frame["team_tricode"])) if len(frame) else set()
    rostered = (
        set(zip(pd.to_datetime(rosters["game_date"]).dt.date, rosters["team_tricode"])) if len(rosters) else set()
    )

    def knowable(game_date: dt.date, team: str) -> bool:
        return (team in first_seen.index and first_seen[team] < game_date) or (game_date, team) in rostered

    missing = [
        (pd.Timestamp(g.game_date).date(), g.game_id, team)
        for g in games.itertuples()
        for team in (g.home_team_tricode, g.away_team_tricode)
        if (g.game_id, team) not in have
    ]
    unknowable = [f"{gid}:{team}" for game_date, gid, team in missing if not knowable(game_date, team)]
    blocking = [f"{gid}:{team}" for game_date, gid, team in missing if knowable(game_date, team)]
    meta = {
        "teams_without_players": dg.MetadataValue.json(blocking),
        "teams_without_any_history": dg.MetadataValue.json(unknowable),
    }
    if blocking:
        return dg.AssetCheckResult(check_name=CHECK_BOTH_TEAMS_HAVE_PLAYERS, passed=False, metadata=meta)
    if unknowable:
        return dg.AssetCheckResult(
            check_name=CHECK_BOTH_TEAMS_HAVE_PLAYERS,
            passed=False,
            metadata=meta,
            severity=dg.AssetCheckSeverity.WARN,
            description="teams with no roster and no game history yet",
        )
    return dg.AssetCheckResult(check_name=CHECK_BOTH_TEAMS_HAVE_PLAYERS, passed=True, metadata=meta)


ANALYTICS_ASSETS = [
    team_offense_game_summary,
    team_defense_game_summary,
    player_game_summary,
    upcoming_team_game_context,
    upcoming_player_game_context,
    player_prop_lines,
]
