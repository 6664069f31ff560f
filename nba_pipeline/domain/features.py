"""The ml_feature_store_v2 contract (legacy-system.md 4.1) and its quality score (4.2).

Every feature has an index, a name, a meaning, a category and whether it is optional. Each row
stores the value, a per-feature quality (the legacy source weight) and the source it came from.
A value our sources cannot give is NULL with source "missing" (quality 0): never invented.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

FEATURE_VERSION = "v2_60features_nba_pipeline"


@dataclass(frozen=True)
class Feature:
    index: int
    name: str
    meaning: str
    category: str
    optional: bool = False
    available: bool = True  # False: our sources cannot provide it (always NULL / missing)


M, H, T, V, G = "matchup", "player_history", "team_context", "vegas", "game_context"

FEATURES: tuple[Feature, ...] = (
    Feature(0, "points_avg_last_5", "mean points, last 5 played games", H),
    Feature(1, "points_avg_last_10", "mean points, last 10 played games", H),
    Feature(2, "points_avg_season", "season mean of played games", H),
    Feature(3, "points_std_last_10", "std of points, last 10 (>= 2 games)", H),
    Feature(4, "games_in_last_7_days", "games played in the 7 days before the date", H),
    Feature(5, "fatigue_score", "0-100 fatigue (rest, load, back-to-backs, age)", M),
    Feature(6, "shot_zone_mismatch_score", "opponent weakness in the player's primary zone, +-10 "
            "(two measurable zones: three-point, two-point)", M),
    Feature(7, "pace_score", "pace differential / 2, +-3", M),
    Feature(8, "usage_spike_score", "(25 - usage last 7) x 0.3, star-out multiplier, +-3", M),
    Feature(9, "rest_advantage", "player days rest - opponent days rest, clamped +-2", G),
    Feature(10, "injury_risk", "available 0, probable 1, questionable 2, doubtful/out 3, none 0", G),
    Feature(11, "recent_trend", "mean of last 2 - mean of previous 3 of last 5, bucketed -2..2", G),
    Feature(12, "minutes_change", "(minutes L10 - season) / season, bucketed -2..2", G),
    Feature(13, "opponent_def_rating", "opponent defensive rating, last 15 games", M),
    Feature(14, "opponent_pace", "opponent possessions per game allowed, last 15", M),
    Feature(15, "home_away", "1 home, 0 away", G),
    Feature(16, "back_to_back", "1 if played the day before", G),
    Feature(17, "playoff_game", "1 if playoffs", G),
    Feature(18, "pct_paint", "share of shots in the paint, last 10 (needs play-by-play)", G, optional=True, available=False),
    Feature(19, "pct_mid_range", "share of mid-range shots, last 10 (needs play-by-play)", G, optional=True, available=False),
    Feature(20, "pct_three", "share of field-goal attempts from three, last 10", G),
    Feature(21, "pct_free_throw", "free-throw points / points, last 10 (>= 5 games else 0.15), 0-0.5", G),
    Feature(22, "team_pace", "team pace, last 10 games", T),
    Feature(23, "team_off_rating", "team offensive rating, last 10 games", T),
    Feature(24, "team_win_pct", "season win share (>= 5 games else 0.5)", T),
    Feature(25, "vegas_points_line", "latest pre-tip line (DraftKings > FanDuel > others)", V, optional=True),
    Feature(26, "vegas_opening_line", "earliest snapshot line, same book", V, optional=True),
    Feature(27, "vegas_line_move", "current - opening", V, optional=True),
    Feature(28, "has_vegas_line", "1 if a pre-tip line exists", V),
    Feature(29, "avg_points_vs_opponent", "mean points vs this opponent (fallback: season mean)", H),
    Feature(30, "games_vs_opponent", "games vs this opponent", H),
    Feature(31, "minutes_avg_last_10", "mean minutes, last 10 played games", H),
    Feature(32, "ppm_avg_last_10", "points per minute, last 10", H),
    Feature(33, "dnp_rate", "share of last 10 team games as DNP (>= 3 rows)", H),
    Feature(34, "pts_slope_10g", "OLS slope of points over last 10 (>= 5 games)", H),
    Feature(35, "pts_vs_season_zscore", "(L5 - season) / std L10, clamped +-3", H),
    Feature(36, "breakout_flag", "1 if L5 > season + 1.5 std", H),
    Feature(37, "star_teammates_out", "teammates OUT/DOUBTFUL averaging >= 18 PPG (or >= 28 MPG and >= 12)", H, optional=True),
    Feature(38, "game_total_line", "consensus game total", G, optional=True),
    Feature(39, "days_rest", "days since last game", G, optional=True),
    Feature(40, "minutes_load_last_7d", "minutes in the last 7 days", G, optional=True),
    Feature(41, "spread_magnitude", "abs(team spread)", G, optional=True),
    Feature(42, "implied_team_total", "(total - spread) / 2 for the team", G, optional=True),
    Feature(43, "points_avg_last_3", "mean points, last 3", H, optional=True),
    Feature(44, "scoring_trend_slope", "OLS slope of points over last 7 (>= 4 games)", H, optional=True),
    Feature(45, "deviation_from_avg_last3", "(L3 - 60-day mean) / 60-day std", H, optional=True),
    Feature(46, "consecutive_games_below_avg", "current streak of games below season mean", H, optional=True),
    Feature(47, "teammate_usage_available", "summed usage (L10) of rotation teammates OUT/DOUBTFUL or absent "
            "from the team's last game", G, optional=True),
    Feature(48, "usage_rate_last_5", "mean usage, last 5", H, optional=True),
    Feature(49, "games_since_structural_change", "games since a team change or a >= 14-day gap", H, optional=True),
    Feature(50, "multi_book_line_std", "std of the books' latest pre-tip lines", G, optional=True),
    Feature(51, "prop_over_streak", "consecutive games over the line", H, optional=True),
    Feature(52, "prop_under_streak", "consecutive games under the line", H, optional=True),
    Feature(53, "line_vs_season_avg", "f25 - f2", G, optional=True),
    Feature(54, "prop_line_delta", "current line - line at previous game (14-day lookback)", H, optional=True),
    Feature(55, "over_rate_last_10", "share of last 10 lined games over the line", H, optional=True),
    Feature(56, "margin_vs_line_avg_last_5", "mean (actual - line), last 5 lined games", H, optional=True),
    Feature(57, "blowout_minutes_risk", "share of team's last 10 games decided by 15+", T, optional=True),
    Feature(58, "minutes_volatility_last_10", "std of minutes, last 10", H, optional=True),
    Feature(59, "opponent_pace_mismatch", "f22 - f14", G, optional=True),
)
N_FEATURES = len(FEATURES)
FEATURE_NAMES = tuple(f.name for f in FEATURES)
FEATURE_INDEX = {f.name: f.index for f in FEATURES}
OPTIONAL = frozenset(f.index for f in FEATURES if f.optional)
UNAVAILABLE = tuple(f for f in FEATURES if not f.available)
CATEGORIES = ("matchup", "player_history", "team_context", "vegas", "game_context")

# Source weights (legacy quality_scorer.py).
SOURCE_WEIGHT = {"phase4": 100.0, "phase3": 87.0, "calculated": 100.0, "vegas": 100.0,
                 "opponent_history": 90.0, "season_fallback": 87.0, "default": 40.0, "missing": 0.0}


def value_col(i: int) -> str:
    return f"feature_{i}_value"


def value_column(name: str) -> str:
    """The stored value column of a feature, by name: "points_avg_last_5" -> "feature_0_value"."""
    return value_col(FEATURE_INDEX[name])


def quality_col(i: int) -> str:
    return f"feature_{i}_quality"


def source_col(i: int) -> str:
    return f"feature_{i}_source"


def tier(score: float) -> str:
    return "gold" if score >= 95 else "silver" if score >= 85 else "bronze" if score >= 70 else \
        "poor" if score >= 50 else "critical"


def score_quality(sources: pd.DataFrame) -> pd.DataFrame:
    """Quality fields from per-feature sources (columns 0..59 of source names).

    feature_quality_score = mean weight over features, skipping optional features that are
    missing/default; capped at 69 with >= 1 required default and at 49 with >= 5. A required
    feature that is missing counts as a required default. is_quality_ready = tier gold/silver/
    bronze, score >= 70, matchup >= 50 and no required default.
    """
    weights = sources.apply(lambda col: col.map(SOURCE_WEIGHT).fillna(0.0))
    is_default = sources.isin(["default", "missing"])
    optional_cols = [i for i in sources.columns if i in OPTIONAL]
    required_cols = [i for i in sources.columns if i not in OPTIONAL]
    counted = weights.copy()
    for i in optional_cols:
        counted.loc[is_default[i], i] = np.nan
    score = counted.mean(axis=1, skipna=True)
    required_defaults = is_default[required_cols].sum(axis=1)
    score = np.where(required_defaults >= 5, np.minimum(score, 49.0),
                     np.where(required_defaults >= 1, np.minimum(score, 69.0), score))
    out = pd.DataFrame(index=sources.index)
    out["feature_quality_score"] = np.round(score.astype(float), 2)
    out["quality_tier"] = [tier(s) for s in out["feature_quality_score"]]
    out["required_default_count"] = required_defaults.astype(int)
    out["default_feature_count"] = is_default.sum(axis=1).astype(int)
    out["default_feature_indices"] = [",".join(str(i) for i in sources.columns[row]) for row in is_default.values]
    for cat in CATEGORIES:
        idx = [f.index for f in FEATURES if f.category == cat]
        out[f"{cat}_quality"] = weights[idx].mean(axis=1).round(2)
    out["is_quality_ready"] = (
        out["quality_tier"].isin(["gold", "silver", "bronze"]) & (out["feature_quality_score"] >= 70)
        & (out["matchup_quality"] >= 50) & (out["required_default_count"] == 0)
    )
    out["is_training_ready"] = (out["quality_tier"].isin(["gold", "silver"]) & (out["matchup_quality"] >= 70)
                                & (out["player_history_quality"] >= 80))
    return out


def _bucket(x, hi2, hi1, lo1, lo2):
    if x is None or pd.isna(x):
        return np.nan
    return 2 if x >= hi2 else 1 if x >= hi1 else -2 if x <= lo2 else -1 if x <= lo1 else 0


INJURY_RISK = {"available": 0, "probable": 1, "questionable": 2, "doubtful": 3, "out": 3}


def _clamp(s: pd.Series, lo: float, hi: float) -> pd.Series:
    return s.clip(lower=lo, upper=hi)


def _teammate_usage_available(base: pd.DataFrame, usage10: pd.Series, out_flag: pd.Series,
                              pgs_hist: pd.DataFrame) -> pd.Series:
    """Summed usage of the player's absent rotation teammates: OUT/DOUBTFUL on the date's injury
    report (their last-10 usage), and rotation players who did not play in the team's last game
    before the date in the same season (history.team_absences; known before tip-off). A teammate in
    both counts once. NULL where the team has neither an injury report for the date nor a game
    before it this season."""
    from nba_pipeline.domain.history import season_years, team_absences

    key = ["game_date", "team_tricode"]
    injured = base.loc[out_flag, [*key, "player_id"]].assign(usage=usage10[out_flag])
    known = out_flag.groupby([base["game_date"], base["team_tricode"]]).transform("any") | base["injury_status"].notna()
    missed = pd.DataFrame(columns=[*key, "player_id", "usage"])
    if len(pgs_hist):
        ns = "datetime64[ns]"  # one resolution on both sides of the as-of join
        games = pgs_hist[["team_tricode", "game_date"]].drop_duplicates().assign(
            game_date=lambda x: pd.to_datetime(x["game_date"]).astype(ns))
        targets = base[key].drop_duplicates()
        last = pd.merge_asof(targets.assign(_d=pd.to_datetime(targets["game_date"]).astype(ns)).sort_values("_d"),
                             games.rename(columns={"game_date": "last_game"}).sort_values("last_game"),
                             left_on="_d", right_on="last_game", by="team_tricode",
                             allow_exact_matches=False).drop(columns="_d")
        # A new season starts over: last season's final game says nothing about tonight's opener.
        last = last[season_years(last["last_game"]) == season_years(last["game_date"])]
        known = known | base[key].merge(last, on=key, how="left")["last_game"].notna().to_numpy()
        # The last games before the earliest date and their 10-game windows lie well within 90 days.
        recent = pgs_hist[pd.to_datetime(pgs_hist["game_date"]) >= base["game_date"].min() - pd.Timedelta(days=90)]
        absent = team_absences(recent).rename(columns={"game_date": "last_game", "usage_l10": "usage"})
        absent["last_game"] = pd.to_datetime(absent["last_game"]).astype(ns)
        missed = last.merge(absent, on=["team_tricode", "last_game"])[[*key, "player_id", "usage"]]
    # An unknown usage adds nothing to a sum: 0, so no frame has an all-NULL column (pandas is
    # changing how concat types those); empty frames are left out for the same reason.
    parts = [x.assign(usage=pd.to_numeric(x["usage"], errors="coerce").fillna(0.0)) for x in (injured, missed) if len(x)]
    both = (pd.concat(parts, ignore_index=True).drop_duplicates([*key, "player_id"]) if parts
            else pd.DataFrame({"game_date": pd.Series(dtype="datetime64[ns]"), "team_tricode": pd.Series(dtype=object),
                               "player_id": pd.Series(dtype="int64"), "usage": pd.Series(dtype=float)}))
    total = base[key].merge(both.groupby(key, as_index=False)["usage"].sum(), on=key, how="left")["usage"]
    own = base[[*key, "player_id"]].merge(both, on=[*key, "player_id"], how="left")["usage"]
    value = (total.astype(float).fillna(0) - own.astype(float).fillna(0)).to_numpy()
    return pd.Series(value, index=base.index).where(known)


def build_feature_store(upgc: pd.DataFrame, pdc: pd.DataFrame, pcf: pd.DataFrame, psza: pd.DataFrame,
                        tdza: pd.DataFrame, utgc: pd.DataFrame, pgs_hist: pd.DataFrame,
                        line_std: pd.DataFrame) -> pd.DataFrame:
    """One row per UPGC player and date: 60 feature values with quality and source, and the
    quality fields. ``pgs_hist`` must hold only games before the earliest date in ``upgc``'s
    window for the date being built; lookups use strictly-earlier rows per date anyway."""
    from nba_pipeline.domain.history import asof, dnp_state, player_game_state_of

    if upgc.empty:
        return pd.DataFrame()
    key = ["game_date", "player_id"]
    base = upgc.copy()
    base["game_date"] = pd.to_datetime(base["game_date"])
    base["player_id"] = base["player_id"].astype("int64")

    def take(frame: pd.DataFrame, cols: list[str], on=key, rename=None) -> pd.DataFrame:
        if frame is None or frame.empty:
            return pd.DataFrame({c: pd.Series(dtype=float) for c in cols}, index=base.index)
        fr = frame.copy()
        fr["game_date"] = pd.to_datetime(fr["game_date"])
        if "player_id" in fr:
            fr["player_id"] = fr["player_id"].astype("int64")
        if rename:
            fr = fr.rename(columns=rename)
        merged = base[on].merge(fr[on + cols].drop_duplicates(on), on=on, how="left")
        merged.index = base.index
        return merged[cols]

    pdc_cols = ["points_avg_last_5", "points_avg_last_10", "points_avg_season", "points_std_last_10",
                "games_in_last_7_days", "team_pace_last_10", "team_off_rating_last_10", "minutes_avg_last_10",
                "minutes_avg_season", "ppm_last_10", "ftm_share_last_10", "games_in_sample_l10",
                "usage_rate_last_10", "team_blowout_rate_last_10", "games_played_season"]
    pdc_in = pdc.rename(columns={"games_last_7_days": "games_in_last_7_days"}) if len(pdc) else pdc
    P = take(pdc_in, pdc_cols)
    C = take(pcf, ["fatigue_score", "shot_zone_mismatch_score", "pace_score", "usage_spike_score"])
    Z = take(psza, ["three_rate_last_10"])
    O = take(tdza, ["defensive_rating_last_15", "opponent_pace"], on=["game_date", "opponent_tricode"],
             rename={"team_tricode": "opponent_tricode"})
    U = take(utgc, ["season_wins", "season_losses"], on=["game_date", "team_tricode"])
    L = take(line_std, ["line_std"], on=["game_date", "player_lookup"])

    st = player_game_state_of(base["player_id"], pgs_hist)
    state_cols = ["pts_l2", "pts_l3", "pts_l5", "pts_std_l10", "usage_l5", "pts_slope_l10", "pts_slope_l7",
                  "pts_mean_60d", "pts_std_60d", "below_avg_streak", "games_since_change", "last_line",
                  "last_line_date", "over_rate_l10", "margin_line_l5", "min_std_l10", "games_l10"]
    if len(st):
        S = asof(st[["player_id", "game_date", *state_cols]].assign(player_id=lambda x: x["player_id"].astype("int64")),
                 base[key].reset_index(), "player_id").set_index("index").reindex(base.index)
        dn = dnp_state(pgs_hist)
        DN = asof(dn.assign(player_id=dn["player_id"].astype("int64")), base[key].reset_index(),
                  "player_id").set_index("index").reindex(base.index)
    else:
        S = pd.DataFrame({c: np.nan for c in state_cols}, index=base.index)
        DN = pd.DataFrame({"dnp_rate_l10": np.nan, "rows_l10": np.nan}, index=base.index)

    # Points vs this opponent over the prior 365 days (played games only).
    vs_mean = pd.Series(np.nan, index=base.index)
    vs_n = pd.Series(0, index=base.index, dtype=float)
    if len(pgs_hist):
        h = pgs_hist[~pgs_hist["is_dnp"].astype(bool)][["player_id", "opponent_tricode", "game_date", "points"]].copy()
        h = h.rename(columns={"game_date": "met_on"}).assign(
            met_on=lambda x: pd.to_datetime(x["met_on"]).astype("datetime64[ns]"),
            player_id=lambda x: x["player_id"].astype("int64"), points=lambda x: x["points"].astype(float))
        # Every earlier meeting of each row's player and opponent in one join, not a loop over rows.
        met = (base[["player_id", "opponent_tricode", "game_date"]].assign(
            game_date=lambda x: x["game_date"].astype("datetime64[ns]")).rename_axis("row").reset_index()
            .merge(h, on=["player_id", "opponent_tricode"]))
        met = met[(met["met_on"] < met["game_date"]) & (met["met_on"] >= met["game_date"] - pd.Timedelta(days=365))]
        agg = met.groupby("row")["points"].agg(["mean", "count"])
        vs_mean.loc[agg.index] = agg["mean"].to_numpy()
        vs_n.loc[agg.index] = agg["count"].to_numpy(dtype=float)

    out_flag = base["injury_status"].isin(["out", "doubtful"])
    teammate_usage = _teammate_usage_available(base, P["usage_rate_last_10"], out_flag, pgs_hist)

    vals: dict[int, pd.Series] = {}
    srcs: dict[int, pd.Series] = {}

    def put(i: int, value, source: str, default=None, default_when=None):
        v = pd.Series(value, index=base.index, dtype="float64") if not isinstance(value, pd.Series) else value.astype("float64")
        src = pd.Series(source, index=base.index, dtype=object)
        missing = v.isna() if default_when is None else default_when
        if default is not None:
            v = v.where(~missing, default)
            src = src.where(~missing, "default")
        else:
            v = v.where(~missing)
            src = src.where(~missing, "missing")
        vals[i], srcs[i] = v, src

    put(0, P["points_avg_last_5"], "phase4")
    put(1, P["points_avg_last_10"], "phase4")
    put(2, P["points_avg_season"], "phase4")
    put(3, P["points_std_last_10"], "phase4")
    put(4, P["games_in_last_7_days"], "phase4")
    put(5, C["fatigue_score"], "phase4")
    put(6, C["shot_zone_mismatch_score"], "phase4")
    put(7, C["pace_score"], "phase4")
    put(8, C["usage_spike_score"], "phase4")
    rest_diff = pd.to_numeric(base["days_rest"], errors="coerce") - pd.to_numeric(base["opponent_days_rest"], errors="coerce")
    put(9, _clamp(rest_diff, -2, 2), "calculated", default=0.0)
    put(10, base["injury_status"].map(INJURY_RISK).fillna(0), "calculated")
    trend = S["pts_l2"] - (5 * S["pts_l5"] - 2 * S["pts_l2"]) / 3
    put(11, trend.map(lambda x: _bucket(x, 5, 2, -2, -5)), "calculated", default=0.0,
        default_when=(S["games_l10"].fillna(0) < 5))
    mchange = (P["minutes_avg_last_10"] - P["minutes_avg_season"]) / P["minutes_avg_season"].where(P["minutes_avg_season"] > 0)
    put(12, mchange.map(lambda x: _bucket(x, 0.2, 0.1, -0.1, -0.2)), "calculated", default=0.0)
    put(13, O["defensive_rating_last_15"], "phase4")
    put(14, O["opponent_pace"], "phase4")
    put(15, base["is_home"].astype(float), "phase3")
    put(16, base["back_to_back"].astype(float), "phase3")
    put(17, (base["season_phase"] == "playoffs").astype(float), "phase3")
    put(18, np.nan, "missing")
    put(19, np.nan, "missing")
    put(20, Z["three_rate_last_10"] / 100.0, "phase4")
    put(21, _clamp(P["ftm_share_last_10"], 0, 0.5), "calculated", default=0.15,
        default_when=P["ftm_share_last_10"].isna() | (P["games_in_sample_l10"].fillna(0) < 5))
    put(22, P["team_pace_last_10"], "phase4")
    put(23, P["team_off_rating_last_10"], "phase4")
    games = U["season_wins"].fillna(0) + U["season_losses"].fillna(0)
    put(24, U["season_wins"] / games.where(games > 0), "calculated", default=0.5, default_when=games < 5)
    line = pd.to_numeric(base["current_points_line"], errors="coerce")
    put(25, line, "vegas")
    put(26, pd.to_numeric(base["opening_points_line"], errors="coerce"), "vegas")
    put(27, pd.to_numeric(base["line_movement"], errors="coerce"), "calculated")
    put(28, line.notna().astype(float), "calculated")
    put(29, vs_mean, "opponent_history", default=None)
    # Legacy fallback: the season mean when the player has not met this opponent (a real value of
    # lower specificity, weighted like Phase 3, not a default).
    fallback = vs_mean.isna() & P["points_avg_season"].notna()
    vals[29] = vals[29].where(~fallback, P["points_avg_season"])
    srcs[29] = srcs[29].where(~fallback, "season_fallback")
    put(30, vs_n, "opponent_history")
    put(31, P["minutes_avg_last_10"], "phase4", default=28.0)
    put(32, P["ppm_last_10"], "phase4", default=0.4)
    put(33, DN["dnp_rate_l10"], "calculated", default=0.0, default_when=DN["rows_l10"].fillna(0) < 3)
    put(34, S["pts_slope_l10"], "calculated", default=0.0)
    z = (S["pts_l5"] - P["points_avg_season"]) / S["pts_std_l10"].where(S["pts_std_l10"] > 0)
    put(35, _clamp(z, -3, 3), "calculated", default=0.0)
    breakout = (S["pts_l5"] > P["points_avg_season"] + 1.5 * S["pts_std_l10"]).astype(float)
    put(36, breakout.where(z.notna()), "calculated", default=0.0)
    put(37, pd.to_numeric(base["star_teammates_out"], errors="coerce"), "phase3")
    total = pd.to_numeric(base["game_total"], errors="coerce")
    spread = pd.to_numeric(base["game_spread"], errors="coerce")
    put(38, total, "vegas")
    put(39, pd.to_numeric(base["days_rest"], errors="coerce"), "phase3")
    put(40, pd.to_numeric(base["minutes_last_7_days"], errors="coerce"), "phase3")
    put(41, spread.abs(), "vegas")
    put(42, (total - spread) / 2, "calculated")
    put(43, S["pts_l3"], "calculated")
    put(44, S["pts_slope_l7"], "calculated")
    put(45, (S["pts_l3"] - S["pts_mean_60d"]) / S["pts_std_60d"].where(S["pts_std_60d"] > 0), "calculated")
    put(46, S["below_avg_streak"], "calculated")
    put(47, teammate_usage, "calculated")
    put(48, S["usage_l5"], "calculated")
    put(49, S["games_since_change"], "calculated")
    put(50, L["line_std"], "vegas")
    put(51, pd.to_numeric(base["prop_over_streak"], errors="coerce"), "phase3")
    put(52, pd.to_numeric(base["prop_under_streak"], errors="coerce"), "phase3")
    put(53, line - P["points_avg_season"], "calculated")
    recent_line = (base["game_date"] - pd.to_datetime(S["last_line_date"])).dt.days <= 14
    put(54, (line - S["last_line"]).where(recent_line), "calculated")
    put(55, S["over_rate_l10"], "calculated")
    put(56, S["margin_line_l5"], "calculated")
    put(57, P["team_blowout_rate_last_10"], "calculated")
    put(58, S["min_std_l10"], "calculated")
    put(59, vals[22] - vals[14], "calculated")
    srcs[59] = srcs[59].where(vals[59].notna(), "missing")

    # Lines' consensus and prices came later than the rest: older context rows lack them.
    base = base.assign(**{c: base[c] if c in base else np.nan
                          for c in ("consensus_points_line", "line_over_price", "line_under_price")})
    out = base[["game_date", "game_id", "player_id", "player_lookup", "player_name", "team_tricode",
                "opponent_tricode", "is_home", "injury_status", "current_points_line", "consensus_points_line",
                "line_over_price", "line_under_price", "line_bookmaker",
                "line_snapshot_at", "line_minutes_before_tipoff"]].copy()
    sources = pd.DataFrame({i: srcs[i] for i in range(N_FEATURES)}, index=base.index)
    columns = {}
    for i in range(N_FEATURES):
        columns[value_col(i)] = vals[i]
        columns[quality_col(i)] = sources[i].map(SOURCE_WEIGHT).astype(float)
        columns[source_col(i)] = sources[i]
    out = pd.concat([out, pd.DataFrame(columns, index=base.index), score_quality(sources)], axis=1)
    out["has_vegas_line"] = line.notna()
    out["feature_count"] = N_FEATURES
    out["feature_version"] = FEATURE_VERSION
    out["early_season_flag"] = P["games_played_season"].fillna(0) < 10
    return out
