"""Player shot zone analysis (legacy-system.md 4): each expected player's shot profile over his last
10 (and 20) games before the date. Our sources are box scores, not play-by-play, so paint and
mid-range cannot be told apart: the two measurable zones are three-point and two-point attempts,
and paint and mid-range stay NULL, recorded as missing rather than invented."""

from __future__ import annotations

import numpy as np
import pandas as pd

from nba_pipeline.domain.history import player_state_asof


def primary_zone(three_rate: float) -> str | None:
    """Legacy: paint if paint >= 40%, perimeter if three >= 40%, mid if mid >= 35%, else balanced.
    With two measurable zones: perimeter if three >= 40%, interior if two-pointers >= 65%, else
    balanced."""
    if three_rate is None or pd.isna(three_rate):
        return None
    if three_rate >= 40:
        return "perimeter"
    if 100 - three_rate >= 65:
        return "interior"
    return "balanced"


def player_shot_zone_analysis(upcoming_player_context: pd.DataFrame, player_history: pd.DataFrame) -> pd.DataFrame:
    """Per expected player: three- and two-point attempt shares and percentages, free-throw rate,
    primary zone and sample quality, from his games strictly before the date."""
    if upcoming_player_context.empty:
        return pd.DataFrame()
    state = player_state_asof(upcoming_player_context, player_history)
    out = upcoming_player_context[["game_date", "player_id", "player_lookup"]].merge(
        state, on=["game_date", "player_id"], how="left"
    )
    n = out["games_l10"].fillna(0)
    return out.assign(
        games_in_sample_l10=n.astype(int),
        three_rate_last_10=out["three_rate_l10"],
        three_pct_last_10=out["three_pct_l10"],
        two_rate_last_10=100 - out["three_rate_l10"],
        two_pct_last_10=out["two_pct_l10"],
        fta_rate_last_10=out["fta_rate_l10"],
        three_rate_last_20=out["three_rate_l20"],
        paint_rate_last_10=None,
        mid_range_rate_last_10=None,
        primary_scoring_zone=out["three_rate_l10"].map(primary_zone),
        sample_quality=np.select([n >= 10, n >= 7, n >= 5], ["excellent", "good", "limited"], "insufficient"),
        data_quality_tier=np.select([n >= 10, n >= 5], ["high", "medium"], "low"),
    )
