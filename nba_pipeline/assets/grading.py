"""Grading: yesterday's (any completed date's) predictions against what happened."""

import datetime as dt

import dagster as dg
import pandas as pd

from nba_pipeline import automation, keys
from nba_pipeline.assets.definition import check_spec, table_asset
from nba_pipeline.calendar import span
from nba_pipeline.checks.coverage import final_games
from nba_pipeline.domain import evaluation as ev
from nba_pipeline.domain import grading as gr
from nba_pipeline.domain.clv import graded_with_clv
from nba_pipeline.domain.predictions import active_predictions
from nba_pipeline.domain.records import RECORD_LOOKBACK_DAYS, RULE, records
from nba_pipeline.domain.systems import SERVED
from nba_pipeline.execution.frames import ByDate, or_empty
from nba_pipeline.execution.tables import TableOutput, write_table
from nba_pipeline.resources import Clock
from nba_pipeline.warehouse import tables as t
from nba_pipeline.warehouse.base import Warehouse

CHECK_ALL_FINAL_PREDICTIONS_GRADED = "every_prediction_of_a_final_game_graded"
CHECK_ONE_ROW_PER_SYSTEM = "one_row_per_system"


@table_asset(
    t.PREDICTION_ACCURACY,
    group=keys.GRADING,
    deps=[keys.PLAYER_PROP_PREDICTIONS, keys.PLAYER_GAME_SUMMARY, keys.RAW_SCHEDULE, keys.RAW_ODDS_PLAYER_PROPS],
    automation_condition=automation.GRADING_ON_RESULTS_LINES_OPTIONAL,
    checks=[
        check_spec(
            t.PREDICTION_ACCURACY,
            CHECK_ALL_FINAL_PREDICTIONS_GRADED,
            "Every active prediction of a final game has exactly one graded row.",
        )
    ],
)
def prediction_accuracy(context: dg.AssetExecutionContext, warehouse: Warehouse, clock: Clock):
    """Each active prediction of a final game, graded against the player game summary: absolute and
    signed error, win/loss for OVER/UNDER, push when actual == line (no win/loss), voided when the
    player did not play (reason from the pre-game injury status); the quote each pick was first
    published with, the same book's closing quote and the pick's closing-line value (domain/clv.py).
    Predictions of games not final yet wait: a date with unfinished games grades only what is final.
    Grain: prediction."""

    def compute(game_dates: list[dt.date]) -> TableOutput:
        first, last = span(game_dates)
        versions = warehouse.read(t.PLAYER_PROP_PREDICTIONS, first, last)
        predictions = active_predictions(versions)
        finals = final_games(warehouse, first, last)
        if len(predictions):
            predictions = predictions[predictions["game_id"].isin(set(finals["game_id"]))]
        frame = gr.grade(predictions, warehouse.read(t.PLAYER_GAME_SUMMARY, first, last))
        frame = graded_with_clv(frame, versions, warehouse.read(t.ODDS_PLAYER_PROPS, first, last))
        if len(frame):
            frame["graded_at"] = pd.Timestamp(clock.now())
        frame = or_empty(t.PREDICTION_ACCURACY, frame)
        predictions_by, graded_by = ByDate(predictions), ByDate(frame)

        def checks(game_date):
            missing = set(predictions_by[game_date]["prediction_id"]) - set(graded_by[game_date]["prediction_id"])
            return [
                dg.AssetCheckResult(
                    check_name=CHECK_ALL_FINAL_PREDICTIONS_GRADED,
                    passed=not missing,
                    metadata={"predictions_of_final_games": len(predictions_by[game_date]), "ungraded": len(missing)},
                )
            ]

        return TableOutput(
            frame,
            checks,
            metadata={
                "voided": int(frame["is_voided"].sum()) if len(frame) else 0,
                "decided": int(frame["prediction_correct"].notna().sum()) if len(frame) else 0,
                **_clv_metadata(frame),
            },
        )

    yield from write_table(context, warehouse, t.PREDICTION_ACCURACY, compute)


def _clv_metadata(graded: pd.DataFrame) -> dict:
    """The run's picks with a closing quote: how many, their mean CLV, and how many the market never
    moved on (a pick made from the last snapshot has a CLV of 0 by construction)."""
    with_close = graded[graded["clv_probability"].notna()] if len(graded) else graded
    if with_close.empty:
        return {"picks_with_closing_quote": 0}
    unmoved = (with_close["clv_points"] == 0) & (with_close["clv_probability"].abs() < 1e-9)
    return {
        "picks_with_closing_quote": len(with_close),
        "mean_clv_points": float(with_close["clv_points"].mean()),
        "mean_clv_probability": float(with_close["clv_probability"].mean()),
        "picks_the_market_never_moved_on": int(unmoved.sum()),
    }


@table_asset(
    t.MODEL_PERFORMANCE_DAILY,
    group=keys.GRADING,
    deps=[keys.PREDICTION_ACCURACY],
    automation_condition=automation.GRADING_ON_RESULTS,
    checks=[
        check_spec(
            t.MODEL_PERFORMANCE_DAILY, CHECK_ONE_ROW_PER_SYSTEM, "One row per prediction system and market it serves."
        )
    ],
)
def model_performance_daily(context: dg.AssetExecutionContext, warehouse: Warehouse):
    """Per registered system, prop market it serves and date: hit rate of its picks over the last 7, 14 and 30 days with counts, MAE,
    bias and the decay state (HEALTHY >= 58%, WATCH >= 55%, DEGRADING >= 52.4%, BLOCKED below;
    INSUFFICIENT_DATA under 5 picks in 7 days); and its walk-forward record (domain/records.py): the
    ROI at the prices taken over its last 500 decided picks with a 95 % interval, proven while the
    interval's lower bound is above 0. Grain: system x market x date."""

    def compute(game_dates: list[dt.date]) -> TableOutput:
        first, last = span(game_dates)
        accuracy = warehouse.read(t.PREDICTION_ACCURACY, first - dt.timedelta(days=RECORD_LOOKBACK_DAYS), last)
        frame = gr.daily_performance(game_dates, accuracy, SERVED).merge(
            records(game_dates, accuracy, SERVED), on=["game_date", "system_id", "market"], how="left"
        )
        by_date = ByDate(frame)
        return TableOutput(
            frame,
            metadata={**_evaluation_metadata(accuracy, last), "publishing_rule": RULE},
            checks=lambda d: [
                dg.AssetCheckResult(
                    check_name=CHECK_ONE_ROW_PER_SYSTEM,
                    passed=len(by_date[d]) == len(SERVED),
                    metadata={
                        "systems": len(by_date[d]),
                        "states": dg.MetadataValue.json(
                            {f"{r.system_id}:{r.market}": r.state for r in by_date[d].itertuples()}
                        ),
                    },
                )
            ],
        )

    yield from write_table(context, warehouse, t.MODEL_PERFORMANCE_DAILY, compute)


EVALUATION_WINDOW_DAYS = 30
# The UI's view, not the scorecard of record (that is `nba-pipeline evaluate`, 2,000 resamples).
METADATA_BOOTSTRAP = 500


def _evaluation_metadata(accuracy: pd.DataFrame, last_game_date: dt.date) -> dict:
    """The evaluation of the graded rows of the 30 days ending at the run's last date: the
    reliability diagram of P(over) and the systems against the consensus line, with intervals."""
    if accuracy.empty:
        return {}
    first_excluded = last_game_date - dt.timedelta(days=EVALUATION_WINDOW_DAYS)
    window = accuracy[pd.to_datetime(accuracy["game_date"]) > pd.Timestamp(first_excluded)]
    if window.empty or (~window["is_voided"].astype(bool)).sum() == 0:
        return {}
    try:
        result = ev.evaluate(window, n_boot=METADATA_BOOTSTRAP)
    except ValueError as exc:
        # A graded row the evaluation refuses (it names field, system, date and player) must not
        # stop the performance table itself: the refusal is shown where the chart would be.
        return {"evaluation_refused": str(exc)}
    return {
        "calibration": dg.MetadataValue.md(ev.calibration_chart_markdown(result)),
        "evaluation": dg.MetadataValue.md(
            f"Graded rows {first_excluded + dt.timedelta(days=1)}..{last_game_date}\n\n"
            f"```\n{ev.format_evaluation(result)}\n```"
        ),
        **{
            f"mae_minus_line/{r['system_id']}": float(r["mae_minus_line"])
            for r in result.summary.to_dict("records")
            if not ev.is_consensus(r["system_id"]) and pd.notna(r["mae_minus_line"])
        },
    }


GRADING_ASSETS = [prediction_accuracy, model_performance_daily]
