"""Self-heal: the bounded retry of recent game dates.

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

from nba_pipeline import keys
from nba_pipeline.assets import ALL_ASSETS
from nba_pipeline.automation.conditions import history_parents
from nba_pipeline.automation.deadlines import DEADLINES
from nba_pipeline.calendar import ET
from nba_pipeline.checks.coverage import COVERAGE_BYPASS_AFTER_DAYS
from nba_pipeline.environment import current as current_environment
from nba_pipeline.observe import check_specs_by_asset, partition_state
from nba_pipeline.resources import Alert, AlertSink, Clock

SELF_HEAL_TAG = "nba_pipeline/self_heal"
SELF_HEAL_SPACING = dt.timedelta(minutes=30)  # x attempt number between attempts
SELF_HEAL_DAYS_BACK = COVERAGE_BYPASS_AFTER_DAYS  # yesterday, plus the day a coverage bypass applies

# The graph as the asset specs declare it: each asset's parents, condition and group.
_SPECS = {spec.key: spec for asset in ALL_ASSETS for spec in asset.specs}
_CHECKS = check_specs_by_asset(ALL_ASSETS)
_PHASE1 = {key for key, spec in _SPECS.items() if spec.group_name == keys.PHASE1}


def _same_date_parents(key: dg.AssetKey) -> set[dg.AssetKey]:
    """Parents read for the same date (history parents are read on date D - 1, healed as their own date)."""
    spec = _SPECS[key]
    return {dep.asset_key for dep in spec.deps} - history_parents(spec.automation_condition)


def _same_date_children(key: dg.AssetKey) -> set[dg.AssetKey]:
    return {child for child in _SPECS if key in _same_date_parents(child)}


@dataclass
class HealPlan:
    day: dt.date
    due: list[dg.AssetKey]  # past deadline and unhealthy, within the attempt bound
    exhausted: list[dg.AssetKey]  # past deadline, unhealthy, attempts used up
    selection: list[dg.AssetKey]  # what the run materializes (due + unhealthy same-date ancestors + scrapes)
    reasons: dict[str, str]


class _States:
    """Each asset's partition state for one date, read once."""

    def __init__(self, instance: dg.DagsterInstance, day: dt.date):
        self.instance, self.day, self._states = instance, day, {}

    def __call__(self, key: dg.AssetKey):
        if key not in self._states:
            self._states[key] = partition_state(self.instance, key, self.day.isoformat(), _CHECKS.get(key, []))
        return self._states[key]


def _reason(st) -> str:
    if st.failed_blocking_checks:
        return f"blocking check(s) failed: {', '.join(st.failed_blocking_checks)}"
    return f"latest run {st.latest_run_status}" if st.attempt_failed else "not materialized"


def _bypass_descendants(bypassed: list[dg.AssetKey], due: list[dg.AssetKey], state: _States) -> None:
    """A coverage bypass unblocks the date: its same-date descendants (outside automation's window
    by now, and possibly out of attempts) run in the same request."""
    frontier = list(bypassed)
    while frontier:
        for child in _same_date_children(frontier.pop()):
            if child in DEADLINES and child not in due and not state(child).healthy:
                due.append(child)
                frontier.append(child)


def _selection(due: list[dg.AssetKey], state: _States, attempts: dict[str, dict], max_attempts: int) -> set:
    """What the run materializes: the due assets, their unhealthy same-date ancestors within their
    own bound, and the scrapes they read (archives are additive and parsing is idempotent)."""
    selection: set[dg.AssetKey] = set()
    frontier = list(due)
    while frontier:
        key = frontier.pop()
        if key in selection:
            continue
        selection.add(key)
        for parent in _same_date_parents(key):
            if parent in _PHASE1:
                selection.add(parent)
            elif not state(parent).healthy and not state(parent).in_progress:
                # An ancestor re-run counts against its own bound too: no asset is re-run more than
                # max_attempts times for a date, however many children need it.
                if attempts.get(_attempt_key(parent, state.day), {}).get("n", 0) < max_attempts:
                    frontier.append(parent)
    return selection


def plan_day(
    instance: dg.DagsterInstance, day: dt.date, now: dt.datetime, attempts: dict[str, dict], max_attempts: int
) -> HealPlan:
    """Decide what to re-request for one game date."""
    state = _States(instance, day)
    due, exhausted, reasons, bypassed = [], [], {}, []
    bypass_day = (now.astimezone(ET).date() - day).days >= COVERAGE_BYPASS_AFTER_DAYS
    for key, deadline in DEADLINES.items():
        st = None if now < deadline.due(day) else state(key)
        if st is None or st.in_progress or st.healthy:
            continue
        record = attempts.get(_attempt_key(key, day), {})
        n = record.get("n", 0)
        reasons[key.to_user_string()] = _reason(st)
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
    _bypass_descendants(bypassed, due, state)
    exhausted = [k for k in exhausted if k not in due]
    selection = _selection(due, state, attempts, max_attempts)
    return HealPlan(day, due, exhausted, sorted(selection, key=lambda k: k.to_user_string()), reasons)


def _attempt_key(key: dg.AssetKey, day: dt.date) -> str:
    return f"{key.to_user_string()}|{day.isoformat()}"


# The target is every asset: each request names its own selection, which Dagster's daemon resolves
# to the base asset job (without a target the daemon refuses the requests).
@dg.sensor(
    name="self_heal",
    minimum_interval_seconds=300,
    default_status=dg.DefaultSensorStatus.RUNNING,
    target=dg.AssetSelection.all(),
    description="Re-requests partitions of recent game dates that are past their deadline and missing, "
    "failed or blocked; at most NBA_PIPELINE_SELF_HEAL_MAX_ATTEMPTS times each, then one alert.",
)
def self_heal(context: dg.SensorEvaluationContext, clock: Clock, alerts: AlertSink):
    now = clock.now()
    today = now.astimezone(ET).date()
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
                alerts.send(
                    Alert(
                        "self_heal_exhausted",
                        key.to_user_string(),
                        day.isoformat(),
                        f"still {plan.reasons[key.to_user_string()]} after {max_attempts} self-heal "
                        f"attempts; not retrying",
                    )
                )
                alerted.add(tag)
        if not plan.due:
            continue
        for key in [k for k in plan.selection if k in DEADLINES]:
            rec = attempts.setdefault(_attempt_key(key, day), {"n": 0})
            if rec["n"] >= max_attempts:
                rec["bypass_tried"] = True
            else:
                rec["n"] += 1
            rec["last"] = now.isoformat()
        digest = hashlib.sha1("|".join(k.to_user_string() for k in plan.selection).encode()).hexdigest()[:10]
        requests.append(
            dg.RunRequest(
                run_key=f"self_heal:{day}:{digest}:{now:%Y%m%dT%H%M}",
                partition_key=day.isoformat(),
                asset_selection=plan.selection,
                tags={SELF_HEAL_TAG: "true", "nba_pipeline/self_heal_reason": json.dumps(plan.reasons)[:2000]},
            )
        )
        context.log.info(f"self-heal {day}: {', '.join(k.to_user_string() for k in plan.due)}")
    # Keep the cursor small: only the last few days matter.
    horizon = (today - dt.timedelta(days=SELF_HEAL_DAYS_BACK + 2)).isoformat()
    attempts = {k: v for k, v in attempts.items() if k.split("|")[1] >= horizon}
    alerted = {k for k in alerted if k.split("|")[1] >= horizon}
    context.update_cursor(json.dumps({"attempts": attempts, "alerted": sorted(alerted)}))
    return requests or dg.SkipReason("nothing past its deadline needs healing")
