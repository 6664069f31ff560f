"""Features are named definitions: how one is evaluated (source, default, fallback), that the store
derives from the list, and that systems select features by name."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from nba_pipeline.domain import features as F
from nba_pipeline.domain import systems
from nba_pipeline.domain.features.contract import Feature
from nba_pipeline.domain.features.inputs import FeatureInputs
from nba_pipeline.domain.features.store import build_feature_store, evaluate_feature


def _inputs(values: dict[str, list]) -> FeatureInputs:
    frame = pd.DataFrame(values)
    empty = pd.DataFrame(index=frame.index)
    return FeatureInputs(
        context=frame,
        daily_cache=frame,
        composite_factors=empty,
        shot_zones=empty,
        opponent_defense=empty,
        team_context=empty,
        line_spread=empty,
        state=empty,
        dnp=empty,
        vs_opponent=empty,
        teammate_usage=pd.Series(np.nan, index=frame.index),
    )


def test_a_feature_is_its_value_with_its_source_else_its_default_or_missing():
    x = _inputs({"a": [1.0, np.nan, 3.0], "n": [10, 10, 2]})
    plain = Feature("a_copy", "a", "game_context", "phase4", lambda x: x.context["a"])
    values, sources = evaluate_feature(plain, x)
    assert values.tolist()[::2] == [1.0, 3.0] and np.isnan(values[1])
    assert sources.tolist() == ["phase4", "missing", "phase4"]
    defaulted = dataclasses.replace(plain, default=0.5, default_when=lambda x: x.context["n"] < 5)
    values, sources = evaluate_feature(defaulted, x)
    # default_when decides alone: the NULL of row 1 stays NULL (with the feature's own source).
    assert values.tolist()[::2] == [1.0, 0.5] and sources.tolist() == ["phase4", "phase4", "default"]
    fallback = dataclasses.replace(plain, fallback=("season_fallback", lambda x: x.context["n"].astype(float)))
    values, sources = evaluate_feature(fallback, x)
    assert values.tolist() == [1.0, 10.0, 3.0] and sources.tolist() == ["phase4", "season_fallback", "phase4"]
    unavailable = Feature("nope", "needs play-by-play", "game_context", "missing", None, optional=True)
    values, sources = evaluate_feature(unavailable, x)
    assert values.isna().all() and (sources == "missing").all() and not unavailable.available


def test_the_store_is_the_list():
    assert F.N_FEATURES == len(F.FEATURES) == len(F.FEATURE_NAMES)
    assert all(F.FEATURES[F.FEATURE_INDEX[f.name]] is f for f in F.FEATURES)
    assert F.value_column("vegas_points_line") == F.value_col(F.FEATURE_INDEX["vegas_points_line"])
    assert {f.category for f in F.FEATURES} <= set(F.CATEGORIES)
    context = pd.DataFrame(
        [
            {
                "game_date": pd.Timestamp("2025-01-10"),
                "game_id": "g",
                "player_id": 1,
                "player_lookup": "p1",
                "player_name": "P 1",
                "team_tricode": "NYK",
                "opponent_tricode": "BOS",
                "is_home": True,
                "injury_status": None,
                "current_points_line": 20.5,
                "opening_points_line": 20.0,
                "line_movement": 0.5,
                "line_bookmaker": "draftkings",
                "line_snapshot_at": pd.Timestamp("2025-01-10T20:00Z"),
                "line_minutes_before_tipoff": 60,
                "days_rest": 2,
                "opponent_days_rest": 1,
                "back_to_back": False,
                "season_phase": "regular_season",
                "star_teammates_out": 0,
                "game_total": np.nan,
                "game_spread": np.nan,
                "minutes_last_7_days": 60.0,
                "prop_over_streak": 1,
                "prop_under_streak": 0,
            }
        ]
    )
    empty = pd.DataFrame()
    store = build_feature_store(context, empty, empty, empty, empty, empty, empty, empty)
    for f in F.FEATURES:
        assert {F.value_col(f.index), F.quality_col(f.index), F.source_col(f.index)} <= set(store.columns)
    assert (store["feature_count"] == F.N_FEATURES).all()
    assert store[F.value_column("vegas_points_line")].iloc[0] == 20.5
    assert store[F.source_col(F.FEATURE_INDEX["pct_paint"])].iloc[0] == "missing"


def test_systems_select_features_by_name():
    for s in systems.REGISTRY:
        assert all(name in F.FEATURE_INDEX for name in s.features), s.system_id
        assert s.feature_columns() == [F.value_column(name) for name in s.features]
    assert systems.LINE_ANCHORED.features == ("vegas_points_line",)
    assert systems.MOVING_AVERAGE.features == ("points_avg_last_5", "points_avg_last_10", "points_avg_season")
    assert set(systems.CATBOOST_V1.features) == {f.name for f in F.FEATURES if f.available}
    # The stored parameters keep naming the feature columns by number: a model's identity.
    assert systems.LINE_ANCHORED.params["features"] == [F.FEATURE_INDEX["vegas_points_line"]]
    with pytest.raises(ValueError, match="do not exist"):
        systems.validate(
            (
                *systems.REGISTRY,
                dataclasses.replace(systems.MOVING_AVERAGE, system_id="x", features=("no_such_feature",)),
            )
        )
