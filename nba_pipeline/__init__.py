"""Daily NBA player-points props predictions as one Dagster asset graph."""
