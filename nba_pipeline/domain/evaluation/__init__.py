"""Evaluation of prediction systems with honest uncertainty: accuracy against the consensus line,
pick profitability at -110 and at the offered price, edge buckets, calibration of p_over and weekly
drift.

Point estimates over a replay of a few weeks move by more than the differences between systems
(the scorecard this replaced printed only those), so every headline number carries a 95 % percentile
bootstrap interval over game dates, and the verdicts ("beats the line", "profitable") are stated only
when the whole interval says so.

One concern per module: ``rows`` (the graded rows every number is computed on), ``intervals`` (the
date bootstrap and Wilson intervals), ``calibration``, ``scoring`` (the summary, bucket and weekly
tables: ``evaluate``), ``report`` (the text for the terminal) and ``chart`` (the calibration chart for
the UI). The names below are the package's interface.
"""

from nba_pipeline.domain.evaluation.chart import calibration_chart_markdown
from nba_pipeline.domain.evaluation.intervals import (
    CONFIDENCE,
    N_BOOT,
    bootstrap_mean,
    bootstrap_paired_difference,
    bootstrap_ratio,
    wilson_interval,
)
from nba_pipeline.domain.evaluation.report import format_evaluation, format_interval, format_percent
from nba_pipeline.domain.evaluation.rows import OPTIONAL_COLUMNS, REQUIRED_COLUMNS, prepare
from nba_pipeline.domain.evaluation.scoring import (
    BUCKET_COLUMNS,
    CONSENSUS_SYSTEM,
    SUMMARY_COLUMNS,
    WEEKLY_COLUMNS,
    Evaluation,
    evaluate,
    evaluated_name,
    is_consensus,
)

__all__ = [
    "BUCKET_COLUMNS",
    "CONFIDENCE",
    "CONSENSUS_SYSTEM",
    "N_BOOT",
    "OPTIONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "SUMMARY_COLUMNS",
    "WEEKLY_COLUMNS",
    "Evaluation",
    "evaluated_name",
    "is_consensus",
    "bootstrap_mean",
    "bootstrap_paired_difference",
    "bootstrap_ratio",
    "calibration_chart_markdown",
    "evaluate",
    "format_evaluation",
    "format_interval",
    "format_percent",
    "prepare",
    "wilson_interval",
]
