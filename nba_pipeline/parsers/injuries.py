"""Parser for the NBA injury report: the rows of a report, whichever source served it.

A report reaches Phase 2 either as the PDF the NBA publishes (the live source; the historical source
when its folder holds the PDF) or as CSV rows already taken from it (older folders, the simulated
league). :func:`injury_report_text` turns either into the CSV rows (``INJURY_REPORT_COLUMNS``) and
:func:`parse_injury_report` is the one parser of those rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pandas as pd

from nba_pipeline.calendar import ET
from nba_pipeline.domain.formulas import dnp_reason_category
from nba_pipeline.domain.names import player_lookup
from nba_pipeline.domain.teams import UnknownTeamError, team_by_name
from nba_pipeline.parsers import PayloadError
from nba_pipeline.parsers.injury_pdf import InjuryReportPdfError, injury_report_csv_from_pdf
from nba_pipeline.sources.base import INJURY_REPORT

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


def _endpoint(source: str | None) -> str:
    return f"{source} {INJURY_REPORT}" if source else INJURY_REPORT


def injury_report_text(raw: bytes, game_date: dt.date, path: str, source: str | None = None) -> str:
    """An archived report as CSV rows: a ``.pdf`` file is read by
    :func:`~nba_pipeline.parsers.injury_pdf.injury_report_csv_from_pdf`, a CSV file is returned as it
    is. A file that cannot be read raises :class:`PayloadError` naming the source, date, file, page and
    field."""
    kw = dict(endpoint=_endpoint(source), game_date=game_date, path=path)
    if path.endswith(".pdf"):
        try:
            return injury_report_csv_from_pdf(raw, path)
        except InjuryReportPdfError as exc:
            raise PayloadError(field=exc.field, problem=exc.problem, page=exc.page, **kw) from exc
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PayloadError(field="(whole payload)", problem=f"not UTF-8 text ({exc})", **kw) from None


def parse_injury_report(
    text: str, game_date: dt.date, path: str, report_name: str, source: str | None = None
) -> pd.DataFrame:
    kw = dict(endpoint=_endpoint(source), game_date=game_date, path=path)
    reader = csv.DictReader(io.StringIO(text))
    cols = set(reader.fieldnames or [])
    missing = [c for c in ("gameDate", "team", "player", "status", "reason") if c not in cols]
    if missing:
        raise PayloadError(field=f"columns {missing}", problem="missing", **kw)
    published = report_published_at(report_name)
    rows = []
    for n, r in enumerate(reader, start=2):
        page = str(r.get("page") or "").strip()
        # Rows taken from a PDF say on which page they were printed: errors name it.
        at = {**kw, "page": int(page) if page.isdigit() else None}
        try:
            row_date = dt.datetime.strptime(r["gameDate"].strip(), "%m/%d/%Y").date()
        except ValueError:
            raise PayloadError(field=f"line {n}.gameDate", problem=f"not MM/DD/YYYY: {r['gameDate']!r}", **at) from None
        if row_date != game_date:
            continue  # reports also list tomorrow's games; those rows belong to tomorrow's partition
        status = (r["status"] or "").strip().lower()
        if status not in STATUSES:
            raise PayloadError(field=f"line {n}.status", problem=f"unknown status {r['status']!r}", **at)
        try:
            team = team_by_name(r["team"]).tricode
        except UnknownTeamError as exc:
            raise PayloadError(field=f"line {n}.team", problem=str(exc), **at) from None
        name = (r["player"] or "").strip()
        if not name:
            raise PayloadError(field=f"line {n}.player", problem="empty", **at)
        if "," in name:
            last, _, first = name.partition(",")
            display = f"{first.strip()} {last.strip()}"
        else:
            display = name
        reason = (r["reason"] or "").strip() or None
        rows.append(
            {
                "game_date": game_date,
                "report_name": report_name,
                "report_published_at": pd.Timestamp(published).tz_convert("UTC") if published else pd.NaT,
                "team_tricode": team,
                "player_name": display,
                "player_lookup": player_lookup(name),
                "injury_status": status,
                "reason": reason,
                "reason_category": dnp_reason_category(reason),
                "matchup": (r.get("matchup") or None),
            }
        )
    return pd.DataFrame(rows)
