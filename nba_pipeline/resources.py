"""Resources shared by every environment: the clock, and the alert sink.

The other resources (warehouse, blob stores, source) live with their interfaces; definitions.py
picks the implementations for the current environment under the same keys.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass

import dagster as dg

from nba_pipeline.calendar import ET

logger = logging.getLogger("nba_pipeline.alerts")


class Clock(dg.ConfigurableResource):
    """Wall clock; or a frozen instant (ISO 8601) to replay a moment exactly; or, with an anchor, a
    simulated clock that equals ``frozen_now`` at the real epoch ``anchor_epoch`` and runs ``speed``
    times faster (every process of a run computes the same simulated time)."""

    frozen_now: str | None = None
    anchor_epoch: float | None = None
    speed: float = 1.0

    def now(self) -> dt.datetime:
        if self.frozen_now:
            instant = dt.datetime.fromisoformat(self.frozen_now)
            if instant.tzinfo is None:
                instant = instant.replace(tzinfo=ET)
            instant = instant.astimezone(dt.UTC)
            if self.anchor_epoch is not None:
                instant += dt.timedelta(seconds=(time.time() - self.anchor_epoch) * self.speed)
            return instant
        return dt.datetime.now(dt.UTC)

    def today_et(self) -> dt.date:
        return self.now().astimezone(ET).date()


@dataclass(frozen=True)
class Alert:
    kind: str  # run_failure | blocking_check_failed | late_partition | self_heal_exhausted
    asset: str
    partition: str | None
    reason: str

    def text(self) -> str:
        where = f"{self.asset} [{self.partition}]" if self.partition else self.asset
        return f":rotating_light: nba_pipeline {self.kind}: {where}: {self.reason}"


class AlertSink(dg.ConfigurableResource):
    """Alerts are always logged; with a Slack token they are also posted to the channel."""

    slack_token: str | None = None
    slack_channel: str = "#nba-pipeline-alerts"

    def send(self, alert: Alert) -> None:
        logger.error(alert.text())
        if self.slack_token:
            from dagster_slack import SlackResource

            SlackResource(token=self.slack_token).get_client().chat_postMessage(
                channel=self.slack_channel, text=alert.text()
            )
