"""Phase 3 computations (legacy-system.md section 3) on plain DataFrames.

Completed-game tables take the dates' raw rows; upcoming-game tables take a range of dates and,
for each date D, use only history dated strictly before D (filtered here, whatever the caller
passes), so D's rows are the same whether D runs alone or inside a range.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from nba_pipeline.domain import formulas as f
from nba_pipeline.domain.teams import BY_TRICODE

STAT_COLS = ["fgm", "fga", "fg3m", "fg3a", "ftm", "fta", "oreb", "dreb", "reb", "ast", "stl", "blk", "tov", "pf"]
# Legacy book priority for a player's line: DraftKings, then FanDuel, then the others.
BOOK_PRIORITY = ["draftkings", "fanduel", "betmgm", "pointsbetus", "williamhill_us", "betrivers"]


def _dates(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series).dt.date


# --- completed games --------------------------------------------------------------------------

def team_offense(team_box: pd.DataFrame, player_box: pd.DataFrame, schedule: pd.DataFrame) -> pd.DataFrame:
    """Team x final game. Team box score when it has both teams of a game; otherwise reconstructed
    from the active player rows (>= 5 players per team), taking points from the schedule's final
    score when known (rotation-only player files under-count points)."""
    finals = schedule[schedule["game_status"] == 3]
    rows = []
    tb = team_box.copy()
    if len(tb):
        tb = tb.sort_values("fga").drop_duplicates(["game_date", "team_tricode"], keep="last")
    sides_by_game = {gid: g for gid, g in tb.groupby("game_id", sort=False)} if len(tb) else {}
    active = player_box[player_box["player_status"] == "active"] if len(player_box) else player_box
    players_by_game = {gid: g for gid, g in active.groupby("game_id", sort=False)} if len(active) else {}
    for g in finals.itertuples():
        gdate = pd.Timestamp(g.game_date).date()
        sides = sides_by_game.get(g.game_id, tb.iloc[0:0])
        if len(sides) == 2:
            for s in sides.itertuples():
                rows.append(_offense_base(g, gdate, s._asdict(), "team_boxscore", "gold"))
            continue
        pb = players_by_game.get(g.game_id, active.iloc[0:0])
        for team, opp, is_home, score in ((g.home_team_tricode, g.away_team_tricode, True, g.home_team_score),
                                          (g.away_team_tricode, g.home_team_tricode, False, g.away_team_score)):
            tp = pb[pb["team_tricode"] == team]
            if len(tp) < 5:
                continue
            totals = {c: int(pd.to_numeric(tp[c], errors="coerce").fillna(0).sum()) for c in STAT_COLS}
            totals["pts"] = int(score) if pd.notna(score) else int(pd.to_numeric(tp["pts"]).sum())
            minutes_sum = float(pd.to_numeric(tp["minutes_decimal"], errors="coerce").fillna(0).sum())
            ot = max(0, int(round((minutes_sum - 240) / 25))) if minutes_sum > 252 else 0
            totals.update(team_tricode=team, opponent_tricode=opp, is_home=is_home, minutes=f"{240 + 25 * ot}:00",
                          game_id=g.game_id)
            rows.append(_offense_base(g, gdate, totals, "reconstructed_from_players", "silver"))
    out = _offense_rates(pd.DataFrame(rows))
    if out.empty:
        return out
    opp = out.set_index(["game_id", "team_tricode"])["points"]
    out["opp_points"] = [opp.get((gid, o)) for gid, o in zip(out["game_id"], out["opponent_tricode"])]
    # A reconstructed side next to a box-score side: take the opponent score from the schedule.
    sched_scores = {}
    for g in finals.itertuples():
        sched_scores[(g.game_id, g.home_team_tricode)] = g.away_team_score
        sched_scores[(g.game_id, g.away_team_tricode)] = g.home_team_score
    out["opp_points"] = [op if op is not None and not pd.isna(op) else sched_scores.get((gid, tm))
                         for op, gid, tm in zip(out["opp_points"], out["game_id"], out["team_tricode"])]
    out["win_flag"] = out["points"] > pd.to_numeric(out["opp_points"], errors="coerce")
    out["margin"] = out["points"] - pd.to_numeric(out["opp_points"], errors="coerce")
    return out


def _offense_base(g, gdate: dt.date, s: dict, source: str, tier: str) -> dict:
    num = {c: (None if s.get(c) is None or pd.isna(s.get(c)) else int(s.get(c))) for c in STAT_COLS}
    if num["reb"] is None and num["oreb"] is not None and num["dreb"] is not None:
        num["reb"] = num["oreb"] + num["dreb"]
    return {
        "game_date": gdate, "game_id": g.game_id, "internal_game_id": g.internal_game_id,
        "season_year": int(g.season_year), "team_tricode": s["team_tricode"],
        "opponent_tricode": s["opponent_tricode"], "is_home": bool(s["is_home"]), "points": int(s["pts"]), **num,
        "team_minutes": f.team_minutes_value(s.get("minutes")) or 240,
        "data_source": source, "quality_tier": tier,
    }


def _offense_rates(out: pd.DataFrame) -> pd.DataFrame:
    """Possessions, ratings, pace and shooting for every team row at once (legacy formulas)."""
    if out.empty:
        return out
    poss = f.possessions(out["fga"], out["fta"], out["tov"], out["oreb"])
    game_minutes = f.game_minutes_from_team_minutes(out["team_minutes"])
    fga = pd.to_numeric(out["fga"], errors="coerce")
    return out.assign(
        game_minutes=game_minutes,
        overtime_periods=f.overtime_periods(out["team_minutes"]),
        possessions=poss.round(2),
        offensive_rating=f.rating(out["points"], poss).round(2),
        pace=f.pace(poss, game_minutes).round(2),
        ts_pct=f.true_shooting_pct(out["points"], out["fga"], out["fta"]),
        efg_pct=f.effective_fg_pct(out["fgm"], out["fg3m"], out["fga"]),
        three_pt_rate=(pd.to_numeric(out["fg3a"], errors="coerce") / fga).where(fga > 0),
    )


def team_defense(offense: pd.DataFrame) -> pd.DataFrame:
    """Defending team x game: the opponent's offense row, flipped (one join, not a lookup per row)."""
    if offense.empty:
        return pd.DataFrame()
    opp = offense.add_prefix("o_")
    m = offense.merge(opp, left_on=["game_id", "opponent_tricode"], right_on=["o_game_id", "o_team_tricode"])
    if m.empty:
        return pd.DataFrame()

    def num(col: str) -> list:
        return [None if pd.isna(v) else float(v) for v in m[f"o_{col}"]]

    fga, fta, tov, oreb, fgm, fg3m, fg3a, points = (num(c) for c in ("fga", "fta", "tov", "oreb", "fgm", "fg3m",
                                                                     "fg3a", "points"))
    poss = f.possessions(m["o_fga"], m["o_fta"], m["o_tov"], m["o_oreb"]).tolist()
    return pd.DataFrame({
        "game_date": m["game_date"], "game_id": m["game_id"], "internal_game_id": m["internal_game_id"],
        "season_year": m["season_year"], "defending_team_tricode": m["team_tricode"],
        "opponent_tricode": m["opponent_tricode"], "is_home": m["is_home"],
        "points_allowed": [int(p) for p in points],
        "opp_fgm": m["o_fgm"], "opp_fga": m["o_fga"], "opp_fg3m": m["o_fg3m"], "opp_fg3a": m["o_fg3a"],
        "opp_ftm": m["o_ftm"], "opp_fta": m["o_fta"], "opp_oreb": m["o_oreb"], "opp_tov": m["o_tov"],
        "defensive_rating": [round(100.0 * p / q, 2) if q else None for p, q in zip(points, poss)],
        # Legacy: a possession count, not per-48 (the x48/48 factor was a no-op).
        "opponent_pace": [round(q, 2) for q in poss],
        "opponent_ts_pct": m["o_ts_pct"],
        "opp_three_pct": [a / b if b else None for a, b in zip(fg3m, fg3a)],
        "opp_two_pct": [(a - b) / (c - d) if c - d else None for a, b, c, d in zip(fgm, fg3m, fga, fg3a)],
        "turnovers_forced": m["o_tov"], "steals": m["stl"], "blocks": m["blk"], "defensive_rebounds": m["dreb"],
        "win_flag": m["win_flag"], "margin": m["margin"], "data_source": m["data_source"],
    })


def pre_tip_lines(odds: pd.DataFrame) -> pd.DataFrame:
    """Snapshots taken before tip-off only (minutes_before_tipoff >= 0): an in-game snapshot has
    already moved toward the outcome (legacy incident 29)."""
    if odds.empty:
        return odds
    return odds[pd.to_numeric(odds["minutes_before_tipoff"], errors="coerce") >= 0]


def _implied(price: pd.Series) -> pd.Series:
    """Implied probability of an American price (-110 -> 0.524, +150 -> 0.4)."""
    price = pd.to_numeric(price, errors="coerce").astype(float)
    return price.where(price < 0, np.nan).abs().div(price.abs() + 100).fillna(100 / (price + 100))


def main_lines(odds: pd.DataFrame) -> pd.DataFrame:
    """One line per book, player and snapshot: books also quote alternate lines (14.5, 15.5, 16.5...
    at skewed prices); the main line is the one priced closest to even. Ties go to the lower line,
    so the choice never depends on row order."""
    if odds.empty:
        return odds
    prices = [odds[c] if c in odds else pd.Series(np.nan, index=odds.index) for c in ("over_price", "under_price")]
    keyed = odds.assign(_skew=(_implied(prices[0]) - _implied(prices[1])).abs().fillna(np.inf))
    keyed = keyed.sort_values(["_skew", "points_line"], kind="stable")
    keep = ~keyed.duplicated(["game_date", "player_lookup", "bookmaker", "snapshot_timestamp"])
    return keyed[keep].drop(columns="_skew").sort_index()


def _book_rank(books: pd.Series) -> pd.Series:
    order = {b: i for i, b in enumerate(BOOK_PRIORITY)}
    return books.map(lambda b: order.get(b, len(order)))


def closing_lines(odds: pd.DataFrame) -> pd.DataFrame:
    """Per (game_date, player): the latest pre-tip line of the highest-priority book quoting the
    player, its opening line (earliest snapshot, same book), and the book consensus (median of each
    book's latest pre-tip line)."""
    cols = ["game_date", "player_lookup", "home_team_tricode", "away_team_tricode", "commence_time",
            "points_line", "over_price", "under_price", "bookmaker", "snapshot_timestamp", "minutes_before_tipoff",
            "opening_line", "consensus_line", "book_count", "line_std"]
    pre = main_lines(pre_tip_lines(odds))
    if pre.empty:
        return pd.DataFrame(columns=cols)
    pre = pre.assign(**{c: pre[c] if c in pre else np.nan for c in ("over_price", "under_price")})
    pre = pre.sort_values(["snapshot_timestamp", "bookmaker", "player_lookup"], kind="stable")
    latest = pre.groupby(["game_date", "player_lookup", "bookmaker"], as_index=False).last()
    opening = (pre.groupby(["game_date", "player_lookup", "bookmaker"], as_index=False).first()
               [["game_date", "player_lookup", "bookmaker", "points_line"]].rename(columns={"points_line": "opening_line"}))
    latest = latest.merge(opening, on=["game_date", "player_lookup", "bookmaker"], how="left")
    cons = latest.groupby(["game_date", "player_lookup"]).agg(
        consensus_line=("points_line", "median"), book_count=("bookmaker", "nunique"),
        line_std=("points_line", lambda s: float(np.std(s, ddof=0)) if len(s) > 1 else 0.0)).reset_index()
    latest["rank"] = _book_rank(latest["bookmaker"])
    best = latest.sort_values(["rank", "snapshot_timestamp"], ascending=[True, False]).groupby(
        ["game_date", "player_lookup"], as_index=False).first()
    best = best.merge(cons, on=["game_date", "player_lookup"], how="left")
    return best[cols]


def player_game_summary(player_box: pd.DataFrame, offense: pd.DataFrame, odds: pd.DataFrame) -> pd.DataFrame:
    """Player x completed game, DNP rows kept. Usage needs the team's row of the same date (team
    offense runs first; without it usage is NULL and the row is flagged, never guessed)."""
    if player_box.empty:
        return pd.DataFrame()
    pgs = player_box.copy().reset_index(drop=True)
    pgs["game_date"] = pd.to_datetime(pgs["game_date"])
    pgs["minutes"] = pd.to_numeric(pgs["minutes_decimal"], errors="coerce").round(1)
    status = pgs["player_status"].fillna("active").str.lower()
    pgs["player_status"] = status
    pgs["is_active"] = status.eq("active")
    pgs["is_dnp"] = f.is_dnp(status, pgs["minutes"])
    pgs["dnp_reason_category"] = [None if a else f.dnp_reason_category(r)
                                  for r, a in zip(pgs["dnp_reason"], pgs["is_active"])]
    for c in ["pts", "fgm", "fga", "fg3m", "fg3a", "ftm", "fta", "tov"]:
        pgs[c] = pd.to_numeric(pgs[c], errors="coerce").astype(float)
    pgs["points"] = pgs["pts"]
    pgs["efg_pct"] = f.effective_fg_pct(pgs["fgm"], pgs["fg3m"], pgs["fga"])
    pgs["ts_pct"] = f.true_shooting_pct(pgs["points"], pgs["fga"], pgs["fta"])

    team_cols = ["team_fga", "team_fta", "team_tov", "team_win"]
    if len(offense):
        team = offense[["game_date", "team_tricode", "fga", "fta", "tov", "win_flag"]].copy()
        team.columns = ["game_date", "team_tricode", *team_cols]
        team["game_date"] = pd.to_datetime(team["game_date"])
        pgs = pgs.merge(team, on=["game_date", "team_tricode"], how="left")
    else:
        for c in team_cols:
            pgs[c] = np.nan
    pgs["usage_rate"] = f.usage_rate(pgs["fga"], pgs["fta"], pgs["tov"], pgs["minutes"],
                                     pgs["team_fga"], pgs["team_fta"], pgs["team_tov"])
    has_team = pd.to_numeric(pgs["team_fga"], errors="coerce").notna()
    pgs["data_quality_flag"] = np.where(~has_team, "partial_no_team_stats",
                                        np.where(pgs["minutes"].isna() & pgs["is_active"], "partial", "complete"))
    # Legacy hard-coded win_flag FALSE; the team's result is the truth.
    pgs["win_flag"] = pgs["team_win"].map(lambda w: None if pd.isna(w) else bool(w))
    pgs["started"] = pgs["starter"]
    pgs["starter_flag"] = pgs["minutes"].fillna(0) > 20  # legacy proxy, kept for continuity

    lines = closing_lines(odds)
    if len(lines):
        ln = lines[["game_date", "player_lookup", "points_line", "bookmaker"]].rename(
            columns={"bookmaker": "points_line_bookmaker"})
        ln["game_date"] = pd.to_datetime(ln["game_date"])
        pgs = pgs.merge(ln, on=["game_date", "player_lookup"], how="left")
    else:
        pgs["points_line"] = np.nan
        pgs["points_line_bookmaker"] = None
    line = pd.to_numeric(pgs["points_line"], errors="coerce")
    gradeable = line.notna() & ~pgs["is_dnp"] & pgs["points"].notna()
    pgs["over_under_result"] = np.where(~gradeable, None, np.where(pgs["points"] > line, "OVER",
                                        np.where(pgs["points"] < line, "UNDER", "PUSH")))
    pgs["margin_vs_line"] = (pgs["points"] - line).where(gradeable)
    pgs["primary_source"] = pgs["source"]
    return pgs


# --- upcoming games ---------------------------------------------------------------------------

def haversine_miles(a: str, b: str) -> float:
    ta, tb = BY_TRICODE[a], BY_TRICODE[b]
    lat1, lon1, lat2, lon2 = map(math.radians, (ta.latitude, ta.longitude, tb.latitude, tb.longitude))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 3958.8 * 2 * math.asin(math.sqrt(h))


def _tz_offset_hours(tricode: str, when: dt.date) -> float:
    from zoneinfo import ZoneInfo

    instant = dt.datetime.combine(when, dt.time(12), tzinfo=ZoneInfo(BY_TRICODE[tricode].timezone))
    return instant.utcoffset().total_seconds() / 3600


def team_games_long(schedule_hist: pd.DataFrame) -> pd.DataFrame:
    """One row per team per scheduled game: (game_date, team, opponent, is_home, venue, result)."""
    if schedule_hist.empty:
        return pd.DataFrame(columns=["game_date", "team", "opponent", "is_home", "venue", "final", "margin"])
    s = schedule_hist[~schedule_hist["is_postponed"].fillna(False).astype(bool)]
    home = pd.DataFrame({"game_date": _dates(s["game_date"]), "team": s["home_team_tricode"],
                         "opponent": s["away_team_tricode"], "is_home": True, "venue": s["home_team_tricode"],
                         "final": s["game_status"] == 3,
                         "margin": pd.to_numeric(s["home_team_score"]) - pd.to_numeric(s["away_team_score"])})
    away = pd.DataFrame({"game_date": _dates(s["game_date"]), "team": s["away_team_tricode"],
                         "opponent": s["home_team_tricode"], "is_home": False, "venue": s["home_team_tricode"],
                         "final": s["game_status"] == 3,
                         "margin": pd.to_numeric(s["away_team_score"]) - pd.to_numeric(s["home_team_score"])})
    return pd.concat([home, away], ignore_index=True).sort_values(["team", "game_date"])


def game_lines_for_date(game_lines: pd.DataFrame) -> pd.DataFrame:
    """Per (game_date, home, away): consensus spread (home perspective) and total from each book's
    latest pre-tip snapshot."""
    cols = ["game_date", "home_team_tricode", "away_team_tricode", "home_spread", "game_total"]
    pre = pre_tip_lines(game_lines)
    if pre.empty:
        return pd.DataFrame(columns=cols)
    pre = pre.sort_values("snapshot_timestamp")
    latest = pre.groupby(["game_date", "home_team_tricode", "away_team_tricode", "bookmaker", "market_key",
                          "outcome_name"], as_index=False).last()
    spreads = latest[(latest["market_key"] == "spreads") & (latest["outcome_name"] == latest["home_team_tricode"])]
    totals = latest[(latest["market_key"] == "totals") & (latest["outcome_name"] == "Over")]
    sp = spreads.groupby(["game_date", "home_team_tricode", "away_team_tricode"])["outcome_point"].median().rename("home_spread")
    tt = totals.groupby(["game_date", "home_team_tricode", "away_team_tricode"])["outcome_point"].median().rename("game_total")
    return pd.concat([sp, tt], axis=1).reset_index()


def latest_injuries(injuries: pd.DataFrame, before: pd.Timestamp | None = None) -> pd.DataFrame:
    """The latest report published (before ``before``) per player."""
    if injuries.empty:
        return injuries
    inj = injuries
    if before is not None:
        published = pd.to_datetime(inj["report_published_at"], utc=True)
        inj = inj[published.isna() | (published < before)]
    return inj.sort_values("report_published_at").groupby(["game_date", "player_lookup"], as_index=False).last()


def as_timestamps(values: pd.Series) -> pd.Series:
    """Dates as timestamps. Warehouse reads are datetime64 already, and pd.to_datetime walks such a
    column anyway (its cache check iterates it): called per date over a year of history, that cost
    a second a month of dates."""
    return values if pd.api.types.is_datetime64_any_dtype(values) else pd.to_datetime(values)


class _Timeline:
    """One team's rows in date order as arrays, so "its rows strictly before D" is a binary search
    instead of a filter of the whole history for every team and date."""

    def __init__(self, frame: pd.DataFrame, numeric: list[str], other: list[str]):
        self.days = frame["game_date"].to_numpy(dtype="datetime64[D]")
        self.cols = {c: frame[c].to_numpy(dtype=float, na_value=np.nan) for c in numeric}
        self.cols.update({c: frame[c].to_numpy() for c in other})

    def before(self, day: np.datetime64) -> int:
        """How many rows are dated strictly before ``day`` (so rows[:n] is the history of ``day``)."""
        return int(np.searchsorted(self.days, day, side="left"))

    def day(self, i: int) -> dt.date:
        return self.days[i].item()


def _timelines(frame: pd.DataFrame, team_col: str, numeric: list[str], other: list[str] = ()) -> dict[str, _Timeline]:
    if frame.empty:
        return {}
    frame = frame.assign(game_date=as_timestamps(frame["game_date"])).sort_values([team_col, "game_date"], kind="stable")
    return {team: _Timeline(g, numeric, list(other)) for team, g in frame.groupby(team_col, sort=False)}


def _mean_last(timeline: _Timeline | None, end: int, col: str, n: int = 10):
    """Mean of the last ``n`` values before row ``end`` (NaN ignored); None when there are no rows."""
    if timeline is None or end == 0:
        return None
    values = timeline.cols[col][max(0, end - n):end]
    values = values[~np.isnan(values)]
    return values.mean() if len(values) else np.nan


def upcoming_team_contexts(dates: list[dt.date], schedule: pd.DataFrame, team_games: pd.DataFrame,
                           offense_hist: pd.DataFrame, defense_hist: pd.DataFrame, game_lines: pd.DataFrame,
                           injuries: pd.DataFrame) -> pd.DataFrame:
    """Each team of each game on each of ``dates`` (``schedule`` holds those dates' games). History
    is ``team_games`` (``team_games_long`` of the schedule) and the team offense/defense rows; for
    date D only rows dated strictly before D are used, so D's rows never depend on the range it is
    computed in. ``game_lines`` and ``injuries`` are those of the dates themselves."""
    from nba_pipeline.partitions import season_opener, season_year

    if schedule.empty:
        return pd.DataFrame()
    games = schedule[~schedule["is_postponed"].fillna(False).astype(bool)]
    games_by = {d: g for d, g in games.groupby(_dates(games["game_date"]), sort=False)} if len(games) else {}
    played = _timelines(team_games, "team", ["margin"], ["final", "venue"])
    offense = _timelines(offense_hist, "team_tricode", ["pace", "offensive_rating"])
    defense = _timelines(defense_hist, "defending_team_tricode", ["defensive_rating"])
    lines = game_lines_for_date(game_lines)
    line_of = {(d, r.home_team_tricode, r.away_team_tricode): r
               for d, r in zip(_dates(lines["game_date"]), lines.itertuples())} if len(lines) else {}
    injuries_by = {d: g for d, g in injuries.groupby(_dates(injuries["game_date"]), sort=False)} if len(injuries) else {}
    rows = []
    for day in dates:
        games = games_by.get(day)
        if games is None:
            continue
        d64 = np.datetime64(day, "D")
        first_tip = pd.to_datetime(games["tipoff_utc"], utc=True).min()
        inj = latest_injuries(injuries_by.get(day, injuries.iloc[0:0]), before=first_tip)
        inj_by = {team: g for team, g in inj.groupby("team_tricode")} if len(inj) else {}
        season_start = np.datetime64(season_opener(season_year(day)) - dt.timedelta(days=30), "D")
        for g in games.itertuples():
            line = line_of.get((day, g.home_team_tricode, g.away_team_tricode))
            for team, opp, is_home in ((g.home_team_tricode, g.away_team_tricode, True),
                                       (g.away_team_tricode, g.home_team_tricode, False)):
                tg, og = played.get(team), played.get(opp)
                end = tg.before(d64) if tg else 0
                start = min(tg.before(season_start), end) if tg else 0
                last = end - 1 if end else None
                days_rest = (day - tg.day(last)).days if last is not None else None
                o_end = og.before(d64) if og else 0
                opp_rest = (day - og.day(o_end - 1)).days if o_end else None
                if end > start:
                    final = tg.cols["final"][start:end].astype(bool)
                    margins = tg.cols["margin"][start:end][final]
                else:
                    margins = np.array([], dtype=float)
                wins, losses = int((margins > 0).sum()), int((margins < 0).sum())
                streak = 0
                for m in margins[::-1]:
                    sign = 1 if m > 0 else -1
                    if streak == 0 or np.sign(streak) == sign:
                        streak += sign
                    else:
                        break
                to, td = offense.get(team), defense.get(team)
                to_end, td_end = (to.before(d64) if to else 0), (td.before(d64) if td else 0)
                spread = total = None
                if line is not None:
                    hs = line.home_spread
                    spread = (hs if is_home else -hs) if pd.notna(hs) else None
                    total = line.game_total if pd.notna(line.game_total) else None
                ti = inj_by.get(team)
                last_margin = tg.cols["margin"][last] if last is not None else None
                last_venue = tg.cols["venue"][last] if last is not None else None
                rows.append({
                    "game_date": day, "game_id": g.game_id, "internal_game_id": g.internal_game_id,
                    "team_tricode": team, "opponent_tricode": opp, "is_home": is_home, "tipoff_utc": g.tipoff_utc,
                    "game_number_in_season": end - start + 1, "days_rest": days_rest,
                    "is_back_to_back": days_rest == 1 if days_rest is not None else False,
                    "games_last_7_days": end - min(tg.before(d64 - 7), end) if tg else 0,
                    "games_last_14_days": end - min(tg.before(d64 - 14), end) if tg else 0,
                    "opponent_days_rest": opp_rest, "streak_entering": streak,
                    "last_game_margin": last_margin if last_margin is not None and pd.notna(last_margin) else None,
                    "season_wins": wins, "season_losses": losses,
                    "team_win_pct": wins / (wins + losses) if wins + losses else None,
                    "travel_miles": round(haversine_miles(last_venue, g.home_team_tricode), 1) if last is not None else None,
                    "timezone_change_hours": (_tz_offset_hours(g.home_team_tricode, day) - _tz_offset_hours(last_venue, day))
                    if last is not None else None,
                    "pace_last_10": _mean_last(to, to_end, "pace"),
                    "off_rating_last_10": _mean_last(to, to_end, "offensive_rating"),
                    "def_rating_last_10": _mean_last(td, td_end, "defensive_rating"),
                    "game_spread": spread, "game_total": total,
                    "game_lines_source": "odds_api_consensus" if spread is not None or total is not None else None,
                    "players_out": int(ti["injury_status"].isin(["out", "doubtful"]).sum()) if ti is not None else 0,
                    "questionable_count": int(ti["injury_status"].eq("questionable").sum()) if ti is not None else 0,
                })
    return pd.DataFrame(rows)


def _trailing_streak(results: pd.DataFrame, want: str) -> pd.Series:
    """Per player, how many of his latest OVER/UNDER results in a row were ``want`` (pushes neither
    count nor break a streak). ``results`` holds player_id and over_under_result in date order."""
    r = results[results["over_under_result"].isin(("OVER", "UNDER"))].iloc[::-1]
    if r.empty:
        return pd.Series(dtype="int64")
    broken = (r["over_under_result"] != want).astype(int).groupby(r["player_id"]).cumsum()
    return (broken == 0).groupby(r["player_id"]).sum()


def _player_form(hist: pd.DataFrame, day: dt.date) -> pd.DataFrame:
    """Per player, from his games strictly before ``day``: rest, workload windows, recent scoring,
    usage and prop streaks (one groupby per measure, not a loop per player)."""
    ts = pd.Timestamp(day)
    minutes = pd.to_numeric(hist["minutes"], errors="coerce")
    act = hist[hist["is_active"].astype(bool) & (minutes.fillna(0) > 0)]
    nd = hist[~hist["is_dnp"].astype(bool)]
    pid = "player_id"
    w7 = act[act["ts"] >= ts - pd.Timedelta(days=7)]
    w14 = act[act["ts"] >= ts - pd.Timedelta(days=14)]
    b2b = w14["ts"].groupby(w14[pid]).diff().eq(pd.Timedelta(days=1)).groupby(w14[pid]).sum()
    l5, l10 = nd.groupby(pid).tail(5), nd.groupby(pid).tail(10)
    out = pd.DataFrame({
        "last_played": act.groupby(pid)["ts"].max(),
        "games_last_7_days": w7.groupby(pid).size(),
        "games_last_14_days": w14.groupby(pid).size(),
        "minutes_last_7_days": pd.to_numeric(w7["minutes"], errors="coerce").groupby(w7[pid]).sum(),
        "minutes_last_14_days": pd.to_numeric(w14["minutes"], errors="coerce").groupby(w14[pid]).sum(),
        "avg_minutes_last_7_days": pd.to_numeric(w7["minutes"], errors="coerce").groupby(w7[pid]).mean(),
        "back_to_backs_last_14_days": b2b,
        "avg_usage_last_7_games": pd.to_numeric(act.groupby(pid).tail(7)["usage_rate"], errors="coerce")
                                    .groupby(act.groupby(pid).tail(7)[pid]).mean(),
        "points_avg_last_5": pd.to_numeric(l5["points"], errors="coerce").groupby(l5[pid]).mean(),
        "points_avg_last_10": pd.to_numeric(l10["points"], errors="coerce").groupby(l10[pid]).mean(),
        "games_used_last_5": l5.groupby(pid).size(),
        "games_used_last_10": l10.groupby(pid).size(),
        "prop_over_streak": _trailing_streak(hist[[pid, "over_under_result"]], "OVER"),
        "prop_under_streak": _trailing_streak(hist[[pid, "over_under_result"]], "UNDER"),
    })
    return out


_HISTORY_COLUMNS = ["player_id", "player_name", "player_lookup", "team_tricode", "game_date", "is_active", "is_dnp",
                    "minutes", "points", "usage_rate", "over_under_result"]


def _player_history(pgs_hist: pd.DataFrame) -> pd.DataFrame:
    """Player game rows in (player, date) order with their timestamp ``ts`` and date ``d``, prepared
    once for a range: a date's history is then a filter on ``ts`` that keeps this order."""
    hist = pgs_hist[_HISTORY_COLUMNS]
    if hist.empty:
        return hist.assign(ts=pd.Series(dtype="datetime64[ns]"), d=pd.Series(dtype=object))
    ts = as_timestamps(hist["game_date"])
    return hist.assign(ts=ts, d=ts.dt.date).sort_values(["player_id", "ts"], kind="stable")


def _by_day(frame: pd.DataFrame) -> dict[dt.date, pd.DataFrame]:
    return {d: g for d, g in frame.groupby(_dates(frame["game_date"]), sort=False)} if len(frame) else {}


def upcoming_player_contexts(dates: list[dt.date], schedule: pd.DataFrame, pgs_hist: pd.DataFrame,
                             team_ctx: pd.DataFrame, rosters: pd.DataFrame, injuries: pd.DataFrame,
                             odds: pd.DataFrame, recent_days: int = 30) -> pd.DataFrame:
    """Player x upcoming game on each of ``dates``: ``schedule``, ``team_ctx``, ``rosters``,
    ``injuries`` and ``odds`` are those dates' rows; ``pgs_hist`` is player game history, of which
    date D uses only rows dated strictly before D (so D's rows do not depend on the range)."""
    hist = _player_history(pgs_hist)
    lines = closing_lines(odds)  # keyed by date and player: a date's lines are its own
    by = [_by_day(x) for x in (schedule, team_ctx, rosters, injuries, lines)]
    rows = []
    for day in dates:
        if day not in by[0]:
            continue
        rows += _upcoming_players(day, by[0][day], hist[hist["ts"] < pd.Timestamp(day)],
                                  *(b.get(day, x.iloc[0:0]) for b, x in zip(by[1:], (team_ctx, rosters, injuries, lines))),
                                  recent_days=recent_days)
    return pd.DataFrame(rows)


def _upcoming_players(day: dt.date, schedule_day: pd.DataFrame, hist: pd.DataFrame, team_ctx: pd.DataFrame,
                      rosters: pd.DataFrame, injuries: pd.DataFrame, lines: pd.DataFrame, recent_days: int) -> list[dict]:
    """The rows of ``day``. Who is expected: the day's roster for a team when scraped, else the
    players active for that team in the last ``recent_days`` days (their latest team), plus any
    player with a pre-tip line whose latest team plays. ``hist``: ``_player_history`` rows before
    ``day``; ``lines``: the day's ``closing_lines``."""
    games = schedule_day[~schedule_day["is_postponed"].fillna(False).astype(bool)]
    if games.empty:
        return []
    playing = {}
    for g in games.itertuples():
        playing[g.home_team_tricode] = (g, g.away_team_tricode, True)
        playing[g.away_team_tricode] = (g, g.home_team_tricode, False)

    # Expected players per team.
    expected: dict[int, tuple[str, str, str, str]] = {}  # player_id -> (team, name, lookup, source)
    latest = hist.groupby("player_id").tail(1) if len(hist) else hist
    recent_active = hist[(hist["d"] >= day - dt.timedelta(days=recent_days)) & hist["is_active"].astype(bool)] if len(hist) else hist
    roster_teams = set(rosters["team_tricode"]) if len(rosters) else set()
    if len(rosters):
        for r in rosters[rosters["team_tricode"].isin(playing)].itertuples():
            expected[int(r.player_id)] = (r.team_tricode, r.player_name, r.player_lookup, "roster")
    if len(latest):
        active_ids = set(recent_active["player_id"])
        for r in latest.itertuples():
            if r.team_tricode in playing and r.team_tricode not in roster_teams and r.player_id in active_ids:
                expected.setdefault(int(r.player_id), (r.team_tricode, r.player_name, r.player_lookup, "recent_box_scores"))
    if len(lines) and len(latest):
        by_lookup = latest.drop_duplicates("player_lookup", keep="last").set_index("player_lookup").to_dict("index")
        for r in lines.itertuples():
            if r.player_lookup in by_lookup:
                p = by_lookup[r.player_lookup]
                if p["team_tricode"] in playing and p["team_tricode"] in (r.home_team_tricode, r.away_team_tricode):
                    expected.setdefault(int(p["player_id"]), (p["team_tricode"], p["player_name"], r.player_lookup, "prop_line"))
    if len(latest):
        # Season openers: nobody played in the last month, so take each team's players from its
        # most recent games, however old (off-season moves are corrected by rosters and lines).
        for team in set(playing) - {v[0] for v in expected.values()} - roster_teams:
            team_rows = hist[hist["team_tricode"] == team]
            recent_dates = sorted(set(team_rows["d"]))[-5:]
            recent = team_rows[team_rows["d"].isin(recent_dates) & team_rows["is_active"].astype(bool)]
            current = set(latest.loc[latest["team_tricode"] == team, "player_id"])
            for r in recent.drop_duplicates("player_id").itertuples():
                if r.player_id in current:
                    expected.setdefault(int(r.player_id), (team, r.player_name, r.player_lookup, "recent_box_scores"))
    if not expected:
        return []

    first_tip = pd.to_datetime(games["tipoff_utc"], utc=True).min()
    inj = latest_injuries(injuries, before=first_tip)

    # Season averages for the "star teammate" rule (>= 10 games this season).
    from nba_pipeline.partitions import season_opener, season_year

    season_start = season_opener(season_year(day)) - dt.timedelta(days=30)
    played = hist[(~hist["is_dnp"].astype(bool)) & (hist["d"] >= season_start)] if len(hist) else hist
    stats = played.groupby("player_lookup").agg(ppg=("points", "mean"), mpg=("minutes", "mean"),
                                                games=("points", "size")) if len(played) else pd.DataFrame()
    stars = set(stats.index[(stats["games"] >= 10) & ((stats["ppg"] >= 18) | ((stats["mpg"] >= 28) & (stats["ppg"] >= 12)))]
                ) if len(stats) else set()
    out_by_team: dict[str, tuple[int, int]] = {}
    if len(inj):
        star_inj = inj[inj["player_lookup"].isin(stars)]
        for team, grp in star_inj.groupby("team_tricode"):
            out_by_team[team] = (int(grp["injury_status"].isin(("out", "doubtful")).sum()),
                                 int((grp["injury_status"] == "questionable").sum()))

    exp = pd.DataFrame([(pid, *v) for pid, v in expected.items()],
                       columns=["player_id", "team_tricode", "player_name", "player_lookup", "roster_source"])
    form = _player_form(hist, day) if len(hist) else pd.DataFrame()
    exp = exp.join(form, on="player_id") if len(form) else exp.reindex(columns=[*exp.columns, *_player_form(
        hist.iloc[0:0], day).columns])
    ln = lines.drop_duplicates("player_lookup").set_index("player_lookup").to_dict("index") if len(lines) else {}
    ij = inj.drop_duplicates("player_lookup", keep="last").set_index("player_lookup").to_dict("index") if len(inj) else {}
    tctx = team_ctx.drop_duplicates("team_tricode").set_index("team_tricode").to_dict("index") if len(team_ctx) else {}

    def pick(records: dict, key, col):
        return records[key][col] if key in records else None

    rows = []
    for r in exp.itertuples(index=False):
        g, opp, is_home = playing[r.team_tricode]
        last = r.last_played
        days_rest = (day - last.date()).days if pd.notna(last) else None
        n10 = 0 if pd.isna(r.games_used_last_10) else int(r.games_used_last_10)
        has_line = r.player_lookup in ln
        status = pick(ij, r.player_lookup, "injury_status")
        stars_out, stars_q = out_by_team.get(r.team_tricode, (0, 0))
        if status is not None and r.player_lookup in stars:
            # The player himself is not his own teammate.
            stars_out -= int(status in ("out", "doubtful"))
            stars_q -= int(status == "questionable")
        t_pace, o_pace = pick(tctx, r.team_tricode, "pace_last_10"), pick(tctx, opp, "pace_last_10")
        season_type = getattr(g, "season_type", "Regular Season") or "Regular Season"
        opening = pick(ln, r.player_lookup, "opening_line")
        current = pick(ln, r.player_lookup, "points_line")

        def num(value, default=None):
            return default if value is None or pd.isna(value) else value

        rows.append({
            "game_date": day, "game_id": g.game_id, "internal_game_id": g.internal_game_id, "player_id": r.player_id,
            "player_lookup": r.player_lookup, "player_name": r.player_name, "team_tricode": r.team_tricode,
            "opponent_tricode": opp, "is_home": is_home, "tipoff_utc": g.tipoff_utc, "roster_source": r.roster_source,
            "injury_status": status, "injury_reason": pick(ij, r.player_lookup, "reason"),
            "days_rest": days_rest, "back_to_back": days_rest == 1 if days_rest is not None else False,
            "games_last_7_days": int(num(r.games_last_7_days, 0)),
            "games_last_14_days": int(num(r.games_last_14_days, 0)),
            "minutes_last_7_days": float(num(r.minutes_last_7_days, 0.0)),
            "minutes_last_14_days": float(num(r.minutes_last_14_days, 0.0)),
            "avg_minutes_last_7_days": num(r.avg_minutes_last_7_days),
            "back_to_backs_last_14_days": int(num(r.back_to_backs_last_14_days, 0)),
            "avg_usage_last_7_games": num(r.avg_usage_last_7_games),
            "points_avg_last_5": num(r.points_avg_last_5),
            "points_avg_last_10": num(r.points_avg_last_10) if n10 else None,
            "games_used_last_5": int(num(r.games_used_last_5, 0)),
            "games_used_last_10": n10,
            "sample_quality": "excellent" if n10 >= 10 else "good" if n10 >= 7 else "limited" if n10 >= 5 else "insufficient",
            "has_prop_line": has_line,
            "current_points_line": current,
            "opening_points_line": opening,
            "line_movement": (current - opening) if has_line and pd.notna(opening) else None,
            "line_bookmaker": pick(ln, r.player_lookup, "bookmaker"),
            "line_snapshot_at": pick(ln, r.player_lookup, "snapshot_timestamp"),
            "line_minutes_before_tipoff": pick(ln, r.player_lookup, "minutes_before_tipoff"),
            "line_book_count": pick(ln, r.player_lookup, "book_count") if has_line else 0,
            "consensus_points_line": pick(ln, r.player_lookup, "consensus_line"),
            "line_over_price": pick(ln, r.player_lookup, "over_price"),
            "line_under_price": pick(ln, r.player_lookup, "under_price"),
            "prop_over_streak": int(num(r.prop_over_streak, 0)), "prop_under_streak": int(num(r.prop_under_streak, 0)),
            "pace_differential": (t_pace - o_pace) if t_pace is not None and o_pace is not None
            and pd.notna(t_pace) and pd.notna(o_pace) else None,
            "opponent_def_rating_last_10": pick(tctx, opp, "def_rating_last_10"),
            "opponent_off_rating_last_10": pick(tctx, opp, "off_rating_last_10"),
            "opponent_days_rest": pick(tctx, r.team_tricode, "opponent_days_rest"),
            "game_spread": pick(tctx, r.team_tricode, "game_spread"),
            "game_total": pick(tctx, r.team_tricode, "game_total"),
            "star_teammates_out": max(stars_out, 0), "questionable_star_teammates": max(stars_q, 0),
            "season_phase": "playoffs" if season_type in ("Playoffs", "PlayIn") else
                            "preseason" if season_type == "Pre Season" else "regular_season",
            "is_production_ready": n10 >= 5,
        })
    return rows
