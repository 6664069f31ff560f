"""Column types of the table specs, short as in DDL, and the box-score stat columns tables share."""

from __future__ import annotations

# Short column-type aliases, as the specs below read like DDL.
D, TS, S, I, F, B = "DATE", "TIMESTAMP", "VARCHAR", "BIGINT", "DOUBLE", "BOOLEAN"  # noqa: E741

BOX_STATS = {
    k: I
    for k in (
        "fgm",
        "fga",
        "fg3m",
        "fg3a",
        "ftm",
        "fta",
        "oreb",
        "dreb",
        "reb",
        "ast",
        "stl",
        "blk",
        "tov",
        "pf",
        "pts",
    )
}
