"""The 30 NBA teams and the name variants sources use for them."""

from __future__ import annotations

from dataclasses import dataclass

from nba_api.stats.static import teams as _static_teams


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
_ARENAS = {
    "ATL": ("America/New_York", 33.757, -84.396), "BOS": ("America/New_York", 42.366, -71.062),
    "BKN": ("America/New_York", 40.683, -73.975), "CHA": ("America/New_York", 35.225, -80.839),
    "CHI": ("America/Chicago", 41.881, -87.674), "CLE": ("America/New_York", 41.496, -81.688),
    "DAL": ("America/Chicago", 32.790, -96.810), "DEN": ("America/Denver", 39.749, -105.008),
    "DET": ("America/New_York", 42.341, -83.055), "GSW": ("America/Los_Angeles", 37.768, -122.388),
    "HOU": ("America/Chicago", 29.751, -95.362), "IND": ("America/New_York", 39.764, -86.155),
    "LAC": ("America/Los_Angeles", 33.945, -118.343), "LAL": ("America/Los_Angeles", 34.043, -118.267),
    "MEM": ("America/Chicago", 35.138, -90.051), "MIA": ("America/New_York", 25.781, -80.188),
    "MIL": ("America/Chicago", 43.045, -87.917), "MIN": ("America/Chicago", 44.979, -93.276),
    "NOP": ("America/Chicago", 29.949, -90.082), "NYK": ("America/New_York", 40.751, -73.993),
    "OKC": ("America/Chicago", 35.463, -97.515), "ORL": ("America/New_York", 28.539, -81.384),
    "PHI": ("America/New_York", 39.901, -75.172), "PHX": ("America/Phoenix", 33.446, -112.071),
    "POR": ("America/Los_Angeles", 45.532, -122.667), "SAC": ("America/Los_Angeles", 38.580, -121.500),
    "SAS": ("America/Chicago", 29.427, -98.438), "TOR": ("America/Toronto", 43.643, -79.379),
    "UTA": ("America/Denver", 40.768, -111.901), "WAS": ("America/New_York", 38.898, -77.021),
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
    "BRK": "BKN", "NJN": "BKN", "CHO": "CHA", "CHH": "CHA", "GS": "GSW", "NO": "NOP", "NOH": "NOP",
    "NY": "NYK", "SA": "SAS", "UTAH": "UTA", "PHO": "PHX", "WSH": "WAS", "SEA": "OKC",
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
