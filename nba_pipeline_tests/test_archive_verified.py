"""Phase 2 parses only what was archived: a payload edited after it was archived fails its date with
one line naming the file, the date and both sha256s, and nothing from the edited bytes lands.

The case of issue 19: a real box score of 2025-01-15, edited in the archive, then Phase 2 re-run; it
used to load the edited body and `status` said nothing was wrong.
"""

import datetime as dt
import hashlib
import json

import pytest

from nba_pipeline import keys
from nba_pipeline.execution import range_runs
from nba_pipeline.sources.historical import HistoricalSource
from nba_pipeline.sources.simulated import SimulatedSource
from nba_pipeline.status import date_status
from nba_pipeline.warehouse import tables as t
from nba_pipeline_tests.automation_helpers import ET
from nba_pipeline_tests.conftest import SIM_SEED, make_pipeline

DAY = dt.date(2025, 1, 15)
NOW = "2025-01-16T12:00:00-05:00"
SCRAPES = [keys.SCRAPED_SCHEDULE, keys.SCRAPED_PLAYER_BOXSCORES, keys.SCRAPED_TEAM_BOXSCORES]
RAW = [keys.RAW_SCHEDULE, keys.RAW_PLAYER_BOXSCORES, keys.RAW_TEAM_BOXSCORE]


def _failure(result) -> str:
    failures = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert failures, "expected a failed step (the edited payload was parsed)"
    return range_runs.root_cause(failures[0].event_specific_data.error)


def _succeeded(result) -> set[str]:
    return {e.step_key for e in result.all_events if e.event_type_value == "STEP_SUCCESS"}


def _edit_points(path, player_index: int, points: int) -> str:
    """Change one player's points in an archived leaguegamelog; returns the player's name."""
    body = json.loads(path.read_bytes())
    rs = body["resultSets"][0]
    row = rs["rowSet"][player_index]
    row[rs["headers"].index("PTS")] = points
    path.write_text(json.dumps(body, sort_keys=True, separators=(",", ":")))
    return row[rs["headers"].index("PLAYER_NAME")]


def _points_of(p, player_name: str) -> list:
    rows = p.read(t.NBAC_PLAYER_BOXSCORES, DAY, DAY)
    return rows.loc[rows["player_name"] == player_name, "pts"].tolist()


def test_an_edited_box_score_fails_its_date_naming_the_file_and_nothing_of_it_lands(real_data, tmp_path):
    p = make_pipeline(tmp_path, HistoricalSource(root=str(real_data)), NOW)
    assert p.materialize(SCRAPES, DAY).success
    [box] = sorted((tmp_path / "archive" / "historical").rglob(f"*leaguegamelog*/{DAY}/*.json"))
    original = box.read_bytes()
    player = _edit_points(box, 3, 99)
    edited_sha = hashlib.sha256(box.read_bytes()).hexdigest()

    res = p.materialize(RAW, DAY, raise_on_error=False)
    message = _failure(res)
    for part in (
        str(box),
        f"game date {DAY}",
        f"recorded {hashlib.sha256(original).hexdigest()}",
        f"now {edited_sha}",
        "nothing was parsed",
    ):
        assert part in message, f"{part!r} not in {message!r}"
    assert "nba_raw__nbac_player_boxscores" not in _succeeded(res)
    assert p.read(t.NBAC_PLAYER_BOXSCORES, DAY, DAY).empty  # no row of the edited body landed
    # `status` no longer says the date is fine.
    status = date_status(p.defs, p.instance, DAY, dt.datetime(2025, 1, 16, 12, 0, tzinfo=ET))
    assert status.verdict == "PHASE_2_FAILED" and status.exit_code == 1

    # The way out the line gives: the original bytes back, then the date again.
    box.write_bytes(original)
    assert p.materialize(RAW, DAY).success
    loaded = _points_of(p, player)
    assert loaded and 99 not in loaded

    # An edit after the date loaded leaves the loaded rows as they were.
    _edit_points(box, 3, 99)
    assert not p.materialize(RAW, DAY, raise_on_error=False).success
    assert _points_of(p, player) == loaded


def test_an_edited_injury_report_fails_the_step_instead_of_being_left_out_as_unreadable(tmp_path):
    """An unreadable report is a fault of the report (left out, the previous one stays in force);
    a report changed after it was archived is a fault of the archive, and stops its date."""
    day, now = dt.date(2024, 11, 6), "2024-11-06T18:00:00-05:00"
    p = make_pipeline(tmp_path, SimulatedSource(seed=SIM_SEED), now)
    assert p.materialize([keys.SCRAPED_INJURY_REPORT], day).success
    [report] = sorted((tmp_path / "archive").rglob(f"*injury_report/{day}/*.csv"))
    lines = report.read_text().splitlines()
    assert len(lines) > 2
    report.write_text("\n".join([lines[0], *lines[2:]]) + "\n")  # one player's row removed

    res = p.materialize([keys.RAW_INJURY_REPORT], day, raise_on_error=False)
    message = _failure(res)
    assert "ArchiveIntegrityError" in message and report.name in message and f"game date {day}" in message
    assert p.read(t.NBAC_INJURY_REPORT, day, day).empty


@pytest.mark.parametrize("endpoint_glob", ["*scheduleLeagueV2*", "*event_odds_player_props*"])
def test_every_endpoint_reads_through_the_verification(tmp_path, endpoint_glob):
    """Not only box scores: a schedule and an odds snapshot changed after archiving stop Phase 2 too."""
    day, now = dt.date(2024, 11, 6), "2024-11-06T18:00:00-05:00"
    p = make_pipeline(tmp_path, SimulatedSource(seed=SIM_SEED), now)
    scrape = keys.SCRAPED_SCHEDULE if "schedule" in endpoint_glob else keys.SCRAPED_ODDS_PLAYER_PROPS
    raw = keys.RAW_SCHEDULE if "schedule" in endpoint_glob else keys.RAW_ODDS_PLAYER_PROPS
    assert p.materialize([scrape], day).success
    victim = sorted((tmp_path / "archive").rglob(f"{endpoint_glob}/{day}/*.json"))[0]
    victim.write_bytes(victim.read_bytes() + b" ")  # one trailing space: the same JSON, other bytes

    res = p.materialize([raw], day, raise_on_error=False)
    assert victim.name in _failure(res) and "does not match the sha256 recorded" in _failure(res)
