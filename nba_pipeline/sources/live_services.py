"""The live services' addresses, request headers and calendars: where the schedule, the stats, the
injury report and the odds live, which season types a date has, which report slots to try."""

from __future__ import annotations

import datetime as dt
from typing import Any

from nba_pipeline.calendar import ET
from nba_pipeline.sources.base import SourcePermanentError

UTC = dt.UTC

SCHEDULE_URL = "https://cdn.nba.com/static/json/staticData/scheduleLeagueV2_1.json"
STATS_BASE = "https://stats.nba.com/stats"
LEAGUE_GAME_LOG_URL = f"{STATS_BASE}/leaguegamelog"
BOXSCORE_TRADITIONAL_URL = f"{STATS_BASE}/boxscoretraditionalv3"
COMMON_TEAM_ROSTER_URL = f"{STATS_BASE}/commonteamroster"
INJURY_REPORT_BASE = "https://ak-static.cms.nba.com/referee/injury"
ODDS_API_BASE = "https://api.the-odds-api.com/v4/sports/basketball_nba"

# The injury report file names gained a minutes segment (15-minute publication slots) on this date;
# before it the NBA published hourly as Injury-Report_YYYY-MM-DD_HHAM.pdf.
INJURY_REPORT_MINUTES_SINCE = dt.date(2025, 12, 23)

DEFAULT_BOOKMAKERS = ["draftkings", "fanduel", "betmgm", "williamhill_us", "betrivers"]

BROWSER_HEADERS = {
    "User-Agent": (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0.0.0 Safari/537.36"
    ),
    "Referer": "https://www.nba.com/",
    "Origin": "https://www.nba.com",
    "Accept": "application/json, text/plain, */*",
    "Accept-Language": "en-US,en;q=0.9",
}
# stats.nba.com answers (or hangs) only for requests that look like the nba.com web app.
STATS_HEADERS = {
    **BROWSER_HEADERS,
    "x-nba-stats-origin": "stats",
    "x-nba-stats-token": "true",
    "Connection": "keep-alive",
}
ODDS_HEADERS = {"User-Agent": "nba_pipeline (httpx)", "Accept": "application/json"}


def as_utc(instant: dt.datetime) -> dt.datetime:
    return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant.astimezone(UTC)


def schedule_date_key(game_date: dt.date) -> str:
    return f"{game_date:%m/%d/%Y} 00:00:00"


def season_types(game_date: dt.date) -> list[str]:
    # Play-in and playoffs run mid-April to June; the regular season ends in mid-April.
    if game_date.month in (4, 5, 6):
        return ["Regular Season", "PlayIn", "Playoffs"]
    return ["Regular Season"]


def games_of(schedule_body: dict) -> list[dict]:
    return [g for gd in schedule_body["leagueSchedule"]["gameDates"] for g in gd.get("games", [])]


def injury_report_candidate_urls(game_date: dt.date, as_of: dt.datetime) -> list[str]:
    """Report URLs to try for ``game_date``, latest first: every publication slot of the ET day of
    ``min(as_of, end of game_date)`` at or before that instant (15-minute slots, or hourly slots in the
    old naming before 2025-12-23)."""
    day_end = dt.datetime.combine(game_date, dt.time(23, 59, 59), ET)
    upper = min(as_utc(as_of).astimezone(ET), day_end)
    day = upper.date()
    minutes_format = day >= INJURY_REPORT_MINUTES_SINCE
    step = 15 if minutes_format else 60
    minute_of_day = upper.hour * 60 + upper.minute
    urls: list[str] = []
    for m in range(minute_of_day - minute_of_day % step, -1, -step):
        slot = dt.datetime.combine(day, dt.time(m // 60, m % 60))
        stamp = f"{slot:%Y-%m-%d_%I_%M%p}" if minutes_format else f"{slot:%Y-%m-%d_%I%p}"
        urls.append(f"{INJURY_REPORT_BASE}/Injury-Report_{stamp}.pdf")
    return urls


def parse_instant(value: Any) -> dt.datetime:
    try:
        return as_utc(dt.datetime.fromisoformat(str(value).replace("Z", "+00:00")))
    except ValueError:
        raise SourcePermanentError(f"The Odds API event has an unreadable commence_time {value!r}") from None


def row_count(body: Any) -> int:
    try:
        sets = body["resultSets"]
        sets = [sets] if isinstance(sets, dict) else sets
        return sum(len(rs.get("rowSet") or []) for rs in sets)
    except (KeyError, TypeError):
        return 0
