"""Grading rules and the recommendation rules on constructed cases (the evaluation's arithmetic:
test_evaluation.py)."""

import datetime as dt

import numpy as np
import pandas as pd

from nba_pipeline.domain import grading as gr
from nba_pipeline.domain import model as m
from nba_pipeline.domain import systems
from nba_pipeline.domain.predictions import confidence
from nba_pipeline.domain.systems import catboost_points_v1

DAY = pd.Timestamp("2025-01-10")


def _pred(pid, predicted, line, rec, status=None, system=catboost_points_v1.SYSTEM_ID):
    return {
        "game_date": DAY,
        "prediction_id": f"p{pid}-{system}",
        "system_id": system,
        "game_id": "g",
        "player_id": pid,
        "player_lookup": f"p{pid}",
        "player_name": f"P {pid}",
        "team_tricode": "NYK",
        "opponent_tricode": "BOS",
        "predicted_points": predicted,
        "current_points_line": line,
        "line_bookmaker": "draftkings",
        "recommendation": rec,
        "confidence_score": 80.0,
        "injury_status_at_prediction": status,
        "model_id": "m",
        "feature_quality_score": 90.0,
        "is_active": True,
    }


def _actual(pid, points, minutes=30.0, dnp=False):
    return {"game_date": DAY, "player_id": pid, "points": points, "minutes": minutes, "is_dnp": dnp}


def test_grading_win_loss_push_void():
    preds = pd.DataFrame(
        [
            _pred(1, 25.0, 20.5, "OVER"),  # actual 24: win
            _pred(2, 15.0, 20.5, "UNDER"),  # actual 24: loss
            _pred(3, 25.0, 22.0, "OVER"),  # actual 22: push
            _pred(4, 25.0, 20.5, "OVER", "out"),  # DNP, known OUT: void, injury confirmed
            _pred(5, 25.0, 20.5, "OVER", "questionable"),  # 0 pts, 0 min: late scratch
            _pred(6, 21.0, 20.5, "PASS"),  # no bet
            _pred(7, 25.0, 20.5, "OVER"),  # no box-score row: void, unknown
        ]
    )
    actuals = pd.DataFrame(
        [
            _actual(1, 24),
            _actual(2, 24),
            _actual(3, 22),
            _actual(4, None, None, True),
            _actual(5, 0, 0.0),
            _actual(6, 30),
        ]
    )
    g = gr.grade(preds, actuals).set_index("player_id")
    assert g.loc[1, "prediction_correct"] == True and g.loc[1, "absolute_error"] == 1 and g.loc[1, "signed_error"] == 1  # noqa: E712
    assert g.loc[2, "prediction_correct"] == False  # noqa: E712
    assert pd.isna(g.loc[3, "prediction_correct"]) and g.loc[3, "is_push"]
    assert g.loc[4, "is_voided"] and g.loc[4, "void_reason"] == "dnp_injury_confirmed"
    assert g.loc[5, "is_voided"] and g.loc[5, "void_reason"] == "dnp_late_scratch"
    assert pd.isna(g.loc[6, "prediction_correct"]) and not g.loc[6, "is_voided"]
    assert g.loc[7, "is_voided"] and g.loc[7, "void_reason"] == "dnp_unknown"
    assert g.loc[1, "edge_bucket"] == "3-5" and g.loc[6, "edge_bucket"] == "<3"


def test_performance_states():
    assert gr.performance_state(None, 0) == "INSUFFICIENT_DATA"
    assert gr.performance_state(0.5, 10) == "BLOCKED"
    assert gr.performance_state(0.53, 10) == "DEGRADING"
    assert gr.performance_state(0.56, 10) == "WATCH"
    assert gr.performance_state(0.60, 10) == "HEALTHY"


def test_recommendation_and_confidence_rules():
    edge = pd.Series([3.0, 2.9, -3.0, -2.9, np.nan])
    assert systems.recommend(edge).tolist() == ["OVER", "PASS", "UNDER", "PASS", "NO_LINE"]
    assert systems.recommend(pd.Series([4.0]), threshold=5).tolist() == ["PASS"]
    conf = confidence(pd.Series([95.0, 75.0, 50.0]), pd.Series([3.0, 7.0, 9.0]))
    assert conf.tolist() == [95.0, 85.0, 79.0]  # 75+10+10, 75+5+5, 75+2+2


def test_weekly_walk_forward_cutoff():
    assert m.model_cutoff(dt.date(2025, 11, 5)) == dt.date(2025, 11, 3)  # Wednesday -> Monday
    assert m.model_cutoff(dt.date(2025, 11, 3)) == dt.date(2025, 11, 3)


def test_training_frame_uses_only_rows_before_the_cutoff():
    days = [pd.Timestamp("2025-11-01"), pd.Timestamp("2025-11-02"), pd.Timestamp("2025-11-03")]
    feats = pd.DataFrame(
        {"game_date": days, "player_id": 1, "required_default_count": 0, "feature_quality_score": 90.0}
    )
    pgs = pd.DataFrame({"game_date": days, "player_id": 1, "points": [10, 20, 30], "minutes": 30.0, "is_dnp": False})
    train = m.training_frame(feats, pgs, dt.date(2025, 11, 3))
    assert train["points"].tolist() == [10, 20]


def test_performance_metadata_shows_a_refused_evaluation_instead_of_failing_the_table():
    from nba_pipeline.assets.grading import _evaluation_metadata

    rows = [
        {
            "game_date": DAY + pd.Timedelta(days=i % 3),
            "system_id": "s",
            "player_id": i,
            "predicted_points": 20.0,
            "line_value": 19.5,
            "actual_points": 18.0 + i,
            "is_voided": False,
            "recommendation": "OVER",
            "p_over": 0.55,
            "over_price": -110,
            "under_price": -110,
        }
        for i in range(6)
    ]
    good = _evaluation_metadata(pd.DataFrame(rows), (DAY + pd.Timedelta(days=2)).date())
    assert good["calibration"].value.startswith("![calibration](data:image/png;base64,")
    assert "mae_minus_line/s" in good
    rows[2]["over_price"] = 50  # not an American price
    bad = _evaluation_metadata(pd.DataFrame(rows), (DAY + pd.Timedelta(days=2)).date())
    assert set(bad) == {"evaluation_refused"} and "over_price" in bad["evaluation_refused"]
