"""Wall time and peak memory of `nba-pipeline backfill` for one month: real data and simulated.

    python benchmarks/backfill_month.py [--real-dir ../shared/data/real]

Each case runs the CLI in a fresh home (a new process, as a user would) and prints one row:
source, range, phases, wall seconds, peak RSS.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_PEAK_WRAPPER = (
    "import resource, subprocess, sys; rc = subprocess.run(sys.argv[1:]).returncode; "
    "print(f'PEAK_KB={resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}', file=sys.stderr); "
    "sys.exit(rc)"
)
CASES = [
    # (label, source, start, end, groups)
    ("real, phases 1-3", "historical", "2025-03-01", "2025-03-31", ["phase1_scrapers", "phase2_raw", "phase3_analytics"]),
    ("real, all phases", "historical", "2025-03-01", "2025-03-31", None),
    ("simulated, phases 1-3", "simulated", "2024-11-01", "2024-11-30", ["phase1_scrapers", "phase2_raw", "phase3_analytics"]),
    ("simulated, all phases", "simulated", "2024-11-01", "2024-11-30", None),
]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--real-dir", default=str(ROOT.parent / "shared" / "data" / "real"))
    args = ap.parse_args()
    rows = []
    for label, source, start, end, groups in CASES:
        if source == "historical" and not Path(args.real_dir, "box_scores").is_dir():
            print(f"skip {label}: {args.real_dir} is absent")
            continue
        home = tempfile.mkdtemp(prefix="nba_bench_")
        cmd = ["nba-pipeline", "backfill", "--start", start, "--end", end, "--source", source, "--home", home]
        if source == "historical":
            cmd += ["--historical-dir", args.real_dir]
        for g in groups or []:
            cmd += ["--select", g]
        env_now = {"NBA_PIPELINE_NOW": "2025-04-15T12:00:00-04:00" if source == "historical" else "2024-12-15T12:00:00-05:00"}
        t0 = time.perf_counter()
        # RUSAGE_CHILDREN is a running maximum over every child this process has waited for, so
        # each case runs under its own small wrapper that reports only that case's peak.
        proc = subprocess.run([sys.executable, "-c", _PEAK_WRAPPER, *cmd], cwd=ROOT, capture_output=True,
                              text=True, env={**os.environ, **env_now})
        wall = time.perf_counter() - t0
        found = re.findall(r"^PEAK_KB=(\d+)$", proc.stderr, flags=re.M)
        peak = int(found[-1]) / 1024 if found else float("nan")
        ok = proc.returncode == 0
        rows.append((label, f"{start}..{end}", wall, peak, ok))
        if not ok:
            print(proc.stdout[-2000:], proc.stderr[-2000:], file=sys.stderr)
    print(f"\n{'case':<26}{'range':<24}{'wall s':>8}{'peak MB':>9}  ok")
    for label, rng, wall, peak, ok in rows:
        print(f"{label:<26}{rng:<24}{wall:>8.1f}{peak:>9.0f}  {ok}")
    return 0 if all(r[-1] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
