"""A season in a minute or two? Wall, CPU, peak memory and rows/s of the runs a user makes.

    python benchmarks/season.py [--real-dir ../shared/data/real] [--case season] [--case ...]
                                [--baseline-dir DIR --baseline-python PY]

With a baseline (another checkout and the interpreter of its own environment), every case runs on
the baseline code and on this code back to back, in that order, and the table gives both and the
ratio: a refactoring's cost measured on the same machine in the same hour.

Every case runs the CLI as a user would (a new process, real data unless said otherwise) and reads
its CPU time and peak RSS from the OS (the case's own process tree). Cases:

* season      every phase of the real 2024-25 regular season (2024-10-22..2025-04-12), empty home
* increment   the next date (2025-04-13) through every phase, on the home that holds that season
* batched20   the first 20 dates of the season as one backfill, empty home
* single20    the same 20 dates one date per run (--chunk-days 1), empty home; ratio per date
* demo        `nba-pipeline demo` (40 simulated dates, every phase), empty home
* evaluate    `nba-pipeline evaluate` of 2025-10-21..11-09 with history from 2024-10-21, empty home

Prints one table. Rows are the rows the warehouse holds for the case's dates afterwards.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Runs one command and reports its own children's CPU and peak RSS (RUSAGE_CHILDREN is per process).
_WRAPPER = (
    "import resource, subprocess, sys; rc = subprocess.run(sys.argv[1:]).returncode; "
    "u = resource.getrusage(resource.RUSAGE_CHILDREN); "
    "print(f'RUSAGE={u.ru_utime + u.ru_stime:.2f} {u.ru_maxrss}', file=sys.stderr); sys.exit(rc)"
)
SEASON = ("2024-10-22", "2025-04-12")
NEXT_DATE = "2025-04-13"
FIRST20 = ("2024-10-22", "2024-11-10")
NOW_REAL = "2025-04-20T12:00:00-04:00"


def _rows(home: Path, start: str, end: str) -> int:
    import duckdb

    path = home / "warehouse" / "warehouse.duckdb"
    if not path.exists():
        return 0
    from nba_pipeline.warehouse import tables as t

    con = duckdb.connect(str(path), read_only=True)
    try:
        total = 0
        for spec in t.ALL_TABLES:
            try:
                total += con.execute(
                    f"SELECT count(*) FROM {spec.schema}.{spec.name} WHERE {spec.date_column} BETWEEN ? AND ?",
                    [start, end],
                ).fetchone()[0]
            except duckdb.CatalogException:
                pass
        return total
    finally:
        con.close()


# The code a case runs: this checkout's, or a baseline's (its folder, its interpreter).
CODE = {"root": ROOT, "python": sys.executable}


def run(cmd: list[str], home: Path, now: str) -> dict:
    env = {**os.environ, "NBA_PIPELINE_NOW": now, "DAGSTER_HOME": str(home / "dagster")}
    if cmd[0] == "nba-pipeline":  # the checkout's own CLI, through its own interpreter
        cmd = [CODE["python"], "-m", "nba_pipeline.cli", *cmd[1:]]
        env["PYTHONPATH"] = str(CODE["root"])
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", _WRAPPER, *cmd, "--home", str(home)],
        cwd=CODE["root"],
        env=env,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - t0
    found = re.findall(r"^RUSAGE=([\d.]+) (\d+)$", proc.stderr, flags=re.M)
    cpu, peak = (float(found[-1][0]), int(found[-1][1]) / 1024) if found else (float("nan"), float("nan"))
    if proc.returncode != 0:
        print(proc.stdout[-3000:], proc.stderr[-3000:], file=sys.stderr)
    return {"wall": wall, "cpu": cpu, "peak_mb": peak, "ok": proc.returncode == 0}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--real-dir", default=str(ROOT.parent / "shared" / "data" / "real"))
    ap.add_argument(
        "--case", action="append", choices=["season", "increment", "batched20", "single20", "demo", "evaluate"]
    )
    ap.add_argument("--baseline-dir", help="another checkout to measure back to back with this one")
    ap.add_argument("--baseline-python", help="the interpreter of the baseline's environment")
    args = ap.parse_args()
    cases = args.case or ["season", "increment", "batched20", "single20", "demo", "evaluate"]
    if args.baseline_dir:
        return compare(args, cases)
    real = ["--source", "historical", "--historical-dir", args.real_dir]
    rows, season_home = [], None

    def record(name, span, dates, result, home, start, end):
        result.update(name=name, span=span, dates=dates, rows=_rows(home, start, end))
        rows.append(result)
        print(
            f"{name}: {result['wall']:.1f} s wall, {result['cpu']:.1f} s CPU, {result['peak_mb']:.0f} MB, "
            f"{result['rows']:,} rows, ok={result['ok']}",
            flush=True,
        )

    n_season = (dt.date.fromisoformat(SEASON[1]) - dt.date.fromisoformat(SEASON[0])).days + 1
    if "season" in cases or "increment" in cases:
        season_home = Path(tempfile.mkdtemp(prefix="nba_season_"))
        r = run(["nba-pipeline", "backfill", "--start", SEASON[0], "--end", SEASON[1], *real], season_home, NOW_REAL)
        record("season", f"{SEASON[0]}..{SEASON[1]}", n_season, r, season_home, *SEASON)
    if "increment" in cases:
        r = run(["nba-pipeline", "backfill", "--start", NEXT_DATE, "--end", NEXT_DATE, *real], season_home, NOW_REAL)
        record("increment", NEXT_DATE, 1, r, season_home, NEXT_DATE, NEXT_DATE)
    if "batched20" in cases or "single20" in cases:
        home = Path(tempfile.mkdtemp(prefix="nba_b20_"))
        r = run(["nba-pipeline", "backfill", "--start", FIRST20[0], "--end", FIRST20[1], *real], home, NOW_REAL)
        record("batched20", f"{FIRST20[0]}..{FIRST20[1]}", 20, r, home, *FIRST20)
        home = Path(tempfile.mkdtemp(prefix="nba_s20_"))
        r = run(
            ["nba-pipeline", "backfill", "--start", FIRST20[0], "--end", FIRST20[1], "--chunk-days", "1", *real],
            home,
            NOW_REAL,
        )
        record("single20", f"{FIRST20[0]}..{FIRST20[1]} (1/run)", 20, r, home, *FIRST20)
    if "demo" in cases:
        home = Path(tempfile.mkdtemp(prefix="nba_demo_"))
        r = run(["nba-pipeline", "demo"], home, "2026-12-01T12:00:00-05:00")
        record("demo", "40 simulated dates", 40, r, home, "2026-10-23", "2026-12-02")
    if "evaluate" in cases:
        home = Path(tempfile.mkdtemp(prefix="nba_eval_"))
        r = run(
            [
                "nba-pipeline",
                "evaluate",
                "--historical-dir",
                args.real_dir,
                "--start",
                "2025-10-21",
                "--end",
                "2025-11-09",
                "--history-start",
                "2024-10-21",
            ],
            home,
            "2025-11-20T12:00:00-05:00",
        )
        record("evaluate", "2025-10-21..11-09 (history 2024-10-21)", 20, r, home, "2024-10-21", "2025-11-09")

    print(
        f"\n{'case':<11}{'dates':<42}{'wall s':>8}{'CPU s':>8}{'peak MB':>9}{'rows':>10}{'rows/s':>9}{'s/date':>8}  ok"
    )
    for r in rows:
        print(
            f"{r['name']:<11}{r['span']:<42}{r['wall']:>8.1f}{r['cpu']:>8.1f}{r['peak_mb']:>9.0f}{r['rows']:>10,}"
            f"{r['rows'] / r['wall']:>9,.0f}{r['wall'] / r['dates']:>8.2f}  {r['ok']}"
        )
    by = {r["name"]: r for r in rows}
    if "batched20" in by and "single20" in by:
        print(
            f"\none date per run vs batched, same 20 dates: {by['single20']['wall'] / by['batched20']['wall']:.1f}x "
            f"the wall per date"
        )
    return 0 if all(r["ok"] for r in rows) else 1


def compare(args, cases: list[str]) -> int:
    """Each case on the baseline, then on this code; wall and CPU of both and their ratio."""
    real = ["--source", "historical", "--historical-dir", args.real_dir]
    commands = {
        "season": (["nba-pipeline", "backfill", "--start", SEASON[0], "--end", SEASON[1], *real], NOW_REAL),
        "batched20": (["nba-pipeline", "backfill", "--start", FIRST20[0], "--end", FIRST20[1], *real], NOW_REAL),
        "demo": (["nba-pipeline", "demo"], "2026-12-01T12:00:00-05:00"),
    }
    here = dict(CODE)
    baseline = {"root": Path(args.baseline_dir).resolve(), "python": args.baseline_python or sys.executable}
    results = []
    for case in cases:
        if case not in commands:
            print(f"{case}: not compared (season, batched20, demo are)")
            continue
        cmd, now = commands[case]
        pair = {}
        for label, code in (("baseline", baseline), ("this", here)):
            CODE.update(code)
            pair[label] = run(cmd, Path(tempfile.mkdtemp(prefix=f"nba_{case}_{label}_")), now)
            print(
                f"{case} {label}: {pair[label]['wall']:.1f} s wall, {pair[label]['cpu']:.1f} s CPU, "
                f"ok={pair[label]['ok']}",
                flush=True,
            )
        results.append((case, pair))
    CODE.update(here)
    print(
        f"\n{'case':<11}{'baseline wall':>14}{'this wall':>11}{'ratio':>7}{'baseline CPU':>14}{'this CPU':>10}{'ratio':>7}"
    )
    for case, pair in results:
        b, t = pair["baseline"], pair["this"]
        print(
            f"{case:<11}{b['wall']:>14.1f}{t['wall']:>11.1f}{t['wall'] / b['wall']:>7.3f}"
            f"{b['cpu']:>14.1f}{t['cpu']:>10.1f}{t['cpu'] / b['cpu']:>7.3f}"
        )
    return 0 if all(p["baseline"]["ok"] and p["this"]["ok"] for _, p in results) else 1


if __name__ == "__main__":
    sys.exit(main())
