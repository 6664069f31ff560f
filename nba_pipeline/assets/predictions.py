"""Phase 5: the walk-forward models of the prediction systems and the predictions they serve."""

import datetime as dt

import dagster as dg
import pandas as pd

from nba_pipeline import automation, keys
from nba_pipeline.assets.definition import check_spec, table_asset
from nba_pipeline.calendar import span
from nba_pipeline.domain import systems
from nba_pipeline.domain.model import model_rows, train_models, training_summary, training_window
from nba_pipeline.domain.predictions import (
    active_predictions,
    build_predictions,
    of_dates,
    prediction_faults,
    recommendation_counts,
    supersede,
)
from nba_pipeline.execution.frames import ByDate, or_empty
from nba_pipeline.execution.tables import TableOutput, write_table
from nba_pipeline.markets import SUMMARY_COLUMNS
from nba_pipeline.resources import Clock
from nba_pipeline.storage import BlobStore
from nba_pipeline.warehouse import tables as t
from nba_pipeline.warehouse.base import Warehouse

CHECK_ONE_ACTIVE_PER_KEY = "one_active_prediction_per_game_player_system"
CHECK_PRE_TIP_LINE = "prediction_lines_pre_tip"
CHECK_RECOMMENDATION_AGREES = "recommendation_agrees_with_edge"
# Each check passes when its count of prediction_faults is 0.
_FAULT_CHECKS = (
    (CHECK_ONE_ACTIVE_PER_KEY, "duplicate_active"),
    (CHECK_PRE_TIP_LINE, "post_tip_lines"),
    (CHECK_RECOMMENDATION_AGREES, "disagreeing"),
)
# What a market's training rows and grading read of a played game: its stats under the summary's names.
_SETTLEMENT_COLUMNS = ["game_date", "player_id", "player_lookup", "minutes", "is_dnp", *SUMMARY_COLUMNS.values()]
_TRAINING_LINE_COLUMNS = ["game_date", "market", "player_lookup", "line", "consensus_line"]


@table_asset(
    t.POINTS_MODEL,
    group=keys.PHASE5,
    deps=[keys.ML_FEATURE_STORE, keys.PLAYER_GAME_SUMMARY, keys.PLAYER_PROP_LINES],
    automation_condition=automation.MODEL_ON_HISTORY,
)
def points_model(context: dg.AssetExecutionContext, warehouse: Warehouse, model_store: BlobStore, clock: Clock):
    """The model of every trainable prediction system (``domain/systems/``) serving each game date in
    each prop market it serves (``markets.py``). Walk-forward and weekly: date D is served by the
    model with cutoff = the Monday on or before D, trained on rows dated in [cutoff - 365 days,
    cutoff) with their settled stat: points from the feature store, each system filtering further
    (catboost_points_v1: no required defaults, quality >= 70, played; line_anchored_v1: rows with a
    line); the other markets from their pre-tip lines (``player_prop_lines``). The artifact is stored
    in the model store under the system, its market, its cutoff and the hash of its training data, so
    re-runs reuse it. Grain: game date x system x market."""

    def compute(game_dates: list[dt.date]) -> TableOutput:
        first, last = training_window(game_dates)
        models = train_models(
            game_dates,
            warehouse.read(t.ML_FEATURE_STORE, first, last),
            warehouse.read(t.PLAYER_GAME_SUMMARY, first, last, columns=_SETTLEMENT_COLUMNS),
            model_store,
            clock.now(),
            prop_lines=warehouse.read(t.PLAYER_PROP_LINES, first, last, columns=_TRAINING_LINE_COLUMNS),
        )
        summary = training_summary(models)
        return TableOutput(
            model_rows(game_dates, models), metadata={**summary, "models": dg.MetadataValue.json(summary["models"])}
        )

    yield from write_table(context, warehouse, t.POINTS_MODEL, compute)


class PredictionConfig(dg.Config):
    edge_threshold: float = systems.DEFAULT_EDGE_THRESHOLD


@table_asset(
    t.PLAYER_PROP_PREDICTIONS,
    group=keys.PHASE5,
    deps=[keys.ML_FEATURE_STORE, keys.POINTS_MODEL, keys.RAW_ODDS_PLAYER_PROPS, keys.PLAYER_PROP_LINES],
    automation_condition=automation.PREDICTIONS_ON_FEATURES,
    checks=[
        check_spec(
            t.PLAYER_PROP_PREDICTIONS,
            CHECK_ONE_ACTIVE_PER_KEY,
            "Exactly one active row per (game, player, system, market) (legacy incident 33).",
        ),
        check_spec(t.PLAYER_PROP_PREDICTIONS, CHECK_PRE_TIP_LINE, "Every line used was quoted before tip-off."),
        check_spec(
            t.PLAYER_PROP_PREDICTIONS,
            CHECK_RECOMMENDATION_AGREES,
            "OVER only with a positive edge, UNDER only with a negative one.",
        ),
    ],
)
def player_prop_predictions(
    context: dg.AssetExecutionContext,
    config: PredictionConfig,
    warehouse: Warehouse,
    model_store: BlobStore,
    clock: Clock,
):
    """The predictions of every registered prediction system (``domain/systems/``) in every prop
    market it serves (``markets.py``: points by every system, the other markets by the line-based
    ones) for the players it is eligible for (always: a pre-tip line and not OUT/DOUBTFUL), from the
    model serving the date. ``predicted_points`` and the line columns are in the market's units.
    The line is the latest pre-tip snapshot (DraftKings > FanDuel > others), except for a system that
    states its error width: it bets the quote with the highest expected value over every book's
    consistent quotes known at that snapshot (domain/best_price.py); edge = prediction - line;
    each system's rule recommends OVER/UNDER/PASS (the edge rule at |edge| >= the threshold, 3 by
    default); legacy confidence. Re-runs keep unchanged rows; changed predictions supersede the old
    row. Grain: prediction (game x player x system x market x version), one active per (game, player,
    system, market)."""

    def compute(game_dates: list[dt.date]) -> TableOutput:
        first, last = span(game_dates)
        new = build_predictions(
            warehouse.read(t.ML_FEATURE_STORE, first, last),
            warehouse.read(t.POINTS_MODEL, first, last),
            model_store,
            config.edge_threshold,
            odds=warehouse.read(t.ODDS_PLAYER_PROPS, first, last),
            prop_lines=warehouse.read(t.PLAYER_PROP_LINES, first, last),
        )
        existing = of_dates(warehouse.read(t.PLAYER_PROP_PREDICTIONS, first, last), game_dates)
        frame = or_empty(t.PLAYER_PROP_PREDICTIONS, supersede(existing, new, pd.Timestamp(clock.now())))
        active = active_predictions(frame)
        active_by = ByDate(active)

        def checks(game_date):
            faults = prediction_faults(active_by[game_date])
            return [
                dg.AssetCheckResult(check_name=name, passed=faults[fault] == 0, metadata={fault: faults[fault]})
                for name, fault in _FAULT_CHECKS
            ]

        return TableOutput(
            frame,
            checks,
            metadata={
                "active_predictions": len(active),
                "recommendations": dg.MetadataValue.json(recommendation_counts(active)),
                "edge_threshold": config.edge_threshold,
            },
        )

    yield from write_table(context, warehouse, t.PLAYER_PROP_PREDICTIONS, compute)


PREDICTION_ASSETS = [points_model, player_prop_predictions]
