"""Player composite factors (legacy-system.md 4): fatigue (0-100), shot-zone mismatch (+-10), pace
(+-3) and usage spike (+-3) of each expected player, from his context, cache, shot profile and the
opponent's zone defense. Referee, look-ahead, travel and opponent-strength adjustments are 0
placeholders in legacy and are left out."""

from __future__ import annotations

import numpy as np
import pandas as pd

KEY = ["game_date", "player_id"]


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


def _joined(
    upcoming_player_context: pd.DataFrame,
    player_daily_cache: pd.DataFrame,
    player_shot_zones: pd.DataFrame,
    team_defense_zones: pd.DataFrame,
) -> pd.DataFrame:
    """Each context row with the player's age, his primary zone and three-point rate, and the
    opponent's zone deltas against the league."""
    u = upcoming_player_context.copy()
    u["game_date"] = pd.to_datetime(u["game_date"])
    p = (
        player_daily_cache[KEY + ["player_age"]].copy()
        if len(player_daily_cache)
        else pd.DataFrame(columns=KEY + ["player_age"])
    )
    z = (
        player_shot_zones[KEY + ["primary_scoring_zone", "three_rate_last_10"]].copy()
        if len(player_shot_zones)
        else pd.DataFrame(columns=KEY + ["primary_scoring_zone", "three_rate_last_10"])
    )
    p["has_daily_cache"] = True
    for frame in (p, z):
        frame["game_date"] = pd.to_datetime(frame["game_date"])
    u = u.merge(p, on=KEY, how="left").merge(z, on=KEY, how="left")
    if len(team_defense_zones):
        opp = team_defense_zones[
            ["game_date", "team_tricode", "three_defense_vs_league_avg", "two_defense_vs_league_avg"]
        ].copy()
        opp["game_date"] = pd.to_datetime(opp["game_date"])
        opp = opp.rename(columns={"team_tricode": "opponent_tricode"})
        u = u.merge(opp, on=["game_date", "opponent_tricode"], how="left")
    else:
        u["three_defense_vs_league_avg"] = u["two_defense_vs_league_avg"] = np.nan
    return u


def _factors(r) -> dict:
    fatigue = fatigue_score(
        r.back_to_back,
        r.days_rest,
        r.games_last_7_days,
        r.minutes_last_7_days,
        r.avg_minutes_last_7_days,
        r.back_to_backs_last_14_days,
        r.player_age,
    )
    mismatch = shot_zone_mismatch(
        r.primary_scoring_zone, r.three_rate_last_10, r.three_defense_vs_league_avg, r.two_defense_vs_league_avg
    )
    pace = None if pd.isna(r.pace_differential) else float(max(-3.0, min(3.0, r.pace_differential / 2)))
    spike = usage_spike(None, r.avg_usage_last_7_games, r.star_teammates_out)
    parts = [x for x in (mismatch, pace, spike) if x is not None]
    return {
        "game_date": r.game_date,
        "player_id": r.player_id,
        "player_lookup": r.player_lookup,
        "team_tricode": r.team_tricode,
        "opponent_tricode": r.opponent_tricode,
        "fatigue_score": fatigue,
        "shot_zone_mismatch_score": mismatch,
        "pace_score": pace,
        "usage_spike_score": spike,
        "total_composite_adjustment": float(sum(parts)) + (fatigue - 100) / 10.0,
        "fatigue_context_json": (
            f'{{"back_to_back": {str(bool(r.back_to_back)).lower()}, "days_rest": '
            f'{"null" if pd.isna(r.days_rest) else int(r.days_rest)}, "games_7d": '
            f"{int(r.games_last_7_days or 0)}}}"
        ),
        "upstream_shot_zone_ready": pd.notna(r.primary_scoring_zone),
        "upstream_opponent_defense_ready": pd.notna(r.three_defense_vs_league_avg),
        "upstream_player_cache_ready": r.has_daily_cache is True,
    }


def player_composite_factors(
    upcoming_player_context: pd.DataFrame,
    player_daily_cache: pd.DataFrame,
    player_shot_zones: pd.DataFrame,
    team_defense_zones: pd.DataFrame,
) -> pd.DataFrame:
    """The composite factors of every upcoming player context row."""
    if upcoming_player_context.empty:
        return pd.DataFrame()
    joined = _joined(upcoming_player_context, player_daily_cache, player_shot_zones, team_defense_zones)
    return pd.DataFrame([_factors(r) for r in joined.itertuples()])
