"""Whole-season completeness (legacy incident 31: 109 days of absent output went unseen because
gap detection only looked at a trailing window)."""

import datetime as dt

import dagster as dg
import pandas as pd

from nba_pipeline import calendar, keys
from nba_pipeline.partitions import season_opener, season_year
from nba_pipeline.resources import Clock
from nba_pipeline.warehouse import tables as t
from nba_pipeline.warehouse.base import Warehouse

CHECK_NO_SEASON_GAPS = "no_missing_game_dates_this_season"


@dg.asset_check(
    asset=keys.PLAYER_GAME_SUMMARY,
    name=CHECK_NO_SEASON_GAPS,
    blocking=False,
    description="Every date of the current season that this home holds data from (from the first "
    "date it materialized this season, or the opener, to yesterday, ET) with final "
    "games on the schedule has player rows for all of them, and no date in between "
    "was never scraped.",
)
def no_missing_game_dates_this_season(
    context: dg.AssetCheckExecutionContext, warehouse: Warehouse, clock: Clock
) -> dg.AssetCheckResult:
    yesterday = clock.today_et() - dt.timedelta(days=1)
    opener = season_opener(season_year(yesterday))
    season_start = opener - dt.timedelta(days=21)  # preseason games count once a home holds them
    # A home that started mid-season (the demo, a backfill from a later date) is judged from the
    # first date it holds: the dates before it were never meant to be here. Holes after it are
    # gaps, however deep in the season (legacy incident 31).
    held = sorted(
        p
        for p in context.instance.get_materialized_partitions(keys.RAW_SCHEDULE)
        if season_start.isoformat() <= p <= yesterday.isoformat()
    )
    start = max(season_start, dt.date.fromisoformat(held[0])) if held else None
    meta = {
        "season_start": season_start.isoformat(),
        "through": yesterday.isoformat(),
        "judged_from": start.isoformat() if start else "nothing held this season",
    }
    if start is None:
        return dg.AssetCheckResult(passed=True, metadata=meta, description="this home holds no date of the season yet")
    sched = warehouse.read(t.NBAC_SCHEDULE, start, yesterday)
    finals = calendar.final_games(sched)
    pgs = warehouse.read(t.PLAYER_GAME_SUMMARY, start, yesterday, columns=["game_date", "game_id"])
    have = set(zip(pd.to_datetime(pgs["game_date"]).dt.date, pgs["game_id"]))
    missing = sorted(
        {
            pd.Timestamp(d).date().isoformat()
            for d, g in zip(finals["game_date"], finals["game_id"])
            if (pd.Timestamp(d).date(), g) not in have
        }
    )
    # Dates the schedule itself never recorded are gaps too: days after the first held date (and
    # from the opener on) without a raw schedule partition.
    scheduled_dates = set(pd.to_datetime(sched["game_date"]).dt.date)
    held_set = set(held)
    no_schedule = sorted(
        d.isoformat()
        for d in (start + dt.timedelta(days=i) for i in range((yesterday - start).days + 1))
        if d >= opener and d.isoformat() not in held_set and d not in scheduled_dates
    )
    meta.update(
        {
            "dates_missing_player_rows": dg.MetadataValue.json(missing),
            "dates_without_a_schedule_scrape": dg.MetadataValue.json(no_schedule),
        }
    )
    passed = not missing and not no_schedule
    return dg.AssetCheckResult(
        passed=passed,
        metadata=meta,
        description=None
        if passed
        else f"{len(missing)} game dates missing player rows, {len(no_schedule)} dates never scraped since {start}",
    )


GAP_CHECKS = [no_missing_game_dates_this_season]
