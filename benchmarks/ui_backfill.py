"""A partition backfill launched exactly as the UI's dialog launches it, against the real `dagster dev`.

    python benchmarks/ui_backfill.py [--real-dir ../shared/data/real] [--case 10d] [--case month] [--case season]

The dialog is dagster-webserver's `LaunchAssetChoosePartitionsDialog`
(js_modules/dagster-ui/packages/ui-core/src/assets/LaunchAssetChoosePartitionsDialog.tsx, bundled in
dagster_webserver/webapp/build): "Materialize all" -> choose dates -> "Launch backfill" calls
`launchPartitionBackfill` with ``assetSelection`` (every asset) + ``partitionNames`` (each chosen date)
+ ``fromFailure: false`` + the UI's ``dagster/from_ui`` tag. Before launching, the script asks the
webserver what the dialog's preview shows (`assetBackfillPreview`): the dates each asset would be
materialized for.

For each case, in a fresh empty home (historical source, real data, clock frozen after the range):
start `dagster dev` (webserver, daemon, code server), launch, wait until the backfill is done, and
read its runs back; then `nba-pipeline backfill` of the same dates in another fresh home, in the same
process run. The 10-day case also launches the GraphQL API's other form (``partitionsByAssets`` with a
range per asset), which the dialog never sends. Prints one row per launch: runs, failed runs, dates
beyond the chosen ones (previewed, and covered by the runs), wall until the backfill is done, the
CLI's wall and the ratio.
"""

from __future__ import annotations

import argparse
import datetime as dt
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
sys.path.insert(0, str(ROOT))
from nba_pipeline_tests.integration.dagster_backfill_driver import launch_params  # noqa: E402

CASES = {
    "10d": ("2025-03-01", "2025-03-10"),
    "month": ("2025-03-01", "2025-03-31"),
    "season": ("2024-10-22", "2025-04-13"),
}
NOW = "2025-04-20T12:00:00-04:00"
TERMINAL = {"COMPLETED", "COMPLETED_SUCCESS", "COMPLETED_FAILED", "FAILED", "CANCELED", "FAILING"}

ASSETS = "{ assetNodes { assetKey { path } } }"
PREVIEW = """query($p: AssetBackfillPreviewParams!) { assetBackfillPreview(params: $p) {
  assetKey { path } partitions { ranges { start end } } } }"""
LAUNCH = """mutation($p: LaunchBackfillParams!) { launchPartitionBackfill(backfillParams: $p) {
  __typename ... on LaunchBackfillSuccess { backfillId } ... on PythonError { message }
  ... on InvalidSubsetError { message } } }"""
STATUS = """query($id: String!) { partitionBackfillOrError(backfillId: $id) {
  ... on PartitionBackfill { status numPartitions } } }"""
RUNS = """query($id: String!) { runsOrError(filter: {tags: [{key: "dagster/backfill", value: $id}]}) {
  ... on Runs { results { runId status startTime endTime tags { key value } } } } }"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(home: Path, real_dir: str) -> dict:
    return {
        **os.environ,
        "NBA_PIPELINE_HOME": str(home),
        "NBA_PIPELINE_SOURCE": "historical",
        "NBA_PIPELINE_HISTORICAL_DIR": real_dir,
        "NBA_PIPELINE_NOW": NOW,
        "DAGSTER_HOME": str(home / "dagster"),
    }


def _gql(client: httpx.Client, url: str, query: str, variables: dict | None = None) -> dict:
    r = client.post(url, json={"query": query, "variables": variables or {}}, timeout=120)
    r.raise_for_status()
    body = r.json()
    if body.get("errors"):
        raise RuntimeError(body["errors"])
    return body["data"]


def _days(start: str, end: str) -> set[str]:
    lo, hi = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    return {(lo + dt.timedelta(days=i)).isoformat() for i in range((hi - lo).days + 1)}


def _beyond(ranges: list[tuple[str, str]], chosen: set[str]) -> int:
    covered = set().union(*(_days(a[:10], b[:10]) for a, b in ranges)) if ranges else set()
    return len(covered - chosen)


def ui_backfill(start: str, end: str, real_dir: str, kind: str) -> dict:
    home = Path(tempfile.mkdtemp(prefix="nba_ui_backfill_"))
    (home / "dagster").mkdir(parents=True)
    (home / "dagster" / "dagster.yaml").write_text(
        (ROOT / "nba_pipeline" / "instance" / "local_dagster.yaml").read_text()
    )
    port = _free_port()
    url = f"http://127.0.0.1:{port}/graphql"
    # A new session, so SIGTERM reaches the webserver, the daemon and the code server together.
    proc = subprocess.Popen(
        ["dagster", "dev", "-w", str(ROOT / "workspace.yaml"), "-h", "127.0.0.1", "-p", str(port)],
        cwd=ROOT,
        env=_env(home, real_dir),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    chosen = _days(start, end)
    try:
        with httpx.Client() as client:
            deadline = time.time() + 180
            paths = []
            while time.time() < deadline and not paths:
                try:
                    paths = [n["assetKey"]["path"] for n in _gql(client, url, ASSETS)["assetNodes"]]
                except (httpx.HTTPError, RuntimeError):
                    time.sleep(1)
            if not paths:
                raise RuntimeError("dagster dev did not come up within 180 s")
            params = launch_params(kind, paths, start, end)
            previewed = 0
            if kind == "dialog":
                preview = _gql(
                    client,
                    url,
                    PREVIEW,
                    {"p": {"assetSelection": params["assetSelection"], "partitionNames": params["partitionNames"]}},
                )
                previewed = max(
                    _beyond([(r["start"], r["end"]) for r in (p["partitions"] or {}).get("ranges") or []], chosen)
                    for p in preview["assetBackfillPreview"]
                )
            t0 = time.perf_counter()
            launched = _gql(client, url, LAUNCH, {"p": params})["launchPartitionBackfill"]
            if launched["__typename"] != "LaunchBackfillSuccess":
                raise RuntimeError(launched)
            backfill_id = launched["backfillId"]
            status = "REQUESTED"
            while status not in TERMINAL and time.perf_counter() - t0 < 7200:
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
    spans = []
    for r in runs:
        tags = {t["key"]: t["value"] for t in r["tags"]}
        lo = tags.get("dagster/asset_partition_range_start") or tags.get("dagster/partition")
        hi = tags.get("dagster/asset_partition_range_end") or tags.get("dagster/partition")
        if lo:
            spans.append((lo, hi))
    executing = [r["endTime"] - r["startTime"] for r in runs if r.get("startTime") and r.get("endTime")]
    return {
        "wall": wall,
        "status": status,
        "runs": len(runs),
        "failed": sum(r["status"] != "SUCCESS" for r in runs),
        "executing": sum(executing),
        "previewed_beyond": previewed,
        "run_beyond": _beyond(spans, chosen),
    }


def cli_backfill(start: str, end: str, real_dir: str) -> tuple[float, bool]:
    home = Path(tempfile.mkdtemp(prefix="nba_cli_backfill_"))
    t0 = time.perf_counter()
    proc = subprocess.run(
        [
            "nba-pipeline",
            "backfill",
            "--start",
            start,
            "--end",
            end,
            "--source",
            "historical",
            "--historical-dir",
            real_dir,
            "--home",
            str(home),
        ],
        cwd=ROOT,
        env=_env(home, real_dir),
        capture_output=True,
        text=True,
    )
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
        cli_wall, cli_ok = cli_backfill(start, end, args.real_dir)
        for kind in ("dialog", "range") if name == "10d" else ("dialog",):
            ui = ui_backfill(start, end, args.real_dir, kind)
            rows.append((name, kind, f"{start}..{end}", ui, cli_wall, cli_ok))
            print(
                f"{name} {kind}: UI {ui['wall']:.1f} s ({ui['runs']} runs, {ui['failed']} failed, {ui['status']}, "
                f"{ui['run_beyond']} dates beyond the chosen); CLI {cli_wall:.1f} s",
                flush=True,
            )
    print(
        f"\n{'case':<7}{'params':<8}{'range':<24}{'runs':>5}{'failed':>7}{'beyond':>7}{'UI wall s':>10}"
        f"{'run exec s':>11}  {'status':<18}{'CLI wall s':>11}{'UI-CLI s':>9}{'UI/CLI':>7}"
    )
    for name, kind, rng, ui, cli_wall, cli_ok in rows:
        beyond = f"{ui['previewed_beyond']}/{ui['run_beyond']}" if kind == "dialog" else f"-/{ui['run_beyond']}"
        print(
            f"{name:<7}{kind:<8}{rng:<24}{ui['runs']:>5}{ui['failed']:>7}{beyond:>7}{ui['wall']:>10.1f}"
            f"{ui['executing']:>11.1f}  {ui['status']:<18}{cli_wall:>11.1f}{ui['wall'] - cli_wall:>9.1f}"
            f"{ui['wall'] / cli_wall:>7.2f}" + ("" if cli_ok else "  (CLI failed)")
        )
    print("\nbeyond: dates outside the chosen ones, as the dialog's preview shows them / as the runs cover them")
    return 0 if all(ui["failed"] == 0 and ui["run_beyond"] == 0 and cli_ok for *_, ui, _, cli_ok in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
