"""SimulatedSource and the simulated league behind it: determinism, volume, consistency, as_of.

Offline and fast: one season is built once (about 2 s) and shared by every test through the
module-level league cache; a second seed and a fresh (uncached) league cost one build each.
"""

from __future__ import annotations

import bisect
import collections
import csv
import datetime as dt
import hashlib
import io
import json
import os
import statistics
import subprocess
import sys
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from nba_pipeline.domain.names import player_lookup
from nba_pipeline.domain.teams import BY_TRICODE, team_by_name
from nba_pipeline.markets import MARKETS, POINTS, PRA, THREES
from nba_pipeline.sources import formats as fmt
from nba_pipeline.sources.base import (
    ALL_ENDPOINTS,
    BOXSCORE_TRADITIONAL,
    INJURY_REPORT,
    ODDS_GAME_LINES,
    ODDS_PLAYER_PROPS,
    PLAYER_GAME_LOG,
    SCHEDULE,
    TEAM_ROSTER,
    NbaSource,
    count_records,
)
from nba_pipeline.sources.simulated import (
    BOOKS,
    DND_INJURY,
    DNP_COACH,
    DNP_INJURY,
    DNP_REST,
    NWT_PERSONAL,
    SimulatedLeague,
    SimulatedSource,
    event_id_for,
    get_league,
)

ET = ZoneInfo("America/New_York")
UTC = dt.UTC
SEED = 20241022
YEAR = 2024
DAY = dt.date(2024, 11, 15)  # a Friday with a full slate
COMMENTS = {DNP_COACH, DNP_INJURY, DNP_REST, NWT_PERSONAL, DND_INJURY}


@pytest.fixture(scope="module")
def source() -> SimulatedSource:
    return SimulatedSource(seed=SEED)


@pytest.fixture(scope="module")
def season(source):
    return source.league.season(YEAR)


def _after_all(season, day: dt.date) -> dt.datetime:
    return max(g.end_utc for g in season.games_on(day)) + dt.timedelta(hours=3)


def _before_all(season, day: dt.date) -> dt.datetime:
    return min(g.tipoff_utc for g in season.games_on(day)) - dt.timedelta(minutes=1)


def _all_payloads(src: NbaSource, day: dt.date, as_of: dt.datetime):
    return {ep: src.fetch(ep, day, as_of) for ep in ALL_ENDPOINTS}


def _digest(payloads) -> str:
    h = hashlib.sha256()
    for ep in ALL_ENDPOINTS:
        for p in payloads[ep]:
            h.update(f"{ep}|{p.name}|{p.url}|{p.fetched_at.isoformat()}|".encode())
            h.update(p.to_bytes())
    return h.hexdigest()


# --- the source interface -----------------------------------------------------------------------


def test_source_basics(source):
    assert isinstance(source, NbaSource)
    assert source.source_name == "simulated"
    assert source.seed == SEED and source.boxscore_delay_minutes == 20 and source.withheld_game_ids == []
    assert source.league is get_league(SEED) is SimulatedSource(seed=SEED).league


# --- determinism --------------------------------------------------------------------------------


def test_same_seed_identical_payloads(source, season):
    as_of = _after_all(season, DAY)
    a = _all_payloads(source, DAY, as_of)
    b = _all_payloads(SimulatedSource(seed=SEED), DAY, as_of)
    assert _digest(a) == _digest(b)
    # A league built from scratch (not the cached one) produces the same truth.
    fresh = SimulatedLeague(SEED).season(YEAR)
    for g in season.games[::97]:
        mine, theirs = season.box(g.game_id), fresh.box(g.game_id)
        assert [fmt_line(x) for x in mine[0] + mine[1]] == [fmt_line(x) for x in theirs[0] + theirs[1]]
        assert season.pregame_lines(g.game_id) == fresh.pregame_lines(g.game_id)
    assert [(g.game_id, g.home, g.away, g.tipoff_utc) for g in fresh.games] == [
        (g.game_id, g.home, g.away, g.tipoff_utc) for g in season.games
    ]


def fmt_line(ln: fmt.PlayerLine) -> tuple:
    return (ln.person_id, ln.minutes, ln.pts, ln.fga, ln.fg3m, ln.ftm, ln.comment, ln.starter_position)


def test_same_seed_identical_across_processes(source, season):
    """No salted hash() or global random: another interpreter produces the same bytes."""
    code = (
        "import datetime as dt, hashlib\n"  # noqa: UP031  (the generated code has braces of its own)
        "from nba_pipeline.sources.simulated import SimulatedSource\n"
        "from nba_pipeline.sources.base import ALL_ENDPOINTS\n"
        "src = SimulatedSource(seed=%d)\n"
        "as_of = dt.datetime.fromisoformat(%r)\n"
        "h = hashlib.sha256()\n"
        "for ep in ALL_ENDPOINTS:\n"
        "    for p in src.fetch(ep, dt.date(2024, 11, 15), as_of):\n"
        "        h.update(f'{ep}|{p.name}|{p.url}|{p.fetched_at.isoformat()}|'.encode()); h.update(p.to_bytes())\n"
        "print(h.hexdigest())\n"
    ) % (SEED, _after_all(season, DAY).isoformat())
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "12345", **_env()},
    )
    assert out.stdout.strip() == _digest(_all_payloads(source, DAY, _after_all(season, DAY)))


def _env() -> dict:
    return {k: v for k, v in os.environ.items() if k != "PYTHONHASHSEED"}


def test_different_seed_differs(source, season):
    other = SimulatedSource(seed=SEED + 1)
    as_of = _after_all(season, DAY)
    other_season = other.league.season(YEAR)
    day = DAY if other_season.games_on(DAY) else other_season.game_days[20]
    assert _digest(_all_payloads(source, day, as_of)) != _digest(_all_payloads(other, day, as_of))
    assert [g.home + g.away for g in season.games[:50]] != [g.home + g.away for g in other_season.games[:50]]
    assert event_id_for(SEED, "0022400001") != event_id_for(SEED + 1, "0022400001")


# --- the season's shape ---------------------------------------------------------------------------


def test_season_volume_and_schedule(season):
    games = season.games
    assert 1200 <= len(games) <= 1260
    per_team, home = collections.Counter(), collections.Counter()
    for g in games:
        per_team[g.home] += 1
        per_team[g.away] += 1
        home[g.home] += 1
    assert set(per_team) == set(BY_TRICODE)
    assert set(per_team.values()) == {82}
    assert set(home.values()) == {41}
    by_day = collections.defaultdict(list)
    for g in games:
        by_day[g.game_date].append(g)
    for day, day_games in by_day.items():
        teams = [t for g in day_games for t in (g.home, g.away)]
        assert len(teams) == len(set(teams)), f"a team plays twice on {day}"
        assert len(day_games) <= 15
    counts = [len(v) for v in by_day.values()]
    assert statistics.median(counts) >= 5 and np.percentile(counts, 90) <= 12
    # Game ids in date order, 002YYNNNNN.
    assert [g.game_id for g in games] == [f"00224{i:05d}" for i in range(1, len(games) + 1)]
    assert all(a.game_date <= b.game_date for a, b in zip(games, games[1:]))
    assert games[0].game_date == dt.date(2024, 10, 22) and games[-1].game_date <= dt.date(2025, 4, 16)
    # All-Star break: at least 4 consecutive days without games in February.
    feb = [dt.date(2025, 2, d) for d in range(1, 29)]
    longest = run = 0
    for d in feb:
        run = run + 1 if d not in by_day else 0
        longest = max(longest, run)
    assert longest >= 4
    assert dt.date(2024, 12, 24) not in by_day and dt.date(2024, 11, 28) not in by_day  # Christmas Eve, Thanksgiving
    assert dt.date(2024, 12, 25) in by_day
    b2b = season.back_to_backs()
    assert all(10 <= n <= 18 for n in b2b.values()), b2b
    assert 12 <= statistics.mean(b2b.values()) <= 16


def test_tipoff_times(season):
    et_times = [g.tipoff_utc.astimezone(ET) for g in season.games]
    assert all(g.tipoff_utc.tzinfo is not None for g in season.games)
    assert all(t.date() == g.game_date for t, g in zip(et_times, season.games))
    evening = sum(dt.time(19, 0) <= t.time() <= dt.time(22, 30) for t in et_times)
    assert evening / len(et_times) > 0.8
    afternoon = [t for t in et_times if t.time() < dt.time(17, 0)]
    assert afternoon and all(t.weekday() >= 5 or (t.month, t.day) == (12, 25) or t.weekday() == 0 for t in afternoon)
    # A 19:30 ET tip in November is 00:30 UTC the next day (EST = UTC-5).
    g = next(g for g in season.games_on(DAY) if g.tipoff_utc.astimezone(ET).time() == dt.time(19, 30))
    assert g.tipoff_utc.hour == 0 and g.tipoff_utc.minute == 30 and g.tipoff_utc.date() == DAY + dt.timedelta(days=1)


def test_teams_and_rosters(season):
    assert len(season.teams) == 30
    assert all(96 <= t.pace <= 104 and abs(t.defense) <= 6 for t in season.teams.values())
    assert max(t.defense for t in season.teams.values()) - min(t.defense for t in season.teams.values()) > 6
    sizes = [len(season.roster(c)) for c in BY_TRICODE]
    assert all(17 <= n <= 18 for n in sizes)
    ids = [p.person_id for c in BY_TRICODE for p in season.roster(c)]
    assert len(ids) == len(set(ids))
    for c in BY_TRICODE:
        roster = season.roster(c)
        assert 2 <= sum(p.two_way for p in roster) <= 3
        assert sum(p.role in ("star", "starter") for p in roster) == 5
    players = list(season.players.values())
    assert all(20 <= p.age <= 39 for p in players)
    stars = [p for p in players if p.role == "star"]
    assert all(33 <= p.typical_minutes <= 37 for p in stars)
    assert statistics.mean(p.points_per_minute for p in stars) > 0.7
    assert statistics.mean(p.points_per_minute for p in players if p.role == "rotation") < 0.55
    # Same identities next season, a few of them on new teams.
    nxt = get_league(SEED).season(YEAR + 1)
    assert set(nxt.players) == set(season.players)
    moved = sum(nxt.players[p].team != season.players[p].team for p in season.players)
    assert 0 < moved <= 20


# --- box scores ---------------------------------------------------------------------------------


def test_box_scores_consistent(season):
    rows = dnp = 0
    comments = collections.Counter()
    overtime = 0
    for g in season.games:
        home, away = season.box(g.game_id)
        overtime += g.periods > 4
        for lines, score in ((home, g.home_score), (away, g.away_score)):
            played = [ln for ln in lines if ln.played]
            seconds = sum(round(ln.minutes * 60) for ln in played)
            assert seconds == (240 + 25 * (g.periods - 4)) * 60
            assert sum(ln.pts for ln in played) == score
            starters = [ln.starter_position for ln in lines if ln.starter_position]
            assert sorted(starters) == ["C", "F", "F", "G", "G"]
            for ln in lines:
                rows += 1
                if not ln.played:
                    dnp += 1
                    comments[ln.comment] += 1
                    assert ln.minutes is None and ln.comment in COMMENTS
                    continue
                assert ln.pts == 2 * (ln.fgm - ln.fg3m) + 3 * ln.fg3m + ln.ftm
                assert ln.fga >= ln.fgm >= ln.fg3m >= 0 and ln.fg3a >= ln.fg3m and ln.fta >= ln.ftm >= 0
                assert ln.fga >= ln.fg3a
                assert min(ln.oreb, ln.dreb, ln.ast, ln.stl, ln.blk, ln.tov) >= 0 and 0 <= ln.pf <= 6
                assert 0 < ln.minutes <= 60
        assert g.home_score != g.away_score
        # Plus/minus: five players on the floor, so a team's total is five times its margin.
        margin = g.home_score - g.away_score
        assert sum(ln.plus_minus for ln in home if ln.played) == 5 * margin
        assert sum(ln.plus_minus for ln in away if ln.played) == -5 * margin
    assert 0.30 <= dnp / rows <= 0.50
    assert set(comments) == COMMENTS
    assert 0.01 <= overtime / len(season.games) <= 0.12
    scores = [s for g in season.games for s in (g.home_score, g.away_score)]
    assert 108 <= statistics.mean(scores) <= 122 and 9 <= statistics.pstdev(scores) <= 18


def test_minutes_by_role(season):
    by_role = collections.defaultdict(list)
    for g in season.games[:400]:
        for ln in season.box(g.game_id)[0] + season.box(g.game_id)[1]:
            if ln.played:
                by_role[season.players[ln.person_id].role].append(ln.minutes)
    assert 31 <= statistics.mean(by_role["star"]) <= 38
    assert 26 <= statistics.mean(by_role["starter"]) <= 34
    assert 16 <= statistics.mean(by_role["rotation"]) <= 26
    assert 6 <= statistics.mean(by_role["bench"]) <= 16
    assert statistics.mean(by_role["deep_bench"]) <= 8


def test_signal_in_context(season):
    """Opponent defence and rest move points: a model can learn from them."""
    allowed = collections.defaultdict(list)
    rested, tired = [], []
    for g in season.games:
        allowed[g.home].append(g.away_score)
        allowed[g.away].append(g.home_score)
        for score, rest in ((g.home_score, g.home_rest_days), (g.away_score, g.away_rest_days)):
            (tired if rest == 1 else rested).append(score)
    by_def = sorted(season.teams.values(), key=lambda t: t.defense)
    best = statistics.mean(s for t in by_def[:6] for s in allowed[t.tricode])
    worst = statistics.mean(s for t in by_def[-6:] for s in allowed[t.tricode])
    assert worst - best > 3
    assert statistics.mean(rested) > statistics.mean(tired)


# --- availability and injury reports -------------------------------------------------------------


def test_injury_reports_and_availability(season):
    listed_out = listed_out_played = q_play = q_sit = late = 0
    for g in season.games:
        for a in season.availability(g.game_id):
            final = a.report_statuses[-1] if a.report_statuses else None
            if final == "Out":
                listed_out += 1
                listed_out_played += a.played
            elif final == "Questionable":
                q_play += a.played
                q_sit += not a.played
            late += a.late_scratch
            if a.late_scratch:
                assert a.comment == DNP_INJURY and all(s is None for s in a.report_statuses)
    assert listed_out > 2000 and listed_out_played / listed_out < 0.05
    assert 0.35 <= q_play / (q_play + q_sit) <= 0.7
    assert 20 <= late <= 400
    reports = season.injury_reports(DAY)
    assert [r.published_utc.astimezone(ET).time() for r in reports] == [
        dt.time(13, 30),
        dt.time(17, 30),
        dt.time(18, 30),
    ]
    assert [r.name for r in reports] == [fmt.injury_report_name(r.published_utc.astimezone(ET)) for r in reports]
    playing = {t for g in season.games_on(DAY) for t in (g.home, g.away)}
    rows = list(csv.DictReader(io.StringIO(reports[-1].csv)))
    assert rows and {team_by_name(r["team"]).tricode for r in rows} <= playing
    assert {r["status"] for r in rows} <= {"Out", "Doubtful", "Questionable", "Probable", "Available"}
    reasons = {
        r["reason"]
        for day in season.game_days[:40]
        for rep in season.injury_reports(day)
        for r in csv.DictReader(io.StringIO(rep.csv))
    }
    assert "G League - Two-Way" in reasons and "Rest" in reasons
    assert any(x.startswith("Injury/Illness - ") and "; " in x for x in reasons)


def test_injury_report_as_of(source, season):
    reports = season.injury_reports(DAY)
    assert source.injury_report(DAY, reports[0].published_utc - dt.timedelta(seconds=1)) == []
    mid = source.injury_report(DAY, reports[1].published_utc + dt.timedelta(minutes=5))
    assert len(mid) == 1 and mid[0].name == reports[1].name and mid[0].fetched_at == reports[1].published_utc
    assert mid[0].content_type == "csv" and mid[0].body == reports[1].csv
    last = source.injury_report(DAY, _after_all(season, DAY))
    assert [p.name for p in last] == [reports[-1].name]


# --- as_of semantics ----------------------------------------------------------------------------


def test_before_tip(source, season):
    as_of = _before_all(season, DAY)
    sched = source.schedule(DAY, as_of)
    assert len(sched) == 1 and sched[0].name == "scheduleLeagueV2_20241115" and sched[0].fetched_at == as_of
    games = [g for d in sched[0].body["leagueSchedule"]["gameDates"] for g in d["games"]]
    assert len(games) == len(season.games_on(DAY))
    assert all(g["gameStatus"] == 1 and g["homeTeam"]["score"] == 0 for g in games)
    assert source.team_boxscores(DAY, as_of) == []
    assert source.player_game_logs(DAY, as_of) == []
    assert len(source.team_rosters(DAY, as_of)) == 2 * len(games)


def test_during_and_after(source, season):
    g = season.games_on(DAY)[0]
    during = source.schedule(DAY, g.tipoff_utc + dt.timedelta(minutes=60))[0].body
    item = next(x for d in during["leagueSchedule"]["gameDates"] for x in d["games"] if x["gameId"] == g.game_id)
    assert item["gameStatus"] == 2 and 0 < item["homeTeam"]["score"] <= g.home_score
    assert g.end_utc - g.tipoff_utc >= dt.timedelta(hours=2)
    # Final, but the box score waits for the delay.
    just_final = g.end_utc + dt.timedelta(minutes=1)
    item = next(
        x
        for d in source.schedule(DAY, just_final)[0].body["leagueSchedule"]["gameDates"]
        for x in d["games"]
        if x["gameId"] == g.game_id
    )
    assert item["gameStatus"] == 3 and (item["homeTeam"]["score"], item["awayTeam"]["score"]) == (
        g.home_score,
        g.away_score,
    )
    assert g.game_id not in [p.name for p in source.team_boxscores(DAY, just_final)]
    ready = g.end_utc + dt.timedelta(minutes=source.boxscore_delay_minutes)
    assert g.game_id in [p.name for p in source.team_boxscores(DAY, ready)]
    after = _after_all(season, DAY)
    boxes = source.team_boxscores(DAY, after)
    assert sorted(p.name for p in boxes) == sorted(x.game_id for x in season.games_on(DAY))
    logs = source.player_game_logs(DAY, after)
    assert len(logs) == 1 and logs[0].name == "leaguegamelog_P_20241115"
    rs = logs[0].body["resultSets"][0]
    played = sum(ln.played for x in season.games_on(DAY) for side in season.box(x.game_id) for ln in side)
    assert len(rs["rowSet"]) == played
    idx = rs["headers"].index("PTS")
    assert sum(r[idx] for r in rs["rowSet"]) == sum(x.home_score + x.away_score for x in season.games_on(DAY))
    box = boxes[0].body["boxScoreTraditional"]
    assert box["homeTeam"]["statistics"]["points"] == season.game(box["gameId"]).home_score
    assert {p["comment"] for p in box["homeTeam"]["players"] + box["awayTeam"]["players"]} - {""} <= COMMENTS


def test_odds_as_of(source, season):
    games = season.games_on(DAY)
    first_tip = min(g.tipoff_utc for g in games)
    assert source.player_props_odds(DAY, first_tip - dt.timedelta(hours=12, seconds=1)) == []
    as_of = first_tip - dt.timedelta(hours=3)
    pp = source.player_props_odds(DAY, as_of)
    assert pp and all(p.fetched_at <= as_of for p in pp)
    assert all(p.body["timestamp"] == fmt.iso_z(p.fetched_at) for p in pp)
    assert len({p.name for p in pp}) == len(pp)
    assert all(p.name == f"{p.fetched_at:%Y%m%dT%H%M%SZ}_{p.body['data']['id']}" for p in pp)
    all_pp = source.player_props_odds(DAY, _after_all(season, DAY))
    assert len(all_pp) > len(pp)
    # Every game has pre-game snapshots and exactly one in-game snapshot (tip + 75 min).
    for g in games:
        mine = [p for p in all_pp if p.body["data"]["id"] == g.event_id]
        commence = dt.datetime.fromisoformat(mine[0].body["data"]["commence_time"].replace("Z", "+00:00"))
        assert commence == g.tipoff_utc
        in_game = [p for p in mine if p.fetched_at > commence]
        assert len(in_game) == 1 and in_game[0].fetched_at == commence + dt.timedelta(minutes=75)
        pre = [p for p in mine if p.fetched_at <= commence]
        assert len(pre) >= 6
        gaps = {b.fetched_at - a.fetched_at for a, b in zip(pre, pre[1:])}
        assert gaps == {dt.timedelta(hours=2)}
        assert pre[0].fetched_at == first_tip - dt.timedelta(hours=12)
        assert len(g.event_id) == 32 and int(g.event_id, 16) >= 0
    # Game lines follow the same snapshots.
    gl = source.game_lines_odds(DAY, _after_all(season, DAY))
    assert sorted(p.name for p in gl) == sorted(p.name for p in all_pp)
    markets = {m["key"] for p in gl for b in p.body["data"]["bookmakers"] for m in b["markets"]}
    assert markets == {"spreads", "totals"}


def test_odds_content(season):
    books_seen = collections.Counter()
    per_team = []
    prices, vig = [], []
    moved = total = 0
    closer = farther = 0
    for g in season.games[100:300]:
        snaps = season.odds_snapshots(g.game_id)
        pre = [s for s in snaps if not s.in_game]
        assert snaps[-1].in_game and all(not s.in_game for s in snaps[:-1])
        last = pre[-1]
        names = collections.Counter()
        for bk, quotes in last.props.items():
            books_seen[bk] += len(quotes)
            for _, q in quotes:
                assert q.line % 1 == 0.5
                assert -130 <= q.over_price <= 110 and -130 <= q.under_price <= 110
                prices.append(q.over_price)
                vig.append(_implied(q.over_price) + _implied(q.under_price))
        for est in season.prop_estimates(g.game_id).values():
            names[est.team] += 1
        per_team.extend(names.values())
        first = {(bk, p): q.line for bk, qs in pre[0].props.items() for p, q in qs}
        for bk, qs in last.props.items():
            for p, q in qs:
                if (bk, p) in first:
                    total += 1
                    moved += q.line != first[(bk, p)]
        actual = {ln.person_id: ln.pts for side in season.box(g.game_id) for ln in side if ln.played}
        pre_dk = {p: q.line for p, q in last.props.get("draftkings", [])}
        for p, q in snaps[-1].props.get("draftkings", []):
            if p in pre_dk:
                d_pre, d_in = abs(pre_dk[p] - actual[p]), abs(q.line - actual[p])
                closer += d_in < d_pre
                farther += d_in > d_pre
    assert set(books_seen) == set(BOOKS)
    assert books_seen["draftkings"] == max(books_seen.values())
    assert books_seen["betrivers"] < books_seen["draftkings"]
    assert 7 <= statistics.mean(per_team) <= 10
    assert 1.03 <= statistics.mean(vig) <= 1.07  # about -110 / -110 on average
    assert len(set(prices)) >= 6 and min(prices) < -110 and max(prices) > 100  # with some skew
    assert 0.05 < moved / total < 0.6  # lines move a little between snapshots
    assert closer > 3 * farther  # the in-game snapshot leaks the outcome


def _implied(american: int) -> float:
    return -american / (-american + 100) if american < 0 else 100 / (american + 100)


def test_injury_news_moves_lines(season):
    """A teammate ruled out at a later report raises the books' expectation for the others."""
    found = 0
    for g in season.games:
        states = [season.prop_estimates(g.game_id, s) for s in range(len(season.report_times(g.game_date)) + 1)]
        a, b = states[1], states[-1]
        if set(a) - set(b):  # someone dropped off the board between the first and last report
            gone = set(a) - set(b)
            team = a[next(iter(gone))].team
            mates = [p for p in b if p in a and b[p].team == team]
            if mates and all(b[p].expected_minutes >= a[p].expected_minutes for p in mates):
                assert sum(b[p].expected_points for p in mates) > sum(a[p].expected_points for p in mates)
                found += 1
    assert found >= 10


def test_line_accuracy_over_a_month(season):
    """Consensus pre-game line vs actual points over November: realistic MAE, balanced overs."""
    errors, overs, ma_errors, line_errors_same = [], [], [], []
    history: dict[int, list[int]] = collections.defaultdict(list)
    for g in season.games:
        actual = {ln.person_id: ln.pts for side in season.box(g.game_id) for ln in side if ln.played}
        if dt.date(2024, 11, 1) <= g.game_date <= dt.date(2024, 11, 30):
            for p, line in season.consensus_lines(g.game_id).items():
                if p not in actual:
                    continue
                errors.append(abs(actual[p] - line))
                overs.append(actual[p] > line)
                if len(history[p]) >= 10:
                    ma_errors.append(abs(actual[p] - statistics.mean(history[p][-10:])))
                    line_errors_same.append(abs(actual[p] - line))
        if g.game_date > dt.date(2024, 11, 30):
            break
        for p, pts in actual.items():
            history[p].append(pts)
    assert len(errors) > 2000
    mae = statistics.mean(errors)
    assert 4.0 <= mae <= 6.0, mae
    assert 0.4 <= statistics.mean(overs) <= 0.6
    # The last-10 average is worse than the line, but not hopeless.
    assert statistics.mean(line_errors_same) < statistics.mean(ma_errors) < 1.3 * statistics.mean(line_errors_same)


# --- every prop market -----------------------------------------------------------------------------

# sha256 over (name, points-only body) of DAY's player-props payloads: the points quotes must never move
# when markets are added. Dumped before the other markets existed; re-pinned when pre-game lines started
# to drift toward the outcome (books.LATE_INFO_AT_TIP), which moves points quotes on purpose, and again
# when that drift went toward a noisy signal of the outcome (books.LATE_INFO_NOISE). With the drift
# switched off the old digest comes back exactly: the drift changed nothing else.
POINTS_BASELINE_DIGEST = "060bcb5452306eddc6478f3a200145c640d2b93654fc71a1b578152d813db0f8"
POINTS_DIGEST_WITHOUT_LATE_INFO = "bc7b9f62a6bfb32f8c65ffa7646262b8b07b85ae326e7a1fcde1a04f81b028ff"


def _points_only(body: dict) -> dict:
    """The payload as it was when points were the only market: other markets (and books left with
    none) filtered out."""
    data = body["data"]
    books = [{**b, "markets": [m for m in b["markets"] if m["key"] == POINTS.key]} for b in data["bookmakers"]]
    return {**body, "data": {**data, "bookmakers": [b for b in books if b["markets"]]}}


def _box_stat(ln: fmt.PlayerLine, market) -> float:
    return market.actual({"points": ln.pts, "rebounds": ln.oreb + ln.dreb, "assists": ln.ast, "threes_made": ln.fg3m})


def test_props_payloads_carry_every_market(source, season):
    from nba_pipeline.sources.simulated.stat_lines import OTHER_MARKETS

    assert [p.market for p in OTHER_MARKETS] == [m for m in MARKETS if m is not POINTS]
    assert fmt.PROP_MARKETS == tuple(m.key for m in MARKETS)
    payloads = source.player_props_odds(DAY, _after_all(season, DAY))
    assert payloads
    for p in payloads:
        assert f"markets={','.join(fmt.PROP_MARKETS)}&" in p.url  # one call, every market comma-joined
        books = p.body["data"]["bookmakers"]
        assert {m["key"] for b in books for m in b["markets"]} == set(fmt.PROP_MARKETS)
        for b in books:
            keys = [m["key"] for m in b["markets"]]
            assert keys[0] == POINTS.key and keys == sorted(keys, key=fmt.PROP_MARKETS.index)
            # A book lists a player's other markets only where it lists his points.
            by_market = {m["key"]: {o["description"] for o in m["outcomes"]} for m in b["markets"]}
            assert all(names <= by_market[POINTS.key] for names in by_market.values())
            for m in b["markets"]:
                assert all(o["point"] % 1 == 0.5 and o["name"] in ("Over", "Under") for o in m["outcomes"])
    # The snapshots behind them: every book quoting anything quotes points; threes skip non-shooters.
    for g in season.games_on(DAY):
        for snap in season.odds_snapshots(g.game_id):
            assert set(snap.other_props) == {m.key for m in MARKETS} - {POINTS.key}
            for bk in BOOKS:
                assert bool(snap.book_props(bk)) == bool(snap.props.get(bk))
        pre = season.odds_snapshots(g.game_id)[-2]
        est = _estimates_at(season, g, pre.taken_at)
        threes = pre.market_props(THREES.key)
        assert all(est[pid].expected_threes >= 0.3 for quotes in threes.values() for pid, _ in quotes)


def _estimates_at(season, g, at: dt.datetime) -> dict:
    """The books' estimates a snapshot taken at ``at`` was priced from (the reports published by then)."""
    return season.prop_estimates(g.game_id, bisect.bisect_right(season.report_times(g.game_date), at))


def _points_digest(payloads) -> str:
    h = hashlib.sha256()
    for p in payloads:
        h.update(p.name.encode())
        h.update(json.dumps(_points_only(p.body), sort_keys=True).encode())
    return h.hexdigest()


def test_points_quotes_unchanged_by_other_markets(source, season):
    payloads = source.player_props_odds(DAY, _after_all(season, DAY))
    assert _points_digest(payloads) == POINTS_BASELINE_DIGEST
    # The points part of each payload is exactly the snapshot's points quotes.
    for p in payloads[::7]:
        g = season.game(p.extra["game_id"])
        snap = next(x for x in season.odds_snapshots(g.game_id) if x.taken_at == p.fetched_at)
        books = [fmt.BookQuotes(bk, snap.last_update[bk], props=[q for _, q in qs]) for bk, qs in snap.props.items()]
        event = fmt.odds_event(g.event_id, g.tipoff_utc, g.home, g.away, books, markets=(POINTS.key,))
        assert _points_only(p.body)["data"] == event


def test_market_lines_track_the_stats(season):
    """Over four weeks, each market's consensus line sits near the player's actual average of its stat,
    with a realistic per-game error, balanced overs and prices with the books' margin; PRA lines are
    about the points, rebounds and assists lines added up."""
    from nba_pipeline.sources.simulated.lines import consensus_lines

    lines, actual = collections.defaultdict(list), collections.defaultdict(list)
    errors, overs, vig = collections.defaultdict(list), collections.defaultdict(list), collections.defaultdict(list)
    pra_gap = []
    for g in season.games:
        if not dt.date(2024, 11, 1) <= g.game_date <= dt.date(2024, 11, 28):
            continue
        snaps = season.odds_snapshots(g.game_id)
        box = {ln.person_id: ln for side in season.box(g.game_id) for ln in side if ln.played}
        cons = {m.key: consensus_lines(snaps, m.key) for m in MARKETS}
        assert cons[POINTS.key] == season.consensus_lines(g.game_id)  # the default is still points
        for m in MARKETS:
            for p, line in cons[m.key].items():
                if p in box:
                    x = _box_stat(box[p], m)
                    lines[m.key, p].append(line)
                    actual[m.key, p].append(x)
                    errors[m.key].append(abs(line - x))
                    overs[m.key].append(x > line)
            pre = [s for s in snaps if not s.in_game][-1]
            vig[m.key] += [_implied(q.over_price) + _implied(q.under_price) for _, q in _all(pre, m.key)]
        for p, line in cons[PRA.key].items():
            parts = [cons[k].get(p) for k in ("player_points", "player_rebounds", "player_assists")]
            if None not in parts:
                pra_gap.append(line - sum(parts))
    for m in MARKETS:
        players = [p for (k, p) in lines if k == m.key and len(lines[k, p]) >= 5]
        gaps = [abs(statistics.mean(lines[m.key, p]) - statistics.mean(actual[m.key, p])) for p in players]
        assert len(players) > 150, m.key
        assert statistics.median(gaps) < 0.3 * m.error_width, (m.key, statistics.median(gaps))
        mae = statistics.mean(errors[m.key])
        assert 0.55 * m.error_width <= mae <= 0.95 * m.error_width, (m.key, mae)
        assert 0.4 <= statistics.mean(overs[m.key]) <= 0.6, m.key
        assert 1.03 <= statistics.mean(vig[m.key]) <= 1.07, m.key
    assert len(pra_gap) > 2000
    assert abs(statistics.mean(pra_gap)) < 1.0 and np.percentile(np.abs(pra_gap), 90) <= 1.5


def _all(snap, market: str) -> list:
    return [pq for quotes in snap.market_props(market).values() for pq in quotes]


def test_late_info_drift_only_moves_pregame_props(source, season, monkeypatch):
    """Without the late-information drift the points quotes are exactly the pre-drift ones: it draws
    nothing and moves nothing but the pre-game prop lines."""
    from nba_pipeline.sources.simulated import books

    monkeypatch.setattr(books, "LATE_INFO_AT_TIP", 0.0)
    monkeypatch.setattr(season, "_odds_cache", {})  # rebuilt without the drift, restored afterwards
    assert _points_digest(source.player_props_odds(DAY, _after_all(season, DAY))) == POINTS_DIGEST_WITHOUT_LATE_INFO


def test_late_info_weights():
    from nba_pipeline.sources.simulated.books import (
        LATE_INFO_AT_TIP,
        LATE_INFO_NOISE,
        absorb_late_info,
        late_info_weights,
    )

    # The move toward the signal spreads over weight * sqrt(1 + noise^2) error widths: about the 0.1 the
    # noise-free drift had, so lines move as much as they did, only less tellingly.
    assert 0.08 <= LATE_INFO_AT_TIP * (1 + LATE_INFO_NOISE**2) ** 0.5 <= 0.12
    assert LATE_INFO_NOISE >= 2  # a noisy reading of the outcome, not the outcome
    tip = dt.datetime(2024, 11, 16, 0, 30, tzinfo=UTC)
    times = [tip - dt.timedelta(hours=12, minutes=30) + dt.timedelta(hours=2 * i) for i in range(7)]
    w = late_info_weights(times, tip)
    assert w[0] == 0.0 and all(a < b for a, b in zip(w, w[1:])) and w[-1] < LATE_INFO_AT_TIP
    assert late_info_weights([*times, tip], tip)[-1] == LATE_INFO_AT_TIP
    assert absorb_late_info(20.0, 30.0, 0.1) == pytest.approx(21.0)
    assert absorb_late_info(20.0, None, 0.1) == 20.0 and absorb_late_info(20.0, 30.0, 0.0) == 20.0


def _late_info_signals(season, g) -> dict:
    from nba_pipeline.sources.simulated.books import late_info_signals
    from nba_pipeline.sources.simulated.stat_lines import box_stats

    info = season._info[g.game_id]
    played = {ln.person_id: box_stats(ln) for ln in info.home_lines + info.away_lines if ln.played}
    return late_info_signals(SEED, YEAR, g.index, info.roster_pids, played), played


def test_late_info_signals(season):
    """One signal per game, player and stat, only for players who played: the actual stat plus noise of
    LATE_INFO_NOISE of the stat's error width, the same whoever else played."""
    from nba_pipeline.markets import ASSISTS, REBOUNDS
    from nba_pipeline.sources.simulated.books import LATE_INFO_NOISE, late_info_signals

    widths = {"points": POINTS.error_width, "rebounds": REBOUNDS.error_width}
    widths |= {"assists": ASSISTS.error_width, "threes_made": THREES.error_width}
    noise = collections.defaultdict(list)
    for g in season.games[:150]:
        signal, played = _late_info_signals(season, g)
        assert signal.keys() == played.keys()
        for p, stats in signal.items():
            assert stats.keys() == widths.keys()
            for stat, value in stats.items():
                noise[stat].append((value - played[p][stat]) / widths[stat])
    for stat, z in noise.items():
        assert abs(statistics.mean(z)) < 0.1 * LATE_INFO_NOISE, stat
        assert statistics.stdev(z) == pytest.approx(LATE_INFO_NOISE, rel=0.06), stat
    g = season.games[0]
    signal, played = _late_info_signals(season, g)
    first = next(iter(played))
    alone = late_info_signals(SEED, YEAR, g.index, season._info[g.game_id].roster_pids, {first: played[first]})
    assert alone == {first: signal[first]}


def test_pregame_lines_drift_with_late_information(season, monkeypatch):
    """Against the same books without the drift: the opening and in-game snapshots and the game lines
    are unchanged, and a pre-game prop line moves only toward the side the late information's signal
    fell on relative to the books' estimate (never for a player who did not play), more so near
    tip-off."""
    from nba_pipeline.sources.simulated import books
    from nba_pipeline.sources.simulated.lines import make_odds

    moved = collections.Counter()
    for g in season.games_on(DAY):
        snaps = season.odds_snapshots(g.game_id)
        with monkeypatch.context() as mp:
            mp.setattr(books, "LATE_INFO_AT_TIP", 0.0)
            times, reports = season.snapshot_times(g.game_id), season.report_times(g.game_date)
            plain = make_odds(SEED, YEAR, g, season._info[g.game_id], times, reports)
        assert snaps[0] == plain[0] and snaps[-1] == plain[-1]
        signal, _ = _late_info_signals(season, g)
        for i, (snap, base) in enumerate(zip(snaps[:-1], plain[:-1])):
            assert (snap.game_lines, snap.last_update) == (base.game_lines, base.last_update)
            est = _estimates_at(season, g, snap.taken_at)
            for m in MARKETS:
                ours, theirs = _lines_by_quote(snap, m.key), _lines_by_quote(base, m.key)
                assert ours.keys() == theirs.keys(), m.key
                for (bk, p), line in ours.items():
                    shift = line - theirs[bk, p]
                    if p not in signal:
                        assert shift == 0
                        continue
                    surprise = m.actual(signal[p]) - m.actual(_expected(est[p]))
                    assert shift * surprise >= 0, (m.key, g.game_id, p)
                    moved[m.key, i == len(snaps) - 2] += shift != 0
    for m in MARKETS:
        assert moved[m.key, True] > 0, m.key
    assert sum(moved[m.key, True] for m in MARKETS) > sum(moved[m.key, False] for m in MARKETS) / 3


def _lines_by_quote(snap, market: str) -> dict:
    return {(bk, p): q.line for bk, quotes in snap.market_props(market).items() for p, q in quotes}


def _expected(e) -> dict:
    return {
        "points": e.expected_points,
        "rebounds": e.expected_rebounds,
        "assists": e.expected_assists,
        "threes_made": e.expected_threes,
    }


def test_closing_lines_beat_the_opening(season):
    """Over three weeks, in every market: the consensus line moves between the opening and the closing
    pre-game snapshot, the close is closer to the actual stat than the open, and a pick at the open
    toward the side the line later moved wins more than half the time but not implausibly often.

    The late information is noisy, so the move gives the result away only modestly (the noise-free
    drift won 0.84-0.93). Points and PRA picks sit near even money and win about 0.60-0.62; the count
    markets' picks win more (about 0.67-0.71) because a count line moves at a step where the side
    toward the move is already the favourite at the opening price (about 0.53-0.60, see
    benchmarks/line_drift.py), and injury news alone puts them near 0.65."""
    from nba_pipeline.sources.simulated.lines import consensus_lines

    moves, open_err, close_err = (collections.defaultdict(list) for _ in range(3))
    wins, picks = collections.Counter(), collections.Counter()
    for g in season.games:
        if not dt.date(2024, 11, 1) <= g.game_date <= dt.date(2024, 11, 21):
            continue
        pre = [s for s in season.odds_snapshots(g.game_id) if not s.in_game]
        box = {ln.person_id: ln for side in season.box(g.game_id) for ln in side if ln.played}
        for m in MARKETS:
            opening, closing = consensus_lines(pre[:1], m.key), consensus_lines(pre, m.key)
            for p in opening.keys() & closing.keys() & box.keys():
                x = _box_stat(box[p], m)
                moves[m.key].append(abs(closing[p] - opening[p]))
                open_err[m.key].append(abs(opening[p] - x))
                close_err[m.key].append(abs(closing[p] - x))
                if closing[p] != opening[p] and x != opening[p]:
                    picks[m.key] += 1
                    wins[m.key] += (x > opening[p]) == (closing[p] > opening[p])
    for m in MARKETS:
        assert len(moves[m.key]) > 1500, m.key
        assert statistics.mean(moves[m.key]) > 0, m.key
        assert statistics.mean(close_err[m.key]) < statistics.mean(open_err[m.key]), m.key
        assert picks[m.key] >= 300, m.key
        assert 0.52 <= wins[m.key] / picks[m.key] <= 0.72, (m.key, wins[m.key] / picks[m.key])
    # The points consensus moves about as much as it did when the books drifted toward the exact outcome.
    assert 0.6 <= statistics.mean(moves[POINTS.key]) <= 1.0


def test_threes_lines_and_prices_reflect_the_skew(season):
    lines, implied_at_half = collections.Counter(), []
    for g in season.games[100:300]:
        pre = [s for s in season.odds_snapshots(g.game_id) if not s.in_game][-1]
        est = _estimates_at(season, g, pre.taken_at)
        for pid, q in _all(pre, THREES.key):
            lines[q.line] += 1
            if q.line == 0.5:
                implied_at_half.append((est[pid].expected_threes, _implied(q.over_price)))
    assert sum(lines[x] for x in (0.5, 1.5, 2.5)) / sum(lines.values()) > 0.85
    expected, implied = np.array(implied_at_half).T
    # Off even money: the over at 0.5 is a long shot for a rare shooter and a favourite for a good one.
    assert implied.min() < 0.35 and implied.max() > 0.65
    assert np.corrcoef(expected, implied)[0, 1] > 0.5


def test_in_game_snapshot_leaks_every_stat(season):
    """The in-game snapshot's lines have moved toward each player's actual stat in every market."""
    closer, farther = collections.Counter(), collections.Counter()
    for g in season.games[100:250]:
        snaps = season.odds_snapshots(g.game_id)
        pre = [s for s in snaps if not s.in_game][-1]
        box = {ln.person_id: ln for side in season.box(g.game_id) for ln in side if ln.played}
        for m in MARKETS:
            before = {p: q.line for p, q in pre.market_props(m.key).get("draftkings", [])}
            for p, q in snaps[-1].market_props(m.key).get("draftkings", []):
                if p in before:
                    x = _box_stat(box[p], m)
                    closer[m.key] += abs(q.line - x) < abs(before[p] - x)
                    farther[m.key] += abs(q.line - x) > abs(before[p] - x)
    for m in MARKETS:
        assert closer[m.key] > 200 and closer[m.key] > 5 * farther[m.key], m.key


# --- switches and edges -----------------------------------------------------------------------


def test_withheld_game(season):
    withheld = season.games_on(DAY)[0].game_id
    src = SimulatedSource(seed=SEED, withheld_game_ids=[withheld])
    as_of = _after_all(season, DAY) + dt.timedelta(days=30)
    boxes = src.team_boxscores(DAY, as_of)
    assert withheld not in [p.name for p in boxes] and len(boxes) == len(season.games_on(DAY)) - 1
    log = src.player_game_logs(DAY, as_of)[0].body["resultSets"][0]
    gid = log["headers"].index("GAME_ID")
    assert withheld not in {r[gid] for r in log["rowSet"]}
    games = [x for d in src.schedule(DAY, as_of)[0].body["leagueSchedule"]["gameDates"] for x in d["games"]]
    assert any(x["gameId"] == withheld and x["gameStatus"] == 3 for x in games)


def test_disabled_endpoints(season):
    src = SimulatedSource(seed=SEED, disabled_endpoints=[ODDS_PLAYER_PROPS, INJURY_REPORT])
    as_of = _after_all(season, DAY)
    assert src.fetch(ODDS_PLAYER_PROPS, DAY, as_of) == []
    assert src.fetch(INJURY_REPORT, DAY, as_of) == []
    assert src.fetch(ODDS_GAME_LINES, DAY, as_of) and src.fetch(SCHEDULE, DAY, as_of)
    assert not src.is_enabled(ODDS_PLAYER_PROPS) and src.is_enabled(SCHEDULE)


@pytest.mark.parametrize(
    "day",
    [
        dt.date(2024, 7, 15),
        dt.date(2024, 9, 30),
        dt.date(2024, 10, 10),
        dt.date(2024, 12, 24),
        dt.date(2025, 2, 16),
        dt.date(2025, 5, 20),
    ],
)
def test_no_games_no_payloads(source, day):
    as_of = dt.datetime.combine(day, dt.time(12), tzinfo=UTC) + dt.timedelta(days=2)
    assert all(source.fetch(ep, day, as_of) == [] for ep in ALL_ENDPOINTS)


def test_count_records_every_payload(source, season):
    as_of = _after_all(season, DAY)
    payloads = _all_payloads(source, DAY, as_of)
    games = season.games_on(DAY)
    assert count_records(payloads[SCHEDULE][0]) == len(games)
    assert sum(map(count_records, payloads[BOXSCORE_TRADITIONAL])) == sum(
        len(season.roster(t)) for g in games for t in (g.home, g.away)
    )
    assert sum(map(count_records, payloads[TEAM_ROSTER])) == sum(
        len(season.roster(t)) for g in games for t in (g.home, g.away)
    )
    assert count_records(payloads[PLAYER_GAME_LOG][0]) == sum(
        ln.played for g in games for side in season.box(g.game_id) for ln in side
    )
    assert count_records(payloads[INJURY_REPORT][0]) == len(season.injury_reports(DAY)[-1].rows)
    quotes = sum(
        len(q)
        for g in games
        for s in season.odds_snapshots(g.game_id)
        for m in MARKETS
        for q in s.market_props(m.key).values()
    )
    assert sum(map(count_records, payloads[ODDS_PLAYER_PROPS])) == 2 * quotes
    for ep in ALL_ENDPOINTS:
        for p in payloads[ep]:
            assert count_records(p) >= 0
            assert p.fetched_at.tzinfo is not None
            assert p.url.startswith("https://")
            p.to_bytes()
        assert len({p.name for p in payloads[ep]}) == len(payloads[ep])


def test_payload_shapes(source, season):
    """Names, ids and fields the parsers join on."""
    as_of = _after_all(season, DAY)
    rosters = source.team_rosters(DAY, as_of)
    assert {p.name for p in rosters} == {
        f"commonteamroster_{t}" for g in season.games_on(DAY) for t in (g.home, g.away)
    }
    rs = rosters[0].body["resultSets"][0]
    assert rs["headers"] == fmt.COMMON_TEAM_ROSTER_HEADERS
    # Prop player names match box-score names.
    box_names = {
        player_lookup(ln.full_name) for g in season.games_on(DAY) for side in season.box(g.game_id) for ln in side
    }
    prop_names = {
        player_lookup(o["description"])
        for p in source.player_props_odds(DAY, as_of)
        for b in p.body["data"]["bookmakers"]
        for m in b["markets"]
        for o in m["outcomes"]
    }
    assert prop_names and prop_names <= box_names
    sched = source.schedule(DAY, as_of)[0].body
    item = sched["leagueSchedule"]["gameDates"][0]["games"][0]
    assert item["gameDateEst"].startswith(DAY.isoformat()) and item["gameStatusText"].startswith("Final")


def test_parsers_accept_every_payload(source, season):
    """Phase 2's parsers read the simulated payloads like the real ones."""
    from nba_pipeline.parsers.injuries import parse_injury_report
    from nba_pipeline.parsers.nba import (
        parse_boxscore_v3,
        parse_common_team_roster,
        parse_league_game_log,
        parse_schedule,
    )
    from nba_pipeline.parsers.odds import parse_game_lines, parse_player_props

    as_of = _after_all(season, DAY)
    p = _all_payloads(source, DAY, as_of)
    assert len(parse_schedule(p[SCHEDULE][0].body, DAY, "x")) == len(season.games_on(DAY))
    assert len(parse_league_game_log(p[PLAYER_GAME_LOG][0].body, DAY, "x")) == count_records(p[PLAYER_GAME_LOG][0])
    for b in p[BOXSCORE_TRADITIONAL]:
        teams, players = parse_boxscore_v3(b.body, DAY, "x")
        assert len(teams) == 2 and len(players) == count_records(b)
        assert (players["player_status"] == "active").sum() == sum(
            ln.played for side in season.box(b.name) for ln in side
        )
    for r in p[TEAM_ROSTER]:
        assert len(parse_common_team_roster(r.body, DAY, "x")) == count_records(r)
    inj = parse_injury_report(p[INJURY_REPORT][0].body, DAY, "x", p[INJURY_REPORT][0].name)
    assert len(inj) == count_records(p[INJURY_REPORT][0])
    for o in p[ODDS_PLAYER_PROPS][:10]:
        assert len(parse_player_props(o.body, DAY, "x", o.fetched_at)) * 2 == count_records(o)
    for o in p[ODDS_GAME_LINES][:10]:
        assert len(parse_game_lines(o.body, DAY, "x", o.fetched_at)) == count_records(o)
