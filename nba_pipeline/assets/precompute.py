"""Phase 4: precompute and the feature store, for the upcoming game date.

Everything for date D uses games strictly before D: history reads end at D - 1 and the lookups
are "latest state strictly before D" (domain/history.py).
"""

import datetime as dt

import dagster as dg
import pandas as pd

from nba_pipeline import automation, keys
from nba_pipeline.assets.definition import check_spec, table_asset
from nba_pipeline.calendar import HISTORY_DAYS, span
from nba_pipeline.checks.names import CHECK_PRE_TIP_LINES_ONLY
from nba_pipeline.domain import precompute as pc
from nba_pipeline.domain.analytics import closing_lines
from nba_pipeline.domain.analytics.lines import points_quotes
from nba_pipeline.domain.features import UNAVAILABLE, build_feature_store
from nba_pipeline.execution.frames import ByDate, or_empty
from nba_pipeline.execution.tables import TableOutput, write_table
from nba_pipeline.warehouse import tables as t
from nba_pipeline.warehouse.base import Warehouse

CHECK_ALL_TEAMS_PLAYING = "every_team_playing_has_a_row"
CHECK_ONE_ROW_PER_EXPECTED_PLAYER = "one_row_per_expected_player"
CHECK_QUALITY_SCORE_RANGE = "quality_score_in_range"


@table_asset(
    t.TEAM_DEFENSE_ZONE,
    group=keys.PHASE4,
    deps=[keys.RAW_SCHEDULE, keys.TEAM_DEFENSE],
    automation_condition=automation.PRECOMPUTE_ON_ANALYTICS,
    checks=[check_spec(t.TEAM_DEFENSE_ZONE, CHECK_ALL_TEAMS_PLAYING, "One row per team playing on the date.")],
)
def team_defense_zone_analysis(context: dg.AssetExecutionContext, warehouse: Warehouse):
    """Team defense over the last 15 games before the date: defensive rating, opponent points and
    possessions, three- and two-point percentages allowed vs the league's prior 30 days. Paint and
    mid-range need play-by-play and stay NULL. Grain: team x analysis date (teams playing)."""

    def compute(game_dates: list[dt.date]) -> TableOutput:
        first, last = span(game_dates)
        schedule = ByDate(warehouse.read(t.NBAC_SCHEDULE, first, last))
        teams = {d: set(schedule[d]["home_team_tricode"]) | set(schedule[d]["away_team_tricode"]) for d in game_dates}
        frame = pc.team_defense_zone_analysis(game_dates, teams, warehouse.read_history(t.TEAM_DEFENSE, game_dates))
        by_date = ByDate(frame)
        return TableOutput(
            frame,
            lambda d: [
                dg.AssetCheckResult(
                    check_name=CHECK_ALL_TEAMS_PLAYING,
                    passed=len(by_date[d]) == len(teams[d]),
                    metadata={"teams_playing": len(teams[d]), "rows": len(by_date[d])},
                )
            ],
        )

    yield from write_table(context, warehouse, t.TEAM_DEFENSE_ZONE, compute)


@table_asset(
    t.PLAYER_SHOT_ZONE,
    group=keys.PHASE4,
    deps=[keys.UPCOMING_PLAYER_CONTEXT, keys.PLAYER_GAME_SUMMARY],
    automation_condition=automation.PRECOMPUTE_ON_ANALYTICS,
)
def player_shot_zone_analysis(context: dg.AssetExecutionContext, warehouse: Warehouse):
    """Shot profile of each expected player over his last 10 and 20 games before the date:
    three-point and two-point attempt shares and percentages, free-throw rate, primary zone
    (perimeter / interior / balanced). Grain: player x analysis date."""

    def compute(game_dates: list[dt.date]) -> TableOutput:
        first, last = span(game_dates)
        frame = pc.player_shot_zone_analysis(
            warehouse.read(t.UPCOMING_PLAYER_CONTEXT, first, last),
            warehouse.read_history(t.PLAYER_GAME_SUMMARY, game_dates),
        )
        return TableOutput(
            frame, metadata={"unavailable_columns": "paint_rate_last_10, mid_range_rate_last_10 (need play-by-play)"}
        )

    yield from write_table(context, warehouse, t.PLAYER_SHOT_ZONE, compute)


@table_asset(
    t.PLAYER_DAILY_CACHE,
    group=keys.PHASE4,
    deps=[keys.UPCOMING_PLAYER_CONTEXT, keys.PLAYER_SHOT_ZONE, keys.PLAYER_GAME_SUMMARY, keys.TEAM_OFFENSE],
    automation_condition=automation.PRECOMPUTE_ON_ANALYTICS,
)
def player_daily_cache(context: dg.AssetExecutionContext, warehouse: Warehouse):
    """Per expected player: points over the last 3/5/10 played games and the season, std, minutes,
    usage, TS%, points per minute, team pace and offensive rating over its last 10, fatigue counts.
    Windows end before the date. Grain: player x cache date."""

    def compute(game_dates: list[dt.date]) -> TableOutput:
        first, last = span(game_dates)
        return TableOutput(
            pc.player_daily_cache(
                warehouse.read(t.UPCOMING_PLAYER_CONTEXT, first, last),
                warehouse.read_history(t.PLAYER_GAME_SUMMARY, game_dates),
                warehouse.read_history(t.TEAM_OFFENSE, game_dates),
                warehouse.read(t.TEAM_ROSTERS, first - dt.timedelta(days=HISTORY_DAYS), last),
                warehouse.read(t.PLAYER_SHOT_ZONE, first, last),
            )
        )

    yield from write_table(context, warehouse, t.PLAYER_DAILY_CACHE, compute)


@table_asset(
    t.PLAYER_COMPOSITE_FACTORS,
    group=keys.PHASE4,
    deps=[
        keys.UPCOMING_PLAYER_CONTEXT,
        keys.UPCOMING_TEAM_CONTEXT,
        keys.PLAYER_SHOT_ZONE,
        keys.TEAM_DEFENSE_ZONE,
        keys.PLAYER_DAILY_CACHE,
    ],
    automation_condition=automation.PRECOMPUTE_ON_ANALYTICS,
)
def player_composite_factors(context: dg.AssetExecutionContext, warehouse: Warehouse):
    """Legacy composite factors per expected player: fatigue score (0-100), shot-zone mismatch
    (+-10, two measurable zones), pace score (+-3), usage spike (+-3). Grain: player x game date."""

    def compute(game_dates: list[dt.date]) -> TableOutput:
        first, last = span(game_dates)
        return TableOutput(
            pc.player_composite_factors(
                warehouse.read(t.UPCOMING_PLAYER_CONTEXT, first, last),
                warehouse.read(t.PLAYER_DAILY_CACHE, first, last),
                warehouse.read(t.PLAYER_SHOT_ZONE, first, last),
                warehouse.read(t.TEAM_DEFENSE_ZONE, first, last),
            )
        )

    yield from write_table(context, warehouse, t.PLAYER_COMPOSITE_FACTORS, compute)


@table_asset(
    t.ML_FEATURE_STORE,
    group=keys.PHASE4,
    deps=[
        keys.PLAYER_DAILY_CACHE,
        keys.PLAYER_COMPOSITE_FACTORS,
        keys.PLAYER_SHOT_ZONE,
        keys.TEAM_DEFENSE_ZONE,
        keys.UPCOMING_PLAYER_CONTEXT,
        keys.UPCOMING_TEAM_CONTEXT,
        keys.PLAYER_GAME_SUMMARY,
        keys.RAW_ODDS_PLAYER_PROPS,
    ],
    automation_condition=automation.FEATURES_ON_PRECOMPUTE,
    checks=[
        check_spec(
            t.ML_FEATURE_STORE,
            CHECK_ONE_ROW_PER_EXPECTED_PLAYER,
            "Exactly one feature row per expected player of the date.",
        ),
        check_spec(t.ML_FEATURE_STORE, CHECK_QUALITY_SCORE_RANGE, "feature_quality_score within [0, 100]."),
        check_spec(
            t.ML_FEATURE_STORE,
            CHECK_PRE_TIP_LINES_ONLY,
            "Line features come from snapshots taken before tip-off (incident 29).",
        ),
    ],
)
def ml_feature_store_v2(context: dg.AssetExecutionContext, warehouse: Warehouse):
    """The feature store: one row per expected player per upcoming game with every feature
    (value, quality, source), the quality score and tier and is_quality_ready. Features our sources
    cannot give are NULL with source 'missing'. Grain: player x game date."""

    def compute(game_dates: list[dt.date]) -> TableOutput:
        first, last = span(game_dates)
        players = warehouse.read(t.UPCOMING_PLAYER_CONTEXT, first, last)
        odds = points_quotes(warehouse.read(t.ODDS_PLAYER_PROPS, first, last))
        frame = or_empty(
            t.ML_FEATURE_STORE,
            build_feature_store(
                players,
                *(
                    warehouse.read(spec, first, last)
                    for spec in (
                        t.PLAYER_DAILY_CACHE,
                        t.PLAYER_COMPOSITE_FACTORS,
                        t.PLAYER_SHOT_ZONE,
                        t.TEAM_DEFENSE_ZONE,
                        t.UPCOMING_TEAM_CONTEXT,
                    )
                ),
                warehouse.read_history(t.PLAYER_GAME_SUMMARY, game_dates),
                closing_lines(odds)[["game_date", "player_lookup", "line_std"]]
                if len(odds)
                else pd.DataFrame(columns=["game_date", "player_lookup", "line_std"]),
            ),
        )
        by_date, expected_by = ByDate(frame), ByDate(players.drop_duplicates(["game_date", "player_id"]))

        def checks(game_date):
            f = by_date[game_date]
            score = pd.to_numeric(f["feature_quality_score"], errors="coerce")
            with_line = f[f["current_points_line"].notna()]
            post_tip = int((pd.to_numeric(with_line["line_minutes_before_tipoff"], errors="coerce") < 0).sum())
            return [
                dg.AssetCheckResult(
                    check_name=CHECK_ONE_ROW_PER_EXPECTED_PLAYER,
                    passed=len(f) == len(expected_by[game_date]),
                    metadata={"expected_players": len(expected_by[game_date]), "rows": len(f)},
                ),
                dg.AssetCheckResult(
                    check_name=CHECK_QUALITY_SCORE_RANGE,
                    passed=bool(((score >= 0) & (score <= 100)).all()),
                    metadata={
                        "min": float(score.min()) if len(score) else 0.0,
                        "max": float(score.max()) if len(score) else 0.0,
                    },
                ),
                dg.AssetCheckResult(
                    check_name=CHECK_PRE_TIP_LINES_ONLY,
                    passed=post_tip == 0,
                    metadata={"rows_with_line": len(with_line), "post_tip_lines": post_tip},
                ),
            ]

        score = pd.to_numeric(frame["feature_quality_score"], errors="coerce") if len(frame) else pd.Series(dtype=float)
        return TableOutput(
            frame,
            checks,
            metadata={
                "quality_ready": int(frame["is_quality_ready"].sum()) if len(frame) else 0,
                "with_line": int(frame["current_points_line"].notna().sum()) if len(frame) else 0,
                "mean_quality_score": round(float(score.mean()), 2) if len(score) else 0.0,
                "unavailable_features": ", ".join(f"{f.index} {f.name}" for f in UNAVAILABLE),
            },
        )

    yield from write_table(context, warehouse, t.ML_FEATURE_STORE, compute)


PRECOMPUTE_ASSETS = [
    team_defense_zone_analysis,
    player_shot_zone_analysis,
    player_daily_cache,
    player_composite_factors,
    ml_feature_store_v2,
]
