"""cdn.nba.com ``scheduleLeagueV2``: the league schedule with each game's status, score and records."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from nba_pipeline.calendar import ET, GameStatus
from nba_pipeline.domain.teams import BY_TRICODE, Team
from nba_pipeline.sources.formats.common import UTC, iso_z, season_type_of_game_id


@dataclass
class ScheduleGame:
    game_id: str
    tipoff_utc: dt.datetime
    home: str  # tricode
    away: str
    status: int = 1  # 1 scheduled, 2 in progress, 3 final
    home_score: int = 0
    away_score: int = 0
    home_wins: int = 0
    home_losses: int = 0
    away_wins: int = 0
    away_losses: int = 0
    period: int = 0
    postponed: bool = False


def _team_block(team: Team, score: int, wins: int, losses: int) -> dict:
    return {
        "teamId": team.team_id,
        "teamName": team.nickname,
        "teamCity": team.city,
        "teamTricode": team.tricode,
        "teamSlug": team.slug,
        "wins": wins,
        "losses": losses,
        "score": score,
        "seed": 0,
    }


def _status_text(game: ScheduleGame) -> str:
    if game.postponed:
        return "PPD"
    if game.status == GameStatus.FINAL:
        return "Final" if game.period <= 4 else f"Final/OT{game.period - 4 if game.period > 5 else ''}"
    if game.status == 2:
        return f"Q{max(game.period, 1)}"
    local = game.tipoff_utc.astimezone(ET)
    return local.strftime("%-I:%M %p ET").lower().replace(" et", " ET")


def schedule_league_v2(season_label: str, games: list[ScheduleGame], generated_at: dt.datetime) -> dict:
    by_day: dict[dt.date, list[ScheduleGame]] = {}
    for g in sorted(games, key=lambda g: (g.tipoff_utc, g.game_id)):
        by_day.setdefault(g.tipoff_utc.astimezone(ET).date(), []).append(g)
    game_dates = []
    for day, day_games in sorted(by_day.items()):
        items = []
        for seq, g in enumerate(day_games, start=1):
            home, away = BY_TRICODE[g.home], BY_TRICODE[g.away]
            et_local = g.tipoff_utc.astimezone(ET)
            items.append(
                {
                    "gameId": g.game_id,
                    "gameCode": f"{day:%Y%m%d}/{g.away}{g.home}",
                    "gameStatus": g.status,
                    "gameStatusText": _status_text(g),
                    "gameSequence": seq,
                    "gameDateEst": f"{day:%Y-%m-%d}T00:00:00Z",
                    "gameTimeEst": f"1900-01-01T{et_local:%H:%M:%S}Z",
                    "gameDateTimeEst": f"{et_local:%Y-%m-%dT%H:%M:%S}Z",
                    "gameDateUTC": f"{g.tipoff_utc.astimezone(UTC):%Y-%m-%d}T04:00:00Z",
                    "gameTimeUTC": f"1900-01-01T{g.tipoff_utc.astimezone(UTC):%H:%M:%S}Z",
                    "gameDateTimeUTC": iso_z(g.tipoff_utc),
                    "day": f"{day:%a}",
                    "monthNum": day.month,
                    "seriesText": season_type_of_game_id(g.game_id).replace("Regular Season", ""),
                    "postponedStatus": "Y" if g.postponed else "A",
                    "gameSubtype": "",
                    "period": g.period,
                    "homeTeam": _team_block(home, g.home_score, g.home_wins, g.home_losses),
                    "awayTeam": _team_block(away, g.away_score, g.away_wins, g.away_losses),
                    "pointsLeaders": [],
                }
            )
        game_dates.append({"gameDate": f"{day:%m/%d/%Y} 00:00:00", "games": items})
    return {
        "meta": {
            "version": 1,
            "request": f"http://nba.cloud/league/00/{season_label}/scheduleleaguev2?Format=json",
            "time": generated_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z",
        },
        "leagueSchedule": {"seasonYear": season_label, "leagueId": "00", "gameDates": game_dates},
    }
