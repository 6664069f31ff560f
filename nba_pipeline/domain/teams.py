"""The 30 NBA teams and the name variants sources use for them."""

from __future__ import annotations

from dataclasses import dataclass

from nba_api.stats.static import teams as _static_teams

from nba_pipeline.calendar import ET_NAME


@dataclass(frozen=True)
class Team:
    team_id: int
    tricode: str
    city: str
    nickname: str
    full_name: str
    timezone: str
    latitude: float
    longitude: float

    @property
    def slug(self) -> str:
        return self.nickname.lower().replace(" ", "")


# Arena locations (approximate) and home time zones, for travel distance and time-zone changes.
EASTERN, CENTRAL, MOUNTAIN, ARIZONA, PACIFIC = (
    ET_NAME,
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
)
_ARENAS = {
    "ATL": (EASTERN, 33.757, -84.396),
    "BOS": (EASTERN, 42.366, -71.062),
    "BKN": (EASTERN, 40.683, -73.975),
    "CHA": (EASTERN, 35.225, -80.839),
    "CHI": (CENTRAL, 41.881, -87.674),
    "CLE": (EASTERN, 41.496, -81.688),
    "DAL": (CENTRAL, 32.790, -96.810),
    "DEN": (MOUNTAIN, 39.749, -105.008),
    "DET": (EASTERN, 42.341, -83.055),
    "GSW": (PACIFIC, 37.768, -122.388),
    "HOU": (CENTRAL, 29.751, -95.362),
    "IND": (EASTERN, 39.764, -86.155),
    "LAC": (PACIFIC, 33.945, -118.343),
    "LAL": (PACIFIC, 34.043, -118.267),
    "MEM": (CENTRAL, 35.138, -90.051),
    "MIA": (EASTERN, 25.781, -80.188),
    "MIL": (CENTRAL, 43.045, -87.917),
    "MIN": (CENTRAL, 44.979, -93.276),
    "NOP": (CENTRAL, 29.949, -90.082),
    "NYK": (EASTERN, 40.751, -73.993),
    "OKC": (CENTRAL, 35.463, -97.515),
    "ORL": (EASTERN, 28.539, -81.384),
    "PHI": (EASTERN, 39.901, -75.172),
    "PHX": (ARIZONA, 33.446, -112.071),
    "POR": (PACIFIC, 45.532, -122.667),
    "SAC": (PACIFIC, 38.580, -121.500),
    "SAS": (CENTRAL, 29.427, -98.438),
    "TOR": ("America/Toronto", 43.643, -79.379),
    "UTA": (MOUNTAIN, 40.768, -111.901),
    "WAS": (EASTERN, 38.898, -77.021),
}

TEAMS: tuple[Team, ...] = tuple(
    sorted(
        (
            Team(
                team_id=t["id"],
                tricode=t["abbreviation"],
                city=t["city"],
                nickname=t["nickname"],
                full_name=t["full_name"],
                timezone=_ARENAS[t["abbreviation"]][0],
                latitude=_ARENAS[t["abbreviation"]][1],
                longitude=_ARENAS[t["abbreviation"]][2],
            )
            for t in _static_teams.get_teams()
        ),
        key=lambda t: t.tricode,
    )
)
BY_TRICODE = {t.tricode: t for t in TEAMS}
BY_ID = {t.team_id: t for t in TEAMS}

# Tricode variants (ESPN, Basketball-Reference, older feeds) -> NBA tricode.
_TRICODE_ALIASES = {
    "BRK": "BKN",
    "NJN": "BKN",
    "CHO": "CHA",
    "CHH": "CHA",
    "GS": "GSW",
    "NO": "NOP",
    "NOH": "NOP",
    "NY": "NYK",
    "SA": "SAS",
    "UTAH": "UTA",
    "PHO": "PHX",
    "WSH": "WAS",
    "SEA": "OKC",
}
_BY_NAME = {t.full_name.lower(): t for t in TEAMS}
_BY_NAME.update({"la clippers": BY_TRICODE["LAC"], "los angeles clippers": BY_TRICODE["LAC"]})


class UnknownTeamError(ValueError):
    pass


def normalize_tricode(code: str) -> str:
    code = str(code).strip().upper()
    code = _TRICODE_ALIASES.get(code, code)
    if code not in BY_TRICODE:
        raise UnknownTeamError(f"unknown team code {code!r}")
    return code


def team_by_name(name: str) -> Team:
    """Full names as books and the injury report write them ("LA Clippers" included)."""
    key = " ".join(str(name).strip().lower().split())
    if key in _BY_NAME:
        return _BY_NAME[key]
    raise UnknownTeamError(f"unknown team name {name!r}")


def is_nba_team(code: str) -> bool:
    try:
        normalize_tricode(code)
        return True
    except UnknownTeamError:
        return False
