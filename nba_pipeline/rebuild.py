"""Rebuilding every table of a range from the payload archive alone (``nba-pipeline rebuild``).

The archive holds every payload the warehouse was built from, as the sources returned it, so the
warehouse is derived data: a damaged DuckDB file moved aside, a warehouse deleted on purpose, or a
move from DuckDB to BigQuery are all the same operation. It runs the whole graph over the range with
:class:`~nba_pipeline.sources.archive.ArchiveReplaySource` bound to ``nba_source``: Phase 1 re-records
the archived files (writing nothing new), Phases 2-6 and grading recompute every table and export
through the ``warehouse``, ``exports`` and ``model_store`` resources of the environment, whatever
their implementation. No service is called: the configured source is not in the run's resources.

A rebuilt table equals what a normal run over the same archive wrote, with one kind of exception:
columns that record when a row was computed (a prediction's ``created_at``, ``graded_at``, an export's
``generated_at``) hold the rebuild's clock, and a model is retrained only when the model store lost it
(the store keeps artifacts by the hash of their training data, so a kept model is reused as is).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import dagster as dg

from nba_pipeline import keys
from nba_pipeline.environment import SourceKind
from nba_pipeline.execution.range_runs import Callbacks, RangeRun, materialize_range
from nba_pipeline.sources.archive import replay_resources
from nba_pipeline.storage import BlobStore, archived_dates


class NothingToRebuild(ValueError):
    """The archive holds nothing of the source in the range: one line naming the archive and what it holds."""


@dataclass(frozen=True)
class RebuildPlan:
    replayed_source: str
    start: dt.date
    end: dt.date
    archived: list[dt.date]  # dates of the range the archive holds payloads for

    def describe(self, archive: BlobStore) -> str:
        return (
            f"rebuild {self.start}..{self.end} from the payload archive {archive.uri(self.replayed_source)} "
            f"({len(self.archived)} dates with payloads); no source is called"
        )


def plan(archive: BlobStore, replayed_source: str, start: dt.date | None, end: dt.date | None) -> RebuildPlan:
    """The range to rebuild: the given bounds, or the first and last date the archive holds."""
    held = archived_dates(archive, replayed_source)
    if not held:
        others = [k.value for k in SourceKind if k.value != replayed_source and archived_dates(archive, k.value)]
        hint = (
            f"; it holds payloads of {', '.join(others)}: pass --source {others[0]}"
            if others
            else ": nothing was ever scraped into this home's archive"
        )
        raise NothingToRebuild(f"the archive {archive.uri(replayed_source)} holds no {replayed_source} payloads{hint}")
    start, end = start or held[0], end or held[-1]
    in_range = [d for d in held if start <= d <= end]
    if start <= end and not in_range:
        raise NothingToRebuild(
            f"the archive {archive.uri(replayed_source)} holds no payloads between {start} and "
            f"{end} (it holds {held[0]}..{held[-1]})"
        )
    return RebuildPlan(replayed_source, start, end, in_range)


def rebuild_definitions(defs: dg.Definitions, replayed_source: str) -> dg.Definitions:
    """The environment's definitions with the archive replay as the source (nothing else changes)."""
    return dg.Definitions(
        assets=defs.assets,
        resources=replay_resources(dict(defs.resources), replayed_source),
        executor=dg.in_process_executor,
    )


def rebuild(
    defs: dg.Definitions,
    instance: dg.DagsterInstance,
    rebuild_plan: RebuildPlan,
    chunk_days: int | None = None,
    raise_on_error: bool = False,
    callbacks: Callbacks | None = None,
) -> list[RangeRun]:
    """Every phase of the plan's range from the archive, as ``backfill`` runs a range."""
    return materialize_range(
        rebuild_definitions(defs, rebuild_plan.replayed_source),
        keys.PHASE_GROUPS,
        rebuild_plan.start,
        rebuild_plan.end,
        instance,
        chunk_days=chunk_days,
        raise_on_error=raise_on_error,
        callbacks=callbacks,
    )
