"""The warehouse interface: idempotent, atomic partition writes and bounded reads."""

from __future__ import annotations

import contextlib
import datetime as dt
from abc import abstractmethod
from collections.abc import Collection
from dataclasses import dataclass

import dagster as dg
import pandas as pd

from nba_pipeline.calendar import history_window
from nba_pipeline.warehouse.spec import SchemaError, TableSpec


@dataclass(frozen=True)
class WriteResult:
    """What the warehouse holds for the written dates after the write, counted inside the same
    transaction: the record count we report is the count of rows written, never an estimate."""

    table: str
    start: dt.date
    end: dt.date
    rows: int
    rows_by_date: dict[dt.date, int]
    deleted: int


class WarehouseDamagedError(dg.Failure):
    """The warehouse cannot be read because its storage is damaged (a DuckDB file whose blocks fail
    their checksums, a truncated or overwritten file). Not retried: waiting does not repair a file.
    The description is one line naming the warehouse and the way out, which every CLI command prints
    as it is (exit 1) and a step fails with: every table is rebuilt from the payload archive."""

    def __init__(self, where: str, problem: str):
        self.where, self.problem = where, problem
        super().__init__(
            description=f'warehouse {where} is damaged ({problem}): move it aside and run "nba-pipeline rebuild" '
            "to rebuild every table from the payload archive",
            metadata={"warehouse": where, "problem": problem},
            allow_retries=False,
        )

    def __reduce__(self):  # keep the fields through pickling (multiprocess executors)
        return type(self), (self.where, self.problem)


class Warehouse(dg.ConfigurableResource):
    """Same resource key ("warehouse") in every environment; DuckDB locally, BigQuery in production."""

    @abstractmethod
    def replace_dates(
        self, spec: TableSpec, df: pd.DataFrame, start: dt.date, end: dt.date, keep: Collection[dt.date] = ()
    ) -> WriteResult:
        """Delete the table's rows with ``start <= date <= end`` (except the dates in ``keep``, which
        keep their rows) and insert ``df`` in one transaction."""

    def session(self) -> contextlib.AbstractContextManager:
        """Reads and writes inside share one connection where the backend benefits (DuckDB opens a
        file per connection); a no-op elsewhere."""
        return contextlib.nullcontext()

    @abstractmethod
    def read(
        self,
        spec: TableSpec,
        start: dt.date | None = None,
        end: dt.date | None = None,
        columns: list[str] | None = None,
    ) -> pd.DataFrame:
        """Rows with ``start <= date <= end`` (either bound optional), conformed to the spec."""

    @abstractmethod
    def count_by_date(self, spec: TableSpec, start: dt.date, end: dt.date) -> dict[dt.date, int]:
        """Row counts per date in the window; dates without rows are absent."""

    def check_not_damaged(self) -> None:
        """Raise ``WarehouseDamagedError`` when the warehouse's own storage cannot be opened because it
        is damaged (a local file). Cheap, writes nothing; a no-op for a service, whose storage is not
        ours to damage (and whose credentials a run checks itself)."""

    @abstractmethod
    def check_reachable(self) -> str:
        """Prove the warehouse answers (``nba-pipeline doctor``): returns what was reached, raises
        with a one-line reason otherwise. Writes nothing."""

    def read_history(self, spec: TableSpec, game_dates: Collection[dt.date]) -> pd.DataFrame:
        """The completed-game rows a run over ``game_dates`` reads as history (``calendar.history_window``):
        each date then keeps only its own past (strictly before it)."""
        return self.read(spec, *history_window(game_dates))


def prepare_for_write(
    spec: TableSpec, df: pd.DataFrame, start: dt.date, end: dt.date, keep: Collection[dt.date] = ()
) -> pd.DataFrame:
    frame = spec.conform(df)
    if not frame.empty:
        dates = frame[spec.date_column]
        if dates.isna().any():
            raise SchemaError(f"{spec.address}: {int(dates.isna().sum())} rows have no {spec.date_column}")
        lo, hi = dates.min().date(), dates.max().date()
        if lo < start or hi > end:
            raise SchemaError(
                f"{spec.address}: rows dated {lo}..{hi} fall outside the partitions being written "
                f"({start}..{end}); a partition write may only replace its own dates"
            )
        kept = sorted(set(dates.dt.date) & set(keep))
        if kept:
            raise SchemaError(f"{spec.address}: rows dated {kept} would be written to dates that keep their rows")
    return frame
