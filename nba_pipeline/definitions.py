"""The Dagster definitions: composition only (assets, checks, automation, schedules, resources)."""

import dagster as dg

from nba_pipeline import automation, environment
from nba_pipeline.assets.analytics import ANALYTICS_ASSETS
from nba_pipeline.assets.grading import GRADING_ASSETS
from nba_pipeline.assets.precompute import PRECOMPUTE_ASSETS
from nba_pipeline.assets.predictions import PREDICTION_ASSETS
from nba_pipeline.assets.publishing import PUBLISHING_ASSETS
from nba_pipeline.assets.raw import RAW_ASSETS
from nba_pipeline.assets.scrape import SCRAPER_ASSETS
from nba_pipeline.deployment import build_resources

ASSETS = [*SCRAPER_ASSETS, *RAW_ASSETS, *ANALYTICS_ASSETS, *PRECOMPUTE_ASSETS, *PREDICTION_ASSETS,
          *PUBLISHING_ASSETS, *GRADING_ASSETS]

defs = dg.Definitions(
    assets=ASSETS,
    schedules=list(automation.SCHEDULES),
    sensors=list(automation.AUTOMATION_SENSORS),
    jobs=list(automation.SCRAPE_JOBS),
    resources=build_resources(environment.current()),
    executor=dg.in_process_executor,
)
