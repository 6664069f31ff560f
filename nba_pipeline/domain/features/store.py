"""The feature store (ml_feature_store_v2): one row per upcoming player and date with every feature's
value, quality and source (evaluated from its definition, in order) and the quality fields."""

from __future__ import annotations

import numpy as np
import pandas as pd

from nba_pipeline.domain.features.contract import DEFAULT, MISSING, Feature, quality_col, source_col, value_col
from nba_pipeline.domain.features.definitions import FEATURES
from nba_pipeline.domain.features.inputs import FeatureInputs, feature_inputs
from nba_pipeline.domain.features.quality import SOURCE_WEIGHT, score_quality

FEATURE_VERSION = "v2_60features_nba_pipeline"
IDENTITY_COLUMNS = [
    "game_date",
    "game_id",
    "player_id",
    "player_lookup",
    "player_name",
    "team_tricode",
    "opponent_tricode",
    "is_home",
    "injury_status",
    "current_points_line",
    "consensus_points_line",
    "line_over_price",
    "line_under_price",
    "line_bookmaker",
    "line_snapshot_at",
    "line_minutes_before_tipoff",
]
# Lines' consensus and prices came later than the rest: older context rows lack them.
_LATER_COLUMNS = ("consensus_points_line", "line_over_price", "line_under_price")


def evaluate_feature(feature: Feature, x: FeatureInputs) -> tuple[pd.Series, pd.Series]:
    """(values, sources) of one feature on every row: the computed value with the feature's source;
    where missing, its default (source "default") or NULL (source "missing"); then its fallback."""
    raw = feature.compute(x) if feature.available else np.nan
    values = raw.astype("float64") if isinstance(raw, pd.Series) else pd.Series(raw, index=x.index, dtype="float64")
    sources = pd.Series(feature.source, index=x.index, dtype=object)
    missing = values.isna() if feature.default_when is None else feature.default_when(x)
    if feature.default is not None:
        values, sources = values.where(~missing, feature.default), sources.where(~missing, DEFAULT)
    else:
        values, sources = values.where(~missing), sources.where(~missing, MISSING)
    if feature.fallback is not None:
        fallback_source, fallback = feature.fallback
        lesser = fallback(x)
        use = values.isna() & lesser.notna()
        values, sources = values.where(~use, lesser), sources.where(~use, fallback_source)
    return values, sources


def build_feature_store(
    upcoming_player_context: pd.DataFrame,
    player_daily_cache: pd.DataFrame,
    composite_factors: pd.DataFrame,
    player_shot_zones: pd.DataFrame,
    team_defense_zones: pd.DataFrame,
    upcoming_team_context: pd.DataFrame,
    player_history: pd.DataFrame,
    line_spread: pd.DataFrame,
) -> pd.DataFrame:
    """One row per upcoming player context row: every feature's value, quality and source, and the
    quality fields. ``player_history`` is player game history; each row's lookups use only the
    player's games strictly before its date."""
    if upcoming_player_context.empty:
        return pd.DataFrame()
    x = feature_inputs(
        upcoming_player_context,
        player_daily_cache,
        composite_factors,
        player_shot_zones,
        team_defense_zones,
        upcoming_team_context,
        player_history,
        line_spread,
    )
    sources = {}
    for feature in FEATURES:
        x.values[feature.name], sources[feature.index] = evaluate_feature(feature, x)
    base = x.context.assign(**{c: x.context[c] if c in x.context else np.nan for c in _LATER_COLUMNS})
    sources = pd.DataFrame(sources, index=base.index)
    columns = {}
    for f in FEATURES:
        columns[value_col(f.index)] = x.values[f.name]
        columns[quality_col(f.index)] = sources[f.index].map(SOURCE_WEIGHT).astype(float)
        columns[source_col(f.index)] = sources[f.index]
    out = pd.concat(
        [base[IDENTITY_COLUMNS].copy(), pd.DataFrame(columns, index=base.index), score_quality(sources)], axis=1
    )
    out["has_vegas_line"] = pd.to_numeric(base["current_points_line"], errors="coerce").notna()
    out["feature_count"] = len(FEATURES)
    out["feature_version"] = FEATURE_VERSION
    out["early_season_flag"] = x.daily_cache["games_played_season"].fillna(0) < 10
    return out
