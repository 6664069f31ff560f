"""Player-name normalization: the join key between box scores, rosters, injuries and lines."""

from __future__ import annotations

import functools
import re
import unicodedata

# Letters NFKD does not decompose into ASCII.
_TRANSLATE = str.maketrans(
    {"ı": "i", "İ": "I", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ß": "ss", "æ": "ae"}
)
_SUFFIXES = {"jr", "sr", "ii", "iii", "iv", "v"}


@functools.lru_cache(maxsize=65536)  # a season has ~600 names, parsed hundreds of thousands of times
def player_lookup(name: str | None) -> str | None:
    """ASCII-folded, lower-case, punctuation and generational suffixes removed.

    "Nikola Jokić" -> "nikolajokic"; "Jaren Jackson Jr." -> "jarenjackson"; "Jokic, Nikola" (the
    injury report's "Last, First") -> "nikolajokic".

    Legacy kept "jr" in the key; sources disagree on suffixes (books often drop them), so we drop
    them to make the cross-source join robust.
    """
    if name is None:
        return None
    text = str(name).strip()
    if not text:
        return None
    if "," in text:
        last, _, first = text.partition(",")
        # "Jaquez Jr., Jaime" -> "Jaime Jaquez Jr."
        text = f"{first.strip()} {last.strip()}"
    text = unicodedata.normalize("NFKD", text.translate(_TRANSLATE))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    tokens = [re.sub(r"[^a-z0-9]", "", tok) for tok in re.split(r"[\s\-]+", text)]
    tokens = [t for t in tokens if t]
    while len(tokens) > 2 and tokens[-1] in _SUFFIXES:
        tokens.pop()
    return "".join(tokens) or None
