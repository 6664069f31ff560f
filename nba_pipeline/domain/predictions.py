"""Predictions (player_prop_predictions): every registered system's prediction, in every prop market
it serves, for the rows it is eligible for, with edge, recommendation, expected value, legacy
confidence and a content id; and how a new batch supersedes a date's earlier rows (one active row per
game, player, system and market).

Points rows are the feature store's. A row of another market is the player's feature row (who he
is, his game, his injury status) with that market's pre-tip lines (``player_prop_lines``) in the
line columns: every system reads the same columns whatever the market, and the tables keep their
names (``predicted_points``, ``current_points_line``: in the market's own units).
"""

from __future__ import annotations

import datetime as dt
import uuid

import numpy as np
import pandas as pd

from nba_pipeline.domain.analytics.lines import market_quotes
from nba_pipeline.domain.best_price import shop_best_price, shoppable_quotes, with_fair_lines
from nba_pipeline.domain.betting import OVER, PICK_SIDES, UNDER, expected_value
from nba_pipeline.domain.features import value_column
from nba_pipeline.domain.model import ServedModels
from nba_pipeline.domain.systems import REGISTRY, PredictionSystem, has_pre_tip_line
from nba_pipeline.markets import MARKETS, POINTS, Market, with_market
from nba_pipeline.storage import BlobStore

_STD_L10 = value_column("points_std_last_10")  # the legacy confidence's consistency term
BASE_COLUMNS = [
    "game_date",
    "game_id",
    "player_id",
    "player_lookup",
    "player_name",
    "team_tricode",
    "opponent_tricode",
    "is_home",
    "current_points_line",
    "consensus_points_line",
    "line_over_price",
    "line_under_price",
    "line_bookmaker",
    "line_snapshot_at",
    "line_minutes_before_tipoff",
    "injury_status",
    "feature_quality_score",
    _STD_L10,
]
# Columns the feature store gained later (the consensus and the books' prices): NULL on older rows.
_LATER_COLUMNS = ("consensus_points_line", "line_over_price", "line_under_price")
_ACTIVE_KEY = ["game_id", "player_id", "system_id", "market"]
# A market's pre-tip lines (player_prop_lines) under the feature store's line columns.
_MARKET_LINE_COLUMNS = {
    "line": "current_points_line",
    "consensus_line": "consensus_points_line",
    "over_price": "line_over_price",
    "under_price": "line_under_price",
    "bookmaker": "line_bookmaker",
    "snapshot_timestamp": "line_snapshot_at",
    "minutes_before_tipoff": "line_minutes_before_tipoff",
}


def confidence(quality: pd.Series, std_l10: pd.Series) -> pd.Series:
    """Legacy V8/V9: 75 + quality bonus (>=90: 10, >=80: 7, >=70: 5, else 2) + consistency bonus by
    std L10 (<4: 10, <6: 7, <8: 5, else 2), capped at 100."""
    q = quality.fillna(0)
    qb = np.select([q >= 90, q >= 80, q >= 70], [10, 7, 5], 2)
    s = std_l10.fillna(99)
    cb = np.select([s < 4, s < 6, s < 8], [10, 7, 5], 2)
    return pd.Series(np.minimum(75 + qb + cb, 100), index=quality.index, dtype=float)


def prediction_id(row: dict) -> str:
    """A prediction's id is its content: the same prediction made again has the same id. The quote
    bet is part of it (book, line and both prices) and so is the recommendation: a better price at
    another book, or a price that turns a bet into a pass, is a new version, not the old row."""
    key = "|".join(
        str(row[k])
        for k in (
            "game_date",
            "game_id",
            "player_id",
            "system_id",
            "market",
            "model_id",
            "current_points_line",
            "line_bookmaker",
            "line_over_price",
            "line_under_price",
            "predicted_points",
            "recommendation",
        )
    )
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"nba_pipeline/prediction/{key}"))


def market_rows(features: pd.DataFrame, prop_lines: pd.DataFrame, market: Market) -> pd.DataFrame:
    """The rows a system predicts in ``market``: points, the feature rows; another market, each
    feature row of a player the market quotes, its line columns holding that market's pre-tip lines."""
    if market is POINTS:
        return features
    if prop_lines.empty:
        return features.iloc[0:0]
    lines = prop_lines[prop_lines["market"] == market.key]
    lines = lines.assign(game_date=pd.to_datetime(lines["game_date"]))[
        ["game_date", "player_lookup", *_MARKET_LINE_COLUMNS]
    ]
    people = features.drop(columns=[c for c in _MARKET_LINE_COLUMNS.values() if c in features])
    return people.merge(lines.rename(columns=_MARKET_LINE_COLUMNS), on=["game_date", "player_lookup"], how="inner")


def _system_predictions(
    system: PredictionSystem, rows: pd.DataFrame, served: ServedModels, quotes: pd.DataFrame, market: Market
) -> list[pd.DataFrame]:
    """The system's eligible rows in the market, each date from the model serving it; a system that
    states its error width bets the best-priced quote (``best_price``), shopped once for the range."""
    parts, widths = [], []
    for game_date, day_rows in rows.groupby("game_date"):
        serving = served.serving(system, game_date, market.key) if system.trainable else None
        if serving is None and system.requires_model:
            continue
        model, model_id, sha = serving if serving is not None else (None, system.system_id, None)
        pred = system.predictor(model, day_rows)
        part = day_rows[BASE_COLUMNS].copy()
        part["predicted_points"], part["p_over"] = pred.predicted_points, pred.p_over
        part["system_id"], part["model_id"], part["model_sha256"] = system.system_id, model_id, sha
        part["market"] = market.key
        parts.append(part)
        # A date without a stated width (no model yet) keeps the priority book's quote.
        widths.append(np.full(len(part), np.nan) if pred.error_width is None else np.asarray(pred.error_width))
    if not parts:
        return []
    width = np.concatenate(widths)
    return [
        shop_best_price(pd.concat(parts, ignore_index=True), None if np.isnan(width).all() else width, quotes, market)
    ]


def _recommended(p: pd.DataFrame, registry: tuple[PredictionSystem, ...], edge_threshold: float) -> pd.DataFrame:
    """Edge, each system's recommendation, the expected value of the side it leans to, confidence,
    gating columns and ids."""
    p["predicted_points"] = p["predicted_points"].astype(float).round(1)
    p["edge"] = (p["predicted_points"] - p["current_points_line"].astype(float)).round(1)
    p["p_over"] = p["p_over"].astype(float).round(4)
    by_id = {s.system_id: s for s in registry}
    p["recommendation"] = pd.concat([by_id[s].rule(g, edge_threshold) for s, g in p.groupby("system_id")])
    p["expected_value"] = np.where(
        p["edge"] > 0,
        expected_value(p["p_over"], p["line_over_price"]),
        expected_value(1 - p["p_over"], p["line_under_price"]),
    )
    # The legacy confidence scores points rows only (its consistency term is the points spread).
    p["confidence_score"] = confidence(p["feature_quality_score"], p[_STD_L10]).where(p["market"] == POINTS.key)
    p["line_source"] = "ACTUAL_PROP"
    p = p.rename(
        columns={
            "line_minutes_before_tipoff": "line_minutes_before_game",
            "injury_status": "injury_status_at_prediction",
        }
    ).drop(columns=[_STD_L10])
    p["is_actionable"] = p["recommendation"].isin(PICK_SIDES)
    p["filter_reason"] = np.where(p["is_actionable"], None, "low_edge")
    p["prediction_id"] = [prediction_id(r) for r in p.to_dict("records")]
    return p


def build_predictions(
    features: pd.DataFrame,
    models: pd.DataFrame,
    model_store: BlobStore,
    edge_threshold: float,
    registry: tuple[PredictionSystem, ...] = REGISTRY,
    odds: pd.DataFrame | None = None,
    prop_lines: pd.DataFrame | None = None,
    markets: tuple[Market, ...] = MARKETS,
) -> pd.DataFrame:
    """Predictions of every registered system in every market it serves for the rows it is eligible
    for (always: a pre-tip line and not OUT/DOUBTFUL), from the model serving each date; with the
    dates' raw lines (``odds``, every market), a system that states its error width bets the
    best-priced quote; ``prop_lines`` (player_prop_lines) hold the markets other than points."""
    if features.empty:
        return pd.DataFrame()
    f = features.copy()
    f["game_date"] = pd.to_datetime(f["game_date"])
    for c in _LATER_COLUMNS:
        if c not in f:
            f[c] = np.nan
    served = ServedModels(models, model_store)
    odds = odds if odds is not None else pd.DataFrame()
    lines = prop_lines if prop_lines is not None else pd.DataFrame()
    parts = []
    for market in markets:
        rows = market_rows(f, lines, market)
        quotes = shoppable_quotes(market_quotes(odds, market.key), rows[has_pre_tip_line(rows)], market)
        rows = with_fair_lines(rows, quotes, market)
        lined = has_pre_tip_line(rows)
        for system in (s for s in registry if market.serves(s.system_id)):
            parts += _system_predictions(system, rows[lined & system.eligible(rows)], served, quotes, market)
    if not parts:
        return pd.DataFrame()
    return _recommended(pd.concat(parts, ignore_index=True), registry, edge_threshold)


def supersede(existing: pd.DataFrame, new: pd.DataFrame, now: pd.Timestamp) -> pd.DataFrame:
    """Merge a new batch into a date's rows: an unchanged prediction keeps its row; a changed one
    becomes a new active row and the old one inactive (superseded_by the new id); a prediction that
    returns to an earlier version (the line moved and moved back) reactivates that version's row, whose
    id is its content; a player no longer eligible is deactivated. Exactly one active row per
    (game, player, system) remains and prediction ids stay unique."""
    new = new.copy()
    new["is_active"], new["superseded_by"], new["superseded_at"], new["created_at"] = True, None, pd.NaT, now
    if existing.empty:
        return new
    old = with_market(existing).copy()
    old["is_active"] = old["is_active"].astype(bool)
    unchanged = old["prediction_id"].isin(set(new["prediction_id"])) & old["is_active"]
    new = new[~new["prediction_id"].isin(set(old.loc[unchanged, "prediction_id"]))]
    replaced_by = new.set_index(_ACTIVE_KEY)["prediction_id"]
    for i in old.index[old["is_active"] & ~unchanged]:
        k = tuple(old.loc[i, _ACTIVE_KEY])
        old.loc[i, "is_active"] = False
        old.loc[i, "superseded_at"] = now
        old.loc[i, "superseded_by"] = replaced_by.get(k) if k in replaced_by.index else None
    revived = old["prediction_id"].isin(set(new["prediction_id"])) & ~old["is_active"]
    old.loc[revived, "is_active"] = True
    old.loc[revived, "superseded_at"] = pd.NaT
    old.loc[revived, "superseded_by"] = None
    new = new[~new["prediction_id"].isin(set(old.loc[revived, "prediction_id"]))]
    return pd.concat([old, new], ignore_index=True)


def of_dates(predictions: pd.DataFrame, game_dates: list[dt.date]) -> pd.DataFrame:
    """The rows of the given game dates (a read of a range may hold dates between them)."""
    if predictions.empty:
        return predictions
    return predictions[pd.to_datetime(predictions["game_date"]).dt.date.isin(set(game_dates))]


def active_predictions(predictions: pd.DataFrame) -> pd.DataFrame:
    return predictions[predictions["is_active"].astype(bool)] if len(predictions) else predictions


def prediction_faults(active: pd.DataFrame) -> dict[str, int]:
    """What must never be among the active rows of a date: a second active row of a (game, player,
    system, market), a line quoted after tip-off, a recommendation against the sign of the edge."""
    active = with_market(active)
    post_tip = pd.to_numeric(active["line_minutes_before_game"], errors="coerce") < 0
    wrong_side = ((active["recommendation"] == OVER) & (active["edge"] <= 0)) | (
        (active["recommendation"] == UNDER) & (active["edge"] >= 0)
    )
    return {
        "duplicate_active": int(active.duplicated(_ACTIVE_KEY).sum()),
        "post_tip_lines": int(post_tip.sum()),
        "disagreeing": int(wrong_side.sum()),
    }


def recommendation_counts(active: pd.DataFrame) -> dict[str, int]:
    """Active rows by "system:recommendation" (points) or "system:market:recommendation"."""
    if active.empty:
        return {}
    counts = with_market(active).groupby(["system_id", "market", "recommendation"]).size()
    return {(f"{s}:{r}" if m == POINTS.key else f"{s}:{m}:{r}"): int(n) for (s, m, r), n in counts.items()}
