"""The one place that reads the process environment.

Everything else asks :func:`current` for an :class:`Environment`. The default is the safe local
sandbox: DuckDB under a folder in the working directory and the deterministic simulated league, so
nothing touches the network or a cloud account unless someone asks for it explicitly.
"""

from __future__ import annotations

import datetime as dt
import enum
import os
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from nba_pipeline.calendar import ET
from nba_pipeline.resources import Clock

# Variable names, so that docs, CLI and tests refer to one spelling.
ENV_DEPLOYMENT = "NBA_PIPELINE_ENV"
ENV_HOME = "NBA_PIPELINE_HOME"
ENV_SOURCE = "NBA_PIPELINE_SOURCE"
ENV_HISTORICAL_DIR = "NBA_PIPELINE_HISTORICAL_DIR"
ENV_SEED = "NBA_PIPELINE_SEED"
ENV_NOW = "NBA_PIPELINE_NOW"
ENV_SELF_HEAL_MAX_ATTEMPTS = "NBA_PIPELINE_SELF_HEAL_MAX_ATTEMPTS"
ENV_BUILD_SHA = "NBA_PIPELINE_BUILD_SHA"  # set by the image build; recorded on every materialization
ENV_LOCK_WAIT = "NBA_PIPELINE_WAREHOUSE_LOCK_WAIT_SECONDS"  # how long a step waits for a locked DuckDB file
# An accelerated simulated day (benchmarks/daemon_day.py): simulated time = NBA_PIPELINE_NOW at the
# real instant NBA_PIPELINE_CLOCK_ANCHOR (epoch seconds), running NBA_PIPELINE_CLOCK_SPEED times faster,
# and Phase 1 schedules evaluated every real minute against that clock.
ENV_CLOCK_ANCHOR = "NBA_PIPELINE_CLOCK_ANCHOR"
ENV_CLOCK_SPEED = "NBA_PIPELINE_CLOCK_SPEED"
ENV_SCHEDULE_PROFILE = "NBA_PIPELINE_SCHEDULE_PROFILE"  # "real" (default) | "accelerated"
# Production settings are read by Dagster at run time through dagster.EnvVar, never stored.
ENV_GCP_PROJECT = "NBA_PIPELINE_GCP_PROJECT"
ENV_GCS_BUCKET = "NBA_PIPELINE_GCS_BUCKET"
ENV_BIGQUERY_LOCATION = "NBA_PIPELINE_BIGQUERY_LOCATION"
ENV_ODDS_API_KEY = "ODDS_API_KEY"
ENV_SLACK_TOKEN = "SLACK_BOT_TOKEN"
ENV_SLACK_CHANNEL = "NBA_PIPELINE_SLACK_CHANNEL"
# Which implementation serves the `warehouse` key and the three blob-store keys. The deployment
# picks the default (local: duckdb + folders; prod: bigquery + gcs); setting one explicitly gives a
# staging mix, e.g. a Postgres instance and GCS with the DuckDB warehouse.
ENV_WAREHOUSE = "NBA_PIPELINE_WAREHOUSE"
ENV_STORAGE = "NBA_PIPELINE_STORAGE"

DEFAULT_HOME_DIRNAME = "nba_pipeline_home"
DEFAULT_SEED = 20241022
DEFAULT_SELF_HEAL_MAX_ATTEMPTS = 3
DEFAULT_LOCK_WAIT_SECONDS = 60.0


class Deployment(str, enum.Enum):
    LOCAL = "local"
    PROD = "prod"


class SourceKind(str, enum.Enum):
    SIMULATED = "simulated"
    HISTORICAL = "historical"
    LIVE = "live"


class WarehouseKind(str, enum.Enum):
    DUCKDB = "duckdb"
    BIGQUERY = "bigquery"


class StorageKind(str, enum.Enum):
    LOCAL = "local"
    GCS = "gcs"


class ConfigurationError(ValueError):
    """A variable holds a value we cannot use; the message names the variable."""


def _choice(name: str, raw: str | None, enum_type: type[enum.Enum], default: enum.Enum):
    if raw is None or raw.strip() == "":
        return default
    try:
        return enum_type(raw.strip().lower())
    except ValueError:
        allowed = ", ".join(m.value for m in enum_type)
        raise ConfigurationError(f"{name}={raw!r} is not one of: {allowed}") from None


@dataclass(frozen=True)
class Environment:
    deployment: Deployment
    home: Path
    source: SourceKind
    historical_dir: Path | None
    seed: int
    frozen_now: dt.datetime | None
    self_heal_max_attempts: int
    slack_configured: bool
    slack_channel: str = "#nba-pipeline-alerts"
    build_sha: str = "dev"
    clock_anchor: float | None = None
    clock_speed: float = 1.0
    accelerated_schedules: bool = False
    warehouse_lock_wait_seconds: float = DEFAULT_LOCK_WAIT_SECONDS
    warehouse: WarehouseKind = WarehouseKind.DUCKDB
    storage: StorageKind = StorageKind.LOCAL

    @property
    def code_identity(self) -> str:
        return code_identity({ENV_BUILD_SHA: self.build_sha})

    @property
    def warehouse_path(self) -> Path:
        # The file must not be named like a schema (nba_raw, nba_analytics, ...): DuckDB would
        # then see an ambiguous catalog/schema reference.
        return self.home / "warehouse" / "warehouse.duckdb"

    @property
    def archive_dir(self) -> Path:
        return self.home / "archive"

    @property
    def export_dir(self) -> Path:
        return self.home / "exports"

    @property
    def model_dir(self) -> Path:
        return self.home / "models"

    @property
    def dagster_home(self) -> Path:
        return self.home / "dagster"

    def now(self) -> dt.datetime:
        """Current instant (UTC-aware). A frozen clock replays a past moment exactly."""
        return Clock(
            frozen_now=self.frozen_now.isoformat() if self.frozen_now else None,
            anchor_epoch=self.clock_anchor,
            speed=self.clock_speed,
        ).now()

    def today_et(self) -> dt.date:
        return self.now().astimezone(ET).date()


def code_identity(environ: dict[str, str] | None = None) -> str:
    """Which code wrote a partition (legacy incidents 2, 7, 9, 35: the wrong code was deployed): the
    package version and the commit the image was built from. Read when a run records a partition,
    and reads nothing else, so a bad unrelated variable never stops a run from saying who wrote it."""
    env = os.environ if environ is None else environ
    try:
        v = version("nba_pipeline")
    except PackageNotFoundError:
        v = "unknown"
    return f"nba_pipeline {v} ({env.get(ENV_BUILD_SHA) or 'dev'})"


def _float(name: str, raw: str | None, default):
    if raw is None or raw.strip() == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise ConfigurationError(f"{name}={raw!r} is not a number") from None


def current(environ: dict[str, str] | None = None) -> Environment:
    env = os.environ if environ is None else environ
    deployment = _choice(ENV_DEPLOYMENT, env.get(ENV_DEPLOYMENT), Deployment, Deployment.LOCAL)
    source = _choice(ENV_SOURCE, env.get(ENV_SOURCE), SourceKind, SourceKind.SIMULATED)
    if deployment is Deployment.PROD and env.get(ENV_SOURCE) is None:
        source = SourceKind.LIVE

    home = Path(env.get(ENV_HOME) or Path.cwd() / DEFAULT_HOME_DIRNAME).expanduser().resolve()

    historical_raw = env.get(ENV_HISTORICAL_DIR)
    historical_dir = Path(historical_raw).expanduser().resolve() if historical_raw else None
    if source is SourceKind.HISTORICAL and historical_dir is None:
        raise ConfigurationError(
            f"{ENV_SOURCE}=historical needs {ENV_HISTORICAL_DIR}: a folder in the layout of a "
            "historical data folder (schedule/, box_scores/, props/, api_payloads/)"
        )

    seed_raw = env.get(ENV_SEED)
    try:
        seed = int(seed_raw) if seed_raw else DEFAULT_SEED
    except ValueError:
        raise ConfigurationError(f"{ENV_SEED}={seed_raw!r} is not an integer") from None

    now_raw = env.get(ENV_NOW)
    frozen_now = None
    if now_raw:
        try:
            frozen_now = dt.datetime.fromisoformat(now_raw)
        except ValueError:
            raise ConfigurationError(f"{ENV_NOW}={now_raw!r} is not an ISO-8601 instant") from None
        if frozen_now.tzinfo is None:
            frozen_now = frozen_now.replace(tzinfo=ET)
        frozen_now = frozen_now.astimezone(dt.UTC)

    attempts_raw = env.get(ENV_SELF_HEAL_MAX_ATTEMPTS)
    try:
        attempts = int(attempts_raw) if attempts_raw else DEFAULT_SELF_HEAL_MAX_ATTEMPTS
    except ValueError:
        raise ConfigurationError(f"{ENV_SELF_HEAL_MAX_ATTEMPTS}={attempts_raw!r} is not an integer") from None

    prod = deployment is Deployment.PROD
    warehouse = _choice(
        ENV_WAREHOUSE, env.get(ENV_WAREHOUSE), WarehouseKind, WarehouseKind.BIGQUERY if prod else WarehouseKind.DUCKDB
    )
    storage = _choice(ENV_STORAGE, env.get(ENV_STORAGE), StorageKind, StorageKind.GCS if prod else StorageKind.LOCAL)

    return Environment(
        deployment=deployment,
        home=home,
        source=source,
        historical_dir=historical_dir,
        seed=seed,
        frozen_now=frozen_now,
        self_heal_max_attempts=max(attempts, 0),
        slack_configured=bool(env.get(ENV_SLACK_TOKEN)),
        slack_channel=env.get(ENV_SLACK_CHANNEL) or "#nba-pipeline-alerts",
        build_sha=env.get(ENV_BUILD_SHA) or "dev",
        clock_anchor=_float(ENV_CLOCK_ANCHOR, env.get(ENV_CLOCK_ANCHOR), None),
        clock_speed=_float(ENV_CLOCK_SPEED, env.get(ENV_CLOCK_SPEED), 1.0),
        accelerated_schedules=(env.get(ENV_SCHEDULE_PROFILE) or "real").strip().lower() == "accelerated",
        warehouse_lock_wait_seconds=_float(ENV_LOCK_WAIT, env.get(ENV_LOCK_WAIT), DEFAULT_LOCK_WAIT_SECONDS),
        warehouse=warehouse,
        storage=storage,
    )
