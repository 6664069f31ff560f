"""One simulated game day driven by the real Dagster daemon, with no manual launch.

Sets up a home with the simulated league's history up to yesterday (a backfill), then starts
`dagster dev` (webserver + daemon) on it with an accelerated simulated clock: the day runs from 06:00
ET to 07:30 ET the next morning at SPEED simulated seconds per real second. The Phase 1 schedules
(evaluated every real minute in the accelerated profile) scrape against that clock; every later
phase is launched by our automation sensors. Reports when each phase of the day landed and how long
each phase waited after its parents landed.

    python benchmarks/daemon_day.py [--speed 60] [--timeout 2400]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ET = ZoneInfo("America/New_York")
ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    ap = argparse.ArgumentParser()
    # At 180x a 2-hourly lines scrape comes every 40 real seconds, faster than a cascade of single-date
    # runs through one warehouse slot on 2 cores: the queue never drains and exports that wait for
    # all their parents to be idle starve. 60x keeps the load of a real day (about half the slot).
    ap.add_argument("--speed", type=float, default=60.0, help="simulated seconds per real second")
    ap.add_argument("--timeout", type=float, default=2400.0, help="real seconds to wait for the day")
    ap.add_argument("--history-days", type=int, default=21)
    ap.add_argument("--home", default=None)
    ap.add_argument("--port", type=int, default=3311)
    args = ap.parse_args()

    home = Path(args.home or tempfile.mkdtemp(prefix="nba_daemon_day_"))
    day = dt.datetime.now(ET).date()  # the simulated day is the real "today": automation covers it
    start_sim = dt.datetime.combine(day, dt.time(6, 0), tzinfo=ET)
    env = {
        **os.environ,
        "NBA_PIPELINE_HOME": str(home),
        "NBA_PIPELINE_SOURCE": "simulated",
        "DAGSTER_HOME": str(home / "dagster"),
    }
    os.environ.update({k: env[k] for k in ("NBA_PIPELINE_HOME", "NBA_PIPELINE_SOURCE", "DAGSTER_HOME")})

    # 1. History: every phase for the previous weeks, as of the night before (a backfill, not the day).
    os.environ["NBA_PIPELINE_NOW"] = (start_sim - dt.timedelta(hours=1)).isoformat()
    import dagster as dg

    from nba_pipeline import environment, keys
    from nba_pipeline.execution import range_runs
    from nba_pipeline.instance.home import ensure_local_instance

    ensure_local_instance(environment.current())
    from nba_pipeline.definitions import defs

    t0 = time.perf_counter()
    hist_start, hist_end = day - dt.timedelta(days=args.history_days), day - dt.timedelta(days=1)
    range_runs.materialize_range(defs, keys.RUN_ORDER, hist_start, hist_end, dg.DagsterInstance.get())
    print(f"history {hist_start}..{hist_end} backfilled in {time.perf_counter() - t0:.0f} s (home {home})")

    # 2. The day, driven by the daemon.
    anchor = time.time() + 20  # simulated 06:00 ET once the webserver and daemon are up
    (home / "clock_anchor.txt").write_text(f"{anchor}\n{start_sim.isoformat()}\n{args.speed}\n")
    env.update(
        {
            "NBA_PIPELINE_NOW": start_sim.isoformat(),
            "NBA_PIPELINE_CLOCK_ANCHOR": str(anchor),
            "NBA_PIPELINE_CLOCK_SPEED": str(args.speed),
            "NBA_PIPELINE_SCHEDULE_PROFILE": "accelerated",
        }
    )
    log = open(home / "dagster_dev.log", "w")
    proc = subprocess.Popen(
        ["dagster", "dev", "-w", str(ROOT / "workspace.yaml"), "-p", str(args.port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    instance = dg.DagsterInstance.get()
    target = [(keys.EXPORT_RESULTS, day), (keys.EXPORT_TONIGHT, day), (keys.PREDICTION_ACCURACY, day)]
    try:
        deadline = time.time() + args.timeout
        while time.time() < deadline:
            sim_now = start_sim + dt.timedelta(seconds=max(time.time() - anchor, 0) * args.speed)
            done = [
                k
                for k, d in target
                if instance.get_latest_materialization_event(k)
                and d.isoformat() in instance.get_materialized_partitions(k)
            ]
            print(
                f"  real +{time.time() - anchor:6.0f} s  simulated {sim_now:%m-%d %H:%M} ET  "
                f"targets landed {len(done)}/{len(target)}",
                flush=True,
            )
            if len(done) == len(target):
                break
            time.sleep(20)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
    report(instance, defs, day, anchor, start_sim, args.speed)
    return 0


def report(instance, defs, day: dt.date, anchor: float, start_sim: dt.datetime, speed: float) -> None:
    import dagster as dg
    from dagster._core.event_api import AssetRecordsFilter

    from nba_pipeline import keys

    graph = defs.resolve_asset_graph()
    waits: dict[str, list[float]] = {}
    landed: dict[str, float] = {}
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        group = graph.get(key).group_name
        records = instance.fetch_materializations(
            AssetRecordsFilter(asset_key=key, asset_partitions=[day.isoformat()]), limit=100, ascending=True
        ).records
        records = [r for r in records if r.timestamp >= anchor - 5]
        if not records:
            continue
        landed[group] = min(landed.get(group, float("inf")), records[0].timestamp)
        if group == keys.PHASE1:
            continue
        for rec in records:
            run = instance.get_run_record_by_id(rec.run_id)
            started = run.start_time or rec.timestamp
            parent_times = []
            for parent in graph.get(key).parent_keys:
                mapping = graph.get_partition_mapping(key, parent)
                pday = (
                    day - dt.timedelta(days=1)
                    if isinstance(mapping, dg.TimeWindowPartitionMapping) and mapping.start_offset == -1
                    else day
                )
                prev = instance.fetch_materializations(
                    AssetRecordsFilter(asset_key=parent, asset_partitions=[pday.isoformat()], before_timestamp=started),
                    limit=1,
                ).records
                if prev:
                    parent_times.append(prev[0].timestamp)
            if parent_times and max(parent_times) >= anchor - 5:
                waits.setdefault(group, []).append(started - max(parent_times))
    print(f"\nGame date {day}: first landing per phase (real seconds after simulated 06:00 ET; simulated ET)")
    for group in keys.RUN_ORDER:
        if group in landed:
            real = landed[group] - anchor
            print(f"  {group:<20} +{real:7.0f} s   {start_sim + dt.timedelta(seconds=real * speed):%m-%d %H:%M} ET")
    print("\nWait from the last parent landing to the run that followed it (real seconds)")
    print(f"  {'phase':<20}{'runs':>6}{'min':>8}{'median':>8}{'max':>8}")
    for group in keys.RUN_ORDER:
        w = waits.get(group)
        if w:
            print(f"  {group:<20}{len(w):>6}{min(w):>8.1f}{statistics.median(w):>8.1f}{max(w):>8.1f}")


if __name__ == "__main__":
    sys.exit(main())
