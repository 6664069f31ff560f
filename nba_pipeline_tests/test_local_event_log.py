"""The local instance's event log keeps its connections: what Dagster reads back (each date's
record, its metadata and data-version tags, the asset's latest materialization, the materialized
partitions) is what Dagster's own consolidated SQLite storage reads back for the same events, and a
second process's storage on the same folder sees every write at once."""

import os
import time

import dagster as dg
import sqlalchemy as db
from dagster._core.events import (
    AssetMaterializationPlannedData,
    DagsterEvent,
    DagsterEventType,
    StepMaterializationData,
)
from dagster._core.events.log import EventLogEntry
from dagster._core.storage.event_log.sqlite.consolidated_sqlite_event_log import ConsolidatedSqliteEventLogStorage

from nba_pipeline.environment import current
from nba_pipeline.instance.event_log import LocalSqliteEventLogStorage
from nba_pipeline.instance.home import ensure_local_instance

KEY = dg.AssetKey(["nba_analytics", "player_game_summary"])
DAYS = [f"2025-01-{d:02d}" for d in range(1, 8)]


def _materializations(run_id: str) -> list[EventLogEntry]:
    return [
        EventLogEntry(
            error_info=None,
            level=20,
            user_message="",
            run_id=run_id,
            timestamp=time.time(),
            dagster_event=DagsterEvent(
                event_type_value=DagsterEventType.ASSET_MATERIALIZATION.value,
                job_name="job",
                step_key="step",
                event_specific_data=StepMaterializationData(
                    dg.AssetMaterialization(
                        KEY,
                        partition=day,
                        metadata={"dagster/row_count": 100 + i},
                        tags={"dagster/data_version": f"v{i}", "dagster/code_version": run_id},
                    )
                ),
            ),
        )
        for i, day in enumerate(DAYS)
    ]


def _read_back(storage: LocalSqliteEventLogStorage) -> dict:
    records = storage.fetch_materializations(dg.AssetRecordsFilter(asset_key=KEY), limit=100).records
    latest = storage.get_latest_materialization_events([KEY])[KEY]
    return {
        "by_date": sorted(
            (
                r.partition_key,
                r.asset_materialization.metadata["dagster/row_count"].value,
                r.asset_materialization.tags["dagster/data_version"],
            )
            for r in records
        ),
        "order": [r.partition_key for r in sorted(records, key=lambda r: r.storage_id)],
        "latest": latest.dagster_event.partition,
        "partitions": sorted(storage.get_materialized_partitions(KEY)),
        # The tag rows (what data-version lookups read) belong to their own event.
        "tags": sorted(
            (
                r.partition_key,
                storage.get_event_tags_for_asset(KEY, filter_event_id=r.storage_id)[0]["dagster/data_version"],
            )
            for r in records
        ),
        "by_partition": sorted(storage.get_latest_storage_id_by_partition(KEY, DagsterEventType.ASSET_MATERIALIZATION)),
    }


def test_it_reads_back_what_dagsters_own_sqlite_storage_reads_back(tmp_path):
    ours = LocalSqliteEventLogStorage(str(tmp_path / "ours"))
    stock = ConsolidatedSqliteEventLogStorage(str(tmp_path / "stock"))
    for storage in (ours, stock):
        for event in _materializations("run-a"):
            storage.store_event(event)
    got, want = _read_back(ours), _read_back(stock)
    assert got == want
    assert got["order"] == DAYS and got["latest"] == DAYS[-1]
    assert got["by_date"][3] == (DAYS[3], 103, "v3") and got["tags"][3] == (DAYS[3], "v3")


def test_a_second_process_sees_every_write_at_once(tmp_path):
    """The webserver, the daemon and a run each open the folder; kept connections hide nothing."""
    writer, reader = (LocalSqliteEventLogStorage(str(tmp_path)) for _ in range(2))
    assert reader.get_materialized_partitions(KEY) == set()
    for event in _materializations("run-b")[:3]:
        writer.store_event(event)
    assert _read_back(reader)["partitions"] == DAYS[:3]


def test_a_batch_is_stored_one_event_at_a_time(tmp_path):
    """Dagster's base class stores a batch event by event; ours runs it in one transaction: every
    event lands."""
    storage = LocalSqliteEventLogStorage(str(tmp_path))
    planned = [
        EventLogEntry(
            error_info=None,
            level=10,
            user_message="",
            run_id="run-c",
            timestamp=time.time(),
            dagster_event=DagsterEvent.build_asset_materialization_planned_event(
                "job", "step", AssetMaterializationPlannedData(KEY, partition=day)
            ),
        )
        for day in DAYS
    ]
    storage.store_event_batch([*planned, *_materializations("run-c")])
    types = [r.event_log_entry.dagster_event.event_type for r in storage.get_records_for_run("run-c").records]
    assert types.count(DagsterEventType.ASSET_MATERIALIZATION_PLANNED) == len(DAYS)
    assert types.count(DagsterEventType.ASSET_MATERIALIZATION) == len(DAYS)


def test_a_batch_is_one_transaction_and_reads_back_like_single_events(tmp_path):
    """The materializations of one step over a range commit once (the CLI sets
    DAGSTER_EVENT_BATCH_SIZE so Dagster hands them over together); what is read back is what the
    same events stored one at a time give. Fails if Dagster's batch path opens connections of its own."""
    batched, single = (LocalSqliteEventLogStorage(str(tmp_path / name)) for name in ("batched", "single"))
    commits = []
    db.event.listen(batched._get_engine(), "commit", lambda conn: commits.append(1))
    batched.store_event_batch(_materializations("run-d"))
    assert len(commits) == 1
    for event in _materializations("run-d"):
        single.store_event(event)
    assert _read_back(batched) == _read_back(single)


def test_the_cli_s_instance_hands_a_step_s_materializations_over_as_a_batch(tmp_path, monkeypatch):

    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    monkeypatch.delenv("DAGSTER_EVENT_BATCH_SIZE", raising=False)
    monkeypatch.setenv("NBA_PIPELINE_HOME", str(tmp_path))
    ensure_local_instance(current())
    assert int(os.environ["DAGSTER_EVENT_BATCH_SIZE"]) > 0
