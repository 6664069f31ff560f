"""Same answer alone or in a range, on real games: a date's rows, exports and check results do not
depend on whether it ran by itself or inside a range.

Both homes start from the same history (2025-26 opening week, replayed once and copied); then
2025-10-30..31 run through every phase as one range in one home and one date at a time in the
other. The dates include the first predictions of the season (moving-average baseline), grading and
the exports.
"""

import datetime as dt
import json
import shutil

import dagster as dg
import pandas as pd
import pytest

from nba_pipeline import keys
from nba_pipeline.sources.historical import HistoricalSource
from nba_pipeline.warehouse import tables as t
from nba_pipeline_tests.harness import Pipeline

HISTORY = (dt.date(2025, 10, 21), dt.date(2025, 10, 29))
DATES = [dt.date(2025, 10, 30), dt.date(2025, 10, 31)]
NOW = "2025-11-15T12:00:00-05:00"


def _pipeline(home, source) -> Pipeline:
    (home / "dagster").mkdir(parents=True, exist_ok=True)
    # The local instance's event log storage, in a folder that can be copied with the home.
    return Pipeline(home=home, source=source, now=NOW, instance=dg.DagsterInstance.local_temp(
        str(home / "dagster"), overrides={"event_log_storage": {
            "module": "nba_pipeline.instance.event_log", "class": "LocalSqliteEventLogStorage",
            "config": {"base_dir": str(home / "dagster")}}}))


@pytest.fixture(scope="module")
def homes(real_data, tmp_path_factory):
    source = HistoricalSource(root=str(real_data))
    base = tmp_path_factory.mktemp("alone_vs_range")
    ranged = _pipeline(base / "range", source)
    assert all(r.success for r in ranged.run(keys.PHASE_GROUPS, *HISTORY))
    shutil.copytree(base / "range", base / "alone")
    alone = _pipeline(base / "alone", source)
    assert all(r.success for r in ranged.run(keys.PHASE_GROUPS, DATES[0], DATES[-1]))
    for day in DATES:
        assert all(r.success for r in alone.run(keys.PHASE_GROUPS, day, day))
    return ranged, alone


def test_every_table_holds_the_same_rows(homes):
    ranged, alone = homes
    assert len(ranged.read(t.PLAYER_PROP_PREDICTIONS, DATES[0], DATES[-1])) > 0  # the dates exercise Phase 5
    assert len(ranged.read(t.PREDICTION_ACCURACY, DATES[0], DATES[-1])) > 0
    for spec in t.ALL_TABLES:
        a, b = ranged.read(spec, DATES[0], DATES[-1]), alone.read(spec, DATES[0], DATES[-1])
        key = list(spec.primary_key)
        pd.testing.assert_frame_equal(a.sort_values(key).reset_index(drop=True),
                                      b.sort_values(key).reset_index(drop=True), obj=spec.address)


def test_every_export_is_the_same(homes):
    ranged, alone = homes
    for folder in ("tonight", "predictions", "results"):
        for day in DATES:
            path = f"{folder}/{day.isoformat()}.json"
            a, b = (json.loads(p.resources["exports"].get(path)) for p in (ranged, alone))
            assert a == b, path


def test_every_date_has_the_same_check_results(homes):
    ranged, alone = homes
    check_keys = [k for a in ranged.defs.assets for k in a.check_keys]
    days = [d.isoformat() for d in DATES]

    def results(p):
        return {(i.check_key.asset_key.to_user_string(), i.check_key.name, i.partition_key): i.latest_execution_status.value
                for i in p.instance.event_log_storage.get_asset_check_partition_info(check_keys, partition_keys=days)
                if i.is_current}

    a, b = results(ranged), results(alone)
    assert a == b
    assert len(a) == len(check_keys) * len(DATES)  # every check of every asset, for every date
