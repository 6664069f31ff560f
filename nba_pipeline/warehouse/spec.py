"""Table specifications: the physical shape of every warehouse table.

A spec gives a table's address (the asset key: schema/dataset + table), its columns and types, its
primary key and the date column it is partitioned on. Writers conform frames to it before writing,
readers conform what they read back, and the UI gets the column schema from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import dagster as dg
import numpy as np
import pandas as pd

# Logical type -> (DuckDB type, BigQuery type, pandas dtype)
TYPES = {
    "DATE": ("DATE", "DATE", "datetime64[ns]"),
    "TIMESTAMP": ("TIMESTAMP WITH TIME ZONE", "TIMESTAMP", "datetime64[ns, UTC]"),
    "VARCHAR": ("VARCHAR", "STRING", "object"),
    "BIGINT": ("BIGINT", "INT64", "Int64"),
    "DOUBLE": ("DOUBLE", "FLOAT64", "float64"),
    "BOOLEAN": ("BOOLEAN", "BOOL", "boolean"),
}


class SchemaError(ValueError):
    """A frame does not fit its table; the message names the table and the columns."""


@dataclass(frozen=True)
class TableSpec:
    schema: str
    name: str
    columns: dict[str, str]
    primary_key: tuple[str, ...]
    date_column: str = "game_date"
    description: str = ""
    descriptions: dict[str, str] = field(default_factory=dict)

    def __post_init__(self):
        unknown = {c: t for c, t in self.columns.items() if t not in TYPES}
        if unknown:
            raise SchemaError(f"{self.address}: unknown column types {unknown}")
        missing = [c for c in (*self.primary_key, self.date_column) if c not in self.columns]
        if missing:
            raise SchemaError(f"{self.address}: key columns {missing} are not columns")

    @property
    def address(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def asset_key(self) -> dg.AssetKey:
        return dg.AssetKey([self.schema, self.name])

    def empty(self) -> pd.DataFrame:
        return pd.DataFrame({c: pd.Series(dtype=TYPES[t][2]) for c, t in self.columns.items()})

    def conform(self, df: pd.DataFrame, *, typed: bool = False) -> pd.DataFrame:
        """Select the spec's columns in order and cast them; a missing or uncastable column raises
        SchemaError naming the table and the column. ``typed``: the frame was read back from the
        warehouse with its dtypes (Arrow), so a column that already has the spec's dtype is taken as
        it is; casting a year of history again took about half of its read."""
        if len(df) == 0:
            return self.empty()
        missing = [c for c in self.columns if c not in df.columns]
        if missing:
            raise SchemaError(f"{self.address}: frame lacks columns {missing}")
        out = {}
        for col, logical in self.columns.items():
            s = df[col]
            if typed and s.dtype == TYPES[logical][2]:
                out[col] = s
                continue
            try:
                out[col] = _cast(s, logical)
            except (ValueError, TypeError) as exc:
                raise SchemaError(self._cast_error(df, col, logical, exc)) from exc
        return pd.DataFrame(out, index=range(len(df)))

    def _cast_error(self, df: pd.DataFrame, col: str, logical: str, exc: Exception) -> str:
        """Name the table, column, the first bad value and where it came from (date, source file)."""
        s = df[col]
        if logical in ("BIGINT", "DOUBLE"):
            bad = s.notna() & pd.to_numeric(s, errors="coerce").isna()
        elif logical in ("DATE", "TIMESTAMP"):
            bad = s.notna() & pd.to_datetime(s, errors="coerce", utc=True).isna()
        else:
            bad = s.notna()
        where = ""
        if bad.any():
            row = df.loc[bad.idxmax()]
            parts = [f"value {row[col]!r}"]
            if self.date_column in df.columns:
                parts.append(f"{self.date_column} {pd.Timestamp(row[self.date_column]).date()}")
            if "source_file" in df.columns:
                parts.append(f"file {row['source_file']}")
            where = f"; first bad row: {', '.join(parts)}"
        return f"{self.address}.{col}: cannot cast to {logical}{where} ({exc})"

    def column_schema(self) -> dg.TableSchema:
        return dg.TableSchema(
            columns=[
                dg.TableColumn(
                    name=c,
                    type=t,
                    description=self.descriptions.get(c),
                    constraints=dg.TableColumnConstraints(nullable=c not in self.primary_key),
                )
                for c, t in self.columns.items()
            ],
            constraints=dg.TableConstraints(other=[f"primary key ({', '.join(self.primary_key)})"]),
        )

    def duplicate_keys(self, df: pd.DataFrame) -> pd.DataFrame:
        if df.empty:
            return df
        return df[df.duplicated(list(self.primary_key), keep=False)]


def _cast(s: pd.Series, logical: str) -> pd.Series:
    s = s.reset_index(drop=True)
    if logical == "DATE":
        ts = pd.to_datetime(s)
        if isinstance(ts.dtype, pd.DatetimeTZDtype):
            ts = ts.dt.tz_localize(None)
        return ts.dt.normalize().astype("datetime64[ns]")
    if logical == "TIMESTAMP":
        ts = pd.to_datetime(s, utc=True)
        return ts.astype("datetime64[ns, UTC]")
    if logical == "VARCHAR":
        s = s.astype(object).where(s.notna(), None)
        if pd.api.types.infer_dtype(s, skipna=True) in ("string", "empty"):
            return s  # already strings (what the warehouse returns): no per-value conversion
        return s.map(lambda v: v if v is None else str(v))
    if logical == "BIGINT":
        if s.dtype == "Int64":
            return s
        num = pd.to_numeric(s, errors="raise")
        if num.notna().any() and not np.allclose(num.dropna() % 1, 0):
            raise ValueError("non-integral values")
        return num.round().astype("Int64")
    if logical == "DOUBLE":
        return s if s.dtype == "float64" else pd.to_numeric(s, errors="raise").astype("float64")
    if logical == "BOOLEAN":
        return s.astype("boolean")
    raise SchemaError(f"unknown type {logical}")
