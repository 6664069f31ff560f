"""Two real weeks of ../shared/data/real replayed through Phases 1-3, asserting real facts."""

import datetime as dt

import dagster as dg
import pandas as pd
import pytest

from nba_pipeline import keys
from nba_pipeline.warehouse import tables as t
from nba_pipeline_tests.conftest import make_pipeline

START, END = dt.date(2025, 3, 19), dt.date(2025, 4, 2)
JOKIC_NIGHT = dt.date(2025, 4, 1)
NOW = "2025-04-03T12:00:00-04:00"


@pytest.fixture(scope="module")
def replay(real_data, tmp_path_factory):
    from nba_pipeline.sources.historical import HistoricalSource

    p = make_pipeline(tmp_path_factory.mktemp("real"), HistoricalSource(root=str(real_data)), NOW)
    runs = p.run([keys.PHASE1, keys.PHASE2, keys.PHASE3], START, END, raise_on_error=False)
    return p, runs


def test_phases_1_to_3_succeed(replay):
    _, runs = replay
    # The first date has no earlier history, so its upcoming context can only warn; nothing fails.
    assert len(runs) == 1 and {s.group for s in runs[0].steps} == {keys.PHASE1, keys.PHASE2, keys.PHASE3}
    assert all(r.success for r in runs), [r.error for r in runs if not r.success]
    assert not runs[0].blocked


def test_jokic_61_in_the_140_139_loss_to_minnesota(replay):
    p, _ = replay
    pgs = p.read(t.PLAYER_GAME_SUMMARY, JOKIC_NIGHT, JOKIC_NIGHT)
    jokic = pgs[pgs["player_lookup"] == "nikolajokic"].iloc[0]
    assert jokic["points"] == 61 and jokic["team_tricode"] == "DEN" and jokic["opponent_tricode"] == "MIN"
    assert jokic["is_active"] and not jokic["is_dnp"] and not jokic["win_flag"]
    assert 0 < jokic["usage_rate"] <= 100
    off = p.read(t.TEAM_OFFENSE, JOKIC_NIGHT, JOKIC_NIGHT).set_index("team_tricode")
    assert off.loc["DEN", "points"] == 139 and off.loc["MIN", "points"] == 140
    assert off.loc["DEN", "overtime_periods"] == 2 and off.loc["DEN", "data_source"] == "team_boxscore"
    defense = p.read(t.TEAM_DEFENSE, JOKIC_NIGHT, JOKIC_NIGHT).set_index("defending_team_tricode")
    assert defense.loc["DEN", "points_allowed"] == 140


def test_every_final_game_has_player_and_team_rows(replay):
    p, _ = replay
    sched = p.read(t.NBAC_SCHEDULE, START, END)
    finals = sched[sched["game_status"] == 3]
    pgs = p.read(t.PLAYER_GAME_SUMMARY, START, END)
    off = p.read(t.TEAM_OFFENSE, START, END)
    assert len(finals) > 90
    assert set(finals["game_id"]) == set(pgs["game_id"]) == set(off["game_id"])
    assert (off.groupby("game_id").size() == 2).all()
    # Real DNP rows (inferred from team schedules in the real data) stay in, flagged.
    dnp_status = pgs["player_status"] == "dnp"
    assert dnp_status.sum() > 0 and pgs.loc[dnp_status, "is_dnp"].all() and pgs.loc[dnp_status, "points"].isna().all()
    usage = pgs["usage_rate"].dropna()
    assert ((usage > 0) & (usage <= 100)).all() and len(usage) > 0.9 * (~pgs["is_dnp"]).sum()


def test_upcoming_context_uses_only_earlier_games(replay):
    p, _ = replay
    upcoming_players = p.read(t.UPCOMING_PLAYER_CONTEXT, JOKIC_NIGHT, JOKIC_NIGHT).set_index("player_lookup")
    pgs = p.read(t.PLAYER_GAME_SUMMARY, START, JOKIC_NIGHT - dt.timedelta(days=1))
    played = pgs[(pgs["player_lookup"] == "nikolajokic") & ~pgs["is_dnp"]].sort_values("game_date")
    assert upcoming_players.loc["nikolajokic", "points_avg_last_5"] == pytest.approx(played["points"].tail(5).mean())
    assert upcoming_players.loc["nikolajokic", "days_rest"] == (JOKIC_NIGHT - played["game_date"].max().date()).days
    upcoming_teams = p.read(t.UPCOMING_TEAM_CONTEXT, JOKIC_NIGHT, JOKIC_NIGHT)
    assert (upcoming_teams.groupby("game_id").size() == 2).all()


def test_rematerializing_a_date_leaves_identical_row_counts(replay):
    p, _ = replay
    tables = [
        t.NBAC_SCHEDULE,
        t.NBAC_PLAYER_BOXSCORES,
        t.NBAC_TEAM_BOXSCORE,
        t.TEAM_OFFENSE,
        t.TEAM_DEFENSE,
        t.PLAYER_GAME_SUMMARY,
        t.UPCOMING_TEAM_CONTEXT,
        t.UPCOMING_PLAYER_CONTEXT,
    ]
    before = {s.address: p.warehouse.count_by_date(s, START, END) for s in tables}
    snapshot = p.read(t.PLAYER_GAME_SUMMARY, JOKIC_NIGHT, JOKIC_NIGHT).sort_values("player_id").reset_index(drop=True)
    for group in (keys.PHASE1, keys.PHASE2, keys.PHASE3):
        assert p.materialize(dg.AssetSelection.groups(group), JOKIC_NIGHT).success
    after = {s.address: p.warehouse.count_by_date(s, START, END) for s in tables}
    assert after == before
    again = p.read(t.PLAYER_GAME_SUMMARY, JOKIC_NIGHT, JOKIC_NIGHT).sort_values("player_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(again, snapshot)
