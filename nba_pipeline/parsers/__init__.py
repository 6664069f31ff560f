"""Phase 2 parsers: one per payload format, whatever source produced the payload.

Each parser takes an archived payload and returns rows for the raw table. Anything it cannot
understand raises :class:`PayloadError` naming the game date, the source file and the field; the
payload itself is already archived, so nothing is lost.
"""

from __future__ import annotations

import datetime as dt


class PayloadError(ValueError):
    """``page`` (1-based) locates the problem inside a paged document (the injury report PDF)."""

    def __init__(
        self, *, endpoint: str, game_date: dt.date, path: str, field: str, problem: str, page: int | None = None
    ):
        self.endpoint, self.game_date, self.path, self.field, self.problem = endpoint, game_date, path, field, problem
        self.page = page
        where = f"file {path}, page {page}" if page is not None else f"file {path}"
        super().__init__(f"{endpoint} for game date {game_date}: field {field!r}: {problem} ({where})")
