"""`nba-pipeline`: demo, backfill, rebuild, status, evaluate, doctor, dev."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sys
from pathlib import Path


def _quiet():
    # Step logs go to the Dagster instance (and the UI); the console shows the CLI's own lines.
    import logging

    logging.getLogger("dagster").setLevel(logging.WARNING)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


class UsageError(Exception):
    """Bad input or configuration: printed as one line, exit status 2, no traceback."""


def _load(env_overrides: dict[str, str] | None = None):
    """Definitions and instance for the current environment (after applying CLI overrides), after
    cleaning up runs left marked in progress by a process of this machine that is gone."""
    for k, v in (env_overrides or {}).items():
        os.environ[k] = v
    _quiet()
    from nba_pipeline import environment

    env = environment.current()
    _home, instance = _open_instance(env)
    from nba_pipeline.definitions import defs

    return env, defs, instance


def _open_instance(env):
    """This environment's DAGSTER_HOME and Dagster instance, after cleaning up runs on this machine
    whose process is gone (a killed nba-pipeline command, or the worker of a killed `dagster dev`):
    marked failed, their pool slots freed, one "cleaned up:" line each."""
    import dagster as dg

    from nba_pipeline import runner

    from nba_pipeline.execution.leases import home_lock

    try:
        home = runner.ensure_local_instance(env)
        # Two commands starting on an empty home would both create the instance's tables.
        with home_lock(home):
            instance = dg.DagsterInstance.get()
            cleaned = runner.reap_dead_runs(instance)
    except _instance_errors() as exc:
        raise UsageError(_instance_problem(exc, env)) from None
    for line in cleaned:
        print(f"cleaned up: {line}", flush=True)
    return home, instance


def _instance_errors() -> tuple[type[Exception], ...]:
    import sqlite3

    import dagster as dg
    import sqlalchemy.exc
    from dagster_postgres.utils import DagsterPostgresException

    return (OSError, sqlite3.Error, sqlalchemy.exc.OperationalError, DagsterPostgresException,
            dg.DagsterInvalidConfigError)


def _instance_problem(exc: Exception, env) -> str:
    """One line the user can act on: an unwritable home (local SQLite), an instance config that does
    not load (an unset DAGSTER_PG_* variable), or the instance's database server refusing or absent."""
    import sqlite3

    import dagster as dg

    cfg = Path(os.environ.get("DAGSTER_HOME") or env.dagster_home) / "dagster.yaml"
    if isinstance(exc, dg.DagsterInvalidConfigError):
        text = exc.errors[0].message if exc.errors else str(exc)
        unset = re.search(r'environment variable "([^"]+)" which is not set', text)
        bad_value = re.search(r"PostProcessingError: (.+)", text)
        detail = (f"the environment variable {unset.group(1)} is not set" if unset
                  else bad_value.group(1) if bad_value else text.split("\n")[0])
        return f"cannot load the Dagster instance config {cfg}: {detail}"
    root = exc
    while root.__cause__ is not None:
        root = root.__cause__
    root = getattr(root, "orig", None) or root
    if isinstance(exc, OSError) or isinstance(root, sqlite3.Error):
        return f"cannot use the pipeline home {env.home}: {exc} (is it writable by this user?)"
    return f"cannot reach the database of the Dagster instance in {cfg}: {' '.join(str(root).split())}"


def _check_range(env, start: dt.date, end: dt.date, chunk_days: int | None = None, source: bool = True) -> None:
    """A range a backfill can run: ordered, inside the game-date partitions, with data to run on
    (``source=False``: whatever the configured source holds, for a rebuild that never reads it)."""
    from nba_pipeline.environment import SourceKind
    from nba_pipeline.partitions import FIRST_GAME_DATE

    if start > end:
        raise UsageError(f"--start {start} is after --end {end}")
    if chunk_days is not None and chunk_days < 1:
        raise UsageError(f"--chunk-days must be at least 1 (got {chunk_days})")
    first = dt.date.fromisoformat(FIRST_GAME_DATE)
    last = env.today_et() + dt.timedelta(days=1)  # the partitions end tomorrow (ET)
    if start < first:
        raise UsageError(f"{start} is before the first game-date partition ({first})")
    if end > last:
        raise UsageError(f"{end} is after the last game-date partition ({last}, tomorrow in ET): there is nothing "
                         f"to scrape for it yet")
    if source and env.source is SourceKind.HISTORICAL:
        from nba_pipeline.sources.historical import HistoricalSource

        covered = HistoricalSource(root=str(env.historical_dir)).covered_dates()
        if not any(start <= d <= end for d in covered):
            span = f"{covered[0]}..{covered[-1]}" if covered else "no dates"
            raise UsageError(f"the historical folder {env.historical_dir} has no games or lines between {start} and "
                             f"{end} (it covers {span})")


def _open_warehouse(defs) -> None:
    """Refuse a damaged warehouse before anything runs: the one line of ``WarehouseDamagedError``
    (exit 1) before a scrape runs, not a failed step per table after."""
    defs.resources["warehouse"].check_not_damaged()


def _warn(text: str) -> None:
    print(f"  ! {text}", flush=True)


def _waiting(text: str) -> None:
    print(f"  waiting: {text}", flush=True)


def _progress(total: int):
    state = {"done": 0}

    def on_step(step):
        state["done"] += 1
        print(f"  [{state['done']:>3}/{total}] {step.group:<18} {step.asset:<44} {step.seconds:6.1f} s  {step.status}",
              flush=True)
        if step.status == "FAILED":
            print(f"          {step.error}", flush=True)

    return on_step


def _steps(defs, groups, start: dt.date, end: dt.date, chunk_days: int | None = None) -> int:
    import dagster as dg

    from nba_pipeline import runner
    from nba_pipeline.assets.common import MAX_DATES_PER_RUN

    assets = dg.AssetSelection.groups(*groups).resolve(defs.resolve_asset_graph())
    return len(assets) * len(runner.date_chunks(start, end, chunk_days or MAX_DATES_PER_RUN))


def _report(runs) -> int:
    """Failed runs and dates held back by a failed blocking check; the exit status says so."""
    blocked = {d: why for r in runs for d, why in r.blocked.items()}
    held = {d: n for r in runs for d, n in r.held.items()}
    for day in sorted(blocked):
        print(f"\n{day} is blocked: {'; '.join(blocked[day])}")
        if held.get(day):
            print(f"  {held[day]} downstream asset(s) of {day} were not computed (inputs_ready)")
    failed = [r for r in runs if not r.success]
    for r in failed:
        print(f"\nrun {r.run_id[:8]} for {r.start}..{r.end} FAILED: {r.error}")
        if r.not_run:
            print(f"  {r.not_run} asset(s) downstream of it were not run for {r.start}..{r.end}")
    return 1 if failed or blocked else 0


def _summary(env, defs, start: dt.date, end: dt.date) -> None:
    from nba_pipeline.warehouse import tables as t

    wh = defs.resources["warehouse"]
    print(f"\nWarehouse {env.warehouse_path if env.warehouse.value == 'duckdb' else 'BigQuery'} for {start}..{end}:")
    with wh.session():  # one connection for the 22 counts, not one each
        for spec in t.ALL_TABLES:
            counts = wh.count_by_date(spec, start, end)
            print(f"  {spec.address:<48} {sum(counts.values()):>8,} rows  {len(counts):>3} dates with rows")


def cmd_demo(args) -> int:
    from nba_pipeline import environment

    overrides = {environment.ENV_SOURCE: "simulated"}
    if args.home:
        overrides[environment.ENV_HOME] = args.home
    env, defs, instance = _load(overrides)
    from nba_pipeline import keys, runner

    end = env.today_et() + dt.timedelta(days=1)
    start = end - dt.timedelta(days=args.days - 1)
    _open_warehouse(defs)
    print(f"nba_pipeline demo: simulated league (seed {env.seed}), game dates {start}..{end}, home {env.home}")
    runs = runner.materialize_range(defs, keys.PHASE_GROUPS, start, end, instance,
                                    on_step=_progress(_steps(defs, keys.PHASE_GROUPS, start, end)),
                                    raise_on_error=False, on_warning=_warn, on_wait=_waiting)
    runner.evaluate_standalone_checks(defs, instance)
    _summary(env, defs, start, end)
    exports = sorted((env.export_dir).rglob("*.json"))
    print(f"\nExports: {len(exports)} JSON files under {env.export_dir}")
    for p in exports[-3:]:
        print(f"  {p}")
    print("\nOpen the UI (lineage, partitions, checks, automation):")
    print(f"  NBA_PIPELINE_HOME={env.home} nba-pipeline dev")
    return _report(runs)


def cmd_backfill(args) -> int:
    from nba_pipeline import environment

    overrides = {}
    if args.source:
        overrides[environment.ENV_SOURCE] = args.source
    if args.historical_dir:
        overrides[environment.ENV_HISTORICAL_DIR] = args.historical_dir
    if args.home:
        overrides[environment.ENV_HOME] = args.home
    env, defs, instance = _load(overrides)
    from nba_pipeline import keys, runner

    groups = args.select or list(keys.PHASE_GROUPS)
    unknown = [g for g in groups if g not in keys.PHASE_GROUPS]
    if unknown:
        raise UsageError(f"unknown group(s) {', '.join(unknown)}; choose from {', '.join(keys.PHASE_GROUPS)}")
    _check_range(env, args.start, args.end, args.chunk_days)
    _open_warehouse(defs)
    print(f"backfill {args.start}..{args.end} ({env.source.value} source) groups: {', '.join(groups)}")
    import time

    t0 = time.perf_counter()
    runs = runner.materialize_range(defs, groups, args.start, args.end, instance, chunk_days=args.chunk_days,
                                    on_step=_progress(_steps(defs, groups, args.start, args.end, args.chunk_days)),
                                    raise_on_error=False, on_warning=_warn, on_wait=_waiting)
    runner.evaluate_standalone_checks(defs, instance)
    print(f"done in {time.perf_counter() - t0:.1f} s wall")
    _summary(env, defs, args.start, args.end)
    return _report(runs)


def cmd_rebuild(args) -> int:
    """Every table of a range from the payload archive alone (nba_pipeline/rebuild.py)."""
    from nba_pipeline import environment

    env, defs, instance = _load({environment.ENV_HOME: args.home} if args.home else {})
    import time

    import dagster as dg

    from nba_pipeline import keys, rebuild, runner

    # Built as a run builds it, so a bucket named by an environment variable is that bucket.
    with dg.build_resources({"archive": defs.resources["archive"]}) as built:
        try:
            plan = rebuild.plan(built.archive, args.source or env.source.value, args.start, args.end)
        except rebuild.NothingToRebuild as exc:
            raise UsageError(str(exc)) from None
        where = plan.describe(built.archive)
    _check_range(env, plan.start, plan.end, args.chunk_days, source=False)
    _open_warehouse(defs)
    print(where)
    t0 = time.perf_counter()
    runs = rebuild.rebuild(defs, instance, plan, chunk_days=args.chunk_days, on_warning=_warn, on_wait=_waiting,
                           on_step=_progress(_steps(defs, keys.PHASE_GROUPS, plan.start, plan.end, args.chunk_days)))
    runner.evaluate_standalone_checks(defs, instance)
    print(f"done in {time.perf_counter() - t0:.1f} s wall")
    _summary(env, defs, plan.start, plan.end)
    return _report(runs)


def cmd_evaluate(args) -> int:
    """Replay a real-data folder through the whole graph (walk-forward) and print the evaluation of
    every prediction system against the consensus line, with bootstrap intervals."""
    from nba_pipeline import environment

    overrides = {environment.ENV_SOURCE: "historical", environment.ENV_HISTORICAL_DIR: args.historical_dir}
    if args.home:
        overrides[environment.ENV_HOME] = args.home
    env, defs, instance = _load(overrides)
    import time

    from nba_pipeline import keys, runner
    from nba_pipeline.domain.evaluation import evaluate, format_evaluation
    from nba_pipeline.warehouse import tables as t

    history_start = args.history_start or args.start - dt.timedelta(days=365)
    _check_range(env, history_start, args.end, args.chunk_days)
    _check_range(env, args.start, args.end)
    _open_warehouse(defs)
    t0 = time.perf_counter()
    upstream = [keys.PHASE1, keys.PHASE2, keys.PHASE3, keys.PHASE4]
    downstream = [keys.PHASE5, keys.GRADING, keys.PHASE6]
    if not args.skip_replay:
        print(f"replaying {history_start}..{args.end} through phases 1-4, then predicting and grading "
              f"{args.start}..{args.end}")
        progress = _progress(_steps(defs, upstream, history_start, args.end, args.chunk_days)
                             + _steps(defs, downstream, args.start, args.end))
        runs = runner.materialize_range(defs, upstream, history_start, args.end, instance,
                                        chunk_days=args.chunk_days, on_step=progress, raise_on_error=False,
                                        on_warning=_warn, on_wait=_waiting)
        runs += runner.materialize_range(defs, downstream, args.start, args.end, instance, on_step=progress,
                                         raise_on_error=False, on_warning=_warn, on_wait=_waiting)
        runner.evaluate_standalone_checks(defs, instance)
        ok = all(r.success for r in runs)
        print(f"replay {'finished' if ok else 'finished WITH FAILURES'} in {time.perf_counter() - t0:.0f} s")
    graded = defs.resources["warehouse"].read(t.PREDICTION_ACCURACY, args.start, args.end)
    print()
    try:
        result = evaluate(graded, n_boot=args.n_boot)
    except ValueError as exc:  # a graded row it cannot score: the message names field, system, date
        print(f"nba-pipeline evaluate: error: {exc}", file=sys.stderr)
        return 2
    print(format_evaluation(result))
    return 0


def cmd_status(args) -> int:
    from nba_pipeline import environment

    overrides = {environment.ENV_HOME: args.home} if args.home else {}
    env, defs, instance = _load(overrides)
    from nba_pipeline.status import date_status, render

    now = defs.resources["clock"].now()
    day = args.date or env.today_et()
    status = date_status(defs, instance, day, now)
    print(render(status))
    return status.exit_code


def cmd_doctor(args) -> int:
    from nba_pipeline import environment
    from nba_pipeline.doctor import FAIL, diagnose, exit_code

    if args.home:
        os.environ[environment.ENV_HOME] = args.home
    _quiet()
    findings = diagnose(timeout=args.timeout)
    for f in findings:
        print(f.line(), flush=True)
    failed = [f for f in findings if f.status == FAIL]
    print(f"\n{len(failed)} problem(s) found" if failed else "\nready to run")
    return exit_code(findings)


def cmd_dev(args) -> int:
    from nba_pipeline import environment

    if args.home:
        os.environ[environment.ENV_HOME] = args.home
    env = environment.current()
    _quiet()
    # Runs a killed `dagster dev` left in progress are failed and their slots freed before the daemon
    # starts, so the first queued run starts at once (the daemon's run monitoring would find them too).
    home, instance = _open_instance(env)
    from nba_pipeline.instance.launcher import lacks_worker_checks

    if lacks_worker_checks(instance):
        _warn(f"{home / 'dagster.yaml'} predates the run launcher that detects dead run workers: copy the "
              "run_launcher and run_monitoring sections of nba_pipeline/instance/local_dagster.yaml into it")
    instance.dispose()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    cmd = ["dagster", "dev", "-w", os.path.join(root, "workspace.yaml"), "-h", args.host, "-p", str(args.port)]
    print(f"DAGSTER_HOME={home} {' '.join(cmd)}", flush=True)
    os.chdir(root)
    os.execvp(cmd[0], cmd)
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="nba-pipeline", description="NBA player-points props pipeline (Dagster).")
    sub = p.add_subparsers(dest="command", required=True)

    d = sub.add_parser("demo", help="materialize a recent window of the simulated league through every phase")
    d.add_argument("--days", type=int, default=40, help="game dates ending tomorrow (default 40)")
    d.add_argument("--home", help="pipeline home folder (default ./nba_pipeline_home)")
    d.set_defaults(func=cmd_demo)

    b = sub.add_parser("backfill", help="materialize a date range (runs as Dagster's backfill plans them), with progress")
    b.add_argument("--start", type=_date, required=True)
    b.add_argument("--end", type=_date, required=True)
    b.add_argument("--select", action="append", metavar="GROUP", help="phase group(s) (repeatable); default all")
    b.add_argument("--source", choices=["simulated", "historical", "live"])
    b.add_argument("--historical-dir")
    b.add_argument("--home")
    b.add_argument("--chunk-days", type=int, default=None,
                   help="dates per run (default: the assets' BackfillPolicy, 100)")
    b.set_defaults(func=cmd_backfill)

    r = sub.add_parser("rebuild", help="rebuild every table of a range from the payload archive alone (no source "
                                       "call): a damaged or deleted warehouse, or a move to another warehouse")
    r.add_argument("--start", type=_date, help="first game date (default: the first date the archive holds)")
    r.add_argument("--end", type=_date, help="last game date (default: the last date the archive holds)")
    r.add_argument("--source", choices=["simulated", "historical", "live"],
                   help="whose archived payloads to replay (default: NBA_PIPELINE_SOURCE)")
    r.add_argument("--home")
    r.add_argument("--chunk-days", type=int, default=None,
                   help="dates per run (default: the assets' BackfillPolicy, 100)")
    r.set_defaults(func=cmd_rebuild)

    e = sub.add_parser("evaluate", help="walk-forward replay of a real-data folder and an evaluation of "
                                        "every prediction system with intervals")
    e.add_argument("--historical-dir", required=True, help="a folder in the layout of ../shared/data/real")
    e.add_argument("--start", type=_date, required=True, help="first game date to predict and grade")
    e.add_argument("--end", type=_date, required=True)
    e.add_argument("--history-start", type=_date, help="replay history from this date (default: start - 365 days)")
    e.add_argument("--home")
    e.add_argument("--chunk-days", type=int, default=62)
    e.add_argument("--skip-replay", action="store_true", help="only evaluate what is already graded")
    e.add_argument("--n-boot", type=int, default=2000, help="bootstrap resamples of game dates (default 2000)")
    e.set_defaults(func=cmd_evaluate)

    s = sub.add_parser("status", help="did the pipeline of a game date complete? (exit 1 when overdue)")
    s.add_argument("--date", type=_date, help="game date (default: today in ET)")
    s.add_argument("--home")
    s.set_defaults(func=cmd_status)

    o = sub.add_parser("doctor", help="check this environment: variables, credentials, instance, warehouse, "
                       "buckets, source (exit 1 when something is missing)")
    o.add_argument("--home")
    o.add_argument("--timeout", type=float, default=30.0, help="seconds each check may take (default 30)")
    o.set_defaults(func=cmd_doctor)

    v = sub.add_parser("dev", help="start the Dagster UI and daemon (dagster dev) on this project's home")
    v.add_argument("--home")
    v.add_argument("--host", default="127.0.0.1")
    v.add_argument("--port", type=int, default=3000)
    v.set_defaults(func=cmd_dev)
    return p


def main(argv: list[str] | None = None) -> int:
    from nba_pipeline.environment import EnvironmentError_

    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (UsageError, EnvironmentError_) as exc:
        print(f"nba-pipeline {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return _interrupted()
    except Exception as exc:
        # A Dagster failure raised outside a run (a source that cannot load its folder while the range
        # is checked) names what broke in its description: print that, not a traceback.
        import dagster as dg

        if isinstance(exc, dg.Failure):
            from nba_pipeline.storage import ArchiveIntegrityError
            from nba_pipeline.warehouse import WarehouseDamagedError

            print(f"nba-pipeline {args.command}: error: {exc.description}", file=sys.stderr)
            # Exit 1: the home is damaged (the line says how to recover); 2 stays "bad input".
            return 1 if isinstance(exc, (WarehouseDamagedError, ArchiveIntegrityError)) else 2
        raise


def _interrupted() -> int:
    """Ctrl-C: the run this process was executing is marked failed and its pool slot freed, so the
    home is usable at once (the next command would also reap it)."""
    import dagster as dg

    from nba_pipeline import runner

    try:
        for line in runner.reap_dead_runs(dg.DagsterInstance.get(), only_this_process=True):
            print(f"\ninterrupted: {line}", file=sys.stderr)
    except Exception as exc:  # the instance itself may be what was interrupted
        print(f"\ninterrupted ({exc})", file=sys.stderr)
    print("interrupted: the home is usable; re-run the command to finish the range", file=sys.stderr)
    return 130


if __name__ == "__main__":
    sys.exit(main())
