"""The line-based system walk-forward over every prop market of real lines: each date's picks made
only from what was known before it (the books' pre-tip quotes of the date, the error widths of
earlier dates), bought at the best price over every consistent quote, graded on the box scores.

The system is line_anchored_v1 on every market: a player's fair median is the median over books of
what each quote implies with its vig removed (``line_shopping.fair_lines``); the error around it is
normal with the width of the market's earlier errors (actual - fair median). A bet is made on the
side and at the book with the highest expected value, when that value is positive.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from nba_pipeline import markets
from nba_pipeline.domain import line_shopping as shop
from nba_pipeline.domain.betting import OVER, american_odds, american_profit, decimal_odds
from nba_pipeline.domain.evaluation.intervals import bootstrap_mean, bootstrap_paired_difference

# Error widths before a market has MIN_HISTORY graded player-games of its own (about the spread of
# actual - consensus on the 2024-25 season).
MIN_HISTORY = 150
CALIBRATION_BINS = np.linspace(0.0, 1.0, 11)


def _actuals(quotes: pd.DataFrame, stats: pd.DataFrame) -> np.ndarray:
    """Each quote's settled value (NaN: the player has no box-score row, the bet is void)."""
    joined = quotes[["game_date", "player_lookup", "market"]].merge(
        stats, on=["game_date", "player_lookup"], how="left"
    )  # a left merge keeps the quotes' order
    out = np.full(len(joined), np.nan)
    for key, idx in joined.groupby("market").indices.items():
        out[idx] = markets.market(key).actual(joined.iloc[idx]).to_numpy(dtype=float)
    return out


def _sigma(history: pd.DataFrame, keys: list[str]) -> dict[str, float]:
    """Each market's error width from the graded fair medians of earlier dates, or the registry's."""
    out = {}
    for key in keys:
        errors = history.loc[history["market"] == key, "error"]
        out[key] = float(errors.std()) if len(errors) >= MIN_HISTORY else markets.market(key).error_width
    return out


def _line_widths(history: pd.DataFrame, sigma: dict[str, float]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per market, the error width by line size from earlier dates; one width (``sigma``) until every
    tercile has MIN_HISTORY graded player-games."""
    out = {}
    for key, width in sigma.items():
        h = history[history["market"] == key]
        by_size = shop.widths_by_line_size(h["line"], h["error"], MIN_HISTORY)
        out[key] = by_size if by_size is not None else (np.array([]), np.array([width]))
    return out


def _width_at(widths: dict[str, tuple[np.ndarray, np.ndarray]], market: pd.Series, line: pd.Series) -> np.ndarray:
    out = np.full(len(market), np.nan)
    m = market.to_numpy()
    for key, (cuts, sds) in widths.items():
        rows = m == key
        out[rows] = shop.width_at(cuts, sds, line.to_numpy(dtype=float)[rows])
    return out


def _settle(side: pd.Series, line: pd.Series, price: pd.Series, actual: pd.Series) -> pd.Series:
    """Profit per unit of a bet: the price's profit on a win, -1 on a loss, 0 on a push; NaN if void."""
    over = side == OVER
    won = np.where(over, actual > line, actual < line)
    pushed = actual == line
    profit = np.asarray(american_profit(price.astype(float)), dtype=float)
    out = np.where(pushed, 0.0, np.where(won, profit, -1.0))
    return pd.Series(np.where(actual.isna(), np.nan, out), index=side.index)


def _alternative_prices(picks: pd.DataFrame, quotes: pd.DataFrame) -> pd.DataFrame:
    """The same side of each pick at the priority book's quote, and at the consensus (the modal line
    at the median price over the books quoting it)."""
    priority = shop.priority_quote(quotes).rename(
        columns={"line": "priority_line", "over_price": "priority_over", "under_price": "priority_under"}
    )
    modal = quotes.groupby(shop.KEY)["line"].agg(lambda s: s.mode().iloc[0]).rename("consensus_line")
    at_modal = quotes.merge(modal.reset_index(), on=shop.KEY)
    at_modal = at_modal[at_modal["line"] == at_modal["consensus_line"]].assign(
        over_decimal=lambda f: decimal_odds(f["over_price"].astype(float)),
        under_decimal=lambda f: decimal_odds(f["under_price"].astype(float)),
    )
    # The median price in decimal odds (American odds jump from -100 to +100).
    consensus = (
        at_modal.groupby(shop.KEY)
        .agg(consensus_line=("line", "first"), over=("over_decimal", "median"), under=("under_decimal", "median"))
        .reset_index()
    )
    consensus["consensus_over"] = american_odds(consensus.pop("over"))
    consensus["consensus_under"] = american_odds(consensus.pop("under"))
    out = picks.merge(
        priority[[*shop.KEY, "priority_line", "priority_over", "priority_under"]], on=shop.KEY, how="left"
    ).merge(consensus, on=shop.KEY, how="left")
    over = out["side"] == OVER
    out["priority_price"] = np.where(over, out["priority_over"], out["priority_under"])
    out["consensus_price"] = np.where(over, out["consensus_over"], out["consensus_under"])
    return out


@dataclass
class WalkForward:
    picks: pd.DataFrame  # each date's best bets, graded at the price taken, the priority book's, the consensus
    fair: pd.DataFrame  # every player-game's fair median, error width and actual value
    quotes: pd.DataFrame  # every consistent quote's fair P(over) and actual value (calibration)


def walk_forward(
    quotes: pd.DataFrame,
    stats: pd.DataFrame,
    filter_quotes: bool = True,
    min_expected_value: float = 0.0,
    by_line_size: bool = True,
) -> WalkForward:
    """Every date's best bets made from that date's pre-tip quotes and earlier dates' errors only,
    graded; with the fair medians and fair probabilities they came from. The error width is taken by
    line size (terciles of the market's earlier lines) once each tercile has MIN_HISTORY graded
    player-games, else one per market (``by_line_size=False``: always one per market)."""
    q = shop.with_no_vig(quotes).reset_index(drop=True)
    q["actual"] = _actuals(q, stats) if len(q) else np.nan
    picks, fairs, quoted = [], [], []
    history = pd.DataFrame(
        {"market": pd.Series(dtype=str), "line": pd.Series(dtype=float), "error": pd.Series(dtype=float)}
    )
    for _, day in q.groupby("game_date", sort=True):
        sigma = _sigma(history, sorted(day["market"].unique()))
        if by_line_size:
            widths = _line_widths(history, sigma)
            day = day.assign(width=_width_at(widths, day["market"], day["line"]))
        if filter_quotes:
            day = shop.consistent_quotes(day, sigma)
        fair = shop.fair_lines(day, sigma)
        fair["sigma"] = (
            _width_at(widths, fair["market"], fair["modal_line"]) if by_line_size else fair["market"].map(sigma)
        )
        actual = day.groupby(shop.KEY)["actual"].first().reset_index()
        fair = fair.merge(actual, on=shop.KEY)
        fairs.append(fair)
        # The fair P(over) at every quote's line, for calibration over all quotes, not only the picks.
        priced = day.merge(fair[[*shop.KEY, "fair_median", "sigma"]], on=shop.KEY)
        priced["p_over_fair"], _ = shop.side_probabilities(priced["fair_median"], priced["sigma"], priced["line"])
        quoted.append(priced[[*shop.KEY, "bookmaker", "line", "p_over_fair", "actual"]])
        best = shop.best_bets(day.drop(columns="actual"), fair.rename(columns={"fair_median": "median"}))
        best = best[best["expected_value"] > min_expected_value]
        if len(best):
            picks.append(_alternative_prices(best.merge(actual, on=shop.KEY), day))
        graded = fair.dropna(subset=["actual"])
        if len(graded):
            history = pd.concat(
                [
                    history,
                    pd.DataFrame(
                        {
                            "market": graded["market"],
                            "line": graded["modal_line"].astype(float),
                            "error": graded["actual"] - graded["fair_median"],
                        }
                    ),
                ]
            )
    picks_frame = pd.concat(picks, ignore_index=True) if picks else pd.DataFrame()
    if len(picks_frame):
        for name, line, price in (
            ("taken", "line", "price"),
            ("priority", "priority_line", "priority_price"),
            ("consensus", "consensus_line", "consensus_price"),
        ):
            picks_frame[f"profit_{name}"] = _settle(
                picks_frame["side"], picks_frame[line], picks_frame[price], picks_frame["actual"]
            )
        picks_frame["won"] = (picks_frame["profit_taken"] > 0).astype(float).where(picks_frame["profit_taken"] != 0)
    return WalkForward(
        picks_frame,
        pd.concat(fairs, ignore_index=True) if fairs else pd.DataFrame(),
        pd.concat(quoted, ignore_index=True) if quoted else pd.DataFrame(),
    )


def calibration_error(p_win: pd.Series, won: pd.Series) -> float:
    """Expected calibration error: the share-weighted gap between mean P(win) and the win rate, over
    ten bins of P(win); pushes and voids left out."""
    mask = won.notna() & p_win.notna()
    p, w = p_win[mask].to_numpy(), won[mask].to_numpy()
    if not len(p):
        return float("nan")
    bins = np.clip(np.digitize(p, CALIBRATION_BINS) - 1, 0, len(CALIBRATION_BINS) - 2)
    return float(
        sum(abs(p[bins == b].mean() - w[bins == b].mean()) * (bins == b).sum() for b in np.unique(bins)) / len(p)
    )


def summarize(result: WalkForward, n_boot: int = 2000) -> pd.DataFrame:
    """Per market and pooled: graded picks, hit rate, ROI at the price taken / the priority book's /
    the consensus with 95 % intervals (whole dates resampled), shopping's gain over the priority book
    (paired), calibration error, the fair median's MAE and error width."""
    picks, fair, quotes = result.picks, result.fair, result.quotes
    rows = []
    groups = [
        (m, picks[picks["market"] == m], fair[fair["market"] == m], quotes[quotes["market"] == m])
        for m in sorted(picks["market"].unique())
    ]
    for label, p, f, q in [*groups, ("pooled", picks, fair, quotes)]:
        graded = p.dropna(subset=["profit_taken"])
        if graded.empty:
            continue
        dates = graded["game_date"].astype(str).to_numpy()
        row = {
            "market": label,
            "picks": len(graded),
            "dates": len(set(dates)),
            "hit_rate": float(graded["won"].mean()),
            "mean_ev": float(graded["expected_value"].mean()),
        }
        for name in ("taken", "priority", "consensus"):
            est, lo, hi = bootstrap_mean(graded[f"profit_{name}"].to_numpy(), dates, n_boot=n_boot)
            row.update({f"roi_{name}": est, f"roi_{name}_lo": lo, f"roi_{name}_hi": hi})
        both = graded.dropna(subset=["profit_priority"])
        est, lo, hi = bootstrap_paired_difference(
            both["profit_taken"].to_numpy(),
            both["profit_priority"].to_numpy(),
            both["game_date"].astype(str).to_numpy(),
            n_boot=n_boot,
        )
        row.update(
            {
                "shopping_gain": est,
                "shopping_gain_lo": lo,
                "shopping_gain_hi": hi,
                "calibration_error": calibration_error(graded["p_win"], graded["won"]),
            }
        )
        settled = q.dropna(subset=["actual"])
        settled = settled[settled["actual"] != settled["line"]]
        row["fair_calibration_error"] = calibration_error(
            settled["p_over_fair"], (settled["actual"] > settled["line"]).astype(float)
        )
        errors = (f["actual"] - f["fair_median"]).dropna()
        row.update({"fair_mae": float(errors.abs().mean()), "error_sd": float(errors.std())})
        rows.append(row)
    return pd.DataFrame(rows)


def error_width_by_line(result: WalkForward) -> pd.DataFrame:
    """Per market and tercile of its lines (the modal line of each player-game): the player-games,
    the lines they span and the error width (sd of actual - fair median) and bias: whether a big line
    is as uncertain, relative to its size, as a small one."""
    fair = result.fair.dropna(subset=["actual", "fair_median"])
    rows = []
    for market, f in fair.groupby("market"):
        groups = pd.qcut(f["modal_line"].rank(method="first"), shop.LINE_SIZE_GROUPS, labels=False)
        for _, g in f.groupby(groups):
            errors = g["actual"] - g["fair_median"]
            rows.append(
                {
                    "market": market,
                    "lines": f"{g['modal_line'].min():g}-{g['modal_line'].max():g}",
                    "player_games": len(g),
                    "error_sd": float(errors.std()),
                    "bias": float(errors.mean()),
                }
            )
    return pd.DataFrame(rows, columns=["market", "lines", "player_games", "error_sd", "bias"])


def format_error_widths(widths: pd.DataFrame) -> str:
    lines = [f"{'market':<32}{'lines':<12}{'player-games':>13}{'error sd':>10}{'bias':>8}"]
    for r in widths.itertuples():
        lines.append(f"{r.market:<32}{r.lines:<12}{r.player_games:>13,}{r.error_sd:>10.2f}{r.bias:>+8.2f}")
    return "\n".join(lines)


def format_scorecard(summary: pd.DataFrame, naive: pd.DataFrame | None = None) -> str:
    """The scorecard as text: a line per market and the pooled line, intervals in brackets."""

    def ci(r, name):
        return f"{100 * r[f'roi_{name}']:+.1f}% [{100 * r[f'roi_{name}_lo']:+.1f}, {100 * r[f'roi_{name}_hi']:+.1f}]"

    lines = [
        f"{'market':<32}{'picks':>6}{'hit':>7}  {'ROI taken':<24}{'ROI priority book':<24}"
        f"{'ROI consensus':<24}{'shopping gain':<24}{'ECE':>6}{'fair ECE':>9}{'fair MAE':>9}{'sd':>6}"
    ]
    for _, r in summary.iterrows():
        gain = (
            f"{100 * r['shopping_gain']:+.1f}% [{100 * r['shopping_gain_lo']:+.1f}, {100 * r['shopping_gain_hi']:+.1f}]"
        )
        lines.append(
            f"{r['market']:<32}{r['picks']:>6}{100 * r['hit_rate']:>6.1f}%  {ci(r, 'taken'):<24}"
            f"{ci(r, 'priority'):<24}{ci(r, 'consensus'):<24}{gain:<24}{r['calibration_error']:>6.3f}"
            f"{r['fair_calibration_error']:>9.3f}"
            f"{r['fair_mae']:>9.2f}{r['error_sd']:>6.2f}"
        )
    if naive is not None and len(naive):
        pooled = naive[naive["market"] == "pooled"].iloc[0]
        lines.append(
            f"\nwithout the alternate-line rule (every quote taken at face value): pooled ROI at the price "
            f"taken {ci(pooled, 'taken')} on {pooled['picks']} picks"
        )
    return "\n".join(lines)
