"""Teammates' absences from box-score history (feature 47): who was missing from the team's last
game, the usage they free up, and nothing from the date itself or last season."""

import numpy as np
import pandas as pd
import pytest

from nba_pipeline.domain.features.inputs import teammate_usage_available
from nba_pipeline.domain.history import team_absences

DAYS = pd.date_range("2025-01-01", periods=5)


def _row(day, pid, minutes, usage, dnp=False, team="NYK"):
    return {
        "team_tricode": team,
        "game_date": day,
        "player_id": pid,
        "minutes": minutes,
        "usage_rate": usage,
        "is_dnp": dnp,
    }


def _history():
    rows = []
    for i, d in enumerate(DAYS):
        rows.append(_row(d, 2, 32, 20.0))  # always plays
        if i < 4:
            rows.append(_row(d, 1, 30, 28.0 + i))  # rotation, no row in the last game
            rows.append(_row(d, 4, 20, 15.0))  # rotation, a DNP row in the last game
        if i < 3:
            rows.append(_row(d, 3, 10, 12.0))  # never 15 minutes: not rotation
    rows.append(_row(DAYS[4], 4, 0, None, dnp=True))
    rows.append(_row(DAYS[0], 9, 35, 30.0, team="BOS"))  # another team
    return pd.DataFrame(rows)


def test_rotation_players_missing_from_a_game_with_their_usage():
    a = team_absences(_history())
    last = a[a["game_date"] == DAYS[4]].set_index("player_id")
    assert set(last.index) == {1, 4}  # not 2 (played), not 3 (not rotation)
    assert last.loc[1, "usage_l10"] == pytest.approx(np.mean([28, 29, 30, 31]))
    assert last.loc[4, "usage_l10"] == pytest.approx(15.0)
    assert a[a["game_date"] < DAYS[4]].empty
    # A new season starts over: last season's rotation is not missing from the opener.
    opener = pd.DataFrame([_row(pd.Timestamp("2025-10-22"), 2, 30, 20.0)])
    assert team_absences(pd.concat([_history(), opener], ignore_index=True))["game_date"].max() == DAYS[4]


def test_feature_sums_absent_teammates_once_without_the_player_himself_and_before_the_date_only():
    day = pd.Timestamp("2025-01-07")
    base = pd.DataFrame(
        {
            "game_date": day,
            "team_tricode": ["NYK", "NYK", "NYK", "BOS"],
            "player_id": [2, 1, 5, 9],
            "injury_status": [None, None, "out", None],
        }
    )
    usage10 = pd.Series([20.0, 29.5, 25.0, 30.0])
    out_flag = base["injury_status"].isin(["out", "doubtful"])
    got = teammate_usage_available(base, usage10, out_flag, _history())
    # Player 2: 1 (29.5) and 4 (15) missed the last game, 5 is OUT today (25).
    assert got[0] == pytest.approx(29.5 + 15 + 25)
    # Player 1 is back: his own absence is not his teammates'.
    assert got[1] == pytest.approx(15 + 25)
    assert got[2] == pytest.approx(29.5 + 15)
    assert got[3] == 0.0  # BOS: nobody missing
    # Rows dated on the date itself (a game tonight) change nothing: strictly before.
    tonight = pd.concat([_history(), pd.DataFrame([_row(day, 2, 30, 20.0)])], ignore_index=True)
    assert teammate_usage_available(base, usage10, out_flag, tonight).tolist() == got.tolist()
    # A team with neither history nor an injury report for the date: unknown, not 0.
    fresh = pd.DataFrame({"game_date": day, "team_tricode": ["LAL"], "player_id": [7], "injury_status": [None]})
    assert teammate_usage_available(fresh, pd.Series([20.0]), pd.Series([False]), _history()).isna().all()


def test_last_seasons_final_game_says_nothing_about_an_opener():
    opener = pd.Timestamp("2025-10-22")
    base = pd.DataFrame({"game_date": opener, "team_tricode": ["NYK"], "player_id": [2], "injury_status": [None]})
    got = teammate_usage_available(base, pd.Series([20.0]), pd.Series([False]), _history())
    # The team's last game (2025-01-05) had two absent rotation players, but in another season.
    assert got.isna().all()
