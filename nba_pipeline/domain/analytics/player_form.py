"""A player's form before an upcoming date, from his game history: rest, workload over 7 and 14
days, recent scoring and usage, and his streaks against the line."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from nba_pipeline.calendar import as_timestamps
from nba_pipeline.domain.betting import OVER, PICK_SIDES, UNDER

HISTORY_COLUMNS = [
    "player_id",
    "player_name",
    "player_lookup",
    "team_tricode",
    "game_date",
    "is_active",
    "is_dnp",
    "minutes",
    "points",
    "usage_rate",
    "over_under_result",
]


def prepared_history(player_history: pd.DataFrame) -> pd.DataFrame:
    """Player game rows in (player, date) order with their timestamp ``ts`` and date ``played_on``,
    prepared once for a range: a date's history is then a filter on ``ts`` that keeps this order."""
    history = player_history[HISTORY_COLUMNS]
    if history.empty:
        return history.assign(ts=pd.Series(dtype="datetime64[ns]"), played_on=pd.Series(dtype=object))
    ts = as_timestamps(history["game_date"])
    return history.assign(ts=ts, played_on=ts.dt.date).sort_values(["player_id", "ts"], kind="stable")


def _trailing_streak(results: pd.DataFrame, want: str) -> pd.Series:
    """Per player, how many of his latest OVER/UNDER results in a row were ``want`` (pushes neither
    count nor break a streak). ``results`` holds player_id and over_under_result in date order."""
    r = results[results["over_under_result"].isin(PICK_SIDES)].iloc[::-1]
    if r.empty:
        return pd.Series(dtype="int64")
    broken = (r["over_under_result"] != want).astype(int).groupby(r["player_id"]).cumsum()
    return (broken == 0).groupby(r["player_id"]).sum()


def player_form(history: pd.DataFrame, game_date: dt.date) -> pd.DataFrame:
    """Per player, from his games in ``history`` (``prepared_history`` rows strictly before
    ``game_date``): rest, workload windows, recent scoring, usage and prop streaks (one groupby per
    measure, not a loop per player)."""
    ts = pd.Timestamp(game_date)
    minutes = pd.to_numeric(history["minutes"], errors="coerce")
    act = history[history["is_active"].astype(bool) & (minutes.fillna(0) > 0)]
    nd = history[~history["is_dnp"].astype(bool)]
    pid = "player_id"
    w7 = act[act["ts"] >= ts - pd.Timedelta(days=7)]
    w14 = act[act["ts"] >= ts - pd.Timedelta(days=14)]
    b2b = w14["ts"].groupby(w14[pid]).diff().eq(pd.Timedelta(days=1)).groupby(w14[pid]).sum()
    l5, l10 = nd.groupby(pid).tail(5), nd.groupby(pid).tail(10)
    l7_active = act.groupby(pid).tail(7)
    return pd.DataFrame(
        {
            "last_played": act.groupby(pid)["ts"].max(),
            "games_last_7_days": w7.groupby(pid).size(),
            "games_last_14_days": w14.groupby(pid).size(),
            "minutes_last_7_days": pd.to_numeric(w7["minutes"], errors="coerce").groupby(w7[pid]).sum(),
            "minutes_last_14_days": pd.to_numeric(w14["minutes"], errors="coerce").groupby(w14[pid]).sum(),
            "avg_minutes_last_7_days": pd.to_numeric(w7["minutes"], errors="coerce").groupby(w7[pid]).mean(),
            "back_to_backs_last_14_days": b2b,
            "avg_usage_last_7_games": pd.to_numeric(l7_active["usage_rate"], errors="coerce")
            .groupby(l7_active[pid])
            .mean(),
            "points_avg_last_5": pd.to_numeric(l5["points"], errors="coerce").groupby(l5[pid]).mean(),
            "points_avg_last_10": pd.to_numeric(l10["points"], errors="coerce").groupby(l10[pid]).mean(),
            "games_used_last_5": l5.groupby(pid).size(),
            "games_used_last_10": l10.groupby(pid).size(),
            "prop_over_streak": _trailing_streak(history[[pid, "over_under_result"]], OVER),
            "prop_under_streak": _trailing_streak(history[[pid, "over_under_result"]], UNDER),
        }
    )
