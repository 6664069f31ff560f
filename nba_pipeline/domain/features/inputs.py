"""What the feature computations read, aligned to the feature-store rows: for each upcoming player
and date, his rows of the precompute tables, his opponent's defense, his team's context, the books'
spread, and lookups in his history strictly before the date (rolling state, DNP rate, meetings with
the opponent, absent teammates).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from nba_pipeline.domain.history import asof, dnp_state, player_game_state_of, season_years, team_absences

KEY = ["game_date", "player_id"]
# Columns each input guarantees (NULL when the table has no row or no such column); every other
# column of the table is there too.
DAILY_CACHE_COLUMNS = [
    "points_avg_last_5",
    "points_avg_last_10",
    "points_avg_season",
    "points_std_last_10",
    "games_in_last_7_days",
    "team_pace_last_10",
    "team_off_rating_last_10",
    "minutes_avg_last_10",
    "minutes_avg_season",
    "ppm_last_10",
    "ftm_share_last_10",
    "games_in_sample_l10",
    "usage_rate_last_10",
    "team_blowout_rate_last_10",
    "games_played_season",
]
COMPOSITE_COLUMNS = ["fatigue_score", "shot_zone_mismatch_score", "pace_score", "usage_spike_score"]
SHOT_ZONE_COLUMNS = ["three_rate_last_10"]
OPPONENT_DEFENSE_COLUMNS = ["defensive_rating_last_15", "opponent_pace"]
TEAM_CONTEXT_COLUMNS = ["season_wins", "season_losses"]
STATE_COLUMNS = [
    "pts_l2",
    "pts_l3",
    "pts_l5",
    "pts_std_l10",
    "usage_l5",
    "pts_slope_l10",
    "pts_slope_l7",
    "pts_mean_60d",
    "pts_std_60d",
    "below_avg_streak",
    "games_since_change",
    "last_line",
    "last_line_date",
    "over_rate_l10",
    "margin_line_l5",
    "min_std_l10",
    "games_l10",
]
NOT_PLAYING = ["out", "doubtful"]
_NS = "datetime64[ns]"  # one resolution on both sides of an as-of join


@dataclass(frozen=True)
class FeatureInputs:
    """Everything a feature computation reads, each frame on the index of ``context`` (one row per
    feature-store row). ``values`` holds the features computed so far, by name."""

    context: pd.DataFrame  # the upcoming player context rows themselves
    daily_cache: pd.DataFrame
    composite_factors: pd.DataFrame
    shot_zones: pd.DataFrame
    opponent_defense: pd.DataFrame  # the opponent's team defense zone analysis
    team_context: pd.DataFrame  # the player's team's upcoming team context
    line_spread: pd.DataFrame  # line_std: the spread of the books' latest pre-tip lines
    state: pd.DataFrame  # his rolling state before the date (history.player_game_state)
    dnp: pd.DataFrame  # his DNP rate over his last 10 rows (history.dnp_state)
    vs_opponent: pd.DataFrame  # mean and count of his points against tonight's opponent
    teammate_usage: pd.Series  # usage of his absent rotation teammates (teammate_usage_available)
    values: dict[str, pd.Series] = field(default_factory=dict)

    @property
    def index(self) -> pd.Index:
        return self.context.index


def _take(
    base: pd.DataFrame, frame: pd.DataFrame | None, columns: list[str], on: list[str] = KEY, rename: dict | None = None
) -> pd.DataFrame:
    """``frame``'s row for each base row, matched on ``on``: ``columns`` (NULL without a row or a
    column) and every other column the frame has."""
    if frame is None or frame.empty:
        return pd.DataFrame({c: pd.Series(dtype=float) for c in columns}, index=base.index)
    fr = frame.rename(columns=rename) if rename else frame.copy()
    fr["game_date"] = pd.to_datetime(fr["game_date"])
    if "player_id" in fr:
        fr["player_id"] = fr["player_id"].astype("int64")
    fr = fr.assign(**{c: np.nan for c in columns if c not in fr})
    others = [c for c in fr.columns if c not in on and c not in columns]
    merged = base[on].merge(fr[on + columns + others].drop_duplicates(on), on=on, how="left")
    merged.index = base.index
    return merged[columns + others]


def _history_lookups(base: pd.DataFrame, player_history: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rolling state, DNP rate) of each row's player as of his last game strictly before the date."""
    state = player_game_state_of(base["player_id"], player_history)
    if not len(state):
        return (
            pd.DataFrame({c: np.nan for c in STATE_COLUMNS}, index=base.index),
            pd.DataFrame({"dnp_rate_l10": np.nan, "rows_l10": np.nan}, index=base.index),
        )
    targets = base[KEY].reset_index()
    state = (
        asof(state.assign(player_id=state["player_id"].astype("int64")), targets, "player_id")
        .set_index("index")
        .reindex(base.index)
    )
    dnp = dnp_state(player_history)
    dnp = (
        asof(dnp.assign(player_id=dnp["player_id"].astype("int64")), targets, "player_id")
        .set_index("index")
        .reindex(base.index)
    )
    return state, dnp


def points_vs_opponent(base: pd.DataFrame, player_history: pd.DataFrame) -> pd.DataFrame:
    """Mean and count of each row's player's points against tonight's opponent over the prior 365
    days (played games only): columns mean (NULL without a meeting) and count."""
    out = pd.DataFrame({"mean": np.nan, "count": pd.Series(0, index=base.index, dtype=float)}, index=base.index)
    if not len(player_history):
        return out
    h = player_history[~player_history["is_dnp"].astype(bool)][["player_id", "opponent_tricode", "game_date", "points"]]
    h = h.rename(columns={"game_date": "met_on"}).assign(
        met_on=lambda x: pd.to_datetime(x["met_on"]).astype(_NS),
        player_id=lambda x: x["player_id"].astype("int64"),
        points=lambda x: x["points"].astype(float),
    )
    # Every earlier meeting of each row's player and opponent in one join, not a loop over rows.
    met = (
        base[["player_id", "opponent_tricode", "game_date"]]
        .assign(game_date=lambda x: x["game_date"].astype(_NS))
        .rename_axis("row")
        .reset_index()
        .merge(h, on=["player_id", "opponent_tricode"])
    )
    met = met[(met["met_on"] < met["game_date"]) & (met["met_on"] >= met["game_date"] - pd.Timedelta(days=365))]
    agg = met.groupby("row")["points"].agg(["mean", "count"])
    out.loc[agg.index, "mean"] = agg["mean"].to_numpy()
    out.loc[agg.index, "count"] = agg["count"].to_numpy(dtype=float)
    return out


def _last_team_games(base: pd.DataFrame, player_history: pd.DataFrame) -> pd.DataFrame:
    """Each (date, team) of ``base`` with the team's last game before the date in the same season
    (column last_game; rows without one are left out)."""
    key = ["game_date", "team_tricode"]
    games = (
        player_history[["team_tricode", "game_date"]]
        .drop_duplicates()
        .assign(game_date=lambda x: pd.to_datetime(x["game_date"]).astype(_NS))
    )
    targets = base[key].drop_duplicates()
    last = pd.merge_asof(
        targets.assign(_d=pd.to_datetime(targets["game_date"]).astype(_NS)).sort_values("_d"),
        games.rename(columns={"game_date": "last_game"}).sort_values("last_game"),
        left_on="_d",
        right_on="last_game",
        by="team_tricode",
        allow_exact_matches=False,
    ).drop(columns="_d")
    # A new season starts over: last season's final game says nothing about tonight's opener.
    return last[season_years(last["last_game"]) == season_years(last["game_date"])]


def teammate_usage_available(
    base: pd.DataFrame, usage10: pd.Series, out_flag: pd.Series, player_history: pd.DataFrame
) -> pd.Series:
    """Summed usage of the player's absent rotation teammates: OUT/DOUBTFUL on the date's injury
    report (their last-10 usage), and rotation players who did not play in the team's last game
    before the date in the same season (history.team_absences; known before tip-off). A teammate in
    both counts once. NULL where the team has neither an injury report for the date nor a game
    before it this season."""
    key = ["game_date", "team_tricode"]
    injured = base.loc[out_flag, [*key, "player_id"]].assign(usage=usage10[out_flag])
    known = out_flag.groupby([base["game_date"], base["team_tricode"]]).transform("any") | base["injury_status"].notna()
    missed = pd.DataFrame(columns=[*key, "player_id", "usage"])
    if len(player_history):
        last = _last_team_games(base, player_history)
        known = known | base[key].merge(last, on=key, how="left")["last_game"].notna().to_numpy()
        # The last games before the earliest date and their 10-game windows lie well within 90 days.
        recent = player_history[
            pd.to_datetime(player_history["game_date"]) >= base["game_date"].min() - pd.Timedelta(days=90)
        ]
        absent = team_absences(recent).rename(columns={"game_date": "last_game", "usage_l10": "usage"})
        absent["last_game"] = pd.to_datetime(absent["last_game"]).astype(_NS)
        missed = last.merge(absent, on=["team_tricode", "last_game"])[[*key, "player_id", "usage"]]
    # An unknown usage adds nothing to a sum: 0, so no frame has an all-NULL column (pandas is
    # changing how concat types those); empty frames are left out for the same reason.
    parts = [
        x.assign(usage=pd.to_numeric(x["usage"], errors="coerce").fillna(0.0)) for x in (injured, missed) if len(x)
    ]
    both = (
        pd.concat(parts, ignore_index=True).drop_duplicates([*key, "player_id"])
        if parts
        else pd.DataFrame(
            {
                "game_date": pd.Series(dtype=_NS),
                "team_tricode": pd.Series(dtype=object),
                "player_id": pd.Series(dtype="int64"),
                "usage": pd.Series(dtype=float),
            }
        )
    )
    total = base[key].merge(both.groupby(key, as_index=False)["usage"].sum(), on=key, how="left")["usage"]
    own = base[[*key, "player_id"]].merge(both, on=[*key, "player_id"], how="left")["usage"]
    value = (total.astype(float).fillna(0) - own.astype(float).fillna(0)).to_numpy()
    return pd.Series(value, index=base.index).where(known)


def feature_inputs(
    upcoming_player_context: pd.DataFrame,
    player_daily_cache: pd.DataFrame,
    composite_factors: pd.DataFrame,
    player_shot_zones: pd.DataFrame,
    team_defense_zones: pd.DataFrame,
    upcoming_team_context: pd.DataFrame,
    player_history: pd.DataFrame,
    line_spread: pd.DataFrame,
) -> FeatureInputs:
    """The inputs of every upcoming player context row. ``player_history`` is player game history;
    each row's lookups use only the player's games strictly before its date."""
    base = upcoming_player_context.copy()
    base["game_date"] = pd.to_datetime(base["game_date"])
    base["player_id"] = base["player_id"].astype("int64")
    cache = (
        player_daily_cache.rename(columns={"games_last_7_days": "games_in_last_7_days"})
        if len(player_daily_cache)
        else player_daily_cache
    )
    daily_cache = _take(base, cache, DAILY_CACHE_COLUMNS)
    state, dnp = _history_lookups(base, player_history)
    return FeatureInputs(
        context=base,
        daily_cache=daily_cache,
        composite_factors=_take(base, composite_factors, COMPOSITE_COLUMNS),
        shot_zones=_take(base, player_shot_zones, SHOT_ZONE_COLUMNS),
        opponent_defense=_take(
            base,
            team_defense_zones,
            OPPONENT_DEFENSE_COLUMNS,
            on=["game_date", "opponent_tricode"],
            rename={"team_tricode": "opponent_tricode"},
        ),
        team_context=_take(base, upcoming_team_context, TEAM_CONTEXT_COLUMNS, on=["game_date", "team_tricode"]),
        line_spread=_take(base, line_spread, ["line_std"], on=["game_date", "player_lookup"]),
        state=state,
        dnp=dnp,
        vs_opponent=points_vs_opponent(base, player_history),
        teammate_usage=teammate_usage_available(
            base, daily_cache["usage_rate_last_10"], base["injury_status"].isin(NOT_PLAYING), player_history
        ),
    )
