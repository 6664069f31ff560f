"""A system's walk-forward record and what the website publishes by it: ROI at the prices taken,
proven only over RECORD_PICKS picks with the interval above 0, records read as of the day before,
the published system chosen by record, picks recommended only while proven."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from nba_pipeline.domain import exports, records
from nba_pipeline.domain.records import RECORD_PICKS

DAY = dt.date(2025, 1, 1)


def graded(system: str, won: list, *, side="OVER", over_price=-110.0, under_price=-110.0, per_day=10, start=DAY):
    """Graded picks of one system, ``per_day`` a date from ``start``; won True / False / None (push)."""
    n = len(won)
    return pd.DataFrame(
        {
            "game_date": [start + dt.timedelta(days=i // per_day) for i in range(n)],
            "system_id": system,
            "recommendation": side,
            "is_voided": False,
            "prediction_correct": pd.array(won, dtype="boolean"),
            "over_price": over_price,
            "under_price": under_price,
        }
    )


def test_decided_picks_pay_the_price_taken_and_skip_pushes_voids_and_passes():
    rows = pd.concat(
        [
            graded("s", [True], side="OVER", over_price=120.0, under_price=-150.0),
            graded("s", [False], side="UNDER", over_price=120.0, under_price=-150.0),
            graded("s", [True], side="UNDER"),  # its prices unknown below: -110
            graded("s", [None]),  # push
            graded("s", [True]).assign(is_voided=True),
            graded("s", [None]).assign(recommendation="PASS"),
        ],
        ignore_index=True,
    )
    # Prices as the warehouse returns them: integers with NULLs.
    for c in ("over_price", "under_price"):
        rows[c] = rows[c].astype("Int64")
        rows.loc[2, c] = pd.NA
    picks = records.decided_picks(rows)
    assert picks["profit"].round(4).tolist() == [1.2, -1.0, round(100 / 110, 4)]
    assert picks["won"].tolist() == [True, False, True]


def test_a_system_is_proven_only_over_its_last_n_picks_with_the_interval_above_zero():
    # 60 % at -110 over RECORD_PICKS picks: ROI +14.5 %, its interval above 0.
    rng = np.random.default_rng(3)
    good = graded("s", list(rng.random(RECORD_PICKS) < 0.60))
    r = records.record(records.decided_picks(good))
    assert r["record_picks"] == RECORD_PICKS and r["record_roi_low"] > 0 and r["is_proven"]
    assert r["record_roi_low"] < r["record_roi"] < r["record_roi_high"]
    # The same rate over 100 picks: not enough picks to be proven, whatever the interval says.
    short = records.record(records.decided_picks(good.head(100)))
    assert short["record_picks"] == 100 and not short["is_proven"]
    # A coin flip at -110 loses the vig: never proven.
    flip = graded("s", [bool(i % 2) for i in range(RECORD_PICKS)])
    r = records.record(records.decided_picks(flip))
    assert r["record_roi"] == pytest.approx(0.5 * 100 / 110 - 0.5) and not r["is_proven"]
    # Only the last RECORD_PICKS count: an old winning streak followed by a losing run is not proven.
    streak = pd.concat(
        [graded("s", [True] * RECORD_PICKS), graded("s", [False] * RECORD_PICKS, start=DAY + dt.timedelta(days=100))]
    )
    r = records.record(records.decided_picks(streak))
    assert r["record_roi"] == -1.0 and not r["is_proven"]
    assert records.record(records.decided_picks(good.head(0)))["record_picks"] == 0


def test_a_date_s_record_reads_picks_up_to_that_date_and_tonight_reads_the_day_before():
    rows = graded("s", [True] * 30, per_day=10)  # 10 picks on each of Jan 1, 2, 3
    served = (("s", "player_points"), ("t", "player_points"))
    by_date = records.records([DAY, DAY + dt.timedelta(days=1), DAY + dt.timedelta(days=2)], rows, served)
    assert by_date[by_date["system_id"] == "s"]["record_picks"].tolist() == [10, 20, 30]
    assert by_date[by_date["system_id"] == "t"]["record_picks"].tolist() == [0, 0, 0]
    # Tonight of Jan 3 knows the record at the end of Jan 2: Jan 3's own results come after its tip-offs.
    known = records.latest_records(by_date, DAY + dt.timedelta(days=2))
    assert known.set_index("system_id")["record_picks"].to_dict() == {"s": 20, "t": 0}
    assert records.latest_records(by_date, DAY).empty


def _known(market: str = "player_points", **lows) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "system_id": s,
                "market": market,
                "record_first_date": pd.Timestamp("2024-12-01") if picks else pd.NaT,
                "record_picks": picks,
                "record_roi_low": low,
                "is_proven": bool(picks >= RECORD_PICKS and low is not None and low > 0),
            }
            for s, (picks, low) in lows.items()
        ]
    )


def test_the_published_system_is_chosen_by_record_not_by_a_flag():
    order = ("a", "b", "c")
    assert records.choose_published(pd.DataFrame(), order) == "a"  # no records yet: the registry's order
    assert records.choose_published(_known(a=(600, -0.08), b=(600, -0.02), c=(0, None)), order) == "b"
    # A proven system goes first, even against a higher bound on fewer picks.
    assert records.choose_published(_known(a=(120, 0.09), b=(600, 0.01), c=(600, -0.2)), order) == "b"


def _tonight(known: pd.DataFrame, other_markets: pd.DataFrame | None = None) -> dict:
    schedule = pd.DataFrame(
        {
            "game_id": ["g1"],
            "home_team_tricode": ["BOS"],
            "away_team_tricode": ["LAL"],
            "tipoff_utc": pd.to_datetime(["2025-01-11T00:30Z"]),
            "game_status": [1],
            "home_team_score": [np.nan],
            "away_team_score": [np.nan],
        }
    )
    players = pd.DataFrame(
        {
            "game_id": ["g1", "g1"],
            "player_id": [1, 2],
            "player_lookup": ["a", "b"],
            "player_name": ["A", "B"],
            "team_tricode": ["BOS", "LAL"],
            "is_home": [True, False],
            "injury_status": [None, None],
            "has_prop_line": [True, True],
            "points_avg_last_10": [20.0, 11.0],
            "current_points_line": [18.5, 10.5],
            "line_bookmaker": ["fanduel", "draftkings"],
        }
    )
    cache = pd.DataFrame({"player_id": [1, 2], "points_avg_season": [19.0, 10.0], "minutes_avg_season": [33.0, 25.0]})
    factors = pd.DataFrame({"player_id": [1, 2], "fatigue_score": [80.0, 90.0]})
    predictions = pd.DataFrame(
        {
            "player_id": [1, 2, 1],
            "system_id": ["line_anchored_v1", "line_anchored_v1", "catboost_points_v1"],
            "model_id": ["line_anchored_v1", "line_anchored_v1", "m"],
            "predicted_points": [18.5, 10.5, 25.0],
            "recommendation": ["UNDER", "PASS", "OVER"],
            "edge": [0.0, 0.0, 6.5],
            "current_points_line": [18.5, 10.5, 18.5],
            "line_bookmaker": ["fanduel", "draftkings", "fanduel"],
            "line_over_price": [-125.0, -110.0, -125.0],
            "line_under_price": [105.0, -110.0, 105.0],
            "p_over": [0.45, 0.5, 0.9],
            "expected_value": [0.1275, np.nan, 0.62],
        }
    )
    if other_markets is not None:
        predictions = pd.concat([predictions.assign(market="player_points"), other_markets], ignore_index=True)
    inputs = exports.TonightInputs(schedule, players, cache, factors, predictions, known)
    return exports.tonight_doc(dt.date(2025, 1, 10), inputs, dt.datetime(2025, 1, 10, 18))


def test_tonight_shows_the_best_record_s_picks_recommended_only_while_proven():
    unproven = _known(
        catboost_points_v1=(600, -0.05), moving_average_baseline_v1=(600, -0.09), line_anchored_v1=(300, -0.01)
    )
    doc = _tonight(unproven)
    assert doc["published_system"] == "line_anchored_v1" and doc["published_system_proven"] is False
    assert "lower bound" in doc["publishing_rule"] and str(RECORD_PICKS) in doc["publishing_rule"]
    points_records = [
        r
        for r in doc["system_records"]
        if r["market"] == "player_points" and r["system_id"] in set(unproven["system_id"])
    ]
    assert {r["record_first_date"] for r in points_records} == {"2024-12-01"}  # a date, as JSON
    assert {r["system_id"]: r["record_picks"] for r in points_records} == {
        "catboost_points_v1": 600,
        "moving_average_baseline_v1": 600,
        "line_anchored_v1": 300,
    }
    a, b = doc["games"][0]["players"]
    assert a["prediction"]["recommendation"] == "UNDER" and a["prediction"]["status"] == "unproven"
    assert (a["prediction"]["book"], a["prediction"]["line"], a["prediction"]["price"]) == ("fanduel", 18.5, 105.0)
    assert a["prediction"]["p_win"] == 0.55
    # Quarter Kelly at +105: (0.55 x 1.05 - 0.45) / 1.05 / 4.
    assert a["prediction"]["kelly_stake"] == round((0.55 * 1.05 - 0.45) / 1.05 / 4, 4)
    assert b["prediction"]["status"] == "no_bet" and b["prediction"]["kelly_stake"] is None

    proven = _known(
        catboost_points_v1=(600, -0.05), moving_average_baseline_v1=(600, -0.09), line_anchored_v1=(500, 0.01)
    )
    doc = _tonight(proven)
    assert doc["published_system_proven"] is True
    assert doc["games"][0]["players"][0]["prediction"]["status"] == "recommended"

    # CatBoost with the best record is published, with its own picks.
    doc = _tonight(
        _known(catboost_points_v1=(600, 0.03), line_anchored_v1=(600, -0.01), moving_average_baseline_v1=(0, None))
    )
    assert doc["published_system"] == "catboost_points_v1"
    assert doc["games"][0]["players"][0]["prediction"]["predicted"] == 25.0
    assert doc["games"][0]["players"][1]["prediction"] is None


def test_performance_rows_from_before_records_existed_publish_nothing_as_proven():
    old_rows = pd.DataFrame(
        {
            "system_id": ["catboost_points_v1", "line_anchored_v1"],
            "record_first_date": [pd.NaT, pd.NaT],
            "record_picks": pd.array([None, None], dtype="Int64"),
            "record_roi_low": [np.nan, np.nan],
            "is_proven": pd.array([None, None], dtype="boolean"),
        }
    )
    doc = _tonight(old_rows)
    assert doc["published_system_proven"] is False and doc["published_system"] == "catboost_points_v1"
    assert {r["record_picks"] for r in doc["system_records"]} == {0}


def test_each_market_publishes_by_its_own_record():
    """A record is per market: line_anchored_v1 proven in rebounds shows its rebounds picks as
    recommended while its points picks stay unproven, and catboost (points only) has no rebounds record."""
    rebounds = pd.DataFrame(
        {
            "player_id": [2],
            "system_id": ["line_anchored_v1"],
            "market": ["player_rebounds"],
            "model_id": ["line_anchored_v1_player_rebounds_20250106_x"],
            "predicted_points": [7.1],
            "recommendation": ["OVER"],
            "edge": [0.6],
            "current_points_line": [6.5],
            "line_bookmaker": ["betmgm"],
            "line_over_price": [110.0],
            "line_under_price": [-140.0],
            "p_over": [0.52],
            "expected_value": [0.52 * 2.1 - 1],
        }
    )
    known = pd.concat(
        [
            _known(
                catboost_points_v1=(600, -0.05), moving_average_baseline_v1=(0, None), line_anchored_v1=(600, -0.01)
            ),
            _known("player_rebounds", line_anchored_v1=(600, 0.02)),
        ],
        ignore_index=True,
    )
    doc = _tonight(known, rebounds)
    by_market = {m["market"]: m for m in doc["markets"]}
    assert set(by_market) == {
        "player_points",
        "player_rebounds",
        "player_assists",
        "player_threes",
        "player_points_rebounds_assists",
    }
    assert by_market["player_points"]["published_system_proven"] is False
    assert by_market["player_rebounds"] == {
        "market": "player_rebounds",
        "label": "rebounds",
        "published_system": "line_anchored_v1",
        "published_system_proven": True,
    }
    assert ("catboost_points_v1", "player_rebounds") not in {
        (r["system_id"], r["market"]) for r in doc["system_records"]
    }
    a, b = doc["games"][0]["players"]
    assert a["prediction"]["status"] == "unproven" and a["market_picks"] == []
    (reb,) = b["market_picks"]
    assert (reb["market"], reb["line"], reb["book"], reb["price"], reb["status"]) == (
        "player_rebounds",
        6.5,
        "betmgm",
        110.0,
        "recommended",
    )
    assert reb["p_win"] == 0.52 and reb["kelly_stake"] == round((0.52 * 1.1 - 0.48) / 1.1 / 4, 4)
