"""Pre-game line drift in the simulated league: does the closing line know more than the opening one?

    python benchmarks/line_drift.py [--days 30] [--start 2024-11-01] [--seed 20241022]

Per prop market, over the games of ``--days`` dates from ``--start``: the player-games quoted at both
the opening and the closing pre-game snapshot whose player played, the mean |close - open| of the
consensus (median over the books) line, the opening and closing consensus' mean absolute error against
the actual stat, how often a pick at the opening consensus toward the side the line later moved to
wins (close > open: the over at the open; pushes and unmoved lines left out), and that pick's no-vig
chance at the opening price (mean over the books quoting the consensus line), its break-even share.

The books move toward injury news and toward a noisy signal of the outcome (``books.LATE_INFO_NOISE``
error widths of noise, weight ``books.LATE_INFO_AT_TIP`` at tip-off), so the close beats the open
modestly and the toward-close share sits above one half without giving the result away. Compare it
with the price: a count line moves at a step where the side toward the move is already favoured, so
the count markets' shares run higher than points' at the same edge.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
from dataclasses import dataclass, field

import numpy as np

from nba_pipeline.markets import ASSISTS_STAT, MARKETS, POINTS_STAT, REBOUNDS_STAT, THREES_STAT, Market
from nba_pipeline.sources.simulated import SimulatedSource
from nba_pipeline.sources.simulated.lines import OddsSnapshot

YEAR = 2024


@dataclass
class _Tally:
    moves: list[float] = field(default_factory=list)
    open_errors: list[float] = field(default_factory=list)
    close_errors: list[float] = field(default_factory=list)
    wins: int = 0
    losses: int = 0
    priced: list[float] = field(default_factory=list)  # per pick: the picked side's no-vig chance at the open


def _consensus(snap: OddsSnapshot, market: str) -> dict[int, float]:
    by_player: dict[int, list[float]] = {}
    for quotes in snap.market_props(market).values():
        for p, q in quotes:
            by_player.setdefault(p, []).append(q.line)
    return {p: float(np.median(lines)) for p, lines in by_player.items()}


def _implied(price: int) -> float:
    return 100 / (price + 100) if price > 0 else -price / (100 - price)


def _pick_chance(snap: OddsSnapshot, market: str, player: int, line: float, over: bool) -> float | None:
    """The books' no-vig chance of the pick (over or under ``line``) at the snapshot: the mean over the
    books quoting exactly that line (None if none does)."""
    chances = []
    for quotes in snap.market_props(market).values():
        for p, q in quotes:
            if p == player and q.line == line:
                o, u = _implied(q.over_price), _implied(q.under_price)
                chances.append((o if over else u) / (o + u))
    return statistics.mean(chances) if chances else None


def _box_stats(ln) -> dict[str, float]:
    return {POINTS_STAT: ln.pts, REBOUNDS_STAT: ln.oreb + ln.dreb, ASSISTS_STAT: ln.ast, THREES_STAT: ln.fg3m}


def _tally_game(season, game_id: str, tallies: dict[str, _Tally]) -> None:
    pre = [s for s in season.odds_snapshots(game_id) if not s.in_game]
    box = {ln.person_id: _box_stats(ln) for side in season.box(game_id) for ln in side if ln.played}
    for m in MARKETS:
        t = tallies[m.key]
        opening, closing = _consensus(pre[0], m.key), _consensus(pre[-1], m.key)
        for p, open_line in opening.items():
            if p not in closing or p not in box:
                continue
            x, close_line = float(m.actual(box[p])), closing[p]
            t.moves.append(abs(close_line - open_line))
            t.open_errors.append(abs(open_line - x))
            t.close_errors.append(abs(close_line - x))
            if close_line != open_line and x != open_line:
                t.wins += (x > open_line) == (close_line > open_line)
                t.losses += (x > open_line) != (close_line > open_line)
                chance = _pick_chance(pre[0], m.key, p, open_line, close_line > open_line)
                if chance is not None:
                    t.priced.append(chance)


def measure(seed: int, start: dt.date, days: int) -> dict[str, _Tally]:
    season = SimulatedSource(seed=seed).league.season(YEAR)
    tallies = {m.key: _Tally() for m in MARKETS}
    end = start + dt.timedelta(days=days)
    for g in season.games:
        if start <= g.game_date < end:
            _tally_game(season, g.game_id, tallies)
    return tallies


def _row(m: Market, t: _Tally) -> str:
    picks = t.wins + t.losses
    share = f"{t.wins / picks:.3f} of {picks}" if picks else "n/a"
    priced = f"{statistics.mean(t.priced):.3f}" if t.priced else "n/a"
    return (
        f"{m.key:<30} {len(t.moves):>7} {statistics.mean(t.moves):>12.3f} "
        f"{statistics.mean(t.open_errors):>9.3f} {statistics.mean(t.close_errors):>10.3f}   {share:<14} {priced:>7}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=30, help="dates to cover (default 30)")
    ap.add_argument("--start", type=dt.date.fromisoformat, default=dt.date(2024, 11, 1))
    ap.add_argument("--seed", type=int, default=20241022)
    args = ap.parse_args()
    tallies = measure(args.seed, args.start, args.days)
    end = args.start + dt.timedelta(days=args.days - 1)
    print(f"simulated season {YEAR}, seed {args.seed}, {args.start} .. {end}")
    print(
        f"{'market':<30} {'players':>7} {'|close-open|':>12} {'MAE open':>9} {'MAE close':>10}   "
        f"{'toward-close wins':<14} {'priced':>7}"
    )
    for m in MARKETS:
        if tallies[m.key].moves:
            print(_row(m, tallies[m.key]))


if __name__ == "__main__":
    main()
