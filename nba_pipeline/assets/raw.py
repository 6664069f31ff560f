"""Phase 2: parse the archived payloads of a game date into raw tables.

Driven by the files in the archive, never by what a scraper said about itself (legacy incident 25):
whatever was archived for the date is parsed. Structural problems raise PayloadError naming the
date, file and field; individually bad rows (an in-progress team with 0 points) are dropped and
counted, so a partial night yields a partial partition (incident 20).
"""

import datetime as dt

import dagster as dg
import pandas as pd

from nba_pipeline import automation, keys
from nba_pipeline.assets.definition import check_spec, table_asset
from nba_pipeline.calendar import GameStatus, span
from nba_pipeline.checks.coverage import coverage_results, final_games, minutes_coverage_result, zero_row_dates
from nba_pipeline.checks.injury_reports import injury_reports_verdict
from nba_pipeline.checks.names import (
    CHECK_FINAL_GAMES_COVERED,
    CHECK_INJURY_REPORTS_READABLE,
    CHECK_MINUTES_COVERAGE,
    CHECK_SCORES_FOR_FINALS,
)
from nba_pipeline.execution.frames import ByDate
from nba_pipeline.execution.tables import TableOutput, write_table
from nba_pipeline.parsers import PayloadError
from nba_pipeline.parsers.archived import concat_frames, load_archived, parse_archived, records_archived
from nba_pipeline.parsers.injuries import injury_report_text, parse_injury_report
from nba_pipeline.parsers.nba import (
    boxscore_v3_records,
    internal_game_id,
    parse_common_team_roster,
    parse_league_game_log,
    parse_schedule,
)
from nba_pipeline.parsers.odds import game_lines_records, player_props_records
from nba_pipeline.partitions import season_year
from nba_pipeline.resources import Clock
from nba_pipeline.sources import base as src
from nba_pipeline.storage import BlobStore, list_archived, read_archived
from nba_pipeline.warehouse import tables as t
from nba_pipeline.warehouse.base import Warehouse


@table_asset(
    t.NBAC_SCHEDULE,
    group=keys.PHASE2,
    deps=[keys.SCRAPED_SCHEDULE],
    automation_condition=automation.RAW_ON_SCRAPE,
    checks=[check_spec(t.NBAC_SCHEDULE, CHECK_SCORES_FOR_FINALS, "Every final game has both scores.")],
)
def nbac_schedule(
    context: dg.AssetExecutionContext, nba_source: src.NbaSource, archive: BlobStore, warehouse: Warehouse
):
    """NBA schedule rows for the game date from the latest scrape: ids (NBA and internal
    YYYYMMDD_AWAY_HOME), tip-off, status (1 scheduled, 2 live, 3 final) and scores. Grain: game."""

    def compute(dates: list[dt.date]) -> TableOutput:
        frames = []
        for day in dates:
            for f, body in load_archived(archive, nba_source, src.SCHEDULE, day, latest_only=True):
                rows = parse_schedule(body, day, f.path)
                if len(rows):
                    rows["scraped_at"] = pd.Timestamp(f.fetched_at)
                    rows["source_file"] = f.path
                frames.append(rows)
        frame = concat_frames(frames, t.NBAC_SCHEDULE)
        if len(frame):
            # Two scrapes of one date (payload names differ) keep the most advanced status.
            frame = frame.sort_values(["game_status", "scraped_at"]).drop_duplicates(
                ["game_date", "game_id"], keep="last"
            )
        by_date = ByDate(frame)

        def checks(day):
            finals = by_date[day][by_date[day]["game_status"] == GameStatus.FINAL]
            no_score = finals[finals["home_team_score"].isna() | finals["away_team_score"].isna()]
            return [
                dg.AssetCheckResult(
                    check_name=CHECK_SCORES_FOR_FINALS,
                    passed=no_score.empty,
                    metadata={"final_games": len(finals), "without_scores": len(no_score)},
                )
            ]

        n_final = int((frame["game_status"] == GameStatus.FINAL).sum()) if len(frame) else 0
        return TableOutput(frame, checks, metadata={"games": len(frame), "final_games": n_final})

    yield from write_table(context, warehouse, t.NBAC_SCHEDULE, compute)


@table_asset(
    t.NBAC_PLAYER_BOXSCORES,
    group=keys.PHASE2,
    deps=[keys.SCRAPED_PLAYER_BOXSCORES, keys.SCRAPED_TEAM_BOXSCORES, keys.RAW_SCHEDULE],
    automation_condition=automation.RAW_PLAYER_BOX_ON_SCRAPE,
    checks=[
        check_spec(
            t.NBAC_PLAYER_BOXSCORES,
            CHECK_FINAL_GAMES_COVERED,
            "Every final game on the schedule has player rows (bypassed with a warning once the "
            "date is 2 days old and 80% covered).",
        ),
        check_spec(
            t.NBAC_PLAYER_BOXSCORES, CHECK_MINUTES_COVERAGE, "Minutes known on >= 90% of non-DNP rows.", blocking=False
        ),
    ],
)
def nbac_player_boxscores(
    context: dg.AssetExecutionContext, nba_source: src.NbaSource, archive: BlobStore, warehouse: Warehouse, clock: Clock
):
    """Player box scores of the date's final games: played rows from the game log and DNP/inactive
    rows (with the source's reason) from the team box scores. Grain: player x game."""

    def compute(dates: list[dt.date]) -> TableOutput:
        frames, rejected = [], []
        for day in dates:
            played = [
                parse_league_game_log(body, day, f.path).assign(source="leaguegamelog", source_file=f.path)
                for f, body in load_archived(archive, nba_source, src.PLAYER_GAME_LOG, day, latest_only=True)
            ]
            played = concat_frames(played, t.NBAC_PLAYER_BOXSCORES) if played else pd.DataFrame()
            # One frame per night from the records of its games (a frame per game cost more than the parsing).
            boxes = pd.DataFrame(
                [
                    {**r, "source": "boxscoretraditionalv3", "source_file": f.path}
                    for f, body in load_archived(archive, nba_source, src.BOXSCORE_TRADITIONAL, day, latest_only=True)
                    for r in boxscore_v3_records(body, day, f.path)[1]
                ]
            )
            if len(played) and len(boxes):
                # Starters come from the box score's starting positions.
                starters = boxes.set_index(["game_id", "player_id"])["starter"]
                played["starter"] = [starters.get((g, p)) for g, p in zip(played["game_id"], played["player_id"])]
                extra = boxes[
                    ~boxes.set_index(["game_id", "player_id"]).index.isin(
                        played.set_index(["game_id", "player_id"]).index
                    )
                ]
                day_frame = pd.concat([played, extra], ignore_index=True)
            else:
                day_frame = played if len(played) else boxes
            frames.append(day_frame)
        frame = concat_frames(frames, t.NBAC_PLAYER_BOXSCORES)
        if len(frame):
            bad = (frame[["fga", "fgm", "pts"]].apply(pd.to_numeric, errors="coerce") < 0).any(axis=1)
            bad |= frame["player_status"].eq("active") & (
                pd.to_numeric(frame["fgm"], errors="coerce") > pd.to_numeric(frame["fga"], errors="coerce")
            )
            rejected = frame[bad][["game_id", "player_name"]].astype(str).to_dict("records")
            frame = frame[~bad].copy()
            away = frame["team_tricode"].where(~frame["is_home"].astype(bool), frame["opponent_tricode"])
            home = frame["team_tricode"].where(frame["is_home"].astype(bool), frame["opponent_tricode"])
            frame["internal_game_id"] = [
                internal_game_id(pd.Timestamp(d).date(), a, h) for d, a, h in zip(frame["game_date"], away, home)
            ]
            frame["season_year"] = [season_year(pd.Timestamp(d).date()) for d in frame["game_date"]]
            frame["reb"] = frame["reb"].fillna(
                pd.to_numeric(frame["oreb"], errors="coerce") + pd.to_numeric(frame["dreb"], errors="coerce")
            )
        finals = final_games(warehouse, *span(dates))
        coverage = coverage_results(t.NBAC_PLAYER_BOXSCORES, frame, finals, dates, clock.today_et())
        by_date = ByDate(frame)
        return TableOutput(
            frame,
            lambda d: [coverage[d], minutes_coverage_result(t.NBAC_PLAYER_BOXSCORES, by_date[d])],
            keep=zero_row_dates(t.NBAC_PLAYER_BOXSCORES, frame, finals, dates),
            metadata={
                "rows_rejected": len(rejected),
                "rejected": dg.MetadataValue.json(rejected[:50]),
                "dnp_rows": int((frame["player_status"] != "active").sum()) if len(frame) else 0,
            },
        )

    yield from write_table(context, warehouse, t.NBAC_PLAYER_BOXSCORES, compute)


@table_asset(
    t.NBAC_TEAM_BOXSCORE,
    group=keys.PHASE2,
    deps=[keys.SCRAPED_TEAM_BOXSCORES, keys.RAW_SCHEDULE],
    automation_condition=automation.RAW_ON_SCRAPE,
    checks=[
        check_spec(
            t.NBAC_TEAM_BOXSCORE,
            CHECK_FINAL_GAMES_COVERED,
            "Every final game has both team rows. Not blocking: team totals are reconstructed "
            "from players when this source has nothing.",
            blocking=False,
        )
    ],
)
def nbac_team_boxscore(
    context: dg.AssetExecutionContext, nba_source: src.NbaSource, archive: BlobStore, warehouse: Warehouse, clock: Clock
):
    """Team totals of the date's final games from boxscoretraditionalv3. Grain: team x game."""

    def compute(dates: list[dt.date]) -> TableOutput:
        frame = records_archived(
            archive,
            nba_source,
            src.BOXSCORE_TRADITIONAL,
            dates,
            t.NBAC_TEAM_BOXSCORE,
            lambda body, day, f: boxscore_v3_records(body, day, f.path)[0],
            latest_only=True,
            dedupe=False,
        )
        dropped = 0
        if len(frame):
            # Legacy handoff 302: an in-progress team with 0 points or 0 FGA is dropped alone.
            ok = (pd.to_numeric(frame["pts"], errors="coerce") > 0) & (pd.to_numeric(frame["fga"], errors="coerce") > 0)
            dropped = int((~ok).sum())
            frame = frame[ok]
        finals = final_games(warehouse, *span(dates))
        coverage = coverage_results(t.NBAC_TEAM_BOXSCORE, frame, finals, dates, clock.today_et())
        by_date = ByDate(frame)

        def checks(day):
            result = coverage[day]
            if result.passed and len(by_date[day]) and not by_date[day].groupby("game_id").size().eq(2).all():
                result = result._replace(passed=False, description="a game has only one team row")
            return [result]

        return TableOutput(
            frame,
            checks,
            metadata={
                "rows_dropped_invalid": dropped,
                "source_enabled": nba_source.is_enabled(src.BOXSCORE_TRADITIONAL),
            },
        )

    yield from write_table(context, warehouse, t.NBAC_TEAM_BOXSCORE, compute)


@table_asset(
    t.ODDS_PLAYER_PROPS,
    group=keys.PHASE2,
    deps=[keys.SCRAPED_ODDS_PLAYER_PROPS],
    automation_condition=automation.RAW_ON_SCRAPE,
)
def odds_api_player_props(
    context: dg.AssetExecutionContext, nba_source: src.NbaSource, archive: BlobStore, warehouse: Warehouse
):
    """Every archived player-prop snapshot of the date in every registered market (a time series: all
    snapshots are kept, including in-game ones, which readers must exclude). Grain: snapshot x event
    x book x market x player."""

    def compute(dates: list[dt.date]) -> TableOutput:
        frame = records_archived(
            archive,
            nba_source,
            src.ODDS_PLAYER_PROPS,
            dates,
            t.ODDS_PLAYER_PROPS,
            lambda body, day, f: player_props_records(body, day, f.path, f.fetched_at),
        )
        in_game = int((frame["minutes_before_tipoff"] < 0).sum()) if len(frame) else 0
        return TableOutput(
            frame,
            metadata={
                "snapshots": int(frame["snapshot_timestamp"].nunique()) if len(frame) else 0,
                "players": int(frame["player_lookup"].nunique()) if len(frame) else 0,
                "rows_by_market": dg.MetadataValue.json(
                    {str(k): int(v) for k, v in frame["market"].value_counts().sort_index().items()}
                    if len(frame)
                    else {}
                ),
                "in_game_rows": in_game,
            },
        )

    yield from write_table(context, warehouse, t.ODDS_PLAYER_PROPS, compute)


@table_asset(
    t.ODDS_GAME_LINES,
    group=keys.PHASE2,
    deps=[keys.SCRAPED_ODDS_GAME_LINES],
    automation_condition=automation.RAW_ON_SCRAPE,
)
def odds_api_game_lines(
    context: dg.AssetExecutionContext, nba_source: src.NbaSource, archive: BlobStore, warehouse: Warehouse
):
    """Every archived spreads/totals snapshot of the date. Grain: snapshot x event x book x outcome."""

    def compute(dates: list[dt.date]) -> TableOutput:
        return TableOutput(
            records_archived(
                archive,
                nba_source,
                src.ODDS_GAME_LINES,
                dates,
                t.ODDS_GAME_LINES,
                lambda body, day, f: game_lines_records(body, day, f.path, f.fetched_at),
            )
        )

    yield from write_table(context, warehouse, t.ODDS_GAME_LINES, compute)


@table_asset(
    t.TEAM_ROSTERS, group=keys.PHASE2, deps=[keys.SCRAPED_ROSTERS], automation_condition=automation.RAW_ON_SCRAPE
)
def team_rosters(
    context: dg.AssetExecutionContext, nba_source: src.NbaSource, archive: BlobStore, warehouse: Warehouse
):
    """Rosters of the teams playing on the date, from the latest scrape per team. Grain: team x player."""

    def compute(dates: list[dt.date]) -> TableOutput:
        frame = parse_archived(
            archive,
            nba_source,
            src.TEAM_ROSTER,
            dates,
            t.TEAM_ROSTERS,
            lambda body, day, f: parse_common_team_roster(body, day, f.path),
            latest_only=True,
        )
        return TableOutput(frame, metadata={"source_enabled": nba_source.is_enabled(src.TEAM_ROSTER)})

    yield from write_table(context, warehouse, t.TEAM_ROSTERS, compute)


@table_asset(
    t.NBAC_INJURY_REPORT,
    group=keys.PHASE2,
    deps=[keys.SCRAPED_INJURY_REPORT],
    automation_condition=automation.RAW_ON_SCRAPE,
    checks=[
        check_spec(
            t.NBAC_INJURY_REPORT,
            CHECK_INJURY_REPORTS_READABLE,
            "Every archived injury report of the date parses. One that does not is left out and the "
            "newest report that parses stays in force; fails while the newest archived report is "
            "unreadable (naming file, page and field), a warning once a newer report parsed.",
        )
    ],
)
def nbac_injury_report(
    context: dg.AssetExecutionContext, nba_source: src.NbaSource, archive: BlobStore, warehouse: Warehouse
):
    """Rows of every injury report published for the date (consumers pick the latest report
    published before the moment they describe). Grain: report x player."""

    def compute(dates: list[dt.date]) -> TableOutput:
        frames, reports = [], {}
        for day in dates:
            reports[day] = []
            for f in list_archived(archive, nba_source.source_name, src.INJURY_REPORT, day, latest_only=False):
                uri = archive.uri(f.path)
                try:
                    text = injury_report_text(
                        read_archived(archive, f.path, day), day, uri, source=nba_source.source_name
                    )
                    rows = parse_injury_report(text, day, uri, f.name, source=nba_source.source_name)
                except PayloadError as exc:
                    # The file stays archived as it came; the report is left out (the previous one
                    # stays in force) and the date's check names the file, page and field.
                    context.log.error(str(exc))
                    reports[day].append((f, exc))
                    continue
                frames.append(rows.assign(source_file=f.path))
                reports[day].append((f, None))
        frame = concat_frames(frames, t.NBAC_INJURY_REPORT)
        if len(frame):
            frame = frame.drop_duplicates(list(t.NBAC_INJURY_REPORT.primary_key), keep="last")
        verdicts = {day: injury_reports_verdict(day, files) for day, files in reports.items()}
        # No archived report of the date parses: its rows are not replaced by nothing.
        keep = {
            day: verdicts[day][1].description
            for day, files in reports.items()
            if files and all(err is not None for _, err in files)
        }
        return TableOutput(
            frame,
            lambda d: [verdicts[d][1]],
            keep=keep,
            metadata={
                "reports": int(frame["report_name"].nunique()) if len(frame) else 0,
                "unreadable_reports": sum(err is not None for files in reports.values() for _, err in files),
                "report_in_force": dg.MetadataValue.json({str(d): v[0] for d, v in sorted(verdicts.items())}),
            },
        )

    yield from write_table(context, warehouse, t.NBAC_INJURY_REPORT, compute)


RAW_ASSETS = [
    nbac_schedule,
    nbac_player_boxscores,
    nbac_team_boxscore,
    odds_api_player_props,
    odds_api_game_lines,
    team_rosters,
    nbac_injury_report,
]
