"""The sportsbooks' lines on the simulated games' other player-prop markets: rebounds, assists, threes
made and points + rebounds + assists (every market of ``markets.MARKETS`` but points).

The books list a player in these markets only when they list his points, at half-point lines around
their fair estimate of the stat (each book with its own offset, coverage and drifting jitter, per
market). Counts are priced off a negative binomial, so a threes line of 0.5 or 1.5 carries the price
its skew calls for; PRA, a large total, is priced like points around the sum of the three stats' fair
values. Before tip-off each stat's fair value absorbs late information as points' does: the estimate
blended toward the stat's noisy signal (``books.late_info_signals``, drawn once per game, player and
stat, its noise scaled by the stat's error width) with the weight ``books.late_info_weights`` gives the
snapshot (0 at the opening, ``books.LATE_INFO_AT_TIP`` at tip-off; PRA moves with its three stats and
inherits their noise). The in-game snapshot moves each stat toward its actual value, as points are
moved.

Every market draws from random streams of its own (``"odds-<market key>"`` and
``"odds-in-game-stats"``), never from the points stream, so the points lines are what they were before
these markets existed. The late-information signals come from the game's ``"late-info"`` stream, drawn
once in ``lines.make_odds`` and shared with points.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nba_pipeline.markets import (
    ASSISTS,
    ASSISTS_STAT,
    POINTS,
    POINTS_STAT,
    PRA,
    REBOUNDS,
    REBOUNDS_STAT,
    THREES,
    THREES_STAT,
    Market,
)
from nba_pipeline.sources import formats as fmt
from nba_pipeline.sources.simulated.books import BOOKS, MEDIAN_SHIFT, VIG, LateInfo, american, round_half
from nba_pipeline.sources.simulated.estimates import PropEstimate
from nba_pipeline.sources.simulated.games import GameInfo
from nba_pipeline.sources.simulated.randomness import seeded_rng
from nba_pipeline.sources.simulated.schedule import SimGame

Quotes = dict[str, list[tuple[int, fmt.PropQuote]]]  # one market's quotes: book -> [(person id, quote)]


@dataclass(frozen=True)
class _StatPricing:
    """How the books price one non-points prop market."""

    market: Market
    # Negative-binomial overdispersion (variance = mean + dispersion * mean^2) of a count stat, measured
    # on the simulated box scores around the books' estimates; None: priced like points (a normal line
    # near the median, for PRA's large totals).
    dispersion: float | None
    coverage: float  # share of a book's points listings it also lists in this market
    min_expected: float  # the books skip players expected below this (a centre's threes)
    lowest: int  # price clamp: small counts carry long prices on one side
    highest: int


# Every registered market but points, in markets.MARKETS order (the tests check none is missing).
OTHER_MARKETS = (
    _StatPricing(REBOUNDS, dispersion=0.04, coverage=0.96, min_expected=0.0, lowest=-250, highest=200),
    _StatPricing(ASSISTS, dispersion=0.04, coverage=0.94, min_expected=0.0, lowest=-250, highest=200),
    _StatPricing(THREES, dispersion=0.09, coverage=0.88, min_expected=0.3, lowest=-400, highest=300),
    _StatPricing(PRA, dispersion=None, coverage=0.90, min_expected=0.0, lowest=-130, highest=110),
)
# The books' estimate of each box-score stat (markets.py's names): the PropEstimate field holding it.
_EXPECTED = {
    POINTS_STAT: "expected_points",
    REBOUNDS_STAT: "expected_rebounds",
    ASSISTS_STAT: "expected_assists",
    THREES_STAT: "expected_threes",
}
_OFFSET_PER_WIDTH = 0.45 / POINTS.error_width  # the points books' offset, per unit of the stat's spread
_JITTER_PER_WIDTH = 0.1 / POINTS.error_width


def box_stats(ln: fmt.PlayerLine) -> dict[str, float]:
    """A played box-score line's stats under markets.py's names (what each market settles on)."""
    return {POINTS_STAT: ln.pts, REBOUNDS_STAT: ln.oreb + ln.dreb, ASSISTS_STAT: ln.ast, THREES_STAT: ln.fg3m}


@dataclass
class _MarketBooks:
    """Each book's traits in one non-points market of one game (rows: players, columns: books): an
    offset from the fair value, whether it lists him (only if it lists his points) and a price skew,
    plus the drifting jitter, updated in place snapshot by snapshot."""

    offset: np.ndarray
    cover: np.ndarray
    skew: np.ndarray
    jitter: np.ndarray

    @classmethod
    def draw(cls, rng: np.random.Generator, pricing: _StatPricing, points_cover: np.ndarray) -> _MarketBooks:
        shape = points_cover.shape
        offset = rng.normal(0, pricing.market.error_width * _OFFSET_PER_WIDTH, shape)
        cover = points_cover & (rng.random(shape) < pricing.coverage)
        return cls(offset, cover, rng.normal(0, 0.015, shape), np.zeros(shape))


def other_markets(
    seed: int,
    year: int,
    g: SimGame,
    info: GameInfo,
    listed: list[dict[int, PropEstimate]],
    points_fair: list[dict[int, float]],
    points_cover: np.ndarray,
    late: LateInfo,
) -> list[dict[str, Quotes]]:
    """Per snapshot: market -> book -> quotes of every market but points, for the players listed on
    points. A market's fair value is the sum of its stats' (PRA: the three), so it moves with them;
    ``late``: what the books learn before tip-off (``books.LateInfo``)."""
    row = {p: i for i, p in enumerate(info.roster_pids)}
    fair_stats = _fair_stats(seed, year, g, info, listed, points_fair, row, late)
    out: list[dict[str, Quotes]] = [{} for _ in listed]
    for pricing in OTHER_MARKETS:
        # Each market has its own stream: adding or repricing one leaves every other market's draws alone.
        rng = seeded_rng(seed, year, f"odds-{pricing.market.key}", g.index)
        books = _MarketBooks.draw(rng, pricing, points_cover)
        for i, props in enumerate(listed):
            books.jitter += rng.normal(0, pricing.market.error_width * _JITTER_PER_WIDTH, books.jitter.shape)
            fair = {p: float(pricing.market.actual(st)) for p, st in fair_stats[i].items()}
            quotes = _market_quotes(pricing, books, props, fair, row, g.home)
            if quotes:
                out[i][pricing.market.key] = quotes
    return out


def _fair_stats(
    seed: int,
    year: int,
    g: SimGame,
    info: GameInfo,
    listed: list[dict[int, PropEstimate]],
    points_fair: list[dict[int, float]],
    row: dict[int, int],
    late: LateInfo,
) -> list[dict[int, dict[str, float]]]:
    """Per snapshot: person id -> stat -> the books' fair value: before tip-off their estimate blended
    toward the stat's late-information signal with the snapshot's weight (``late``); at the
    in-game snapshot moved part of the way from the estimate toward the actual stat, as points are
    (whose fair values, late information and in-game move included, come from the points market)."""
    actual = {ln.person_id: box_stats(ln) for ln in info.home_lines + info.away_lines if ln.played}
    rng = seeded_rng(seed, year, "odds-in-game-stats", g.index)
    weight = {s: np.clip(rng.normal(0.45, 0.07, len(row)), 0.3, 0.6).tolist() for s in _EXPECTED if s != POINTS_STAT}
    out = []
    for i, (props, pts) in enumerate(zip(listed, points_fair)):
        in_game = i == len(listed) - 1
        snap = {}
        for p, e in props.items():
            stats = {POINTS_STAT: pts[p]}
            for stat, w in weight.items():
                expected = getattr(e, _EXPECTED[stat])
                if in_game:
                    w_p = w[row[p]]
                    stats[stat] = w_p * actual[p][stat] + (1 - w_p) * expected
                else:
                    stats[stat] = late.fair(i, p, stat, expected)
            snap[p] = stats
        out.append(snap)
    return out


def _market_quotes(
    pricing: _StatPricing,
    books: _MarketBooks,
    props: dict[int, PropEstimate],
    fair_by_pid: dict[int, float],
    row: dict[int, int],
    home: str,
) -> Quotes:
    """book -> [(person id, quote)] of one non-points market, players in the points order (home team
    first, biggest roles first) less those the market skips."""
    market = pricing.market
    plist = sorted(props, key=lambda p: (props[p].team != home, -props[p].expected_minutes, p))
    if pricing.min_expected > 0:
        plist = [p for p in plist if market.actual(_expected_stats(props[p])) >= pricing.min_expected]
    if not plist:
        return {}
    rows = np.array([row[p] for p in plist])
    fair = np.array([fair_by_pid[p] for p in plist])[:, None]
    if pricing.dispersion is None:
        # A large total skews right like points: the line sits a little under the mean, as points' does.
        fair_b = fair - MEDIAN_SHIFT + books.offset[rows] + books.jitter[rows]
        line = round_half(fair_b)
        # The over's chance moves with the density at the line: about 0.4 / the stat's spread per unit.
        p_over = 0.5 + 0.4 / market.error_width * (fair_b - line) + books.skew[rows]
    else:
        mean_b = np.maximum(fair + books.offset[rows] + books.jitter[rows], 0.05)
        line, p_over = _count_line(mean_b, pricing.dispersion)
        p_over = p_over + books.skew[rows]
    # Plain lists: indexing numpy arrays one scalar at a time is slow, and a date asks for thousands.
    line_l, cover_l = line.tolist(), books.cover[rows].tolist()
    over = american(p_over * VIG, pricing.lowest, pricing.highest).tolist()
    under = american((1 - p_over) * VIG, pricing.lowest, pricing.highest).tolist()
    quotes: Quotes = {}
    for j, p in enumerate(plist):
        name = props[p].name
        for bi, bk in enumerate(BOOKS):
            if cover_l[j][bi]:
                q = fmt.PropQuote(name, float(line_l[j][bi]), over[j][bi], under[j][bi], market.key)
                quotes.setdefault(bk, []).append((p, q))
    return quotes


def _expected_stats(e: PropEstimate) -> dict[str, float]:
    return {stat: getattr(e, attr) for stat, attr in _EXPECTED.items()}


def _count_line(mean: np.ndarray, dispersion: float) -> tuple[np.ndarray, np.ndarray]:
    """(line, chance of the over) of a count stat with this mean: the half-point line whose over is
    closest to an even chance under a negative binomial, so small counts get 0.5 / 1.5 / 2.5 lines
    priced off even money when the stat is skewed."""
    r = 1.0 / dispersion
    ratio = mean / (r + mean)
    pmf = (r / (r + mean)) ** r
    cdf = [pmf]
    for k in range(int(np.ceil(mean.max() * 3)) + 10):  # far enough into the tail to pass the median
        pmf = pmf * (k + r) / (k + 1) * ratio
        cdf.append(cdf[-1] + pmf)
    below = np.stack(cdf, axis=-1)  # P(X <= k)
    k = np.argmin(np.abs(below - 0.5), axis=-1)
    return k + 0.5, 1.0 - np.take_along_axis(below, k[..., None], axis=-1)[..., 0]
