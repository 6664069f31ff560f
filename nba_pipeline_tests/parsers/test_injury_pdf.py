"""The official injury report PDFs of 2026-02-08 (real files) read into rows, checked against the CSVs
the legacy system parsed from the same PDFs, and damaged copies of them failing with file and page."""

import csv
import ctypes
import datetime as dt
import functools
import io
import re
from pathlib import Path

import pytest

from nba_pipeline.parsers import PayloadError
from nba_pipeline.parsers.injuries import injury_report_text, parse_injury_report
from nba_pipeline.parsers.injury_pdf import InjuryReportPdfError, injury_report_csv_from_pdf, injury_report_rows
from nba_pipeline.sources.formats import INJURY_REPORT_COLUMNS

REPORTS = ("Injury-Report_2026-02-08_03_30PM", "Injury-Report_2026-02-08_06_15PM", "Injury-Report_2026-02-08_06_30PM")
DAY = dt.date(2026, 2, 8)
# The report of Super Bowl Sunday lists that day's four afternoon games, then Monday's games.
GAMES_OF_THE_DAY = {"MIA@WAS", "IND@TOR", "LAC@MIN", "NYK@BOS"}

# Where the legacy CSVs differ from the PDFs, the PDF's reason (read off the page: the cell borders
# and the text inside them). The legacy parser joined lines by proximity: it dropped the ';' ending a
# wrapped line, lost the part of a reason carried over to the next page (Toppin, Strus), dropped the
# first line of some wrapped reasons (Daniels; Gordon at 06:15), and gave Poeltl's first reason line
# to Paul, the row above, although the drawn border puts it in Poeltl's cell.
_MIAMI_AND_INDIANA = {
    "Herro, Tyler": "Injury/Illness - Right Costochondral; Injury to the Ribs",
    "Jakucionis, Kasparas": "Injury/Illness - Left Ankle; Inflammation",
    "Jovic, Nikola": "Injury/Illness - Right Hip; Impingement",
    "Larsson, Pelle": "Injury/Illness - Right Elbow; Contusion",
    "Wiggins, Andrew": "Injury/Illness - Left Hamstring; Tightness",
    "Haliburton, Tyrese": "Injury/Illness - Right Achilles Tendon; Tear",
    "Toppin, Obi": "Injury/Illness - Right Foot; Stress Fracture",
    "Paul, Chris": "Not With Team",
    "Poeltl, Jakob": "Return to Competition Reconditioning",
}
_MONDAY = {
    "Daniels, Dyson": "Injury/Illness - Right Ankle; Inflammation",
    "LaVine, Zach": "Injury/Illness - Right 5th Finger; Soreness",
    "McDermott, Doug": "Injury/Illness - Right Shoulder; Soreness",
    "Sabonis, Domantas": "Injury/Illness - Lower Back; Inflammation",
    "Gordon, Aaron": "Injury/Illness - Right Hamstring; Strain",
    "Watson, Peyton": "Injury/Illness - Right Hamstring; Strain",
}
CSV_REASON_ERRATA = {
    REPORTS[0]: _MIAMI_AND_INDIANA,
    REPORTS[1]: {**_MIAMI_AND_INDIANA, **_MONDAY},
    REPORTS[2]: {**_MIAMI_AND_INDIANA, **_MONDAY, "Strus, Max": "Injury/Illness - Left Foot; Surgery - Jones Fracture"},
}


@pytest.fixture(scope="module")
def folder(real_data) -> Path:
    path = real_data / "api_payloads" / "nba_injury_report"
    missing = [r for r in REPORTS for ext in (".pdf", ".csv") if not (path / f"{r}{ext}").exists()]
    if missing:
        pytest.skip(f"real injury reports {missing} are absent from {path}")
    return path


@functools.cache
def _pdf_rows(path: Path) -> tuple[dict, ...]:
    return tuple(injury_report_rows(path.read_bytes(), str(path)))


@pytest.mark.parametrize("report", REPORTS)
def test_every_row_of_the_pdf_equals_the_legacy_csv_row(folder, report):
    pdf = _pdf_rows(folder / f"{report}.pdf")
    legacy = list(csv.DictReader((folder / f"{report}.csv").open()))
    assert len(pdf) == len(legacy) > 60

    errata = CSV_REASON_ERRATA[report]
    differing = set()
    for ours, theirs in zip(pdf, legacy):
        assert (ours["team"], ours["player"], ours["status"], str(ours["page"])) == (
            theirs["team"],
            theirs["player"],
            theirs["status"],
            theirs["page"],
        )
        if ours["reason"] != theirs["reason"]:
            differing.add(ours["player"])
            assert ours["reason"] == errata[ours["player"]]
        # The legacy CSV wrote the report's date as every row's gameDate; the PDF prints each game's.
        assert theirs["gameDate"] == "02/08/2026"
        expected_date = "02/08/2026" if ours["matchup"] in GAMES_OF_THE_DAY else "02/09/2026"
        assert ours["gameDate"] == expected_date
    assert differing == set(errata)


def test_cells_carried_down_wrapped_and_continued_across_pages(folder):
    rows = {r["player"]: r for r in _pdf_rows(folder / f"{REPORTS[0]}.pdf")}
    # Game, time, matchup and team are printed on a group's first row and carry down, across pages.
    assert {k: rows["Exum, Dante"][k] for k in ("gameDate", "gameTime", "matchup", "team", "page")} == {
        "gameDate": "02/08/2026",
        "gameTime": "02:00 (ET)",
        "matchup": "MIA@WAS",
        "team": "Washington Wizards",
        "page": 2,
    }
    assert (rows["Zubac, Ivica"]["team"], rows["Zubac, Ivica"]["gameTime"]) == ("Indiana Pacers", "03:00 (ET)")
    assert rows["Towns, Karl-Anthony"]["matchup"] == "NYK@BOS" and rows["Towns, Karl-Anthony"]["page"] == 4
    # Teams that filed nothing ("NOT YET SUBMITTED") have no rows; a team's rows follow its own group.
    assert not any(r["team"] in ("Detroit Pistons", "Charlotte Hornets") for r in rows.values())
    assert rows["Ayton, Deandre"]["team"] == "Los Angeles Lakers" and rows["Ayton, Deandre"]["matchup"] == "OKC@LAL"
    assert rows["Giddey, Josh"]["status"] == "Doubtful" and rows["Smith, Jalen"]["status"] == "Questionable"


def test_the_pdf_reaches_the_one_row_parser_as_csv_rows(folder):
    path = folder / f"{REPORTS[2]}.pdf"
    text = injury_report_csv_from_pdf(path.read_bytes(), str(path))
    assert text.splitlines()[0] == ",".join(INJURY_REPORT_COLUMNS)
    assert injury_report_text(path.read_bytes(), DAY, str(path)) == text

    today = parse_injury_report(text, DAY, str(path), path.stem)
    pdf = _pdf_rows(path)
    assert len(today) == sum(r["matchup"] in GAMES_OF_THE_DAY for r in pdf)
    assert set(today["matchup"]) == GAMES_OF_THE_DAY
    herro = today.set_index("player_lookup").loc["tylerherro"]
    assert (herro["team_tricode"], herro["injury_status"], herro["reason_category"]) == ("MIA", "out", "injury")
    assert herro["reason"] == "Injury/Illness - Right Costochondral; Injury to the Ribs"
    assert today.set_index("player_lookup").loc["jakobpoeltl", "reason"] == "Return to Competition Reconditioning"
    # Monday's rows belong to Monday's partition.
    monday = parse_injury_report(text, DAY + dt.timedelta(days=1), str(path), path.stem)
    assert len(today) + len(monday) == len(pdf)
    assert "nikolajokic" in set(monday["player_lookup"]) and "nikolajokic" not in set(today["player_lookup"])


# --- damaged reports -----------------------------------------------------------------------------


def _edit_text(data: bytes, page_index: int, old: str, new: str) -> bytes:
    """The PDF with the first text object reading ``old`` on the page rewritten to ``new`` (pdfium)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    doc = pdfium.PdfDocument(data)
    page = doc[page_index]
    textpage = page.get_textpage()
    for obj in page.get_objects():
        if obj.type != pdfium_c.FPDF_PAGEOBJ_TEXT:
            continue
        size = pdfium_c.FPDFTextObj_GetText(obj.raw, textpage.raw, None, 0)
        buf = ctypes.create_string_buffer(size)
        pdfium_c.FPDFTextObj_GetText(obj.raw, textpage.raw, ctypes.cast(buf, ctypes.POINTER(pdfium_c.FPDF_WCHAR)), size)
        if buf.raw.decode("utf-16-le").rstrip("\x00").strip() == old:
            text = ctypes.create_string_buffer(new.encode("utf-16-le") + b"\0\0")
            assert pdfium_c.FPDFText_SetText(obj.raw, ctypes.cast(text, ctypes.POINTER(pdfium_c.FPDF_WCHAR)))
            break
    else:
        raise AssertionError(f"no text {old!r} on page {page_index + 1}")
    page.gen_content()
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _without_page(data: bytes, page_index: int) -> bytes:
    import pypdfium2 as pdfium

    doc, new = pdfium.PdfDocument(data), pdfium.PdfDocument.new()
    new.import_pages(doc, [i for i in range(len(doc)) if i != page_index])
    out = io.BytesIO()
    new.save(out)
    return out.getvalue()


def _damaged_page_stream(data: bytes) -> bytes:
    """Bytes flipped inside page 3's compressed content stream: pdfminer reads that page as empty."""
    page3 = [m.start() for m in re.finditer(rb"/Type/Page[^s]", data)][2]
    start = data.index(b"stream", page3) + 200  # GemBox writes each page's stream right after the page
    return data[:start] + bytes(b ^ 0xFF for b in data[start : start + 60]) + data[start + 60 :]


DAMAGE = {
    # name: (damage, page named, field named, words in the problem)
    "truncated download": (lambda d: d[: len(d) // 2], None, "(whole file)", "not a readable PDF"),
    "column header renamed": (
        lambda d: _edit_text(d, 0, "Reason", "Notes"),
        1,
        "column header",
        "['Reason'] not found",
    ),
    "unknown status": (
        lambda d: _edit_text(d, 3, "Doubtful", "Sidelined"),
        4,
        "Current Status",
        "Giddey, Josh (Chicago Bulls): unknown status 'Sidelined'",
    ),
    "damaged page content": (_damaged_page_stream, 3, "footer", "'Page 3 of 5' not found; the page has no text"),
    "page missing": (lambda d: _without_page(d, 2), 1, "footer", "reads 'Page 1 of 5' but this is page 1 of the 4"),
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_report_fails_naming_source_date_file_page_and_field(folder, damage):
    make, page, field, problem = DAMAGE[damage]
    data = make((folder / f"{REPORTS[0]}.pdf").read_bytes())
    path = f"archive/live/nba_com/injury_report/2026-02-08/20260208T203000Z__{REPORTS[0]}.pdf"
    with pytest.raises(InjuryReportPdfError) as raw_error:
        injury_report_rows(data, path)
    assert (raw_error.value.page, raw_error.value.field) == (page, field) and problem in raw_error.value.problem

    with pytest.raises(PayloadError) as error:
        injury_report_text(data, DAY, path, source="live")
    message = str(error.value)
    assert message.startswith(f"live nba_com/injury_report for game date 2026-02-08: field {field!r}: ")
    assert problem in message and f"file {path}" in message
    assert (f"page {page}" in message) if page else ("page" not in message.split("file")[-1])
    assert error.value.page == page
