"""Parser for the NBA injury report (rows parsed from the published PDF)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import pandas as pd

from nba_pipeline.domain.formulas import dnp_reason_category
from nba_pipeline.domain.names import player_lookup
from nba_pipeline.domain.teams import UnknownTeamError, team_by_name
from nba_pipeline.parsers import PayloadError
from nba_pipeline.sources.base import INJURY_REPORT

ET = ZoneInfo("America/New_York")
STATUSES = ("out", "doubtful", "questionable", "probable", "available")
_NAME = re.compile(r"Injury-Report_(\d{4}-\d{2}-\d{2})_(\d{1,2})(?:_(\d{2}))?(AM|PM)")


def report_published_at(report_name: str) -> dt.datetime | None:
    """Injury-Report_2026-02-08_06_30PM -> 2026-02-08 18:30 ET (older names lack the minutes)."""
    m = _NAME.search(report_name)
    if not m:
        return None
    day, hour, minute, ampm = m.groups()
    h = int(hour) % 12 + (12 if ampm == "PM" else 0)
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(h, int(minute or 0)), tzinfo=ET)


def parse_injury_report(text: str, game_date: dt.date, path: str, report_name: str) -> pd.DataFrame:
    kw = dict(endpoint=INJURY_REPORT, game_date=game_date, path=path)
    reader = csv.DictReader(io.StringIO(text))
    cols = set(reader.fieldnames or [])
    missing = [c for c in ("gameDate", "team", "player", "status", "reason") if c not in cols]
    if missing:
        raise PayloadError(field=f"columns {missing}", problem="missing", **kw)
    published = report_published_at(report_name)
    rows = []
    for n, r in enumerate(reader, start=2):
        try:
            row_date = dt.datetime.strptime(r["gameDate"].strip(), "%m/%d/%Y").date()
        except ValueError:
            raise PayloadError(field=f"line {n}.gameDate", problem=f"not MM/DD/YYYY: {r['gameDate']!r}", **kw) from None
        if row_date != game_date:
            continue  # reports also list tomorrow's games; those rows belong to tomorrow's partition
        status = (r["status"] or "").strip().lower()
        if status not in STATUSES:
            raise PayloadError(field=f"line {n}.status", problem=f"unknown status {r['status']!r}", **kw)
        try:
            team = team_by_name(r["team"]).tricode
        except UnknownTeamError as exc:
            raise PayloadError(field=f"line {n}.team", problem=str(exc), **kw) from None
        name = (r["player"] or "").strip()
        if not name:
            raise PayloadError(field=f"line {n}.player", problem="empty", **kw)
        if "," in name:
            last, _, first = name.partition(",")
            display = f"{first.strip()} {last.strip()}"
        else:
            display = name
        reason = (r["reason"] or "").strip() or None
        rows.append({
            "game_date": game_date, "report_name": report_name,
            "report_published_at": pd.Timestamp(published).tz_convert("UTC") if published else pd.NaT,
            "team_tricode": team, "player_name": display, "player_lookup": player_lookup(name),
            "injury_status": status, "reason": reason, "reason_category": dnp_reason_category(reason),
            "matchup": (r.get("matchup") or None),
        })
    return pd.DataFrame(rows)
