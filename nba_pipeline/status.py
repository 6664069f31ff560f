"""`nba-pipeline status`: did the pipeline of a game date complete?

Answers from what Dagster recorded (materializations, check evaluations, runs) and what the
warehouse holds, never from a flag: per phase, rows for the date, checks, freshness, the last run and
its outcome, and one verdict.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import dagster as dg

from nba_pipeline import automation, keys
from nba_pipeline.calendar import ET
from nba_pipeline.observe import PartitionState, check_specs_by_asset, partition_state, run_span, runs_found_dead
from nba_pipeline.warehouse import tables as t

_PHASE_LABEL = {
    keys.PHASE1: "PHASE_1",
    keys.PHASE2: "PHASE_2",
    keys.PHASE3: "PHASE_3",
    keys.PHASE4: "PHASE_4",
    keys.PHASE5: "PHASE_5",
    keys.PHASE6: "PHASE_6",
    keys.GRADING: "GRADING",
}
_SPECS = {s.asset_key: s for s in t.ALL_TABLES}


@dataclass
class AssetStatus:
    key: dg.AssetKey
    group: str
    state: PartitionState
    rows: int | None
    due: dt.datetime | None
    late: bool
    counts_for_verdict: bool

    @property
    def label(self) -> str:
        if self.state.refreshing:
            return "OK+RUN"  # healthy, and a refresh is running
        if self.state.in_progress:
            return "RUNNING"
        if self.state.failed:
            return "FAILED"
        if not self.state.materialized:
            return "LATE" if self.late else "PENDING"
        return "OK"


@dataclass
class DateStatus:
    day: dt.date
    now: dt.datetime
    games: int | None
    verdict: str
    assets: list[AssetStatus] = field(default_factory=list)
    overdue: bool = False
    # Runs of this date found dead (their process was gone: a killed `dagster dev`, an OOM kill) and
    # marked failed, one line each: they explain a FAILED asset that nobody saw fail.
    dead_runs: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.overdue else 0


def date_status(defs: dg.Definitions, instance: dg.DagsterInstance, day: dt.date, now: dt.datetime) -> DateStatus:
    warehouse = defs.resources["warehouse"]
    graph = defs.resolve_asset_graph()
    checks = check_specs_by_asset([a for a in defs.assets if isinstance(a, dg.AssetsDefinition)])
    today = now.astimezone(ET).date()
    pre_game = day >= today
    statuses = []
    for group in keys.RUN_ORDER:
        for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
            if graph.get(key).group_name != group:
                continue
            st = partition_state(instance, key, day.isoformat(), checks.get(key, []))
            spec = _SPECS.get(key)
            rows = warehouse.count_by_date(spec, day, day).get(day, 0) if spec is not None else st.row_count
            deadline = automation.DEADLINES.get(key)
            due = deadline.due(day) if deadline else None
            post_game_asset = deadline is not None and deadline.days_after >= 1
            # Scrapes have no deadline of their own (the tables they feed do), but a failed scrape
            # always counts: a date whose scrapes failed is never COMPLETE.
            counts = (group == keys.PHASE1 and st.failed) or (
                group != keys.PHASE1 and deadline is not None and not (pre_game and post_game_asset)
            )
            late = due is not None and now >= due and not st.healthy
            statuses.append(AssetStatus(key, group, st, rows, due, late, counts))
    schedule = next(s for s in statuses if s.key == keys.RAW_SCHEDULE)
    games = schedule.rows if schedule.state.materialized else None
    verdict, overdue = "COMPLETE", False
    if games == 0 and schedule.state.healthy:
        verdict = "NO_GAMES"
        # Empty partitions of a no-game day must still land; a failure there is still a failure.
        failed = [s for s in statuses if s.counts_for_verdict and s.state.failed]
        if failed:
            verdict, overdue = f"{_PHASE_LABEL[failed[0].group]}_FAILED", True
    else:
        relevant = [s for s in statuses if s.counts_for_verdict]
        failed = [s for s in relevant if s.state.failed]
        pending = [s for s in relevant if not s.state.failed and not s.state.healthy]
        if failed:
            verdict = f"{_PHASE_LABEL[failed[0].group]}_FAILED"
            overdue = True
        elif pending:
            verdict = f"{_PHASE_LABEL[pending[0].group]}_PENDING"
            overdue = any(s.late for s in pending)
    dead_runs = [
        f"run {run.run_id[:8]} ({run_span(run)}) failed: {why}"
        for run, why in runs_found_dead(instance, [s.key for s in statuses], day.isoformat())
    ]
    return DateStatus(day, now, games, verdict, statuses, overdue, dead_runs)


def render(status: DateStatus) -> str:
    lines = [
        f"nba_pipeline status for game date {status.day} (as of {status.now.astimezone(ET):%Y-%m-%d %H:%M} ET)",
        f"games on the schedule: {status.games if status.games is not None else 'schedule not scraped'}",
        "",
    ]
    head = f"  {'asset':<46}{'state':<9}{'rows':>8}  {'checks':<22}{'due (ET)':<18}last run"
    current_group = None
    for s in status.assets:
        if s.group != current_group:
            current_group = s.group
            lines.append(f"{s.group}")
            lines.append(head)
        checks = f"{len(s.state.passed_checks)} ok"
        if s.state.failed_blocking_checks:
            checks += f", FAILED {','.join(s.state.failed_blocking_checks)}"
        elif s.state.failed_checks:
            checks += f", warn {','.join(s.state.failed_checks)}"
        due = f"{s.due:%m-%d %H:%M}{' LATE' if s.late else ''}" if s.due else "-"
        run = f"{(s.state.latest_run_id or '')[:8]} {s.state.latest_run_status or ''}".strip() or "-"
        note = "" if s.counts_for_verdict or s.group == keys.PHASE1 else " (after the games)"
        rows = "-" if s.rows is None else f"{s.rows:,}"
        lines.append(f"  {s.key.to_user_string():<46}{s.label:<9}{rows:>8}  {checks[:21]:<22}{due:<18}{run}{note}")
    if status.dead_runs:
        lines += ["", "runs found dead (marked failed, pool slots freed):"] + [f"  {line}" for line in status.dead_runs]
    identities = sorted({s.state.code_identity for s in status.assets if s.state.code_identity})
    lines += [
        "",
        f"written by: {'; '.join(identities) or '-'}" + ("  <- MIXED CODE VERSIONS" if len(identities) > 1 else ""),
    ]
    lines += [f"verdict: {status.verdict}" + (" (past its deadline)" if status.overdue else "")]
    return "\n".join(lines)
