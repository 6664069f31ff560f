"""A partition backfill launched the way the UI launches one, against the real `dagster dev`.

    python benchmarks/ui_backfill.py [--real-dir ../shared/data/real] [--case 10d] [--case month]

For each case, in a fresh empty home (historical source, real data): start `dagster dev` (webserver,
daemon, code server), launch "Materialize all" over the date range through the webserver's GraphQL
API (`launchPartitionBackfill`, every asset, as the UI's backfill dialog does), wait until the
backfill is done, and read its runs back. Then run `nba-pipeline backfill` of the same dates in
another fresh home. Prints one row per case: UI wall, runs, failed runs, backfill status, CLI wall
and the ratio.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
CASES = {"10d": ("2025-03-01", "2025-03-10"), "month": ("2025-03-01", "2025-03-31")}
NOW = "2025-04-15T12:00:00-04:00"
TERMINAL = {"COMPLETED", "COMPLETED_SUCCESS", "COMPLETED_FAILED", "FAILED", "CANCELED", "FAILING"}

ASSETS = "{ assetNodes { assetKey { path } } }"
LAUNCH = """mutation($p: LaunchBackfillParams!) { launchPartitionBackfill(backfillParams: $p) {
  __typename ... on LaunchBackfillSuccess { backfillId } ... on PythonError { message }
  ... on InvalidSubsetError { message } } }"""
STATUS = """query($id: String!) { partitionBackfillOrError(backfillId: $id) {
  ... on PartitionBackfill { status numPartitions } } }"""
RUNS = """query($id: String!) { runsOrError(filter: {tags: [{key: "dagster/backfill", value: $id}]}) {
  ... on Runs { results { runId status startTime endTime } } } }"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(home: Path, real_dir: str) -> dict:
    return {**os.environ, "NBA_PIPELINE_HOME": str(home), "NBA_PIPELINE_SOURCE": "historical",
            "NBA_PIPELINE_HISTORICAL_DIR": real_dir, "NBA_PIPELINE_NOW": NOW, "DAGSTER_HOME": str(home / "dagster")}


def _gql(client: httpx.Client, url: str, query: str, variables: dict | None = None) -> dict:
    r = client.post(url, json={"query": query, "variables": variables or {}}, timeout=60)
    r.raise_for_status()
    body = r.json()
    if body.get("errors"):
        raise RuntimeError(body["errors"])
    return body["data"]


def ui_backfill(start: str, end: str, real_dir: str) -> dict:
    home = Path(tempfile.mkdtemp(prefix="nba_ui_backfill_"))
    (home / "dagster").mkdir(parents=True)
    (home / "dagster" / "dagster.yaml").write_text((ROOT / "nba_pipeline" / "instance" / "local_dagster.yaml").read_text())
    port = _free_port()
    url = f"http://127.0.0.1:{port}/graphql"
    # A new session, so SIGTERM reaches the webserver, the daemon and the code server together.
    proc = subprocess.Popen(["dagster", "dev", "-w", str(ROOT / "workspace.yaml"), "-h", "127.0.0.1", "-p", str(port)],
                            cwd=ROOT, env=_env(home, real_dir), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        with httpx.Client() as client:
            deadline = time.time() + 180
            keys = []
            while time.time() < deadline and not keys:
                try:
                    keys = [n["assetKey"]["path"] for n in _gql(client, url, ASSETS)["assetNodes"]]
                except (httpx.HTTPError, RuntimeError):
                    time.sleep(1)
            if not keys:
                raise RuntimeError("dagster dev did not come up within 180 s")
            t0 = time.perf_counter()
            launched = _gql(client, url, LAUNCH, {"p": {"partitionsByAssets": [
                {"assetKey": {"path": k}, "partitions": {"range": {"start": start, "end": end}}} for k in keys]}})
            launched = launched["launchPartitionBackfill"]
            if launched["__typename"] != "LaunchBackfillSuccess":
                raise RuntimeError(launched)
            backfill_id = launched["backfillId"]
            status = "REQUESTED"
            while status not in TERMINAL and time.perf_counter() - t0 < 3600:
                time.sleep(2)
                status = _gql(client, url, STATUS, {"id": backfill_id})["partitionBackfillOrError"]["status"]
            wall = time.perf_counter() - t0
            runs = _gql(client, url, RUNS, {"id": backfill_id})["runsOrError"]["results"]
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    executing = [r["endTime"] - r["startTime"] for r in runs if r.get("startTime") and r.get("endTime")]
    return {"wall": wall, "status": status, "runs": len(runs),
            "failed": sum(r["status"] != "SUCCESS" for r in runs), "executing": sum(executing)}


def cli_backfill(start: str, end: str, real_dir: str) -> tuple[float, bool]:
    home = Path(tempfile.mkdtemp(prefix="nba_cli_backfill_"))
    t0 = time.perf_counter()
    proc = subprocess.run(["nba-pipeline", "backfill", "--start", start, "--end", end, "--source", "historical",
                           "--historical-dir", real_dir, "--home", str(home)], cwd=ROOT, env=_env(home, real_dir),
                          capture_output=True, text=True)
    return time.perf_counter() - t0, proc.returncode == 0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--real-dir", default=str(ROOT.parent / "shared" / "data" / "real"))
    ap.add_argument("--case", action="append", choices=sorted(CASES), help="default: every case")
    args = ap.parse_args()
    if not Path(args.real_dir, "box_scores").is_dir():
        print(f"{args.real_dir} is absent: nothing to measure")
        return 1
    rows = []
    for name in args.case or list(CASES):
        start, end = CASES[name]
        ui = ui_backfill(start, end, args.real_dir)
        cli_wall, cli_ok = cli_backfill(start, end, args.real_dir)
        rows.append((name, f"{start}..{end}", ui, cli_wall, cli_ok))
        print(f"{name}: UI {ui['wall']:.1f} s ({ui['runs']} runs, {ui['failed']} failed, {ui['status']}); "
              f"CLI {cli_wall:.1f} s", flush=True)
    print(f"\n{'case':<7}{'range':<24}{'UI wall s':>10}{'runs':>6}{'failed':>8}{'run exec s':>11}  {'status':<18}"
          f"{'CLI wall s':>11}{'UI/CLI':>8}")
    for name, rng, ui, cli_wall, cli_ok in rows:
        print(f"{name:<7}{rng:<24}{ui['wall']:>10.1f}{ui['runs']:>6}{ui['failed']:>8}{ui['executing']:>11.1f}  "
              f"{ui['status']:<18}{cli_wall:>11.1f}{ui['wall'] / cli_wall:>8.2f}" + ("" if cli_ok else "  (CLI failed)"))
    return 0 if all(ui["failed"] == 0 and cli_ok for _, _, ui, _, cli_ok in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
