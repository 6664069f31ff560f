"""A real `dagster dev` (webserver, daemon, code server and their run workers) on a pipeline home,
driven over the webserver's GraphQL API as the UI drives it.

Started in a session of its own (``start_new_session``): one signal to the process group reaches
every process it started, and a backgrounded `dagster dev` would otherwise ignore SIGTERM.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]

ASSETS = "{ assetNodes { assetKey { path } groupName } }"
LAUNCH_RUN = """mutation($p: ExecutionParams!) { launchRun(executionParams: $p) { __typename
  ... on LaunchRunSuccess { run { runId } } ... on PythonError { message } ... on InvalidSubsetError { message }
  ... on RunConfigValidationInvalid { errors { message } } } }"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class DagsterDev:
    def __init__(self, command: list[str], env: dict, log: Path, port: int):
        self.url = f"http://127.0.0.1:{port}/graphql"
        self.proc = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True
        )

    def gql(self, query: str, variables: dict | None = None) -> dict:
        r = httpx.post(self.url, json={"query": query, "variables": variables or {}}, timeout=60)
        r.raise_for_status()
        body = r.json()
        if body.get("errors"):
            raise RuntimeError(body["errors"])
        return body["data"]

    def assets_by_group(self, timeout: float = 120) -> dict[str, list[list[str]]]:
        """The asset keys of each group, once the webserver answers with the code location loaded."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"dagster dev exited with {self.proc.returncode}")
            try:
                nodes = self.gql(ASSETS)["assetNodes"]
            except (httpx.HTTPError, RuntimeError):
                nodes = []
            if nodes:
                groups: dict[str, list[list[str]]] = {}
                for node in nodes:
                    groups.setdefault(node["groupName"], []).append(node["assetKey"]["path"])
                return groups
            time.sleep(0.5)
        raise RuntimeError(f"dagster dev did not answer with its assets within {timeout:.0f} s")

    def launch_range(self, assets: list[list[str]], start: str, end: str, tags: dict | None = None) -> str:
        """Materialize ``assets`` over start..end in one run, as the UI's "Materialize" of a range does."""
        all_tags = {
            "dagster/asset_partition_range_start": start,
            "dagster/asset_partition_range_end": end,
            **(tags or {}),
        }
        params = {
            "selector": {
                "repositoryLocationName": "nba_pipeline",
                "repositoryName": "__repository__",
                "jobName": "__ASSET_JOB",
                "assetSelection": [{"path": p} for p in assets],
            },
            "executionMetadata": {"tags": [{"key": k, "value": v} for k, v in all_tags.items()]},
            "runConfigData": {},
        }
        launched = self.gql(LAUNCH_RUN, {"p": params})["launchRun"]
        if launched["__typename"] != "LaunchRunSuccess":
            raise RuntimeError(launched)
        return launched["run"]["runId"]

    def signal(self, sig: int) -> None:
        os.killpg(self.proc.pid, sig)

    def kill(self) -> None:
        """kill -9 of everything it started: a closed laptop, an OOM kill of the whole session."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()

    def stop(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=30)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            self.kill()
