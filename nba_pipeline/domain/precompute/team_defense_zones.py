"""Team defense zone analysis (legacy-system.md 4): for every team playing on an analysis date, its
defense over its last 15 games before the date and the three- and two-point percentages it allowed
against the league's prior 30 days (positive = weak). Paint and mid-range need play-by-play: NULL."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

TEAM_GAMES = 15
LEAGUE_WINDOW_DAYS = 30
COLUMNS = (
    "game_date",
    "team_tricode",
    "games_in_sample",
    "defensive_rating_last_15",
    "opponent_points_per_game",
    "opponent_pace",
    "three_pct_allowed_last_15",
    "three_att_allowed_per_game",
    "two_pct_allowed_last_15",
    "two_att_allowed_per_game",
    "blocks_per_game",
    "steals_per_game",
    "league_three_pct_30d",
    "league_two_pct_30d",
    "three_defense_vs_league_avg",
    "two_defense_vs_league_avg",
    "paint_pct_allowed_last_15",
    "mid_pct_allowed_last_15",
    "weakest_zone",
    "strongest_zone",
    "data_quality",
)
_STATS = [
    "opp_fgm",
    "opp_fga",
    "opp_fg3m",
    "opp_fg3a",
    "points_allowed",
    "defensive_rating",
    "opponent_pace",
    "blocks",
    "steals",
]


def _nansum(values: np.ndarray) -> float:
    """pandas' Series.sum: NaN counts as 0 (the same additions, so the same float)."""
    return float(np.where(np.isnan(values), 0.0, values).sum())


def _nanmean(values: np.ndarray) -> float:
    """pandas' Series.mean: the sum with NaN as 0 over the count of values; NaN when there are none."""
    n = int((~np.isnan(values)).sum())
    return _nansum(values) / n if n else np.nan


def _shooting_allowed(g: dict) -> tuple[float, float]:
    """(three-point %, two-point %) the opponents shot in the games of ``g``."""
    fg3a = _nansum(g["opp_fg3a"])
    three = 100 * _nansum(g["opp_fg3m"]) / fg3a if fg3a else np.nan
    two_att = _nansum(g["opp_fga"] - g["opp_fg3a"])
    two = 100 * _nansum(g["opp_fgm"] - g["opp_fg3m"]) / two_att if two_att else np.nan
    return three, two


def _team_row(game_date: dt.date, team: str, g: dict, n: int, league: tuple[float, float]) -> dict:
    three, two = _shooting_allowed(g)
    d3, d2 = three - league[0], two - league[1]
    valid = {k: v for k, v in {"three": d3, "two": d2}.items() if pd.notna(v)}
    return {
        "game_date": game_date,
        "team_tricode": team,
        "games_in_sample": n,
        "defensive_rating_last_15": _nanmean(g["defensive_rating"]),
        "opponent_points_per_game": _nanmean(g["points_allowed"]),
        "opponent_pace": _nanmean(g["opponent_pace"]),
        "three_pct_allowed_last_15": three,
        "three_att_allowed_per_game": _nanmean(g["opp_fg3a"]),
        "two_pct_allowed_last_15": two,
        "two_att_allowed_per_game": _nanmean(g["opp_fga"] - g["opp_fg3a"]),
        "blocks_per_game": _nanmean(g["blocks"]),
        "steals_per_game": _nanmean(g["steals"]),
        "league_three_pct_30d": league[0],
        "league_two_pct_30d": league[1],
        "three_defense_vs_league_avg": d3,
        "two_defense_vs_league_avg": d2,
        "paint_pct_allowed_last_15": None,
        "mid_pct_allowed_last_15": None,
        # Positive delta = allows more than the league = weak zone.
        "weakest_zone": max(valid, key=valid.get) if valid else None,
        "strongest_zone": min(valid, key=valid.get) if valid else None,
        "data_quality": "complete" if n >= TEAM_GAMES else "limited",
    }


def team_defense_zone_analysis(
    game_dates: list[dt.date], teams_by_date: dict, defense_history: pd.DataFrame
) -> pd.DataFrame:
    """Team x analysis date for every team playing that date (``teams_by_date``). The history is
    sorted once; a date's windows are slices of it that end before the date."""
    d = (
        defense_history
        if len(defense_history)
        else pd.DataFrame(columns=["game_date", "defending_team_tricode", *_STATS])
    )
    d = d.assign(
        _day=pd.to_datetime(d["game_date"]).to_numpy(dtype="datetime64[D]"),
        **{c: pd.to_numeric(d[c], errors="coerce").astype(float) for c in _STATS},
    )
    d = d.sort_values(["_day"], kind="stable")
    league_days = d["_day"].to_numpy()
    league = {c: d[c].to_numpy() for c in _STATS}
    teams = {
        team: (g["_day"].to_numpy(), {c: g[c].to_numpy() for c in _STATS})
        for team, g in d.groupby("defending_team_tricode", sort=False)
    }
    rows = []
    for game_date in game_dates:
        d64 = np.datetime64(game_date, "D")
        lo = np.searchsorted(league_days, d64 - np.timedelta64(LEAGUE_WINDOW_DAYS, "D"), side="left")
        hi = np.searchsorted(league_days, d64, side="left")
        league_rates = _shooting_allowed({c: v[lo:hi] for c, v in league.items()})
        for team in sorted(teams_by_date.get(game_date, ())):
            team_days, values = teams.get(team, (league_days[:0], None))
            end = int(np.searchsorted(team_days, d64, side="left"))
            n = min(end, TEAM_GAMES)
            if n == 0:
                rows.append(
                    {
                        **dict.fromkeys(COLUMNS),
                        "game_date": game_date,
                        "team_tricode": team,
                        "games_in_sample": 0,
                        "data_quality": "missing",
                    }
                )
                continue
            rows.append(_team_row(game_date, team, {c: v[end - n : end] for c, v in values.items()}, n, league_rates))
    return pd.DataFrame(rows, columns=list(COLUMNS))
