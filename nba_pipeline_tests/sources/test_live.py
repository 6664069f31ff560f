"""LiveSource against an httpx.MockTransport serving the real payloads in ../shared/data/real.

Offline: no request leaves the process. The mock records every request (with the instant it arrived)
so the tests can check URLs, query parameters, headers and the stats.nba.com throttle.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import json
import time
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import httpx
import pytest

from nba_pipeline.parsers.injuries import injury_report_text, parse_injury_report
from nba_pipeline.parsers.nba import parse_boxscore_v3, parse_common_team_roster, parse_league_game_log, parse_schedule
from nba_pipeline.parsers.odds import parse_game_lines, parse_player_props
from nba_pipeline.sources import base, live_http
from nba_pipeline.sources.base import SourceUnavailableError, count_records
from nba_pipeline.sources.live import LiveSource, SourcePermanentError, injury_report_candidate_urls, redact
from nba_pipeline.storage import LocalBlobStore, archive_payload, list_archived

ET = ZoneInfo("America/New_York")
UTC = dt.UTC

REAL = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "real" / "api_payloads"
SCHEDULE_FILE = REAL / "cdn_nba_com" / "scheduleLeagueV2_2023-24__pbpstats.json"
BOX_FILE = (
    REAL / "stats_nba_com" / "boxscoretraditionalv3__smoke_cassettes_test_endpoints_BoxScoreTraditionalV3__0.json"
)
ROSTER_FILE = REAL / "stats_nba_com" / "commonteamroster__smoke_cassettes_test_endpoints_CommonTeamRoster__0.json"
GAMELOG_FILE = REAL / "stats_nba_com" / "leaguegamelog__smoke_cassettes_test_endpoints_LeagueGameLog__0.json"
EVENTS_FILE = REAL / "odds_api" / "events_list__silvercrocus_2023-24_events.json"
INJURY_DIR = REAL / "nba_injury_report"

pytestmark = pytest.mark.skipif(
    not REAL.is_dir(), reason=f"real API payloads not found at {REAL} (the shared data checkout sits next to the repo)"
)

API_KEY = "test-odds-key-7f3a9c"
OPENING_NIGHT = dt.date(2023, 10, 24)  # DEN-LAL and GSW-PHX in the real 2023-24 schedule
AS_OF = dt.datetime(2023, 10, 25, 9, 0, tzinfo=UTC)


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"real payload {path} is absent")
    return path


@functools.cache
def _load(path: Path):
    return json.loads(_need(path).read_text())


def real(path: Path):
    """A fresh deep copy of a real payload (tests may adjust the copy they serve)."""
    return copy.deepcopy(_load(path))


def odds_event_files() -> list[Path]:
    files = sorted((REAL / "odds_api").glob("event_odds_player_points__*.json"))
    if not files:
        pytest.skip(f"no real event odds files under {REAL / 'odds_api'}")
    return files


class MockServer:
    """Routes by host + path to handlers; records (request, monotonic arrival time)."""

    def __init__(self) -> None:
        self.routes: dict[str, Callable[[httpx.Request], httpx.Response]] = {}
        self.calls: list[tuple[httpx.Request, float]] = []

    def route(self, host_path: str, handler):
        self.routes[host_path] = (
            handler if callable(handler) else (lambda req, body=handler: httpx.Response(200, json=body))
        )

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls.append((request, time.monotonic()))
        key = f"{request.url.host}{request.url.path}"
        if key in self.routes:
            return self.routes[key](request)
        for prefix, handler in self.routes.items():
            if prefix.endswith("*") and key.startswith(prefix[:-1]):
                return handler(request)
        return httpx.Response(404, text=f"no route for {key}")

    def requests(self, host: str | None = None) -> list[httpx.Request]:
        return [r for r, _ in self.calls if host is None or r.url.host == host]

    def times(self, host: str) -> list[float]:
        return [t for r, t in self.calls if r.url.host == host]


def make_source(server: MockServer, **config) -> LiveSource:
    config.setdefault("stats_min_interval_seconds", 0.0)
    source = LiveSource(**config)
    source._transport = httpx.MockTransport(server)
    return source


def serve_schedule(server: MockServer, mutate: Callable[[dict], None] | None = None) -> None:
    doc = real(SCHEDULE_FILE)
    if mutate:
        mutate(doc)
    raw = json.dumps(doc).encode()
    server.route(
        "cdn.nba.com/static/json/staticData/scheduleLeagueV2_1.json",
        lambda req: httpx.Response(200, content=raw, headers={"content-type": "application/json"}),
    )


def mark_final(doc: dict, game_id: str) -> None:
    for gd in doc["leagueSchedule"]["gameDates"]:
        for g in gd["games"]:
            if g["gameId"] == game_id:
                g["gameStatus"], g["gameStatusText"] = 3, "Final"


def assert_stats_headers(request: httpx.Request) -> None:
    h = request.headers
    assert "Mozilla" in h["user-agent"]
    assert h["referer"] == "https://www.nba.com/"
    assert h["origin"] == "https://www.nba.com"
    assert "application/json" in h["accept"]
    assert h["x-nba-stats-origin"] == "stats"
    assert h["x-nba-stats-token"] == "true"


# --- configuration ------------------------------------------------------------------------------


def test_defaults_and_source_name():
    source = LiveSource()
    assert source.source_name == "live"
    assert source.odds_api_key is None
    assert source.stats_min_interval_seconds == 0.6
    assert source.timeout_seconds == 30
    assert source.bookmakers == ["draftkings", "fanduel", "betmgm", "williamhill_us", "betrivers"]
    assert source.disabled_endpoints == []
    # As deployment.py builds it for production.
    assert LiveSource(odds_api_key=dg.EnvVar("ODDS_API_KEY")).source_name == "live"


# --- schedule -----------------------------------------------------------------------------------


def test_schedule_keeps_only_the_game_date():
    server = MockServer()
    serve_schedule(server)
    payloads = make_source(server).fetch(base.SCHEDULE, OPENING_NIGHT, AS_OF)

    assert len(payloads) == 1
    p = payloads[0]
    assert p.endpoint == base.SCHEDULE
    assert p.name == "scheduleLeagueV2_20231024"
    assert p.url == "https://cdn.nba.com/static/json/staticData/scheduleLeagueV2_1.json"
    assert p.fetched_at == AS_OF
    original = _load(SCHEDULE_FILE)
    assert p.body["meta"] == original["meta"]
    assert set(p.body["leagueSchedule"]) == set(original["leagueSchedule"])  # weeks, broadcasterList kept
    assert [d["gameDate"] for d in p.body["leagueSchedule"]["gameDates"]] == ["10/24/2023 00:00:00"]
    assert count_records(p) == 2

    frame = parse_schedule(p.body, OPENING_NIGHT, "mock")
    assert sorted(zip(frame["away_team_tricode"], frame["home_team_tricode"])) == [("LAL", "DEN"), ("PHX", "GSW")]

    (request,) = server.requests()
    assert request.method == "GET"
    assert "Mozilla" in request.headers["user-agent"]
    assert request.headers["referer"] == "https://www.nba.com/"


def test_schedule_date_without_games_is_an_empty_scrape():
    server = MockServer()
    serve_schedule(server)
    (p,) = make_source(server).schedule(dt.date(2023, 8, 1), AS_OF)
    assert p.name == "scheduleLeagueV2_20230801"
    assert p.body["leagueSchedule"]["gameDates"] == []
    assert count_records(p) == 0
    assert parse_schedule(p.body, dt.date(2023, 8, 1), "mock").empty


# --- stats.nba.com ------------------------------------------------------------------------------


def test_team_boxscores_only_for_final_games():
    # The real schedule is a pre-season snapshot (every game scheduled): mark DEN-LAL final.
    server = MockServer()
    serve_schedule(server, lambda doc: mark_final(doc, "0022300061"))
    server.route("stats.nba.com/stats/boxscoretraditionalv3", real(BOX_FILE))  # (a real CHI@CLE box score)
    payloads = make_source(server).fetch(base.BOXSCORE_TRADITIONAL, OPENING_NIGHT, AS_OF)

    (stats_request,) = server.requests("stats.nba.com")
    assert stats_request.url.path == "/stats/boxscoretraditionalv3"
    assert dict(stats_request.url.params) == {
        "GameID": "0022300061",
        "StartPeriod": "0",
        "EndPeriod": "10",
        "StartRange": "0",
        "EndRange": "28800",
        "RangeType": "0",
    }
    assert_stats_headers(stats_request)

    (p,) = payloads
    assert (p.endpoint, p.name, p.fetched_at) == (base.BOXSCORE_TRADITIONAL, "0022300061", AS_OF)
    assert p.url.startswith("https://stats.nba.com/stats/boxscoretraditionalv3?GameID=0022300061")
    assert p.body == _load(BOX_FILE)
    teams, players = parse_boxscore_v3(p.body, OPENING_NIGHT, "mock")
    assert sorted(teams["team_tricode"]) == ["CHI", "CLE"]
    assert len(players) == count_records(p) == 23


def test_team_boxscores_none_when_no_game_is_final():
    server = MockServer()
    serve_schedule(server)
    assert make_source(server).team_boxscores(OPENING_NIGHT, AS_OF) == []
    assert server.requests("stats.nba.com") == []


def test_team_rosters_one_per_team_playing():
    server = MockServer()
    serve_schedule(server)
    server.route("stats.nba.com/stats/commonteamroster", real(ROSTER_FILE))
    payloads = make_source(server).fetch(base.TEAM_ROSTER, OPENING_NIGHT, AS_OF)

    assert [p.name for p in payloads] == [f"commonteamroster_{t}" for t in ("DEN", "GSW", "LAL", "PHX")]
    requests = server.requests("stats.nba.com")
    assert [dict(r.url.params) for r in requests] == [
        {"LeagueID": "00", "Season": "2023-24", "TeamID": str(team_id)}
        for team_id in (1610612743, 1610612744, 1610612747, 1610612756)
    ]
    for r in requests:
        assert r.url.path == "/stats/commonteamroster"
        assert_stats_headers(r)
    for p in payloads:
        assert p.endpoint == base.TEAM_ROSTER and p.fetched_at == AS_OF
        frame = parse_common_team_roster(p.body, OPENING_NIGHT, "mock")
        assert len(frame) == count_records(p) > 0


def _gamelog_for(day: str) -> dict:
    body = real(GAMELOG_FILE)
    rs = body["resultSets"][0]
    idx = rs["headers"].index("GAME_DATE")
    rs["rowSet"] = [r for r in rs["rowSet"] if str(r[idx])[:10] == day]
    return body


def test_player_game_logs_regular_season_request():
    day = dt.date(2025, 10, 21)
    body = _gamelog_for(day.isoformat())
    assert body["resultSets"][0]["rowSet"], "the real log has opening-night rows"
    server = MockServer()
    server.route("stats.nba.com/stats/leaguegamelog", body)
    (p,) = make_source(server).fetch(base.PLAYER_GAME_LOG, day, AS_OF)

    (request,) = server.requests()
    assert request.url.path == "/stats/leaguegamelog"
    assert dict(request.url.params) == {
        "Counter": "1000",
        "DateFrom": "10/21/2025",
        "DateTo": "10/21/2025",
        "Direction": "ASC",
        "LeagueID": "00",
        "PlayerOrTeam": "P",
        "Season": "2025-26",
        "SeasonType": "Regular Season",
    }
    assert_stats_headers(request)
    assert p.endpoint == base.PLAYER_GAME_LOG
    assert p.name == "leaguegamelog_20251021_RegularSeason"
    assert p.body == body
    assert len(parse_league_game_log(p.body, day, "mock")) == count_records(p)


def test_player_game_logs_spring_queries_playin_and_playoffs():
    day = dt.date(2026, 4, 15)  # January-September: the season that started the previous October
    with_rows = _gamelog_for("2025-10-21")
    empty = _gamelog_for("1900-01-01")

    def handler(request):
        return httpx.Response(200, json=with_rows if request.url.params["SeasonType"] == "PlayIn" else empty)

    server = MockServer()
    server.route("stats.nba.com/stats/leaguegamelog", handler)
    payloads = make_source(server).player_game_logs(day, AS_OF)
    assert [r.url.params["SeasonType"] for r in server.requests()] == ["Regular Season", "PlayIn", "Playoffs"]
    assert {r.url.params["Season"] for r in server.requests()} == {"2025-26"}
    assert [p.name for p in payloads] == ["leaguegamelog_20260415_PlayIn"]

    # No season type has rows: the regular-season scrape is still returned (it happened, it was empty).
    server2 = MockServer()
    server2.route("stats.nba.com/stats/leaguegamelog", empty)
    (p,) = make_source(server2).player_game_logs(day, AS_OF)
    assert p.name == "leaguegamelog_20260415_RegularSeason" and count_records(p) == 0


# --- error mapping ------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_throttling_and_server_errors_are_transient(status):
    server = MockServer()
    server.route("stats.nba.com/stats/leaguegamelog", lambda req: httpx.Response(status, headers={"Retry-After": "5"}))
    with pytest.raises(SourceUnavailableError, match=str(status)):
        make_source(server).player_game_logs(dt.date(2025, 1, 10), AS_OF)
    assert len(server.requests()) == 1  # never retried inside the source


@pytest.mark.parametrize(
    "exc",
    [
        httpx.ReadTimeout("read timed out"),
        httpx.ConnectTimeout("connect timed out"),
        httpx.ConnectError("connection refused"),
        httpx.RemoteProtocolError("eof"),
    ],
)
def test_timeouts_and_connection_errors_are_transient(exc):
    def handler(request):
        raise exc

    server = MockServer()
    server.route("cdn.nba.com/static/json/staticData/scheduleLeagueV2_1.json", handler)
    with pytest.raises(SourceUnavailableError, match="scheduleLeagueV2_1.json"):
        make_source(server).schedule(OPENING_NIGHT, AS_OF)
    assert len(server.requests()) == 1


def test_body_that_is_not_json_is_transient():
    server = MockServer()
    server.route(
        "cdn.nba.com/static/json/staticData/scheduleLeagueV2_1.json",
        lambda req: httpx.Response(200, text="<html>Access Denied</html>"),
    )
    with pytest.raises(SourceUnavailableError, match="not JSON"):
        make_source(server).schedule(OPENING_NIGHT, AS_OF)


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_other_client_errors_are_permanent_and_name_the_url(status):
    server = MockServer()
    serve_schedule(server)
    server.route("stats.nba.com/stats/commonteamroster", lambda req: httpx.Response(status, text="Not Found"))
    with pytest.raises(SourcePermanentError) as info:
        make_source(server).team_rosters(OPENING_NIGHT, AS_OF)
    err = info.value
    assert not isinstance(err, SourceUnavailableError)
    assert err.status == status
    assert err.url.startswith("https://stats.nba.com/stats/commonteamroster?")
    assert "TeamID=1610612743" in err.url
    assert err.url in str(err) and f"HTTP {status}" in str(err)
    assert len(server.requests("stats.nba.com")) == 1


def test_permanent_error_bypasses_dagster_retry_policy_transient_does_not():
    def run(status: int) -> tuple[dg.ExecuteInProcessResult, int]:
        server = MockServer()
        server.route(
            "cdn.nba.com/static/json/staticData/scheduleLeagueV2_1.json",
            lambda req: httpx.Response(status, text="nope"),
        )
        source = make_source(server)

        @dg.asset(retry_policy=dg.RetryPolicy(max_retries=2))
        def scraped_schedule():
            source.schedule(OPENING_NIGHT, AS_OF)

        result = dg.materialize([scraped_schedule], raise_on_error=False)
        return result, len(server.requests())

    result, attempts = run(404)
    assert not result.success and attempts == 1  # fails loudly at once, never retried
    failure = [e for e in result.all_events if e.is_step_failure][0]
    assert "HTTP 404" in failure.step_failure_data.error.message
    assert failure.step_failure_data.user_failure_data.metadata["status"].value == 404

    result, attempts = run(503)
    assert not result.success and attempts == 3  # 1 + max_retries, by Dagster, not by the source


# --- throttle -----------------------------------------------------------------------------------


def test_stats_calls_are_spaced_by_the_configured_interval():
    interval = 0.05
    server = MockServer()
    serve_schedule(server)
    server.route("stats.nba.com/stats/commonteamroster", real(ROSTER_FILE))
    make_source(server, stats_min_interval_seconds=interval).team_rosters(OPENING_NIGHT, AS_OF)
    times = server.times("stats.nba.com")
    assert len(times) == 4
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert min(gaps) >= interval * 0.95, gaps


def test_throttle_is_process_wide_across_instances():
    interval = 0.05
    server = MockServer()
    server.route("stats.nba.com/stats/leaguegamelog", _gamelog_for("1900-01-01"))
    a = make_source(server, stats_min_interval_seconds=interval)
    b = make_source(server, stats_min_interval_seconds=interval)
    a.player_game_logs(dt.date(2025, 1, 10), AS_OF)
    b.player_game_logs(dt.date(2025, 1, 10), AS_OF)
    first, second = server.times("stats.nba.com")
    assert second - first >= interval * 0.95


def test_cdn_and_odds_calls_are_not_throttled():
    server = MockServer()
    serve_schedule(server)
    source = make_source(server, stats_min_interval_seconds=5.0)
    slept = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(live_http.time, "sleep", slept.append)
        source.schedule(OPENING_NIGHT, AS_OF)
        source.schedule(OPENING_NIGHT, AS_OF)
    assert slept == [] and len(server.calls) == 2


# --- The Odds API -------------------------------------------------------------------------------


def serve_odds(server: MockServer) -> dict[str, dict]:
    """The events list (the real list plus the real events whose odds we hold), filtered by
    commenceTimeFrom/To as the API does, and each real event's odds under /events/{id}/odds."""
    odds = {}
    for path in odds_event_files():
        event = real(path)
        odds[event["id"]] = event
    headers_only = [
        {k: e[k] for k in ("id", "sport_key", "sport_title", "commence_time", "home_team", "away_team")}
        for e in odds.values()
    ]
    events = real(EVENTS_FILE) + headers_only

    def list_events(request):
        lo, hi = request.url.params["commenceTimeFrom"], request.url.params["commenceTimeTo"]
        return httpx.Response(
            200,
            json=[e for e in events if lo <= e["commence_time"] <= hi],
            headers={"x-requests-remaining": "499", "x-requests-used": "1"},
        )

    def event_odds(request):
        event_id = request.url.path.split("/")[-2]
        if event_id not in odds:
            return httpx.Response(404, json={"message": "Event not found"})
        return httpx.Response(200, json=odds[event_id], headers={"x-requests-remaining": "490"})

    server.route("api.the-odds-api.com/v4/sports/basketball_nba/events", list_events)
    server.route("api.the-odds-api.com/v4/sports/basketball_nba/events/*", event_odds)
    return odds


ODDS_DAY = dt.date(2024, 2, 22)  # ORL@CLE 7:00 PM ET and BKN@TOR 7:10 PM ET (00:00Z / 00:10Z on the 23rd)
ODDS_AS_OF = dt.datetime(2024, 2, 22, 23, 30, 15, tzinfo=UTC)


def test_player_props_odds_requests_and_envelope():
    server = MockServer()
    odds = serve_odds(server)
    payloads = make_source(server, odds_api_key=API_KEY).fetch(base.ODDS_PLAYER_PROPS, ODDS_DAY, ODDS_AS_OF)

    list_request, *odds_requests = server.requests()
    assert list_request.url.path == "/v4/sports/basketball_nba/events"
    assert dict(list_request.url.params) == {
        "apiKey": API_KEY,
        "commenceTimeFrom": "2024-02-22T05:00:00Z",
        "commenceTimeTo": "2024-02-23T04:59:59Z",
    }
    assert len(odds_requests) == 2
    for r in odds_requests:
        assert r.url.path.endswith("/odds")
        assert dict(r.url.params) == {
            "apiKey": API_KEY,
            "regions": "us",
            # Every registered market in the one call per event (the API bills each).
            "markets": "player_points,player_rebounds,player_assists,player_threes,player_points_rebounds_assists",
            "oddsFormat": "american",
            "bookmakers": "draftkings,fanduel,betmgm,williamhill_us,betrivers",
        }

    assert sorted(p.body["data"]["id"] for p in payloads) == sorted(odds)
    for p in payloads:
        event_id = p.body["data"]["id"]
        assert p.endpoint == base.ODDS_PLAYER_PROPS
        assert p.name == f"20240222T233015Z_{event_id}"
        assert p.fetched_at == ODDS_AS_OF
        assert p.body == {"timestamp": "2024-02-22T23:30:15Z", "data": odds[event_id]}
        assert p.url == (
            f"https://api.the-odds-api.com/v4/sports/basketball_nba/events/{event_id}/odds"
            "?apiKey=REDACTED&regions=us&markets=player_points%2Cplayer_rebounds%2Cplayer_assists%2Cplayer_threes%2Cplayer_points_rebounds_assists&oddsFormat=american"
            "&bookmakers=draftkings%2Cfanduel%2Cbetmgm%2Cwilliamhill_us%2Cbetrivers"
        )
        assert API_KEY not in repr(p) and API_KEY not in p.to_bytes().decode()
        frame = parse_player_props(p.body, ODDS_DAY, "mock", p.fetched_at)
        assert len(frame) > 0
        assert (frame["snapshot_timestamp"] == dt.datetime(2024, 2, 22, 23, 30, 15, tzinfo=UTC)).all()
        assert count_records(p) > 0


def test_game_lines_odds_ask_for_spreads_and_totals():
    server = MockServer()
    serve_odds(server)
    payloads = make_source(server, odds_api_key=API_KEY, bookmakers=["fanduel"]).fetch(
        base.ODDS_GAME_LINES, ODDS_DAY, ODDS_AS_OF
    )
    odds_requests = server.requests()[1:]
    assert {r.url.params["markets"] for r in odds_requests} == {"spreads,totals"}
    assert {r.url.params["bookmakers"] for r in odds_requests} == {"fanduel"}
    assert len(payloads) == 2
    for p in payloads:
        assert p.endpoint == base.ODDS_GAME_LINES and API_KEY not in p.url and "apiKey=REDACTED" in p.url
        parse_game_lines(p.body, ODDS_DAY, "mock", p.fetched_at)  # accepted (no spreads in these files)


def test_odds_events_from_the_real_events_list():
    server = MockServer()
    serve_odds(server)
    day = dt.date(2025, 10, 21)  # opening night 2025-26: HOU@OKC and GSW@LAL in the real list
    with pytest.raises(SourcePermanentError) as info:  # our mock holds no odds for those events: 404
        make_source(server, odds_api_key=API_KEY).player_props_odds(day, ODDS_AS_OF)
    assert info.value.status == 404
    assert API_KEY not in str(info.value) and "apiKey=REDACTED" in str(info.value)
    events = server.requests()[0]
    assert events.url.params["commenceTimeFrom"] == "2025-10-21T04:00:00Z"  # EDT
    assert events.url.params["commenceTimeTo"] == "2025-10-22T03:59:59Z"


def test_odds_date_without_events_returns_nothing():
    server = MockServer()
    serve_odds(server)
    assert make_source(server, odds_api_key=API_KEY).player_props_odds(dt.date(2024, 7, 1), ODDS_AS_OF) == []
    assert len(server.requests()) == 1


def test_odds_errors_never_leak_the_key():
    server = MockServer()
    server.route(
        "api.the-odds-api.com/v4/sports/basketball_nba/events",
        lambda req: httpx.Response(401, json={"message": "API key is not valid"}),
    )
    with pytest.raises(SourcePermanentError) as info:
        make_source(server, odds_api_key=API_KEY).player_props_odds(ODDS_DAY, ODDS_AS_OF)
    assert API_KEY not in str(info.value) and API_KEY not in info.value.url
    assert info.value.status == 401

    def boom(request):
        raise httpx.ConnectError(f"failed for {request.url}")

    server.route("api.the-odds-api.com/v4/sports/basketball_nba/events", boom)
    with pytest.raises(SourceUnavailableError) as info2:
        make_source(server, odds_api_key=API_KEY).player_props_odds(ODDS_DAY, ODDS_AS_OF)
    assert API_KEY not in str(info2.value)
    assert info2.value.__cause__ is None and info2.value.__suppress_context__


def test_redact():
    assert redact("https://x/events?apiKey=abc123&regions=us") == "https://x/events?apiKey=REDACTED&regions=us"
    assert redact("https://x/events?regions=us&apikey=abc") == "https://x/events?regions=us&apikey=REDACTED"


def test_missing_odds_key_is_a_clear_permanent_error(monkeypatch):
    server = MockServer()
    for source in (make_source(server), make_source(server, odds_api_key="")):
        for method in (source.player_props_odds, source.game_lines_odds):
            with pytest.raises(SourcePermanentError, match="odds_api_key.*ODDS_API_KEY"):
                method(ODDS_DAY, ODDS_AS_OF)
    # Configured as production does, used outside a Dagster run: the variable is read here.
    monkeypatch.delenv("ODDS_API_KEY", raising=False)
    env_source = make_source(server, odds_api_key=dg.EnvVar("ODDS_API_KEY"))
    with pytest.raises(SourcePermanentError, match="odds_api_key"):
        env_source.player_props_odds(ODDS_DAY, ODDS_AS_OF)
    assert server.requests() == []

    monkeypatch.setenv("ODDS_API_KEY", API_KEY)
    serve_odds(server)
    assert len(env_source.player_props_odds(ODDS_DAY, ODDS_AS_OF)) == 2
    assert server.requests()[0].url.params["apiKey"] == API_KEY


# --- injury report ------------------------------------------------------------------------------


def serve_injury_reports(server: MockServer, override: dict[str, bytes] | None = None) -> list[str]:
    """The real report PDFs at their CDN URLs (``override`` replaces a file's bytes by name)."""
    pdfs = sorted(INJURY_DIR.glob("Injury-Report_*.pdf"))
    if not pdfs:
        pytest.skip(f"no real injury report PDFs under {INJURY_DIR}")
    files = {p.name: p.read_bytes() for p in pdfs} | (override or {})

    def handler(request):
        name = request.url.path.rsplit("/", 1)[-1]
        if name not in files:  # the CDN answers 403 AccessDenied for a missing object
            return httpx.Response(403, text="<Error><Code>AccessDenied</Code></Error>")
        content = b"" if request.method == "HEAD" else files[name]
        return httpx.Response(200, content=content, headers={"content-type": "application/pdf"})

    server.route("ak-static.cms.nba.com/referee/injury/*", handler)
    return list(files)


def _et(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=ET).astimezone(UTC)


def test_injury_report_downloads_the_latest_pdf_and_its_rows_reach_the_parser(tmp_path):
    server = MockServer()
    names = serve_injury_reports(server)
    assert "Injury-Report_2026-02-08_06_15PM.pdf" in names
    as_of = _et(2026, 2, 8, 18, 20)
    (payload,) = make_source(server).fetch(base.INJURY_REPORT, dt.date(2026, 2, 8), as_of)

    url = "https://ak-static.cms.nba.com/referee/injury/Injury-Report_2026-02-08_06_15PM.pdf"
    pdf = (INJURY_DIR / "Injury-Report_2026-02-08_06_15PM.pdf").read_bytes()
    assert (payload.name, payload.url, payload.content_type, payload.fetched_at) == (
        "Injury-Report_2026-02-08_06_15PM",
        url,
        "pdf",
        as_of,
    )
    assert payload.body == payload.to_bytes() == pdf  # the NBA's bytes, untouched
    assert count_records(payload) == 109  # every player row, both game dates
    # Latest slot first, found at once; then the file itself.
    assert [(r.method, str(r.url)) for r in server.requests()] == [("HEAD", url), ("GET", url)]
    assert all("Mozilla" in r.headers["user-agent"] for r in server.requests())

    # Archived before anything reads it, then read back from the archive as Phase 2 does.
    store = LocalBlobStore(root=str(tmp_path))
    archived = archive_payload(store, "live", dt.date(2026, 2, 8), payload)
    assert archived.path.endswith("__Injury-Report_2026-02-08_06_15PM.pdf") and archived.records == 109
    (f,) = list_archived(store, "live", base.INJURY_REPORT, dt.date(2026, 2, 8), latest_only=False)
    text = injury_report_text(store.get(f.path), dt.date(2026, 2, 8), store.uri(f.path), source="live")
    rows = parse_injury_report(text, dt.date(2026, 2, 8), store.uri(f.path), f.name, source="live")

    # The rows that reach the parser: the 53 players of Sunday's four games, as printed.
    assert len(rows) == 53 and set(rows["matchup"]) == {"MIA@WAS", "IND@TOR", "LAC@MIN", "NYK@BOS"}
    assert (rows["report_name"] == "Injury-Report_2026-02-08_06_15PM").all()
    assert rows["report_published_at"].iloc[0] == dt.datetime(2026, 2, 8, 23, 15, tzinfo=UTC)
    by_player = rows.set_index("player_lookup")
    assert by_player.loc["tyresehaliburton", ["team_tricode", "injury_status", "reason"]].tolist() == [
        "IND",
        "out",
        "Injury/Illness - Right Achilles Tendon; Tear",
    ]
    assert by_player.loc["jaysontatum", ["team_tricode", "injury_status", "reason"]].tolist() == [
        "BOS",
        "out",
        "Injury/Illness - Right Achilles; Repair",
    ]
    assert by_player.loc["karlanthonytowns", ["team_tricode", "player_name", "injury_status"]].tolist() == [
        "NYK",
        "Karl-Anthony Towns",
        "available",
    ]
    assert set(rows["injury_status"]) <= {"out", "doubtful", "questionable", "probable", "available"}


def test_injury_report_walks_back_through_15_minute_slots():
    server = MockServer()
    serve_injury_reports(server)
    (payload,) = make_source(server).injury_report(dt.date(2026, 2, 8), _et(2026, 2, 8, 17, 5))
    assert payload.name == "Injury-Report_2026-02-08_03_30PM" and payload.body.startswith(b"%PDF-")
    tried = [(r.method, "_".join(str(r.url).rsplit("_", 2)[-2:])) for r in server.requests()]
    assert tried == [
        ("HEAD", slot)
        for slot in (
            "05_00PM.pdf",
            "04_45PM.pdf",
            "04_30PM.pdf",
            "04_15PM.pdf",
            "04_00PM.pdf",
            "03_45PM.pdf",
            "03_30PM.pdf",
        )
    ] + [("GET", "03_30PM.pdf")]


def test_injury_report_that_is_not_a_pdf_is_retried_and_a_damaged_pdf_is_still_archived():
    # An HTML page served with 200 (a block page): transient, the RetryPolicy tries again.
    server = MockServer()
    serve_injury_reports(server, {"Injury-Report_2026-02-08_06_15PM.pdf": b"<html>Access Denied</html>"})
    with pytest.raises(SourceUnavailableError, match="not a PDF"):
        make_source(server).injury_report(dt.date(2026, 2, 8), _et(2026, 2, 8, 18, 20))
    # A truncated PDF is what the NBA published: it is returned (and archived) as it is; Phase 2
    # names the file and keeps the previous report in force.
    truncated = (INJURY_DIR / "Injury-Report_2026-02-08_06_15PM.pdf").read_bytes()[:30_000]
    server = MockServer()
    serve_injury_reports(server, {"Injury-Report_2026-02-08_06_15PM.pdf": truncated})
    (payload,) = make_source(server).injury_report(dt.date(2026, 2, 8), _et(2026, 2, 8, 18, 20))
    assert payload.body == truncated and count_records(payload) == 0


def test_injury_report_none_published_yet_returns_nothing():
    server = MockServer()
    serve_injury_reports(server)
    assert make_source(server).injury_report(dt.date(2026, 2, 8), _et(2026, 2, 8, 1, 10)) == []
    assert [str(r.url).rsplit("/", 1)[-1] for r in server.requests()] == [
        "Injury-Report_2026-02-08_01_00AM.pdf",
        "Injury-Report_2026-02-08_12_45AM.pdf",
        "Injury-Report_2026-02-08_12_30AM.pdf",
        "Injury-Report_2026-02-08_12_15AM.pdf",
        "Injury-Report_2026-02-08_12_00AM.pdf",
    ]


def test_injury_report_transient_errors_and_candidate_names():
    server = MockServer()
    server.route("ak-static.cms.nba.com/referee/injury/*", lambda req: httpx.Response(503))
    with pytest.raises(SourceUnavailableError):
        make_source(server).injury_report(dt.date(2026, 2, 8), _et(2026, 2, 8, 12, 0))

    late = injury_report_candidate_urls(dt.date(2026, 2, 8), _et(2026, 2, 10, 9, 0))  # after the day
    assert late[0].endswith("Injury-Report_2026-02-08_11_45PM.pdf") and len(late) == 96
    old = injury_report_candidate_urls(dt.date(2025, 1, 15), _et(2025, 1, 15, 13, 30))  # hourly naming
    assert [u.rsplit("/", 1)[-1] for u in old[:2]] == [
        "Injury-Report_2025-01-15_01PM.pdf",
        "Injury-Report_2025-01-15_12PM.pdf",
    ]
    assert len(old) == 14


# --- disabled endpoints -------------------------------------------------------------------------


def test_production_source_is_live_with_every_endpoint_enabled():
    from nba_pipeline import environment
    from nba_pipeline.deployment import build_source

    source = build_source(environment.current({environment.ENV_DEPLOYMENT: "prod", environment.ENV_HOME: "/tmp/x"}))
    assert isinstance(source, LiveSource) and source.disabled_endpoints == []
    assert all(source.is_enabled(endpoint) for endpoint in base.ALL_ENDPOINTS)


def test_disabled_endpoints_return_nothing_without_requests():
    server = MockServer()
    source = make_source(server, disabled_endpoints=list(base.ALL_ENDPOINTS), odds_api_key=API_KEY)
    for endpoint in base.ALL_ENDPOINTS:
        assert source.fetch(endpoint, OPENING_NIGHT, AS_OF) == []
    assert server.requests() == []
    # A disabled injury report makes no request at all.
    only_injury = make_source(server, disabled_endpoints=[base.INJURY_REPORT])
    assert only_injury.fetch(base.INJURY_REPORT, dt.date(2026, 2, 8), _et(2026, 2, 8, 18, 20)) == []
    assert server.requests() == []
