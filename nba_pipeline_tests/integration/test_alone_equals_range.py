"""One graph however it is driven, on real games: a date's rows, exports and check results do not
depend on whether automation ran it partition by partition, or a range ran it, in one run or split
at the 100-date chunk boundary.

The range is 2025-07-16..2025-10-28 (105 dates: an empty off-season, then the 2025-26 opening week),
so Dagster's backfill policy splits it into runs of 2025-07-16..10-23 and 10-24..10-28 and the
boundary falls between two game nights whose history crosses it. Three homes:

* ``split``: the range as the CLI and a UI backfill run it (two runs);
* ``one_run``: the same dates in one run;
* ``automation``: a copy of ``split`` after its first run, then 10-23..10-28 driven by declarative
  automation: the sensor running from the evening before, each date's scrapes (as the schedules
  request them; 10-23 is scraped again, which re-runs its chain), then the automation conditions
  evaluated tick after tick and every requested partition run alone, until nothing is requested.
"""

import datetime as dt
import json
import shutil

import dagster as dg
import pandas as pd
import pytest

from nba_pipeline import keys
from nba_pipeline.assets.definition import MAX_DATES_PER_RUN
from nba_pipeline.definitions import ASSETS
from nba_pipeline.sources.historical import HistoricalSource
from nba_pipeline.warehouse import tables as t
from nba_pipeline_tests.automation_helpers import ET, Automation
from nba_pipeline_tests.harness import Pipeline

START, END = dt.date(2025, 7, 16), dt.date(2025, 10, 28)
# The last date of the first run, re-scraped, and the five dates of the second run.
AUTOMATED = [dt.date(2025, 10, 23) + dt.timedelta(days=i) for i in range(6)]
NOW = "2025-11-15T12:00:00-05:00"
MAX_TICKS_PER_DATE = 30
ALL_KEYS = [k for a in ASSETS for k in a.keys]


def _pipeline(home, source) -> Pipeline:
    (home / "dagster").mkdir(parents=True, exist_ok=True)
    # The local instance's event log storage, in a folder that can be copied with the home.
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


def _drain(p: Pipeline, auto: Automation) -> int:
    """Tick after tick, run every partition automation requests (alone, as the sensor launches it),
    until it requests nothing."""
    runs = 0
    for _ in range(MAX_TICKS_PER_DATE):
        tick = auto.tick()
        requested: dict[str, list[dg.AssetKey]] = {}
        for key in ALL_KEYS:
            for partition in tick.get_requested_partitions(key) if tick.get_num_requested(key) else ():
                requested.setdefault(partition, []).append(key)
        if not requested:
            return runs
        for partition, keys_ in sorted(requested.items()):
            assert p.materialize(keys_, dt.date.fromisoformat(partition)).success, (partition, keys_)
            runs += 1
    raise AssertionError(f"automation still requesting after {MAX_TICKS_PER_DATE} ticks at {auto.now}")


def _automate(p: Pipeline, auto: Automation, day: dt.date) -> int:
    """The day as the daemon runs it: automation at the start of the day, the day's scrapes (as the
    schedules request them), then automation until it requests nothing."""
    auto.now = dt.datetime.combine(day, dt.time(8, 0), tzinfo=ET)
    runs = _drain(p, auto)
    assert p.materialize(dg.AssetSelection.groups(keys.PHASE1), day).success
    auto.now = dt.datetime.combine(day, dt.time(23, 0), tzinfo=ET)
    return runs + _drain(p, auto)


@pytest.fixture(scope="module")
def homes(real_data, tmp_path_factory):
    source = HistoricalSource(root=str(real_data))
    base = tmp_path_factory.mktemp("alone_vs_range")
    one_run = _pipeline(base / "one_run", source)
    [run] = one_run.run(keys.PHASE_GROUPS, START, END, chunk_days=(END - START).days + 1)
    assert run.success
    split = _pipeline(base / "split", source)
    first_end = START + dt.timedelta(days=MAX_DATES_PER_RUN - 1)
    assert first_end == AUTOMATED[0]
    [first] = split.run(keys.PHASE_GROUPS, START, first_end)
    assert first.success
    shutil.copytree(base / "split", base / "automation")
    automation = _pipeline(base / "automation", source)
    [second] = split.run(keys.PHASE_GROUPS, first_end + dt.timedelta(days=1), END)
    assert second.success
    auto = Automation(
        automation.instance, dt.datetime.combine(AUTOMATED[0] - dt.timedelta(days=1), dt.time(23, 0), tzinfo=ET)
    )
    automated_runs = _drain(automation, auto) + sum(_automate(automation, auto, day) for day in AUTOMATED)
    return {"one_run": one_run, "split": split, "automation": automation, "automated_runs": automated_runs}


def _same_tables(a: Pipeline, b: Pipeline, start: dt.date, end: dt.date) -> None:
    for spec in t.ALL_TABLES:
        x, y = a.read(spec, start, end), b.read(spec, start, end)
        key = list(spec.primary_key)
        pd.testing.assert_frame_equal(
            x.sort_values(key).reset_index(drop=True), y.sort_values(key).reset_index(drop=True), obj=spec.address
        )


def _check_results(p: Pipeline, days: list[dt.date]) -> dict:
    check_keys = [k for a in p.defs.assets for k in a.check_keys]
    return {
        (i.check_key.asset_key.to_user_string(), i.check_key.name, i.partition_key): i.latest_execution_status.value
        for i in p.instance.event_log_storage.get_asset_check_partition_info(
            check_keys, partition_keys=[d.isoformat() for d in days]
        )
        if i.is_current
    }


def test_the_dates_exercise_every_phase(homes):
    split = homes["split"]
    assert len(split.read(t.PLAYER_PROP_PREDICTIONS, AUTOMATED[0], AUTOMATED[-1])) > 0
    assert len(split.read(t.PREDICTION_ACCURACY, AUTOMATED[0], AUTOMATED[-1])) > 0
    # Automation ran the dates partition by partition: each date's chain, and tomorrow's model.
    assert homes["automated_runs"] >= 2 * len(AUTOMATED)


def test_a_range_split_at_the_chunk_boundary_equals_one_run(homes):
    _same_tables(homes["split"], homes["one_run"], START, END)
    days = [START + dt.timedelta(days=i) for i in range((END - START).days + 1)]
    a, b = _check_results(homes["split"], days), _check_results(homes["one_run"], days)
    assert a == b and len(a) > 0


def test_automations_single_partition_runs_equal_the_range_run(homes):
    _same_tables(homes["automation"], homes["split"], AUTOMATED[0], AUTOMATED[-1])


def test_every_export_is_the_same(homes):
    for other in ("one_run", "automation"):
        for folder in ("tonight", "predictions", "results"):
            for day in AUTOMATED:
                path = f"{folder}/{day.isoformat()}.json"
                a, b = (json.loads(homes[h].resources["exports"].get(path)) for h in ("split", other))
                assert a == b, (other, path)


def test_every_date_has_the_same_check_results(homes):
    a, b = _check_results(homes["split"], AUTOMATED), _check_results(homes["automation"], AUTOMATED)
    assert a == b
    check_keys = [k for asset in homes["split"].defs.assets if asset.partitions_def for k in asset.check_keys]
    assert len(a) == len(check_keys) * len(AUTOMATED)  # every check of every asset, for every date
