"""`nba-pipeline rebuild`: every table of a range from the payload archive alone, equal to what the
normal run wrote, with no source call; after a deleted warehouse, on a new machine that has only the
archive, and into BigQuery from an archive a DuckDB home wrote.

The original is a real-data run (2025-26 opening fortnight, historical source) through every phase,
with predictions, grading and exports. The clock is frozen, so the columns that record when a row
was computed (``created_at``, ``graded_at``, ``generated_at``) compare equal too.
"""

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest

from nba_pipeline import keys, rebuild
from nba_pipeline.sources import base as src
from nba_pipeline.sources.historical import HistoricalSource
from nba_pipeline.warehouse import tables as t
from nba_pipeline.warehouse.duckdb import DuckDBWarehouse
from nba_pipeline_tests.harness import Pipeline

START, END = dt.date(2025, 10, 21), dt.date(2025, 11, 1)
NOW = "2025-11-15T12:00:00-05:00"
ROOT = Path(__file__).resolve().parents[2]


# Calls made to NoSource (module-level: Dagster copies resources when a run builds them).
SOURCE_CALLS: list = []


class NoSource(src.NbaSource):
    """The configured source during a rebuild: any call to it fails the run, and is recorded."""

    @property
    def source_name(self) -> str:
        return "historical"

    def _refuse(self, method: str, game_date: dt.date) -> list:
        SOURCE_CALLS.append((method, game_date))
        raise AssertionError(f"a rebuild called the source: {method}({game_date})")

    def schedule(self, game_date, as_of):
        return self._refuse("schedule", game_date)

    def player_game_logs(self, game_date, as_of):
        return self._refuse("player_game_logs", game_date)

    def team_boxscores(self, game_date, as_of):
        return self._refuse("team_boxscores", game_date)

    def team_rosters(self, game_date, as_of):
        return self._refuse("team_rosters", game_date)

    def injury_report(self, game_date, as_of):
        return self._refuse("injury_report", game_date)

    def player_props_odds(self, game_date, as_of):
        return self._refuse("player_props_odds", game_date)

    def game_lines_odds(self, game_date, as_of):
        return self._refuse("game_lines_odds", game_date)


def _pipeline(home: Path, source) -> Pipeline:
    (home / "dagster").mkdir(parents=True, exist_ok=True)
    # The local instance's event log storage in a folder that is copied with the home.
    return Pipeline(
        home=home,
        source=source,
        now=NOW,
        instance=dg.DagsterInstance.local_temp(
            str(home / "dagster"),
            overrides={
                "event_log_storage": {
                    "module": "nba_pipeline.instance.event_log",
                    "class": "LocalSqliteEventLogStorage",
                    "config": {"base_dir": str(home / "dagster")},
                }
            },
        ),
    )


def _files(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _models(root: Path) -> dict:
    """Model artifacts by bytes; their JSON sidecars by content, less ``artifact_path`` (the URI of the
    store the model was written to, which names the home)."""
    out = {}
    for path, digest in _files(root).items():
        if path.endswith(".json"):
            info = json.loads((root / path).read_text())
            info.pop("artifact_path")
            out[path] = info
        else:
            out[path] = digest
    return out


@dataclass
class Original:
    home: Path
    tables: dict[str, pd.DataFrame]
    exports: dict[str, str]
    archive: dict[str, str]


@pytest.fixture(scope="module")
def original(real_data, tmp_path_factory) -> Original:
    home = tmp_path_factory.mktemp("rebuild") / "original"
    p = _pipeline(home, HistoricalSource(root=str(real_data)))
    assert all(r.success for r in p.run(keys.PHASE_GROUPS, START, END))
    tables = {spec.address: p.read(spec, START, END) for spec in t.ALL_TABLES}
    # The range exercises every phase, predictions and grading included.
    assert all(len(tables[s.address]) for s in (t.PLAYER_PROP_PREDICTIONS, t.PREDICTION_ACCURACY, t.ML_FEATURE_STORE))
    return Original(home, tables, _files(home / "exports"), _files(home / "archive"))


def assert_same_tables(original: Original, read) -> None:
    for spec in t.ALL_TABLES:
        key = list(spec.primary_key)
        pd.testing.assert_frame_equal(
            original.tables[spec.address].sort_values(key).reset_index(drop=True),
            read(spec).sort_values(key).reset_index(drop=True),
            obj=spec.address,
        )


def test_a_deleted_warehouse_is_rebuilt_equal_to_the_original_without_a_source_call(original, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(original.home, home)
    (home / "warehouse" / "warehouse.duckdb").unlink()
    SOURCE_CALLS.clear()
    p = _pipeline(home, NoSource())

    plan = rebuild.plan(p.resources["archive"], "historical", None, None)
    runs = rebuild.rebuild(p.defs, p.instance, plan)

    assert (plan.start, plan.end) == (START, END)  # the archive's span, by default
    assert all(r.success for r in runs) and not any(r.blocked for r in runs), [r.error for r in runs]
    assert SOURCE_CALLS == []
    assert_same_tables(original, lambda spec: p.read(spec, START, END))
    assert _files(home / "exports") == original.exports
    assert _files(home / "archive") == original.archive  # nothing archived anew, nothing rewritten


def test_the_archive_alone_on_a_new_machine_rebuilds_the_same_tables_and_exports(original, tmp_path):
    """Only the archive is copied (no warehouse, instance, exports or models). The CLI runs with the
    historical source configured at a folder that does not exist: the rebuild never reads it."""
    home = tmp_path / "new_machine"
    shutil.copytree(original.home / "archive", home / "archive")
    env = {
        **os.environ,
        "NBA_PIPELINE_SOURCE": "historical",
        "NBA_PIPELINE_HISTORICAL_DIR": str(tmp_path / "gone"),
        "NBA_PIPELINE_NOW": NOW,
        "DAGSTER_HOME": str(home / "dagster"),
    }

    out = subprocess.run(
        [sys.executable, "-m", "nba_pipeline.cli", "rebuild", "--home", str(home)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )

    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert f"rebuild {START}..{END} from the payload archive {home / 'archive' / 'historical'}" in out.stdout
    assert not (tmp_path / "gone").exists()
    warehouse = DuckDBWarehouse(database=str(home / "warehouse" / "warehouse.duckdb"))
    assert_same_tables(original, lambda spec: warehouse.read(spec, START, END))
    assert _files(home / "exports") == original.exports
    assert _models(home / "models") == _models(original.home / "models")  # retrained: the same models


def test_a_rebuild_into_bigquery_writes_what_the_duckdb_home_holds(original, tmp_path):
    """Moving from DuckDB to BigQuery is the same path: the rebuild writes through the ``warehouse``
    resource, here BigQuery (the local stand-in of its API that the BigQuery tests use)."""
    from nba_pipeline.warehouse.bigquery import BigQueryWarehouse
    from nba_pipeline_tests.bigquery_fake import PROJECT, FakeBigQuery

    @dataclass
    class BigQueryPipeline(Pipeline):
        @property
        def resources(self) -> dict:
            return {**super().resources, "warehouse": BigQueryWarehouse(project=PROJECT, location="US")}

    home = tmp_path / "to_bigquery"
    shutil.copytree(original.home / "archive", home / "archive")
    shutil.copytree(original.home / "models", home / "models")
    p = BigQueryPipeline(home=home, source=NoSource(), now=NOW, instance=dg.DagsterInstance.ephemeral())
    SOURCE_CALLS.clear()
    with FakeBigQuery().serve():
        runs = rebuild.rebuild(p.defs, p.instance, rebuild.plan(p.resources["archive"], "historical", None, None))
        assert all(r.success for r in runs), [r.error for r in runs]
        assert_same_tables(original, lambda spec: p.read(spec, START, END))
    assert SOURCE_CALLS == [] and not (home / "warehouse").exists()


def test_an_edited_payload_stops_the_rebuild_of_its_date_and_nothing_of_it_is_parsed(original, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(original.home / "archive", home / "archive")
    day = dt.date(2025, 10, 25)
    [box] = sorted((home / "archive" / "historical").rglob(f"*leaguegamelog*/{day}/*.json"))
    body = json.loads(box.read_bytes())
    body["resultSets"][0]["rowSet"][0][body["resultSets"][0]["headers"].index("PTS")] = 99
    box.write_text(json.dumps(body))
    p = _pipeline(home, NoSource())

    [run] = rebuild.rebuild(p.defs, p.instance, rebuild.plan(p.resources["archive"], "historical", day, day))

    assert not run.success
    [failed] = [s for s in run.steps if s.status == "FAILED"]
    assert failed.asset == "nba_scraped/player_boxscores"  # the replay refused it before Phase 2 ran
    assert str(box) in failed.error and "does not match the sha256 recorded" in failed.error
    assert p.read(t.NBAC_PLAYER_BOXSCORES, day, day).empty


# --- what to rebuild -------------------------------------------------------------------------------


def test_the_range_defaults_to_the_archive_and_an_empty_one_says_what_it_holds(original):
    from nba_pipeline.storage import LocalBlobStore

    archive = LocalBlobStore(root=str(original.home / "archive"))

    assert rebuild.plan(archive, "historical", dt.date(2025, 10, 25), None).start == dt.date(2025, 10, 25)
    assert rebuild.plan(archive, "historical", None, None).archived[0] == START
    with pytest.raises(
        rebuild.NothingToRebuild,
        match="holds no simulated payloads; it holds payloads of historical: pass --source historical",
    ):
        rebuild.plan(archive, "simulated", None, None)
    with pytest.raises(
        rebuild.NothingToRebuild, match=f"no payloads between 2025-12-01 and 2025-12-05 \\(it holds {START}..{END}\\)"
    ):
        rebuild.plan(archive, "historical", dt.date(2025, 12, 1), dt.date(2025, 12, 5))
