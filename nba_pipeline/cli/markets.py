"""`nba-pipeline evaluate-markets`: the line-based system walk-forward over every prop market of a
real-data folder, bought at the best consistent price, graded, with intervals."""

from __future__ import annotations

import time
from pathlib import Path

from nba_pipeline import markets
from nba_pipeline.cli.home import UsageError, game_date
from nba_pipeline.domain.evaluation.markets import (
    error_width_by_line,
    format_error_widths,
    format_scorecard,
    summarize,
    walk_forward,
)
from nba_pipeline.sources.historical.props import read_player_stats, read_quotes


def cmd_evaluate_markets(args) -> int:
    root = Path(args.historical_dir)
    if not (root / "props").is_dir() or not (root / "box_scores").is_dir():
        raise UsageError(f"{root} is not a historical data folder: it needs props/ and box_scores/")
    try:
        wanted = [markets.market(m).key for m in args.market or ()]
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    t0 = time.perf_counter()
    # A file that cannot be read raises HistoricalDataError (a dg.Failure naming the file and the
    # field): the command prints it as one line, exit 2.
    quotes, stats = read_quotes(root), read_player_stats(root)
    if quotes.empty:
        raise UsageError(f"{root / 'props'} holds no pre-tip quotes of a registered market")
    if args.start:
        quotes = quotes[quotes["game_date"] >= args.start]
    if args.end:
        quotes = quotes[quotes["game_date"] <= args.end]
    if args.market:
        quotes = quotes[quotes["market"].isin(wanted)]
    snapshots = quotes.groupby("game_date")["snapshot_at"].nunique()
    print(
        f"{len(quotes):,} pre-tip quotes: {quotes['market'].nunique()} markets, "
        f"{quotes['bookmaker'].nunique()} books, {quotes['game_date'].nunique()} dates, "
        f"{snapshots.max() if len(snapshots) else 0} snapshot(s) per date at most"
    )
    if len(snapshots) and snapshots.max() < 2:
        # Closing-line value needs an earlier snapshot to compare with the last pre-tip one.
        print("closing-line value: not measurable here (one snapshot of lines per date)")
    result = walk_forward(quotes, stats)
    naive = summarize(walk_forward(quotes, stats, filter_quotes=False), n_boot=args.n_boot) if args.naive else None
    print()
    print(format_scorecard(summarize(result, n_boot=args.n_boot), naive))
    print("\nerror width by line size (terciles of each market's lines)")
    print(format_error_widths(error_width_by_line(result)))
    print(f"\n{time.perf_counter() - t0:.0f} s")
    return 0


def add_parser(sub) -> None:
    m = sub.add_parser(
        "evaluate-markets",
        help="walk-forward of the line-based system over every prop market of a real-data folder: "
        "best consistent price over every book, ROI at the price taken / the priority book / the consensus",
    )
    m.add_argument("--historical-dir", required=True, help="a historical data folder (props/, box_scores/)")
    m.add_argument("--start", type=game_date)
    m.add_argument("--end", type=game_date)
    m.add_argument(
        "--market", action="append", help=f"market key (repeatable; default every one: {markets.odds_api_markets()})"
    )
    m.add_argument("--n-boot", type=int, default=2000, help="bootstrap resamples of game dates (default 2000)")
    m.add_argument(
        "--naive", action="store_true", help="also score every quote at face value (without the alternate-line rule)"
    )
    m.set_defaults(func=cmd_evaluate_markets)
