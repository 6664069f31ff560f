"""The registry of prediction systems: its contract, the expected-value rule, and that the
registry alone decides which systems predict."""

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from nba_pipeline.domain import betting, systems
from nba_pipeline.domain import model as m
from nba_pipeline.domain.features import N_FEATURES, value_col
from nba_pipeline.domain.predictions import build_predictions
from nba_pipeline.domain.systems import moving_average_baseline_v1
from nba_pipeline.storage import LocalBlobStore

CUTOFF = dt.date(2025, 3, 3)  # a Monday


def _features(n_days=28, players=40, seed=3, end=CUTOFF) -> pd.DataFrame:
    """Feature rows for ``players`` players on each of the ``n_days`` dates before ``end``: points
    follow the L10 average, the line knows it with some noise."""
    rng = np.random.default_rng(seed)
    rows = []
    for d in pd.date_range(end=pd.Timestamp(end) - pd.Timedelta(days=1), periods=n_days):
        for pid in range(players):
            skill = 8 + pid * 0.5
            r = {value_col(i): rng.normal(0, 1) for i in range(N_FEATURES)}
            r.update(
                {
                    value_col(0): skill + rng.normal(0, 2),
                    value_col(1): skill + rng.normal(0, 1),
                    value_col(2): skill,
                    value_col(3): 4.0,
                    value_col(25): skill + rng.normal(0, 1),
                }
            )
            r.update(
                {
                    "game_date": d,
                    "game_id": f"g{d:%m%d}{pid // 2}",
                    "player_id": pid,
                    "player_lookup": f"p{pid}",
                    "player_name": f"P {pid}",
                    "team_tricode": "NYK",
                    "opponent_tricode": "BOS",
                    "is_home": True,
                    "injury_status": None,
                    "current_points_line": round(r[value_col(25)] * 2) / 2,
                    "consensus_points_line": np.nan,
                    "line_over_price": -110,
                    "line_under_price": -110,
                    "line_bookmaker": "draftkings",
                    "line_snapshot_at": d,
                    "line_minutes_before_tipoff": 60,
                    "feature_quality_score": 90.0,
                    "required_default_count": 0,
                    "is_quality_ready": True,
                    "points": max(0.0, skill + rng.normal(0, 5)),
                }
            )
            rows.append(r)
    return pd.DataFrame(rows)


def test_the_registry_holds_its_contract():
    systems.validate()
    assert len(set(systems.SYSTEM_IDS)) == len(systems.REGISTRY) >= 3
    # No system is published by a flag: the website chooses by record (test_records.py).
    assert not any(hasattr(s, "published") for s in systems.REGISTRY)
    for s in systems.REGISTRY:
        assert s.description and s.features and callable(s.eligible) and callable(s.predictor) and callable(s.rule)
        assert s.trainable == (s.trainer is not None)
    dup = (*systems.REGISTRY, systems.MOVING_AVERAGE)
    with pytest.raises(ValueError, match="duplicate"):
        systems.validate(dup)
    with pytest.raises(ValueError, match=r"reads features \[18\]"):
        systems.validate(
            (
                *systems.REGISTRY,
                dataclasses.replace(systems.MOVING_AVERAGE, system_id="x", features=("points_avg_last_5", "pct_paint")),
            )
        )


CANDIDATES = (*systems.REGISTRY, systems.LINE_ANCHORED_WITH_ERROR_MODEL)


@pytest.mark.parametrize("system", CANDIDATES, ids=lambda s: s.system_id)
def test_every_system_trains_walk_forward_predicts_and_recommends_within_its_contract(system):
    history = _features()
    today = _features(n_days=1, seed=9, end=CUTOFF + dt.timedelta(days=1))
    loaded = None
    if system.trainable:
        frame = m.training_frame(
            history.drop(columns="points"),
            history[["game_date", "player_id", "points"]].assign(minutes=30.0, is_dnp=False),
            CUTOFF,
        )
        artifact = system.trainer(frame, CUTOFF)
        assert artifact is not None and artifact.train_end < CUTOFF and len(artifact.sha256) == 64
        loaded = system.load(artifact.blob)
    rows = today[systems.has_pre_tip_line(today) & system.eligible(today)]
    out = system.predictor(loaded, rows)
    assert len(out.predicted_points) == len(out.p_over) == len(rows) > 0
    assert (
        (out.predicted_points >= systems.PREDICTION_CLAMP[0]) & (out.predicted_points <= systems.PREDICTION_CLAMP[1])
    ).all()
    p = pd.Series(out.p_over)
    assert p.isna().all() or p.between(0, 1).all()
    frame = rows.assign(predicted_points=out.predicted_points, p_over=out.p_over)
    frame["edge"] = (frame["predicted_points"] - frame["current_points_line"]).round(1)
    rec = system.rule(frame, systems.DEFAULT_EDGE_THRESHOLD)
    assert set(rec) <= {"OVER", "UNDER", "PASS", "NO_LINE"}
    assert (frame.loc[rec == "OVER", "edge"] > 0).all() and (frame.loc[rec == "UNDER", "edge"] < 0).all()


def test_training_never_sees_the_cutoff_or_later():
    history = _features()
    late = _features(n_days=5, seed=11, end=CUTOFF + dt.timedelta(days=5)).assign(points=99.0)
    late = late[pd.to_datetime(late["game_date"]) >= pd.Timestamp(CUTOFF)]
    both = pd.concat([history, late], ignore_index=True)
    actual = lambda f: f[["game_date", "player_id", "points"]].assign(minutes=30.0, is_dnp=False)  # noqa: E731
    today = _features(n_days=1, seed=9, end=CUTOFF + dt.timedelta(days=1))
    for system in (*systems.TRAINABLE, systems.LINE_ANCHORED_WITH_ERROR_MODEL):
        clean = system.trainer(m.training_frame(history.drop(columns="points"), actual(history), CUTOFF), CUTOFF)
        leaked = system.trainer(m.training_frame(both.drop(columns="points"), actual(both), CUTOFF), CUTOFF)
        assert clean.rows == leaked.rows and clean.train_end == leaked.train_end < CUTOFF
        # The same rows give the same artifact, byte for byte (so the same model id on any run).
        assert clean.sha256 == leaked.sha256, system.system_id
        rows = today[systems.has_pre_tip_line(today) & system.eligible(today)]
        a = system.predictor(system.load(clean.blob), rows)
        b = system.predictor(system.load(leaked.blob), rows)
        assert np.array_equal(a.predicted_points, b.predicted_points), system.system_id
        assert np.array_equal(a.p_over, b.p_over, equal_nan=True), system.system_id


def test_no_history_trains_nothing():
    """A fresh home's first date: no feature rows before the cutoff."""
    for system in systems.TRAINABLE:
        assert system.trainer(m.training_frame(pd.DataFrame(), pd.DataFrame(), CUTOFF), CUTOFF) is None


def test_line_anchored_starts_from_the_consensus_and_passes_without_evidence():
    system = systems.LINE_ANCHORED
    rows = _features(n_days=1)
    out = system.predictor(None, rows)  # no model at all: the line itself, no opinion
    assert np.array_equal(out.predicted_points, rows["current_points_line"].to_numpy()) and (out.p_over == 0.5).all()
    # Under 150 lined rows before the cutoff nothing can be measured: no artifact.
    assert system.trainer(_features(n_days=5, players=20), CUTOFF) is None
    # Enough to measure the width of the consensus's error, not to fit a model and check it out of
    # sample: the consensus alone, no error model (beta 0).
    thin = system.trainer(_features(n_days=8, players=20), CUTOFF)
    assert thin.info["beta"] == 0 and thin.info["fit_rows"] == 0 and thin.info["sigma"] > 0
    model, cal = system.load(thin.blob)
    assert model is None
    # One book a point under the consensus: the over at that book is favoured by Phi(1 / sigma), and
    # at -110 that is a bet only if the probability clears 52.4 %.
    today = _features(n_days=1, players=4).assign(consensus_points_line=20.5, current_points_line=19.5)
    out = system.predictor((model, cal), today)
    assert (out.predicted_points == 20.5).all()
    assert out.p_over == pytest.approx(np.full(4, norm.cdf(1 / cal["sigma"])))


def test_line_anchored_measures_the_error_width_by_the_line_s_size():
    # Errors that grow with the player's scoring (as real points do): big lines miss by more.
    rows = _features(n_days=20, players=40)
    rng = np.random.default_rng(5)
    rows["points"] = rows["current_points_line"] + rng.normal(0, 1, len(rows)) * rows["current_points_line"] / 4
    artifact = systems.LINE_ANCHORED.trainer(rows, CUTOFF)
    cuts, widths = artifact.info["sigma_cuts"], artifact.info["sigma_by_line"]
    assert len(cuts) == 2 and widths[0] < widths[1] < widths[2]
    loaded = systems.LINE_ANCHORED.load(artifact.blob)
    today = _features(n_days=1, players=2).assign(consensus_points_line=[8.5, 25.5], current_points_line=[7.5, 24.5])
    out = systems.LINE_ANCHORED.predictor(loaded, today)
    # A point under a small line is worth more than a point under a big one.
    assert out.error_width[0] < out.error_width[1] and out.p_over[0] > out.p_over[1] > 0.5
    # Too few rows per tercile: one width (the thin history above).
    thin = systems.LINE_ANCHORED.trainer(_features(n_days=8, players=20), CUTOFF)
    assert thin.info["sigma_by_line"] == []


def test_the_error_model_is_fitted_then_checked_out_of_sample():
    history = _features()
    actual = history[["game_date", "player_id", "points"]].assign(minutes=30.0, is_dnp=False)
    artifact = systems.LINE_ANCHORED_WITH_ERROR_MODEL.trainer(
        m.training_frame(history.drop(columns="points"), actual, CUTOFF), CUTOFF
    )
    info = artifact.info
    # Fitted on the rows up to a week before the cutoff, checked on the last week.
    assert info["fit_rows"] == 21 * 40 and info["calibration_rows"] == 7 * 40 and 0 <= info["beta"] <= 1
    model, cal = systems.LINE_ANCHORED_WITH_ERROR_MODEL.load(artifact.blob)
    assert model is not None and cal == info


def test_positive_expected_value_rule_at_offered_prices():
    p = pd.DataFrame(
        {
            "p_over": [0.55, 0.52, 0.45, 0.45, 0.60, 0.55, 0.55],
            "edge": [1.0, 0.5, -1.0, 0.4, np.nan, 1.0, 1.0],
            "line_over_price": [-110, -110, -110, -110, -110, -130, np.nan],
            "line_under_price": [-110, -110, 100, -110, -110, -110, np.nan],
        }
    )
    # 0.55 x 100/110 - 0.45 = +0.05: OVER. 0.52 -> -0.007: PASS. Under at +100 with 0.55: +0.10: UNDER.
    # p_over 0.45 with a positive edge: the side would disagree with the edge: PASS. No line: NO_LINE.
    # 0.55 at -130: 0.55 x 0.769 - 0.45 = -0.027: PASS. Unknown price: -110: OVER.
    assert systems.positive_ev_rule(p, 3.0).tolist() == ["OVER", "PASS", "UNDER", "PASS", "NO_LINE", "PASS", "OVER"]
    assert betting.expected_value([0.55], [-110])[0] == pytest.approx(0.55 * 100 / 110 - 0.45)


def test_the_registry_alone_decides_which_systems_predict(tmp_path):
    """Adding a system is one entry: build_predictions runs whatever the registry holds."""
    today = _features(n_days=1, seed=5)
    toy = dataclasses.replace(
        systems.MOVING_AVERAGE,
        system_id="toy_line_plus_one",
        predictor=lambda _m, rows: systems.SystemPrediction(
            rows["current_points_line"].to_numpy() + 1.0, np.full(len(rows), 0.6)
        ),
        rule=systems.positive_ev_rule,
        eligible=systems.has_pre_tip_line,
    )
    preds = build_predictions(
        today, pd.DataFrame(), LocalBlobStore(root=str(tmp_path)), 3.0, registry=(systems.MOVING_AVERAGE, toy)
    )
    assert set(preds["system_id"]) == {moving_average_baseline_v1.SYSTEM_ID, "toy_line_plus_one"}
    t = preds[preds["system_id"] == "toy_line_plus_one"]
    assert (t["edge"] == 1.0).all() and (t["recommendation"] == "OVER").all()
    assert t["expected_value"].to_numpy() == pytest.approx(0.6 * 100 / 110 - 0.4)
    # A trainable system without a model for the date predicts nothing when it requires one.
    assert systems.CATBOOST_V1.requires_model
    none = build_predictions(
        today, pd.DataFrame(), LocalBlobStore(root=str(tmp_path)), 3.0, registry=(systems.CATBOOST_V1,)
    )
    assert none.empty


def test_a_new_market_is_predicted_and_graded_by_the_line_systems(tmp_path, monkeypatch):
    """A market added as one registry entry reaches the graph: the line-based systems predict it from
    its pre-tip lines (player_prop_lines rows) on the players' feature rows, and grading settles it
    on its own box-score stat."""
    from nba_pipeline import markets
    from nba_pipeline.domain.grading import grade
    from nba_pipeline.domain.predictions import supersede

    blocks = markets.Market("player_blocks", "blocks", ("blocks",), error_width=1.2)
    monkeypatch.setattr(markets, "MARKETS", (*markets.MARKETS, blocks))
    monkeypatch.setitem(markets.BY_KEY, blocks.key, blocks)
    today = _features(n_days=1, players=6, seed=7)
    lines = pd.DataFrame(
        {
            "game_date": today["game_date"],
            "market": blocks.key,
            "player_lookup": today["player_lookup"],
            "line": 1.5,
            "over_price": 120,
            "under_price": -150,
            "bookmaker": "fanduel",
            "snapshot_timestamp": today["game_date"],
            "minutes_before_tipoff": 90,
            "consensus_line": 1.5,
        }
    )
    preds = build_predictions(
        today, pd.DataFrame(), LocalBlobStore(root=str(tmp_path)), 3.0, prop_lines=lines, markets=(blocks,)
    )
    assert set(preds["market"]) == {blocks.key} and set(preds["system_id"]) == set(markets.LINE_SYSTEMS)
    assert (preds["current_points_line"] == 1.5).all() and (preds["line_bookmaker"] == "fanduel").all()
    assert len(preds) == 2 * len(today)
    box = today[["game_date", "player_id"]].assign(minutes=30.0, is_dnp=False, blk=[0, 1, 2, 3, 0, 1], points=10)
    graded = grade(supersede(pd.DataFrame(), preds, pd.Timestamp("2025-01-01")), box)
    assert set(graded["market"]) == {blocks.key}
    by_player = graded.drop_duplicates("player_id").set_index("player_id")["actual_points"]
    assert by_player.to_dict() == {0: 0.0, 1: 1.0, 2: 2.0, 3: 3.0, 4: 0.0, 5: 1.0}
