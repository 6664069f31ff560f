"""A prediction system's walk-forward record, and which systems have proven themselves.

A system's record on game date D is its last ``RECORD_PICKS`` decided picks graded on or before D:
the return per unit staked at the price each pick took (a win pays the price, a loss costs the stake;
pushes and voids are no bet), with a 95 % interval from the bootstrap over game dates. A system is
*proven* while that interval's lower bound is above 0; until it has ``RECORD_PICKS`` decided picks
it is building a record and is not proven. ``model_performance_daily`` stores the record of each
date; the website's ``tonight`` of date D reads the records of the day before, so a pick is judged
only by results known before its tip-off.

Why 500 picks and the lower bound: at about -110 one pick's return has a standard deviation near
0.95 units, so over 500 picks the interval is about +/-8 % wide, and a system is shown as
recommended only once it has returned clearly more than the vig; a streak of 50 lucky picks cannot
do that, and three systems watched every day would otherwise often show a chance "edge".
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from nba_pipeline.domain.betting import OVER, PICK_SIDES, american_profit, price_or_default
from nba_pipeline.domain.evaluation.intervals import CONFIDENCE, bootstrap_mean
from nba_pipeline.markets import with_market

RECORD_PICKS = 500
RECORD_BOOT = 1000
RECORD_SEED = 0  # fixed: a date's record is the same whichever run computes it
# How far back a record reads graded rows: a season and its summer, enough for 500 picks.
RECORD_LOOKBACK_DAYS = 400
RECORD_COLUMNS = (
    "record_picks",
    "record_first_date",
    "record_win_rate",
    "record_roi",
    "record_roi_low",
    "record_roi_high",
    "is_proven",
)
RULE = (
    f"recommended while the lower bound of the {CONFIDENCE:.0%} interval of the ROI at the prices taken over "
    f"the system's last {RECORD_PICKS} decided picks is above 0"
)


def decided_picks(accuracy: pd.DataFrame) -> pd.DataFrame:
    """The graded OVER / UNDER picks that won or lost (pushes and voids staked nothing), with the
    return per unit at the price the pick took (-110 where no price was recorded), by date."""
    cols = ["game_date", "system_id", "market", "won", "profit"]
    if accuracy.empty:
        return pd.DataFrame(columns=cols)
    accuracy = with_market(accuracy)
    a = accuracy[
        accuracy["recommendation"].isin(PICK_SIDES)
        & ~accuracy["is_voided"].astype(bool)
        & accuracy["prediction_correct"].notna()
    ]
    over, under = (pd.to_numeric(a[c], errors="coerce").astype(float).to_numpy() for c in ("over_price", "under_price"))
    price = np.where(a["recommendation"] == OVER, over, under)
    won = a["prediction_correct"].astype(bool).to_numpy()
    profit = np.where(won, american_profit(price_or_default(price)), -1.0)
    out = pd.DataFrame(
        {
            "game_date": pd.to_datetime(a["game_date"]).to_numpy(),
            "system_id": a["system_id"].to_numpy(),
            "market": a["market"].to_numpy(),
        }
    )
    out["won"], out["profit"] = won, profit
    return out.sort_values(["system_id", "market", "game_date"], kind="stable").reset_index(drop=True)


def record(picks: pd.DataFrame) -> dict:
    """The record of one system's picks up to a date (``decided_picks`` rows, oldest first): its last
    RECORD_PICKS picks, their win rate and ROI with the interval, and whether it is proven."""
    last = picks.tail(RECORD_PICKS)
    if last.empty:
        return {c: None for c in RECORD_COLUMNS} | {"record_picks": 0, "is_proven": False}
    roi, low, high = bootstrap_mean(last["profit"], last["game_date"], n_boot=RECORD_BOOT, seed=RECORD_SEED)
    return {
        "record_picks": len(last),
        "record_first_date": pd.Timestamp(last["game_date"].iloc[0]).date(),
        "record_win_rate": float(last["won"].mean()),
        "record_roi": float(roi),
        "record_roi_low": float(low),
        "record_roi_high": float(high),
        "is_proven": bool(len(last) >= RECORD_PICKS and low > 0),
    }


def records(game_dates: list[dt.date], accuracy: pd.DataFrame, served: tuple[tuple[str, str], ...]) -> pd.DataFrame:
    """Per date, system and market (``served``: (system, market) pairs): the record of the picks
    graded on or before the date. A system's record is per market: an edge in one market says nothing
    of another."""
    picks = decided_picks(accuracy)
    by_pair = {(s, m): picks[(picks["system_id"] == s) & (picks["market"] == m)] for s, m in served}
    rows = []
    for game_date in game_dates:
        end = pd.Timestamp(game_date)
        for system, market in served:
            mine = by_pair[(system, market)]
            upto = mine.iloc[: np.searchsorted(mine["game_date"].to_numpy(), end.to_datetime64(), side="right")]
            rows.append({"game_date": game_date, "system_id": system, "market": market, **record(upto)})
    return pd.DataFrame.from_records(rows, columns=["game_date", "system_id", "market", *RECORD_COLUMNS])


def latest_records(performance: pd.DataFrame, before: dt.date) -> pd.DataFrame:
    """Each system's record in each market as it stood at the end of the last date before ``before``
    (the performance rows of earlier dates): what was known before that date's tip-offs."""
    if performance.empty:
        return performance
    rows = with_market(performance[pd.to_datetime(performance["game_date"]) < pd.Timestamp(before)])
    # Whole rows (groupby.last would fill a NULL of the last date from an earlier one).
    return rows.sort_values("game_date", kind="stable").drop_duplicates(["system_id", "market"], keep="last")


def choose_published(known: pd.DataFrame, registry_order: tuple[str, ...]) -> str:
    """The system the website publishes in a market (``known``: the records of that market), by its
    record: a proven system before any other, then the highest lower bound of the ROI interval; the
    registry's order breaks ties and decides while no system has a record yet."""
    ranked = known[known["system_id"].isin(registry_order) & known["record_roi_low"].notna()] if len(known) else known
    if ranked.empty:
        return registry_order[0]
    order = {s: i for i, s in enumerate(registry_order)}
    ranked = ranked.assign(
        _order=ranked["system_id"].map(order), _proven=ranked["is_proven"].fillna(False).astype(bool)
    )
    ranked = ranked.sort_values(["_proven", "record_roi_low", "_order"], ascending=[False, False, True], kind="stable")
    return str(ranked["system_id"].iloc[0])
