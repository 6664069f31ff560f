import datetime as dt
from pathlib import Path

import dagster as dg
import pytest

from nba_pipeline_tests.harness import Pipeline

REAL_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real"

# Simulated league test window: 2024-25 season (opener 2024-10-22), frozen clock after it.
SIM_SEED = 20241022
SIM_NOW = "2024-12-15T12:00:00-05:00"


# The suite runs on two xdist workers (pytest.ini). Tests sharing an expensive fixture must run on
# one worker, or each worker builds it: the session's simulated graph is one group, and a module
# whose tests share a module-scoped fixture is a group of its own.
SHARED_GRAPH_GROUP = "sim_graph"


def pytest_itemcollected(item):
    # At collection, before xdist's collection hook turns the groups into scheduling scopes.
    info = getattr(item, "_fixtureinfo", None)
    defs = [d for ds in (info.name2fixturedefs.values() if info else ()) for d in ds]
    if "sim_graph" in getattr(item, "fixturenames", ()):
        item.add_marker(pytest.mark.xdist_group(SHARED_GRAPH_GROUP))
    elif any(d.scope == "module" for d in defs):
        item.add_marker(pytest.mark.xdist_group(item.module.__name__))


@pytest.fixture(scope="session")
def real_data() -> Path:
    if not (REAL_DATA / "box_scores").is_dir():
        pytest.skip(f"real data folder {REAL_DATA} is absent (it sits beside the repo in ../shared/data/real)")
    return REAL_DATA


def make_pipeline(tmp_path: Path, source, now: str | None) -> Pipeline:
    return Pipeline(home=tmp_path, source=source, now=now, instance=dg.DagsterInstance.ephemeral())


@pytest.fixture
def sim_source():
    from nba_pipeline.sources.simulated import SimulatedSource

    return SimulatedSource(seed=SIM_SEED)


@pytest.fixture
def sim_pipeline(tmp_path, sim_source) -> Pipeline:
    return make_pipeline(tmp_path, sim_source, SIM_NOW)


# The shared simulated graph: Phases 1-4 over three weeks of the 2024-25 simulated season, then
# predictions, grading and exports for the last three dates. Built once per test session (~1 min).
SIM_HISTORY_START, SIM_PREDICT_START, SIM_END = dt.date(2024, 10, 22), dt.date(2024, 11, 11), dt.date(2024, 11, 13)


@pytest.fixture(scope="session")
def sim_graph(tmp_path_factory):
    from nba_pipeline import keys
    from nba_pipeline.sources.simulated import SimulatedSource

    p = make_pipeline(tmp_path_factory.mktemp("sim_graph"), SimulatedSource(seed=SIM_SEED), SIM_NOW)
    runs = p.run([keys.PHASE1, keys.PHASE2, keys.PHASE3, keys.PHASE4], SIM_HISTORY_START, SIM_END)
    runs += p.run([keys.PHASE5, keys.GRADING, keys.PHASE6], SIM_PREDICT_START, SIM_END)
    return p, runs


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@pytest.fixture(scope="session")
def postgres_server():
    """A throwaway PostgreSQL server shared by the session (see postgres_server.py); tests that need
    their own Dagster instance on it take a database each (``create_database``). Skipped only on a
    machine without PostgreSQL server binaries; any other failure to start is an error, with the log."""
    from nba_pipeline_tests.postgres_server import PostgresUnavailable, find_server_bin_dir, throwaway_postgres

    try:
        find_server_bin_dir()
    except PostgresUnavailable as exc:
        pytest.skip(str(exc))
    with throwaway_postgres() as server:
        yield server


# Under CI (which has ../shared/data/real and PostgreSQL) a skipped test is a test that did not run:
# the session fails, naming it. Locally a skip stays a skip, with its reason.
_SKIPPED: list[str] = []


def pytest_runtest_logreport(report):
    if report.skipped:
        _SKIPPED.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    import os

    if os.environ.get("CI") and _SKIPPED and exitstatus == 0:
        print(f"\nCI: {len(_SKIPPED)} test(s) skipped, which CI does not allow: {', '.join(sorted(_SKIPPED)[:10])}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
