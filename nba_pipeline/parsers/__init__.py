"""Phase 2 parsers: one per payload format, whatever source produced the payload.

Each parser takes an archived payload and returns rows for the raw table. Anything it cannot
understand raises :class:`PayloadError` naming the game date, the source file and the field; the
payload itself is already archived, so nothing is lost.
"""

from __future__ import annotations

import datetime as dt


class PayloadError(ValueError):
    def __init__(self, *, endpoint: str, game_date: dt.date, path: str, field: str, problem: str):
        self.endpoint, self.game_date, self.path, self.field, self.problem = endpoint, game_date, path, field, problem
        super().__init__(f"{endpoint} for game date {game_date}: field {field!r}: {problem} (file {path})")
