"""HistoricalSource against the real files in ../shared/data/real (never copied into this repo).

Offline. Every test skips, with the reason, when the shared data folder is not next to the repo.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from nba_pipeline import markets
from nba_pipeline.domain.teams import BY_TRICODE, is_nba_team, normalize_tricode, team_by_name
from nba_pipeline.parsers.injuries import injury_report_text, parse_injury_report
from nba_pipeline.parsers.nba import parse_boxscore_v3, parse_league_game_log, parse_schedule
from nba_pipeline.parsers.odds import parse_player_props
from nba_pipeline.sources import historical
from nba_pipeline.sources.base import (
    ALL_ENDPOINTS,
    BOXSCORE_TRADITIONAL,
    INJURY_REPORT,
    ODDS_GAME_LINES,
    ODDS_PLAYER_PROPS,
    PLAYER_GAME_LOG,
    SCHEDULE,
    TEAM_ROSTER,
    count_records,
)
from nba_pipeline.sources.historical import DNP_COMMENT, HistoricalSource

ET = ZoneInfo("America/New_York")
UTC = dt.UTC
NBA_TRICODES = set(BY_TRICODE)

JOKIC_DAY = dt.date(2025, 4, 1)  # DEN 139-140 MIN, Jokic 61
OPENER = dt.date(2025, 10, 21)  # OKC 125-124 HOU (2OT), GSW @ LAL
DAY_2526 = dt.date(2025, 11, 5)
INJURY_DAY = dt.date(2026, 2, 8)


def _utc(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), UTC)


def _next_noon(day: dt.date) -> dt.datetime:
    """Noon UTC the next day: every game of ``day`` is final by then."""
    return _utc(day + dt.timedelta(days=1), 12)


@pytest.fixture(scope="session")
def real_root() -> Path:
    root = (Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "real").resolve()
    if not (root / "schedule").is_dir():
        pytest.skip(
            f"real NBA data not found at {root}: the shared data folder sits next to the repo "
            f"(<repo>/../shared/data/real) and is never copied into it"
        )
    return root


@pytest.fixture(scope="session")
def source(real_root: Path) -> HistoricalSource:
    return HistoricalSource(root=str(real_root))


@pytest.fixture(scope="session")
def csvs(real_root: Path) -> dict[str, pd.DataFrame]:
    """The raw files, read independently of the source, for the expected values."""
    return {
        "sched2425": pd.read_csv(real_root / "schedule" / "schedule_2024-25.csv", dtype={"game_id": str}),
        "sched2526": pd.read_csv(real_root / "schedule" / "schedule_2025-26.csv", dtype={"game_id": str}),
        "teamlogs": pd.read_csv(real_root / "schedule" / "team_game_logs_2024-25.csv", dtype={"GAME_ID": str}),
        "players2425": pd.read_csv(real_root / "box_scores" / "player_game_logs_2024-25.csv", dtype={"game_id": str}),
        "players2526": pd.read_csv(real_root / "box_scores" / "player_game_logs_2025-26.csv", dtype={"game_id": str}),
        "dnp2425": pd.read_csv(
            real_root / "box_scores" / "player_game_logs_2024-25_with_inferred_dnp.csv", dtype={"game_id": str}
        ),
        # Every market's props files: one event-odds payload carries them all.
        "props": pd.concat(
            [
                pd.read_csv(f, dtype={"event_id": str})
                for f in sorted((real_root / "props").glob("odds_api_player_*.csv"))
            ],
            ignore_index=True,
        ),
    }


def _games(payload) -> list[dict]:
    return [g for d in payload.body["leagueSchedule"]["gameDates"] for g in d["games"]]


def _game(payload, home: str, away: str) -> dict:
    [g] = [g for g in _games(payload) if g["homeTeam"]["teamTricode"] == home and g["awayTeam"]["teamTricode"] == away]
    return g


def _rows(payload) -> list[dict]:
    rs = payload.body["resultSets"][0]
    return [dict(zip(rs["headers"], row)) for row in rs["rowSet"]]


def _props_rows_on(props: pd.DataFrame, day: dt.date) -> pd.DataFrame:
    et_day = pd.to_datetime(props["game_time"], utc=True).dt.tz_convert(ET).dt.date
    return props[et_day == day]


# --- real facts ---------------------------------------------------------------------------------


def test_jokic_61_against_minnesota(source):
    as_of = _next_noon(JOKIC_DAY)
    [sched] = source.schedule(JOKIC_DAY, as_of)
    g = _game(sched, "DEN", "MIN")
    assert g["gameStatus"] == 3 and g["gameStatusText"].startswith("Final")
    assert (g["homeTeam"]["score"], g["awayTeam"]["score"]) == (139, 140)

    [log] = source.player_game_logs(JOKIC_DAY, as_of)
    [jokic] = [r for r in _rows(log) if r["PLAYER_ID"] == 203999]
    assert jokic["PTS"] == 61
    assert jokic["TEAM_ABBREVIATION"] == "DEN" and jokic["MATCHUP"] == "DEN vs. MIN" and jokic["WL"] == "L"
    assert jokic["GAME_DATE"] == "2025-04-01"

    [box] = [p for p in source.team_boxscores(JOKIC_DAY, as_of) if p.name == g["gameId"]]
    home = box.body["boxScoreTraditional"]["homeTeam"]
    assert home["teamTricode"] == "DEN" and home["statistics"]["points"] == 139
    [jokic_box] = [p for p in home["players"] if p["personId"] == 203999]
    assert jokic_box["statistics"]["points"] == 61
    assert (jokic_box["firstName"], jokic_box["familyName"]) == ("Nikola", "Jokic")  # the file is ASCII


def test_2025_26_opener_okc_125_124_hou(source):
    [sched] = source.schedule(OPENER, _next_noon(OPENER))
    g = _game(sched, "OKC", "HOU")
    assert g["gameStatus"] == 3
    assert (g["homeTeam"]["score"], g["awayTeam"]["score"]) == (125, 124)
    # Tip-off from the props file's commence time, not the 19:30 ET default.
    assert g["gameDateTimeUTC"] == "2025-10-21T23:35:00Z"
    assert (g["homeTeam"]["wins"], g["homeTeam"]["losses"]) == (0, 0)
    assert {(x["homeTeam"]["teamTricode"], x["awayTeam"]["teamTricode"]) for x in _games(sched)} == {
        ("OKC", "HOU"),
        ("LAL", "GSW"),
    }


@pytest.mark.parametrize("day", [JOKIC_DAY, OPENER])
def test_before_tipoff_nothing_is_final(source, day):
    morning = dt.datetime.combine(day, dt.time(9, 0), ET).astimezone(UTC)
    [sched] = source.schedule(day, morning)
    assert _games(sched)
    for g in _games(sched):
        assert g["gameStatus"] == 1
        assert g["homeTeam"]["score"] == 0 and g["awayTeam"]["score"] == 0
    assert source.player_game_logs(day, morning) == []
    assert source.team_boxscores(day, morning) == []


def test_in_progress_game_is_status_2_without_logs(source):
    tip = dt.datetime(2025, 10, 21, 23, 35, tzinfo=UTC)
    as_of = tip + dt.timedelta(hours=1)
    [sched] = source.schedule(OPENER, as_of)
    g = _game(sched, "OKC", "HOU")
    assert g["gameStatus"] == 2 and g["homeTeam"]["score"] == 0
    assert _game(sched, "LAL", "GSW")["gameStatus"] == 1  # tips at 02:00 UTC
    assert source.player_game_logs(OPENER, as_of) == []
    # 2h30 after tip-off the first game is final, the late one is not.
    as_of = tip + historical.FINAL_AFTER
    [log] = source.player_game_logs(OPENER, as_of)
    assert {r["TEAM_ABBREVIATION"] for r in _rows(log)} == {"OKC", "HOU"}


def test_records_only_count_games_final_at_as_of(source):
    last_day = dt.date(2025, 4, 13)
    [sched] = source.schedule(last_day, _next_noon(last_day))
    okc = _game(sched, "NOP", "OKC")["awayTeam"]
    assert (okc["wins"], okc["losses"]) == (67, 14)  # OKC finished 68-14
    # Seen from 2025-04-01 noon: only games final by then count.
    [early] = source.schedule(last_day, _utc(JOKIC_DAY, 12))
    okc_early = _game(early, "NOP", "OKC")["awayTeam"]
    assert okc_early["wins"] + okc_early["losses"] < 81


def test_2024_25_box_scores_carry_team_log_totals_and_inferred_dnps(source, csvs):
    as_of = _next_noon(JOKIC_DAY)
    boxes = source.team_boxscores(JOKIC_DAY, as_of)
    [sched] = source.schedule(JOKIC_DAY, as_of)
    assert {p.name for p in boxes} == {g["gameId"] for g in _games(sched)}
    logs = csvs["teamlogs"].set_index(["GAME_ID", "TEAM_ABBREVIATION"])
    dnp = csvs["dnp2425"]
    dnp = dnp[(dnp["dnp"] == True) & (dnp["date"] == JOKIC_DAY.isoformat())]  # noqa: E712
    dnp_teams = dnp["matchup"].str.split().str[0].map(normalize_tricode)
    n_dnp = 0
    for p in boxes:
        box = p.body["boxScoreTraditional"]
        for side in ("homeTeam", "awayTeam"):
            team = box[side]
            log = logs.loc[(box["gameId"], team["teamTricode"])]
            stats = team["statistics"]
            assert stats["points"] == log["PTS"]
            assert stats["fieldGoalsAttempted"] == log["FGA"] and stats["freeThrowsAttempted"] == log["FTA"]
            assert stats["reboundsOffensive"] == log["OREB"] and stats["turnovers"] == log["TOV"]
            assert stats["threePointersMade"] == log["FG3M"] and stats["assists"] == log["AST"]
            dnps = [x for x in team["players"] if x["comment"]]
            assert all(x["comment"] == DNP_COMMENT and x["statistics"]["minutes"] == "" for x in dnps)
            assert all(x["statistics"]["minutes"] for x in team["players"] if not x["comment"])
            assert len(dnps) == int((dnp_teams == team["teamTricode"]).sum())
            n_dnp += len(dnps)
    assert n_dnp > 0


def test_2025_26_has_game_logs_but_no_team_box_scores(source, csvs):
    as_of = _next_noon(DAY_2526)
    [log] = source.player_game_logs(DAY_2526, as_of)
    expected = csvs["players2526"][csvs["players2526"]["date"] == DAY_2526.isoformat()]
    assert len(_rows(log)) == len(expected) > 0
    assert source.team_boxscores(DAY_2526, as_of) == []


def test_replay_covers_only_games_with_player_box_scores(source):
    """Playoffs and preseason exist only in the team logs here: the replayed schedule leaves them out,
    so no date announces final games whose box scores can never arrive."""
    finals = dt.date(2025, 6, 22)  # game 7, OKC-IND: team logs only
    [sched] = source.schedule(finals, _next_noon(finals))
    assert _games(sched) == []
    assert source.player_game_logs(finals, _next_noon(finals)) == []
    assert source.team_boxscores(finals, _next_noon(finals)) == []
    [pre] = source.schedule(dt.date(2024, 10, 4), _utc(dt.date(2024, 10, 5), 12))
    assert _games(pre) == []  # preseason, incl. the exhibition against the New Zealand Breakers


def test_team_log_games_missing_from_the_schedule_file_are_added(source):
    # NBA Cup semifinals: in the team and player logs, missing from the schedule file.
    cup = dt.date(2024, 12, 14)
    [sched] = source.schedule(cup, _next_noon(cup))
    assert {g["gameId"] for g in _games(sched)} == {"0022401229", "0022401230"}
    assert {p.name for p in source.team_boxscores(cup, _next_noon(cup))} == {"0022401229", "0022401230"}


# --- odds ---------------------------------------------------------------------------------------


def test_odds_sga_draftkings_line_and_snapshot(source):
    snapshot = dt.datetime(2025, 10, 21, 17, 0, tzinfo=UTC)
    payloads = source.player_props_odds(OPENER, _next_noon(OPENER))
    assert payloads and all(p.fetched_at == snapshot for p in payloads)
    found = []
    for p in payloads:
        assert p.body["timestamp"] == "2025-10-21T17:00:00Z"
        assert p.name == f"20251021T170000Z_{p.body['data']['id']}"
        for book in p.body["data"]["bookmakers"]:
            if book["key"] != "draftkings":
                continue
            for m in (m for m in book["markets"] if m["key"] == "player_points"):
                for o in m["outcomes"]:
                    if o["description"] == "Shai Gilgeous-Alexander":
                        found.append((o["name"], o["point"], o["price"]))
    assert sorted(found) == [("Over", 32.5, -114), ("Under", 32.5, -112)]
    [okc] = [p for p in payloads if p.body["data"]["home_team"] == "Oklahoma City Thunder"]
    assert okc.body["data"]["away_team"] == "Houston Rockets"
    assert okc.body["data"]["commence_time"] == "2025-10-21T23:35:00Z"
    assert okc.extra["game_id"] == "0022500001"
    # One call per event carries every registered market (the Odds API bills each).
    assert {m["key"] for b in okc.body["data"]["bookmakers"] for m in b["markets"]} == set(markets.BY_KEY)
    assert f"markets={markets.odds_api_markets()}".replace(",", "%2C") in okc.url

    assert source.player_props_odds(OPENER, snapshot - dt.timedelta(minutes=1)) == []
    assert len(source.player_props_odds(OPENER, snapshot)) == len(payloads)


# --- counts, tricodes, determinism ---------------------------------------------------------------

COUNT_DAYS = [dt.date(2024, 11, 15), JOKIC_DAY, OPENER, DAY_2526, dt.date(2025, 11, 9)]


@pytest.mark.parametrize("day", COUNT_DAYS)
def test_count_records_equals_csv_rows(source, csvs, day):
    as_of = _next_noon(day)
    iso = day.isoformat()
    sched = pd.concat([csvs["sched2425"], csvs["sched2526"]], ignore_index=True)
    nba = sched["home_team"].map(is_nba_team) & sched["away_team"].map(is_nba_team)
    sched = sched[(sched["game_date"] == iso) & nba]
    assert sum(count_records(p) for p in source.schedule(day, as_of)) == len(sched) > 0

    players = pd.concat([csvs["players2425"], csvs["players2526"]], ignore_index=True)
    n_played = int((players["date"] == iso).sum())
    assert sum(count_records(p) for p in source.player_game_logs(day, as_of)) == n_played > 0

    dnp = csvs["dnp2425"]
    n_dnp = int(((dnp["dnp"] == True) & (dnp["date"] == iso)).sum())  # noqa: E712
    boxes = source.team_boxscores(day, as_of)
    expected_box = n_played + n_dnp if day < dt.date(2025, 7, 1) else 0  # team logs: 2024-25 only
    assert sum(count_records(p) for p in boxes) == expected_box

    # Each CSV prop row is one Over and one Under outcome.
    n_props = len(_props_rows_on(csvs["props"].dropna(subset=["line", "over_odds", "under_odds"]), day))
    assert sum(count_records(p) for p in source.player_props_odds(day, as_of)) == 2 * n_props


def test_injury_report_latest_published_file(source, real_root, tmp_path):
    folder = real_root / "api_payloads" / "nba_injury_report"
    if not any(folder.glob("Injury-Report_2026-02-08_*.pdf")):
        pytest.skip(f"no 2026-02-08 injury report PDFs in {folder}")
    assert source.injury_report(INJURY_DAY, dt.datetime(2026, 2, 8, 15, 29, tzinfo=ET)) == []
    [early] = source.injury_report(INJURY_DAY, dt.datetime(2026, 2, 8, 18, 20, tzinfo=ET))
    assert early.name == "Injury-Report_2026-02-08_06_15PM"
    assert early.fetched_at == dt.datetime(2026, 2, 8, 18, 15, tzinfo=ET)
    # The folder holds the PDF and the CSV parsed from it: the PDF is served, as the live source does.
    [latest] = source.injury_report(INJURY_DAY, _next_noon(INJURY_DAY))
    pdf = folder / "Injury-Report_2026-02-08_06_30PM.pdf"
    assert latest.name == pdf.stem and latest.content_type == "pdf" and latest.body == pdf.read_bytes()
    assert latest.url == "https://ak-static.cms.nba.com/referee/injury/Injury-Report_2026-02-08_06_30PM.pdf"
    legacy_rows = len(list(csv.DictReader((folder / f"{pdf.stem}.csv").open())))
    assert count_records(latest) == legacy_rows == 114
    parsed = parse_injury_report(injury_report_text(latest.body, INJURY_DAY, pdf.name), INJURY_DAY, "x", latest.name)
    assert set(parsed["team_tricode"]) <= NBA_TRICODES and 0 < len(parsed) < legacy_rows  # Monday's rows left out
    assert source.injury_report(JOKIC_DAY, _next_noon(JOKIC_DAY)) == []

    # A folder with only the CSV serves the CSV's text.
    only_csv = tmp_path / "api_payloads" / "nba_injury_report"
    only_csv.mkdir(parents=True)
    (only_csv / f"{pdf.stem}.csv").write_bytes((folder / f"{pdf.stem}.csv").read_bytes())
    [from_csv] = HistoricalSource(root=str(tmp_path)).injury_report(INJURY_DAY, _next_noon(INJURY_DAY))
    assert from_csv.content_type == "csv" and from_csv.body == (folder / f"{pdf.stem}.csv").read_text()
    assert count_records(from_csv) == legacy_rows


def test_no_rosters_no_game_lines_and_disabled_endpoints(real_root, source):
    assert source.team_rosters(JOKIC_DAY, _next_noon(JOKIC_DAY)) == []
    assert source.game_lines_odds(OPENER, _next_noon(OPENER)) == []
    assert source.source_name == "historical"
    off = HistoricalSource(root=str(real_root), disabled_endpoints=[PLAYER_GAME_LOG])
    assert off.fetch(PLAYER_GAME_LOG, JOKIC_DAY, _next_noon(JOKIC_DAY)) == []
    assert off.fetch(SCHEDULE, JOKIC_DAY, _next_noon(JOKIC_DAY))


def _tricodes(payload) -> set[str]:
    body = payload.body
    if payload.endpoint == SCHEDULE:
        return {g[s]["teamTricode"] for g in _games(payload) for s in ("homeTeam", "awayTeam")}
    if payload.endpoint == PLAYER_GAME_LOG:
        out = set()
        for r in _rows(payload):
            out.add(r["TEAM_ABBREVIATION"])
            out.update(r["MATCHUP"].replace(" vs. ", " ").replace(" @ ", " ").split())
        return out
    if payload.endpoint == BOXSCORE_TRADITIONAL:
        box = body["boxScoreTraditional"]
        return {box["homeTeam"]["teamTricode"], box["awayTeam"]["teamTricode"]}
    if payload.endpoint in (ODDS_PLAYER_PROPS, ODDS_GAME_LINES):
        ev = body["data"]
        return {team_by_name(ev["home_team"]).tricode, team_by_name(ev["away_team"]).tricode}
    if payload.endpoint == INJURY_REPORT:
        text = injury_report_text(payload.to_bytes(), INJURY_DAY, f"{payload.name}.{payload.content_type}")
        return {team_by_name(r["team"]).tricode for r in csv.DictReader(io.StringIO(text))}
    raise AssertionError(payload.endpoint)


def _every_day() -> list[dt.date]:
    start, end = dt.date(2024, 10, 1), dt.date(2025, 11, 12)
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)] + [INJURY_DAY]


def test_every_payload_every_day_parses_with_nba_tricodes_and_unique_names(source, csvs):
    totals = dict.fromkeys(ALL_ENDPOINTS, 0)
    for day in _every_day():
        as_of = _next_noon(day)
        for endpoint in ALL_ENDPOINTS:
            payloads = source.fetch(endpoint, day, as_of)
            assert len({p.name for p in payloads}) == len(payloads), (endpoint, day)
            for p in payloads:
                assert p.endpoint == endpoint and p.fetched_at <= as_of and p.url.startswith("https://")
                assert _tricodes(p) <= NBA_TRICODES, (endpoint, day, _tricodes(p) - NBA_TRICODES)
                totals[endpoint] += count_records(p)
                if endpoint == SCHEDULE:
                    assert p.fetched_at == as_of
                    parse_schedule(p.body, day, p.name)
                elif endpoint == PLAYER_GAME_LOG:
                    assert p.fetched_at == as_of
                    parse_league_game_log(p.body, day, p.name)
                elif endpoint == BOXSCORE_TRADITIONAL:
                    assert p.fetched_at == as_of
                    parse_boxscore_v3(p.body, day, p.name)
                elif endpoint == ODDS_PLAYER_PROPS:
                    parse_player_props(p.body, day, p.name, p.fetched_at)
    # Every row of every file is replayed exactly once over the two seasons.
    assert totals[PLAYER_GAME_LOG] == len(csvs["players2425"]) + len(csvs["players2526"])
    dnp = csvs["dnp2425"]
    assert totals[BOXSCORE_TRADITIONAL] == len(csvs["players2425"]) + int((dnp["dnp"] == True).sum())  # noqa: E712
    # (a prop row without its line or a price is no quote: 8 such rows in the threes files)
    quoted = csvs["props"].dropna(subset=["line", "over_odds", "under_odds"])
    assert totals[ODDS_PLAYER_PROPS] == 2 * len(quoted) and len(csvs["props"]) - len(quoted) == 8
    assert totals[TEAM_ROSTER] == totals[ODDS_GAME_LINES] == 0


def test_two_instances_give_identical_bytes(real_root):
    def dump(src: HistoricalSource) -> list[tuple[str, str, bytes]]:
        out = []
        for day in (dt.date(2024, 12, 14), JOKIC_DAY, OPENER, DAY_2526, INJURY_DAY):
            for endpoint in ALL_ENDPOINTS:
                out += [(p.endpoint, p.name, p.to_bytes()) for p in src.fetch(endpoint, day, _next_noon(day))]
        return out

    first = dump(HistoricalSource(root=str(real_root)))
    historical.clear_cache()  # the second instance reloads the files from disk
    second = dump(HistoricalSource(root=str(real_root / ".." / "real")))
    assert first == second and len(first) > 20
