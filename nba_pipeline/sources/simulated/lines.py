"""The sportsbooks' lines on the simulated games: player-points props and game lines per snapshot.

Five books hang half-point lines that scatter around the books' fair pre-game estimate (each book with
its own offset, coverage and drifting jitter). Snapshots are taken every 2 hours from 12 hours before
the day's first tip up to each game's tip, plus one in-game snapshot at tip + 75 minutes whose lines
have moved toward the actual outcome (a leak the pipeline must filter out).
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass

import numpy as np

from nba_pipeline.sources import formats as fmt
from nba_pipeline.sources.simulated.estimates import PropEstimate
from nba_pipeline.sources.simulated.games import GameInfo
from nba_pipeline.sources.simulated.randomness import seeded_rng
from nba_pipeline.sources.simulated.schedule import SimGame

BOOKS = ("draftkings", "fanduel", "betmgm", "williamhill_us", "betrivers")
_BOOK_COVERAGE = np.array([0.97, 0.90, 0.80, 0.78, 0.68])  # share of eligible players each book lists
_GAME_LINE_COVERAGE = np.array([1.0, 0.99, 0.96, 0.95, 0.9])
SNAPSHOT_INTERVAL = dt.timedelta(hours=2)
SNAPSHOT_LEAD = dt.timedelta(hours=12)
IN_GAME_SNAPSHOT_AFTER_TIP = dt.timedelta(minutes=75)
MEDIAN_SHIFT = 0.1  # points: books hang lines near the (right-skewed) median, a little under the mean
_VIG = 1.0476  # both sides' implied probabilities are scaled up by the books' margin


@dataclass(frozen=True)
class OddsSnapshot:
    """Every book's quotes for one event at one snapshot instant (the truth behind odds payloads)."""

    taken_at: dt.datetime
    in_game: bool
    props: dict[str, list[tuple[int, fmt.PropQuote]]]  # book -> [(person_id, quote)]
    game_lines: dict[str, tuple[float, float]]  # book -> (home spread, total)
    last_update: dict[str, dt.datetime]


def _round_half(x):
    """Nearest x.5 (player-prop lines are always half points), never below 0.5."""
    return np.maximum(np.floor(x) + 0.5, 0.5)


def _american(implied: np.ndarray) -> np.ndarray:
    """Implied probabilities (with vig) to American prices rounded to 5, clamped to -130..+110."""
    p = np.clip(implied, 0.05, 0.95)
    fav = -100.0 * p / (1.0 - p)
    dog = 100.0 * (1.0 - p) / p
    price = np.where(p >= 0.5, fav, dog)
    price = np.round(price / 5.0) * 5.0
    price = np.where((price > -100) & (price < 100), np.where(p >= 0.5, -100.0, 100.0), price)
    price = np.clip(price, -130, 110)
    return price.astype(int)


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
    reports published by then, the last (in-game) one moved toward the players' actual points."""
    rng = seeded_rng(seed, year, "odds", g.index)
    row = {p: i for i, p in enumerate(info.roster_pids)}
    m = len(info.roster_pids)
    draws = _BookDraws.draw(rng, m)
    jitter = np.zeros((m, len(BOOKS)))
    line_jitter = np.zeros((len(BOOKS), 2))
    actual = {ln.person_id: ln.pts for ln in info.home_lines + info.away_lines if ln.played}
    snaps = []
    last_props: dict[int, PropEstimate] = {}
    last_totals = (0.0, 0.0)
    for i, at in enumerate(times):
        in_game = i == len(times) - 1
        jitter += rng.normal(0, 0.1, (m, len(BOOKS)))
        line_jitter += rng.normal(0, 0.2, (len(BOOKS), 2))
        upd = rng.integers(1, 9, len(BOOKS))
        if not in_game:
            props, eh, ea = info.states[bisect.bisect_right(report_times, at)]
            last_props, last_totals = props, (eh, ea)
            fair_by_pid = {p: e.expected_points for p, e in props.items()}
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
        snaps.append(OddsSnapshot(at, in_game, quotes, _game_lines(draws, line_jitter, eh, ea), last_update))
    return snaps


def _prop_quotes(
    draws: _BookDraws,
    jitter: np.ndarray,
    props: dict[int, PropEstimate],
    fair_by_pid: dict[int, float],
    row: dict[int, int],
    home: str,
) -> dict[str, list[tuple[int, fmt.PropQuote]]]:
    """book -> [(person id, quote)] for the listed players (home team first, biggest roles first);
    books that list no one are left out."""
    quotes: dict[str, list[tuple[int, fmt.PropQuote]]] = {bk: [] for bk in BOOKS}
    if props:
        plist = sorted(props, key=lambda p: (props[p].team != home, -props[p].expected_minutes, p))
        rows = np.array([row[p] for p in plist])
        fair = np.array([fair_by_pid[p] for p in plist])[:, None] - MEDIAN_SHIFT
        fair_b = fair + draws.offset[rows] + jitter[rows]
        line = _round_half(fair_b)
        diff = fair_b - line
        p_over = 0.5 + 0.066 * diff + draws.skew[rows]
        over = _american(p_over * _VIG)
        under = _american((1 - p_over) * _VIG)
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


def pregame_lines(snapshots: list[OddsSnapshot]) -> dict[int, dict[str, fmt.PropQuote]]:
    """person id -> book -> quote at the last pre-game snapshot."""
    pregame = [s for s in snapshots if not s.in_game]
    out: dict[int, dict[str, fmt.PropQuote]] = {}
    for bk, quotes in pregame[-1].props.items():
        for p, q in quotes:
            out.setdefault(p, {})[bk] = q
    return out


def consensus_lines(snapshots: list[OddsSnapshot]) -> dict[int, float]:
    """person id -> median line over the books at the last pre-game snapshot."""
    return {p: float(np.median([q.line for q in books.values()])) for p, books in pregame_lines(snapshots).items()}
