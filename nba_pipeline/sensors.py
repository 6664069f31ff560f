"""Self-heal (bounded) and alerting.

Declarative automation never re-requests a failed partition (by design; an unbounded "retry on
failure" condition re-fired ~368,000 runs elsewhere). Self-heal is the bounded retry: for recent game
dates it re-requests partitions that are past their deadline and missing, failed or blocked, at most
N times each with growing spacing, then raises one alert and stops (legacy incidents 3, 4, 28).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

import dagster as dg
from dagster._core.definitions.assets.graph.asset_graph import AssetGraph

from nba_pipeline import automation, keys
from nba_pipeline.assets import ALL_ASSETS
from nba_pipeline.assets.common import COVERAGE_BYPASS_AFTER_DAYS
from nba_pipeline.environment import current as current_environment
from nba_pipeline.observe import check_specs_by_asset, partition_state
from nba_pipeline.resources import Alert, AlertSink, Clock

SELF_HEAL_TAG = "nba_pipeline/self_heal"
SELF_HEAL_SPACING = dt.timedelta(minutes=30)  # x attempt number between attempts
SELF_HEAL_DAYS_BACK = COVERAGE_BYPASS_AFTER_DAYS  # yesterday, plus the day a coverage bypass applies

_GRAPH = AssetGraph.from_assets(ALL_ASSETS)
_CHECKS = check_specs_by_asset(ALL_ASSETS)
_PHASE1 = {k for k in _GRAPH.get_all_asset_keys() if _GRAPH.get(k).group_name == keys.PHASE1}


def _same_date_parents(key: dg.AssetKey) -> set[dg.AssetKey]:
    """Parents read for the same date (history parents are read on date D - 1, healed as their own date)."""
    node = _GRAPH.get(key)
    return set(node.parent_keys) - automation.history_parents(node.automation_condition)


def _same_date_children(key: dg.AssetKey) -> set[dg.AssetKey]:
    return {child for child in _GRAPH.get(key).child_keys if key in _same_date_parents(child)}


@dataclass
class HealPlan:
    day: dt.date
    due: list[dg.AssetKey]  # past deadline and unhealthy, within the attempt bound
    exhausted: list[dg.AssetKey]  # past deadline, unhealthy, attempts used up
    selection: list[dg.AssetKey]  # what the run materializes (due + unhealthy same-date ancestors + scrapes)
    reasons: dict[str, str]


def plan_day(instance: dg.DagsterInstance, day: dt.date, now: dt.datetime, attempts: dict[str, dict],
             max_attempts: int) -> HealPlan:
    """Decide what to re-request for one game date."""
    states, due, exhausted, reasons, bypassed = {}, [], [], {}, []

    def state(key):
        if key not in states:
            states[key] = partition_state(instance, key, day.isoformat(), _CHECKS.get(key, []))
        return states[key]

    for key, deadline in automation.DEADLINES.items():
        if now < deadline.due(day):
            continue
        st = state(key)
        if st.in_progress or st.healthy:
            continue
        record = attempts.get(_attempt_key(key, day), {})
        n = record.get("n", 0)
        reasons[key.to_user_string()] = (
            f"blocking check(s) failed: {', '.join(st.failed_blocking_checks)}" if st.failed_blocking_checks
            else f"latest run {st.latest_run_status}" if st.attempt_failed else "not materialized")
        bypass_day = (now.astimezone(automation._ET).date() - day).days >= COVERAGE_BYPASS_AFTER_DAYS
        bypass_once = bool(st.failed_blocking_checks) and bypass_day and not record.get("bypass_tried")
        if n >= max_attempts and not bypass_once:
            exhausted.append(key)
            continue
        last = record.get("last")
        if last and not bypass_once and now < dt.datetime.fromisoformat(last) + SELF_HEAL_SPACING * max(n, 1):
            continue
        due.append(key)
        if bypass_once:
            bypassed.append(key)
    # A coverage bypass unblocks the date: its same-date descendants (outside automation's window by
    # now, and possibly out of attempts) run in the same request.
    frontier = list(bypassed)
    while frontier:
        for child in _same_date_children(frontier.pop()):
            if child in automation.DEADLINES and child not in due and not state(child).healthy:
                due.append(child)
                frontier.append(child)
    exhausted = [k for k in exhausted if k not in due]
    selection: set[dg.AssetKey] = set()
    frontier = list(due)
    while frontier:
        key = frontier.pop()
        if key in selection:
            continue
        selection.add(key)
        for parent in _same_date_parents(key):
            if parent in _PHASE1:
                selection.add(parent)  # re-scrape: archives are additive and parsing is idempotent
            elif not state(parent).healthy and not state(parent).in_progress:
                # An ancestor re-run counts against its own bound too: no asset is re-run more than
                # max_attempts times for a date, however many children need it.
                if attempts.get(_attempt_key(parent, day), {}).get("n", 0) < max_attempts:
                    frontier.append(parent)
    return HealPlan(day, due, exhausted, sorted(selection, key=lambda k: k.to_user_string()), reasons)


def _attempt_key(key: dg.AssetKey, day: dt.date) -> str:
    return f"{key.to_user_string()}|{day.isoformat()}"


# The target is every asset: each request names its own selection, which Dagster's daemon resolves
# to the base asset job (without a target the daemon refuses the requests).
@dg.sensor(name="self_heal", minimum_interval_seconds=300, default_status=dg.DefaultSensorStatus.RUNNING,
           target=dg.AssetSelection.all(),
           description="Re-requests partitions of recent game dates that are past their deadline and missing, "
                       "failed or blocked; at most NBA_PIPELINE_SELF_HEAL_MAX_ATTEMPTS times each, then one alert.")
def self_heal(context: dg.SensorEvaluationContext, clock: Clock, alerts: AlertSink):
    now = clock.now()
    today = now.astimezone(automation._ET).date()
    max_attempts = current_environment().self_heal_max_attempts
    cursor = json.loads(context.cursor) if context.cursor else {"attempts": {}, "alerted": []}
    attempts, alerted = cursor["attempts"], set(cursor["alerted"])
    requests = []
    for back in range(SELF_HEAL_DAYS_BACK, -2, -1):  # oldest first: yesterday's results before tomorrow
        day = today - dt.timedelta(days=back)
        plan = plan_day(context.instance, day, now, attempts, max_attempts)
        for key in plan.exhausted:
            tag = _attempt_key(key, day)
            if tag not in alerted:
                alerts.send(Alert("self_heal_exhausted", key.to_user_string(), day.isoformat(),
                                  f"still {plan.reasons[key.to_user_string()]} after {max_attempts} self-heal "
                                  f"attempts; not retrying"))
                alerted.add(tag)
        if not plan.due:
            continue
        for key in [k for k in plan.selection if k in automation.DEADLINES]:
            rec = attempts.setdefault(_attempt_key(key, day), {"n": 0})
            if rec["n"] >= max_attempts:
                rec["bypass_tried"] = True
            else:
                rec["n"] += 1
            rec["last"] = now.isoformat()
        digest = hashlib.sha1("|".join(k.to_user_string() for k in plan.selection).encode()).hexdigest()[:10]
        requests.append(dg.RunRequest(
            run_key=f"self_heal:{day}:{digest}:{now:%Y%m%dT%H%M}", partition_key=day.isoformat(),
            asset_selection=plan.selection,
            tags={SELF_HEAL_TAG: "true", "nba_pipeline/self_heal_reason": json.dumps(plan.reasons)[:2000]},
        ))
        context.log.info(f"self-heal {day}: {', '.join(k.to_user_string() for k in plan.due)}")
    # Keep the cursor small: only the last few days matter.
    horizon = (today - dt.timedelta(days=SELF_HEAL_DAYS_BACK + 2)).isoformat()
    attempts = {k: v for k, v in attempts.items() if k.split("|")[1] >= horizon}
    alerted = {k for k in alerted if k.split("|")[1] >= horizon}
    context.update_cursor(json.dumps({"attempts": attempts, "alerted": sorted(alerted)}))
    return requests or dg.SkipReason("nothing past its deadline needs healing")


# --- alerts ------------------------------------------------------------------------------------------

def _partition_of(run: dg.DagsterRun) -> str | None:
    tags = run.tags
    if "dagster/partition" in tags:
        return tags["dagster/partition"]
    start, end = tags.get("dagster/asset_partition_range_start"), tags.get("dagster/asset_partition_range_end")
    return f"{start}..{end}" if start else None


@dg.run_failure_sensor(name="alert_on_run_failure", default_status=dg.DefaultSensorStatus.RUNNING,
                       monitor_all_code_locations=False, minimum_interval_seconds=30,
                       description="One alert per failed run, naming the assets, date and error.")
def alert_on_run_failure(context: dg.RunFailureSensorContext, alerts: AlertSink):
    run = context.dagster_run
    failed_steps = [e for e in context.get_step_failure_events()]
    assets = sorted({s.step_key.replace("__", "/") for s in failed_steps if s.step_key}) or \
        sorted(k.to_user_string() for k in (run.asset_selection or []))
    reason = (failed_steps[0].event_specific_data.error.message.strip().splitlines()[-1][:300]
              if failed_steps and failed_steps[0].event_specific_data and failed_steps[0].event_specific_data.error
              else context.failure_event.message or "run failed")
    alerts.send(Alert("run_failure", ", ".join(assets) or run.job_name, _partition_of(run), reason))


def _all_check_keys() -> list[dg.AssetCheckKey]:
    from nba_pipeline.checks import STANDALONE_CHECKS

    keys_ = [dg.AssetCheckKey(spec.asset_key, spec.name) for specs in _CHECKS.values() for spec in specs]
    return keys_ + [k for c in STANDALONE_CHECKS for k in c.check_keys]


@dg.sensor(name="alert_on_check_failure", minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING,
           description="One alert per failed blocking check (asset, date, reason), and one per late partition "
                       "reported by the partition_on_time checks.")
def alert_on_check_failure(context: dg.SensorEvaluationContext, alerts: AlertSink):
    from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus

    from nba_pipeline.checks.freshness import CHECK_PARTITION_ON_TIME

    cursor = json.loads(context.cursor) if context.cursor else {"seen": {}, "late": []}
    seen, late_seen = cursor["seen"], set(cursor["late"])
    sent = 0
    # Per check key (works on every event log storage, run-sharded SQLite included).
    for key in _all_check_keys():
        name = f"{key.asset_key.to_user_string()}:{key.name}"
        history = context.instance.event_log_storage.get_asset_check_execution_history(key, limit=50)
        new = [r for r in history if r.id > seen.get(name, 0)]
        if history:
            seen[name] = max(r.id for r in history)
        for rec in sorted(new, key=lambda r: r.id):
            if rec.status != AssetCheckExecutionRecordStatus.FAILED or rec.event is None:
                continue
            ev = rec.event.dagster_event.event_specific_data
            if ev.severity == dg.AssetCheckSeverity.WARN:
                continue
            asset = key.asset_key.to_user_string()
            if key.name == CHECK_PARTITION_ON_TIME:
                partition = str(ev.metadata["partition"].value) if "partition" in ev.metadata else None
                tag = f"{asset}|{partition}"
                if tag in late_seen:
                    continue
                late_seen.add(tag)
                alerts.send(Alert("late_partition", asset, partition, ev.description or "late"))
                sent += 1
            elif ev.blocking:
                detail = ev.description or json.dumps({k: str(v.value) for k, v in ev.metadata.items()})[:300]
                alerts.send(Alert("blocking_check_failed", asset, ev.partition, f"{key.name}: {detail}"))
                sent += 1
    context.update_cursor(json.dumps({"seen": seen, "late": sorted(late_seen)[-500:]}))
    return dg.SkipReason(f"{sent} alert(s) sent") if sent else dg.SkipReason("no new failed checks")


SENSORS = (self_heal, alert_on_run_failure, alert_on_check_failure)
