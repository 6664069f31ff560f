"""Phase 6: JSON for the website, one file per game date and export type.

Written to the ``exports`` store: a folder under the home directory locally, a GCS bucket prefix
in production. Each export is its own asset (legacy incident 19: one slow exporter must not starve
the others).
"""

import datetime as dt
import hashlib
from collections.abc import Callable

import dagster as dg

from nba_pipeline import automation, keys
from nba_pipeline.assets.definition import BACKFILL_POLICY, check_spec, inputs_ready_spec
from nba_pipeline.calendar import span
from nba_pipeline.domain.exports import TonightInputs, predictions_doc, results_doc, tonight_doc
from nba_pipeline.domain.predictions import active_predictions
from nba_pipeline.domain.records import RECORD_LOOKBACK_DAYS, latest_records
from nba_pipeline.environment import code_identity
from nba_pipeline.execution.frames import ByDate
from nba_pipeline.execution.recording import inputs_ready_result, record_dates
from nba_pipeline.execution.tables import unready_dates
from nba_pipeline.partitions import GAME_DATE_PARTITIONS, context_dates
from nba_pipeline.resources import Clock
from nba_pipeline.storage import BlobStore
from nba_pipeline.warehouse import tables as t
from nba_pipeline.warehouse.base import Warehouse

CHECK_EXPORT_READABLE = "export_json_readable"


def _export_asset(key: dg.AssetKey, deps: list, description: str, condition=automation.EXPORT_ON_TABLES):
    return dg.asset(
        key=key,
        group_name=keys.PHASE6,
        partitions_def=GAME_DATE_PARTITIONS,
        backfill_policy=BACKFILL_POLICY,
        deps=deps,
        automation_condition=condition,
        description=description,
        kinds={"json"},
        check_specs=[
            inputs_ready_spec(key),
            check_spec(key, CHECK_EXPORT_READABLE, "The published file reads back as the JSON we wrote."),
        ],
    )


def _publish(
    context: dg.AssetExecutionContext,
    exports: BlobStore,
    folder: str,
    build: Callable[[list[dt.date]], dict[dt.date, dict]],
):
    """Publish one file per date whose inputs are ready (a date that is not keeps its last file),
    then record each date with its file and checks."""
    game_dates = context_dates(context)
    unready = unready_dates(context, game_dates)
    ready = [d for d in game_dates if d not in unready]
    docs = build(ready) if ready else {}
    per_date, checks = {}, {}
    for game_date in game_dates:
        if game_date in unready:
            per_date[game_date] = {"not_written": f"inputs not ready: {unready[game_date]}"}
            checks[game_date] = [inputs_ready_result(unready[game_date])]
            continue
        doc = docs[game_date]
        ref = exports.put_json(f"{folder}/{game_date.isoformat()}.json", doc)
        readable = hashlib.sha256(exports.get(ref.path)).hexdigest() == ref.sha256
        per_date[game_date] = {
            "path": ref.uri,
            "bytes": ref.bytes,
            "sha256": ref.sha256,
            "records": len(doc.get("games", doc.get("results", []))),
        }
        checks[game_date] = [
            inputs_ready_result(None),
            dg.AssetCheckResult(check_name=CHECK_EXPORT_READABLE, passed=readable, metadata={"path": ref.uri}),
        ]
    yield from record_dates(
        context,
        game_dates,
        per_date_metadata=per_date,
        checks=checks,
        metadata={"files": len(docs), "folder": folder, "code_identity": code_identity()},
    )


@_export_asset(
    keys.EXPORT_TONIGHT,
    deps=[
        keys.RAW_SCHEDULE,
        keys.UPCOMING_PLAYER_CONTEXT,
        keys.PLAYER_DAILY_CACHE,
        keys.PLAYER_COMPOSITE_FACTORS,
        keys.PLAYER_PROP_PREDICTIONS,
        keys.MODEL_PERFORMANCE_DAILY,
    ],
    description="tonight/{date}.json: the date's games with their expected players, injury "
    "status, season and recent form, fatigue, the pre-tip line and, in every prop market, the pick of "
    "that market's published system: market, book, line, price, P(win), expected value and a "
    "quarter-Kelly stake, recommended only while the system's record in the market (as of the day "
    "before) is proven; every system's record in every market it serves, with its interval. Each "
    "market's published system is chosen by those records (domain/records.py). "
    "Grain: one file per game date.",
    condition=automation.TONIGHT_ON_TABLES,
)
def tonight(context: dg.AssetExecutionContext, warehouse: Warehouse, exports: BlobStore, clock: Clock):
    def build(game_dates: list[dt.date]) -> dict[dt.date, dict]:
        first, last = span(game_dates)
        schedule, players, cache, factors, predictions = (
            ByDate(warehouse.read(spec, first, last))
            for spec in (
                t.NBAC_SCHEDULE,
                t.UPCOMING_PLAYER_CONTEXT,
                t.PLAYER_DAILY_CACHE,
                t.PLAYER_COMPOSITE_FACTORS,
                t.PLAYER_PROP_PREDICTIONS,
            )
        )
        # Each date's records as they stood the day before; the season opener reads last season's.
        performance = warehouse.read(t.MODEL_PERFORMANCE_DAILY, first - dt.timedelta(days=RECORD_LOOKBACK_DAYS), last)
        now = clock.now()
        return {
            d: tonight_doc(
                d,
                TonightInputs(
                    schedule[d],
                    players[d],
                    cache[d],
                    factors[d],
                    active_predictions(predictions[d]),
                    latest_records(performance, d),
                ),
                now,
            )
            for d in game_dates
        }

    yield from _publish(context, exports, "tonight", build)


@_export_asset(
    keys.EXPORT_PREDICTIONS,
    deps=[keys.PLAYER_PROP_PREDICTIONS, keys.RAW_SCHEDULE],
    description="predictions/{date}.json: active predictions of every system by game, with "
    "market, book, line, price, edge, recommendation, P(win) and expected value, and OVER/UNDER/PASS counts. "
    "Grain: one file per game date.",
)
def predictions(context: dg.AssetExecutionContext, warehouse: Warehouse, exports: BlobStore, clock: Clock):
    def build(game_dates: list[dt.date]) -> dict[dt.date, dict]:
        first, last = span(game_dates)
        schedule = ByDate(warehouse.read(t.NBAC_SCHEDULE, first, last))
        predictions = ByDate(active_predictions(warehouse.read(t.PLAYER_PROP_PREDICTIONS, first, last)))
        now = clock.now()
        return {d: predictions_doc(d, schedule[d], predictions[d], now) for d in game_dates}

    yield from _publish(context, exports, "predictions", build)


@_export_asset(
    keys.EXPORT_RESULTS,
    deps=[keys.PREDICTION_ACCURACY, keys.MODEL_PERFORMANCE_DAILY],
    description="results/{date}.json: graded predictions of a completed date with a summary per "
    "market and system (win rate, MAE, bias), edge-bucket breakdowns, each result (win/loss/push/"
    "void/pass) and each system's health state per market. Grain: one file per game date.",
)
def results(context: dg.AssetExecutionContext, warehouse: Warehouse, exports: BlobStore, clock: Clock):
    def build(game_dates: list[dt.date]) -> dict[dt.date, dict]:
        first, last = span(game_dates)
        graded = ByDate(warehouse.read(t.PREDICTION_ACCURACY, first, last))
        performance = ByDate(warehouse.read(t.MODEL_PERFORMANCE_DAILY, first, last))
        now = clock.now()
        return {d: results_doc(d, graded[d], performance[d], now) for d in game_dates}

    yield from _publish(context, exports, "results", build)


PUBLISHING_ASSETS = [tonight, predictions, results]
