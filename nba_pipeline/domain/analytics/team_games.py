"""Team games: offense and defense of each team in each completed game (legacy-system.md 3.2, 3.3)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from nba_pipeline.calendar import final_games
from nba_pipeline.domain import formulas as f

STAT_COLS = ["fgm", "fga", "fg3m", "fg3a", "ftm", "fta", "oreb", "dreb", "reb", "ast", "stl", "blk", "tov", "pf"]


def team_offense(team_box: pd.DataFrame, player_box: pd.DataFrame, schedule: pd.DataFrame) -> pd.DataFrame:
    """Team x final game. Team box score when it has both teams of a game; otherwise reconstructed
    from the active player rows (>= 5 players per team), taking points from the schedule's final
    score when known (rotation-only player files under-count points)."""
    finals = final_games(schedule)
    rows = []
    tb = team_box.copy()
    if len(tb):
        tb = tb.sort_values("fga").drop_duplicates(["game_date", "team_tricode"], keep="last")
    sides_by_game = {gid: g for gid, g in tb.groupby("game_id", sort=False)} if len(tb) else {}
    active = player_box[player_box["player_status"] == "active"] if len(player_box) else player_box
    players_by_game = {gid: g for gid, g in active.groupby("game_id", sort=False)} if len(active) else {}
    for g in finals.itertuples():
        game_date = pd.Timestamp(g.game_date).date()
        sides = sides_by_game.get(g.game_id, tb.iloc[0:0])
        if len(sides) == 2:
            for s in sides.itertuples():
                rows.append(_offense_base(g, game_date, s._asdict(), "team_boxscore", "gold"))
            continue
        pb = players_by_game.get(g.game_id, active.iloc[0:0])
        for team, opp, is_home, score in (
            (g.home_team_tricode, g.away_team_tricode, True, g.home_team_score),
            (g.away_team_tricode, g.home_team_tricode, False, g.away_team_score),
        ):
            tp = pb[pb["team_tricode"] == team]
            if len(tp) < 5:
                continue
            totals = {c: int(pd.to_numeric(tp[c], errors="coerce").fillna(0).sum()) for c in STAT_COLS}
            totals["pts"] = int(score) if pd.notna(score) else int(pd.to_numeric(tp["pts"]).sum())
            minutes_sum = float(pd.to_numeric(tp["minutes_decimal"], errors="coerce").fillna(0).sum())
            ot = max(0, int(round((minutes_sum - 240) / 25))) if minutes_sum > 252 else 0
            totals.update(
                team_tricode=team,
                opponent_tricode=opp,
                is_home=is_home,
                minutes=f"{240 + 25 * ot}:00",
                game_id=g.game_id,
            )
            rows.append(_offense_base(g, game_date, totals, "reconstructed_from_players", "silver"))
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
    out["opp_points"] = [
        op if op is not None and not pd.isna(op) else sched_scores.get((gid, tm))
        for op, gid, tm in zip(out["opp_points"], out["game_id"], out["team_tricode"])
    ]
    out["win_flag"] = out["points"] > pd.to_numeric(out["opp_points"], errors="coerce")
    out["margin"] = out["points"] - pd.to_numeric(out["opp_points"], errors="coerce")
    return out


def _offense_base(g, game_date: dt.date, s: dict, source: str, tier: str) -> dict:
    num = {c: (None if s.get(c) is None or pd.isna(s.get(c)) else int(s.get(c))) for c in STAT_COLS}
    if num["reb"] is None and num["oreb"] is not None and num["dreb"] is not None:
        num["reb"] = num["oreb"] + num["dreb"]
    return {
        "game_date": game_date,
        "game_id": g.game_id,
        "internal_game_id": g.internal_game_id,
        "season_year": int(g.season_year),
        "team_tricode": s["team_tricode"],
        "opponent_tricode": s["opponent_tricode"],
        "is_home": bool(s["is_home"]),
        "points": int(s["pts"]),
        **num,
        "team_minutes": f.team_minutes_value(s.get("minutes")) or 240,
        "data_source": source,
        "quality_tier": tier,
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

    fga, fta, tov, oreb, fgm, fg3m, fg3a, points = (
        num(c) for c in ("fga", "fta", "tov", "oreb", "fgm", "fg3m", "fg3a", "points")
    )
    poss = f.possessions(m["o_fga"], m["o_fta"], m["o_tov"], m["o_oreb"]).tolist()
    return pd.DataFrame(
        {
            "game_date": m["game_date"],
            "game_id": m["game_id"],
            "internal_game_id": m["internal_game_id"],
            "season_year": m["season_year"],
            "defending_team_tricode": m["team_tricode"],
            "opponent_tricode": m["opponent_tricode"],
            "is_home": m["is_home"],
            "points_allowed": [int(p) for p in points],
            "opp_fgm": m["o_fgm"],
            "opp_fga": m["o_fga"],
            "opp_fg3m": m["o_fg3m"],
            "opp_fg3a": m["o_fg3a"],
            "opp_ftm": m["o_ftm"],
            "opp_fta": m["o_fta"],
            "opp_oreb": m["o_oreb"],
            "opp_tov": m["o_tov"],
            "defensive_rating": [round(100.0 * p / q, 2) if q else None for p, q in zip(points, poss)],
            # Legacy: a possession count, not per-48 (the x48/48 factor was a no-op).
            "opponent_pace": [round(q, 2) for q in poss],
            "opponent_ts_pct": m["o_ts_pct"],
            "opp_three_pct": [a / b if b else None for a, b in zip(fg3m, fg3a)],
            "opp_two_pct": [(a - b) / (c - d) if c - d else None for a, b, c, d in zip(fgm, fg3m, fga, fg3a)],
            "turnovers_forced": m["o_tov"],
            "steals": m["stl"],
            "blocks": m["blk"],
            "defensive_rebounds": m["dreb"],
            "win_flag": m["win_flag"],
            "margin": m["margin"],
            "data_source": m["data_source"],
        }
    )
