"""The Dockerfile and the Helm values, checked against the code (no Docker engine or cluster here:
the image is never built and the chart never rendered by these tests). A rename in the code
(module, env var, pool, tag, pinned version) breaks them."""

from __future__ import annotations

import ast
import json
import re
import shlex
from pathlib import Path

import dagster as dg
import pytest
import yaml
from packaging.specifiers import SpecifierSet

from nba_pipeline import environment
from nba_pipeline.environment import Deployment

ROOT = Path(__file__).resolve().parents[1]


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    out, pending = [], ""
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        pending += line.rstrip("\\").strip() + " " if line.endswith("\\") else line.strip()
        if not line.endswith("\\"):
            word, _, rest = pending.partition(" ")
            out.append((word.upper(), rest.strip()))
            pending = ""
    return out


def instructions(name: str) -> list[str]:
    return [args for word, args in dockerfile() if word == name]


def docker_kv(args: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in shlex.split(args))


def setup_py() -> dict:
    """python_requires and the pinned version constants of setup.py, read without running it."""
    tree = ast.parse((ROOT / "setup.py").read_text())
    consts = {
        t.id: n.value.value
        for n in tree.body
        if isinstance(n, ast.Assign)
        for t in n.targets
        if isinstance(t, ast.Name) and isinstance(n.value, ast.Constant)
    }
    call = next(n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "setup")
    kwargs = {k.arg: k.value for k in call.keywords}
    return {**consts, "python_requires": kwargs["python_requires"].value}


def environment_names() -> set[str]:
    return {v for k, v in vars(environment).items() if k.startswith("ENV_") and isinstance(v, str)}


def values() -> dict:
    return yaml.safe_load((ROOT / "deploy" / "helm" / "values.yaml").read_text())


def code_deployment() -> dict:
    (deployment,) = values()["dagster-user-deployments"]["deployments"]
    return deployment


def cmd() -> list[str]:
    (args,) = instructions("CMD")
    return json.loads(args)


# --- Dockerfile ------------------------------------------------------------------------------------


def test_the_image_python_satisfies_setup_py():
    (base,) = instructions("FROM")
    m = re.fullmatch(r"python:(\d+\.\d+)-slim", base)
    assert m, base
    assert SpecifierSet(setup_py()["python_requires"]).contains(f"{m.group(1)}.0")


def test_the_deployment_integrations_match_the_pinned_family():
    args = dict(a.split("=", 1) for a in instructions("ARG") if "=" in a)
    assert args["DAGSTER_INTEGRATIONS_VERSION"] == setup_py()["DAGSTER_INTEGRATIONS"]
    (run,) = [r for r in instructions("RUN") if "pip install" in r]
    assert "pip install . " in run
    for package in ("dagster-postgres", "dagster-k8s"):
        assert f'"{package}==${{DAGSTER_INTEGRATIONS_VERSION}}"' in run


def test_the_image_sets_only_variables_the_code_reads_and_runs_prod_with_the_build_sha():
    env = {}
    for args in instructions("ENV"):
        env.update(docker_kv(args))
    ours = {k: v for k, v in env.items() if k.startswith("NBA_PIPELINE_")}
    assert set(ours) <= environment_names()
    assert ours[environment.ENV_BUILD_SHA] == "${NBA_PIPELINE_BUILD_SHA}"
    assert "NBA_PIPELINE_BUILD_SHA=dev" in instructions("ARG")
    built = environment.current({**ours, environment.ENV_BUILD_SHA: "4f2a9c1"})
    assert built.deployment is Deployment.PROD and built.build_sha == "4f2a9c1"
    assert built.code_identity.endswith("(4f2a9c1)")


def test_the_image_runs_as_a_numeric_non_root_user():
    (user,) = instructions("USER")
    uid = user.split(":")[0]
    assert uid.isdigit() and int(uid) != 0
    (run,) = [r for r in instructions("RUN") if "useradd" in r]
    assert f"--uid {uid}" in run


def test_the_command_serves_the_workspace_module_with_the_installed_cli():
    from dagster._cli import cli

    command = cmd()
    assert command[:3] == ["dagster", "code-server", "start"]
    start = cli.commands["code-server"].commands["start"]
    opts = {o: p.name for p in start.params for o in p.opts}
    given = {opts[a]: b for a, b in zip(command[3::2], command[4::2])}
    assert given["host"] == "0.0.0.0"
    assert instructions("EXPOSE") == [given["port"]]
    workspace = yaml.safe_load((ROOT / "workspace.yaml").read_text())
    (location,) = workspace["load_from"]
    assert given["module_name"] == location["python_module"]["module_name"]
    assert given["location_name"] == location["python_module"]["location_name"]


def test_the_served_module_loads_definitions_in_prod():
    """What the code server loads: the module's Definitions, with the resources the image's
    environment selects (BigQuery, GCS, live source)."""
    import importlib

    from nba_pipeline.deployment import build_resources
    from nba_pipeline.warehouse.bigquery import BigQueryWarehouse

    module = importlib.import_module(dict(zip(cmd()[3::2], cmd()[4::2]))["-m"])
    defs = [v for v in vars(module).values() if isinstance(v, dg.Definitions)]
    assert len(defs) == 1
    env = {}
    for args in instructions("ENV"):
        env.update(docker_kv(args))
    prod = environment.current({k: v for k, v in env.items() if k.startswith("NBA_PIPELINE_")})
    resources = build_resources(prod)
    assert isinstance(resources["warehouse"], BigQueryWarehouse)
    prod_defs = dg.Definitions(assets=module.ASSETS, resources=resources, executor=dg.in_process_executor)
    dg.Definitions.validate_loadable(prod_defs)


def test_the_build_context_holds_only_what_the_image_copies():
    ignore = (ROOT / ".dockerignore").read_text().split()
    assert ignore[ignore.index("**")] == "**"
    copied = {args.split()[0] for args in instructions("COPY")}
    assert {f"!{c.rstrip('/')}" for c in copied} <= {i.rstrip("/") for i in ignore}


# --- Helm values -----------------------------------------------------------------------------------


def test_the_code_location_runs_the_dockerfile_command():
    deployment = code_deployment()
    command = cmd()
    # The chart prepends `dagster code-server start -h 0.0.0.0 -p <port>`.
    served = dict(zip(command[3::2], command[4::2]))
    assert deployment["codeServerArgs"] == ["-m", served["-m"]]
    assert str(deployment["port"]) == served["-p"]
    assert deployment["image"]["tag"] != "latest"
    assert deployment["includeConfigInLaunchedRuns"]["enabled"] is True
    (user,) = instructions("USER")
    assert deployment["podSecurityContext"]["runAsUser"] == int(user.split(":")[0])


def test_every_variable_the_deployment_sets_is_one_the_code_reads():
    env = {e["name"]: e["value"] for e in code_deployment()["env"]}
    assert set(env) <= environment_names()
    prod = environment.current(env)
    assert prod.deployment is Deployment.PROD
    # What build_resources reads through dagster.EnvVar in prod is set.
    for name in (environment.ENV_GCP_PROJECT, environment.ENV_GCS_BUCKET, environment.ENV_BIGQUERY_LOCATION):
        assert env.get(name), name
    assert code_deployment()["envSecrets"] == [{"name": "nba-pipeline-credentials"}]


def test_the_guide_creates_the_secrets_the_code_reads():
    guide = (ROOT / "deploy" / "README.md").read_text()
    command = re.search(r"kubectl create secret generic nba-pipeline-credentials(.*?)(?:\n\n|```)", guide, re.S).group(
        1
    )
    keys = set(re.findall(r"--from-literal=([A-Z_]+)=", command))
    assert keys == {environment.ENV_ODDS_API_KEY, environment.ENV_SLACK_TOKEN}
    secret = values()["global"]["postgresqlSecretName"]
    assert re.search(rf"kubectl create secret generic {secret} .*--from-literal=postgresql-password=", guide)
    assert f"kubectl create serviceaccount {values()['global']['serviceAccountName']}" in guide


def test_runs_get_their_own_pods_and_the_instance_lives_in_external_postgres():
    v = values()
    assert v["runLauncher"]["type"] == "K8sRunLauncher"
    assert v["postgresql"]["enabled"] is False and v["postgresql"]["postgresqlHost"]
    assert v["generatePostgresqlPasswordSecret"] is False
    assert v["serviceAccount"]["create"] is False
    assert v["dagster-user-deployments"]["serviceAccount"]["create"] is False


def test_run_limits_name_the_pools_and_tags_the_code_uses():
    from dagster._core.storage.tags import BACKFILL_ID_TAG, SENSOR_NAME_TAG

    from nba_pipeline.assets import ALL_ASSETS
    from nba_pipeline.assets.definition import WAREHOUSE_POOL
    from nba_pipeline.automation.self_heal import SELF_HEAL_TAG

    v = values()
    # The chart sets limits for pools by default only; the code has exactly one pool.
    pools = {a.op.pool for a in ALL_ASSETS if a.op.pool}
    assert pools == {WAREHOUSE_POOL}
    assert v["concurrency"]["enabled"] is True and v["concurrency"]["pools"]["defaultLimit"] >= 1
    keys = {limit["key"] for limit in v["concurrency"]["runs"]["tagConcurrencyLimits"]}
    assert keys == {BACKFILL_ID_TAG, SENSOR_NAME_TAG, SELF_HEAL_TAG}
    assert "maxConcurrentRuns" not in v["dagsterDaemon"]["runCoordinator"]["config"]["queuedRunCoordinator"]


def test_the_daemon_settings_match_the_shipped_instances():
    v = values()
    example = yaml.safe_load((ROOT / "deploy" / "dagster.yaml").read_text())
    local = yaml.safe_load((ROOT / "nba_pipeline" / "instance" / "local_dagster.yaml").read_text())
    assert v["dagsterDaemon"]["runRetries"] == {
        "enabled": example["run_retries"]["enabled"],
        "maxRetries": example["run_retries"]["max_retries"],
    }
    assert v["dagsterDaemon"]["runCoordinator"]["type"] == example["run_coordinator"]["class"]
    assert v["additionalInstanceConfig"]["freshness"] == local["freshness"]


def test_the_guide_sql_is_bigquery_sql():
    import sqlglot

    blocks = re.findall(r"```sql\n(.*?)```", (ROOT / "deploy" / "README.md").read_text(), re.S)
    assert blocks
    for block in blocks:
        (statement,) = sqlglot.parse(block, read="bigquery", error_level=sqlglot.ErrorLevel.RAISE)
        assert isinstance(statement, sqlglot.exp.Select)
        assert statement.args["from_"].this.name.endswith("INFORMATION_SCHEMA.JOBS_BY_PROJECT")


@pytest.mark.parametrize("path", ["Dockerfile", "deploy/helm/values.yaml", "deploy/README.md"])
def test_deployment_files_hold_no_credentials(path):
    text = (ROOT / path).read_text()
    assert not re.search(r"(?i)(api[_-]?key|token|password)\s*[:=]\s*['\"]?[A-Za-z0-9+/]{16,}", text)
    assert "BEGIN PRIVATE KEY" not in text
