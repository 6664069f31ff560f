"""Source speed: simulated season build and per-date calls; historical load and per-call times.

    python benchmarks/sources.py [--real-dir ../shared/data/real]

Prints the numbers (targets: a simulated season builds in under 10 s and a date's seven calls take
under 1 s; the historical folder loads in a few seconds and a call takes well under 0.2 s).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
from pathlib import Path

from nba_pipeline.sources.base import ALL_ENDPOINTS
from nba_pipeline.sources.historical import HistoricalSource
from nba_pipeline.sources.simulated import SimulatedLeague, SimulatedSource

ROOT = Path(__file__).resolve().parents[1]
SEED, YEAR = 20241022, 2024


def _after_all(season, day: dt.date) -> dt.datetime:
    return max(g.end_utc for g in season.games_on(day)) + dt.timedelta(hours=3)


def simulated() -> None:
    t0 = time.perf_counter()
    season = SimulatedLeague(SEED).season(YEAR)
    build = time.perf_counter() - t0
    source = SimulatedSource(seed=SEED)
    day = dt.date(2024, 12, 11)
    source.fetch(ALL_ENDPOINTS[0], day, _after_all(season, day))  # warm the source's own league
    t0 = time.perf_counter()
    for ep in ALL_ENDPOINTS:
        source.fetch(ep, day, _after_all(season, day))
    print(
        f"simulated: season {YEAR} build {build:.2f} s; one date's {len(ALL_ENDPOINTS)} calls "
        f"{time.perf_counter() - t0:.3f} s"
    )


def historical_(root: Path) -> None:
    src = HistoricalSource(root=str(root))
    day = dt.date(2025, 4, 1)
    noon = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(12), tzinfo=dt.UTC)
    t0 = time.perf_counter()
    src.schedule(day, noon)
    load = time.perf_counter() - t0
    calls = []
    for d in (dt.date(2024, 11, 15), day, dt.date(2024, 10, 22), dt.date(2025, 11, 1)):
        at = dt.datetime.combine(d + dt.timedelta(days=1), dt.time(12), tzinfo=dt.UTC)
        for ep in ALL_ENDPOINTS:
            best = float("inf")
            for _ in range(3):
                t0 = time.perf_counter()
                src.fetch(ep, d, at)
                best = min(best, time.perf_counter() - t0)
            calls.append(best)
    print(
        f"historical: load {load:.2f} s; per (endpoint, date) call median "
        f"{statistics.median(calls) * 1000:.2f} ms, max {max(calls) * 1000:.2f} ms"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--real-dir", default=str(ROOT.parent / "shared" / "data" / "real"))
    args = ap.parse_args()
    simulated()
    if Path(args.real_dir, "box_scores").is_dir():
        historical_(Path(args.real_dir))
    else:
        print(f"historical: skipped, {args.real_dir} is absent")


if __name__ == "__main__":
    main()
