"""`python -m nba_pipeline.cli`: the same as `nba-pipeline`."""

import sys

from nba_pipeline.cli import main

sys.exit(main())
