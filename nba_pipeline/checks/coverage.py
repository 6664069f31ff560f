"""Coverage: every final game of a date has rows, and minutes are known for the players who played; a date with final games and no rows keeps its
previous rows (legacy incident 26); a game that will never arrive does not block forever (28)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import dagster as dg
import pandas as pd

from nba_pipeline import calendar
from nba_pipeline.checks.names import CHECK_FINAL_GAMES_COVERED, CHECK_MINUTES_COVERAGE
from nba_pipeline.domain.formulas import is_dnp
from nba_pipeline.execution.frames import ByDate
from nba_pipeline.warehouse import tables as t
from nba_pipeline.warehouse.base import Warehouse
from nba_pipeline.warehouse.spec import TableSpec

# A permanently missing game must not block a date forever (legacy incident 28): once the date is
# this old and this share of its final games is covered, the coverage check passes with a warning.
COVERAGE_BYPASS_MIN_SHARE = 0.8
COVERAGE_BYPASS_AFTER_DAYS = 2
MINUTES_COVERAGE_MIN = 0.9


def final_games(warehouse: Warehouse, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Final (status 3, not postponed) games per the latest schedule scrape."""
    return calendar.final_games(warehouse.read(t.NBAC_SCHEDULE, start, end))


def zero_row_dates(
    spec: TableSpec, frame: pd.DataFrame, finals: pd.DataFrame, dates: Iterable[dt.date]
) -> dict[dt.date, str]:
    """Dates that have final games but for which the computation produced no rows (incident 26):
    their previous rows are kept rather than replaced with nothing; the coverage check fails."""
    have = set(pd.to_datetime(frame[spec.date_column]).dt.date) if len(frame) else set()
    counts = finals.groupby(pd.to_datetime(finals["game_date"]).dt.date).size() if len(finals) else {}
    return {
        d: f"computed 0 rows for {d} ({int(counts[d])} final games); nothing was written, previous rows are kept"
        for d in dates
        if d in counts and d not in have
    }


def coverage_results(
    spec: TableSpec,
    frame: pd.DataFrame,
    finals: pd.DataFrame,
    dates: Sequence[dt.date],
    today_et: dt.date,
    game_id_col: str = "game_id",
) -> dict[dt.date, dg.AssetCheckResult]:
    """Per date: every final game has rows. A date >= 2 days old with >= 80% coverage passes with a
    warning instead of blocking forever (a gamebook that will never exist)."""
    finals_by, frame_by = ByDate(finals), ByDate(frame)
    out = {}
    for d in dates:
        want = set(finals_by[d]["game_id"])
        got = set(frame_by[d][game_id_col]) if len(frame_by[d]) else set()
        missing = sorted(want - got)
        meta = {"final_games": len(want), "missing_games": dg.MetadataValue.json(missing)}
        if not missing:
            out[d] = dg.AssetCheckResult(
                check_name=CHECK_FINAL_GAMES_COVERED, asset_key=spec.asset_key, passed=True, metadata=meta
            )
            continue
        share = 1 - len(missing) / len(want)
        if share >= COVERAGE_BYPASS_MIN_SHARE and (today_et - d).days >= COVERAGE_BYPASS_AFTER_DAYS:
            out[d] = dg.AssetCheckResult(
                check_name=CHECK_FINAL_GAMES_COVERED,
                asset_key=spec.asset_key,
                passed=False,
                severity=dg.AssetCheckSeverity.WARN,
                metadata=meta,
                description=f"{len(missing)} of {len(want)} final games still missing on {d}; proceeding "
                f"(>= {COVERAGE_BYPASS_MIN_SHARE:.0%} covered, >= {COVERAGE_BYPASS_AFTER_DAYS} days old)",
            )
        else:
            out[d] = dg.AssetCheckResult(
                check_name=CHECK_FINAL_GAMES_COVERED,
                asset_key=spec.asset_key,
                passed=False,
                metadata=meta,
                description=f"{len(missing)} of {len(want)} final games of {d} have no rows",
            )
    return out


def minutes_coverage_result(
    spec, frame: pd.DataFrame, status_col: str = "player_status", minutes_col: str = "minutes_decimal"
) -> dg.AssetCheckResult:
    """Minutes known on >= 90% of rows that are not DNPs. DNP rows are not in the denominator: they
    have no minutes by definition and made healthy nights look broken (legacy incident 11)."""
    if frame.empty:
        return dg.AssetCheckResult(
            check_name=CHECK_MINUTES_COVERAGE, asset_key=spec.asset_key, passed=True, metadata={"non_dnp_rows": 0}
        )
    minutes = pd.to_numeric(frame[minutes_col], errors="coerce")
    played = ~is_dnp(frame[status_col], minutes)
    n = int(played.sum())
    covered = int(minutes[played].notna().sum())
    share = covered / n if n else 1.0
    return dg.AssetCheckResult(
        check_name=CHECK_MINUTES_COVERAGE,
        asset_key=spec.asset_key,
        passed=share >= MINUTES_COVERAGE_MIN,
        metadata={
            "non_dnp_rows": n,
            "with_minutes": covered,
            "coverage": round(share, 4),
            "dnp_rows_excluded": int((~played).sum()),
            "threshold": MINUTES_COVERAGE_MIN,
        },
    )
