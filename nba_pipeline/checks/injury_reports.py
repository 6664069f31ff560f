"""Which injury report is in force for a date, and the check that says whether a later one could not be read."""

from __future__ import annotations

import datetime as dt

import dagster as dg

from nba_pipeline.checks.names import CHECK_INJURY_REPORTS_READABLE
from nba_pipeline.parsers import PayloadError
from nba_pipeline.parsers.injuries import report_published_at
from nba_pipeline.storage import ArchivedFile


def injury_reports_verdict(
    day: dt.date, reports: list[tuple[ArchivedFile, PayloadError | None]]
) -> tuple[str | None, dg.AssetCheckResult]:
    """The report in force for the date (the newest that parsed; reports ordered by publication time
    from the file name, then scrape time) and the date's ``injury_reports_readable`` result."""
    ordered = sorted(reports, key=lambda r: (report_published_at(r[0].name) or r[0].fetched_at, r[0].fetched_at))
    good = [f for f, err in ordered if err is None]
    bad = [(f, err) for f, err in ordered if err is not None]
    in_force = good[-1].name if good else None
    meta = {
        "archived_files": len(ordered),
        "report_in_force": in_force,
        "unreadable": dg.MetadataValue.json(
            [
                {"report": f.name, "file": err.path, "page": err.page, "field": err.field, "problem": err.problem}
                for f, err in bad
            ]
        ),
    }
    if not bad:
        return in_force, dg.AssetCheckResult(check_name=CHECK_INJURY_REPORTS_READABLE, passed=True, metadata=meta)
    # Failing (ERROR) while the newest report has no readable copy; a warning once it is superseded
    # (or another scrape of the same report parsed).
    newest_bad = ordered[-1][0].name not in {f.name for f in good}
    kept = f"report in force: {in_force}" if in_force else "no report of the date parses; previous rows kept"
    description = f"{len(bad)} of {len(ordered)} injury report(s) of {day} unreadable ({kept}): {bad[-1][1]}"
    return in_force, dg.AssetCheckResult(
        check_name=CHECK_INJURY_REPORTS_READABLE,
        passed=False,
        metadata=meta,
        description=description,
        severity=dg.AssetCheckSeverity.ERROR if newest_bad else dg.AssetCheckSeverity.WARN,
    )
