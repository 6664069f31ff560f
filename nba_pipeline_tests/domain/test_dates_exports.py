"""Game-date helpers and the export documents built in the domain."""

import datetime as dt
from types import SimpleNamespace

import numpy as np
import pandas as pd

from nba_pipeline import calendar as dates
from nba_pipeline.domain import exports


def test_span_history_window_and_game_filters():
    days = [dt.date(2025, 1, 12), dt.date(2025, 1, 10), dt.date(2025, 1, 11)]
    assert dates.span(days) == (dt.date(2025, 1, 10), dt.date(2025, 1, 12))
    assert dates.history_window(days) == (
        dt.date(2025, 1, 10) - dt.timedelta(days=dates.HISTORY_DAYS),
        dt.date(2025, 1, 11),
    )
    schedule = pd.DataFrame(
        {
            "game_id": ["a", "b", "c", "d"],
            "game_status": [3, 3, 1, 2],
            "is_postponed": pd.array([False, True, None, False], dtype="boolean"),
        }
    )
    assert dates.played_games(schedule)["game_id"].tolist() == ["a", "c", "d"]
    assert dates.final_games(schedule)["game_id"].tolist() == ["a"]


def test_result_labels_read_gradings_decision():
    def row(**kw):
        base = {"is_voided": False, "recommendation": "OVER", "is_push": False, "prediction_correct": True}
        return SimpleNamespace(**{**base, **kw})

    assert exports.result_label(row(is_voided=True)) == "void"
    assert exports.result_label(row(recommendation="PASS")) == "pass"
    assert exports.result_label(row(is_push=True, prediction_correct=None)) == "push"
    assert exports.result_label(row()) == "win"
    assert exports.result_label(row(prediction_correct=False)) == "loss"


def test_export_values_are_json_safe():
    assert exports.clean(np.float64(1.23456)) == 1.23 and exports.clean(np.nan) is None
    assert exports.clean(pd.NA) is None and exports.clean(np.int64(3)) == 3 and exports.clean(np.bool_(True)) is True
    assert exports.clean(pd.Timestamp("2025-01-10T01:00Z")) == "2025-01-10T01:00:00+00:00"


def test_predictions_doc_groups_by_game_and_counts_recommendations():
    schedule = pd.DataFrame(
        {
            "game_id": ["g2", "g1"],
            "home_team_tricode": ["NYK", "BOS"],
            "away_team_tricode": ["MIA", "LAL"],
            "tipoff_utc": pd.to_datetime(["2025-01-11T01:00Z", "2025-01-11T00:00Z"]),
        }
    )
    predictions = pd.DataFrame(
        {
            "game_id": ["g1", "g1", "g2"],
            "player_lookup": ["b", "a", "c"],
            "player_name": ["B", "A", "C"],
            "team_tricode": ["BOS", "LAL", "NYK"],
            "is_home": [True, False, True],
            "system_id": ["s", "s", "t"],
            "predicted_points": [20.0, 10.0, 15.0],
            "confidence_score": [80.0, 80.0, 90.0],
            "recommendation": ["OVER", "PASS", "UNDER"],
            "current_points_line": [17.5, 10.5, 18.5],
            "edge": [2.5, -0.5, -3.5],
            "line_bookmaker": ["draftkings"] * 3,
        }
    )
    doc = exports.predictions_doc(dt.date(2025, 1, 10), schedule, predictions, dt.datetime(2025, 1, 10, 12))
    assert [g["game_id"] for g in doc["games"]] == ["g1", "g2"]  # by tip-off
    assert [p["player_lookup"] for p in doc["games"][0]["predictions"]] == ["a", "b"]
    assert (doc["over_count"], doc["under_count"], doc["pass_count"], doc["systems"]) == (1, 1, 1, ["s", "t"])
    assert doc["games"][1]["predictions"][0]["prediction"]["p_over"] is None
