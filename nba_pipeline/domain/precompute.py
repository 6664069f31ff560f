"""Phase 4 precompute (legacy-system.md section 4): zone defense, shot profile, daily cache,
composite factors. Every value for analysis date D comes from games strictly before D.

Shot zones: our sources are box scores, not play-by-play, so paint and mid-range cannot be told
apart. We keep two zones we can measure (three-point and two-point attempts) and leave paint and
mid-range NULL, recorded as missing rather than invented.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nba_pipeline.domain.history import asof, player_game_state_of
from nba_pipeline.partitions import season_year

TDZA_GAMES = 15
# Rolling state columns of domain.history.player_game_state that Phase 4 reads.
STATE_COLUMNS = ("pts_l2", "pts_l3", "pts_l5", "pts_l10", "pts_std_l10", "min_l10", "min_std_l10", "usage_l5",
                 "usage_l7", "usage_l10", "ts_l10", "games_l10", "ppm_l10", "ftm_share_l10", "three_rate_l10",
                 "three_pct_l10", "two_pct_l10", "fta_rate_l10", "three_rate_l20", "pts_slope_l10", "pts_slope_l7",
                 "pts_season", "min_season", "usage_season", "games_season", "over_rate_l10", "margin_line_l5")
LEAGUE_WINDOW_DAYS = 30
TDZA_COLUMNS = ("game_date", "team_tricode", "games_in_sample", "defensive_rating_last_15", "opponent_points_per_game",
                "opponent_pace", "three_pct_allowed_last_15", "three_att_allowed_per_game", "two_pct_allowed_last_15",
                "two_att_allowed_per_game", "blocks_per_game", "steals_per_game", "league_three_pct_30d",
                "league_two_pct_30d", "three_defense_vs_league_avg", "two_defense_vs_league_avg",
                "paint_pct_allowed_last_15", "mid_pct_allowed_last_15", "weakest_zone", "strongest_zone", "data_quality")


def _dates(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s).dt.normalize()


def _nansum(values: np.ndarray) -> float:
    """pandas' Series.sum: NaN counts as 0 (the same additions, so the same float)."""
    return float(np.where(np.isnan(values), 0.0, values).sum())


def _nanmean(values: np.ndarray) -> float:
    """pandas' Series.mean: the sum with NaN as 0 over the count of values; NaN when there are none."""
    n = int((~np.isnan(values)).sum())
    return _nansum(values) / n if n else np.nan


def team_defense_zone_analysis(dates: list, teams_by_date: dict, defense_hist: pd.DataFrame) -> pd.DataFrame:
    """Team x analysis date for every team playing that date: last-15-game defense and the
    three/two-point percentages allowed against the league over the prior 30 days. The history is
    sorted once; a date's windows are slices of it that end before the date."""
    cols = ["opp_fgm", "opp_fga", "opp_fg3m", "opp_fg3a", "points_allowed", "defensive_rating", "opponent_pace",
            "blocks", "steals"]
    d = defense_hist if len(defense_hist) else pd.DataFrame(columns=["game_date", "defending_team_tricode", *cols])
    d = d.assign(_day=pd.to_datetime(d["game_date"]).to_numpy(dtype="datetime64[D]"),
                 **{c: pd.to_numeric(d[c], errors="coerce").astype(float) for c in cols})
    d = d.sort_values(["_day"], kind="stable")
    league_days = d["_day"].to_numpy()
    league = {c: d[c].to_numpy() for c in cols}
    teams = {}
    for team, g in d.groupby("defending_team_tricode", sort=False):
        teams[team] = (g["_day"].to_numpy(), {c: g[c].to_numpy() for c in cols})
    rows = []
    for day in dates:
        d64 = np.datetime64(day, "D")
        lo = np.searchsorted(league_days, d64 - np.timedelta64(LEAGUE_WINDOW_DAYS, "D"), side="left")
        hi = np.searchsorted(league_days, d64, side="left")
        lg = {c: v[lo:hi] for c, v in league.items()}
        lg3a = _nansum(lg["opp_fg3a"])
        lg3 = 100 * _nansum(lg["opp_fg3m"]) / lg3a if lg3a else np.nan
        lg2_att = _nansum(lg["opp_fga"] - lg["opp_fg3a"])
        lg2 = 100 * _nansum(lg["opp_fgm"] - lg["opp_fg3m"]) / lg2_att if lg2_att else np.nan
        for team in sorted(teams_by_date.get(day, ())):
            team_days, values = teams.get(team, (league_days[:0], None))
            end = int(np.searchsorted(team_days, d64, side="left"))
            n = min(end, TDZA_GAMES)
            if n == 0:
                rows.append({**dict.fromkeys(TDZA_COLUMNS), "game_date": day, "team_tricode": team,
                             "games_in_sample": 0, "data_quality": "missing"})
                continue
            g = {c: v[end - n:end] for c, v in values.items()}
            fg3a = _nansum(g["opp_fg3a"])
            three = 100 * _nansum(g["opp_fg3m"]) / fg3a if fg3a else np.nan
            two_att = _nansum(g["opp_fga"] - g["opp_fg3a"])
            two = 100 * _nansum(g["opp_fgm"] - g["opp_fg3m"]) / two_att if two_att else np.nan
            d3, d2 = three - lg3, two - lg2
            zones = {"three": d3, "two": d2}
            valid = {k: v for k, v in zones.items() if pd.notna(v)}
            rows.append({
                "game_date": day, "team_tricode": team, "games_in_sample": n,
                "defensive_rating_last_15": _nanmean(g["defensive_rating"]),
                "opponent_points_per_game": _nanmean(g["points_allowed"]),
                "opponent_pace": _nanmean(g["opponent_pace"]),
                "three_pct_allowed_last_15": three, "three_att_allowed_per_game": _nanmean(g["opp_fg3a"]),
                "two_pct_allowed_last_15": two, "two_att_allowed_per_game": _nanmean(g["opp_fga"] - g["opp_fg3a"]),
                "blocks_per_game": _nanmean(g["blocks"]), "steals_per_game": _nanmean(g["steals"]),
                "league_three_pct_30d": lg3, "league_two_pct_30d": lg2,
                "three_defense_vs_league_avg": d3, "two_defense_vs_league_avg": d2,
                "paint_pct_allowed_last_15": None, "mid_pct_allowed_last_15": None,
                # Positive delta = allows more than the league = weak zone.
                "weakest_zone": max(valid, key=valid.get) if valid else None,
                "strongest_zone": min(valid, key=valid.get) if valid else None,
                "data_quality": "complete" if n >= TDZA_GAMES else "limited",
            })
    return pd.DataFrame(rows, columns=list(TDZA_COLUMNS))


def primary_zone(three_rate: float) -> str | None:
    """Legacy: paint if paint >= 40%, perimeter if three >= 40%, mid if mid >= 35%, else balanced.
    With two measurable zones: perimeter if three >= 40%, interior if two-pointers >= 65%, else
    balanced."""
    if three_rate is None or pd.isna(three_rate):
        return None
    if three_rate >= 40:
        return "perimeter"
    if 100 - three_rate >= 65:
        return "interior"
    return "balanced"


def player_state_asof(players: pd.DataFrame, pgs_hist: pd.DataFrame) -> pd.DataFrame:
    """Each (game_date, player) of ``players`` joined to his rolling state before that date."""
    state = player_game_state_of(players["player_id"], pgs_hist)
    keep = ["player_id", "game_date", "season_year", *STATE_COLUMNS]
    targets = players[["game_date", "player_id"]].copy()
    targets["player_id"] = targets["player_id"].astype("int64")
    # reindex: a home's first date has no history, hence no state columns; its players join
    # NULL state (and their sample-size columns say so) instead of failing the date.
    st = state.reindex(columns=keep).rename(columns={"season_year": "state_season_year"})
    st["player_id"] = st["player_id"].astype("int64")
    merged = asof(st, targets, "player_id")
    merged["last_game_date"] = merged.pop("_d_state")
    return merged


def player_shot_zone_analysis(upgc: pd.DataFrame, pgs_hist: pd.DataFrame) -> pd.DataFrame:
    if upgc.empty:
        return pd.DataFrame()
    st = player_state_asof(upgc, pgs_hist)
    out = upgc[["game_date", "player_id", "player_lookup"]].merge(st, on=["game_date", "player_id"], how="left")
    n = out["games_l10"].fillna(0)
    out = out.assign(
        games_in_sample_l10=n.astype(int),
        three_rate_last_10=out["three_rate_l10"], three_pct_last_10=out["three_pct_l10"],
        two_rate_last_10=100 - out["three_rate_l10"], two_pct_last_10=out["two_pct_l10"],
        fta_rate_last_10=out["fta_rate_l10"], three_rate_last_20=out["three_rate_l20"],
        paint_rate_last_10=None, mid_range_rate_last_10=None,
        primary_scoring_zone=out["three_rate_l10"].map(primary_zone),
        sample_quality=np.select([n >= 10, n >= 7, n >= 5], ["excellent", "good", "limited"], "insufficient"),
        data_quality_tier=np.select([n >= 10, n >= 5], ["high", "medium"], "low"),
    )
    return out


def player_daily_cache(upgc: pd.DataFrame, pgs_hist: pd.DataFrame, offense_hist: pd.DataFrame,
                       rosters: pd.DataFrame, psza: pd.DataFrame) -> pd.DataFrame:
    if upgc.empty:
        return pd.DataFrame()
    st = player_state_asof(upgc, pgs_hist)
    out = upgc[["game_date", "player_id", "player_lookup", "team_tricode", "opponent_tricode",
                "games_last_7_days", "minutes_last_7_days"]].merge(st, on=["game_date", "player_id"], how="left")
    target_season = pd.to_datetime(out["game_date"]).map(lambda d: season_year(d.date()))
    same_season = out["state_season_year"] == target_season
    for c in ("pts_season", "min_season", "usage_season", "games_season"):
        out[c] = out[c].where(same_season)
    # Team pace / offensive rating over the team's last 10 games before the date.
    if len(offense_hist):
        off = offense_hist.copy()
        off["game_date"] = pd.to_datetime(off["game_date"])
        off = off.sort_values(["team_tricode", "game_date"])
        grp = off.groupby("team_tricode")
        off["team_pace_l10"] = grp["pace"].transform(lambda s: s.astype(float).rolling(10, min_periods=1).mean())
        off["team_ortg_l10"] = grp["offensive_rating"].transform(lambda s: s.astype(float).rolling(10, min_periods=1).mean())
        off["team_blowout_l10"] = grp["margin"].transform(
            lambda s: (s.astype(float).abs() >= 15).astype(float).rolling(10, min_periods=1).mean())
        tstate = off[["team_tricode", "game_date", "team_pace_l10", "team_ortg_l10", "team_blowout_l10"]]
        tm = asof(tstate, out[["game_date", "team_tricode"]].reset_index(), "team_tricode").set_index("index")
        for c in ("team_pace_l10", "team_ortg_l10", "team_blowout_l10"):
            out[c] = tm[c].reindex(out.index)
    else:
        out["team_pace_l10"] = out["team_ortg_l10"] = out["team_blowout_l10"] = np.nan
    age = None
    if len(rosters):
        age = rosters.dropna(subset=["age"]).drop_duplicates("player_id", keep="last").set_index("player_id")["age"]
    out["player_age"] = out["player_id"].map(age) if age is not None else np.nan
    zone = psza.set_index(["game_date", "player_id"])["primary_scoring_zone"] if len(psza) else None
    out["primary_scoring_zone"] = [zone.get((pd.Timestamp(d), p)) if zone is not None else None
                                   for d, p in zip(pd.to_datetime(out["game_date"]), out["player_id"])]
    gs = out["games_season"].fillna(0)
    return out.assign(
        points_avg_last_3=out["pts_l3"], points_avg_last_5=out["pts_l5"], points_avg_last_10=out["pts_l10"],
        points_avg_season=out["pts_season"], points_std_last_10=out["pts_std_l10"],
        minutes_avg_last_10=out["min_l10"], minutes_std_last_10=out["min_std_l10"],
        minutes_avg_season=out["min_season"], usage_rate_last_5=out["usage_l5"],
        usage_rate_last_10=out["usage_l10"], usage_rate_season=out["usage_season"], ts_pct_last_10=out["ts_l10"],
        ppm_last_10=out["ppm_l10"], ftm_share_last_10=out["ftm_share_l10"],
        three_rate_last_10=out["three_rate_l10"], games_played_season=gs.astype(int),
        games_in_sample_l10=out["games_l10"].fillna(0).astype(int),
        team_pace_last_10=out["team_pace_l10"], team_off_rating_last_10=out["team_ortg_l10"],
        team_blowout_rate_last_10=out["team_blowout_l10"],
        pts_slope_last_10=out["pts_slope_l10"], pts_slope_last_7=out["pts_slope_l7"],
        over_rate_last_10=out["over_rate_l10"], margin_vs_line_last_5=out["margin_line_l5"],
        early_season_flag=gs < 10,
    )


def fatigue_score(back_to_back, days_rest, games_7d, minutes_7d, avg_min_7d, b2b_14d, age) -> int:
    """Legacy fatigue (0-100): start 100; B2B -15 (else +5 if rest >= 3); >= 4 games in 7 d -10;
    > 240 min in 7 d -10; > 35 MPG last 7 d -8; B2Bs in 14 d: >= 2 -12, 1 -5; age >= 35 -10,
    >= 30 -5; clamp."""
    score = 100.0
    if back_to_back:
        score -= 15
    elif days_rest is not None and not pd.isna(days_rest) and days_rest >= 3:
        score += 5
    if (games_7d or 0) >= 4:
        score -= 10
    if (minutes_7d or 0) > 240:
        score -= 10
    if avg_min_7d is not None and not pd.isna(avg_min_7d) and avg_min_7d > 35:
        score -= 8
    b2b = b2b_14d or 0
    score -= 12 if b2b >= 2 else 5 if b2b == 1 else 0
    if age is not None and not pd.isna(age):
        score -= 10 if age >= 35 else 5 if age >= 30 else 0
    return int(max(0, min(100, round(score))))


def shot_zone_mismatch(zone: str | None, three_rate, opp_three_delta, opp_two_delta) -> float | None:
    """Opponent's vs-league delta in the player's primary zone x min(zone rate / 50, 1), x1.2 when
    |x| > 5, clamped to +-10. Two measurable zones (three-point, two-point); NULL without data."""
    if zone is None or three_rate is None or pd.isna(three_rate):
        return None
    if zone == "perimeter":
        delta, rate = opp_three_delta, three_rate
    elif zone == "interior":
        delta, rate = opp_two_delta, 100 - three_rate
    else:
        return 0.0 if pd.notna(opp_three_delta) else None
    if delta is None or pd.isna(delta):
        return None
    x = float(delta) * min(float(rate) / 50.0, 1.0)
    if abs(x) > 5:
        x *= 1.2
    return float(max(-10.0, min(10.0, x)))


def usage_spike(projected_usage, avg_usage_7, stars_out) -> float | None:
    """(projected usage [NULL -> 25] - avg usage last 7) x 0.3, x1.15 / x1.30 for 1 / >= 2 stars out
    when positive, clamped to +-3. Projected usage is NULL in legacy too (a TODO there), so 25."""
    if avg_usage_7 is None or pd.isna(avg_usage_7):
        return None
    proj = 25.0 if projected_usage is None or pd.isna(projected_usage) else float(projected_usage)
    x = (proj - float(avg_usage_7)) * 0.3
    if x > 0:
        x *= 1.30 if (stars_out or 0) >= 2 else 1.15 if (stars_out or 0) == 1 else 1.0
    return float(max(-3.0, min(3.0, x)))


def player_composite_factors(upgc: pd.DataFrame, pdc: pd.DataFrame, psza: pd.DataFrame, tdza: pd.DataFrame) -> pd.DataFrame:
    if upgc.empty:
        return pd.DataFrame()
    key = ["game_date", "player_id"]
    u = upgc.copy()
    u["game_date"] = pd.to_datetime(u["game_date"])
    p = pdc[key + ["player_age"]].copy() if len(pdc) else pd.DataFrame(columns=key + ["player_age"])
    z = psza[key + ["primary_scoring_zone", "three_rate_last_10"]].copy() if len(psza) else \
        pd.DataFrame(columns=key + ["primary_scoring_zone", "three_rate_last_10"])
    p["has_pdc"] = True
    for frame in (p, z):
        frame["game_date"] = pd.to_datetime(frame["game_date"])
    u = u.merge(p, on=key, how="left").merge(z, on=key, how="left")
    if len(tdza):
        opp = tdza[["game_date", "team_tricode", "three_defense_vs_league_avg", "two_defense_vs_league_avg"]].copy()
        opp["game_date"] = pd.to_datetime(opp["game_date"])
        opp = opp.rename(columns={"team_tricode": "opponent_tricode"})
        u = u.merge(opp, on=["game_date", "opponent_tricode"], how="left")
    else:
        u["three_defense_vs_league_avg"] = u["two_defense_vs_league_avg"] = np.nan
    rows = []
    for r in u.itertuples():
        fatigue = fatigue_score(r.back_to_back, r.days_rest, r.games_last_7_days, r.minutes_last_7_days,
                                r.avg_minutes_last_7_days, r.back_to_backs_last_14_days, r.player_age)
        mismatch = shot_zone_mismatch(r.primary_scoring_zone, r.three_rate_last_10,
                                      r.three_defense_vs_league_avg, r.two_defense_vs_league_avg)
        pace = None if pd.isna(r.pace_differential) else float(max(-3.0, min(3.0, r.pace_differential / 2)))
        spike = usage_spike(None, r.avg_usage_last_7_games, r.star_teammates_out)
        parts = [x for x in (mismatch, pace, spike) if x is not None]
        rows.append({
            "game_date": r.game_date, "player_id": r.player_id, "player_lookup": r.player_lookup,
            "team_tricode": r.team_tricode, "opponent_tricode": r.opponent_tricode,
            "fatigue_score": fatigue, "shot_zone_mismatch_score": mismatch, "pace_score": pace,
            "usage_spike_score": spike,
            # Referee, look-ahead, travel and opponent-strength adjustments are 0 placeholders in legacy.
            "total_composite_adjustment": float(sum(parts)) + (fatigue - 100) / 10.0,
            "fatigue_context_json": (f'{{"back_to_back": {str(bool(r.back_to_back)).lower()}, "days_rest": '
                                     f'{"null" if pd.isna(r.days_rest) else int(r.days_rest)}, "games_7d": '
                                     f'{int(r.games_last_7_days or 0)}}}'),
            "upstream_shot_zone_ready": pd.notna(r.primary_scoring_zone),
            "upstream_opponent_defense_ready": pd.notna(r.three_defense_vs_league_avg),
            "upstream_player_cache_ready": r.has_pdc is True,
        })
    return pd.DataFrame(rows)
