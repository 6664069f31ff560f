"""The legacy analytics formulas (legacy-system.md section 3), as plain functions.

Kept scalar and vectorised side by side where both are needed; each names the rule it implements.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

_MMSS = re.compile(r"^\s*(\d{1,3}):(\d{1,2})(?:\.\d+)?\s*$")
_ISO = re.compile(r"^PT(\d+)M(\d+(?:\.\d+)?)S$")
_NULLS = {"", "-", "null", "none", "nan", "dnp"}


class MinutesFormatError(ValueError):
    pass


def parse_minutes(value) -> float | None:
    """Minutes as a decimal rounded to 0.1 ("40:11" -> 40.2; legacy stores NUMERIC(5,1)).

    Accepts "MM:SS", cdn's ISO "PT20M46.00S" and plain numbers; '-', '' and 'null' are NULL;
    seconds outside 0-59 are an error, not a guess.
    """
    if value is None:
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        if isinstance(value, float) and math.isnan(value):
            return None
        if value < 0:
            raise MinutesFormatError(f"negative minutes {value!r}")
        return round(float(value), 1)
    text = str(value).strip()
    if text.lower() in _NULLS:
        return None
    m = _MMSS.match(text)
    if m:
        minutes, seconds = int(m.group(1)), int(m.group(2))
        if not 0 <= seconds <= 59:
            raise MinutesFormatError(f"seconds out of range in {value!r}")
        return round(minutes + seconds / 60, 1)
    m = _ISO.match(text)
    if m:
        return round(int(m.group(1)) + float(m.group(2)) / 60, 1)
    try:
        number = float(text)
    except ValueError:
        raise MinutesFormatError(f"unrecognised minutes {value!r}") from None
    if number < 0 or math.isnan(number):
        raise MinutesFormatError(f"unrecognised minutes {value!r}")
    return round(number, 1)


_CATEGORY_KEYWORDS = [
    (
        "injury",
        (
            "injury",
            "illness",
            "sprain",
            "strain",
            "knee",
            "ankle",
            "soreness",
            "surgery",
            "concussion",
            "fracture",
            "contusion",
            "hamstring",
            "back",
            "protocol",
            "recovery",
        ),
    ),
    ("rest", ("rest", "load management", "maintenance")),
    ("personal", ("personal", "bereavement", "family")),
    ("coach_decision", ("coach", "suspension", "not with team", "nwt", "g league", "two-way", "trade")),
]


def dnp_reason_category(reason: str | None) -> str | None:
    """Legacy keyword categories: injury, rest, personal, coach_decision, else other."""
    if reason is None or not str(reason).strip():
        return None
    text = str(reason).lower()
    for category, words in _CATEGORY_KEYWORDS:
        if any(w in text for w in words):
            return category
    return "other"


def is_dnp(status: pd.Series, minutes: pd.Series) -> pd.Series:
    """is_dnp = status in {dnp, inactive} OR (status active AND minutes == 0).

    An active row with unknown (NULL) minutes is not a DNP: the minutes-coverage check must see it.
    """
    status = status.fillna("").str.lower()
    return (status.isin(["dnp", "inactive"]) | ((status == "active") & (minutes.fillna(-1) == 0))).astype(bool)


def _f(x) -> pd.Series:
    """Float series (index preserved); scalars become one-element series."""
    if isinstance(x, pd.Series):
        return pd.to_numeric(x, errors="coerce").astype("float64")
    return pd.Series(np.atleast_1d(np.asarray(x, dtype="float64")))


def possessions(fga, fta, tov, oreb):
    """FGA + 0.44*FTA + TOV - OREB."""
    return _f(fga) + 0.44 * _f(fta) + _f(tov) - _f(oreb)


def safe_div(num, den) -> pd.Series:
    num, den = _f(num), _f(den)
    return num / den.where(den != 0)


def effective_fg_pct(fgm, fg3m, fga):
    """(FGM + 0.5*3PM) / FGA, only when FGA > 0."""
    return safe_div(_f(fgm) + 0.5 * _f(fg3m), fga)


def true_shooting_pct(pts, fga, fta):
    """PTS / (2 * (FGA + 0.44*FTA)), only when FGA > 0 (legacy rule)."""
    fga = _f(fga)
    return safe_div(pts, 2 * (fga + 0.44 * _f(fta))).where(fga > 0)


def usage_rate(fga, fta, tov, minutes, team_fga, team_fta, team_tov):
    """100 * (FGA + 0.44*FTA + TOV) * 48 / (minutes * (teamFGA + 0.44*teamFTA + teamTOV)).

    NULL without team stats or minutes; values over 100 are impossible and set NULL (incident 12);
    rounded to 0.1.
    """
    minutes = _f(minutes)
    num = 100.0 * (_f(fga) + 0.44 * _f(fta) + _f(tov)) * 48.0
    den = minutes * (_f(team_fga) + 0.44 * _f(team_fta) + _f(team_tov))
    usage = safe_div(num, den).where(minutes > 0)
    return usage.where((usage <= 100.0) & (usage > 0)).round(1)


def game_minutes_from_team_minutes(team_minutes):
    """Actual game length: (team minutes)/5, default 240/5 = 48."""
    tm = _f(team_minutes).fillna(240.0)
    return tm.where(tm > 0, 240.0) / 5.0


def overtime_periods(team_minutes):
    """(team minutes - 240)/25, at least 0."""
    tm = _f(team_minutes).fillna(240.0)
    return ((tm - 240.0) / 25.0).clip(lower=0).round().astype("Int64")


def pace(poss, game_minutes):
    """Possessions per 48 minutes: poss * 48 / game minutes."""
    return safe_div(_f(poss) * 48.0, game_minutes)


def rating(points, poss):
    """Points per 100 possessions."""
    return 100.0 * safe_div(points, poss)


def team_minutes_value(text) -> int | None:
    """Team minutes field "265:00" -> 265 (the part before ':'); numbers pass through."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return None
    s = str(text).strip()
    if not s:
        return None
    if s.startswith("PT"):
        m = re.match(r"PT(\d+)M", s)
        return int(m.group(1)) if m else None
    return int(float(s.split(":")[0]))
