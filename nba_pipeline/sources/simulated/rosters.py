"""The simulated league's teams and rosters: who plays for whom, in which role, with which traits.

Player identities (names and person ids) come from ``nba_api``'s static active-player list and are the
same in every season of a seed. :class:`BaseLeague` draws the seed's base rosters (season 2024-25) and
base traits; :class:`SeasonRosters` derives one season from it: a handful of same-role trades, a little
drift in the traits, and the teams' pace, offence and defence.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np
from nba_api.stats.static import players as static_players

from nba_pipeline.domain.teams import TEAMS
from nba_pipeline.partitions import season_opener
from nba_pipeline.sources.simulated.randomness import seeded_rng
from nba_pipeline.sources.simulated.usage import allocate

BASE_YEAR = 2024  # the season whose rosters are the base; other seasons apply a few trades to it
N_TEAMS = 30
MAX_ROSTER = 18

# Roles.
STAR, STARTER, ROTATION, BENCH, DEEP = range(5)
ROLE_NAMES = ("star", "starter", "rotation", "bench", "deep_bench")
POSITIONS = ("G", "F", "C")

TRICODES = tuple(t.tricode for t in TEAMS)
TEAM_INDEX = {c: i for i, c in enumerate(TRICODES)}

# Per role: the range of typical minutes, of points per minute and of ages a player is drawn from.
_MINUTES = (
    {STAR: 33, STARTER: 28, ROTATION: 18, BENCH: 8, DEEP: 2},
    {STAR: 37, STARTER: 32.5, ROTATION: 24, BENCH: 14, DEEP: 6},
)
_POINTS_PER_MINUTE = (
    {STAR: 0.74, STARTER: 0.42, ROTATION: 0.34, BENCH: 0.30, DEEP: 0.25},
    {STAR: 0.98, STARTER: 0.66, ROTATION: 0.58, BENCH: 0.52, DEEP: 0.48},
)
_AGES = (
    {STAR: 23, STARTER: 22, ROTATION: 21, BENCH: 20, DEEP: 20},
    {STAR: 33, STARTER: 34, ROTATION: 36, BENCH: 37, DEEP: 29},
)


@dataclass(frozen=True)
class Identity:
    person_id: int
    first_name: str
    family_name: str

    @cached_property
    def full_name(self) -> str:
        # Cached: a season's box scores, availability and estimates ask for it 78,000 times.
        return f"{self.first_name} {self.family_name}".strip()


@lru_cache(maxsize=1)
def active_players() -> tuple[Identity, ...]:
    out = []
    for p in sorted(static_players.get_active_players(), key=lambda p: int(p["id"])):
        first, last = (p.get("first_name") or "").strip(), (p.get("last_name") or "").strip()
        if not first or not last or "," in first or "," in last:
            tokens = str(p.get("full_name", "")).replace(",", "").split()
            if len(tokens) < 2:
                continue
            first, last = tokens[0], " ".join(tokens[1:])
        out.append(Identity(int(p["id"]), first, last))
    return tuple(out)


@dataclass(frozen=True)
class SimPlayer:
    """One player's traits in one season (the truth behind the box scores)."""

    person_id: int
    first_name: str
    family_name: str
    team: str
    role: str  # star / starter / rotation / bench / deep_bench
    two_way: bool
    position: str  # primary: G, F or C
    roster_position: str  # as the roster lists it: G, G-F, F, F-C, C
    jersey: str
    birth_date: dt.date
    age: float  # at the season opener
    experience: int
    how_acquired: str
    typical_minutes: float
    points_per_minute: float  # at the start of the season, before drift
    three_point_rate: float  # share of field-goal attempts that are threes
    free_throw_rate: float  # FTA / FGA
    fg2_pct: float
    fg3_pct: float
    ft_pct: float
    injury_proneness: float

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.family_name}".strip()


@dataclass(frozen=True)
class SimTeam:
    tricode: str
    pace: float  # possessions per 48 minutes
    offense: float  # offensive rating vs league average, points per 100 possessions
    defense: float  # points per 100 possessions allowed vs league average (positive = worse defence)


def _range_draw(bounds: tuple[dict, dict], role: np.ndarray, u: np.ndarray) -> np.ndarray:
    lo, hi = bounds
    return np.array([lo[r] + (hi[r] - lo[r]) * x for r, x in zip(role, u)])


class BaseLeague:
    """Seed-level league: identities, base rosters, roles and base traits (season 2024-25).

    Per player (arrays indexed like ``ids``): team index, role, two-way flag, primary position, typical
    minutes, points per minute, age, shooting profile, rebound/assist/block/turnover rates, injury
    proneness, and the identity details a roster lists.
    """

    def __init__(self, seed: int):
        ids = active_players()
        if len(ids) < N_TEAMS * 14:
            raise RuntimeError(f"nba_api lists only {len(ids)} active players; need {N_TEAMS * 14}")
        # One generator for the whole base league: the order of the draws below is part of the seed's
        # meaning, so the steps run in a fixed order.
        rng = seeded_rng(seed, 0, "players")
        n = min(len(ids), N_TEAMS * MAX_ROSTER)
        chosen = rng.permutation(len(ids))[:n]
        self.ids = [ids[i] for i in chosen]
        self.n = n
        sizes = self._draw_rosters(rng)
        self._draw_traits(rng)
        self._draw_details(rng, sizes)

    def _draw_rosters(self, rng: np.random.Generator) -> np.ndarray:
        n = self.n
        sizes = np.full(N_TEAMS, n // N_TEAMS)
        sizes[rng.permutation(N_TEAMS)[: n % N_TEAMS]] += 1
        self.team = np.repeat(np.arange(N_TEAMS), sizes)
        self.role = np.zeros(n, dtype=int)
        self.two_way = np.zeros(n, dtype=bool)
        self.pos = np.zeros(n, dtype=int)
        start = 0
        for t in range(N_TEAMS):
            size = int(sizes[t])
            stars = 1 + int(rng.random() < 0.55)
            roles = [STAR] * stars + [STARTER] * (5 - stars) + [ROTATION] * 4 + [BENCH] * 3
            roles += [DEEP] * (size - len(roles))
            self.role[start : start + size] = roles
            n_tw = 2 + int(rng.random() < 0.5)
            self.two_way[start + size - n_tw : start + size] = True
            self.pos[start : start + 5] = rng.permutation([0, 0, 1, 1, 2])
            self.pos[start + 5 : start + size] = rng.choice(3, size=size - 5, p=[0.42, 0.40, 0.18])
            start += size
        return sizes

    def _draw_traits(self, rng: np.random.Generator) -> None:
        n, role, pos = self.n, self.role, self.pos
        u = rng.random((n, 4))
        self.tmin = _range_draw(_MINUTES, role, u[:, 0])
        self.ppm = _range_draw(_POINTS_PER_MINUTE, role, u[:, 1])
        self.age = _range_draw(_AGES, role, u[:, 2])
        r3_mean = np.array([0.44, 0.37, 0.14])[pos]
        self.r3 = np.clip(rng.normal(r3_mean, 0.1), 0.0, 0.7)
        self.ftr = np.clip(rng.normal(np.where(role == STAR, 0.32, 0.22), 0.07), 0.05, 0.6)
        self.p2 = np.clip(rng.normal(np.array([0.51, 0.53, 0.60])[pos], 0.04), 0.4, 0.7)
        self.p3 = np.clip(rng.normal(0.355, 0.035, n), 0.25, 0.45)
        self.pft = np.clip(rng.normal(np.array([0.80, 0.77, 0.70])[pos], 0.07), 0.5, 0.93)
        self.reb = np.clip(rng.normal(np.array([0.13, 0.20, 0.30])[pos], 0.03), 0.05, 0.45)
        self.ast = np.clip(rng.normal(np.array([0.17, 0.09, 0.07])[pos], 0.03), 0.02, 0.35)
        self.blk = np.clip(rng.normal(np.array([0.012, 0.02, 0.045])[pos], 0.008), 0.0, 0.1)
        self.tov = np.clip(rng.normal(0.06, 0.015, n), 0.02, 0.12)
        self.prone = np.exp(rng.normal(0.0, 0.5, n)) * np.where(self.age > 31, 1.3, 1.0)

    def _draw_details(self, rng: np.random.Generator, sizes: np.ndarray) -> None:
        """Identity details that never change: birth date, experience, roster position, jersey, how acquired."""
        n = self.n
        opener = season_opener(BASE_YEAR)
        self.birth = [opener - dt.timedelta(days=int(a * 365.25)) for a in self.age]
        self.exp0 = np.maximum(0, np.floor(self.age - 19.5 - rng.random(n) * 2.5)).astype(int)
        self.roster_pos = []
        for p in self.pos:
            x = rng.random()
            self.roster_pos.append(
                {
                    0: "G" if x < 0.75 else "G-F",
                    1: "F" if x < 0.55 else ("G-F" if x < 0.8 else "F-C"),
                    2: "C" if x < 0.7 else "C-F",
                }[int(p)]
            )
        self.jersey = []
        for t in range(N_TEAMS):
            numbers = rng.choice(100, size=int(sizes[t]), replace=False)
            self.jersey.extend(str(int(x)) for x in numbers)
        self.how0 = [_how_acquired(rng, bool(self.two_way[i]), int(self.exp0[i])) for i in range(n)]


def _how_acquired(rng: np.random.Generator, two_way: bool, experience: int) -> str:
    x = rng.random()
    year = BASE_YEAR - int(min(experience, 6) * rng.random())
    if two_way:
        return f"Signed as a Two-Way on 07/{1 + int(rng.integers(28)):02d}/{str(BASE_YEAR)[-2:]}"
    if x < 0.4:
        return f"#{1 + int(rng.integers(58))} Pick in {year} Draft"
    if x < 0.7:
        other = TRICODES[int(rng.integers(N_TEAMS))]
        month = 1 + int(rng.integers(12))
        return f"Traded from {other} on {month:02d}/{1 + int(rng.integers(28)):02d}/{str(year)[-2:]}"
    return f"Signed on {7 + int(rng.integers(3)):02d}/{1 + int(rng.integers(28)):02d}/{str(year)[-2:]}"


class SeasonRosters:
    """One season's rosters and traits: the base league after the season's trades and drift.

    Arrays are indexed like the base league's players: ``team_of``, ``tmin`` (typical minutes), ``ppm``
    (points per minute, scaled so a healthy roster scores about the same), ``age0`` (at the opener);
    per team: ``pace``, ``off``/``dfn`` and their factors ``off_f``/``def_f``, ``rosters_idx`` (members
    in roster order) and ``q_ref`` (the healthy output usage is measured against).
    """

    def __init__(self, seed: int, year: int, base: BaseLeague):
        rng = seeded_rng(seed, year, "season-traits")
        team, traded, trade_from = _trades(rng, base, year)
        lo = np.array([33, 28, 18, 8, 2])[base.role]
        hi = np.array([37, 32.5, 24, 14, 6])[base.role]
        self.tmin = np.clip(base.tmin + rng.normal(0, 1.2, base.n), lo, hi)
        self.ppm = base.ppm * np.exp(rng.normal(0, 0.06, base.n))
        self.age0 = base.age + (year - BASE_YEAR)
        self.team_of = team
        trng = seeded_rng(seed, year, "teams")
        self.pace = np.clip(trng.normal(99.5, 1.8, N_TEAMS), 96, 104)
        self.off = np.clip(trng.normal(0, 2.5, N_TEAMS), -5, 5)
        self.dfn = np.clip(trng.normal(0, 3.0, N_TEAMS), -6, 6)
        self.off_f = 1 + self.off / 114.0
        self.def_f = 1 + self.dfn / 114.0
        self.rosters_idx = [_roster_order(base, np.flatnonzero(team == t)) for t in range(N_TEAMS)]
        self._scale_scoring(base)
        self.players = {base.ids[i].person_id: self._player(base, year, i, traded, trade_from) for i in range(base.n)}
        self.teams = {
            TRICODES[t]: SimTeam(
                TRICODES[t], round(float(self.pace[t]), 2), round(float(self.off[t]), 2), round(float(self.dfn[t]), 2)
            )
            for t in range(N_TEAMS)
        }

    def _healthy_output(self, base: BaseLeague, t: int) -> float:
        """A team's points with everyone available (deep bench at a third of their minutes)."""
        members = self.rosters_idx[t]
        w = np.where(base.role[members] == DEEP, self.tmin[members] * 0.3, self.tmin[members])
        return float((self.ppm[members] * allocate(w, 240.0, 42.0)).sum())

    def _scale_scoring(self, base: BaseLeague) -> None:
        # Team strength is the offensive trait, not the luck of the roster draw: each roster is scaled
        # (within limits, so stars stay stars) to the same neutral output before pace and offence apply.
        pts = [self._healthy_output(base, t) for t in range(N_TEAMS)]
        for t in range(N_TEAMS):
            members = self.rosters_idx[t]
            self.ppm[members] *= float(np.clip(114.0 / pts[t], 0.85, 1.2))
        self.ppm = np.minimum(self.ppm, 1.02)
        # Each team's healthy output: the reference for usage (absences shift shots to teammates).
        self.q_ref = np.array([self._healthy_output(base, t) for t in range(N_TEAMS)])

    def _player(self, base: BaseLeague, year: int, i: int, traded: np.ndarray, trade_from: np.ndarray) -> SimPlayer:
        ident = base.ids[i]
        if traded[i]:
            how = f"Traded from {TRICODES[trade_from[i]]} on 07/{6 + i % 20:02d}/{str(year)[-2:]}"
        else:
            how = base.how0[i]
        return SimPlayer(
            person_id=ident.person_id,
            first_name=ident.first_name,
            family_name=ident.family_name,
            team=TRICODES[self.team_of[i]],
            role=ROLE_NAMES[base.role[i]],
            two_way=bool(base.two_way[i]),
            position=POSITIONS[base.pos[i]],
            roster_position=base.roster_pos[i],
            jersey=base.jersey[i],
            birth_date=base.birth[i],
            age=round(float(self.age0[i]), 1),
            experience=int(max(0, base.exp0[i] + year - BASE_YEAR)),
            how_acquired=how,
            typical_minutes=round(float(self.tmin[i]), 2),
            points_per_minute=round(float(self.ppm[i]), 4),
            three_point_rate=round(float(base.r3[i]), 3),
            free_throw_rate=round(float(base.ftr[i]), 3),
            fg2_pct=round(float(base.p2[i]), 3),
            fg3_pct=round(float(base.p3[i]), 3),
            ft_pct=round(float(base.pft[i]), 3),
            injury_proneness=round(float(base.prone[i]), 3),
        )


def _trades(rng: np.random.Generator, base: BaseLeague, year: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Team per player after the season's same-role swaps (none in the base season), who moved and from where."""
    team = base.team.copy()
    traded = np.zeros(base.n, dtype=bool)
    trade_from = np.full(base.n, -1)
    if year == BASE_YEAR:
        return team, traded, trade_from
    for _ in range(int(rng.integers(3, 8))):
        role = int(rng.choice([STARTER, ROTATION, BENCH]))
        t1, t2 = rng.choice(N_TEAMS, size=2, replace=False)
        c1 = np.flatnonzero((team == t1) & (base.role == role))
        c2 = np.flatnonzero((team == t2) & (base.role == role))
        if len(c1) == 0 or len(c2) == 0:
            continue
        p1, p2 = int(rng.choice(c1)), int(rng.choice(c2))
        team[p1], team[p2] = t2, t1
        traded[[p1, p2]] = True
        trade_from[p1], trade_from[p2] = t1, t2
    return team, traded, trade_from


def _roster_order(base: BaseLeague, members: np.ndarray) -> np.ndarray:
    """A team's members by role, then family name."""
    order = np.lexsort((np.array([base.ids[i].family_name for i in members]), base.role[members]))
    return members[order]
