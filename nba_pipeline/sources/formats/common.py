"""What every service format shares: instants as the services write them, season ids, percentages."""

from __future__ import annotations

import datetime as dt

UTC = dt.UTC


def iso_z(instant: dt.datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def season_id(season_year: int, season_type: str = "Regular Season") -> str:
    prefix = {"Pre Season": "1", "Regular Season": "2", "All Star": "3", "Playoffs": "4", "PlayIn": "5"}
    return f"{prefix.get(season_type, '2')}{season_year}"


def season_type_of_game_id(game_id: str) -> str:
    return {
        "001": "Pre Season",
        "002": "Regular Season",
        "003": "All Star",
        "004": "Playoffs",
        "005": "PlayIn",
        "006": "NBA Cup",
    }.get(str(game_id)[:3], "Regular Season")


def pct(made: int, att: int) -> float:
    return round(made / att, 3) if att else 0.0
