"""The one execution model: which dates of a run are ready, how each date is recorded, how runs are
created. With ``nba_pipeline/instance/`` the only code that touches Dagster internals."""
