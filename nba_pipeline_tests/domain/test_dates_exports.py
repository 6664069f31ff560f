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
            "line_over_price": [-110.0, -110.0, np.nan],
            "line_under_price": [-110.0, -110.0, np.nan],
            "p_over": [0.6, 0.48, np.nan],
            "expected_value": [0.1455, np.nan, np.nan],
            "model_id": ["m"] * 3,
        }
    )
    doc = exports.predictions_doc(dt.date(2025, 1, 10), schedule, predictions, dt.datetime(2025, 1, 10, 12))
    assert [g["game_id"] for g in doc["games"]] == ["g1", "g2"]  # by tip-off
    assert [p["player_lookup"] for p in doc["games"][0]["predictions"]] == ["a", "b"]
    assert (doc["over_count"], doc["under_count"], doc["pass_count"], doc["systems"]) == (1, 1, 1, ["s", "t"])
    over = doc["games"][0]["predictions"][1]["prediction"]
    assert (over["market"], over["book"], over["line"], over["price"], over["p_win"]) == (
        "player_points",
        "draftkings",
        17.5,
        -110.0,
        0.6,
    )
    # Quarter Kelly at -110: (0.6 x 0.9091 - 0.4) / 0.9091 / 4.
    assert over["kelly_stake"] == round((0.6 * (100 / 110) - 0.4) / (100 / 110) / 4, 4)
    # The legacy 75-100 "confidence" is not a probability: it is not published.
    assert "confidence" not in over
    # A system that states no probability gets no P(win) and no stake; a PASS carries no price.
    under = doc["games"][1]["predictions"][0]["prediction"]
    assert (under["p_win"], under["kelly_stake"], under["price"]) == (None, None, None)
    passed = doc["games"][0]["predictions"][0]["prediction"]
    assert (passed["price"], passed["p_win"], passed["expected_value"]) == (None, None, None)
