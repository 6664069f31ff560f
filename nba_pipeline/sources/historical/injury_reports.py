"""The injury-report files of a historical folder, indexed by game date and publication instant.

A report kept both as the NBA's PDF and as the CSV parsed from it is served as the PDF, what the live
source serves; the files are read on request.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from nba_pipeline.calendar import ET
from nba_pipeline.sources.historical.model import UTC, FolderData

_INJURY_FILE = re.compile(r"^Injury-Report_(\d{4}-\d{2}-\d{2})_(\d{1,2})(?:_(\d{2}))?(AM|PM)$")


def index_injury_reports(root: Path, data: FolderData) -> None:
    reports: dict[str, Path] = {}
    for path in sorted((root / "api_payloads" / "nba_injury_report").glob("Injury-Report_*.*")):
        if path.suffix == ".pdf" or (path.suffix == ".csv" and path.stem not in reports):
            reports[path.stem] = path
    for path in reports.values():
        m = _INJURY_FILE.match(path.stem)
        if m is None:
            continue
        day, hour, minute, ampm = m.groups()
        h = int(hour) % 12 + (12 if ampm == "PM" else 0)
        published = dt.datetime.combine(dt.date.fromisoformat(day), dt.time(h, int(minute or 0)), ET)
        data.injury_by_date.setdefault(published.date(), []).append((published.astimezone(UTC), path))
    for day_reports in data.injury_by_date.values():
        day_reports.sort()
