"""Dagster instance configuration shipped with the project (copied into DAGSTER_HOME by the CLI)."""

from importlib.resources import files

LOCAL_INSTANCE_YAML = files(__name__).joinpath("local_dagster.yaml")
