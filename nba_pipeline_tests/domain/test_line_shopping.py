"""Markets as a registry, the vig removed, fractional Kelly, the best price over every book, the
"agree with the other books" rule against alternate lines, and no leakage in the walk-forward."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from nba_pipeline import markets
from nba_pipeline.cli import main
from nba_pipeline.domain import line_shopping as shop
from nba_pipeline.domain.betting import OVER, UNDER, kelly_stake, no_vig_probabilities
from nba_pipeline.domain.evaluation.markets import error_width_by_line, walk_forward
from nba_pipeline.domain.line_shopping import LINE_SIZE_GROUPS
from nba_pipeline.sources.historical.files import HistoricalDataError
from nba_pipeline.sources.historical.props import read_quotes

D = dt.date(2025, 1, 15)
SIGMA = {markets.THREES.key: 1.2, markets.POINTS.key: 5.0}


def quotes(rows, market=markets.THREES.key, game_date=D, player="jaysontatum") -> pd.DataFrame:
    """(bookmaker, line, over price, under price) rows of one player's market on one date."""
    frame = pd.DataFrame(rows, columns=["bookmaker", "line", "over_price", "under_price"])
    return frame.assign(game_date=game_date, event="NYK @ BOS", player_lookup=player, market=market)


def test_vig_removal_on_hand_made_prices():
    over, under = no_vig_probabilities(-110, -110)
    assert (over, under) == pytest.approx((0.5, 0.5))
    # -130 / +110: implied 130/230 and 100/210, sum 1.0414; each divided by the sum.
    over, under = no_vig_probabilities(-130, 110)
    assert over == pytest.approx((130 / 230) / (130 / 230 + 100 / 210))
    assert over == pytest.approx(0.5427, abs=1e-4) and over + under == pytest.approx(1.0)
    # 20.5 at -130 says something other than 20.5 at +110: the fair P(over) differs.
    assert no_vig_probabilities(110, -130)[0] == pytest.approx(1 - over)
    both = no_vig_probabilities(pd.Series([-110.0, np.nan]), pd.Series([-110.0, -110.0]))
    assert both[0].iloc[0] == pytest.approx(0.5) and np.isnan(both[0].iloc[1])


def test_kelly_stake_arithmetic():
    # p = 0.55 at +100: b = 1, full Kelly (0.55 - 0.45) / 1 = 0.10, quarter 0.025.
    assert kelly_stake(0.55, 100) == pytest.approx(0.025)
    assert kelly_stake(0.55, 100, fraction=1.0) == pytest.approx(0.10)
    # At -110, b = 100/110: (0.55 b - 0.45) / b = 0.055, quarter 0.01375.
    assert kelly_stake(0.55, -110) == pytest.approx(0.25 * (0.55 * (100 / 110) - 0.45) / (100 / 110))
    # No edge, or below the break-even: no stake, never a negative one.
    assert kelly_stake(0.5, 100) == 0.0 and kelly_stake(0.5, -110) == 0.0
    assert kelly_stake(np.array([0.6, 0.4]), np.array([150, 150])).tolist() == pytest.approx(
        [0.25 * (0.6 * 1.5 - 0.4) / 1.5, 0]
    )


def test_the_best_price_over_every_book_is_the_pick():
    q = quotes([("draftkings", 2.5, -150, 120), ("fanduel", 2.5, -120, -100), ("betmgm", 2.5, -135, 105)])
    prediction = q[shop.KEY].drop_duplicates().assign(median=3.4, sigma=1.2)
    best = shop.best_bets(q, prediction)
    assert len(best) == 1
    pick = best.iloc[0]
    # The over at -120 beats the same over at -135 and -150: same P(win), the best price.
    assert (pick["side"], pick["bookmaker"], pick["price"]) == (OVER, "fanduel", -120)
    p_over = shop.side_probabilities(3.4, 1.2, 2.5)[0]
    assert pick["p_win"] == pytest.approx(float(p_over))
    assert pick["expected_value"] == pytest.approx(float(p_over) * 100 / 120 - (1 - float(p_over)))
    assert pick["kelly"] == pytest.approx(float(kelly_stake(float(p_over), -120)))
    # A low median makes the under the bet, at the book paying most for it.
    under = shop.best_bets(q, prediction.assign(median=1.6)).iloc[0]
    assert (under["side"], under["bookmaker"], under["price"]) == (UNDER, "draftkings", 120)
    # The priority book is what a pick costs without shopping.
    assert shop.priority_quote(q)["bookmaker"].tolist() == ["draftkings"]


def test_lines_differ_across_books_and_the_best_bet_can_be_another_line():
    q = quotes([("draftkings", 2.5, -110, -110), ("fanduel", 1.5, -110, -110)])
    prediction = q[shop.KEY].drop_duplicates().assign(median=2.6, sigma=1.2)
    pick = shop.best_bets(q, prediction).iloc[0]
    # Over 1.5 at -110 wins far more often than over 2.5 at the same price.
    assert (pick["bookmaker"], pick["line"], pick["side"]) == ("fanduel", 1.5, OVER)


def test_an_alternate_line_under_the_main_label_is_dropped_and_would_be_the_naive_pick():
    """The 2024-25 threes case: one book's "1.5" at +230 / -335 while the others price 1.5 near even."""
    q = quotes(
        [
            ("draftkings", 1.5, -115, -105),
            ("fanduel", 1.5, -110, -110),
            ("betmgm", 1.5, 100, -120),
            ("betrivers", 1.5, 230, -335),
            # Another real line, priced consistently with the others (P(over 2.5) about 0.2).
            ("caesars", 2.5, 350, -450),
        ]
    )
    kept = shop.consistent_quotes(q, SIGMA)
    assert sorted(kept["bookmaker"]) == ["betmgm", "caesars", "draftkings", "fanduel"]
    # At face value the +230 over looks like a gift, and a naive best-price search buys it.
    fair = shop.fair_lines(shop.with_no_vig(q), SIGMA).rename(columns={"fair_median": "median"}).assign(sigma=1.2)
    naive = shop.best_bets(q, fair).iloc[0]
    assert (naive["bookmaker"], naive["side"]) == ("betrivers", OVER) and naive["expected_value"] > 0.2
    fair_kept = shop.fair_lines(kept, SIGMA).rename(columns={"fair_median": "median"}).assign(sigma=1.2)
    assert shop.best_bets(kept, fair_kept).iloc[0]["bookmaker"] != "betrivers"


def test_two_books_that_disagree_are_both_dropped_a_lone_quote_stays():
    pair = quotes([("fanduel", 1.5, -136, 106), ("betrivers", 1.5, 225, -315)])
    assert shop.consistent_quotes(pair, SIGMA).empty
    agreeing = quotes([("fanduel", 1.5, -136, 106), ("draftkings", 1.5, -130, 100)])
    assert len(shop.consistent_quotes(agreeing, SIGMA)) == 2
    assert len(shop.consistent_quotes(quotes([("betrivers", 1.5, 225, -315)]), SIGMA)) == 1


def test_leave_one_out_median_matches_the_plain_definition():
    rng = np.random.default_rng(7)
    group, values = rng.integers(0, 40, 500), rng.normal(size=500).round(1)
    got = shop.leave_one_out_median(group, values)
    for i in range(len(values)):
        others = values[(group == group[i]) & (np.arange(len(values)) != i)]
        if len(others):
            assert got[i] == pytest.approx(np.median(others))
        else:
            assert np.isnan(got[i])


def season(n_dates=30, players=30, seed=3, market=markets.THREES.key, stat=markets.THREES_STAT):
    """A small season of one market: four books around each player's true mean, and box scores."""
    rng = np.random.default_rng(seed)
    rows, stats = [], []
    for d in range(n_dates):
        game_date = D + dt.timedelta(days=d)
        for p in range(players):
            mean = 1.0 + 0.1 * p
            line = np.floor(mean) + 0.5
            for b, book in enumerate(("draftkings", "fanduel", "betmgm", "caesars")):
                skew = rng.integers(-15, 16) + 10 * (b - 1.5)
                rows.append((game_date, f"player{p}", book, line, -110 + skew, -110 - skew))
            stats.append((game_date, f"player{p}", rng.poisson(mean)))
    q = pd.DataFrame(rows, columns=["game_date", "player_lookup", "bookmaker", "line", "over_price", "under_price"])
    q = q.assign(event="AWY @ HOM", market=market)
    q[["over_price", "under_price"]] = q[["over_price", "under_price"]].where(
        q[["over_price", "under_price"]].abs() >= 100, 100
    )
    return q, pd.DataFrame(stats, columns=["game_date", "player_lookup", stat])


def test_a_dates_picks_use_nothing_from_that_date_or_later():
    q, stats = season()
    cut = D + dt.timedelta(days=20)
    before = walk_forward(q, stats).picks
    # Change every result from the cut on: the picks of those dates stay the same (only what was
    # graded before a date sizes its error width).
    changed = stats.copy()
    later = changed["game_date"] >= cut
    changed.loc[later, markets.THREES_STAT] = changed.loc[later, markets.THREES_STAT] + 3
    after = walk_forward(q, changed).picks
    cols = [*shop.KEY, "bookmaker", "side", "line", "price", "p_win"]
    on_cut = before[before["game_date"] == cut][cols].reset_index(drop=True)
    assert len(on_cut) and on_cut.equals(after[after["game_date"] == cut][cols].reset_index(drop=True))
    # ... and the grading does see the change.
    assert not before["actual"].equals(after["actual"])


def write_props(folder, rows) -> None:
    header = "snapshot_file,event_id,player,market,line,bookmaker,game,game_time,over_odds,under_odds"
    (folder / "props").mkdir(parents=True, exist_ok=True)
    lines = [header, *(",".join(str(v) for v in r) for r in rows)]
    (folder / "props" / "odds_api_player_threes_2025-26.csv").write_text("\n".join(lines) + "\n")


def props_row(snapshot, book, over, under, line=2.5, player="Jayson Tatum", market="player_threes"):
    return (snapshot, "e1", player, market, line, book, "New York Knicks @ Boston Celtics", "2025-10-22T23:30:00Z", over,
            under)  # fmt: skip


def test_the_error_width_is_reported_by_line_size():
    # Counts: the spread grows with the mean (Poisson), so the biggest lines have the widest errors.
    q, stats = season(n_dates=30, players=30)
    widths = error_width_by_line(walk_forward(q, stats))
    assert len(widths) == LINE_SIZE_GROUPS and widths["player_games"].sum() == 30 * 30
    assert widths["error_sd"].iloc[-1] > widths["error_sd"].iloc[0]
    assert widths["lines"].iloc[0].startswith("1.5") and widths["lines"].iloc[-1].endswith("3.5")


def test_the_walk_forward_prices_with_the_width_of_the_line_s_size():
    q, stats = season(n_dates=30, players=30)
    fair = walk_forward(q, stats).fair
    fair = fair[fair["game_date"] == fair["game_date"].max()]
    by_line = fair.groupby("modal_line")["sigma"].first()
    # Enough history (3 x 150 player-games): the big lines get a wider error than the small ones.
    assert by_line.loc[3.5] > by_line.loc[1.5]
    one_width = walk_forward(q, stats, by_line_size=False).fair
    assert one_width.loc[one_width["game_date"] == one_width["game_date"].max(), "sigma"].nunique() == 1


def test_a_line_or_price_after_tip_off_changes_nothing(tmp_path):
    pre = [
        props_row("raw_20251022_170000.csv", "draftkings", -120, 100),
        props_row("raw_20251022_170000.csv", "fanduel", -115, -105),
        props_row("raw_20251022_230000.csv", "fanduel", -125, 105),  # the latest pre-tip quote
        props_row("raw_20251022_170000.csv", "betmgm", -110, -110),
    ]
    write_props(tmp_path / "clean", pre)
    in_game = [
        props_row("raw_20251022_233000.csv", "draftkings", 300, -450, line=1.5),  # at tip-off
        props_row("raw_20251023_010000.csv", "fanduel", -900, 550),
        props_row("raw_20251023_010000.csv", "caesars", 400, -600),  # a book seen only in-game
    ]
    write_props(tmp_path / "leaky", pre + in_game)
    clean, leaky = read_quotes(tmp_path / "clean"), read_quotes(tmp_path / "leaky")
    pd.testing.assert_frame_equal(clean, leaky)
    assert (leaky["snapshot_at"] < leaky["tipoff"]).all()
    assert leaky.set_index("bookmaker").loc["fanduel", "over_price"] == -125
    # The game date is the tip-off's date in New York (23:30 UTC on the 22nd is 19:30 ET).
    assert set(leaky["game_date"]) == {dt.date(2025, 10, 22)}


def test_an_unregistered_market_is_refused_naming_the_file_and_the_field(tmp_path):
    write_props(tmp_path, [props_row("raw_20251022_170000.csv", "fanduel", -115, -105, market="player_blocks")])
    with pytest.raises(HistoricalDataError, match=r"raw_20251022_170000\.csv.*'market'.*player_blocks"):
        read_quotes(tmp_path)


def test_a_new_market_is_one_registry_entry(monkeypatch, tmp_path):
    blocks = markets.Market("player_blocks", "blocks", ("blocks",), error_width=1.2)
    monkeypatch.setitem(markets.BY_KEY, blocks.key, blocks)
    monkeypatch.setattr(markets, "MARKETS", (*markets.MARKETS, blocks))
    assert markets.market("player_blocks") is blocks
    assert markets.odds_api_markets(markets.MARKETS).endswith(",player_blocks")
    assert markets.credits_per_event(markets.MARKETS) == 6
    # Its lines are read and settled on its stat like any other market's.
    write_props(tmp_path, [props_row("raw_20251022_170000.csv", "fanduel", -115, -105, market="player_blocks")])
    assert read_quotes(tmp_path)["market"].tolist() == ["player_blocks"]
    q, stats = season(n_dates=8, market=blocks.key, stat="blocks")
    result = walk_forward(q, stats)
    assert set(result.fair["market"]) == {"player_blocks"} and result.fair["actual"].notna().all()


def test_prices_settle_on_the_sum_of_the_market_stats():
    row = {markets.POINTS_STAT: 20, markets.REBOUNDS_STAT: 7, markets.ASSISTS_STAT: 5, markets.THREES_STAT: 2}
    assert markets.PRA.actual(row) == 32 and markets.THREES.actual(row) == 2
    assert markets.market("pra") is markets.PRA and markets.market("player_pra") is markets.PRA
    with pytest.raises(ValueError, match="unknown prop market 'blocks'"):
        markets.market("blocks")
    # One event-odds call carries every market; the Odds API bills each market and region.
    assert markets.odds_api_markets().split(",") == [m.key for m in markets.MARKETS]
    assert markets.credits_per_event(regions=2) == 2 * len(markets.MARKETS)


def test_real_lines_every_market_registered_pre_tip_and_alternate_lines_dropped(real_data):
    q = read_quotes(real_data)
    assert set(q["market"]) == set(markets.BY_KEY)
    assert (q["snapshot_at"] < q["tipoff"]).all()
    threes = shop.with_no_vig(q[(q["market"] == markets.THREES.key) & (q["game_date"] < dt.date(2025, 7, 1))])
    at_15 = threes[threes["line"] == 1.5]
    median_over = at_15.groupby(shop.KEY)["over_price"].transform("median")
    books = at_15.groupby(shop.KEY)["bookmaker"].transform("nunique")
    suspicious = at_15[(at_15["over_price"] >= 200) & (median_over < 130) & (books >= 2)]
    assert len(suspicious) > 50  # the case is in the data
    kept = shop.consistent_quotes(threes, SIGMA)
    survivors = suspicious.merge(kept[[*shop.KEY, "bookmaker", "line"]], on=[*shop.KEY, "bookmaker", "line"])
    assert survivors.empty


def test_evaluate_markets_on_real_lines(real_data, capsys):
    code = main(
        ["evaluate-markets", "--historical-dir", str(real_data), "--market", "assists", "--n-boot", "50", "--naive"]
    )
    out, widths = capsys.readouterr().out.split("error width by line size")
    assert code == 0
    assert "1 snapshot(s) per date at most" in out and "closing-line value: not measurable here" in out
    rows = [line.split() for line in out.splitlines() if line.startswith(("player_assists", "pooled"))]
    assert len([line for line in widths.splitlines() if line.startswith("player_assists")]) == 3
    assert [r[0] for r in rows] == ["player_assists", "pooled"] and int(rows[0][1]) > 100
    assert "without the alternate-line rule" in out


def test_evaluate_markets_refuses_an_unknown_market(real_data, capsys):
    assert main(["evaluate-markets", "--historical-dir", str(real_data), "--market", "blocks"]) == 2
    assert "unknown prop market 'blocks'" in capsys.readouterr().err
