"""The local Dagster instance of a pipeline home: where it lives and its first config."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from nba_pipeline.environment import ENV_DEPLOYMENT, ConfigurationError, Deployment, Environment
from nba_pipeline.instance import LOCAL_INSTANCE_YAML


def ensure_local_instance(env: Environment) -> Path:
    """The DAGSTER_HOME every command uses, and so its Dagster instance (``dagster.yaml`` there).

    DAGSTER_HOME, when set, wins, and its dagster.yaml is used as it is, as Dagster's own tools
    would (the production instance: deploy/dagster.yaml, Postgres from DAGSTER_PG_*).
    Otherwise the home is ``$NBA_PIPELINE_HOME/dagster``. A missing dagster.yaml is written from the
    shipped local config (SQLite under the home) only for a local deployment: in prod it is an error,
    because runs recorded in a SQLite file on one machine would be invisible to the webserver,
    the daemon and every other worker."""
    home = Path(os.environ.get("DAGSTER_HOME") or env.dagster_home)
    cfg = home / "dagster.yaml"
    if env.deployment is Deployment.PROD and not cfg.is_file():
        raise ConfigurationError(
            f"{ENV_DEPLOYMENT}=prod needs the production Dagster instance config, and {cfg} does not exist: "
            "set DAGSTER_HOME to the folder holding it (deploy/dagster.yaml: Postgres, with "
            "DAGSTER_PG_HOST, DAGSTER_PG_PORT, DAGSTER_PG_USERNAME, DAGSTER_PG_PASSWORD, DAGSTER_PG_DB set)"
        )
    home.mkdir(parents=True, exist_ok=True)
    if not cfg.exists():
        # Written whole or not at all: a second command starting on the same empty home never reads
        # half a config.
        partial = home / f".dagster.yaml.{os.getpid()}"
        shutil.copyfile(str(LOCAL_INSTANCE_YAML), partial)
        os.replace(partial, cfg)
    # The command's process is Dagster's from here on: DagsterInstance.get() and the local config's
    # storage folder ({env: DAGSTER_HOME}) read it. Set by the command, never by a library constructor.
    os.environ["DAGSTER_HOME"] = str(home)
    # Dagster's documented switch for handing a step's materializations of a range to the storage
    # together (the local storage commits them once: instance/event_log.py); runs inherit it.
    os.environ.setdefault("DAGSTER_EVENT_BATCH_SIZE", "1000")
    return home
