"""Upcoming team context (legacy-system.md 3.5): each team of each upcoming game with its rest and
schedule density, season record and streak, travel and time-zone change, pace and ratings over its
last 10 games, the game's consensus spread and total, and its injured players. For date D only rows
dated strictly before D are used, so D's rows never depend on the range it is computed in.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from nba_pipeline.calendar import GameStatus, as_dates, as_timestamps, played_games
from nba_pipeline.domain.analytics.injuries import latest_injuries
from nba_pipeline.domain.analytics.lines import game_lines_for_date
from nba_pipeline.domain.teams import BY_TRICODE
from nba_pipeline.partitions import season_opener, season_year

EARTH_RADIUS_MILES = 3958.8
# The season's record counts from 30 days before the opener (preseason games are in the schedule).
SEASON_LEAD_DAYS = 30


def haversine_miles(a: str, b: str) -> float:
    ta, tb = BY_TRICODE[a], BY_TRICODE[b]
    lat1, lon1, lat2, lon2 = map(math.radians, (ta.latitude, ta.longitude, tb.latitude, tb.longitude))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return EARTH_RADIUS_MILES * 2 * math.asin(math.sqrt(h))


def _tz_offset_hours(tricode: str, game_date: dt.date) -> float:
    instant = dt.datetime.combine(game_date, dt.time(12), tzinfo=ZoneInfo(BY_TRICODE[tricode].timezone))
    return instant.utcoffset().total_seconds() / 3600


def team_games_long(schedule_history: pd.DataFrame) -> pd.DataFrame:
    """One row per team per scheduled game: (game_date, team, opponent, is_home, venue, result)."""
    if schedule_history.empty:
        return pd.DataFrame(columns=["game_date", "team", "opponent", "is_home", "venue", "final", "margin"])
    s = played_games(schedule_history)
    home = pd.DataFrame(
        {
            "game_date": as_dates(s["game_date"]),
            "team": s["home_team_tricode"],
            "opponent": s["away_team_tricode"],
            "is_home": True,
            "venue": s["home_team_tricode"],
            "final": s["game_status"] == GameStatus.FINAL,
            "margin": pd.to_numeric(s["home_team_score"]) - pd.to_numeric(s["away_team_score"]),
        }
    )
    away = pd.DataFrame(
        {
            "game_date": as_dates(s["game_date"]),
            "team": s["away_team_tricode"],
            "opponent": s["home_team_tricode"],
            "is_home": False,
            "venue": s["home_team_tricode"],
            "final": s["game_status"] == GameStatus.FINAL,
            "margin": pd.to_numeric(s["away_team_score"]) - pd.to_numeric(s["home_team_score"]),
        }
    )
    return pd.concat([home, away], ignore_index=True).sort_values(["team", "game_date"])


class _Timeline:
    """One team's rows in date order as arrays, so "its rows strictly before D" is a binary search
    instead of a filter of the whole history for every team and date."""

    def __init__(self, frame: pd.DataFrame, numeric: list[str], other: list[str]):
        self.game_dates = frame["game_date"].to_numpy(dtype="datetime64[D]")
        self.cols = {c: frame[c].to_numpy(dtype=float, na_value=np.nan) for c in numeric}
        self.cols.update({c: frame[c].to_numpy() for c in other})

    def before(self, game_date: np.datetime64) -> int:
        """How many rows are dated strictly before ``game_date`` (rows[:n] is its history)."""
        return int(np.searchsorted(self.game_dates, game_date, side="left"))

    def game_date(self, i: int) -> dt.date:
        return self.game_dates[i].item()


def _timelines(frame: pd.DataFrame, team_col: str, numeric: list[str], other: list[str] = ()) -> dict[str, _Timeline]:
    if frame.empty:
        return {}
    frame = frame.assign(game_date=as_timestamps(frame["game_date"])).sort_values(
        [team_col, "game_date"], kind="stable"
    )
    return {team: _Timeline(g, numeric, list(other)) for team, g in frame.groupby(team_col, sort=False)}


def _mean_last(timeline: _Timeline | None, end: int, col: str, n: int = 10):
    """Mean of the last ``n`` values before row ``end`` (NaN ignored); None when there are no rows."""
    if timeline is None or end == 0:
        return None
    values = timeline.cols[col][max(0, end - n) : end]
    values = values[~np.isnan(values)]
    return values.mean() if len(values) else np.nan


@dataclass(frozen=True)
class _DateContext:
    """What every team row of one upcoming date reads: the date, the teams' timelines and the
    date's injury report by team."""

    game_date: dt.date
    played: dict[str, _Timeline]
    offense: dict[str, _Timeline]
    defense: dict[str, _Timeline]
    injuries: dict[str, pd.DataFrame]

    @property
    def d64(self) -> np.datetime64:
        return np.datetime64(self.game_date, "D")

    @property
    def season_start(self) -> np.datetime64:
        opener = season_opener(season_year(self.game_date))
        return np.datetime64(opener - dt.timedelta(days=SEASON_LEAD_DAYS), "D")


def _days_rest(at: _DateContext, timeline: _Timeline | None) -> tuple[int, int | None]:
    """(games before the date, days since the last of them or None)."""
    end = timeline.before(at.d64) if timeline else 0
    return end, (at.game_date - timeline.game_date(end - 1)).days if end else None


def _season_record(timeline: _Timeline | None, start: int, end: int) -> tuple[int, int, int]:
    """(wins, losses, streak entering: +n won / -n lost in a row) of the final games in rows [start, end)."""
    if end > start:
        final = timeline.cols["final"][start:end].astype(bool)
        margins = timeline.cols["margin"][start:end][final]
    else:
        margins = np.array([], dtype=float)
    streak = 0
    for m in margins[::-1]:
        sign = 1 if m > 0 else -1
        if streak == 0 or np.sign(streak) == sign:
            streak += sign
        else:
            break
    return int((margins > 0).sum()), int((margins < 0).sum()), streak


def _game_line(line, is_home: bool) -> tuple[float | None, float | None]:
    """(the team's spread, the game total) from the game's consensus lines."""
    if line is None:
        return None, None
    hs = line.home_spread
    spread = (hs if is_home else -hs) if pd.notna(hs) else None
    return spread, line.game_total if pd.notna(line.game_total) else None


def _travel(at: _DateContext, timeline: _Timeline, last: int | None, venue: str) -> tuple[float | None, float | None]:
    """(miles from the last game's arena to tonight's, hours of time-zone change)."""
    if last is None:
        return None, None
    last_venue = timeline.cols["venue"][last]
    return (
        round(haversine_miles(last_venue, venue), 1),
        _tz_offset_hours(venue, at.game_date) - _tz_offset_hours(last_venue, at.game_date),
    )


def _team_row(at: _DateContext, g, team: str, opp: str, is_home: bool, line) -> dict:
    tg = at.played.get(team)
    end, days_rest = _days_rest(at, tg)
    start = min(tg.before(at.season_start), end) if tg else 0
    last = end - 1 if end else None
    wins, losses, streak = _season_record(tg, start, end)
    to, td = at.offense.get(team), at.defense.get(team)
    to_end, td_end = (to.before(at.d64) if to else 0), (td.before(at.d64) if td else 0)
    spread, total = _game_line(line, is_home)
    travel_miles, tz_change = _travel(at, tg, last, g.home_team_tricode)
    ti = at.injuries.get(team)
    last_margin = tg.cols["margin"][last] if last is not None else None
    return {
        "game_date": at.game_date,
        "game_id": g.game_id,
        "internal_game_id": g.internal_game_id,
        "team_tricode": team,
        "opponent_tricode": opp,
        "is_home": is_home,
        "tipoff_utc": g.tipoff_utc,
        "game_number_in_season": end - start + 1,
        "days_rest": days_rest,
        "is_back_to_back": days_rest == 1 if days_rest is not None else False,
        "games_last_7_days": end - min(tg.before(at.d64 - 7), end) if tg else 0,
        "games_last_14_days": end - min(tg.before(at.d64 - 14), end) if tg else 0,
        "opponent_days_rest": _days_rest(at, at.played.get(opp))[1],
        "streak_entering": streak,
        "last_game_margin": last_margin if last_margin is not None and pd.notna(last_margin) else None,
        "season_wins": wins,
        "season_losses": losses,
        "team_win_pct": wins / (wins + losses) if wins + losses else None,
        "travel_miles": travel_miles,
        "timezone_change_hours": tz_change,
        "pace_last_10": _mean_last(to, to_end, "pace"),
        "off_rating_last_10": _mean_last(to, to_end, "offensive_rating"),
        "def_rating_last_10": _mean_last(td, td_end, "defensive_rating"),
        "game_spread": spread,
        "game_total": total,
        "game_lines_source": "odds_api_consensus" if spread is not None or total is not None else None,
        "players_out": int(ti["injury_status"].isin(["out", "doubtful"]).sum()) if ti is not None else 0,
        "questionable_count": int(ti["injury_status"].eq("questionable").sum()) if ti is not None else 0,
    }


def _by_date(frame: pd.DataFrame) -> dict[dt.date, pd.DataFrame]:
    return {d: g for d, g in frame.groupby(as_dates(frame["game_date"]), sort=False)} if len(frame) else {}


def upcoming_team_contexts(
    game_dates: list[dt.date],
    schedule: pd.DataFrame,
    team_games: pd.DataFrame,
    offense_history: pd.DataFrame,
    defense_history: pd.DataFrame,
    game_lines: pd.DataFrame,
    injuries: pd.DataFrame,
) -> pd.DataFrame:
    """Each team of each game on each of ``game_dates`` (``schedule`` holds those dates' games).
    History is ``team_games`` (``team_games_long`` of the schedule) and the team offense/defense rows;
    for date D only rows dated strictly before D are used. ``game_lines`` and ``injuries`` are those
    of the dates themselves."""
    if schedule.empty:
        return pd.DataFrame()
    games_by = _by_date(played_games(schedule))
    played = _timelines(team_games, "team", ["margin"], ["final", "venue"])
    offense = _timelines(offense_history, "team_tricode", ["pace", "offensive_rating"])
    defense = _timelines(defense_history, "defending_team_tricode", ["defensive_rating"])
    lines = game_lines_for_date(game_lines)
    line_of = (
        {
            (d, r.home_team_tricode, r.away_team_tricode): r
            for d, r in zip(as_dates(lines["game_date"]), lines.itertuples())
        }
        if len(lines)
        else {}
    )
    injuries_by = _by_date(injuries)
    rows = []
    for game_date in game_dates:
        games = games_by.get(game_date)
        if games is None:
            continue
        first_tip = pd.to_datetime(games["tipoff_utc"], utc=True).min()
        inj = latest_injuries(injuries_by.get(game_date, injuries.iloc[0:0]), before=first_tip)
        at = _DateContext(
            game_date,
            played,
            offense,
            defense,
            {team: g for team, g in inj.groupby("team_tricode")} if len(inj) else {},
        )
        for g in games.itertuples():
            line = line_of.get((game_date, g.home_team_tricode, g.away_team_tricode))
            rows.append(_team_row(at, g, g.home_team_tricode, g.away_team_tricode, True, line))
            rows.append(_team_row(at, g, g.away_team_tricode, g.home_team_tricode, False, line))
    return pd.DataFrame(rows)
