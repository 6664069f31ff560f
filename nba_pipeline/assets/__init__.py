"""All assets of the graph, one module per phase."""

import dagster as dg

from nba_pipeline.assets.analytics import ANALYTICS_ASSETS
from nba_pipeline.assets.grading import GRADING_ASSETS
from nba_pipeline.assets.precompute import PRECOMPUTE_ASSETS
from nba_pipeline.assets.predictions import PREDICTION_ASSETS
from nba_pipeline.assets.publishing import PUBLISHING_ASSETS
from nba_pipeline.assets.raw import RAW_ASSETS
from nba_pipeline.assets.scrape import SCRAPER_ASSETS
from nba_pipeline.automation import attach_freshness

# Every table of Phases 2-6 and grading carries the freshness policy of its deadline (automation.py).
ALL_ASSETS = list(
    dg.map_asset_specs(
        attach_freshness,
        [
            *SCRAPER_ASSETS,
            *RAW_ASSETS,
            *ANALYTICS_ASSETS,
            *PRECOMPUTE_ASSETS,
            *PREDICTION_ASSETS,
            *PUBLISHING_ASSETS,
            *GRADING_ASSETS,
        ],
    )
)
