"""The injury report as known before a date's first tip-off: each player's latest published status."""

from __future__ import annotations

import pandas as pd


def latest_injuries(injuries: pd.DataFrame, before: pd.Timestamp | None = None) -> pd.DataFrame:
    """The latest report published (before ``before``) per player."""
    if injuries.empty:
        return injuries
    inj = injuries
    if before is not None:
        published = pd.to_datetime(inj["report_published_at"], utc=True)
        inj = inj[published.isna() | (published < before)]
    return inj.sort_values("report_published_at").groupby(["game_date", "player_lookup"], as_index=False).last()
