"""Partition-aware freshness: "today's partition of X is late".

Dagster's FreshnessPolicy (attached to every table) is asset-level: a backfill of an old date makes
a table look fresh. These checks judge the partition that should exist by now: for each asset, the
most recent game date past its deadline (automation.DEADLINES) must be materialized, not failed and
not blocked by a failing check. Evaluated every 15 minutes by the ``freshness_checks`` job.
"""

import dagster as dg

from nba_pipeline import automation
from nba_pipeline.observe import partition_state
from nba_pipeline.resources import Clock

CHECK_PARTITION_ON_TIME = "partition_on_time"


def _on_time_check(key: dg.AssetKey) -> dg.AssetChecksDefinition:
    deadline = automation.DEADLINES[key]

    @dg.asset_check(
        asset=key,
        name=CHECK_PARTITION_ON_TIME,
        blocking=False,
        description=f"The latest game date past its deadline (day +{deadline.days_after}, "
        f"{deadline.at:%H:%M} ET) is materialized and healthy.",
    )
    def _check(context: dg.AssetCheckExecutionContext, clock: Clock) -> dg.AssetCheckResult:
        now = clock.now()
        day = automation.latest_due_date(key, now)
        state = partition_state(context.instance, key, day.isoformat())
        due = deadline.due(day)
        meta = {
            "partition": day.isoformat(),
            "deadline_et": due.isoformat(),
            "materialized": state.materialized,
            "latest_run_status": state.latest_run_status or "",
            "in_progress": state.in_progress,
        }
        if state.materialized and not state.attempt_failed:
            return dg.AssetCheckResult(passed=True, metadata=meta)
        why = (
            "its latest run failed"
            if state.attempt_failed and not state.in_progress
            else "a run is still in progress"
            if state.in_progress
            else "never materialized"
        )
        return dg.AssetCheckResult(
            passed=False,
            metadata=meta,
            description=f"partition {day} of {key.to_user_string()} is late: due {due:%Y-%m-%d %H:%M} ET, {why}",
        )

    return _check


ON_TIME_CHECKS = [_on_time_check(k) for k in automation.DEADLINES]
