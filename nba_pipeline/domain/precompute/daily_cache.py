"""Player daily cache (legacy-system.md 4): per expected player, scoring, minutes, usage and shooting
over windows of his played games ending before the date, and his team's pace, offensive rating and
blowout rate over its last 10 games."""

from __future__ import annotations

import numpy as np
import pandas as pd

from nba_pipeline.domain.history import asof, player_state_asof
from nba_pipeline.partitions import season_year

TEAM_WINDOW = 10
BLOWOUT_MARGIN = 15
_SEASON_COLUMNS = ("pts_season", "min_season", "usage_season", "games_season")
_TEAM_COLUMNS = ("team_pace_l10", "team_ortg_l10", "team_blowout_l10")


def _team_form(out: pd.DataFrame, offense_history: pd.DataFrame) -> pd.DataFrame:
    """Each row's team pace, offensive rating and blowout share over its last 10 games before the date."""
    if not len(offense_history):
        return pd.DataFrame({c: np.nan for c in _TEAM_COLUMNS}, index=out.index)
    off = offense_history.copy()
    off["game_date"] = pd.to_datetime(off["game_date"])
    off = off.sort_values(["team_tricode", "game_date"])
    grp = off.groupby("team_tricode")

    def rolling_mean(s: pd.Series) -> pd.Series:
        return s.rolling(TEAM_WINDOW, min_periods=1).mean()

    off["team_pace_l10"] = grp["pace"].transform(lambda s: rolling_mean(s.astype(float)))
    off["team_ortg_l10"] = grp["offensive_rating"].transform(lambda s: rolling_mean(s.astype(float)))
    off["team_blowout_l10"] = grp["margin"].transform(
        lambda s: rolling_mean((s.astype(float).abs() >= BLOWOUT_MARGIN).astype(float))
    )
    team_state = off[["team_tricode", "game_date", *_TEAM_COLUMNS]]
    matched = asof(team_state, out[["game_date", "team_tricode"]].reset_index(), "team_tricode").set_index("index")
    return pd.DataFrame({c: matched[c].reindex(out.index) for c in _TEAM_COLUMNS}, index=out.index)


def _age_and_zone(out: pd.DataFrame, rosters: pd.DataFrame, player_shot_zones: pd.DataFrame) -> pd.DataFrame:
    """The player's age from the rosters and his primary scoring zone of the date."""
    age = None
    if len(rosters):
        age = rosters.dropna(subset=["age"]).drop_duplicates("player_id", keep="last").set_index("player_id")["age"]
    out["player_age"] = out["player_id"].map(age) if age is not None else np.nan
    zone = (
        player_shot_zones.set_index(["game_date", "player_id"])["primary_scoring_zone"]
        if len(player_shot_zones)
        else None
    )
    out["primary_scoring_zone"] = [
        zone.get((pd.Timestamp(d), p)) if zone is not None else None
        for d, p in zip(pd.to_datetime(out["game_date"]), out["player_id"])
    ]
    return out


def player_daily_cache(
    upcoming_player_context: pd.DataFrame,
    player_history: pd.DataFrame,
    offense_history: pd.DataFrame,
    rosters: pd.DataFrame,
    player_shot_zones: pd.DataFrame,
) -> pd.DataFrame:
    """Per expected player and date: points over the last 3/5/10 played games and the season, std,
    minutes, usage, TS%, points per minute, team context, age and primary zone. Season values count
    only this season's games."""
    if upcoming_player_context.empty:
        return pd.DataFrame()
    state = player_state_asof(upcoming_player_context, player_history)
    out = upcoming_player_context[
        [
            "game_date",
            "player_id",
            "player_lookup",
            "team_tricode",
            "opponent_tricode",
            "games_last_7_days",
            "minutes_last_7_days",
        ]
    ].merge(state, on=["game_date", "player_id"], how="left")
    target_season = pd.to_datetime(out["game_date"]).map(lambda d: season_year(d.date()))
    same_season = out["state_season_year"] == target_season
    for c in _SEASON_COLUMNS:
        out[c] = out[c].where(same_season)
    out[list(_TEAM_COLUMNS)] = _team_form(out, offense_history)
    out = _age_and_zone(out, rosters, player_shot_zones)
    gs = out["games_season"].fillna(0)
    return out.assign(
        points_avg_last_3=out["pts_l3"],
        points_avg_last_5=out["pts_l5"],
        points_avg_last_10=out["pts_l10"],
        points_avg_season=out["pts_season"],
        points_std_last_10=out["pts_std_l10"],
        minutes_avg_last_10=out["min_l10"],
        minutes_std_last_10=out["min_std_l10"],
        minutes_avg_season=out["min_season"],
        usage_rate_last_5=out["usage_l5"],
        usage_rate_last_10=out["usage_l10"],
        usage_rate_season=out["usage_season"],
        ts_pct_last_10=out["ts_l10"],
        ppm_last_10=out["ppm_l10"],
        ftm_share_last_10=out["ftm_share_l10"],
        three_rate_last_10=out["three_rate_l10"],
        games_played_season=gs.astype(int),
        games_in_sample_l10=out["games_l10"].fillna(0).astype(int),
        team_pace_last_10=out["team_pace_l10"],
        team_off_rating_last_10=out["team_ortg_l10"],
        team_blowout_rate_last_10=out["team_blowout_l10"],
        pts_slope_last_10=out["pts_slope_l10"],
        pts_slope_last_7=out["pts_slope_l7"],
        over_rate_last_10=out["over_rate_l10"],
        margin_vs_line_last_5=out["margin_line_l5"],
        early_season_flag=gs < 10,
    )
