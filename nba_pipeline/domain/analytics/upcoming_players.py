"""Upcoming player context (legacy-system.md 3.4): each expected player of each upcoming game with
his injury status, rest and workload, recent scoring, his pre-tip line (opening, current, consensus,
prices), prop streaks, the matchup's pace and ratings, and star teammates out. For date D only his
games strictly before D are used, so D's rows do not depend on the range.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from nba_pipeline.calendar import as_dates, played_games
from nba_pipeline.domain.analytics.injuries import latest_injuries
from nba_pipeline.domain.analytics.lines import closing_lines
from nba_pipeline.domain.analytics.player_form import player_form, prepared_history
from nba_pipeline.partitions import season_opener, season_year

NOT_PLAYING = ("out", "doubtful")
# A star: >= 18 points a game, or >= 28 minutes and >= 12 points, over >= 10 games this season.
STAR_MIN_GAMES, STAR_PPG, STAR_MPG, STAR_MPG_PPG = 10, 18, 28, 12
SEASON_LEAD_DAYS = 30  # the season's averages count from 30 days before the opener
OPENER_RECENT_DATES = 5  # a team nobody saw this month: its players of its last 5 game dates
_EXPECTED_COLUMNS = ["player_id", "team_tricode", "player_name", "player_lookup", "roster_source"]


def _add_from_history(
    expected: dict[int, tuple],
    game_date: dt.date,
    playing: dict,
    history: pd.DataFrame,
    roster_teams: set,
    lines: pd.DataFrame,
    recent_days: int,
) -> None:
    """Adds the players expected by history (a player already expected keeps his entry): those
    active in the last ``recent_days`` days for a team without a roster (their latest team), any
    player with a pre-tip line whose latest team plays, and for a team nobody saw this month (a
    season opener) its players of its latest games."""
    if not len(history):
        return
    latest = history.groupby("player_id").tail(1)
    recent = history[
        (history["played_on"] >= game_date - dt.timedelta(days=recent_days)) & history["is_active"].astype(bool)
    ]
    active_ids = set(recent["player_id"])
    for r in latest.itertuples():
        if r.team_tricode in playing and r.team_tricode not in roster_teams and r.player_id in active_ids:
            expected.setdefault(int(r.player_id), (r.team_tricode, r.player_name, r.player_lookup, "recent_box_scores"))
    by_lookup = latest.drop_duplicates("player_lookup", keep="last").set_index("player_lookup").to_dict("index")
    for r in lines.itertuples():
        p = by_lookup.get(r.player_lookup)
        if p and p["team_tricode"] in playing and p["team_tricode"] in (r.home_team_tricode, r.away_team_tricode):
            expected.setdefault(
                int(p["player_id"]), (p["team_tricode"], p["player_name"], r.player_lookup, "prop_line")
            )
    # Season openers: nobody played in the last month, so take each team's players from its most
    # recent games, however old (off-season moves are corrected by rosters and lines).
    for team in set(playing) - {v[0] for v in expected.values()} - roster_teams:
        team_rows = history[history["team_tricode"] == team]
        recent_dates = sorted(set(team_rows["played_on"]))[-OPENER_RECENT_DATES:]
        last_games = team_rows[team_rows["played_on"].isin(recent_dates) & team_rows["is_active"].astype(bool)]
        current = set(latest.loc[latest["team_tricode"] == team, "player_id"])
        for r in last_games.drop_duplicates("player_id").itertuples():
            if r.player_id in current:
                expected.setdefault(int(r.player_id), (team, r.player_name, r.player_lookup, "recent_box_scores"))


def expected_players(
    game_date: dt.date,
    playing: dict,
    history: pd.DataFrame,
    rosters: pd.DataFrame,
    lines: pd.DataFrame,
    recent_days: int,
) -> pd.DataFrame:
    """Who is expected to play: the date's roster of a team when scraped, else the players
    ``_add_from_history`` finds. Columns: _EXPECTED_COLUMNS."""
    expected: dict[int, tuple] = {}  # player_id -> (team, name, lookup, source)
    if len(rosters):
        for r in rosters[rosters["team_tricode"].isin(playing)].itertuples():
            expected[int(r.player_id)] = (r.team_tricode, r.player_name, r.player_lookup, "roster")
    roster_teams = set(rosters["team_tricode"]) if len(rosters) else set()
    _add_from_history(expected, game_date, playing, history, roster_teams, lines, recent_days)
    return pd.DataFrame([(pid, *v) for pid, v in expected.items()], columns=_EXPECTED_COLUMNS)


def _stars(game_date: dt.date, history: pd.DataFrame) -> set:
    """The lookups of the season's stars (STAR_* thresholds) as of the date."""
    season_start = season_opener(season_year(game_date)) - dt.timedelta(days=SEASON_LEAD_DAYS)
    played = (
        history[(~history["is_dnp"].astype(bool)) & (history["played_on"] >= season_start)] if len(history) else history
    )
    if not len(played):
        return set()
    stats = played.groupby("player_lookup").agg(
        ppg=("points", "mean"), mpg=("minutes", "mean"), games=("points", "size")
    )
    star = (stats["games"] >= STAR_MIN_GAMES) & (
        (stats["ppg"] >= STAR_PPG) | ((stats["mpg"] >= STAR_MPG) & (stats["ppg"] >= STAR_MPG_PPG))
    )
    return set(stats.index[star])


def _stars_out_by_team(injuries: pd.DataFrame, stars: set) -> dict[str, tuple[int, int]]:
    """Per team: (stars OUT/DOUBTFUL, stars QUESTIONABLE) on the injury report."""
    out: dict[str, tuple[int, int]] = {}
    if len(injuries):
        for team, grp in injuries[injuries["player_lookup"].isin(stars)].groupby("team_tricode"):
            out[team] = (
                int(grp["injury_status"].isin(NOT_PLAYING).sum()),
                int((grp["injury_status"] == "questionable").sum()),
            )
    return out


def _records(frame: pd.DataFrame, key: str, keep: str = "first") -> dict:
    return frame.drop_duplicates(key, keep=keep).set_index(key).to_dict("index") if len(frame) else {}


@dataclass(frozen=True)
class _DateContext:
    """What every player row of one upcoming date reads, keyed for lookups."""

    game_date: dt.date
    playing: dict  # team -> (game, opponent, is_home)
    lines: dict  # player_lookup -> closing line record
    injuries: dict  # player_lookup -> latest injury record
    team_context: dict  # team -> upcoming team context record
    stars: set
    stars_out: dict  # team -> (out, questionable)

    def pick(self, records: dict, key, col):
        return records[key][col] if key in records else None


def _num(value, default=None):
    return default if value is None or pd.isna(value) else value


def _season_phase(season_type: str) -> str:
    return (
        "playoffs"
        if season_type in ("Playoffs", "PlayIn")
        else "preseason"
        if season_type == "Pre Season"
        else "regular_season"
    )


def _stars_missing(at: _DateContext, r, status) -> tuple[int, int]:
    stars_out, stars_q = at.stars_out.get(r.team_tricode, (0, 0))
    if status is not None and r.player_lookup in at.stars:
        # The player himself is not his own teammate.
        stars_out -= int(status in NOT_PLAYING)
        stars_q -= int(status == "questionable")
    return max(stars_out, 0), max(stars_q, 0)


def _form_fields(at: _DateContext, r) -> dict:
    last = r.last_played
    days_rest = (at.game_date - last.date()).days if pd.notna(last) else None
    n10 = 0 if pd.isna(r.games_used_last_10) else int(r.games_used_last_10)
    return {
        "days_rest": days_rest,
        "back_to_back": days_rest == 1 if days_rest is not None else False,
        "games_last_7_days": int(_num(r.games_last_7_days, 0)),
        "games_last_14_days": int(_num(r.games_last_14_days, 0)),
        "minutes_last_7_days": float(_num(r.minutes_last_7_days, 0.0)),
        "minutes_last_14_days": float(_num(r.minutes_last_14_days, 0.0)),
        "avg_minutes_last_7_days": _num(r.avg_minutes_last_7_days),
        "back_to_backs_last_14_days": int(_num(r.back_to_backs_last_14_days, 0)),
        "avg_usage_last_7_games": _num(r.avg_usage_last_7_games),
        "points_avg_last_5": _num(r.points_avg_last_5),
        "points_avg_last_10": _num(r.points_avg_last_10) if n10 else None,
        "games_used_last_5": int(_num(r.games_used_last_5, 0)),
        "games_used_last_10": n10,
        "sample_quality": "excellent"
        if n10 >= 10
        else "good"
        if n10 >= 7
        else "limited"
        if n10 >= 5
        else "insufficient",
    }


def _line_fields(at: _DateContext, lookup: str) -> dict:
    has_line = lookup in at.lines
    opening, current = at.pick(at.lines, lookup, "opening_line"), at.pick(at.lines, lookup, "points_line")
    line = {
        c: at.pick(at.lines, lookup, src)
        for c, src in (
            ("line_bookmaker", "bookmaker"),
            ("line_snapshot_at", "snapshot_timestamp"),
            ("line_minutes_before_tipoff", "minutes_before_tipoff"),
        )
    }
    return {
        "has_prop_line": has_line,
        "current_points_line": current,
        "opening_points_line": opening,
        "line_movement": (current - opening) if has_line and pd.notna(opening) else None,
        **line,
        "line_book_count": at.pick(at.lines, lookup, "book_count") if has_line else 0,
        "consensus_points_line": at.pick(at.lines, lookup, "consensus_line"),
        "line_over_price": at.pick(at.lines, lookup, "over_price"),
        "line_under_price": at.pick(at.lines, lookup, "under_price"),
    }


def _matchup_fields(at: _DateContext, team: str, opp: str) -> dict:
    ctx = at.team_context
    t_pace, o_pace = at.pick(ctx, team, "pace_last_10"), at.pick(ctx, opp, "pace_last_10")
    return {
        "pace_differential": (t_pace - o_pace)
        if t_pace is not None and o_pace is not None and pd.notna(t_pace) and pd.notna(o_pace)
        else None,
        "opponent_def_rating_last_10": at.pick(ctx, opp, "def_rating_last_10"),
        "opponent_off_rating_last_10": at.pick(ctx, opp, "off_rating_last_10"),
        "opponent_days_rest": at.pick(ctx, team, "opponent_days_rest"),
        "game_spread": at.pick(ctx, team, "game_spread"),
        "game_total": at.pick(ctx, team, "game_total"),
    }


def _player_row(at: _DateContext, r) -> dict:
    g, opp, is_home = at.playing[r.team_tricode]
    status = at.pick(at.injuries, r.player_lookup, "injury_status")
    stars_out, stars_q = _stars_missing(at, r, status)
    form = _form_fields(at, r)
    return {
        "game_date": at.game_date,
        "game_id": g.game_id,
        "internal_game_id": g.internal_game_id,
        "player_id": r.player_id,
        "player_lookup": r.player_lookup,
        "player_name": r.player_name,
        "team_tricode": r.team_tricode,
        "opponent_tricode": opp,
        "is_home": is_home,
        "tipoff_utc": g.tipoff_utc,
        "roster_source": r.roster_source,
        "injury_status": status,
        "injury_reason": at.pick(at.injuries, r.player_lookup, "reason"),
        **form,
        **_line_fields(at, r.player_lookup),
        "prop_over_streak": int(_num(r.prop_over_streak, 0)),
        "prop_under_streak": int(_num(r.prop_under_streak, 0)),
        **_matchup_fields(at, r.team_tricode, opp),
        "star_teammates_out": stars_out,
        "questionable_star_teammates": stars_q,
        "season_phase": _season_phase(getattr(g, "season_type", "Regular Season") or "Regular Season"),
        "is_production_ready": form["games_used_last_10"] >= 5,
    }


def _upcoming_players(
    game_date: dt.date,
    schedule: pd.DataFrame,
    history: pd.DataFrame,
    team_context: pd.DataFrame,
    rosters: pd.DataFrame,
    injuries: pd.DataFrame,
    lines: pd.DataFrame,
    recent_days: int,
) -> list[dict]:
    """The rows of ``game_date``. ``history``: ``prepared_history`` rows before the date; the other
    frames hold the date's rows (``lines``: its ``closing_lines``)."""
    games = played_games(schedule)
    if games.empty:
        return []
    playing = {}
    for g in games.itertuples():
        playing[g.home_team_tricode] = (g, g.away_team_tricode, True)
        playing[g.away_team_tricode] = (g, g.home_team_tricode, False)
    expected = expected_players(game_date, playing, history, rosters, lines, recent_days)
    if expected.empty:
        return []
    inj = latest_injuries(injuries, before=pd.to_datetime(games["tipoff_utc"], utc=True).min())
    stars = _stars(game_date, history)
    form = player_form(history, game_date) if len(history) else pd.DataFrame()
    expected = (
        expected.join(form, on="player_id")
        if len(form)
        else expected.reindex(columns=[*expected.columns, *player_form(history.iloc[0:0], game_date).columns])
    )
    at = _DateContext(
        game_date,
        playing,
        _records(lines, "player_lookup"),
        _records(inj, "player_lookup", keep="last"),
        _records(team_context, "team_tricode"),
        stars,
        _stars_out_by_team(inj, stars),
    )
    return [_player_row(at, r) for r in expected.itertuples(index=False)]


def _by_date(frame: pd.DataFrame) -> dict[dt.date, pd.DataFrame]:
    return {d: g for d, g in frame.groupby(as_dates(frame["game_date"]), sort=False)} if len(frame) else {}


def upcoming_player_contexts(
    game_dates: list[dt.date],
    schedule: pd.DataFrame,
    player_history: pd.DataFrame,
    team_context: pd.DataFrame,
    rosters: pd.DataFrame,
    injuries: pd.DataFrame,
    odds: pd.DataFrame,
    recent_days: int = 30,
) -> pd.DataFrame:
    """Player x upcoming game on each of ``game_dates``: ``schedule``, ``team_context``, ``rosters``,
    ``injuries`` and ``odds`` are those dates' rows; ``player_history`` is player game history, of
    which date D uses only rows dated strictly before D (so D's rows do not depend on the range)."""
    history = prepared_history(player_history)
    lines = closing_lines(odds)  # keyed by date and player: a date's lines are its own
    by = [_by_date(x) for x in (schedule, team_context, rosters, injuries, lines)]
    rows = []
    for game_date in game_dates:
        if game_date not in by[0]:
            continue
        rows += _upcoming_players(
            game_date,
            by[0][game_date],
            history[history["ts"] < pd.Timestamp(game_date)],
            *(b.get(game_date, x.iloc[0:0]) for b, x in zip(by[1:], (team_context, rosters, injuries, lines))),
            recent_days=recent_days,
        )
    return pd.DataFrame(rows)
