"""Deadlines: when the partition of game date D must have landed, in ET (tonight's predictions by
early afternoon, last night's results by the next morning). Freshness policies, the partition-aware
on-time checks, self-heal and `nba-pipeline status` all read this one table."""

from __future__ import annotations

import datetime as dt

import dagster as dg

from nba_pipeline import keys
from nba_pipeline.calendar import ET, ET_NAME, Deadline
from nba_pipeline.endpoints import ENDPOINTS

_MORNING_AFTER = Deadline(1, dt.time(7, 0))
DEADLINES: dict[dg.AssetKey, Deadline] = {
    # Phase 2: each raw table when its endpoint says (endpoints.py).
    **{e.raw_table.asset_key: e.raw_deadline for e in ENDPOINTS},
    keys.TEAM_OFFENSE: _MORNING_AFTER,
    keys.TEAM_DEFENSE: _MORNING_AFTER,
    keys.PLAYER_GAME_SUMMARY: _MORNING_AFTER,
    keys.UPCOMING_TEAM_CONTEXT: Deadline(0, dt.time(12, 0)),
    keys.UPCOMING_PLAYER_CONTEXT: Deadline(0, dt.time(12, 0)),
    keys.PLAYER_PROP_LINES: Deadline(0, dt.time(12, 0)),
    keys.TEAM_DEFENSE_ZONE: Deadline(0, dt.time(12, 30)),
    keys.PLAYER_SHOT_ZONE: Deadline(0, dt.time(12, 30)),
    keys.PLAYER_DAILY_CACHE: Deadline(0, dt.time(12, 30)),
    keys.PLAYER_COMPOSITE_FACTORS: Deadline(0, dt.time(12, 30)),
    keys.ML_FEATURE_STORE: Deadline(0, dt.time(12, 30)),
    keys.POINTS_MODEL: Deadline(0, dt.time(12, 30)),
    keys.PLAYER_PROP_PREDICTIONS: Deadline(0, dt.time(13, 0)),
    keys.EXPORT_TONIGHT: Deadline(0, dt.time(13, 30)),
    keys.EXPORT_PREDICTIONS: Deadline(0, dt.time(13, 30)),
    keys.PREDICTION_ACCURACY: Deadline(1, dt.time(8, 0)),
    keys.MODEL_PERFORMANCE_DAILY: Deadline(1, dt.time(8, 30)),
    keys.EXPORT_RESULTS: Deadline(1, dt.time(9, 0)),
}


def freshness_policy(key: dg.AssetKey) -> dg.FreshnessPolicy:
    """Asset-level freshness: materialized within the 24 hours before each daily deadline. Not
    partition-aware (a backfill of an old date also counts), hence the on-time checks below."""
    return dg.FreshnessPolicy.cron(
        deadline_cron=DEADLINES[key].cron(), lower_bound_delta=dt.timedelta(hours=24), timezone=ET_NAME
    )


def attach_freshness(spec: dg.AssetSpec) -> dg.AssetSpec:
    if spec.key not in DEADLINES:
        return spec
    return dg.apply_freshness_policy(spec, freshness_policy(spec.key), overwrite_existing=True)


def latest_due_date(key: dg.AssetKey, now: dt.datetime) -> dt.date | None:
    """The most recent game date whose partition of ``key`` is past its deadline."""
    deadline = DEADLINES[key]
    today = now.astimezone(ET).date()
    for back in range(0, 4):
        day = today - dt.timedelta(days=back)
        if deadline.due(day) <= now:
            return day
    return None
