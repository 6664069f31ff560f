"""The Dagster definitions: composition only (assets, checks, automation, schedules, resources of the
current environment, resolved once, here)."""

import dagster as dg

from nba_pipeline import checks, environment
from nba_pipeline.assets import ALL_ASSETS
from nba_pipeline.automation import SCRAPE_JOBS, build_automation_sensors, build_schedules
from nba_pipeline.automation.alerts import ALERT_SENSORS
from nba_pipeline.automation.self_heal import self_heal
from nba_pipeline.deployment import build_resources
from nba_pipeline.domain import systems

ASSETS = ALL_ASSETS
ENVIRONMENT = environment.current()
# The registry is checked when the definitions load: unique ids, one published system, no feature
# our sources cannot give.
systems.validate()

defs = dg.Definitions(
    assets=ASSETS,
    asset_checks=checks.STANDALONE_CHECKS,
    schedules=[*build_schedules(ENVIRONMENT.accelerated_schedules), checks.CHECKS_SCHEDULE],
    sensors=[*build_automation_sensors(ENVIRONMENT.accelerated_schedules), self_heal, *ALERT_SENSORS],
    jobs=[*SCRAPE_JOBS, checks.CHECKS_JOB],
    resources=build_resources(ENVIRONMENT),
    executor=dg.in_process_executor,
)
