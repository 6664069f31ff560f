"""The Dagster definitions: composition only (assets, checks, automation, schedules, resources)."""

import dagster as dg

from nba_pipeline import automation, checks, environment, sensors
from nba_pipeline.assets import ALL_ASSETS
from nba_pipeline.deployment import build_resources

ASSETS = ALL_ASSETS

defs = dg.Definitions(
    assets=ASSETS,
    asset_checks=checks.STANDALONE_CHECKS,
    schedules=[*automation.SCHEDULES, checks.CHECKS_SCHEDULE],
    sensors=[*automation.AUTOMATION_SENSORS, *sensors.SENSORS],
    jobs=[*automation.SCRAPE_JOBS, checks.CHECKS_JOB],
    resources=build_resources(environment.current()),
    executor=dg.in_process_executor,
)
