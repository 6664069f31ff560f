"""The sportsbooks' odds snapshots of the simulated games: player-points props and game lines, and the
snapshots that carry every prop market (the other markets are priced in ``stat_lines``).

Five books hang half-point lines that scatter around the books' fair pre-game value (each book with
its own offset, coverage and drifting jitter). Snapshots are taken every 2 hours from 12 hours before
the day's first tip up to each game's tip, plus one in-game snapshot at tip + 75 minutes whose lines
have moved toward the actual outcome (a leak the pipeline must filter out).

Pre-game fair values move two ways: with injury news (the books' estimate under the reports published
by then) and with late information, as real markets do: each player's fair value blends that estimate
with a noisy signal of his actual stat (``books.late_info_signals``: the stat plus noise of
``books.LATE_INFO_NOISE`` error widths, one draw per game, player and stat), weighted from 0 at the
opening snapshot to ``books.LATE_INFO_AT_TIP`` at tip-off (``books.late_info_weights``). So the closing
line is a little closer to the outcome than the opening one, and a pick toward the move wins somewhat
more than half the time, not nearly always. Player props only; the game lines move with the reports.

The points market and the game lines draw from the game's ``"odds"`` random stream, exactly as they did
when points were the only market (the late-information noise has a ``"late-info"`` stream of its own);
the other markets draw from streams of their own, so adding or repricing one never moves a points line
or price.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass

import numpy as np

from nba_pipeline.markets import MARKETS, POINTS, POINTS_STAT
from nba_pipeline.sources import formats as fmt
from nba_pipeline.sources.simulated.books import (
    BOOKS,
    MEDIAN_SHIFT,
    VIG,
    LateInfo,
    american,
    late_info_signals,
    late_info_weights,
    round_half,
)
from nba_pipeline.sources.simulated.estimates import PropEstimate
from nba_pipeline.sources.simulated.games import GameInfo
from nba_pipeline.sources.simulated.randomness import seeded_rng
from nba_pipeline.sources.simulated.schedule import SimGame
from nba_pipeline.sources.simulated.stat_lines import Quotes, box_stats, other_markets

_BOOK_COVERAGE = np.array([0.97, 0.90, 0.80, 0.78, 0.68])  # share of eligible players each book lists
_GAME_LINE_COVERAGE = np.array([1.0, 0.99, 0.96, 0.95, 0.9])
SNAPSHOT_INTERVAL = dt.timedelta(hours=2)
SNAPSHOT_LEAD = dt.timedelta(hours=12)
IN_GAME_SNAPSHOT_AFTER_TIP = dt.timedelta(minutes=75)


@dataclass(frozen=True)
class OddsSnapshot:
    """Every book's quotes for one event at one snapshot instant (the truth behind odds payloads)."""

    taken_at: dt.datetime
    in_game: bool
    props: Quotes  # points: book -> [(person_id, quote)]
    game_lines: dict[str, tuple[float, float]]  # book -> (home spread, total)
    last_update: dict[str, dt.datetime]
    other_props: dict[str, Quotes]  # every other prop market: market key -> book -> quotes

    def market_props(self, market: str) -> Quotes:
        """book -> [(person id, quote)] of one prop market."""
        return self.props if market == POINTS.key else self.other_props.get(market, {})

    def book_props(self, book: str) -> list[fmt.PropQuote]:
        """Every prop quote of one book, market by market in ``markets.MARKETS`` order."""
        return [q for m in MARKETS for _, q in self.market_props(m.key).get(book, [])]


def snapshot_times(game: SimGame, first_tip: dt.datetime) -> list[dt.datetime]:
    """Pre-game snapshot instants for the game (every 2 hours from 12 hours before the day's first tip,
    ``first_tip``, up to its tip-off), then the in-game snapshot."""
    out = []
    s = first_tip - SNAPSHOT_LEAD
    while s <= game.tipoff_utc:
        out.append(s)
        s += SNAPSHOT_INTERVAL
    out.append(game.tipoff_utc + IN_GAME_SNAPSHOT_AFTER_TIP)
    return out


@dataclass(frozen=True)
class _BookDraws:
    """Each book's fixed traits for one game: per player (rows) and book, an offset from the fair line,
    whether it lists him and a price skew; per book, game-line offsets and coverage."""

    offset: np.ndarray
    cover: np.ndarray
    skew: np.ndarray
    line_offset: np.ndarray  # (book, [spread, total])
    line_cover: np.ndarray

    @classmethod
    def draw(cls, rng: np.random.Generator, players: int) -> _BookDraws:
        nb = len(BOOKS)
        offset = rng.normal(0, 0.45, (players, nb))
        cover = rng.random((players, nb)) < _BOOK_COVERAGE
        skew = rng.normal(0, 0.015, (players, nb))
        line_offset = rng.normal(0, 0.5, (nb, 2))
        return cls(offset, cover, skew, line_offset, rng.random(nb) < _GAME_LINE_COVERAGE)


def make_odds(
    seed: int, year: int, g: SimGame, info: GameInfo, times: list[dt.datetime], report_times: list[dt.datetime]
) -> list[OddsSnapshot]:
    """Every snapshot of the game at ``times``: pre-game ones priced from the books' estimate under the
    reports published by then, blended toward a noisy signal of the players' actual stats as tip-off
    nears (late information), the last (in-game) one moved toward the actual stats themselves."""
    rng = seeded_rng(seed, year, "odds", g.index)
    row = {p: i for i, p in enumerate(info.roster_pids)}
    m = len(info.roster_pids)
    draws = _BookDraws.draw(rng, m)
    jitter = np.zeros((m, len(BOOKS)))
    line_jitter = np.zeros((len(BOOKS), 2))
    actual = {ln.person_id: ln.pts for ln in info.home_lines + info.away_lines if ln.played}
    snaps: list[tuple] = []
    listed: list[dict[int, PropEstimate]] = []  # per snapshot: the players on the board
    points_fair: list[dict[int, float]] = []  # per snapshot: the books' fair points of each
    last_props: dict[int, PropEstimate] = {}
    last_totals = (0.0, 0.0)
    played = {ln.person_id: box_stats(ln) for ln in info.home_lines + info.away_lines if ln.played}
    late = LateInfo(
        late_info_weights(times[:-1], g.tipoff_utc), late_info_signals(seed, year, g.index, info.roster_pids, played)
    )
    for i, at in enumerate(times):
        in_game = i == len(times) - 1
        jitter += rng.normal(0, 0.1, (m, len(BOOKS)))
        line_jitter += rng.normal(0, 0.2, (len(BOOKS), 2))
        upd = rng.integers(1, 9, len(BOOKS))
        if not in_game:
            props, eh, ea = info.states[bisect.bisect_right(report_times, at)]
            last_props, last_totals = props, (eh, ea)
            fair_by_pid = {p: late.fair(i, p, POINTS_STAT, e.expected_points) for p, e in props.items()}
        else:
            frac = np.clip(rng.normal(0.45, 0.07, m), 0.3, 0.6)
            props = {p: e for p, e in last_props.items() if p in actual}
            fair_by_pid = {
                p: frac[row[p]] * actual[p] + (1 - frac[row[p]]) * e.expected_points for p, e in props.items()
            }
            eh = 0.45 * g.home_score + 0.55 * last_totals[0]
            ea = 0.45 * g.away_score + 0.55 * last_totals[1]
        quotes = _prop_quotes(draws, jitter, props, fair_by_pid, row, g.home)
        last_update = {bk: at - dt.timedelta(minutes=int(upd[bi])) for bi, bk in enumerate(BOOKS)}
        snaps.append((at, in_game, quotes, _game_lines(draws, line_jitter, eh, ea), last_update))
        listed.append(props)
        points_fair.append(fair_by_pid)
    # The other markets after the points loop: the "odds" stream above draws exactly what it always did.
    others = other_markets(seed, year, g, info, listed, points_fair, draws.cover, late)
    return [OddsSnapshot(*snap, other) for snap, other in zip(snaps, others)]


def _prop_quotes(
    draws: _BookDraws,
    jitter: np.ndarray,
    props: dict[int, PropEstimate],
    fair_by_pid: dict[int, float],
    row: dict[int, int],
    home: str,
) -> Quotes:
    """book -> [(person id, quote)] for the listed players (home team first, biggest roles first);
    books that list no one are left out."""
    quotes: dict[str, list[tuple[int, fmt.PropQuote]]] = {bk: [] for bk in BOOKS}
    if props:
        plist = sorted(props, key=lambda p: (props[p].team != home, -props[p].expected_minutes, p))
        rows = np.array([row[p] for p in plist])
        fair = np.array([fair_by_pid[p] for p in plist])[:, None] - MEDIAN_SHIFT
        fair_b = fair + draws.offset[rows] + jitter[rows]
        line = round_half(fair_b)
        diff = fair_b - line
        p_over = 0.5 + 0.066 * diff + draws.skew[rows]
        over = american(p_over * VIG)
        under = american((1 - p_over) * VIG)
        for j, p in enumerate(plist):
            name = props[p].name
            for bi, bk in enumerate(BOOKS):
                if draws.cover[rows[j], bi]:
                    quotes[bk].append((p, fmt.PropQuote(name, float(line[j, bi]), int(over[j, bi]), int(under[j, bi]))))
    return {bk: q for bk, q in quotes.items() if q}


def _game_lines(
    draws: _BookDraws, jitter: np.ndarray, home_points: float, away_points: float
) -> dict[str, tuple[float, float]]:
    """book -> (home spread, total), to the half point, around the expected score."""
    out = {}
    for bi, bk in enumerate(BOOKS):
        if draws.line_cover[bi]:
            spread = -(home_points - away_points) + draws.line_offset[bi, 0] + jitter[bi, 0]
            total = home_points + away_points + draws.line_offset[bi, 1] * 2 + jitter[bi, 1]
            out[bk] = (float(np.round(spread * 2) / 2), float(np.round(total * 2) / 2))
    return out


def pregame_lines(snapshots: list[OddsSnapshot], market: str = POINTS.key) -> dict[int, dict[str, fmt.PropQuote]]:
    """person id -> book -> quote of one market (default points) at the last pre-game snapshot."""
    pregame = [s for s in snapshots if not s.in_game]
    out: dict[int, dict[str, fmt.PropQuote]] = {}
    for bk, quotes in pregame[-1].market_props(market).items():
        for p, q in quotes:
            out.setdefault(p, {})[bk] = q
    return out


def consensus_lines(snapshots: list[OddsSnapshot], market: str = POINTS.key) -> dict[int, float]:
    """person id -> median line of one market (default points) over the books at the last pre-game
    snapshot."""
    lines = pregame_lines(snapshots, market)
    return {p: float(np.median([q.line for q in books.values()])) for p, books in lines.items()}
