"""The NBA injury report as rows (the columns taken from its PDF), and its file naming."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from nba_pipeline.domain.teams import BY_TRICODE

INJURY_REPORT_COLUMNS = ["gameDate", "gameTime", "matchup", "team", "player", "status", "reason", "page"]


@dataclass
class InjuryRow:
    game_date: dt.date
    game_time_et: str  # "07:30 (ET)"
    matchup: str  # "MIA@WAS"
    team: str  # tricode
    player_name: str  # "First Last"
    status: str  # Out / Doubtful / Questionable / Probable / Available
    reason: str


def injury_report_csv(rows: list[InjuryRow]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(INJURY_REPORT_COLUMNS)
    for i, r in enumerate(rows):
        first, _, last = r.player_name.partition(" ")
        w.writerow(
            [
                r.game_date.strftime("%m/%d/%Y"),
                r.game_time_et,
                r.matchup,
                BY_TRICODE[r.team].full_name,
                f"{last}, {first}" if last else first,
                r.status,
                r.reason,
                1 + i // 25,
            ]
        )
    return buf.getvalue()


def injury_report_name(published_et: dt.datetime) -> str:
    """The NBA's file naming: Injury-Report_YYYY-MM-DD_HH_MMAM (minutes segment since 2025-12-23)."""
    return f"Injury-Report_{published_et:%Y-%m-%d_%I_%M%p}"
