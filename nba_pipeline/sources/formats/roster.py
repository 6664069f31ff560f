"""stats.nba.com ``commonteamroster``: one team's roster for a season."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from nba_pipeline.domain.teams import BY_TRICODE

COMMON_TEAM_ROSTER_HEADERS = [
    "TeamID",
    "SEASON",
    "LeagueID",
    "PLAYER",
    "NICKNAME",
    "PLAYER_SLUG",
    "NUM",
    "POSITION",
    "HEIGHT",
    "WEIGHT",
    "BIRTH_DATE",
    "AGE",
    "EXP",
    "SCHOOL",
    "PLAYER_ID",
    "HOW_ACQUIRED",
]


@dataclass
class RosterEntry:
    person_id: int
    name: str
    position: str = ""
    number: str = ""
    age: float | None = None
    birth_date: dt.date | None = None
    experience: str = ""
    how_acquired: str = ""


def common_team_roster(team: str, season_year: int, players: list[RosterEntry]) -> dict:
    t = BY_TRICODE[team]
    rows = []
    for p in players:
        first = p.name.split(" ")[0]
        rows.append(
            [
                t.team_id,
                str(season_year),
                "00",
                p.name,
                first,
                p.name.lower().replace(" ", "-"),
                p.number or None,
                p.position,
                None,
                None,
                p.birth_date.strftime("%b %d, %Y").upper() if p.birth_date else None,
                p.age,
                p.experience,
                None,
                p.person_id,
                p.how_acquired,
            ]
        )
    return {
        "resource": "commonteamroster",
        "parameters": {"TeamID": t.team_id, "LeagueID": "00", "Season": f"{season_year}-{str(season_year + 1)[-2:]}"},
        "resultSets": [
            {"name": "CommonTeamRoster", "headers": COMMON_TEAM_ROSTER_HEADERS, "rowSet": rows},
            {
                "name": "Coaches",
                "headers": [
                    "TEAM_ID",
                    "SEASON",
                    "COACH_ID",
                    "FIRST_NAME",
                    "LAST_NAME",
                    "COACH_NAME",
                    "IS_ASSISTANT",
                    "COACH_TYPE",
                    "SORT_SEQUENCE",
                    "SUB_SORT_SEQUENCE",
                ],
                "rowSet": [],
            },
        ],
    }
