"""The automation sensors: our own, one per phase so one slow evaluation cannot delay another, and
RUNNING from the start (Dagster's default automation sensor starts stopped). Phase 1 has no
conditions: it runs on schedules."""

from __future__ import annotations

import dagster as dg

from nba_pipeline import keys

PHASE_SENSORS = (
    ("automation_phase2_raw", keys.PHASE2),
    ("automation_phase3_analytics", keys.PHASE3),
    ("automation_phase4_precompute", keys.PHASE4),
    ("automation_phase5_predictions", keys.PHASE5),
    ("automation_phase6_publishing", keys.PHASE6),
    ("automation_grading", keys.GRADING),
)


def build_automation_sensors(accelerated: bool = False) -> tuple[dg.AutomationConditionSensorDefinition, ...]:
    """``accelerated``: a real second is minutes of simulated time, so the sensors tick every 10 s
    instead of 30 s to keep a phase's wait in simulated minutes comparable to a real day's."""
    interval = 10 if accelerated else 30
    # Evaluated in the code location: the pipeline clock and the history terms are our own
    # conditions, which the daemon-side evaluation would silently never fire.
    return tuple(
        dg.AutomationConditionSensorDefinition(
            name,
            target=dg.AssetSelection.groups(group),
            default_status=dg.DefaultSensorStatus.RUNNING,
            minimum_interval_seconds=interval,
            use_user_code_server=True,
            description=f"Evaluates the automation conditions of {group}.",
        )
        for name, group in PHASE_SENSORS
    )
