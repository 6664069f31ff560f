"""`nba-pipeline doctor`: is this environment able to run the pipeline?

Checks what a run needs before a run finds out the hard way (legacy incidents: an orchestrator down
for days unnoticed, a disabled source blocking a phase for three days, the wrong code deployed):
the environment's variables, the credentials the chosen implementations need, the Dagster instance,
the warehouse, the three blob stores and the source. Every check has a time bound, so an unreachable
host is a failed line, never a hang. Nothing is written but the blob stores' probe objects (deleted
again) and, on a new local home, what its first run would create (the instance config, an empty
DuckDB file).
"""

from __future__ import annotations

import concurrent.futures
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import yaml

from nba_pipeline import environment as e
from nba_pipeline.deployment import build_resources
from nba_pipeline.storage import LocalBlobStore

OK, WARN, FAIL = "ok", "warn", "FAIL"
CHECK_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class Finding:
    status: str  # ok | warn | FAIL
    check: str
    detail: str

    def line(self) -> str:
        return f"{self.status:<5} {self.check:<22} {self.detail}"


def _first_line(exc: BaseException) -> str:
    errors = getattr(exc, "errors", None)  # dagster's config errors list what is wrong one by one
    if errors and all(hasattr(err, "message") for err in errors):
        return "; ".join(err.message.strip().splitlines()[0] for err in errors)
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


def _bounded(check: str, fn: Callable[[], str], timeout: float) -> Finding:
    """Run one probe in a worker thread; no answer within ``timeout`` is a failure (the thread is
    left to finish on its own: a hung socket must not hang the command)."""
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"doctor-{check}")
    future = pool.submit(fn)
    try:
        return Finding(OK, check, future.result(timeout=timeout))
    except concurrent.futures.TimeoutError:
        return Finding(FAIL, check, f"no answer within {timeout:.0f} s")
    except Exception as exc:  # every failure is reported as a line; the command's exit code says so
        return Finding(FAIL, check, _first_line(exc))
    finally:
        pool.shutdown(wait=False)


def instance_env_vars(config_path: Path) -> list[str]:
    """The environment variables a Dagster instance config reads (``{env: NAME}`` anywhere)."""

    found: list[str] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            if set(node) == {"env"} and isinstance(node["env"], str):
                found.append(node["env"])
                return
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(yaml.safe_load(config_path.read_text()) or {})
    return sorted(set(found))


def _credentials(env, environ) -> Iterator[Finding]:

    needs: dict[str, str] = {}
    if env.warehouse is e.WarehouseKind.BIGQUERY:
        needs[e.ENV_GCP_PROJECT] = "the BigQuery warehouse's project"
        needs[e.ENV_BIGQUERY_LOCATION] = "the BigQuery datasets' location"
    if env.storage is e.StorageKind.GCS:
        needs[e.ENV_GCP_PROJECT] = "the GCS buckets' project"
        needs[e.ENV_GCS_BUCKET] = "the bucket for the archive, exports and models"
    if env.source is e.SourceKind.LIVE:
        needs[e.ENV_ODDS_API_KEY] = "The Odds API (sportsbook lines)"
    for name, why in needs.items():
        if environ.get(name):
            yield Finding(OK, "credentials", f"{name} is set ({why})")
        else:
            yield Finding(FAIL, "credentials", f"{name} is not set: needed for {why}")

    uses_google = env.warehouse is e.WarehouseKind.BIGQUERY or (
        env.storage is e.StorageKind.GCS and not environ.get("STORAGE_EMULATOR_HOST")
    )
    if uses_google:

        def google() -> str:
            import google.auth

            credentials, project = google.auth.default()
            return f"Google application default credentials found ({type(credentials).__name__}, project {project})"

        found = _bounded("credentials", google, 15.0)
        if found.status != OK:
            found = Finding(
                FAIL,
                "credentials",
                f"no Google credentials: {found.detail} (set GOOGLE_APPLICATION_CREDENTIALS or use workload identity)",
            )
        yield found

    if env.slack_configured:
        yield Finding(OK, "alerts", f"Slack alerts to {env.slack_channel}")
    else:
        yield Finding(
            WARN if env.deployment is e.Deployment.PROD else OK,
            "alerts",
            f"{e.ENV_SLACK_TOKEN} is not set: alerts are only logged",
        )


def _instance(env, timeout: float) -> Iterator[Finding]:
    from nba_pipeline.instance.home import ensure_local_instance

    try:
        # The instance every command would use (and, locally, the config written if missing); in
        # production a missing config is refused with the variables to set.
        home = ensure_local_instance(env)
    except e.ConfigurationError as exc:
        yield Finding(FAIL, "dagster instance", str(exc))
        return
    config = home / "dagster.yaml"
    missing = [name for name in instance_env_vars(config) if not os.environ.get(name)]
    if missing:
        yield Finding(
            FAIL,
            "dagster instance",
            f"{config} reads {', '.join(missing)}, which {'is' if len(missing) == 1 else 'are'} not set",
        )
        return

    def probe() -> str:

        with dg.DagsterInstance.from_config(str(home)) as instance:
            runs = instance.get_runs_count()
            storage = type(instance.run_storage).__name__
        return f"{config} ({storage}, {runs} runs)"

    yield _bounded("dagster instance", probe, timeout)


def _resources(env, timeout: float) -> Iterator[Finding]:

    resources = build_resources(env)
    for key in ("warehouse", "archive", "exports", "model_store"):
        unset = sorted(
            {
                v.env_var_name
                for v in resources[key].__dict__.values()
                if isinstance(v, dg.EnvVar) and not os.environ.get(v.env_var_name)
            }
        )
        if unset:
            yield Finding(
                FAIL,
                key,
                f"not checked: {type(resources[key]).__name__} reads {', '.join(unset)}, "
                f"which {'is' if len(unset) == 1 else 'are'} not set",
            )
            continue

        def probe(key=key) -> str:
            # build_resources resolves each dagster.EnvVar the way a run would.
            with dg.build_resources({key: resources[key]}) as built:
                resource = getattr(built, key)
                # Warehouses say what they reached; blob stores raise or return nothing.
                return resource.check_reachable() or f"{_where(resource)} can be written and read"

        yield _bounded(key, probe, timeout)

    source = resources["nba_source"]
    disabled = list(getattr(source, "disabled_endpoints", []) or [])
    if disabled:
        # A disabled endpoint silently empties its tables (legacy incident: a disabled source
        # blocked a phase for three days): in production that is a failure to look at.
        status = FAIL if env.deployment is e.Deployment.PROD else WARN
        yield Finding(status, "source", f"{env.source.value}: disabled endpoints {', '.join(disabled)}")
    elif env.source is e.SourceKind.HISTORICAL:

        def covered() -> str:
            dates = source.covered_dates()
            if not dates:
                raise ValueError(f"the historical folder {env.historical_dir} holds no games or lines")
            return f"historical folder {env.historical_dir} covers {dates[0]}..{dates[-1]} ({len(dates)} dates)"

        yield _bounded("source", covered, timeout)
    else:
        detail = f"{env.source.value}, every endpoint enabled"
        if env.source is e.SourceKind.LIVE:
            detail += " (the live services are not contacted by doctor)"
        status = WARN if env.deployment is e.Deployment.PROD and env.source is not e.SourceKind.LIVE else OK
        yield Finding(status, "source", detail)


def _where(store) -> str:
    if isinstance(store, LocalBlobStore):
        return f"folder {Path(store.root).resolve()}"
    if hasattr(store, "bucket"):  # the GCS store (not imported here: see nba_pipeline/storage)
        return f"gs://{store.bucket}/{store.prefix.strip('/')}/"
    return type(store).__name__


def diagnose(timeout: float = CHECK_TIMEOUT_SECONDS) -> list[Finding]:
    """Every check, in the order a run meets them, for the process environment (Dagster resolves
    the resources' dagster.EnvVar values from it, as a run would)."""

    environ = dict(os.environ)
    try:
        env = e.current(environ)
    except e.ConfigurationError as exc:
        return [Finding(FAIL, "environment", str(exc))]
    findings = [
        Finding(
            OK,
            "environment",
            f"{env.deployment.value}: warehouse {env.warehouse.value}, blob stores "
            f"{env.storage.value}, source {env.source.value}, home {env.home}, code {env.code_identity}",
        )
    ]
    findings += list(_credentials(env, environ))
    findings += list(_instance(env, timeout))
    findings += list(_resources(env, timeout))
    return findings


def exit_code(findings: list[Finding]) -> int:
    return 1 if any(f.status == FAIL for f in findings) else 0
