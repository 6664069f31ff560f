"""The commands: demo, backfill, rebuild and evaluate run ranges of game dates; status, doctor and
dev look at and start the home."""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from pathlib import Path

import dagster as dg

from nba_pipeline import environment, keys, rebuild
from nba_pipeline.cli import output
from nba_pipeline.cli.home import UsageError, check_range, load, open_instance, open_warehouse, quiet
from nba_pipeline.doctor import FAIL, diagnose, exit_code
from nba_pipeline.domain.evaluation import evaluate, format_evaluation
from nba_pipeline.execution.range_runs import evaluate_standalone_checks, materialize_range
from nba_pipeline.instance.launcher import lacks_worker_checks
from nba_pipeline.status import date_status, render
from nba_pipeline.warehouse import tables as t

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _home_override(args) -> dict[str, str]:
    return {environment.ENV_HOME: args.home} if args.home else {}


def cmd_demo(args) -> int:
    env, defs, instance = load({environment.ENV_SOURCE: "simulated", **_home_override(args)})
    end = env.today_et() + dt.timedelta(days=1)
    start = end - dt.timedelta(days=args.days - 1)
    open_warehouse(defs)
    print(f"nba_pipeline demo: simulated league (seed {env.seed}), game dates {start}..{end}, home {env.home}")
    runs = materialize_range(
        defs,
        keys.PHASE_GROUPS,
        start,
        end,
        instance,
        raise_on_error=False,
        callbacks=output.progress(output.step_count(defs, keys.PHASE_GROUPS, start, end)),
    )
    evaluate_standalone_checks(defs, instance)
    output.summary(env, defs, start, end)
    exports = sorted((env.export_dir).rglob("*.json"))
    print(f"\nExports: {len(exports)} JSON files under {env.export_dir}")
    for p in exports[-3:]:
        print(f"  {p}")
    print("\nOpen the UI (lineage, partitions, checks, automation):")
    print(f"  NBA_PIPELINE_HOME={env.home} nba-pipeline dev")
    return output.report(runs)


def cmd_backfill(args) -> int:
    overrides = _home_override(args)
    if args.source:
        overrides[environment.ENV_SOURCE] = args.source
    if args.historical_dir:
        overrides[environment.ENV_HISTORICAL_DIR] = args.historical_dir
    env, defs, instance = load(overrides)
    groups = args.select or list(keys.PHASE_GROUPS)
    unknown = [g for g in groups if g not in keys.PHASE_GROUPS]
    if unknown:
        raise UsageError(f"unknown group(s) {', '.join(unknown)}; choose from {', '.join(keys.PHASE_GROUPS)}")
    check_range(env, args.start, args.end, args.chunk_days)
    open_warehouse(defs)
    print(f"backfill {args.start}..{args.end} ({env.source.value} source) groups: {', '.join(groups)}")
    t0 = time.perf_counter()
    callbacks = output.progress(output.step_count(defs, groups, args.start, args.end, args.chunk_days))
    runs = materialize_range(
        defs,
        groups,
        args.start,
        args.end,
        instance,
        chunk_days=args.chunk_days,
        raise_on_error=False,
        callbacks=callbacks,
    )
    evaluate_standalone_checks(defs, instance)
    print(f"done in {time.perf_counter() - t0:.1f} s wall")
    output.summary(env, defs, args.start, args.end)
    return output.report(runs)


def cmd_rebuild(args) -> int:
    """Every table of a range from the payload archive alone (nba_pipeline/rebuild.py)."""
    env, defs, instance = load(_home_override(args))
    # Built as a run builds it, so a bucket named by an environment variable is that bucket.
    with dg.build_resources({"archive": defs.resources["archive"]}) as built:
        try:
            plan = rebuild.plan(built.archive, args.source or env.source.value, args.start, args.end)
        except rebuild.NothingToRebuild as exc:
            raise UsageError(str(exc)) from None
        where = plan.describe(built.archive)
    check_range(env, plan.start, plan.end, args.chunk_days, source=False)
    open_warehouse(defs)
    print(where)
    t0 = time.perf_counter()
    callbacks = output.progress(output.step_count(defs, keys.PHASE_GROUPS, plan.start, plan.end, args.chunk_days))
    runs = rebuild.rebuild(defs, instance, plan, chunk_days=args.chunk_days, callbacks=callbacks)
    evaluate_standalone_checks(defs, instance)
    print(f"done in {time.perf_counter() - t0:.1f} s wall")
    output.summary(env, defs, plan.start, plan.end)
    return output.report(runs)


def cmd_evaluate(args) -> int:
    """Replay a real-data folder through the whole graph (walk-forward) and print the evaluation of
    every prediction system against the consensus line, with bootstrap intervals."""
    env, defs, instance = load(
        {
            environment.ENV_SOURCE: "historical",
            environment.ENV_HISTORICAL_DIR: args.historical_dir,
            **_home_override(args),
        }
    )
    history_start = args.history_start or args.start - dt.timedelta(days=365)
    check_range(env, history_start, args.end, args.chunk_days)
    check_range(env, args.start, args.end)
    open_warehouse(defs)
    if not args.skip_replay:
        _replay(defs, instance, history_start, args)
    graded = defs.resources["warehouse"].read(t.PREDICTION_ACCURACY, args.start, args.end)
    print()
    try:
        result = evaluate(graded, n_boot=args.n_boot)
    except ValueError as exc:  # a graded row it cannot score: the message names field, system, date
        print(f"nba-pipeline evaluate: error: {exc}", file=sys.stderr)
        return 2
    print(format_evaluation(result))
    return 0


def _replay(defs, instance, history_start: dt.date, args) -> None:
    """Phases 1-4 from the history start, then predictions, grading and exports of the evaluated dates."""
    t0 = time.perf_counter()
    upstream = [keys.PHASE1, keys.PHASE2, keys.PHASE3, keys.PHASE4]
    downstream = [keys.PHASE5, keys.GRADING, keys.PHASE6]
    print(
        f"replaying {history_start}..{args.end} through phases 1-4, then predicting and grading "
        f"{args.start}..{args.end}"
    )
    callbacks = output.progress(
        output.step_count(defs, upstream, history_start, args.end, args.chunk_days)
        + output.step_count(defs, downstream, args.start, args.end)
    )
    runs = materialize_range(
        defs,
        upstream,
        history_start,
        args.end,
        instance,
        chunk_days=args.chunk_days,
        raise_on_error=False,
        callbacks=callbacks,
    )
    runs += materialize_range(
        defs, downstream, args.start, args.end, instance, raise_on_error=False, callbacks=callbacks
    )
    evaluate_standalone_checks(defs, instance)
    ok = all(r.success for r in runs)
    print(f"replay {'finished' if ok else 'finished WITH FAILURES'} in {time.perf_counter() - t0:.0f} s")


def cmd_status(args) -> int:
    env, defs, instance = load(_home_override(args))
    now = defs.resources["clock"].now()
    status = date_status(defs, instance, args.date or env.today_et(), now)
    print(render(status))
    return status.exit_code


def cmd_doctor(args) -> int:
    if args.home:
        os.environ[environment.ENV_HOME] = args.home
    quiet()
    findings = diagnose(timeout=args.timeout)
    for f in findings:
        print(f.line(), flush=True)
    failed = [f for f in findings if f.status == FAIL]
    print(f"\n{len(failed)} problem(s) found" if failed else "\nready to run")
    return exit_code(findings)


def cmd_dev(args) -> int:
    if args.home:
        os.environ[environment.ENV_HOME] = args.home
    env = environment.current()
    quiet()
    # Runs a killed `dagster dev` left in progress are failed and their slots freed before the daemon
    # starts, so the first queued run starts at once (the daemon's run monitoring would find them too).
    home, instance = open_instance(env)
    if lacks_worker_checks(instance):
        output.warn(
            f"{home / 'dagster.yaml'} predates the run launcher that detects dead run workers: copy the "
            "run_launcher and run_monitoring sections of nba_pipeline/instance/local_dagster.yaml into it"
        )
    instance.dispose()
    cmd = ["dagster", "dev", "-w", str(PROJECT_ROOT / "workspace.yaml"), "-h", args.host, "-p", str(args.port)]
    print(f"DAGSTER_HOME={home} {' '.join(cmd)}", flush=True)
    os.chdir(PROJECT_ROOT)
    os.execvp(cmd[0], cmd)
    return 0
