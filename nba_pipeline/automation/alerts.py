"""Alerts: one per failed run, per failed blocking check, per late partition, naming the asset,
the date and why."""

from __future__ import annotations

import json

import dagster as dg

from nba_pipeline.assets import ALL_ASSETS
from nba_pipeline.checks import STANDALONE_CHECKS
from nba_pipeline.checks.freshness import CHECK_PARTITION_ON_TIME
from nba_pipeline.observe import check_specs_by_asset
from nba_pipeline.resources import Alert, AlertSink

_CHECKS = check_specs_by_asset(ALL_ASSETS)


def _partition_of(run: dg.DagsterRun) -> str | None:
    tags = run.tags
    if "dagster/partition" in tags:
        return tags["dagster/partition"]
    start, end = tags.get("dagster/asset_partition_range_start"), tags.get("dagster/asset_partition_range_end")
    return f"{start}..{end}" if start else None


@dg.run_failure_sensor(
    name="alert_on_run_failure",
    default_status=dg.DefaultSensorStatus.RUNNING,
    monitor_all_code_locations=False,
    minimum_interval_seconds=30,
    description="One alert per failed run, naming the assets, date and error.",
)
def alert_on_run_failure(context: dg.RunFailureSensorContext, alerts: AlertSink):
    run = context.dagster_run
    failed_steps = [e for e in context.get_step_failure_events()]
    assets = sorted({s.step_key.replace("__", "/") for s in failed_steps if s.step_key}) or sorted(
        k.to_user_string() for k in (run.asset_selection or [])
    )
    reason = (
        failed_steps[0].event_specific_data.error.message.strip().splitlines()[-1][:300]
        if failed_steps and failed_steps[0].event_specific_data and failed_steps[0].event_specific_data.error
        else context.failure_event.message or "run failed"
    )
    alerts.send(Alert("run_failure", ", ".join(assets) or run.job_name, _partition_of(run), reason))


def _all_check_keys() -> list[dg.AssetCheckKey]:
    keys_ = [dg.AssetCheckKey(spec.asset_key, spec.name) for specs in _CHECKS.values() for spec in specs]
    return keys_ + [k for c in STANDALONE_CHECKS for k in c.check_keys]


@dg.sensor(
    name="alert_on_check_failure",
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="One alert per failed blocking check (asset, date, reason), and one per late partition "
    "reported by the partition_on_time checks.",
)
def alert_on_check_failure(context: dg.SensorEvaluationContext, alerts: AlertSink):
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
            if rec.status.value != "FAILED" or rec.event is None:
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


ALERT_SENSORS = (alert_on_run_failure, alert_on_check_failure)
