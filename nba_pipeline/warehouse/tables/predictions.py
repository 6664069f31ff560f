"""Phase 5 and grading tables (nba_predictions): models, predictions, graded predictions, system performance."""

from __future__ import annotations

from nba_pipeline.warehouse.spec import TableSpec
from nba_pipeline.warehouse.tables.types import TS, B, D, F, I, S  # noqa: E741

POINTS_MODEL = TableSpec(
    "nba_predictions",
    "points_model",
    {
        "game_date": D,
        "system_id": S,
        "market": S,
        "model_id": S,
        "status": S,
        "cutoff_date": D,
        "train_start": D,
        "train_end": D,
        "train_rows": I,
        "train_days": I,
        "feature_count": I,
        "artifact_path": S,
        "artifact_sha256": S,
        "train_mae": F,
        "params_json": S,
        "calibration_json": S,
        "trained_at": TS,
    },
    primary_key=("game_date", "system_id", "market"),
    description="The model of each trainable prediction system serving each game date in each prop market "
    "it serves: the weekly model whose cutoff is the Monday on or before the date, trained only on rows "
    "before the cutoff. status = trained | insufficient_training_data. market NULL on rows written "
    "before markets: player_points.",
)

PLAYER_PROP_PREDICTIONS = TableSpec(
    "nba_predictions",
    "player_prop_predictions",
    {
        "game_date": D,
        "prediction_id": S,
        "system_id": S,
        "market": S,
        "game_id": S,
        "player_id": I,
        "player_lookup": S,
        "player_name": S,
        "team_tricode": S,
        "opponent_tricode": S,
        "is_home": B,
        "predicted_points": F,
        "confidence_score": F,
        "recommendation": S,
        "edge": F,
        "p_over": F,
        "expected_value": F,
        "current_points_line": F,
        "consensus_points_line": F,
        "line_over_price": I,
        "line_under_price": I,
        "line_bookmaker": S,
        # The priority book's quote the row was built on; the line above is the one bet, the best
        # price over the books for a system that states its error width (domain/best_price.py).
        "priority_points_line": F,
        "priority_bookmaker": S,
        "priority_over_price": I,
        "priority_under_price": I,
        "line_source": S,
        "line_snapshot_at": TS,
        "line_minutes_before_game": I,
        "model_id": S,
        "model_sha256": S,
        "feature_quality_score": F,
        "injury_status_at_prediction": S,
        "is_actionable": B,
        "filter_reason": S,
        "is_active": B,
        "superseded_by": S,
        "superseded_at": TS,
        "created_at": TS,
    },
    primary_key=("game_date", "prediction_id"),
    description="Predictions per (game, player, system, prop market), players with a pre-tip line. Exactly "
    "one active row per (game, player, system, market); earlier versions stay, inactive. predicted_points "
    "and the line columns are in the market's units (the legacy names, kept for the readers of the points "
    "table); market NULL on rows written before markets: player_points.",
)

# --- Grading ---------------------------------------------------------------------------------------

PREDICTION_ACCURACY = TableSpec(
    "nba_predictions",
    "prediction_accuracy",
    {
        "game_date": D,
        "prediction_id": S,
        "system_id": S,
        "market": S,
        "game_id": S,
        "player_id": I,
        "player_lookup": S,
        "player_name": S,
        "team_tricode": S,
        "opponent_tricode": S,
        "predicted_points": F,
        "line_value": F,
        "consensus_line": F,
        "over_price": I,
        "under_price": I,
        "p_over": F,
        "expected_value": F,
        "line_bookmaker": S,
        # The priority book's quote of the same player (the pick at it: ROI at the priority book).
        "priority_line": F,
        "priority_over_price": I,
        "priority_under_price": I,
        "priority_bookmaker": S,
        "recommendation": S,
        "confidence_score": F,
        "actual_points": F,
        "minutes_played": F,
        "absolute_error": F,
        "signed_error": F,
        "within_3_points": B,
        "within_5_points": B,
        "predicted_margin": F,
        "actual_margin": F,
        "edge_abs": F,
        "edge_bucket": S,
        "prediction_correct": B,
        "is_push": B,
        "is_voided": B,
        "void_reason": S,
        "model_id": S,
        "feature_quality_score": F,
        "graded_at": TS,
        # Closing-line value (domain/clv.py): the quote the pick was first published with, and the
        # same book's last pre-tip quote for the player.
        "published_at": TS,
        "published_line": F,
        "published_over_price": I,
        "published_under_price": I,
        "published_bookmaker": S,
        "closing_line": F,
        "closing_over_price": I,
        "closing_under_price": I,
        "closing_snapshot_at": TS,
        "clv_points": F,
        "clv_probability": F,
    },
    primary_key=("game_date", "prediction_id"),
    description="Each active prediction of a final game, graded in its market (actual_points: the settled "
    "stat, e.g. rebounds, or points + rebounds + assists): error, win/loss against the line, push "
    "when actual == line, voided when the player did not play; the same book's closing quote and the "
    "pick's closing-line value in points and in no-vig probability.",
)


def _performance_columns() -> dict[str, str]:
    cols = {"game_date": D, "system_id": S, "market": S}
    for w in (7, 14, 30):
        cols.update(
            {f"picks_{w}d": I, f"wins_{w}d": I, f"hit_rate_{w}d": F, f"mae_{w}d": F, f"bias_{w}d": F, f"graded_{w}d": I}
        )
    cols["state"] = S
    # The walk-forward record (domain/records.py): tonight's export publishes by it.
    cols.update(
        {
            "record_picks": I,
            "record_first_date": D,
            "record_win_rate": F,
            "record_roi": F,
            "record_roi_low": F,
            "record_roi_high": F,
            "is_proven": B,
        }
    )
    return cols


MODEL_PERFORMANCE_DAILY = TableSpec(
    "nba_predictions",
    "model_performance_daily",
    _performance_columns(),
    primary_key=("game_date", "system_id", "market"),
    description="Per system, prop market and date (market NULL on rows written before markets: "
    "player_points): hit rate of its picks over the last 7/14/30 days with counts, MAE, "
    "bias, and HEALTHY / WATCH / DEGRADING / BLOCKED (INSUFFICIENT_DATA below 5 picks); the record of its "
    "last 500 decided picks (ROI at the prices taken with its interval) and whether it is proven.",
)

PHASE5_TABLES = (POINTS_MODEL, PLAYER_PROP_PREDICTIONS)
GRADING_TABLES = (PREDICTION_ACCURACY, MODEL_PERFORMANCE_DAILY)
