"""The whole graph, scrape to graded exports, on a few weeks of the simulated league."""

import datetime as dt
import json

import dagster as dg
import numpy as np
import pandas as pd
import pytest

from nba_pipeline import keys
from nba_pipeline.domain import model as m
from nba_pipeline.domain import systems
from nba_pipeline.domain.systems import catboost_points_v1, line_anchored_v1
from nba_pipeline.markets import LINE_SYSTEMS, MARKETS, POINTS, REBOUNDS
from nba_pipeline.warehouse import tables as t
from nba_pipeline_tests.conftest import SIM_END as END
from nba_pipeline_tests.conftest import SIM_NOW
from nba_pipeline_tests.conftest import SIM_PREDICT_START as PREDICT_START


@pytest.fixture(scope="module")
def graph(sim_graph):
    return sim_graph


def test_every_phase_succeeds(graph):
    _, runs = graph
    # One run per call (the whole selection over the range, as a Dagster backfill plans it).
    assert len(runs) == 2 and {s.group for r in runs for s in r.steps} == set(keys.PHASE_GROUPS)
    assert all(r.success for r in runs) and all(s.status == "ok" for r in runs for s in r.steps)
    assert not any(r.blocked for r in runs)


def test_feature_store_rows_quality_and_pre_tip_lines(graph):
    p, _ = graph
    fs = p.read(t.ML_FEATURE_STORE, END, END)
    upcoming_players = p.read(t.UPCOMING_PLAYER_CONTEXT, END, END)
    assert len(fs) == len(upcoming_players) > 100
    assert fs["feature_quality_score"].between(0, 100).all() and fs["is_quality_ready"].sum() > 50
    assert fs["feature_18_value"].isna().all() and (fs["feature_18_source"] == "missing").all()
    lined = fs[fs["current_points_line"].notna()]
    assert (lined["line_minutes_before_tipoff"] >= 0).all()
    # The simulated books also quote in-game snapshots; none may reach a feature.
    odds = p.read(t.ODDS_PLAYER_PROPS, END, END)
    assert (odds["minutes_before_tipoff"] < 0).any()


def test_walk_forward_model(graph):
    p, _ = graph
    reg = p.read(t.POINTS_MODEL, PREDICT_START, END)
    assert (reg["status"] == "trained").all()
    assert set(zip(reg["system_id"], reg["market"])) == {(s.system_id, mk.key) for s, mk in m.served_markets()}
    for r in reg[reg["market"] == POINTS.key].itertuples():
        cutoff = m.model_cutoff(r.game_date.date())
        assert r.cutoff_date.date() == cutoff and r.train_end.date() < cutoff <= r.game_date.date()
        assert r.train_rows >= catboost_points_v1.MIN_TRAIN_ROWS and len(r.artifact_sha256) == 64
        assert p.resources["model_store"].exists(r.artifact_path)


def test_predictions_one_active_row_per_key_and_rules(graph):
    p, _ = graph
    pr = p.read(t.PLAYER_PROP_PREDICTIONS, PREDICT_START, END)
    active = pr[pr["is_active"]]
    assert set(active["system_id"]) == set(systems.SYSTEM_IDS)
    assert not active.duplicated(["game_id", "player_id", "system_id", "market"]).any()
    assert np.allclose(active["edge"], (active["predicted_points"] - active["current_points_line"]).round(1))
    by_edge = active["system_id"].map(lambda s: systems.get(s).rule is systems.edge_rule)
    edge, ev = active[by_edge], active[~by_edge]
    over, under = edge["recommendation"] == "OVER", edge["recommendation"] == "UNDER"
    assert (edge.loc[over, "edge"] >= 3).all() and (edge.loc[under, "edge"] <= -3).all()
    assert (edge.loc[~(over | under), "edge"].abs() < 3).all()
    # The expected-value rule: a pick only at a positive expected value, on the side of the edge.
    picks = ev[ev["recommendation"].isin(["OVER", "UNDER"])]
    assert (picks["expected_value"] > 0).all()
    assert ((picks["recommendation"] == "OVER") == (picks["edge"] > 0)).all()
    assert ev["p_over"].between(0, 1).all() and edge["p_over"].isna().all()
    # Line-anchored systems never see fewer rows than the legacy gate: every lined, playing row.
    assert len(ev) >= len(edge) / 2
    assert (active["line_minutes_before_game"] >= 0).all()
    assert not active["injury_status_at_prediction"].isin(["out", "doubtful"]).any()
    # Every row keeps the priority book's quote it was built on; edge-rule systems bet it, the
    # line-anchored system shops its picks to the best price over the books (domain/best_price.py).
    assert (edge["line_bookmaker"] == edge["priority_bookmaker"]).all()
    assert (edge["current_points_line"] == edge["priority_points_line"]).all()
    assert picks["priority_bookmaker"].notna().all() and (picks["line_bookmaker"] != picks["priority_bookmaker"]).any()


def test_every_market_is_predicted_graded_and_published(graph):
    """The line-based system serves every registered market in the graph: its widths measured per
    market walk-forward, a prediction per lined player and market at that market's line, graded on the
    stat the market settles on, a record and a published pick per market."""
    p, _ = graph
    lines = p.read(t.PLAYER_PROP_LINES, END, END)
    assert set(lines["market"]) == {mk.key for mk in MARKETS} and (lines["minutes_before_tipoff"] >= 0).all()
    models = p.read(t.POINTS_MODEL, END, END).set_index("market")
    anchored = models[models["system_id"] == line_anchored_v1.SYSTEM_ID]
    sigma = {mk: json.loads(c)["sigma"] for mk, c in anchored["calibration_json"].items()}
    # Rebounds miss by fewer units than points, PRA by more: each market's own width.
    assert sigma[REBOUNDS.key] < sigma[POINTS.key] < sigma["player_points_rebounds_assists"]

    active = p.read(t.PLAYER_PROP_PREDICTIONS, END, END).query("is_active")
    by_market = active.groupby("market")["system_id"].agg(set).to_dict()
    assert by_market[POINTS.key] == set(systems.SYSTEM_IDS)
    assert all(by_market[mk.key] == set(LINE_SYSTEMS) for mk in MARKETS if mk is not POINTS)
    reb = active[active["market"] == REBOUNDS.key].merge(
        lines[lines["market"] == REBOUNDS.key], on="player_lookup", suffixes=("", "_lines")
    )
    assert len(reb) > 50
    # The priority book's quote is the market's line; the consensus is the market's consensus.
    assert (reb["priority_points_line"] == reb["line"]).all() and (reb["priority_bookmaker"] == reb["bookmaker"]).all()
    assert np.allclose(reb["consensus_points_line"], reb["consensus_line"])

    graded = p.read(t.PREDICTION_ACCURACY, END, END)
    box = p.read(t.PLAYER_GAME_SUMMARY, END, END).set_index("player_id")
    played = graded[(graded["market"] == REBOUNDS.key) & ~graded["is_voided"]]
    assert len(played) > 50
    assert (played["actual_points"].to_numpy() == box.loc[played["player_id"], "reb"].to_numpy()).all()
    pra = graded[(graded["market"] == "player_points_rebounds_assists") & ~graded["is_voided"]]
    expected = box.loc[pra["player_id"], ["points", "reb", "ast"]].sum(axis=1).to_numpy()
    assert (pra["actual_points"].to_numpy() == expected).all()

    tonight = p.resources["exports"].get_json(f"tonight/{END}.json")
    assert [mk["market"] for mk in tonight["markets"]] == [mk.key for mk in MARKETS]
    shown = [pk for g in tonight["games"] for pl in g["players"] for pk in pl["market_picks"]]
    assert {pk["market"] for pk in shown} == {mk.key for mk in MARKETS if mk is not POINTS}
    assert {pk["status"] for pk in shown} <= {"unproven", "no_bet"}


def test_rerun_is_harmless_and_a_changed_line_supersedes(graph):
    p, _ = graph
    before = p.read(t.PLAYER_PROP_PREDICTIONS, END, END)
    assert p.materialize([keys.PLAYER_PROP_PREDICTIONS], END).success
    after = p.read(t.PLAYER_PROP_PREDICTIONS, END, END)
    assert set(after["prediction_id"]) == set(before["prediction_id"])  # unchanged predictions keep their rows
    # Move one player's points line in the feature store: his points predictions get new versions
    # (his other markets' lines did not move, nor do their predictions).
    fs = p.read(t.ML_FEATURE_STORE, END, END)
    pid = int(after.loc[after["is_active"], "player_id"].iloc[0])
    fs.loc[fs["player_id"] == pid, "current_points_line"] += 1.0
    p.warehouse.replace_dates(t.ML_FEATURE_STORE, fs, END, END)
    assert p.materialize([keys.PLAYER_PROP_PREDICTIONS], END).success
    moved = p.read(t.PLAYER_PROP_PREDICTIONS, END, END)
    points = (moved["player_id"] == pid) & (moved["market"] == POINTS.key)
    mine = moved[points]
    n_systems = int(((before["player_id"] == pid) & before["is_active"] & (before["market"] == POINTS.key)).sum())
    others = (before["player_id"] == pid) & (before["market"] != POINTS.key)
    assert set(moved.loc[(moved["player_id"] == pid) & ~points, "prediction_id"]) == set(
        before.loc[others, "prediction_id"]
    )
    assert n_systems >= 1 and len(mine) == 2 * n_systems and mine["is_active"].sum() == n_systems
    old = mine[~mine["is_active"]]
    assert set(old["superseded_by"]) == set(mine.loc[mine["is_active"], "prediction_id"])
    assert not moved[moved["is_active"]].duplicated(["game_id", "player_id", "system_id", "market"]).any()
    # The line moves back: the first versions are active again, no prediction id is written twice
    # (found under the daemon, where lines move back and forth through the day).
    fs.loc[fs["player_id"] == pid, "current_points_line"] -= 1.0
    p.warehouse.replace_dates(t.ML_FEATURE_STORE, fs, END, END)
    assert p.materialize([keys.PLAYER_PROP_PREDICTIONS], END).success
    back = p.read(t.PLAYER_PROP_PREDICTIONS, END, END)
    assert not back["prediction_id"].duplicated().any()
    mine = back[(back["player_id"] == pid) & (back["market"] == POINTS.key)]
    assert len(mine) == 2 * n_systems
    assert set(mine.loc[mine["is_active"], "prediction_id"]) == set(
        before.loc[
            (before["player_id"] == pid) & before["is_active"] & (before["market"] == POINTS.key), "prediction_id"
        ]
    )
    assert set(back.loc[back["is_active"], "prediction_id"]) == set(before.loc[before["is_active"], "prediction_id"])
    p.warehouse.replace_dates(t.PLAYER_PROP_PREDICTIONS, before, END, END)  # restore for the other tests


def test_grading_and_model_performance(graph):
    p, _ = graph
    acc = p.read(t.PREDICTION_ACCURACY, PREDICT_START, END)
    preds = p.read(t.PLAYER_PROP_PREDICTIONS, PREDICT_START, END)
    assert len(acc) == int(preds["is_active"].sum())
    decided = acc[acc["prediction_correct"].notna()]
    assert len(decided) > 20 and decided["recommendation"].isin(["OVER", "UNDER"]).all()
    assert (acc.loc[acc["is_voided"], "void_reason"].notna()).all()
    assert (acc.loc[acc["is_push"], "prediction_correct"].isna()).all()
    perf = p.read(t.MODEL_PERFORMANCE_DAILY, PREDICT_START, END)
    assert len(perf) == len(systems.SERVED) * 3 and set(perf["state"]) <= {
        "INSUFFICIENT_DATA",
        "BLOCKED",
        "DEGRADING",
        "WATCH",
        "HEALTHY",
    }
    # Each system's record counts its decided picks graded so far (domain/records.py).
    last = perf[perf["game_date"] == perf["game_date"].max()].set_index(["system_id", "market"])
    picks = decided.groupby(["system_id", "market"]).size()
    for pair in systems.SERVED:
        assert last.loc[pair, "record_picks"] == min(int(picks.get(pair, 0)), 500)
        assert not last.loc[pair, "is_proven"] or last.loc[pair, "record_roi_low"] > 0


def test_graded_picks_carry_closing_line_value(graph):
    """Every pick's close is its own book's last pre-tip quote. A backfill predicts after the lines
    closed, so each pick was first published from the close: a CLV of 0, by construction."""
    p, _ = graph
    acc = p.read(t.PREDICTION_ACCURACY, PREDICT_START, END)
    picks = acc[acc["recommendation"].isin(["OVER", "UNDER"])]
    closed = picks[picks["clv_probability"].notna()]
    assert len(closed) > 0.9 * len(picks)
    assert (closed["published_line"] == closed["closing_line"]).all() and (closed["clv_points"] == 0).all()
    assert np.allclose(closed["clv_probability"], 0.0)


def test_a_pick_published_earlier_is_measured_from_the_quote_it_was_published_with(graph):
    """The same pick first published three hours before, a point lower: grading measures its CLV from
    that quote (an OVER at 1 point below the close gained a point)."""
    p, _ = graph
    predictions = p.read(t.PLAYER_PROP_PREDICTIONS, END, END)
    graded = p.read(t.PREDICTION_ACCURACY, END, END)
    overs = predictions[predictions["is_active"] & (predictions["recommendation"] == "OVER")]
    overs = overs[overs["prediction_id"].isin(graded.loc[graded["clv_probability"].notna(), "prediction_id"])]
    active = overs.iloc[0]
    earlier = active.copy()
    earlier["prediction_id"], earlier["is_active"], earlier["superseded_by"] = (
        "an-earlier-version",
        False,
        active["prediction_id"],
    )
    earlier["created_at"] = active["created_at"] - pd.Timedelta(hours=3)
    earlier["current_points_line"] = active["current_points_line"] - 1.0
    try:
        with_earlier = pd.concat([predictions, earlier.to_frame().T], ignore_index=True)
        p.warehouse.replace_dates(t.PLAYER_PROP_PREDICTIONS, with_earlier, END, END)
        assert p.materialize([keys.PREDICTION_ACCURACY], END).success
        mine = p.read(t.PREDICTION_ACCURACY, END, END).set_index("prediction_id").loc[active["prediction_id"]]
        assert mine["published_line"] == active["current_points_line"] - 1.0
        assert mine["clv_points"] == mine["closing_line"] - mine["published_line"] == 1.0
        assert mine["clv_probability"] > 0
    finally:
        p.warehouse.replace_dates(t.PLAYER_PROP_PREDICTIONS, predictions, END, END)
        p.warehouse.replace_dates(t.PREDICTION_ACCURACY, graded, END, END)


def test_model_performance_carries_the_evaluation_and_calibration_chart_for_the_ui(graph):
    import base64

    p, _ = graph
    mat = p.instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=keys.MODEL_PERFORMANCE_DAILY, asset_partitions=[END.isoformat()]), limit=1
    ).records[0]
    meta = mat.asset_materialization.metadata
    chart = meta["calibration"].value
    assert chart.startswith("![calibration](data:image/png;base64,")
    png = base64.b64decode(chart.split("base64,", 1)[1].split(")", 1)[0])
    assert png.startswith(b"\x89PNG")
    text = meta["evaluation"].value
    for system in systems.SYSTEM_IDS:
        assert system in text and f"mae_minus_line/{system}" in meta
    assert "consensus_line" in text


def test_exports(graph):
    p, _ = graph
    store = p.resources["exports"]
    tonight = store.get_json(f"tonight/{END}.json")
    preds = store.get_json(f"predictions/{END}.json")
    results = store.get_json(f"results/{END}.json")
    assert tonight["game_date"] == END.isoformat() and tonight["games"] and tonight["games"][0]["players"]
    shown = [pl["prediction"] for g in tonight["games"] for pl in g["players"] if pl["prediction"]]
    assert shown and {pick["system_id"] for pick in shown} == {tonight["published_system"]}
    # A few weeks of simulated picks are far from 500: nothing is proven, so nothing is recommended.
    assert {(r["system_id"], r["market"]) for r in tonight["system_records"]} == set(systems.SERVED)
    assert not tonight["published_system_proven"]
    assert {pick["status"] for pick in shown} <= {"unproven", "no_bet"}
    assert all("confidence" not in pick for pick in shown)
    n = sum(len(g["predictions"]) for g in preds["games"])
    assert n == preds["total_predictions"] == preds["over_count"] + preds["under_count"] + preds["pass_count"]
    assert {(s, mk) for mk, by_system in results["summary"].items() for s in by_system} == set(systems.SERVED)
    assert {r["result"] for r in results["results"]} <= {"win", "loss", "push", "void", "pass"}
    json.dumps(results)  # plain JSON all the way down


def test_no_leakage_changing_data_on_or_after_the_date_changes_nothing(graph):
    """Rewrite everything dated on or after D (results, box scores, in-game and late lines and prices
    of every market), then rebuild D's upcoming context, every market's lines, features, model and
    predictions: they must not move."""
    p, _ = graph
    day = END
    rebuild = [
        keys.PLAYER_PROP_LINES,
        keys.UPCOMING_TEAM_CONTEXT,
        keys.UPCOMING_PLAYER_CONTEXT,
        keys.TEAM_DEFENSE_ZONE,
        keys.PLAYER_SHOT_ZONE,
        keys.PLAYER_DAILY_CACHE,
        keys.PLAYER_COMPOSITE_FACTORS,
        keys.ML_FEATURE_STORE,
        keys.POINTS_MODEL,
        keys.PLAYER_PROP_PREDICTIONS,
    ]
    assert p.materialize(rebuild, day).success
    touched = (t.PLAYER_GAME_SUMMARY, t.NBAC_PLAYER_BOXSCORES, t.TEAM_OFFENSE, t.ODDS_PLAYER_PROPS)
    originals = [(spec, p.read(spec, day, day)) for spec in touched]
    fs_before = p.read(t.ML_FEATURE_STORE, day, day).sort_values("player_id").reset_index(drop=True)
    pred_before = p.read(t.PLAYER_PROP_PREDICTIONS, day, day)
    model_before = p.read(t.POINTS_MODEL, day, day)
    lines_before = p.read(t.PLAYER_PROP_LINES, day, day)
    assert set(pred_before["market"]) == set(lines_before["market"]) == {mk.key for mk in MARKETS}

    for spec in (t.PLAYER_GAME_SUMMARY, t.NBAC_PLAYER_BOXSCORES):
        frame = p.read(spec, day, day)
        col = "points" if spec is t.PLAYER_GAME_SUMMARY else "pts"
        frame[col] = frame[col] + 17
        p.warehouse.replace_dates(spec, frame, day, day)
    off = p.read(t.TEAM_OFFENSE, day, day)
    off["pace"], off["points"] = off["pace"] + 30, off["points"] + 40
    p.warehouse.replace_dates(t.TEAM_OFFENSE, off, day, day)
    odds = p.read(t.ODDS_PLAYER_PROPS, day, day)
    late = odds[odds["minutes_before_tipoff"] < 0].copy()
    late["line"] += 9.5
    late["over_price"], late["under_price"] = 250, -400
    late["snapshot_timestamp"] += pd.Timedelta(minutes=5)
    late["minutes_before_tipoff"] -= 5
    p.warehouse.replace_dates(t.ODDS_PLAYER_PROPS, pd.concat([odds, late], ignore_index=True), day, day)

    assert p.materialize(rebuild, day).success
    fs_after = p.read(t.ML_FEATURE_STORE, day, day).sort_values("player_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(fs_after, fs_before)
    pd.testing.assert_frame_equal(
        p.read(t.POINTS_MODEL, day, day).drop(columns=["trained_at"]), model_before.drop(columns=["trained_at"])
    )
    pd.testing.assert_frame_equal(p.read(t.PLAYER_PROP_LINES, day, day), lines_before)
    pred_after = p.read(t.PLAYER_PROP_PREDICTIONS, day, day)
    assert set(pred_after["prediction_id"]) == set(pred_before["prediction_id"])
    for spec, frame in originals:
        p.warehouse.replace_dates(spec, frame, day, day)


def test_a_live_day_measures_closing_line_value(graph):
    """A live day: predictions made at midday from the lines known then, re-made after the lines
    closed, graded the next morning. Each pick's closing-line value is measured from the quote it was
    first published with; the simulated books' lines move through the day (injury news, late
    information, each book's own drift), so many picks have a CLV other than 0, which a backfill
    (predicting after the close) never shows."""
    p, _ = graph
    day = END + dt.timedelta(days=1)
    phases = [keys.PHASE1, keys.PHASE2, keys.PHASE3, keys.PHASE4, keys.PHASE5]
    try:
        p.now = f"{day}T12:00:00-05:00"
        p.run(phases, day)
        midday = p.read(t.PLAYER_PROP_PREDICTIONS, day, day)
        assert len(midday) and (pd.to_datetime(midday["line_snapshot_at"], utc=True) <= pd.Timestamp(p.now)).all()
        p.now = f"{day + dt.timedelta(days=1)}T09:00:00-05:00"
        p.run([*phases, keys.GRADING], day)
    finally:
        p.now = SIM_NOW
    graded = p.read(t.PREDICTION_ACCURACY, day, day)
    picks = graded[graded["recommendation"].isin(["OVER", "UNDER"]) & graded["clv_probability"].notna()]
    from_midday = picks[pd.to_datetime(picks["published_at"], utc=True) == pd.Timestamp(f"{day}T12:00:00-05:00")]
    assert len(from_midday) > 20
    moved = (from_midday["clv_points"] != 0) | (from_midday["clv_probability"].abs() > 1e-6)
    assert moved.mean() > 0.3
    assert (pd.to_datetime(from_midday["closing_snapshot_at"], utc=True) > pd.Timestamp(f"{day}T12:00:00-05:00")).all()
