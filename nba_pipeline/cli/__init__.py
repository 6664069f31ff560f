"""`nba-pipeline`: the command line (demo, backfill, rebuild, evaluate, status, doctor, dev): its
arguments, and how an error becomes one line and an exit status."""

from __future__ import annotations

import argparse
import sys

import dagster as dg

from nba_pipeline.cli import markets
from nba_pipeline.cli.commands import cmd_backfill, cmd_demo, cmd_dev, cmd_doctor, cmd_evaluate, cmd_rebuild, cmd_status
from nba_pipeline.cli.home import UsageError, game_date
from nba_pipeline.environment import ConfigurationError
from nba_pipeline.instance.reaper import reap_dead_runs
from nba_pipeline.storage import ArchiveIntegrityError
from nba_pipeline.warehouse import WarehouseDamagedError

SOURCES = ["simulated", "historical", "live"]
CHUNK_HELP = "dates per run (default: the assets' BackfillPolicy, 100)"


def _range_commands(sub) -> None:
    d = sub.add_parser("demo", help="materialize a recent window of the simulated league through every phase")
    d.add_argument("--days", type=int, default=40, help="game dates ending tomorrow (default 40)")
    d.add_argument("--home", help="pipeline home folder (default ./nba_pipeline_home)")
    d.set_defaults(func=cmd_demo)

    b = sub.add_parser(
        "backfill", help="materialize a date range (runs as Dagster's backfill plans them), with progress"
    )
    b.add_argument("--start", type=game_date, required=True)
    b.add_argument("--end", type=game_date, required=True)
    b.add_argument("--select", action="append", metavar="GROUP", help="phase group(s) (repeatable); default all")
    b.add_argument("--source", choices=SOURCES)
    b.add_argument("--historical-dir")
    b.add_argument("--home")
    b.add_argument("--chunk-days", type=int, default=None, help=CHUNK_HELP)
    b.set_defaults(func=cmd_backfill)

    r = sub.add_parser(
        "rebuild",
        help="rebuild every table of a range from the payload archive alone (no source "
        "call): a damaged or deleted warehouse, or a move to another warehouse",
    )
    r.add_argument("--start", type=game_date, help="first game date (default: the first date the archive holds)")
    r.add_argument("--end", type=game_date, help="last game date (default: the last date the archive holds)")
    r.add_argument("--source", choices=SOURCES, help="whose archived payloads to replay (default: NBA_PIPELINE_SOURCE)")
    r.add_argument("--home")
    r.add_argument("--chunk-days", type=int, default=None, help=CHUNK_HELP)
    r.set_defaults(func=cmd_rebuild)

    e = sub.add_parser(
        "evaluate",
        help="walk-forward replay of a real-data folder and an evaluation of every prediction system with intervals",
    )
    e.add_argument(
        "--historical-dir",
        required=True,
        help="a historical data folder (schedule/, box_scores/, props/, api_payloads/)",
    )
    e.add_argument("--start", type=game_date, required=True, help="first game date to predict and grade")
    e.add_argument("--end", type=game_date, required=True)
    e.add_argument("--history-start", type=game_date, help="replay history from this date (default: start - 365 days)")
    e.add_argument("--home")
    e.add_argument("--chunk-days", type=int, default=62)
    e.add_argument("--skip-replay", action="store_true", help="only evaluate what is already graded")
    e.add_argument("--n-boot", type=int, default=2000, help="bootstrap resamples of game dates (default 2000)")
    e.set_defaults(func=cmd_evaluate)


def _home_commands(sub) -> None:
    s = sub.add_parser("status", help="did the pipeline of a game date complete? (exit 1 when overdue)")
    s.add_argument("--date", type=game_date, help="game date (default: today in ET)")
    s.add_argument("--home")
    s.set_defaults(func=cmd_status)

    o = sub.add_parser(
        "doctor",
        help="check this environment: variables, credentials, instance, warehouse, "
        "buckets, source (exit 1 when something is missing)",
    )
    o.add_argument("--home")
    o.add_argument("--timeout", type=float, default=30.0, help="seconds each check may take (default 30)")
    o.set_defaults(func=cmd_doctor)

    v = sub.add_parser("dev", help="start the Dagster UI and daemon (dagster dev) on this project's home")
    v.add_argument("--home")
    v.add_argument("--host", default="127.0.0.1")
    v.add_argument("--port", type=int, default=3000)
    v.set_defaults(func=cmd_dev)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="nba-pipeline", description="NBA player-points props pipeline (Dagster).")
    sub = p.add_subparsers(dest="command", required=True)
    _range_commands(sub)
    _home_commands(sub)
    markets.add_parser(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (UsageError, ConfigurationError) as exc:
        print(f"nba-pipeline {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return _interrupted()
    except dg.Failure as exc:
        # A Dagster failure raised outside a run (a source that cannot load its folder while the range
        # is checked, a damaged warehouse) names what broke in its description: that, not a traceback.
        print(f"nba-pipeline {args.command}: error: {exc.description}", file=sys.stderr)
        # Exit 1: the home is damaged (the line says how to recover); 2 stays "bad input".
        return 1 if isinstance(exc, (WarehouseDamagedError, ArchiveIntegrityError)) else 2


def _interrupted() -> int:
    """Ctrl-C: the run this process was executing is marked failed and its pool slot freed, so the
    home is usable at once (the next command would also reap it)."""
    try:
        for line in reap_dead_runs(dg.DagsterInstance.get(), only_this_process=True):
            print(f"\ninterrupted: {line}", file=sys.stderr)
    except Exception as exc:  # the instance itself may be what was interrupted
        print(f"\ninterrupted ({exc})", file=sys.stderr)
    print("interrupted: the home is usable; re-run the command to finish the range", file=sys.stderr)
    return 130
