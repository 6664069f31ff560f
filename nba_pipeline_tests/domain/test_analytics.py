"""Phase 3 tables from constructed raw rows."""

import datetime as dt

import pandas as pd
import pytest

from nba_pipeline.domain import analytics as an

DAY = dt.date(2025, 1, 10)


def _schedule(status=3):
    return pd.DataFrame(
        [
            {
                "game_date": pd.Timestamp(DAY),
                "game_id": "0022400500",
                "internal_game_id": "20250110_BOS_NYK",
                "season_year": 2024,
                "game_status": status,
                "is_postponed": False,
                "home_team_tricode": "NYK",
                "away_team_tricode": "BOS",
                "home_team_score": 110,
                "away_team_score": 104,
                "tipoff_utc": pd.Timestamp("2025-01-11T00:30:00Z"),
                "season_type": "Regular Season",
            }
        ]
    )


def _team_box():
    rows = []
    for team, opp, home, pts, fga, fta, tov, oreb in (
        ("NYK", "BOS", True, 110, 88, 22, 13, 10),
        ("BOS", "NYK", False, 104, 90, 18, 11, 12),
    ):
        rows.append(
            {
                "game_date": pd.Timestamp(DAY),
                "game_id": "0022400500",
                "team_tricode": team,
                "opponent_tricode": opp,
                "is_home": home,
                "minutes": "240:00",
                "fgm": 40,
                "fga": fga,
                "fg3m": 12,
                "fg3a": 35,
                "ftm": 18,
                "fta": fta,
                "oreb": oreb,
                "dreb": 33,
                "reb": oreb + 33,
                "ast": 25,
                "stl": 7,
                "blk": 5,
                "tov": tov,
                "pf": 18,
                "pts": pts,
            }
        )
    return pd.DataFrame(rows)


def _players(n_per_team=6):
    rows = []
    for team, opp, home in (("NYK", "BOS", True), ("BOS", "NYK", False)):
        for i in range(n_per_team):
            rows.append(
                {
                    "game_date": pd.Timestamp(DAY),
                    "game_id": "0022400500",
                    "team_tricode": team,
                    "opponent_tricode": opp,
                    "is_home": home,
                    "player_id": (1 if home else 2) * 100 + i,
                    "player_name": f"{team} Player{i}",
                    "player_lookup": f"{team.lower()}player{i}",
                    "player_status": "active",
                    "dnp_reason": None,
                    "starter": i < 5,
                    "minutes": "36:00",
                    "minutes_decimal": 36.0,
                    "fgm": 8,
                    "fga": 20,
                    "fg3m": 2,
                    "fg3a": 6,
                    "ftm": 4,
                    "fta": 5,
                    "oreb": 1,
                    "dreb": 5,
                    "reb": 6,
                    "ast": 4,
                    "stl": 1,
                    "blk": 0,
                    "tov": 3,
                    "pf": 2,
                    "pts": 22,
                    "plus_minus": 5.0,
                    "source": "leaguegamelog",
                }
            )
    rows.append(
        {
            **rows[0],
            "player_id": 199,
            "player_name": "NYK Bench",
            "player_lookup": "nykbench",
            "player_status": "dnp",
            "dnp_reason": "DNP - Coach's Decision",
            "minutes": None,
            "minutes_decimal": None,
            **{
                k: None
                for k in (
                    "fgm",
                    "fga",
                    "fg3m",
                    "fg3a",
                    "ftm",
                    "fta",
                    "oreb",
                    "dreb",
                    "reb",
                    "ast",
                    "stl",
                    "blk",
                    "tov",
                    "pf",
                    "pts",
                )
            },
        }
    )
    return pd.DataFrame(rows)


def test_team_offense_from_box_score():
    off = an.team_offense(_team_box(), _players(), _schedule())
    nyk = off.set_index("team_tricode").loc["NYK"]
    assert nyk["possessions"] == pytest.approx(100.68)
    assert nyk["offensive_rating"] == pytest.approx(round(100 * 110 / 100.68, 2))
    assert nyk["pace"] == pytest.approx(round(100.68, 2))  # 48-minute game
    assert nyk["win_flag"] and nyk["margin"] == 6 and nyk["opp_points"] == 104
    assert set(off["data_source"]) == {"team_boxscore"}


def test_team_offense_reconstructed_when_the_team_box_score_is_missing():
    off = an.team_offense(_team_box().iloc[0:0], _players(), _schedule())
    assert set(off["data_source"]) == {"reconstructed_from_players"} and set(off["quality_tier"]) == {"silver"}
    nyk = off.set_index("team_tricode").loc["NYK"]
    assert nyk["points"] == 110  # the schedule's final score, not the sum of listed players
    assert nyk["fga"] == 6 * 20


def test_team_offense_ignores_unfinished_games():
    assert an.team_offense(_team_box(), _players(), _schedule(status=2)).empty


def test_team_defense_is_the_opponent_flipped():
    de = an.team_defense(an.team_offense(_team_box(), _players(), _schedule())).set_index("defending_team_tricode")
    nyk = de.loc["NYK"]
    bos_poss = 90 + 0.44 * 18 + 11 - 12
    assert nyk["points_allowed"] == 104 and nyk["opponent_pace"] == pytest.approx(round(bos_poss, 2))
    assert nyk["defensive_rating"] == pytest.approx(round(100 * 104 / bos_poss, 2))


def _odds(rows):
    base = {
        "game_date": pd.Timestamp(DAY),
        "odds_event_id": "e1",
        "commence_time": pd.Timestamp("2025-01-11T00:30:00Z"),
        "home_team_tricode": "NYK",
        "away_team_tricode": "BOS",
        "player_lookup": "nykplayer0",
    }
    return pd.DataFrame([{**base, **r} for r in rows])


def test_closing_line_excludes_in_game_snapshots_and_prefers_draftkings():
    odds = _odds(
        [
            {
                "bookmaker": "fanduel",
                "points_line": 21.5,
                "snapshot_timestamp": pd.Timestamp("2025-01-10T22:00Z"),
                "minutes_before_tipoff": 150,
            },
            {
                "bookmaker": "draftkings",
                "points_line": 20.5,
                "snapshot_timestamp": pd.Timestamp("2025-01-10T18:00Z"),
                "minutes_before_tipoff": 390,
            },
            {
                "bookmaker": "draftkings",
                "points_line": 22.5,
                "snapshot_timestamp": pd.Timestamp("2025-01-10T23:00Z"),
                "minutes_before_tipoff": 90,
            },
            {
                "bookmaker": "draftkings",
                "points_line": 30.5,
                "snapshot_timestamp": pd.Timestamp("2025-01-11T01:30Z"),
                "minutes_before_tipoff": -60,
            },
        ]
    )
    line = an.closing_lines(odds).iloc[0]
    assert line["bookmaker"] == "draftkings" and line["points_line"] == 22.5 and line["opening_line"] == 20.5
    assert line["consensus_line"] == pytest.approx(22.0) and line["book_count"] == 2


def test_a_books_alternate_lines_never_make_the_closing_line_depend_on_row_order():
    """Books quote alternate lines at skewed prices in the same snapshot; the main line is the one
    priced closest to even, whatever order the rows come in (found replaying real 2025-26 lines: a
    date's line_std differed between a range run and a one-date run)."""
    at = pd.Timestamp("2025-01-10T22:00Z")
    rows = [
        {
            "bookmaker": "betrivers",
            "points_line": pl,
            "over_price": o,
            "under_price": u,
            "snapshot_timestamp": at,
            "minutes_before_tipoff": 150,
        }
        for pl, o, u in [(13.5, -162, 117), (14.5, -129, -104), (15.5, -105, -127), (16.5, 115, -157)]
    ]
    rows.append(
        {
            "bookmaker": "draftkings",
            "points_line": 14.5,
            "over_price": -122,
            "under_price": -105,
            "snapshot_timestamp": at,
            "minutes_before_tipoff": 150,
        }
    )
    odds = _odds(rows)
    lines = [an.closing_lines(odds.sample(frac=1, random_state=seed)).iloc[0] for seed in range(5)]
    assert {(line["consensus_line"], line["line_std"], line["book_count"]) for line in lines} == {(15.0, 0.5, 2)}
    assert all(line["bookmaker"] == "draftkings" and line["points_line"] == 14.5 for line in lines)


def test_player_game_summary_rules():
    box = _players()
    off = an.team_offense(_team_box(), box, _schedule())
    odds = _odds(
        [
            {
                "bookmaker": "draftkings",
                "points_line": 22.0,
                "snapshot_timestamp": pd.Timestamp("2025-01-10T22:00Z"),
                "minutes_before_tipoff": 150,
            }
        ]
    )
    pgs = an.player_game_summary(box, off, odds).set_index("player_id")
    p = pgs.loc[100]
    # 100 * (20 + 2.2 + 3) * 48 / (36 * (88 + 9.68 + 13)) = 30.36
    assert p["usage_rate"] == 30.4 and bool(p["win_flag"]) and p["points_line"] == 22.0
    assert p["over_under_result"] == "PUSH" and p["margin_vs_line"] == 0  # 22 points on a 22.0 line
    dnp = pgs.loc[199]
    assert dnp["is_dnp"] and not dnp["is_active"] and dnp["dnp_reason_category"] == "coach_decision"
    assert dnp["over_under_result"] is None and pd.isna(dnp["usage_rate"])
    no_team = an.player_game_summary(box, off.iloc[0:0], odds.iloc[0:0]).set_index("player_id").loc[100]
    assert pd.isna(no_team["usage_rate"]) and no_team["data_quality_flag"] == "partial_no_team_stats"
