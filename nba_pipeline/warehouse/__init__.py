"""The warehouse: table specs, and DuckDB (local) and BigQuery (production) behind one interface with
atomic, idempotent partition writes."""

from nba_pipeline.warehouse.base import Warehouse, WarehouseDamagedError, WriteResult
from nba_pipeline.warehouse.spec import SchemaError, TableSpec

__all__ = ["SchemaError", "TableSpec", "Warehouse", "WarehouseDamagedError", "WriteResult"]
