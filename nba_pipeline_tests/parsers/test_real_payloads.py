"""Phase 2 parsers against payloads the real services returned (../shared/data/real/api_payloads)."""

import datetime as dt
import json

import pytest

from nba_pipeline.parsers import PayloadError
from nba_pipeline.parsers.injuries import parse_injury_report, report_published_at
from nba_pipeline.parsers.nba import parse_boxscore_v3, parse_common_team_roster, parse_league_game_log, parse_schedule
from nba_pipeline.parsers.odds import parse_player_props


@pytest.fixture(scope="module")
def payloads(real_data):
    return real_data / "api_payloads"


def _json(path):
    return json.loads(path.read_text())


def test_boxscore_v3_teams_players_and_dnp_comments(payloads):
    body = _json(
        payloads / "stats_nba_com/boxscoretraditionalv3__smoke_cassettes_test_endpoints_BoxScoreTraditionalV3__0.json"
    )
    teams, players = parse_boxscore_v3(body, dt.date(2023, 1, 7), "box.json")
    t = teams.set_index("team_tricode")
    assert t.loc["CLE", "pts"] == 145 and t.loc["CHI", "pts"] == 134 and t.loc["CLE", "minutes"] == "265:00"
    derozan = players.set_index("player_name").loc["DeMar DeRozan"]
    assert derozan["pts"] == 44 and derozan["minutes_decimal"] == pytest.approx(45.9)
    dnps = players[players["player_status"] == "dnp"]
    assert len(dnps) == 4 and set(dnps["dnp_reason"]) == {"DNP - Coach's Decision", "DNP - Injury/Illness"}
    assert dnps["pts"].isna().all() and dnps["minutes"].isna().all()


def test_league_game_log_team_rows_and_date_guard(payloads):
    body = _json(payloads / "stats_nba_com/leaguegamelog__smoke_cassettes_test_endpoints_LeagueGameLog__0.json")
    body["resultSets"][0]["rowSet"] = [r for r in body["resultSets"][0]["rowSet"] if r[5] == "2025-10-21"]
    rows = parse_league_game_log(body, dt.date(2025, 10, 21), "log.json").set_index("team_tricode")
    assert rows.loc["GSW", "pts"] == 119 and rows.loc["LAL", "pts"] == 109 and not rows.loc["GSW", "is_home"]
    assert rows.loc["OKC", "pts"] == 125 and rows.loc["HOU", "pts"] == 124  # the 2025-26 opener
    with pytest.raises(PayloadError, match=r"2025-10-22.*GAME_DATE.*log.json"):
        parse_league_game_log(body, dt.date(2025, 10, 22), "log.json")


def test_schedule_league_v2(payloads):
    body = _json(payloads / "cdn_nba_com/scheduleLeagueV2_2023-24__pbpstats.json")
    rows = parse_schedule(body, dt.date(2023, 10, 24), "schedule.json")
    assert set(zip(rows["away_team_tricode"], rows["home_team_tricode"])) == {("LAL", "DEN"), ("PHX", "GSW")}
    assert set(rows["internal_game_id"]) == {"20231024_LAL_DEN", "20231024_PHX_GSW"}
    assert (rows["game_status"] == 1).all() and rows["home_team_score"].isna().all()


def test_common_team_roster(payloads):
    body = _json(payloads / "stats_nba_com/commonteamroster__smoke_cassettes_test_endpoints_CommonTeamRoster__0.json")
    rows = parse_common_team_roster(body, dt.date(2025, 10, 21), "roster.json")
    assert set(rows["team_tricode"]) == {"CLE"} and "dariusbrown" in set(rows["player_lookup"])


def test_odds_api_player_points_pairs_over_under(payloads):
    path = next((payloads / "odds_api").glob("event_odds_player_points__2024-02-23_Magic_at_Cavaliers__*.json"))
    fetched = dt.datetime(2024, 2, 22, 23, 0, tzinfo=dt.UTC)
    rows = parse_player_props(_json(path), dt.date(2024, 2, 22), str(path), fetched)
    levert = rows[(rows["player_lookup"] == "carislevert") & (rows["bookmaker"] == "draftkings")].iloc[0]
    assert levert["line"] == 11.5 and levert["over_price"] == -130 and levert["under_price"] is not None
    assert set(rows["market"]) == {"player_points"}
    assert (rows["minutes_before_tipoff"] == 60).all()  # tip 00:00Z, snapshot 23:00Z
    assert set(rows[["home_team_tricode", "away_team_tricode"]].iloc[0]) == {"CLE", "ORL"}
    with pytest.raises(PayloadError, match="commence_time"):
        parse_player_props(_json(path), dt.date(2024, 2, 23), str(path), fetched)


def test_injury_report_csv(payloads):
    path = payloads / "nba_injury_report/Injury-Report_2026-02-08_06_30PM.csv"
    rows = parse_injury_report(path.read_text(), dt.date(2026, 2, 8), str(path), path.stem)
    assert len(rows) == 114 and set(rows["injury_status"]) <= {
        "out",
        "doubtful",
        "questionable",
        "probable",
        "available",
    }
    herro = rows.set_index("player_lookup").loc["tylerherro"]
    assert herro["team_tricode"] == "MIA" and herro["injury_status"] == "out" and herro["reason_category"] == "injury"
    assert "jaimejaquez" in set(rows["player_lookup"])  # "Jaquez Jr., Jaime"
    assert report_published_at(path.stem).hour == 18 and report_published_at(path.stem).minute == 30


def test_bad_payload_names_date_source_and_field():
    with pytest.raises(PayloadError) as err:
        parse_boxscore_v3({"boxScoreTraditional": {"gameId": "1"}}, dt.date(2025, 1, 2), "archive/x.json")
    msg = str(err.value)
    assert "2025-01-02" in msg and "boxscoretraditionalv3" in msg and "homeTeam" in msg and "archive/x.json" in msg
