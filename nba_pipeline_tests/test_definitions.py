"""The definitions surface: every change of the graph's shape must be deliberate.

The snapshot (keys, groups, deps with their partition mappings, partitions, automation condition
labels, checks and their blocking flag, freshness, schedules, sensors, jobs) lives in
snapshots/definitions_surface.json. After an intended change, regenerate it with
``NBA_PIPELINE_UPDATE_SNAPSHOT=1 pytest nba_pipeline_tests/test_definitions.py`` and review the diff.
"""

import json
import os
from pathlib import Path

import dagster as dg

from nba_pipeline import automation, keys
from nba_pipeline.definitions import defs

SNAPSHOT = Path(__file__).parent / "snapshots" / "definitions_surface.json"


def _mapping(asset: dg.AssetsDefinition, key: dg.AssetKey, dep_key: dg.AssetKey) -> str:
    pm = asset.get_partition_mapping_for_dep(dep_key)
    if isinstance(pm, dg.TimeWindowPartitionMapping):
        return f"time_window({pm.start_offset},{pm.end_offset})"
    if pm is not None and not isinstance(pm, dg.IdentityPartitionMapping):
        return type(pm).__name__
    history = automation.history_parents(asset.specs_by_key[key].automation_condition)
    return "same_date, reads history before the date" if dep_key in history else "same_date"


def surface() -> dict:
    graph = defs.resolve_asset_graph()
    assets = {}
    for a in defs.assets:
        for spec in a.specs:
            key = spec.key
            cond = spec.automation_condition
            fresh = spec.freshness_policy
            assets[key.to_user_string()] = {
                "group": spec.group_name,
                "partitions": (
                    f"daily {a.partitions_def.timezone} from {a.partitions_def.start:%Y-%m-%d} "
                    f"end_offset={a.partitions_def.end_offset}"
                )
                if a.partitions_def
                else None,
                "deps": {d.asset_key.to_user_string(): _mapping(a, key, d.asset_key) for d in spec.deps},
                "automation": cond.get_label() or cond.name if cond else None,
                "backfill_policy": (
                    f"{a.backfill_policy.policy_type.value} max {a.backfill_policy.max_partitions_per_run}"
                    if a.backfill_policy
                    else None
                ),
                "freshness": repr(fresh) if fresh else None,
                "checks": {c.name: {"blocking": c.blocking} for c in a.check_specs if c.asset_key == key},
            }
    standalone = [c for c in defs.asset_checks or []]
    return {
        "groups": list(keys.PHASE_GROUPS),
        "assets": dict(sorted(assets.items())),
        "standalone_checks": sorted(
            f"{k.asset_key.to_user_string()}:{k.name}" for c in standalone for k in c.check_keys
        ),
        "schedules": sorted(
            f"{s.name} {s.cron_schedule} {s.execution_timezone} {s.default_status.value}" for s in defs.schedules or []
        ),
        "sensors": sorted(f"{s.name} {s.default_status.value}" for s in defs.sensors or []),
        "jobs": sorted(j.name for j in defs.jobs or []),
        "asset_count": len(graph.get_all_asset_keys()),
    }


def test_definitions_load():
    dg.Definitions.validate_loadable(defs)


def test_definitions_surface_matches_snapshot():
    current = json.loads(json.dumps(surface(), default=str))
    # Never in CI: there a changed shape must fail, not be written down.
    if os.environ.get("NBA_PIPELINE_UPDATE_SNAPSHOT") and not os.environ.get("CI"):
        SNAPSHOT.write_text(json.dumps(current, indent=1, sort_keys=True) + "\n")
    expected = json.loads(SNAPSHOT.read_text())
    assert current == expected, "the graph's shape changed: regenerate the snapshot if that was intended"


def test_every_table_asset_is_partitioned_grouped_and_checked():
    for a in defs.assets:
        for spec in a.specs:
            assert spec.group_name in keys.PHASE_GROUPS, spec.key
            assert a.partitions_def is not None, spec.key
            if spec.group_name != keys.PHASE1:
                assert spec.automation_condition is not None, spec.key
            assert any(c.asset_key == spec.key for c in a.check_specs), spec.key


def test_phase_4_waits_on_every_phase_3_parent_and_blocking_checks():
    cond = defs.resolve_assets_def(keys.ML_FEATURE_STORE).specs_by_key[keys.ML_FEATURE_STORE].automation_condition
    text = str(cond)
    assert "all_deps_blocking_checks_passed" in text and "any_deps_in_progress" in text and "in_progress" in text


def test_every_asset_shares_one_bounded_backfill_policy():
    """One execution model: Dagster's backfills run a range of dates per run, and only put a parent
    and its child in one run when their policies are equal."""
    from nba_pipeline.assets.definition import BACKFILL_POLICY, MAX_DATES_PER_RUN

    policies = {a.backfill_policy for a in defs.assets if isinstance(a, dg.AssetsDefinition)}
    assert policies == {BACKFILL_POLICY} and BACKFILL_POLICY.max_partitions_per_run == MAX_DATES_PER_RUN


def test_every_edge_is_same_date_so_a_ui_backfill_is_one_run_per_chunk():
    """The UI's backfill dialog (assetSelection + partitionNames) targets the chosen dates and every
    partition downstream of them through the partition mappings, and Dagster only puts a child in
    its parent's run when the mapping is the identity (or, for an offset mapping, when the whole
    target fits one run). An offset edge (D reads D-1) would spill the backfill past the last chosen
    date and split it into a run per dependency level; history is declared on the automation
    condition instead (automation.history_parents)."""
    for a in defs.assets:
        for spec in a.specs:
            for dep in spec.deps:
                pm = a.get_partition_mapping_for_dep(dep.asset_key)
                assert pm is None or isinstance(pm, dg.IdentityPartitionMapping), (spec.key, dep.asset_key, pm)
