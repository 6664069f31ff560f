"""Player game summary (legacy-system.md 3.1): each player's completed game, DNP and inactive rows
included, with shooting, usage against his team's totals and the result against his closing line."""

from __future__ import annotations

import numpy as np
import pandas as pd

from nba_pipeline.domain import formulas as f
from nba_pipeline.domain.analytics.lines import closing_lines
from nba_pipeline.domain.betting import line_result

_SHOT_COLUMNS = ["pts", "fgm", "fga", "fg3m", "fg3a", "ftm", "fta", "tov"]
_TEAM_COLUMNS = ["team_fga", "team_fta", "team_tov", "team_win"]


def _box(player_box: pd.DataFrame) -> pd.DataFrame:
    """The box-score rows with minutes, status, the DNP rule and its reason, and shooting rates."""
    pgs = player_box.copy().reset_index(drop=True)
    pgs["game_date"] = pd.to_datetime(pgs["game_date"])
    pgs["minutes"] = pd.to_numeric(pgs["minutes_decimal"], errors="coerce").round(1)
    status = pgs["player_status"].fillna("active").str.lower()
    pgs["player_status"] = status
    pgs["is_active"] = status.eq("active")
    pgs["is_dnp"] = f.is_dnp(status, pgs["minutes"])
    pgs["dnp_reason_category"] = [
        None if a else f.dnp_reason_category(r) for r, a in zip(pgs["dnp_reason"], pgs["is_active"])
    ]
    for c in _SHOT_COLUMNS:
        pgs[c] = pd.to_numeric(pgs[c], errors="coerce").astype(float)
    pgs["points"] = pgs["pts"]
    pgs["efg_pct"] = f.effective_fg_pct(pgs["fgm"], pgs["fg3m"], pgs["fga"])
    pgs["ts_pct"] = f.true_shooting_pct(pgs["points"], pgs["fga"], pgs["fta"])
    return pgs


def _with_team(pgs: pd.DataFrame, offense: pd.DataFrame) -> pd.DataFrame:
    """Usage rate against the team's same-date totals, the team's result, and the quality flag."""
    if len(offense):
        team = offense[["game_date", "team_tricode", "fga", "fta", "tov", "win_flag"]].copy()
        team.columns = ["game_date", "team_tricode", *_TEAM_COLUMNS]
        team["game_date"] = pd.to_datetime(team["game_date"])
        pgs = pgs.merge(team, on=["game_date", "team_tricode"], how="left")
    else:
        for c in _TEAM_COLUMNS:
            pgs[c] = np.nan
    pgs["usage_rate"] = f.usage_rate(
        pgs["fga"], pgs["fta"], pgs["tov"], pgs["minutes"], pgs["team_fga"], pgs["team_fta"], pgs["team_tov"]
    )
    has_team = pd.to_numeric(pgs["team_fga"], errors="coerce").notna()
    pgs["data_quality_flag"] = np.where(
        ~has_team, "partial_no_team_stats", np.where(pgs["minutes"].isna() & pgs["is_active"], "partial", "complete")
    )
    # Legacy hard-coded win_flag FALSE; the team's result is the truth.
    pgs["win_flag"] = pgs["team_win"].map(lambda w: None if pd.isna(w) else bool(w))
    pgs["started"] = pgs["starter"]
    pgs["starter_flag"] = pgs["minutes"].fillna(0) > 20  # legacy proxy, kept for continuity
    return pgs


def _with_line(pgs: pd.DataFrame, odds: pd.DataFrame) -> pd.DataFrame:
    """The closing line (DraftKings > FanDuel > others) and the played points against it."""
    lines = closing_lines(odds)
    if len(lines):
        ln = lines[["game_date", "player_lookup", "points_line", "bookmaker"]].rename(
            columns={"bookmaker": "points_line_bookmaker"}
        )
        ln["game_date"] = pd.to_datetime(ln["game_date"])
        pgs = pgs.merge(ln, on=["game_date", "player_lookup"], how="left")
    else:
        pgs["points_line"] = np.nan
        pgs["points_line_bookmaker"] = None
    line = pd.to_numeric(pgs["points_line"], errors="coerce")
    pgs["over_under_result"] = line_result(pgs["points"].where(~pgs["is_dnp"]), line)
    pgs["margin_vs_line"] = (pgs["points"] - line).where(pgs["over_under_result"].notna())
    return pgs


def player_game_summary(player_box: pd.DataFrame, offense: pd.DataFrame, odds: pd.DataFrame) -> pd.DataFrame:
    """Player x completed game, DNP rows kept. Usage needs the team's row of the same date (team
    offense runs first; without it usage is NULL and the row is flagged, never guessed)."""
    if player_box.empty:
        return pd.DataFrame()
    pgs = _with_line(_with_team(_box(player_box), offense), odds)
    pgs["primary_source"] = pgs["source"]
    return pgs
