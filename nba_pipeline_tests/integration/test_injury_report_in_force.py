"""The live injury report through the graph, offline: the live source downloads the real PDFs from a
mocked CDN, the scrape archives them, Phase 2 reads them. A report that cannot be read is left out
with a failing check naming the file and page, and the last good report's rows stay in force."""

import dataclasses
import datetime as dt
from contextlib import contextmanager
from pathlib import Path
from typing import ClassVar

import dagster as dg
import httpx
import pytest

from nba_pipeline import keys
from nba_pipeline.checks.names import CHECK_INJURY_REPORTS_READABLE
from nba_pipeline.sources.live import LiveSource
from nba_pipeline.status import partition_state
from nba_pipeline.warehouse import tables as t
from nba_pipeline_tests.conftest import make_pipeline

DAY = dt.date(2026, 2, 8)
GOOD, NEXT = "Injury-Report_2026-02-08_06_15PM", "Injury-Report_2026-02-08_06_30PM"
CHECK = dg.AssetCheckKey(keys.RAW_INJURY_REPORT, CHECK_INJURY_REPORTS_READABLE)


class MockedCdnLiveSource(LiveSource):
    """The live source whose HTTP client answers from ``files`` (name -> bytes). A class attribute
    because Dagster rebuilds resources from their config, which drops a private transport."""

    files: ClassVar[dict[str, bytes]] = {}

    @contextmanager
    def _client(self):
        def handler(request: httpx.Request) -> httpx.Response:
            name = request.url.path.rsplit("/", 1)[-1]
            if request.url.host != "ak-static.cms.nba.com" or name not in self.files:
                return httpx.Response(403, text="<Error><Code>AccessDenied</Code></Error>")
            return httpx.Response(200, content=b"" if request.method == "HEAD" else self.files[name])

        with httpx.Client(transport=httpx.MockTransport(handler)) as client:
            yield client


@pytest.fixture
def pdfs(real_data) -> dict[str, bytes]:
    folder = real_data / "api_payloads" / "nba_injury_report"
    if not (folder / f"{GOOD}.pdf").exists():
        pytest.skip(f"real injury report {GOOD}.pdf is absent from {folder}")
    return {name: (folder / f"{name}.pdf").read_bytes() for name in (GOOD, NEXT)}


def _scrape_and_load(p) -> dg.ExecuteInProcessResult:
    return p.materialize([keys.SCRAPED_INJURY_REPORT, keys.RAW_INJURY_REPORT], DAY)


def _check(p) -> dg.AssetCheckEvaluation:
    record = p.instance.event_log_storage.get_latest_asset_check_execution_by_key([CHECK])[CHECK]
    return record.event.dagster_event.event_specific_data


def test_an_unreadable_report_keeps_the_last_good_one_in_force_and_fails_loudly(tmp_path: Path, pdfs, monkeypatch):
    monkeypatch.setattr(MockedCdnLiveSource, "files", {f"{GOOD}.pdf": pdfs[GOOD]})
    p = make_pipeline(tmp_path, MockedCdnLiveSource(), "2026-02-08T18:20:00-05:00")
    assert _scrape_and_load(p).success
    good = p.read(t.NBAC_INJURY_REPORT, DAY, DAY)
    assert len(good) == 53 and set(good["report_name"]) == {GOOD}
    assert _check(p).passed and _check(p).metadata["report_in_force"].value == GOOD
    archived = sorted(path.name for path in (tmp_path / "archive" / "live").rglob("*.pdf"))
    assert archived == [f"20260208T232000Z__{GOOD}.pdf"]

    # 18:30: the NBA publishes a report whose download is cut short.
    monkeypatch.setattr(MockedCdnLiveSource, "files", {**MockedCdnLiveSource.files, f"{NEXT}.pdf": pdfs[NEXT][:40_000]})
    later = dataclasses.replace(p, now="2026-02-08T18:40:00-05:00")
    assert _scrape_and_load(later).success  # the archive took it; Phase 2 judges it

    # The table still holds the good report's rows for the date, and only those.
    after = later.read(t.NBAC_INJURY_REPORT, DAY, DAY)
    assert set(after["report_name"]) == {GOOD}
    assert (
        after.sort_values("player_lookup")[["player_lookup", "injury_status", "reason"]]
        .reset_index(drop=True)
        .equals(good.sort_values("player_lookup")[["player_lookup", "injury_status", "reason"]].reset_index(drop=True))
    )
    # The failure is visible: a failed blocking check (an alert, and the date's status) naming the
    # source, date, file and what is wrong, with the report in force in its metadata.
    check = _check(later)
    assert not check.passed and check.severity == dg.AssetCheckSeverity.ERROR and check.blocking
    assert check.metadata["report_in_force"].value == GOOD
    assert "live nba_com/injury_report for game date 2026-02-08" in check.description
    assert f"20260208T234000Z__{NEXT}.pdf" in check.description and "not a readable PDF" in check.description
    (unreadable,) = check.metadata["unreadable"].value
    assert unreadable["report"] == NEXT and unreadable["field"] == "(whole file)"
    state = partition_state(
        later.instance,
        keys.RAW_INJURY_REPORT,
        DAY.isoformat(),
        [s for s in _specs() if s.asset_key == keys.RAW_INJURY_REPORT],
    )
    assert CHECK_INJURY_REPORTS_READABLE in state.failed_blocking_checks
    # Nothing lost: the unreadable file is archived as it came.
    assert (
        tmp_path / "archive" / "live" / "nba_com" / "injury_report" / "2026-02-08" / f"20260208T234000Z__{NEXT}.pdf"
    ).read_bytes() == pdfs[NEXT][:40_000]

    # 18:50: the report is served whole again; it parses, supersedes the bad copy, and is in force.
    monkeypatch.setattr(MockedCdnLiveSource, "files", {f"{GOOD}.pdf": pdfs[GOOD], f"{NEXT}.pdf": pdfs[NEXT]})
    fixed = dataclasses.replace(p, now="2026-02-08T18:50:00-05:00")
    assert _scrape_and_load(fixed).success
    rows = fixed.read(t.NBAC_INJURY_REPORT, DAY, DAY)
    assert set(rows["report_name"]) == {GOOD, NEXT} and (rows["report_name"] == NEXT).sum() == 53
    check = _check(fixed)
    assert check.metadata["report_in_force"].value == NEXT
    assert not check.passed and check.severity == dg.AssetCheckSeverity.WARN  # the bad copy, superseded
    assert [u["file"].rsplit("/", 1)[-1] for u in check.metadata["unreadable"].value] == [
        f"20260208T234000Z__{NEXT}.pdf"
    ]


def test_no_readable_report_keeps_the_rows_already_in_the_table(tmp_path: Path, pdfs, monkeypatch):
    monkeypatch.setattr(MockedCdnLiveSource, "files", {f"{GOOD}.pdf": pdfs[GOOD]})
    p = make_pipeline(tmp_path, MockedCdnLiveSource(), "2026-02-08T18:20:00-05:00")
    assert _scrape_and_load(p).success
    # The archive loses the good report (a bucket lifecycle rule, say) and only a damaged one is left.
    for path in (tmp_path / "archive").rglob("*.pdf"):
        path.unlink()
    monkeypatch.setattr(MockedCdnLiveSource, "files", {f"{NEXT}.pdf": pdfs[NEXT][:40_000]})
    assert _scrape_and_load(dataclasses.replace(p, now="2026-02-08T18:40:00-05:00")).success
    rows = p.read(t.NBAC_INJURY_REPORT, DAY, DAY)
    assert len(rows) == 53 and set(rows["report_name"]) == {GOOD}  # not replaced by nothing
    check = _check(p)
    assert not check.passed and check.metadata["report_in_force"].value is None
    assert "no report of the date parses; previous rows kept" in check.description


def _specs():
    from nba_pipeline.assets import ALL_ASSETS

    return [s for a in ALL_ASSETS for s in a.check_specs]


def test_the_report_in_force_is_the_newest_publication_that_parsed():
    from nba_pipeline.checks.injury_reports import injury_reports_verdict
    from nba_pipeline.parsers import PayloadError
    from nba_pipeline.storage import ArchivedFile

    def archived(name: str, scraped: str) -> ArchivedFile:
        return ArchivedFile(
            f"live/x/{scraped}__{name}.pdf",
            name,
            dt.datetime.strptime(scraped, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC),
        )

    def error(f: ArchivedFile) -> PayloadError:
        return PayloadError(
            endpoint="live nba_com/injury_report",
            game_date=DAY,
            path=f.path,
            field="Current Status",
            problem="unknown status 'Sidelined'",
            page=4,
        )

    early, late = archived(GOOD, "20260208T232000Z"), archived(NEXT, "20260208T234000Z")
    late_again = archived(NEXT, "20260208T235000Z")  # the same publication, scraped again
    # Publication order, not scrape order: the 18:30 report scraped first is still the newest.
    assert injury_reports_verdict(DAY, [(late, None), (early, None)])[0] == NEXT
    in_force, result = injury_reports_verdict(DAY, [(early, None), (late, error(late))])
    assert in_force == GOOD and not result.passed and result.severity == dg.AssetCheckSeverity.ERROR
    assert "page 4" in result.description and "Current Status" in result.description
    in_force, result = injury_reports_verdict(DAY, [(early, None), (late, error(late)), (late_again, None)])
    assert in_force == NEXT and not result.passed and result.severity == dg.AssetCheckSeverity.WARN
    in_force, result = injury_reports_verdict(DAY, [(early, error(early))])
    assert in_force is None and result.severity == dg.AssetCheckSeverity.ERROR
    assert injury_reports_verdict(DAY, [])[1].passed
