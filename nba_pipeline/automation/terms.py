"""Automation terms Dagster has no primitive for: the pipeline clock's recent game dates, and the
state of a date's history (its history parents' partition of the day before).

History is declared without a partition mapping on purpose: an offset mapping (D reads D-1) makes
Dagster's backfill of the UI's dialog spill past the chosen dates and split into one run per
dependency level (README, "One execution model"), so the graph's edges are same-date and the
history relation is ours. These terms give automation what the D-1 mapping used to: a date is
requested only once yesterday's history is ready, and again when that history changes.

Custom conditions are evaluated in the code location (the automation sensors run with
``use_user_code_server=True``); each is placed after the recent-dates term in its condition, so it
only ever sees the two or three recent partitions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import dagster as dg

from nba_pipeline import environment
from nba_pipeline.execution.readiness import history_unready

# Yesterday (results land after midnight), today and tomorrow (upcoming-game context).
RECENT_DAYS_BACK = 1
RECENT_DAYS_AHEAD = 1


def pipeline_now(evaluation_time: dt.datetime) -> dt.datetime:
    """The pipeline's clock: NBA_PIPELINE_NOW (frozen or accelerated) when set, otherwise the time
    Dagster evaluates at (the wall clock under the daemon). Schedules, sensors, self-heal and the
    CLI read the same clock, so a replayed moment never triggers work for the wall-clock date."""
    env = environment.current()
    return env.now() if env.frozen_now is not None else evaluation_time


def recent_game_dates(now: dt.datetime) -> list[str]:
    today = now.astimezone(environment.ET).date()
    return [(today + dt.timedelta(days=i)).isoformat() for i in range(-RECENT_DAYS_BACK, RECENT_DAYS_AHEAD + 1)]


def _subset(context: dg.AutomationContext, partition_keys: Iterable[str]):
    partitions_def = context.partitions_def
    with dg.partition_loading_context(effective_dt=context.evaluation_time):
        valid = [k for k in partition_keys if partitions_def is not None and partitions_def.has_partition_key(k)]
    return context.candidate_subset.compute_intersection_with_partition_keys(set(valid))


class InRecentGameDates(dg.AutomationCondition):
    """The game date is yesterday, today or tomorrow on the pipeline clock (ET)."""

    @property
    def name(self) -> str:
        return "in_recent_game_dates"

    @property
    def description(self) -> str:
        return "game date is yesterday, today or tomorrow (ET) on the pipeline clock"

    def evaluate(self, context: dg.AutomationContext) -> dg.AutomationResult:
        keys = recent_game_dates(pipeline_now(context.evaluation_time))
        return dg.AutomationResult(context, true_subset=_subset(context, keys))


class _HistoryTerm(dg.AutomationCondition):
    def __init__(self, history: Iterable[dg.AssetKey]):
        self.history = tuple(sorted(set(history), key=lambda k: k.to_user_string()))

    def _parents(self, context: dg.AutomationContext) -> list[dg.AssetKey]:
        parents = context.asset_graph.get(context.key).parent_keys
        return [k for k in self.history if k in parents]

    def _dates(self, context: dg.AutomationContext) -> list[dt.date]:
        return sorted(dt.date.fromisoformat(k) for k in context.candidate_subset.expensively_compute_partition_keys())


class HistoryReady(_HistoryTerm):
    """Every history parent's partition of the day before is materialized, not failed, not being
    recomputed, and passed its blocking checks (the same rule a run applies to the date)."""

    @property
    def name(self) -> str:
        return "history_ready"

    @property
    def description(self) -> str:
        return f"history of the day before ready ({', '.join(k.to_user_string() for k in self.history)})"

    def evaluate(self, context: dg.AutomationContext) -> dg.AutomationResult:
        dates = self._dates(context)
        # Automation asks for the history itself: unlike a backfill starting a new home, a recent date
        # without yesterday's results waits for them.
        unready = history_unready(
            context.asset_graph_view.instance, context.asset_graph, self._parents(context), dates, missing_blocks=True
        )
        return dg.AutomationResult(
            context, true_subset=_subset(context, [d.isoformat() for d in dates if d not in unready])
        )


class HistoryNewer(_HistoryTerm):
    """A history parent's partition of the day before was materialized after the date's own latest
    materialization (or the date has none): the date's rows no longer reflect its history."""

    @property
    def name(self) -> str:
        return "history_newer_than_date"

    @property
    def description(self) -> str:
        return "history of the day before updated after the date's latest materialization"

    def evaluate(self, context: dg.AutomationContext) -> dg.AutomationResult:
        instance = context.asset_graph_view.instance
        parents = self._parents(context)
        newer = []
        for day in self._dates(context):
            own = _latest_storage_id(instance, context.key, day.isoformat())
            before = (day - dt.timedelta(days=1)).isoformat()
            if any((_latest_storage_id(instance, p, before) or 0) > (own or 0) for p in parents):
                newer.append(day.isoformat())
        return dg.AutomationResult(context, true_subset=_subset(context, newer))


def _latest_storage_id(instance: dg.DagsterInstance, key: dg.AssetKey, partition: str) -> int | None:
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=key, asset_partitions=[partition]), limit=1
    ).records
    return records[0].storage_id if records else None
