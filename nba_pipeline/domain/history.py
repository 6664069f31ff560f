"""Point-in-time history: rolling statistics of completed games, looked up as of a date.

Rolling values are computed once per game row ("state after this game"), then each upcoming date D
takes, per player or team, the last row strictly before D (``merge_asof`` with
``allow_exact_matches=False``). Nothing dated D or later can reach D's values.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def _slope(values: np.ndarray) -> float:
    values = values[~np.isnan(values)]
    n = len(values)
    if n < 2:
        return np.nan
    x = np.arange(n, dtype=float)
    x -= x.mean()
    return float((x * (values - values.mean())).sum() / (x * x).sum())


def rolling_slope(s: pd.Series, window: int, min_periods: int) -> pd.Series:
    return s.rolling(window, min_periods=min_periods).apply(_slope, raw=True)


def grouped_rolling_slope(values: pd.Series, groups: pd.Series, window: int, min_periods: int) -> pd.Series:
    """Least-squares slope of each group's last ``window`` values against 0..n-1, as
    ``rolling_slope`` per group, from rolling sums instead of a Python call per row. Windows that
    hold a missing value (rare: a played game without points) take the exact per-window path."""
    pos = values.groupby(groups, sort=False).cumcount().astype(float)
    filled = values.fillna(0.0)

    def rsum(s: pd.Series) -> pd.Series:
        return s.groupby(groups, sort=False).rolling(window, min_periods=1).sum().reset_index(level=0, drop=True)

    m = np.minimum(pos + 1, window)
    sy, sjy = rsum(filled), rsum(pos * filled)
    missing = rsum(values.isna().astype(float)).reindex(values.index)
    sy, sjy = sy.reindex(values.index), sjy.reindex(values.index)
    start = pos - m + 1
    num = (sjy - start * sy) - (m - 1) / 2 * sy
    den = m * (m * m - 1) / 12
    slope = (num / den).where(m >= max(2, min_periods))
    holes = missing > 0
    if holes.any():
        exact = values.groupby(groups, sort=False).transform(lambda s: rolling_slope(s, window, min_periods))
        slope = slope.where(~holes, exact)
    return slope


def _expanding_mean(values: pd.Series, groups: list[pd.Series]) -> pd.Series:
    """Mean of each group's values so far (missing values skipped), without a call per group."""
    by_sum = values.fillna(0.0).groupby(groups, sort=False).cumsum()
    by_n = values.notna().astype(float).groupby(groups, sort=False).cumsum()
    return by_sum / by_n.where(by_n > 0)


_NUMERIC = (
    "points",
    "minutes",
    "usage_rate",
    "ts_pct",
    "ftm",
    "fta",
    "fga",
    "fg3a",
    "fg3m",
    "fgm",
    "points_line",
    "margin_vs_line",
)
_STATE_SOURCE = [
    "player_id",
    "game_date",
    "team_tricode",
    "opponent_tricode",
    "points",
    "minutes",
    "usage_rate",
    "ts_pct",
    "ftm",
    "fta",
    "fga",
    "fg3a",
    "fg3m",
    "fgm",
    "points_line",
    "over_under_result",
    "margin_vs_line",
    "season_year",
]


def _rolling_form(g: pd.DataFrame) -> None:
    """Scoring, minutes, usage and shooting over each player's last 2..20 played games, and the
    slopes of his points."""
    by = g.groupby("player_id", sort=False)

    def roll(col, n, fn="mean", minp=1):
        return getattr(by[col].rolling(n, min_periods=minp), fn)().reset_index(level=0, drop=True)

    for n in (2, 3, 5, 10):
        g[f"pts_l{n}"] = roll("points", n)
    g["pts_std_l10"] = roll("points", 10, "std", 2)
    g["min_l10"] = roll("minutes", 10)
    g["min_std_l10"] = roll("minutes", 10, "std", 2)
    for n in (5, 7, 10):
        g[f"usage_l{n}"] = roll("usage_rate", n)
    g["ts_l10"] = roll("ts_pct", 10)
    g["games_l10"] = by["points"].rolling(10, min_periods=1).count().reset_index(level=0, drop=True)
    sums = {c: roll(c, 10, "sum") for c in ("points", "minutes", "ftm", "fta", "fga", "fg3a", "fg3m", "fgm")}
    g["ppm_l10"] = sums["points"] / sums["minutes"].where(sums["minutes"] > 0)
    g["ftm_share_l10"] = sums["ftm"] / sums["points"].where(sums["points"] > 0)
    g["three_rate_l10"] = 100 * sums["fg3a"] / sums["fga"].where(sums["fga"] > 0)
    g["three_pct_l10"] = 100 * sums["fg3m"] / sums["fg3a"].where(sums["fg3a"] > 0)
    g["two_pct_l10"] = (
        100 * (sums["fgm"] - sums["fg3m"]) / (sums["fga"] - sums["fg3a"]).where(sums["fga"] - sums["fg3a"] > 0)
    )
    g["fta_rate_l10"] = 100 * sums["fta"] / sums["fga"].where(sums["fga"] > 0)
    s20 = {c: roll(c, 20, "sum") for c in ("fga", "fg3a")}
    g["three_rate_l20"] = 100 * s20["fg3a"] / s20["fga"].where(s20["fga"] > 0)
    g["pts_slope_l10"] = grouped_rolling_slope(g["points"], g["player_id"], 10, 5)
    g["pts_slope_l7"] = grouped_rolling_slope(g["points"], g["player_id"], 7, 4)


def _season_to_date(g: pd.DataFrame) -> None:
    """Means and games so far within the game's season."""
    season_keys = [g["player_id"], g["season_year"]]
    g["pts_season"] = _expanding_mean(g["points"], season_keys)
    g["min_season"] = _expanding_mean(g["minutes"], season_keys)
    g["usage_season"] = _expanding_mean(g["usage_rate"], season_keys)
    g["games_season"] = g.groupby(["player_id", "season_year"], sort=False).cumcount() + 1


def _line_record(g: pd.DataFrame) -> None:
    """Share of the last 10 lined games that went over, margin vs line over the last 5."""
    over = (
        (g["over_under_result"] == "OVER").astype(float).where(g["over_under_result"].isin(["OVER", "UNDER", "PUSH"]))
    )
    by_player = g.assign(_over=over).groupby("player_id", sort=False)
    g["over_rate_l10"] = by_player["_over"].rolling(10, min_periods=1).mean().reset_index(level=0, drop=True)
    g["margin_line_l5"] = by_player["margin_vs_line"].rolling(5, min_periods=1).mean().reset_index(level=0, drop=True)


def _streaks(g: pd.DataFrame) -> None:
    """60-day scoring, the cold streak, games since a structural change and the last known line."""
    g["pts_mean_60d"] = (
        g.groupby("player_id").rolling("60D", on="game_date")["points"].mean().reset_index(level=0, drop=True).values
    )
    g["pts_std_60d"] = (
        g.groupby("player_id").rolling("60D", on="game_date")["points"].std().reset_index(level=0, drop=True).values
    )
    # Cold streak: consecutive most recent games below the season mean known before each game.
    prev_mean = g["pts_season"].groupby([g["player_id"], g["season_year"]], sort=False).shift(1)
    below = (g["points"] < prev_mean).astype(int)
    runs = ((below != below.shift()) | (g["player_id"] != g["player_id"].shift())).cumsum()
    g["below_avg_streak"] = below.groupby(runs).cumsum()
    # Structural change: a new team or a gap of 14+ days restarts the count.
    by = g.groupby("player_id", sort=False)
    prev_team = by["team_tricode"].shift()
    gap = by["game_date"].diff().dt.days
    restart = prev_team.isna() | (prev_team != g["team_tricode"]) | (gap >= 14)
    g["games_since_change"] = g.groupby(restart.cumsum()).cumcount() + 1
    # Last known line (for the line delta), carried forward with its date.
    lined = g["points_line"].notna()
    g["last_line"] = g["points_line"].where(lined)
    g["last_line_date"] = g["game_date"].where(lined)
    g[["last_line", "last_line_date"]] = g.groupby("player_id")[["last_line", "last_line_date"]].ffill()


def player_game_state(pgs: pd.DataFrame) -> pd.DataFrame:
    """Per played game (not DNP), the player's rolling state after that game."""
    if pgs.empty:
        return pd.DataFrame(columns=_STATE_SOURCE)
    g = pgs[~pgs["is_dnp"].astype(bool)].copy()
    g["game_date"] = pd.to_datetime(g["game_date"])
    g = g.sort_values(["player_id", "game_date"]).reset_index(drop=True)
    for c in _NUMERIC:
        g[c] = pd.to_numeric(g[c], errors="coerce").astype(float)
    for step in (_rolling_form, _season_to_date, _line_record, _streaks):
        step(g)
    return g


def player_game_state_of(players: pd.Series, pgs: pd.DataFrame) -> pd.DataFrame:
    """:func:`player_game_state` of the given players only. The state is per player (every window
    is over his own games), so other players' rows change nothing; a one-date run needs a few
    hundred players' year, not the league's. When none of them has played, the league's state
    (of no use to them, but the same shape the callers always saw)."""
    own = pgs[pgs["player_id"].isin(set(players))] if len(pgs) else pgs
    state = player_game_state(own)
    return state if len(state) else player_game_state(pgs)


# Rolling state columns of player_game_state that Phase 4 reads.
PHASE4_STATE_COLUMNS = (
    "pts_l2",
    "pts_l3",
    "pts_l5",
    "pts_l10",
    "pts_std_l10",
    "min_l10",
    "min_std_l10",
    "usage_l5",
    "usage_l7",
    "usage_l10",
    "ts_l10",
    "games_l10",
    "ppm_l10",
    "ftm_share_l10",
    "three_rate_l10",
    "three_pct_l10",
    "two_pct_l10",
    "fta_rate_l10",
    "three_rate_l20",
    "pts_slope_l10",
    "pts_slope_l7",
    "pts_season",
    "min_season",
    "usage_season",
    "games_season",
    "over_rate_l10",
    "margin_line_l5",
)


def player_state_asof(players: pd.DataFrame, player_history: pd.DataFrame) -> pd.DataFrame:
    """Each (game_date, player) of ``players`` joined to his rolling state before that date, with
    the date of that state (last_game_date) and its season (state_season_year)."""
    state = player_game_state_of(players["player_id"], player_history)
    keep = ["player_id", "game_date", "season_year", *PHASE4_STATE_COLUMNS]
    targets = players[["game_date", "player_id"]].copy()
    targets["player_id"] = targets["player_id"].astype("int64")
    # reindex: a home's first date has no history, hence no state columns; its players join
    # NULL state (and their sample-size columns say so) instead of failing the date.
    state = state.reindex(columns=keep).rename(columns={"season_year": "state_season_year"})
    state["player_id"] = state["player_id"].astype("int64")
    merged = asof(state, targets, "player_id")
    merged["last_game_date"] = merged.pop("_d_state")
    return merged


def asof(state: pd.DataFrame, targets: pd.DataFrame, by: str, target_date_col: str = "game_date") -> pd.DataFrame:
    """For each target row, the latest state row of the same ``by`` strictly before its date."""
    left = targets.copy()
    left["_d"] = pd.to_datetime(left[target_date_col])
    left = left.sort_values("_d")
    right = state.copy()
    right["_d_state"] = pd.to_datetime(right["game_date"])
    right = right.drop(columns=["game_date"]).sort_values("_d_state")
    left[by] = left[by].astype(right[by].dtype) if len(right) else left[by]
    merged = pd.merge_asof(
        left, right, left_on="_d", right_on="_d_state", by=by, allow_exact_matches=False, suffixes=("", "_hist")
    )
    return merged.drop(columns=["_d"])


def dnp_state(pgs: pd.DataFrame) -> pd.DataFrame:
    """Per game row (DNPs included), the share of the player's last 10 rows that were DNPs."""
    if pgs.empty:
        return pd.DataFrame(columns=["player_id", "game_date", "dnp_rate_l10", "rows_l10"])
    g = pgs[["player_id", "game_date", "is_dnp"]].copy()
    g["game_date"] = pd.to_datetime(g["game_date"])
    g = g.sort_values(["player_id", "game_date"]).reset_index(drop=True)
    g["is_dnp"] = g["is_dnp"].astype(float)
    rolling = g.groupby("player_id", sort=False)["is_dnp"].rolling(10, min_periods=1)
    g["dnp_rate_l10"] = rolling.mean().reset_index(level=0, drop=True)
    g["rows_l10"] = rolling.count().reset_index(level=0, drop=True)
    return g.drop(columns=["is_dnp"])


def season_years(days: pd.Series) -> pd.Series:
    """``partitions.season_year`` of each date of a column."""
    d = pd.to_datetime(days)
    return d.dt.year - (d.dt.month < 10)


ROTATION_MINUTES = 15.0
ROTATION_GAMES = 3
ROTATION_WINDOW = 10


def _window_sums(values: np.ndarray, lo: np.ndarray) -> np.ndarray:
    """Row r: the sum of ``values[lo[r]:r + 1]`` (per column), from one cumulative sum."""
    cum = np.vstack([np.zeros((1, values.shape[1])), np.cumsum(values, axis=0)])
    return cum[np.arange(1, len(values) + 1)] - cum[lo]


def team_absences(pgs: pd.DataFrame) -> pd.DataFrame:
    """Per team game: the rotation players who did not play in it (no row, or a DNP), with their mean
    usage over the games they played in the window. Rotation: >= 15 minutes in >= 3 of the team's
    last 10 games of the season, this one included (a new season starts over: last season's
    departures are not this season's absences). A star out for weeks shows here game after game,
    whether or not an injury report named him. Columns: team_tricode, game_date, player_id, usage_l10.

    One (team game x player) matrix for all teams at once; each 10-game window is a difference of
    cumulative sums that never reaches back past the team's first game of the season."""
    cols = ["team_tricode", "game_date", "player_id", "usage_l10"]
    if pgs.empty:
        return pd.DataFrame(columns=cols)
    g = pgs[["team_tricode", "game_date", "player_id", "minutes", "usage_rate", "is_dnp"]].copy()
    g["game_date"] = pd.to_datetime(g["game_date"])
    g["season_year"] = season_years(g["game_date"])
    g["minutes"] = pd.to_numeric(g["minutes"], errors="coerce")
    g["usage_rate"] = pd.to_numeric(g["usage_rate"], errors="coerce")
    games = pd.MultiIndex.from_frame(
        g[["team_tricode", "season_year", "game_date"]]
        .drop_duplicates()
        .sort_values(["team_tricode", "season_year", "game_date"])
    )
    played = g[~g["is_dnp"].astype(bool) & (g["minutes"] > 0)]
    if played.empty:
        return pd.DataFrame(columns=cols)
    index = ["team_tricode", "season_year", "game_date"]
    minutes = played.pivot_table(index=index, columns="player_id", values="minutes", aggfunc="max").reindex(games)
    usage = played.pivot_table(index=index, columns="player_id", values="usage_rate", aggfunc="max").reindex(
        index=games, columns=minutes.columns
    )
    # Row r's window: the team-season's games lo[r]..r, at most ROTATION_WINDOW of them.
    team, season = games.get_level_values(0).to_numpy(), games.get_level_values(1).to_numpy()
    row = np.arange(len(games))
    opens = np.r_[True, (team[1:] != team[:-1]) | (season[1:] != season[:-1])]
    start = np.maximum.accumulate(np.where(opens, row, 0))
    lo = np.maximum(row - (ROTATION_WINDOW - 1), start)
    m = minutes.to_numpy(dtype=float)
    u = usage.to_numpy(dtype=float)
    rotation = _window_sums((m >= ROTATION_MINUTES).astype(float), lo) >= ROTATION_GAMES
    missing = rotation & np.isnan(m)
    if not missing.any():
        return pd.DataFrame(columns=cols)
    known = ~np.isnan(u)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_usage = _window_sums(np.where(known, u, 0.0), lo) / _window_sums(known.astype(float), lo)
    rows, players = np.nonzero(missing)
    return pd.DataFrame(
        {
            "team_tricode": games.get_level_values(0)[rows],
            "game_date": games.get_level_values(2)[rows],
            "player_id": minutes.columns[players].astype("int64"),
            "usage_l10": mean_usage[rows, players],
        }
    )[cols]
