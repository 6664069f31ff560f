"""The NBA's official injury report (a PDF) as the rows every source serves.

The report is one table over several pages: Game Date, Game Time, Matchup, Team, Player Name, Current
Status, Reason. The game, time, matchup and team cells are printed once for their group and span its
rows; a row's cells are bounded by drawn borders; a reason may wrap inside its cell, and the last row of
a page may continue at the top of the next; a team that has filed nothing reads "NOT YET SUBMITTED".
The column header is printed on the first page only, the title ("Injury Report: ...") and the footer
("Page n of m") on every page; the footers prove that every page was read.

:func:`injury_report_csv_from_pdf` turns the file into CSV rows with the columns of
:data:`~nba_pipeline.sources.formats.INJURY_REPORT_COLUMNS` (one row per listed player, with the page
it is listed on), the same rows the historical and simulated sources serve, so
:func:`~nba_pipeline.parsers.injuries.parse_injury_report` stays the one parser of rows. Cells come
from pdfplumber's table finder, with the columns taken from the printed header and the rows from the
drawn borders (the text alone attaches a wrapped reason to the wrong player). Anything that does not
fit this layout raises :class:`InjuryReportPdfError` naming the file, the page and what is wrong.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass

from nba_pipeline.sources.formats import INJURY_REPORT_COLUMNS

COLUMNS = ("Game Date", "Game Time", "Matchup", "Team", "Player Name", "Current Status", "Reason")
STATUSES = ("Out", "Doubtful", "Questionable", "Probable", "Available")
NOT_YET_SUBMITTED = "NOT YET SUBMITTED"

# The generator draws no space glyphs: letters of a word touch, words are ~2.7 pt apart at 10 pt.
_X_TOLERANCE = 1
_Y_TOLERANCE = 3
# A cell's text starts this far right of the cell's left border (GemBox's cell padding), and a column
# boundary is snapped to a drawn border within this distance of where the header puts it.
_CELL_PADDING = 4.0
_SNAP = 6.0

_FOOTER = re.compile(r"^Page (\d+) of (\d+)$")
_DATE = re.compile(r"^\d{2}/\d{2}/\d{4}$")
_TIME = re.compile(r"^\d{1,2}:\d{2} \(ET\)$")
_MATCHUP = re.compile(r"^[A-Z]{2,4}@[A-Z]{2,4}$")


class InjuryReportPdfError(ValueError):
    """The file is not an injury report this module can read. ``page`` is 1-based, None when no page
    could be read at all."""

    def __init__(self, path: str, page: int | None, field: str, problem: str):
        self.path, self.page, self.field, self.problem = path, page, field, problem
        where = f"page {page}" if page is not None else "no page could be read"
        super().__init__(f"injury report PDF {path}, {where}: {field}: {problem}")


@dataclass
class _Line:
    top: float
    bottom: float
    words: list[dict]

    @property
    def text(self) -> str:
        return " ".join(w["text"] for w in self.words)


def _lines(words: list[dict]) -> list[_Line]:
    """Words grouped into printed lines (same baseline within the y tolerance), left to right."""
    lines: list[_Line] = []
    for w in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        if lines and abs(lines[-1].top - w["top"]) <= _Y_TOLERANCE:
            lines[-1].words.append(w)
            lines[-1].bottom = max(lines[-1].bottom, w["bottom"])
        else:
            lines.append(_Line(w["top"], w["bottom"], [w]))
    for line in lines:
        line.words.sort(key=lambda w: w["x0"])
    return lines


def _header_starts(line: _Line) -> list[float] | None:
    """The x where each column's header starts, if ``line`` is the column header row."""
    words = line.words
    starts, i = [], 0
    for name in COLUMNS:
        parts = name.split()
        while i < len(words) and [w["text"] for w in words[i : i + len(parts)]] != parts:
            i += 1
        if i >= len(words):
            return None
        starts.append(words[i]["x0"])
        i += len(parts)
    return starts


def _missing_headers(line: _Line) -> list[str]:
    text = f" {line.text} "
    return [name for name in COLUMNS if f" {name} " not in text]


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


class _Report:
    def __init__(self, path: str, n_pages: int):
        self.path, self.n_pages = path, n_pages
        self.bounds: list[float] | None = None
        self.rows: list[dict] = []
        self.carry = {"gameDate": "", "gameTime": "", "matchup": "", "team": ""}
        self.last_player_row: dict | None = None

    def fail(self, page: int, field: str, problem: str) -> InjuryReportPdfError:
        return InjuryReportPdfError(self.path, page, field, problem)

    # --- geometry ------------------------------------------------------------------------------

    def _bounds(self, page, n: int, starts: list[float]) -> list[float]:
        """Column boundaries for the table finder: each column's left border (snapped to a drawn border
        near where its header text starts) and the right end of the borders of the last column."""
        horizontal = [e for e in page.edges if e["orientation"] == "h"]
        ends = sorted({round(x, 2) for e in horizontal for x in (e["x0"], e["x1"])})
        bounds = []
        for start in starts:
            guess = start - _CELL_PADDING
            near = [x for x in ends if abs(x - guess) <= _SNAP]
            bounds.append(min(near, key=lambda x: abs(x - guess)) if near else guess)
        last = [e["x1"] for e in horizontal if abs(e["x0"] - bounds[-1]) <= _SNAP]
        if not last:
            raise self.fail(n, "row borders", f"no borders drawn under the {COLUMNS[-1]!r} column (a layout change?)")
        bounds.append(max(last))
        if any(b >= a for a, b in zip(bounds[1:], bounds)):
            raise self.fail(n, "column header", f"columns out of order at x={[round(b, 1) for b in bounds]}")
        return bounds

    # --- one page ------------------------------------------------------------------------------

    def read_page(self, page, n: int) -> None:
        words = page.extract_words(x_tolerance=_X_TOLERANCE, y_tolerance=_Y_TOLERANCE)
        lines = _lines(words)
        top = 0.0
        # Every page prints "Page n of m": a page without it was not read whole (a damaged content
        # stream reads as an empty page, with no error from pdfminer).
        footer = next((ln for ln in reversed(lines) if _FOOTER.match(ln.text)), None)
        if footer is None:
            found = f"the page reads {lines[0].text[:60]!r}..." if lines else "the page has no text"
            raise self.fail(
                n, "footer", f"'Page {n} of {self.n_pages}' not found; {found} (damaged, or a layout change)"
            )
        number, total = map(int, _FOOTER.match(footer.text).groups())
        if (number, total) != (n, self.n_pages):
            raise self.fail(
                n,
                "footer",
                f"reads {footer.text!r} but this is page {n} of the {self.n_pages} "
                "pages in the file (pages missing or out of order)",
            )
        bottom = footer.top - 1
        title = next((ln for ln in lines if ln.text.startswith("Injury Report:")), None)
        if title is not None:
            top = title.bottom + 1
        header = next((ln for ln in lines if ln.top >= top and _header_starts(ln) is not None), None)
        if header is not None:
            self.bounds = self._bounds(page, n, _header_starts(header))
            top = header.bottom + 1
        elif self.bounds is None:
            first = next((ln for ln in lines if ln.top >= top), None)
            found = f"; the first line reads {first.text[:80]!r}" if first else ""
            missing = _missing_headers(first) if first else list(COLUMNS)
            raise self.fail(
                n,
                "column header",
                f"columns {missing} not found (expected the header {' | '.join(COLUMNS)} above the first row){found}",
            )
        area = page.crop((0, top, page.width, bottom))
        settings = {
            "vertical_strategy": "explicit",
            "explicit_vertical_lines": self.bounds,
            "horizontal_strategy": "lines",
            "explicit_horizontal_lines": [top],
            "text_x_tolerance": _X_TOLERANCE,
            "text_y_tolerance": _Y_TOLERANCE,
        }
        tables = sorted(area.find_tables(settings), key=lambda t: t.bbox[1])
        cells = [c for t in tables for row in t.rows for c in row.cells if c is not None]
        for w in area.extract_words(x_tolerance=_X_TOLERANCE, y_tolerance=_Y_TOLERANCE):
            cx, cy = (w["x0"] + w["x1"]) / 2, (w["top"] + w["bottom"]) / 2
            if not any(c[0] <= cx <= c[2] and c[1] <= cy <= c[3] for c in cells):
                raise self.fail(
                    n,
                    "table",
                    f"{w['text']!r} at x={w['x0']:.0f}, y={w['top']:.0f} lies outside "
                    "the table's cells (a layout change?)",
                )
        for table in tables:
            for values in table.extract(x_tolerance=_X_TOLERANCE, y_tolerance=_Y_TOLERANCE):
                if len(values) != len(COLUMNS):
                    raise self.fail(n, "table", f"a row has {len(values)} cells, expected {len(COLUMNS)}")
                self.read_row(n, [_clean(v) for v in values])

    # --- one row -------------------------------------------------------------------------------

    def read_row(self, n: int, values: list[str]) -> None:
        game_date, game_time, matchup, team, player, status, reason = values
        if not any(values):
            return
        if not any((game_date, game_time, matchup, team, player, status)):
            # The rest of the reason of the row above (a cell split by the page break).
            if self.last_player_row is None:
                raise self.fail(n, "Reason", f"{reason!r} belongs to no player row")
            self.last_player_row["reason"] = f"{self.last_player_row['reason']} {reason}".strip()
            return
        self._carry(n, game_date, game_time, matchup, team)
        if not player and not status:
            if reason != NOT_YET_SUBMITTED:
                raise self.fail(n, "Player Name", f"a row of {self.carry['team']} has no player and reason {reason!r}")
            self.last_player_row = None
            return
        if not player:
            raise self.fail(n, "Player Name", f"a row of {self.carry['team']} with status {status!r} has no player")
        if status not in STATUSES:
            raise self.fail(
                n,
                "Current Status",
                f"{player} ({self.carry['team']}): unknown status {status!r} (expected one of {', '.join(STATUSES)})",
            )
        row = {**self.carry, "player": player, "status": status, "reason": reason, "page": n}
        self.rows.append(row)
        self.last_player_row = row

    def _carry(self, n: int, game_date: str, game_time: str, matchup: str, team: str) -> None:
        """A group's cells are printed on its first row only; a new outer value starts a new group."""
        checks = (
            ("gameDate", "Game Date", game_date, _DATE),
            ("gameTime", "Game Time", game_time, _TIME),
            ("matchup", "Matchup", matchup, _MATCHUP),
            ("team", "Team", team, None),
        )
        for i, (key, column, value, pattern) in enumerate(checks):
            if not value:
                continue
            if pattern is not None and not pattern.match(value):
                raise self.fail(n, column, f"{value!r} is not a {column.lower()}")
            if key == "gameDate":
                try:
                    dt.datetime.strptime(value, "%m/%d/%Y")
                except ValueError:
                    raise self.fail(n, column, f"{value!r} is not a date") from None
            self.carry[key] = value
            for inner, _, _, _ in checks[i + 1 :]:
                self.carry[inner] = ""
        for key, column, _, _ in checks:
            if not self.carry[key]:
                raise self.fail(n, column, "a row whose group has no value in this column (none printed above it)")


def injury_report_rows(data: bytes, path: str) -> list[dict]:
    """Every player row of the report, in printed order, keyed by ``INJURY_REPORT_COLUMNS``.
    ``path`` only names the file in errors."""
    import pdfplumber  # here, not at import: every process that loads the definitions would pay for it

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        pages = pdf.pages
    except Exception as exc:  # pdfminer raises many types for a damaged file; all mean "unreadable"
        raise InjuryReportPdfError(
            path, None, "(whole file)", f"not a readable PDF ({type(exc).__name__}: {exc}); truncated or not a PDF?"
        ) from exc
    with pdf:
        report = _Report(path, len(pages))
        if not pages:
            raise report.fail(1, "(whole file)", "the PDF has no pages")
        for n, page in enumerate(pages, start=1):
            try:
                report.read_page(page, n)
            except InjuryReportPdfError:
                raise
            except Exception as exc:  # a damaged page (content stream, fonts): name it, keep the cause
                raise report.fail(n, "(page content)", f"unreadable ({type(exc).__name__}: {exc})") from exc
            finally:
                page.close()
    return report.rows


def injury_report_csv_from_pdf(data: bytes, path: str) -> str:
    """The report as CSV text with the columns ``INJURY_REPORT_COLUMNS``: what the historical and
    simulated sources serve for a report, so Phase 2 parses every source's report with one parser."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=INJURY_REPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(injury_report_rows(data, path))
    return buf.getvalue()
