"""Asset checks that look across partitions or tables; cheap per-partition checks sit inline with
their asset."""

import dagster as dg

from nba_pipeline.calendar import ET_NAME
from nba_pipeline.checks.completeness import GAP_CHECKS
from nba_pipeline.checks.freshness import ON_TIME_CHECKS

STANDALONE_CHECKS = [*ON_TIME_CHECKS, *GAP_CHECKS]

CHECKS_JOB = dg.define_asset_job("freshness_and_gap_checks", selection=dg.AssetSelection.checks(*STANDALONE_CHECKS))
CHECKS_SCHEDULE = dg.ScheduleDefinition(
    name="freshness_and_gap_checks_every_15_minutes",
    cron_schedule="*/15 * * * *",
    job=CHECKS_JOB,
    execution_timezone=ET_NAME,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Evaluates the partition-aware on-time checks and the season gap detector.",
)
