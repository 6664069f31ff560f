"""A deterministic simulated NBA league, and the source that serves it in the real services' formats.

:class:`SimulatedLeague` builds, from one integer seed, a league of the 30 real teams with rosters of
real active-player names, a regular-season schedule, every game's box score, the NBA injury reports
and the sportsbooks' player-points and game lines. Everything is a pure function of the seed (numpy
generators seeded from ``(seed, season year, purpose, ...)`` tuples; never Python's global random or
salted ``hash()``), and seasons are built lazily, one at a time, and cached.

:class:`SimulatedSource` answers the :class:`~nba_pipeline.sources.base.NbaSource` questions from
that league with the ``as_of`` semantics of the base class, building every payload with the
builders in :mod:`nba_pipeline.sources.formats`.

Scope and simplifications:

* Regular season only: no preseason, play-in, playoffs, All-Star game or NBA Cup knockout games.
  Dates outside a season's regular season (July-September, before the opener, after mid-April)
  have no games.
* Player identities (names and person ids from ``nba_api``'s static active-player list) are the
  same in every season of a seed; traits drift a little from season to season and a handful of
  same-role trades move players between seasons (relative to the 2024-25 base rosters).
* Injury reports are published at 13:30, 17:30 and 18:30 ET on every game day, plus one at 11:30 ET
  on days with a game tipping before 15:00 ET (so afternoon games have a pre-game report).
* Odds snapshots: every 2 hours from 12 hours before the day's first tip up to each game's tip, plus
  one in-game snapshot at tip + 75 minutes whose lines have moved toward the actual outcome (a leak
  the pipeline must filter out).
* Box scores of games listed in ``withheld_game_ids`` are never published, neither in
  ``boxscoretraditionalv3`` nor in the ``leaguegamelog`` (the game is missing from stats.nba.com);
  the schedule still shows it final.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import math
import threading
import zlib
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np

from nba_pipeline.domain.teams import BY_TRICODE, TEAMS
from nba_pipeline.partitions import season_label, season_opener, season_year
from nba_pipeline.sources import formats as fmt
from nba_pipeline.sources.base import (
    BOXSCORE_TRADITIONAL,
    INJURY_REPORT,
    ODDS_GAME_LINES,
    ODDS_PLAYER_POINTS,
    PLAYER_GAME_LOG,
    SCHEDULE,
    TEAM_ROSTER,
    NbaSource,
    Payload,
)

ET = ZoneInfo("America/New_York")
UTC = dt.timezone.utc

BASE_YEAR = 2024  # the season whose rosters are the base; other seasons apply a few trades to it
N_TEAMS = 30
GAMES_PER_TEAM = 82
MAX_ROSTER = 18

BOOKS = ("draftkings", "fanduel", "betmgm", "williamhill_us", "betrivers")
_BOOK_COVERAGE = np.array([0.97, 0.90, 0.80, 0.78, 0.68])  # share of eligible players each book lists
_GAME_LINE_COVERAGE = np.array([1.0, 0.99, 0.96, 0.95, 0.9])
SNAPSHOT_INTERVAL = dt.timedelta(hours=2)
SNAPSHOT_LEAD = dt.timedelta(hours=12)
IN_GAME_SNAPSHOT_AFTER_TIP = dt.timedelta(minutes=75)
REGULATION_DURATION = dt.timedelta(hours=2, minutes=15)
OT_DURATION = dt.timedelta(minutes=15)
REPORT_TIMES_ET = (dt.time(13, 30), dt.time(17, 30), dt.time(18, 30))
EARLY_REPORT_TIME_ET = dt.time(11, 30)

# Roles.
STAR, STARTER, ROTATION, BENCH, DEEP = range(5)
ROLE_NAMES = ("star", "starter", "rotation", "bench", "deep_bench")
POSITIONS = ("G", "F", "C")

# Box-score comments, exactly as stats.nba.com writes them.
DNP_COACH = "DNP - Coach's Decision"
DNP_INJURY = "DNP - Injury/Illness"
DNP_REST = "DNP - Rest"
NWT_PERSONAL = "NWT - Personal"
DND_INJURY = "DND - Injury/Illness"

# Injury-report statuses.
OUT, DOUBTFUL, QUESTIONABLE, PROBABLE, AVAILABLE = "Out", "Doubtful", "Questionable", "Probable", "Available"

_DIVISIONS = (
    (("BOS", "BKN", "NYK", "PHI", "TOR"), ("CHI", "CLE", "DET", "IND", "MIL"), ("ATL", "CHA", "MIA", "ORL", "WAS")),
    (("DEN", "MIN", "OKC", "POR", "UTA"), ("GSW", "LAC", "LAL", "PHX", "SAC"), ("DAL", "HOU", "MEM", "NOP", "SAS")),
)
TRICODES = tuple(t.tricode for t in TEAMS)
_TEAM_INDEX = {c: i for i, c in enumerate(TRICODES)}

_BODY_PARTS = ("Ankle", "Knee", "Hamstring", "Calf", "Hip", "Wrist", "Shoulder", "Foot", "Groin", "Quadriceps",
               "Thumb", "Achilles")
_MINOR_KINDS = ("Sprain", "Soreness", "Contusion", "Strain", "Tendinopathy", "Bruise")
_OTHER_MINOR = ("Low Back; Spasms", "Illness; Non-COVID", "Low Back; Soreness", "Concussion Protocol",
                "Illness; Flu", "Nose; Contusion")
_LONG_KINDS = ("Fracture", "Sprain; Grade 2", "Surgery; Recovery", "Strain; Grade 2", "Tear")

URL_SCHEDULE = "https://cdn.nba.com/static/json/staticData/scheduleLeagueV2.json"
URL_STATS = "https://stats.nba.com/stats"
URL_INJURY = "https://ak-static.cms.nba.com/referee/injury"
URL_ODDS = "https://api.the-odds-api.com/v4/historical/sports/basketball_nba/events"


# --- deterministic randomness ------------------------------------------------------------------

def _rng(seed: int, year: int, purpose: str, *more: int) -> np.random.Generator:
    """A generator that depends only on (seed, year, purpose, more): stable across processes."""
    entropy = [abs(int(seed)), 1 if seed < 0 else 0, int(year), zlib.crc32(purpose.encode()), *map(int, more)]
    return np.random.default_rng(entropy)


def event_id_for(seed: int, game_id: str) -> str:
    """The Odds API event id of a game: 32 hex characters derived from the seed and game id."""
    return hashlib.md5(f"{seed}:{game_id}".encode()).hexdigest()


def _round_half(x):
    """Nearest x.5 (player-prop lines are always half points), never below 0.5."""
    return np.maximum(np.floor(x) + 0.5, 0.5)


def _american(implied: np.ndarray) -> np.ndarray:
    """Implied probabilities (with vig) to American prices rounded to 5, clamped to -130..+110."""
    p = np.clip(implied, 0.05, 0.95)
    fav = -100.0 * p / (1.0 - p)
    dog = 100.0 * (1.0 - p) / p
    price = np.where(p >= 0.5, fav, dog)
    price = np.round(price / 5.0) * 5.0
    price = np.where((price > -100) & (price < 100), np.where(p >= 0.5, -100.0, 100.0), price)
    price = np.clip(price, -130, 110)
    return price.astype(int)


def _allocate(weights: np.ndarray, total: float, cap: float) -> np.ndarray:
    """Split ``total`` minutes proportionally to ``weights``, no one above ``cap``."""
    w = np.maximum(np.asarray(weights, dtype=float), 1e-6)
    out = np.zeros_like(w)
    free = np.ones(len(w), dtype=bool)
    remaining = total
    for _ in range(len(w)):
        share = w[free] / w[free].sum() * remaining
        over = share > cap
        if not over.any():
            out[free] = share
            break
        idx = np.flatnonzero(free)[over]
        out[idx] = cap
        free[idx] = False
        remaining = total - out[~free].sum()
        if not free.any() or remaining <= 0:
            break
    return out


def _to_seconds(minutes: np.ndarray, total_seconds: int) -> np.ndarray:
    """Integer seconds summing exactly to ``total_seconds`` (largest remainder)."""
    raw = minutes * 60.0
    raw = raw * (total_seconds / raw.sum())
    base = np.floor(raw).astype(int)
    short = total_seconds - int(base.sum())
    if short > 0:
        order = np.argsort(-(raw - base), kind="stable")[:short]
        base[order] += 1
    return base


# --- players ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Identity:
    person_id: int
    first_name: str
    family_name: str

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.family_name}".strip()


@lru_cache(maxsize=1)
def _active_players() -> tuple[_Identity, ...]:
    from nba_api.stats.static import players as static_players

    out = []
    for p in sorted(static_players.get_active_players(), key=lambda p: int(p["id"])):
        first, last = (p.get("first_name") or "").strip(), (p.get("last_name") or "").strip()
        if not first or not last or "," in first or "," in last:
            tokens = str(p.get("full_name", "")).replace(",", "").split()
            if len(tokens) < 2:
                continue
            first, last = tokens[0], " ".join(tokens[1:])
        out.append(_Identity(int(p["id"]), first, last))
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


class _Base:
    """Seed-level league: identities, base rosters, roles and base traits (season 2024-25)."""

    def __init__(self, seed: int):
        ids = _active_players()
        if len(ids) < N_TEAMS * 14:
            raise RuntimeError(f"nba_api lists only {len(ids)} active players; need {N_TEAMS * 14}")
        rng = _rng(seed, 0, "players")
        n = min(len(ids), N_TEAMS * MAX_ROSTER)
        chosen = rng.permutation(len(ids))[:n]
        self.ids = [ids[i] for i in chosen]
        sizes = np.full(N_TEAMS, n // N_TEAMS)
        sizes[rng.permutation(N_TEAMS)[: n % N_TEAMS]] += 1
        team = np.repeat(np.arange(N_TEAMS), sizes)
        role = np.zeros(n, dtype=int)
        two_way = np.zeros(n, dtype=bool)
        pos = np.zeros(n, dtype=int)
        start = 0
        for t in range(N_TEAMS):
            size = int(sizes[t])
            stars = 1 + int(rng.random() < 0.55)
            roles = [STAR] * stars + [STARTER] * (5 - stars) + [ROTATION] * 4 + [BENCH] * 3
            roles += [DEEP] * (size - len(roles))
            role[start:start + size] = roles
            n_tw = 2 + int(rng.random() < 0.5)
            two_way[start + size - n_tw:start + size] = True
            pos[start:start + 5] = rng.permutation([0, 0, 1, 1, 2])
            pos[start + 5:start + size] = rng.choice(3, size=size - 5, p=[0.42, 0.40, 0.18])
            start += size
        self.n = n
        self.team = team
        self.role = role
        self.two_way = two_way
        self.pos = pos
        lo = {STAR: 33, STARTER: 28, ROTATION: 18, BENCH: 8, DEEP: 2}
        hi = {STAR: 37, STARTER: 32.5, ROTATION: 24, BENCH: 14, DEEP: 6}
        plo = {STAR: 0.74, STARTER: 0.42, ROTATION: 0.34, BENCH: 0.30, DEEP: 0.25}
        phi = {STAR: 0.98, STARTER: 0.66, ROTATION: 0.58, BENCH: 0.52, DEEP: 0.48}
        alo = {STAR: 23, STARTER: 22, ROTATION: 21, BENCH: 20, DEEP: 20}
        ahi = {STAR: 33, STARTER: 34, ROTATION: 36, BENCH: 37, DEEP: 29}
        u = rng.random((n, 4))
        self.tmin = np.array([lo[r] + (hi[r] - lo[r]) * x for r, x in zip(role, u[:, 0])])
        self.ppm = np.array([plo[r] + (phi[r] - plo[r]) * x for r, x in zip(role, u[:, 1])])
        self.age = np.array([alo[r] + (ahi[r] - alo[r]) * x for r, x in zip(role, u[:, 2])])
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
        # Identity details that never change.
        opener = season_opener(BASE_YEAR)
        self.birth = [opener - dt.timedelta(days=int(a * 365.25)) for a in self.age]
        self.exp0 = np.maximum(0, np.floor(self.age - 19.5 - rng.random(n) * 2.5)).astype(int)
        self.roster_pos = []
        for p in pos:
            x = rng.random()
            self.roster_pos.append({0: "G" if x < 0.75 else "G-F", 1: "F" if x < 0.55 else ("G-F" if x < 0.8 else "F-C"),
                                    2: "C" if x < 0.7 else "C-F"}[int(p)])
        self.jersey = []
        self.how0 = []
        start = 0
        for t in range(N_TEAMS):
            size = int(sizes[t])
            numbers = rng.choice(100, size=size, replace=False)
            self.jersey.extend(str(int(x)) for x in numbers)
            start += size
        for i in range(n):
            x = rng.random()
            year = BASE_YEAR - int(min(self.exp0[i], 6) * rng.random())
            if self.two_way[i]:
                self.how0.append(f"Signed as a Two-Way on 07/{1 + int(rng.integers(28)):02d}/{str(BASE_YEAR)[-2:]}")
            elif x < 0.4:
                self.how0.append(f"#{1 + int(rng.integers(58))} Pick in {year} Draft")
            elif x < 0.7:
                other = TRICODES[int(rng.integers(N_TEAMS))]
                self.how0.append(f"Traded from {other} on {1 + int(rng.integers(12)):02d}/{1 + int(rng.integers(28)):02d}/{str(year)[-2:]}")
            else:
                self.how0.append(f"Signed on {7 + int(rng.integers(3)):02d}/{1 + int(rng.integers(28)):02d}/{str(year)[-2:]}")


# --- games --------------------------------------------------------------------------------------

@dataclass
class SimGame:
    """One scheduled game and its final result (the truth)."""

    game_id: str
    index: int  # 0-based, date order
    game_date: dt.date  # ET
    tipoff_utc: dt.datetime
    end_utc: dt.datetime
    home: str
    away: str
    event_id: str
    periods: int = 4
    home_score: int = 0
    away_score: int = 0
    home_record_before: tuple[int, int] = (0, 0)
    away_record_before: tuple[int, int] = (0, 0)
    home_rest_days: int | None = None  # days since the team's previous game (1 = back-to-back)
    away_rest_days: int | None = None

    def status(self, as_of: dt.datetime) -> int:
        if as_of < self.tipoff_utc:
            return 1
        if as_of < self.end_utc:
            return 2
        return 3

    def schedule_game(self, as_of: dt.datetime) -> fmt.ScheduleGame:
        status = self.status(as_of)
        hw, hl = self.home_record_before
        aw, al = self.away_record_before
        home_score = away_score = period = 0
        if status == 3:
            home_score, away_score, period = self.home_score, self.away_score, self.periods
            if self.home_score > self.away_score:
                hw, al = hw + 1, al + 1
            else:
                hl, aw = hl + 1, aw + 1
        elif status == 2:
            elapsed = as_of - self.tipoff_utc
            total = self.end_utc - self.tipoff_utc
            regulation = total - OT_DURATION * (self.periods - 4)
            if elapsed < regulation:
                period = min(4, 1 + int(elapsed / (regulation / 4)))
            else:
                period = min(self.periods, 5 + int((elapsed - regulation) / OT_DURATION))
            frac = min(elapsed / total, 0.999)
            home_score, away_score = int(self.home_score * frac), int(self.away_score * frac)
        return fmt.ScheduleGame(
            game_id=self.game_id, tipoff_utc=self.tipoff_utc, home=self.home, away=self.away, status=status,
            home_score=home_score, away_score=away_score, home_wins=hw, home_losses=hl, away_wins=aw,
            away_losses=al, period=period,
        )


@dataclass(frozen=True)
class PlayerAvailability:
    """Why a rostered player did or did not play one game, and what the injury reports said."""

    person_id: int
    name: str
    team: str
    played: bool
    comment: str  # the box-score comment ("" when he played)
    reason: str | None  # the injury-report reason when listed
    report_statuses: tuple[str | None, ...]  # status on each of the day's reports (None: not listed)
    late_scratch: bool = False  # DNP - Injury/Illness without ever being listed


@dataclass(frozen=True)
class PropEstimate:
    """The books' fair pre-game estimate for one player under one state of knowledge."""

    person_id: int
    name: str
    team: str
    expected_minutes: float
    expected_points: float


@dataclass
class _GameInfo:
    home_lines: list[fmt.PlayerLine]
    away_lines: list[fmt.PlayerLine]
    availability: list[PlayerAvailability]
    # Knowledge states: index 0 = before the first report, i+1 = after report i.
    states: list[tuple[dict[int, PropEstimate], float, float]]  # (eligible props, E[home pts], E[away pts])
    roster_pids: list[int]  # home roster then away roster (fixes the order of per-player odds draws)


@dataclass(frozen=True)
class OddsSnapshot:
    """Every book's quotes for one event at one snapshot instant (the truth behind odds payloads)."""

    taken_at: dt.datetime
    in_game: bool
    props: dict[str, list[tuple[int, fmt.PropQuote]]]  # book -> [(person_id, quote)]
    game_lines: dict[str, tuple[float, float]]  # book -> (home spread, total)
    last_update: dict[str, dt.datetime]


@dataclass(frozen=True)
class InjuryReport:
    published_utc: dt.datetime
    name: str
    rows: tuple[fmt.InjuryRow, ...]

    @property
    def csv(self) -> str:
        return fmt.injury_report_csv(list(self.rows))


# --- schedule -----------------------------------------------------------------------------------

def _nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def season_last_day(year: int) -> dt.date:
    """The regular season ends on the second Sunday of April (2024-25: April 13, 2025)."""
    return _nth_weekday(year + 1, 4, 6, 2)


def all_star_break(year: int) -> tuple[dt.date, dt.date]:
    """No games from the Thursday before All-Star Sunday (third Sunday of February) to the Tuesday after."""
    sunday = _nth_weekday(year + 1, 2, 6, 3)
    return sunday - dt.timedelta(days=3), sunday + dt.timedelta(days=2)


def off_days(year: int) -> tuple[dt.date, ...]:
    """Thanksgiving and Christmas Eve."""
    return (_nth_weekday(year, 11, 3, 4), dt.date(year, 12, 24))


def _matchups(rng: np.random.Generator) -> list[tuple[int, int]]:
    """(home, away) team indices: 82 games a team, 41 at home (the NBA's division/conference formula)."""
    games: list[tuple[int, int]] = []

    def add(a: str, b: str, a_home: int, b_home: int) -> None:
        ia, ib = _TEAM_INDEX[a], _TEAM_INDEX[b]
        games.extend([(ia, ib)] * a_home + [(ib, ia)] * b_home)

    for conf in _DIVISIONS:
        divs = [list(rng.permutation(list(d))) for d in conf]
        for d in divs:
            for i in range(5):
                for j in range(i + 1, 5):
                    add(d[i], d[j], 2, 2)
        for x, y in ((0, 1), (0, 2), (1, 2)):
            a, b = divs[x], divs[y]
            s = int(rng.integers(5))
            for i in range(5):
                for j in range(5):
                    if j == (i + s) % 5:
                        add(a[i], b[j], 2, 1)
                    elif j == (i + s + 1) % 5:
                        add(a[i], b[j], 1, 2)
                    else:
                        add(a[i], b[j], 2, 2)
    for e in (c for d in _DIVISIONS[0] for c in d):
        for w in (c for d in _DIVISIONS[1] for c in d):
            add(e, w, 1, 1)
    return games


def _game_days(year: int) -> tuple[list[dt.date], list[int]]:
    opener, last = season_opener(year), season_last_day(year)
    brk = all_star_break(year)
    closed = set(off_days(year))
    days = []
    d = opener
    while d <= last:
        if not (brk[0] <= d <= brk[1]) and d not in closed:
            days.append(d)
        d += dt.timedelta(days=1)
    weights = np.array([8, 7, 10, 5, 9, 8, 6], dtype=float)  # Mon..Sun
    w = np.array([weights[d.weekday()] for d in days])
    fixed = {0: 2, len(days) - 1: 15}
    if len(days) > 1:
        fixed[1] = 12
    for i, d in enumerate(days):
        if d.month == 12 and d.day == 25:
            fixed[i] = 5
    free = np.array([i not in fixed for i in range(len(days))])
    total = N_TEAMS * GAMES_PER_TEAM // 2 - sum(fixed.values())
    raw = w * free * total / (w * free).sum()
    caps = np.floor(raw).astype(int)
    short = total - int(caps.sum())
    caps[np.argsort(-(raw - caps), kind="stable")[:short]] += 1
    for i, c in fixed.items():
        caps[i] = c
    return days, [int(min(c, 15)) for c in caps]


def _assign_days(rng: np.random.Generator, games: list[tuple[int, int]], days: list[dt.date],
                 caps: list[int]) -> np.ndarray:
    """Greedy, urgency-driven day assignment: no team twice a day, no three games in three days,
    back-to-backs spread over the season."""
    H = np.array([g[0] for g in games])
    A = np.array([g[1] for g in games])
    G = len(games)
    ords = np.array([d.toordinal() for d in days])
    remaining = np.ones(G, dtype=bool)
    rem = np.zeros(N_TEAMS)
    np.add.at(rem, H, 1)
    np.add.at(rem, A, 1)
    last = np.full(N_TEAMS, -100)
    prev = np.full(N_TEAMS, -100)
    b2b = np.zeros(N_TEAMS)
    pair_last = np.full((N_TEAMS, N_TEAMS), -100)
    day_of = np.full(G, -1)
    nd = len(days)
    for di in range(nd):
        d = int(ords[di])
        R = nd - di
        f = rem / R
        played_y = last == d - 1
        three = played_y & (prev == d - 2)
        ok_team = ~three & (rem > 0)
        idx = np.flatnonzero(remaining & ok_team[H] & ok_team[A])
        if len(idx) == 0:
            continue
        target = 1.0 + 12.5 * (di + 1) / nd
        pen = np.where(played_y, np.where(b2b < target, -0.02, 0.5), 0.0)
        h, a = H[idx], A[idx]
        recent = (d - pair_last[h, a]) < 6
        score = f[h] + f[a] - pen[h] - pen[a] - 0.3 * recent + rng.normal(0, 0.06, len(idx))
        order = idx[np.argsort(-score, kind="stable")]
        used = np.zeros(N_TEAMS, dtype=bool)
        n = 0
        cap = caps[di]
        for gi in order:
            if n >= cap:
                break
            hh, aa = H[gi], A[gi]
            if used[hh] or used[aa]:
                continue
            used[hh] = used[aa] = True
            n += 1
            day_of[gi] = di
            remaining[gi] = False
            pair_last[hh, aa] = pair_last[aa, hh] = d
        teams = np.flatnonzero(used)
        b2b[teams] += last[teams] == d - 1
        prev[teams] = last[teams]
        last[teams] = d
        rem[teams] -= 1
    # Repair: games the greedy pass could not fit go to the best day still free for both teams.
    if remaining.any():
        team_days = [set() for _ in range(N_TEAMS)]
        count = np.zeros(nd, dtype=int)
        for gi in np.flatnonzero(~remaining):
            team_days[H[gi]].add(int(ords[day_of[gi]]))
            team_days[A[gi]].add(int(ords[day_of[gi]]))
            count[day_of[gi]] += 1
        for gi in np.flatnonzero(remaining):
            hh, aa = H[gi], A[gi]
            best, best_cost = -1, None
            for di in range(nd):
                d = int(ords[di])
                if count[di] >= 15 or d in team_days[hh] or d in team_days[aa]:
                    continue
                cost = 0.0
                for t in (hh, aa):
                    s = team_days[t]
                    if (d - 1 in s and d - 2 in s) or (d + 1 in s and d + 2 in s) or (d - 1 in s and d + 1 in s):
                        cost += 100
                    cost += (d - 1 in s) + (d + 1 in s)
                cost += rng.random() * 0.1 + (nd - di) * 1e-4
                if best_cost is None or cost < best_cost:
                    best, best_cost = di, cost
            day_of[gi] = best
            count[best] += 1
            team_days[hh].add(int(ords[best]))
            team_days[aa].add(int(ords[best]))
    return day_of


def _tipoff(rng: np.random.Generator, day: dt.date, home: str, afternoon_p: float) -> dt.datetime:
    tz = BY_TRICODE[home].timezone
    west = tz in ("America/Los_Angeles",)
    mountain = tz in ("America/Denver", "America/Phoenix")
    if rng.random() < afternoon_p:
        slots = [(15, 0), (15, 30), (17, 0), (18, 0)] if (west or mountain) else \
            [(12, 0), (13, 0), (14, 0), (15, 0), (15, 30), (17, 0), (18, 0)]
        h, m = slots[int(rng.integers(len(slots)))]
        return dt.datetime.combine(day, dt.time(h, m), tzinfo=ET).astimezone(UTC)
    if west:
        choices, p = [(19, 0), (19, 30)], [0.55, 0.45]
    elif mountain:
        choices, p = [(19, 0), (19, 30), (20, 0)], [0.6, 0.2, 0.2]
    else:
        choices, p = [(18, 30), (19, 0), (19, 30), (20, 0)], [0.05, 0.55, 0.35, 0.05]
    h, m = choices[int(rng.choice(len(choices), p=p))]
    local = dt.datetime.combine(day, dt.time(h, m), tzinfo=ZoneInfo(tz)).astimezone(ET)
    if local.time() > dt.time(22, 30):
        local = dt.datetime.combine(day, dt.time(22, 30), tzinfo=ET)
    return local.astimezone(UTC)


# --- the season ---------------------------------------------------------------------------------

class SimSeason:
    """One simulated regular season: schedule, rosters, results, injury reports and odds.

    Truth accessors for tests: :attr:`games`, :meth:`games_on`, :meth:`game`, :meth:`roster`,
    :attr:`players`, :attr:`teams`, :meth:`box`, :meth:`availability`, :meth:`injury_reports`,
    :meth:`prop_estimates`, :meth:`odds_snapshots`, :meth:`pregame_lines`, :meth:`consensus_lines`,
    :meth:`back_to_backs`.
    """

    def __init__(self, seed: int, year: int, base: _Base):
        self.seed = seed
        self.year = year
        self.label = season_label(year)
        self.opener = season_opener(year)
        self.last_day = season_last_day(year)
        self.all_star_break = all_star_break(year)
        self.off_days = off_days(year)
        self._base = base
        self._lock = threading.RLock()
        self._odds_cache: dict[str, list[OddsSnapshot]] = {}
        self._report_cache: dict[dt.date, list[InjuryReport]] = {}
        self._make_traits()
        self._make_schedule()
        self._simulate()

    # -- traits --

    def _make_traits(self) -> None:
        b, seed, year = self._base, self.seed, self.year
        rng = _rng(seed, year, "season-traits")
        n = b.n
        team = b.team.copy()
        traded = np.zeros(n, dtype=bool)
        trade_from = np.full(n, -1)
        if year != BASE_YEAR:
            for _ in range(int(rng.integers(3, 8))):
                role = int(rng.choice([STARTER, ROTATION, BENCH]))
                t1, t2 = rng.choice(N_TEAMS, size=2, replace=False)
                c1 = np.flatnonzero((team == t1) & (b.role == role))
                c2 = np.flatnonzero((team == t2) & (b.role == role))
                if len(c1) == 0 or len(c2) == 0:
                    continue
                p1, p2 = int(rng.choice(c1)), int(rng.choice(c2))
                team[p1], team[p2] = t2, t1
                traded[[p1, p2]] = True
                trade_from[p1], trade_from[p2] = t1, t2
        lo = np.array([33, 28, 18, 8, 2])[b.role]
        hi = np.array([37, 32.5, 24, 14, 6])[b.role]
        self.tmin = np.clip(b.tmin + rng.normal(0, 1.2, n), lo, hi)
        self.ppm = b.ppm * np.exp(rng.normal(0, 0.06, n))
        self.age0 = b.age + (year - BASE_YEAR)
        self.team_of = team
        # Team traits.
        trng = _rng(seed, year, "teams")
        self.pace = np.clip(trng.normal(99.5, 1.8, N_TEAMS), 96, 104)
        self.off = np.clip(trng.normal(0, 2.5, N_TEAMS), -5, 5)
        self.dfn = np.clip(trng.normal(0, 3.0, N_TEAMS), -6, 6)
        self.off_f = 1 + self.off / 114.0
        self.def_f = 1 + self.dfn / 114.0
        # Scale points per minute so that a healthy league averages about 115 points a team.
        pts = []
        self.rosters_idx: list[np.ndarray] = []
        for t in range(N_TEAMS):
            members = np.flatnonzero(team == t)
            order = np.lexsort((np.array([b.ids[i].family_name for i in members]), b.role[members]))
            members = members[order]
            self.rosters_idx.append(members)
            w = np.where(b.role[members] == DEEP, self.tmin[members] * 0.3, self.tmin[members])
            m = _allocate(w, 240.0, 42.0)
            pts.append(float((self.ppm[members] * m).sum()))
        # Team strength is the offensive trait, not the luck of the roster draw: each roster is scaled
        # (within limits, so stars stay stars) to the same neutral output before pace and offence apply.
        for t in range(N_TEAMS):
            members = self.rosters_idx[t]
            self.ppm[members] *= float(np.clip(114.0 / pts[t], 0.85, 1.2))
        self.ppm = np.minimum(self.ppm, 1.02)
        # Each team's healthy output: the reference for usage (absences shift shots to teammates).
        self.q_ref = np.zeros(N_TEAMS)
        for t in range(N_TEAMS):
            members = self.rosters_idx[t]
            w = np.where(b.role[members] == DEEP, self.tmin[members] * 0.3, self.tmin[members])
            self.q_ref[t] = float((self.ppm[members] * _allocate(w, 240.0, 42.0)).sum())
        self.players: dict[int, SimPlayer] = {}
        for i in range(n):
            ident = b.ids[i]
            if traded[i]:
                how = f"Traded from {TRICODES[trade_from[i]]} on 07/{6 + i % 20:02d}/{str(year)[-2:]}"
            else:
                how = b.how0[i]
            self.players[ident.person_id] = SimPlayer(
                person_id=ident.person_id, first_name=ident.first_name, family_name=ident.family_name,
                team=TRICODES[team[i]], role=ROLE_NAMES[b.role[i]], two_way=bool(b.two_way[i]),
                position=POSITIONS[b.pos[i]], roster_position=b.roster_pos[i], jersey=b.jersey[i],
                birth_date=b.birth[i], age=round(float(self.age0[i]), 1),
                experience=int(max(0, b.exp0[i] + year - BASE_YEAR)), how_acquired=how,
                typical_minutes=round(float(self.tmin[i]), 2), points_per_minute=round(float(self.ppm[i]), 4),
                three_point_rate=round(float(b.r3[i]), 3), free_throw_rate=round(float(b.ftr[i]), 3),
                fg2_pct=round(float(b.p2[i]), 3), fg3_pct=round(float(b.p3[i]), 3), ft_pct=round(float(b.pft[i]), 3),
                injury_proneness=round(float(b.prone[i]), 3),
            )
        self.teams = {TRICODES[t]: SimTeam(TRICODES[t], round(float(self.pace[t]), 2), round(float(self.off[t]), 2),
                                           round(float(self.dfn[t]), 2)) for t in range(N_TEAMS)}

    # -- schedule --

    def _make_schedule(self) -> None:
        rng = _rng(self.seed, self.year, "schedule")
        matchups = _matchups(rng)
        days, caps = _game_days(self.year)
        day_of = _assign_days(rng, matchups, days, caps)
        trng = _rng(self.seed, self.year, "tipoffs")
        mlk = _nth_weekday(self.year + 1, 1, 0, 3)
        christmas = dt.date(self.year, 12, 25)
        rows = []
        by_day: dict[int, list[int]] = {}
        for gi, di in enumerate(day_of):
            by_day.setdefault(int(di), []).append(gi)
        for di in sorted(by_day):
            day = days[di]
            gis = sorted(by_day[di], key=lambda g: (matchups[g][0], matchups[g][1]))
            if day == christmas:
                slots = [(12, 0), (14, 30), (17, 0), (20, 0), (22, 30)]
                for k, gi in enumerate(gis):
                    h, m = slots[k % len(slots)]
                    tip = dt.datetime.combine(day, dt.time(h, m), tzinfo=ET).astimezone(UTC)
                    rows.append((day, tip, matchups[gi][0], matchups[gi][1]))
                continue
            p_aft = {6: 0.35, 5: 0.12}.get(day.weekday(), 0.0)
            if day == mlk:
                p_aft = 0.4
            for gi in gis:
                home, away = matchups[gi]
                rows.append((day, _tipoff(trng, day, TRICODES[home], p_aft), home, away))
        rows.sort(key=lambda r: (r[0], r[1], TRICODES[r[2]]))
        yy = str(self.year)[-2:]
        drng = _rng(self.seed, self.year, "durations")
        durations = drng.normal(0, 6, len(rows))
        self.games: list[SimGame] = []
        for i, (day, tip, home, away) in enumerate(rows):
            gid = f"002{yy}{i + 1:05d}"
            end = tip + REGULATION_DURATION + dt.timedelta(minutes=float(np.clip(durations[i], -12, 12)))
            self.games.append(SimGame(gid, i, day, tip, end.replace(second=0, microsecond=0), TRICODES[home],
                                      TRICODES[away], event_id_for(self.seed, gid)))
        self._by_id = {g.game_id: g for g in self.games}
        self._by_date: dict[dt.date, list[SimGame]] = {}
        for g in self.games:
            self._by_date.setdefault(g.game_date, []).append(g)
        self.game_days = sorted(self._by_date)

    # -- availability plans (injury streaks, personal absences, G League assignments) --

    def _plan(self) -> tuple[np.ndarray, np.ndarray, list, np.ndarray]:
        """Per player and team-game index: code (0 healthy, 1 injured, 2 not with team, 3 G League),
        whether the absence starts at that game, and the absence's reason / comment details."""
        b = self._base
        rng = _rng(self.seed, self.year, "injuries")
        n = b.n
        code = np.zeros((n, GAMES_PER_TEAM), dtype=np.int8)
        starts = np.zeros((n, GAMES_PER_TEAM), dtype=bool)
        last = np.zeros((n, GAMES_PER_TEAM), dtype=bool)
        info: list[dict[int, tuple[str, bool, int]]] = [dict() for _ in range(n)]  # k -> (reason, dnd, length)
        u = rng.random((n, GAMES_PER_TEAM, 3))
        hazard = 0.017 * b.prone
        for p in range(n):
            k = 0
            while k < GAMES_PER_TEAM:
                if u[p, k, 0] < hazard[p]:
                    x = u[p, k, 1]
                    if x < 0.68:
                        length = int(rng.geometric(0.4)) + int(rng.random() < 0.5)
                        reason = self._minor_reason(rng)
                    elif x < 0.95:
                        length = int(rng.integers(5, 16))
                        reason = self._minor_reason(rng)
                    else:
                        length = int(rng.integers(18, 45))
                        side = "Left" if rng.random() < 0.5 else "Right"
                        reason = (f"Injury/Illness - {side} {_BODY_PARTS[int(rng.integers(len(_BODY_PARTS)))]}; "
                                  f"{_LONG_KINDS[int(rng.integers(len(_LONG_KINDS)))]}")
                    dnd = rng.random() < 0.25
                    end = min(GAMES_PER_TEAM, k + length)
                    code[p, k:end] = 1
                    starts[p, k] = True
                    last[p, end - 1] = True
                    for j in range(k, end):
                        info[p][j] = (reason, dnd, length)
                    k = end + 1
                    continue
                if u[p, k, 2] < 0.0015:
                    length = 1 + int(rng.integers(3))
                    end = min(GAMES_PER_TEAM, k + length)
                    reason = "Not With Team" if rng.random() < 0.5 else "Personal Reasons"
                    code[p, k:end] = 2
                    starts[p, k] = True
                    for j in range(k, end):
                        info[p][j] = (reason, False, length)
                    k = end
                    continue
                k += 1
            if b.two_way[p]:
                k = 0
                while k < GAMES_PER_TEAM:
                    if code[p, k] == 0 and rng.random() < 0.12:
                        length = int(rng.integers(1, 6))
                        for j in range(k, min(GAMES_PER_TEAM, k + length)):
                            if code[p, j] == 0:
                                code[p, j] = 3
                                info[p][j] = ("G League - Two-Way", False, length)
                        k += length
                    else:
                        k += 1
        return code, starts, info, last

    @staticmethod
    def _minor_reason(rng: np.random.Generator) -> str:
        if rng.random() < 0.2:
            return f"Injury/Illness - {_OTHER_MINOR[int(rng.integers(len(_OTHER_MINOR)))]}"
        side = "Left" if rng.random() < 0.5 else "Right"
        part = _BODY_PARTS[int(rng.integers(len(_BODY_PARTS) - 1))]
        return f"Injury/Illness - {side} {part}; {_MINOR_KINDS[int(rng.integers(len(_MINOR_KINDS)))]}"

    def report_times(self, day: dt.date) -> list[dt.datetime]:
        """UTC publication instants of the day's injury reports (empty on days without games)."""
        games = self._by_date.get(day, [])
        if not games:
            return []
        times = list(REPORT_TIMES_ET)
        if min(g.tipoff_utc for g in games).astimezone(ET).time() < dt.time(15, 0):
            times.insert(0, EARLY_REPORT_TIME_ET)
        return [dt.datetime.combine(day, t, tzinfo=ET).astimezone(UTC) for t in times]

    # -- the games --

    def _simulate(self) -> None:
        b = self._base
        code, starts, info, streak_last = self._plan()
        n = b.n
        ndays = (self.last_day - self.opener).days + 2
        frng = _rng(self.seed, self.year, "form")
        # Slow ability drift (log points per minute) and minutes drift: AR(1) random walks by day.
        drift = np.zeros((ndays, n))
        mdrift = np.zeros((ndays, n))
        e1 = frng.normal(0, 0.016, (ndays, n))
        e2 = frng.normal(0, 0.45, (ndays, n))
        for d in range(1, ndays):
            drift[d] = 0.99 * drift[d - 1] + e1[d]
            mdrift[d] = 0.98 * mdrift[d - 1] + e2[d]
        self._drift = drift
        self._mdrift = mdrift
        # Book-side running knowledge.
        ew_pts = np.zeros(n)
        ew_min = np.zeros(n)
        ew_m = np.zeros(n)
        ew_n = np.zeros(n)
        team_k = np.zeros(N_TEAMS, dtype=int)
        team_last: list[dt.date | None] = [None] * N_TEAMS
        wins = np.zeros(N_TEAMS, dtype=int)
        losses = np.zeros(N_TEAMS, dtype=int)
        prior_ppm = np.zeros(n)
        for t in range(N_TEAMS):
            prior_ppm[self.rosters_idx[t]] = self.ppm[self.rosters_idx[t]] * self.off_f[t]
        self._info: dict[str, _GameInfo] = {}
        pid = np.array([x.person_id for x in b.ids])
        for g in self.games:
            rng = _rng(self.seed, self.year, "game", g.index)
            hi, ai = _TEAM_INDEX[g.home], _TEAM_INDEX[g.away]
            reports = self.report_times(g.game_date)
            pre = [r for r, t in enumerate(reports) if t < g.tipoff_utc]
            final_r = pre[-1] if pre else 0
            news_r = next((r for r in pre if reports[r].astimezone(ET).time() >= dt.time(17, 30)), final_r)
            rest = []
            for t in (hi, ai):
                rest.append(None if team_last[t] is None else (g.game_date - team_last[t]).days)
            g.home_rest_days, g.away_rest_days = rest
            g.home_record_before = (int(wins[hi]), int(losses[hi]))
            g.away_record_before = (int(wins[ai]), int(losses[ai]))
            game_pace = (self.pace[hi] + self.pace[ai]) / 2
            sides = []
            for side, (t, o, is_home, rd) in enumerate(((hi, ai, True, rest[0]), (ai, hi, False, rest[1]))):
                sides.append(self._side(rng, g, t, o, is_home, rd, team_k[t], len(reports), final_r,
                                        news_r, code, starts, info, streak_last, game_pace, pid,
                                        ew_pts, ew_min, ew_m, ew_n, prior_ppm))
            # Late-game drama: a close game is sometimes tied by the trailing team's best scorer.
            diff = sides[0]["lines_pts"] - sides[1]["lines_pts"]
            if 1 <= abs(diff) <= 3 and rng.random() < 0.3:
                self._tying_shot(sides[1] if diff > 0 else sides[0], abs(diff))
            # Overtime: tied after regulation (or after an OT) -> another five minutes.
            periods = 4
            while sides[0]["lines_pts"] == sides[1]["lines_pts"]:
                if periods == 8:  # practically never: the home team settles it at the line
                    self._tying_shot(sides[0], 1)
                    break
                periods += 1
                for s in sides:
                    self._overtime(rng, s)
            g.periods = periods
            g.end_utc = g.end_utc + OT_DURATION * (periods - 4)
            hs, as_ = sides[0]["lines_pts"], sides[1]["lines_pts"]
            g.home_score, g.away_score = int(hs), int(as_)
            if hs > as_:
                wins[hi] += 1
                losses[ai] += 1
            else:
                wins[ai] += 1
                losses[hi] += 1
            lines = []
            avail: list[PlayerAvailability] = []
            for s, margin in zip(sides, (hs - as_, as_ - hs)):
                ls, av = self._box_lines(rng, s, margin, periods)
                lines.append(ls)
                avail.extend(av)
            # Knowledge states -> prop estimates, combined over both teams.
            states = []
            for st in range(len(reports) + 1):
                props: dict[int, PropEstimate] = {}
                props.update(sides[0]["states"][st][0])
                props.update(sides[1]["states"][st][0])
                states.append((props, sides[0]["states"][st][1], sides[1]["states"][st][1]))
            self._info[g.game_id] = _GameInfo(lines[0], lines[1], avail, states,
                                              [int(x) for x in np.concatenate([sides[0]["pids"], sides[1]["pids"]])])
            # Update the books' running knowledge.
            for s in sides:
                P = s["P"]
                played = s["play"]
                mins = s["min"]
                avail_mask = played | s["cd"]
                ew_pts[P[played]] = 0.93 * ew_pts[P[played]] + s["pts"][played]
                ew_min[P[played]] = 0.93 * ew_min[P[played]] + mins[played]
                ew_m[P[avail_mask]] = 0.75 * ew_m[P[avail_mask]] + np.where(played, mins, 0.0)[avail_mask]
                ew_n[P[avail_mask]] = 0.75 * ew_n[P[avail_mask]] + 1
            for t in (hi, ai):
                team_k[t] += 1
                team_last[t] = g.game_date

    def _side(self, rng, g, t, o, is_home, rest_days, k, n_reports, final_r, news_r, code, starts, info,
              streak_last, game_pace, pid, ew_pts, ew_min, ew_m, ew_n, prior_ppm) -> dict:
        b = self._base
        P = self.rosters_idx[t]
        n = len(P)
        role = b.role[P]
        kk = min(k, GAMES_PER_TEAM - 1)
        c = code[P, kk]
        st = starts[P, kk]
        u = rng.random((n, 8))
        healthy = c == 0
        b2b = rest_days == 1
        old = self.age0[P] >= 32
        q = healthy & (u[:, 0] < 0.03) & (role != DEEP)
        probable = healthy & ~q & (u[:, 0] > 0.975) & (role != DEEP)
        rest_p = np.where(role == DEEP, 0.0, 0.003)
        rest_p = np.where((role == STAR) | old, 0.02, rest_p)
        if b2b:
            rest_p = np.where((role == STAR) & old, 0.35, np.where((role == STAR) | old, 0.12, rest_p))
        rest = healthy & ~q & ~probable & (u[:, 1] < rest_p)
        late = healthy & ~q & ~rest & (u[:, 2] < 0.004) & (role != DEEP)
        q_play = q & (u[:, 3] < 0.55)
        prob_play = probable & (u[:, 3] < 0.97)
        injured = c == 1
        doubtful = injured & streak_last[P, kk] & (u[:, 4] < 0.5) & ~st
        dbt_play = doubtful & (u[:, 5] < 0.15)
        news_inj = injured & st & (u[:, 6] < 0.5)
        rest_news = rest & (u[:, 6] < 0.55)
        q_final_change = u[:, 7] < 0.25
        # Report timelines (status per report) and reasons.
        statuses: list[list[str | None]] = [[None] * n_reports for _ in range(n)]
        reasons: list[str | None] = [None] * n
        for i in range(n):
            reason = info[P[i]].get(kk, (None, False, 0))[0]
            if injured[i]:
                reasons[i] = reason
                if doubtful[i]:
                    seq = [DOUBTFUL] * n_reports
                elif news_inj[i]:
                    seq = [QUESTIONABLE if r < news_r else OUT for r in range(n_reports)]
                else:
                    seq = [OUT] * n_reports
            elif c[i] in (2, 3):
                reasons[i] = reason
                seq = [OUT] * n_reports
            elif rest[i]:
                reasons[i] = "Rest"
                seq = [(OUT if (not rest_news[i] or r >= news_r) else None) for r in range(n_reports)]
            elif q[i]:
                reasons[i] = self._minor_reason(rng)
                seq = [QUESTIONABLE] * n_reports
                if q_final_change[i] and final_r > 0:
                    for r in range(final_r, n_reports):
                        seq[r] = AVAILABLE if q_play[i] else OUT
            elif probable[i]:
                reasons[i] = self._minor_reason(rng)
                seq = [PROBABLE] * n_reports
            else:
                continue
            statuses[i] = seq
        # Who plays.
        candidates = (healthy & ~rest & ~late & ~(q & ~q_play) & ~(probable & ~prob_play)) | dbt_play
        cd_p = np.where(role == DEEP, np.where(b.two_way[P], 0.9, 0.82), np.where(role == BENCH, 0.28, 0.0))
        cd = candidates & ~probable & ~q & (rng.random(n) < cd_p)
        play = candidates & ~cd
        w0 = np.maximum(self.tmin[P] + self._mdrift_at(P, g), 1.0)
        if play.sum() < 9:  # thin roster: the coach empties the bench
            for i in np.argsort(-w0):
                if play.sum() >= 9:
                    break
                if cd[i]:
                    cd[i], play[i] = False, True
        if play.sum() < 5:  # extreme: late scratches and questionable players suit up
            for i in np.argsort(-w0):
                if play.sum() >= 5:
                    break
                if not play[i] and (late[i] or q[i] or probable[i]):
                    late[i] = False
                    play[i] = True
        # Minutes.
        w = w0 * np.where(q_play | dbt_play, 0.88, 1.0) * np.exp(rng.normal(0, 0.12, n))
        w = w * np.where(rng.random(n) < 0.05, 0.7, 1.0)
        mins = np.zeros(n)
        mins[play] = _allocate(w[play], 240.0, 44.0)
        secs = np.zeros(n, dtype=int)
        secs[play] = _to_seconds(mins[play], 240 * 60)
        mins = secs / 60.0
        # Points.
        d = (g.game_date - self.opener).days
        home_f = 1.012 if is_home else 0.988
        rest_f = 0.965 if rest_days == 1 else (1.01 if (rest_days or 0) >= 3 else 1.0)
        pace_g = game_pace * math.exp(rng.normal(0, 0.025))
        ctx = pace_g / 100 * self.def_f[o] * home_f * rest_f * self.off_f[t]
        natural = self.ppm[P] * np.exp(self._drift[d, P])
        output = float((natural * mins).sum())
        # Usage: the team's output depends only partly on who plays; missing scorers' shots go to
        # the players on the floor.
        usage = (self.q_ref[t] / output) ** USAGE_ELASTICITY if output > 0 else 1.0
        rate = natural * ctx * usage  # expected points per minute
        form = np.exp(rng.normal(0, 0.16, n))
        stats = self._shots(rng, P, rate * form * mins, mins, team_sd=0.03, mu_team=rate * mins)
        for key in ("pts", "fgm", "fga", "fg3m", "fg3a", "ftm", "fta", "oreb", "dreb", "ast", "stl", "blk", "tov", "pf"):
            stats[key] = np.where(play, stats[key], 0)
        # Starters: the five biggest expected roles among those who play, labelled G, G, F, F, C.
        playing = np.flatnonzero(play)
        top5 = playing[np.argsort(-w0[playing], kind="stable")[:5]]
        top5 = top5[np.lexsort((-w0[top5], b.pos[P[top5]]))]
        starter_pos = [""] * n
        for label, i in zip(("G", "G", "F", "F", "C"), top5):
            starter_pos[i] = label
        # The books' knowledge states: before the first report, then after each report.
        states = []
        pre_known = ((injured & ~st) | (c == 2) & ~st | (c == 3))
        mhat = (ew_m[P] + 2 * self.tmin[P]) / (ew_n[P] + 2)
        ppm_hat = (ew_pts[P] + 100 * prior_ppm[P]) / (ew_min[P] + 100)
        book_ctx = game_pace / 100 * self.def_f[o] * home_f * rest_f
        cache: dict[bytes, tuple[dict, float]] = {}
        em_full = _allocate(mhat, 240.0, 42.0)
        q_full = float((ppm_hat * em_full).sum())
        for r in range(-1, n_reports):
            if r < 0:
                out = pre_known.copy()
                qmask = np.zeros(n, dtype=bool)
            else:
                out = np.array([s[r] in (OUT, DOUBTFUL) if s[r] else False for s in statuses])
                qmask = np.array([s[r] == QUESTIONABLE for s in statuses])
            key = out.tobytes() + qmask.tobytes()
            if key not in cache:
                avail_i = np.flatnonzero(~out)
                wb = mhat[avail_i] * np.where(qmask[avail_i], 0.85, 1.0)
                em = np.zeros(n)
                em[avail_i] = _allocate(wb, 240.0, 42.0)
                q_hat = float((ppm_hat * em).sum())
                mu = ppm_hat * em * book_ctx * ((q_full / q_hat) ** USAGE_ELASTICITY if q_hat > 0 else 1.0)
                elig = np.flatnonzero((~out) & (em >= 14.0))
                elig = elig[np.argsort(-em[elig], kind="stable")[:10]]
                props = {int(pid[P[i]]): PropEstimate(int(pid[P[i]]), b.ids[P[i]].full_name, TRICODES[t],
                                                      round(float(em[i]), 2), round(float(mu[i]), 3))
                         for i in elig}
                cache[key] = (props, float(mu.sum()))
            states.append(cache[key])
        pts_total = int(stats["pts"].sum())
        return dict(P=P, pids=pid[P], t=t, play=play, cd=cd, min=mins, secs=secs, rate=rate, statuses=statuses,
                    reasons=reasons, code=c, rest=rest, starter_pos=starter_pos, states=states, lines_pts=pts_total,
                    dnd=np.array([info[P[i]].get(kk, ("", False, 0))[1] for i in range(n)]), **stats)

    def _mdrift_at(self, P: np.ndarray, g: SimGame) -> np.ndarray:
        return self._mdrift[(g.game_date - self.opener).days, P]

    def _shots(self, rng, P: np.ndarray, mu: np.ndarray, mins: np.ndarray, team_sd: float = 0.0,
               mu_team: np.ndarray | None = None) -> dict:
        """Box-score stats with expected points ``mu``. The team's field-goal attempts are one number
        (possessions are shared) split among the players, so teammates' shots compete."""
        b = self._base
        r3, ftr, p2, p3, pft = b.r3[P], b.ftr[P], b.p2[P], b.p3[P], b.pft[P]
        ppfga = (1 - r3) * 2 * p2 + r3 * 3 * p3 + ftr * pft
        lam = np.maximum(mu, 0) / ppfga
        if team_sd > 0 and lam.sum() > 0:
            base = np.maximum(mu_team, 0) / ppfga if mu_team is not None else lam
            total = int(round(base.sum() * math.exp(rng.normal(0, team_sd))))
            fga = rng.multinomial(total, lam / lam.sum())
        else:
            fga = rng.poisson(lam)
        fg3a = rng.binomial(fga, r3)
        fta = rng.poisson(ftr * np.maximum(mu, 0) / ppfga)
        fg3m = rng.binomial(fg3a, p3)
        fg2m = rng.binomial(fga - fg3a, p2)
        ftm = rng.binomial(fta, pft)
        reb = rng.poisson(b.reb[P] * mins)
        oreb = rng.binomial(reb, 0.23)
        return dict(
            fga=fga, fg3a=fg3a, fta=fta, fg3m=fg3m, fgm=fg2m + fg3m, ftm=ftm, pts=2 * fg2m + 3 * fg3m + ftm,
            oreb=oreb, dreb=reb - oreb, ast=rng.poisson(b.ast[P] * mins), stl=rng.poisson(0.032 * mins),
            blk=rng.poisson(b.blk[P] * mins), tov=rng.poisson(b.tov[P] * mins),
            pf=np.minimum(rng.poisson(0.085 * mins), 6),
        )

    @staticmethod
    def _tying_shot(s: dict, points: int) -> None:
        i = int(np.argmax(np.where(s["play"], s["pts"], -1)))
        if points == 1:
            s["ftm"][i] += 1
            s["fta"][i] += 1
        else:
            s["fgm"][i] += 1
            s["fga"][i] += 1
            if points == 3:
                s["fg3m"][i] += 1
                s["fg3a"][i] += 1
        s["pts"][i] += points
        s["lines_pts"] += points

    def _overtime(self, rng, s: dict) -> None:
        """Five more minutes for the five players with the most minutes (all of them if fewer)."""
        play = np.flatnonzero(s["play"])
        five = play[np.argsort(-s["min"][play], kind="stable")[:5]]
        extra = np.zeros(len(s["P"]))
        extra[five] = 25.0 / len(five)
        P = s["P"]
        add = self._shots(rng, P, s["rate"] * extra, extra)
        mask = extra > 0
        for key, v in add.items():
            if key == "pf":
                s[key] = np.minimum(s[key] + np.where(mask, v, 0), 6)
            else:
                s[key] = s[key] + np.where(mask, v, 0)
        s["secs"] = s["secs"] + np.round(extra * 60).astype(int)
        s["min"] = s["secs"] / 60.0
        s["lines_pts"] = int(s["pts"].sum())

    def _box_lines(self, rng, s: dict, margin: int, periods: int) -> tuple[list[fmt.PlayerLine], list[PlayerAvailability]]:
        b = self._base
        P = s["P"]
        n = len(P)
        total_min = 48 + 5 * (periods - 4)
        # Plus/minus: the margin while each player was on the floor; the five on the floor at any time
        # make the team's total exactly five times the margin.
        share = s["min"] / total_min
        raw = margin * share + rng.normal(0, 4, n) * np.sqrt(share)
        raw = np.where(s["play"], raw, 0.0)
        raw -= (raw.sum() - 5 * margin) * s["min"] / max(s["min"].sum(), 1e-9)
        pm = np.floor(raw)
        short = int(5 * margin - pm.sum())
        if short > 0:
            pm[np.argsort(-(raw - pm) + np.where(s["play"], 0, 10), kind="stable")[:short]] += 1
        team = TRICODES[s["t"]]
        lines, avail = [], []
        for i in range(n):
            ident = b.ids[P[i]]
            played = bool(s["play"][i])
            if played:
                comment = ""
            elif s["cd"][i]:
                comment = DNP_COACH
            elif s["code"][i] == 1:
                comment = DND_INJURY if s["dnd"][i] else DNP_INJURY
            elif s["code"][i] == 2:
                comment = NWT_PERSONAL
            elif s["code"][i] == 3:
                comment = DNP_COACH
            elif s["rest"][i]:
                comment = DNP_REST
            else:  # late scratch, questionable/probable who sat
                comment = DNP_INJURY
            ln = fmt.PlayerLine(
                person_id=ident.person_id, first_name=ident.first_name, family_name=ident.family_name, team=team,
                minutes=float(s["secs"][i]) / 60.0 if played else None, jersey=b.jersey[P[i]],
                starter_position=s["starter_pos"][i] if played else "", comment=comment,
                plus_minus=float(pm[i]) if played else 0.0,
                **({k: int(s[k][i]) for k in ("fgm", "fga", "fg3m", "fg3a", "ftm", "fta", "oreb", "dreb", "ast",
                                              "stl", "blk", "tov", "pf", "pts")} if played else {}),
            )
            lines.append(ln)
            listed = any(x is not None for x in s["statuses"][i])
            avail.append(PlayerAvailability(
                person_id=ident.person_id, name=ident.full_name, team=team, played=played, comment=comment,
                reason=s["reasons"][i] if listed else None, report_statuses=tuple(s["statuses"][i]),
                late_scratch=(not played) and (not listed) and comment == DNP_INJURY,
            ))
        order = {"F": 0, "C": 1, "G": 2}
        starters = sorted((ln for ln in lines if ln.starter_position),
                          key=lambda ln: (order[ln.starter_position], -(ln.minutes or 0)))
        bench = sorted((ln for ln in lines if ln.played and not ln.starter_position), key=lambda ln: -(ln.minutes or 0))
        dnp = [ln for ln in lines if not ln.played]
        return starters + bench + dnp, avail

    # -- truth accessors --

    def games_on(self, day: dt.date) -> list[SimGame]:
        return list(self._by_date.get(day, []))

    def game(self, game_id: str) -> SimGame:
        return self._by_id[game_id]

    def roster(self, team: str) -> list[SimPlayer]:
        members = self.rosters_idx[_TEAM_INDEX[team]]
        return [self.players[self._base.ids[i].person_id] for i in members]

    def box(self, game_id: str) -> tuple[list[fmt.PlayerLine], list[fmt.PlayerLine]]:
        """(home lines, away lines): every rostered player, DNPs included (comment set)."""
        info = self._info[game_id]
        return info.home_lines, info.away_lines

    def availability(self, game_id: str) -> list[PlayerAvailability]:
        return list(self._info[game_id].availability)

    def prop_estimates(self, game_id: str, state: int | None = None) -> dict[int, PropEstimate]:
        """The books' fair estimates for line-eligible players; ``state`` 0 = before the day's first
        injury report, i + 1 = after report i; default: the last state before tip-off."""
        info = self._info[game_id]
        if state is None:
            state = self._state_at(self.game(game_id), self.game(game_id).tipoff_utc)
        return dict(info.states[state][0])

    def _state_at(self, g: SimGame, instant: dt.datetime) -> int:
        times = self.report_times(g.game_date)
        return bisect.bisect_right(times, instant)

    def snapshot_times(self, game_id: str) -> list[dt.datetime]:
        """Pre-game snapshot instants for the game (every 2 hours from 12 hours before the day's
        first tip, up to its tip-off), then the in-game snapshot."""
        g = self.game(game_id)
        first = min(x.tipoff_utc for x in self._by_date[g.game_date])
        out = []
        s = first - SNAPSHOT_LEAD
        while s <= g.tipoff_utc:
            out.append(s)
            s += SNAPSHOT_INTERVAL
        out.append(g.tipoff_utc + IN_GAME_SNAPSHOT_AFTER_TIP)
        return out

    def odds_snapshots(self, game_id: str) -> list[OddsSnapshot]:
        with self._lock:
            if game_id not in self._odds_cache:
                self._odds_cache[game_id] = self._make_odds(game_id)
            return self._odds_cache[game_id]

    def _make_odds(self, game_id: str) -> list[OddsSnapshot]:
        g = self.game(game_id)
        info = self._info[game_id]
        rng = _rng(self.seed, self.year, "odds", g.index)
        pids = info.roster_pids
        row = {p: i for i, p in enumerate(pids)}
        m = len(pids)
        nb = len(BOOKS)
        offset = rng.normal(0, 0.45, (m, nb))
        cover = rng.random((m, nb)) < _BOOK_COVERAGE
        skew = rng.normal(0, 0.015, (m, nb))
        gl_off = rng.normal(0, 0.5, (nb, 2))
        gl_cover = rng.random(nb) < _GAME_LINE_COVERAGE
        times = self.snapshot_times(game_id)
        jitter = np.zeros((m, nb))
        gl_jit = np.zeros((nb, 2))
        actual = {}
        for ln in info.home_lines + info.away_lines:
            if ln.played:
                actual[ln.person_id] = ln.pts
        snaps = []
        last_props: dict[int, PropEstimate] = {}
        last_totals = (0.0, 0.0)
        for i, at in enumerate(times):
            in_game = i == len(times) - 1
            jitter += rng.normal(0, 0.1, (m, nb))
            gl_jit += rng.normal(0, 0.2, (nb, 2))
            upd = rng.integers(1, 9, nb)
            if not in_game:
                props, eh, ea = info.states[self._state_at(g, at)]
                last_props, last_totals = props, (eh, ea)
                fair_by_pid = {p: e.expected_points for p, e in props.items()}
            else:
                frac = np.clip(rng.normal(0.45, 0.07, m), 0.3, 0.6)
                props = {p: e for p, e in last_props.items() if p in actual}
                fair_by_pid = {p: frac[row[p]] * actual[p] + (1 - frac[row[p]]) * e.expected_points
                               for p, e in props.items()}
                eh = 0.45 * g.home_score + 0.55 * last_totals[0]
                ea = 0.45 * g.away_score + 0.55 * last_totals[1]
            quotes: dict[str, list[tuple[int, fmt.PropQuote]]] = {bk: [] for bk in BOOKS}
            if props:
                plist = sorted(props, key=lambda p: (props[p].team != g.home, -props[p].expected_minutes, p))
                rows = np.array([row[p] for p in plist])
                fair = np.array([fair_by_pid[p] for p in plist])[:, None] - MEDIAN_SHIFT
                fair_b = fair + offset[rows] + jitter[rows]
                line = _round_half(fair_b)
                diff = fair_b - line
                p_over = 0.5 + 0.066 * diff + skew[rows]
                over = _american(p_over * 1.0476)
                under = _american((1 - p_over) * 1.0476)
                for j, p in enumerate(plist):
                    name = props[p].name
                    for bi, bk in enumerate(BOOKS):
                        if cover[rows[j], bi]:
                            quotes[bk].append((p, fmt.PropQuote(name, float(line[j, bi]), int(over[j, bi]),
                                                                int(under[j, bi]))))
            game_lines = {}
            for bi, bk in enumerate(BOOKS):
                if gl_cover[bi]:
                    spread = -(eh - ea) + gl_off[bi, 0] + gl_jit[bi, 0]
                    total = eh + ea + gl_off[bi, 1] * 2 + gl_jit[bi, 1]
                    game_lines[bk] = (float(np.round(spread * 2) / 2), float(np.round(total * 2) / 2))
            last_update = {bk: at - dt.timedelta(minutes=int(upd[bi])) for bi, bk in enumerate(BOOKS)}
            snaps.append(OddsSnapshot(at, in_game, {bk: q for bk, q in quotes.items() if q}, game_lines, last_update))
        return snaps

    def pregame_lines(self, game_id: str) -> dict[int, dict[str, fmt.PropQuote]]:
        """person id -> book -> quote at the last pre-game snapshot."""
        snaps = [s for s in self.odds_snapshots(game_id) if not s.in_game]
        out: dict[int, dict[str, fmt.PropQuote]] = {}
        for bk, quotes in snaps[-1].props.items():
            for p, q in quotes:
                out.setdefault(p, {})[bk] = q
        return out

    def consensus_lines(self, game_id: str) -> dict[int, float]:
        """person id -> median line over the books at the last pre-game snapshot."""
        return {p: float(np.median([q.line for q in books.values()])) for p, books in self.pregame_lines(game_id).items()}

    def injury_reports(self, day: dt.date) -> list[InjuryReport]:
        """Every report published for the day, in publication order."""
        with self._lock:
            if day not in self._report_cache:
                self._report_cache[day] = self._make_reports(day)
            return self._report_cache[day]

    def _make_reports(self, day: dt.date) -> list[InjuryReport]:
        times = self.report_times(day)
        games = self._by_date.get(day, [])
        out = []
        for r, at in enumerate(times):
            rows = []
            for g in games:
                tip_et = g.tipoff_utc.astimezone(ET)
                matchup = f"{g.away}@{g.home}"
                by_team: dict[str, list[fmt.InjuryRow]] = {g.away: [], g.home: []}
                for a in self._info[g.game_id].availability:
                    status = a.report_statuses[r] if r < len(a.report_statuses) else None
                    if status is None:
                        continue
                    by_team[a.team].append(fmt.InjuryRow(day, f"{tip_et:%I:%M} (ET)", matchup, a.team, a.name, status,
                                                         a.reason or ""))
                for team in (g.away, g.home):
                    rows.extend(sorted(by_team[team], key=lambda x: (x.player_name.split(" ", 1)[-1], x.player_name)))
            out.append(InjuryReport(at, fmt.injury_report_name(at.astimezone(ET)), tuple(rows)))
        return out

    def back_to_backs(self) -> dict[str, int]:
        days: dict[str, list[dt.date]] = {c: [] for c in TRICODES}
        for g in self.games:
            days[g.home].append(g.game_date)
            days[g.away].append(g.game_date)
        return {c: sum((b - a).days == 1 for a, b in zip(sorted(ds), sorted(ds)[1:])) for c, ds in days.items()}


MEDIAN_SHIFT = 0.1
USAGE_ELASTICITY = 0.65  # share of a missing player's scoring his teammates make up  # points: books hang lines near the (right-skewed) median, a little under the mean


# --- the league ----------------------------------------------------------------------------------

class SimulatedLeague:
    """All seasons of one seed, built lazily (one at a time) and cached."""

    def __init__(self, seed: int):
        self.seed = int(seed)
        self._base: _Base | None = None
        self._seasons: dict[int, SimSeason] = {}
        self._lock = threading.RLock()

    @property
    def base(self) -> _Base:
        with self._lock:
            if self._base is None:
                self._base = _Base(self.seed)
            return self._base

    def season(self, year: int) -> SimSeason:
        with self._lock:
            if year not in self._seasons:
                self._seasons[year] = SimSeason(self.seed, year, self.base)
            return self._seasons[year]

    def season_for_date(self, day: dt.date) -> SimSeason | None:
        """The season whose regular season covers ``day``, or None (off-season, preseason)."""
        year = season_year(day)
        if day < season_opener(year) or day > season_last_day(year):
            return None
        return self.season(year)

    def games_on(self, day: dt.date) -> list[SimGame]:
        s = self.season_for_date(day)
        return s.games_on(day) if s else []

    def game(self, game_id: str) -> SimGame:
        return self.season_of_game(game_id).game(game_id)

    def season_of_game(self, game_id: str) -> SimSeason:
        yy = int(str(game_id)[3:5])
        return self.season(2000 + yy)

    def event_id(self, game_id: str) -> str:
        return event_id_for(self.seed, game_id)


_LEAGUES: dict[int, SimulatedLeague] = {}
_LEAGUES_LOCK = threading.Lock()


def get_league(seed: int) -> SimulatedLeague:
    """The shared league for ``seed`` (module-level cache: every source instance reuses it)."""
    with _LEAGUES_LOCK:
        if seed not in _LEAGUES:
            _LEAGUES[seed] = SimulatedLeague(seed)
        return _LEAGUES[seed]


# --- the source ----------------------------------------------------------------------------------

def _utc(instant: dt.datetime) -> dt.datetime:
    if instant.tzinfo is None:
        return instant.replace(tzinfo=UTC)
    return instant.astimezone(UTC)


class SimulatedSource(NbaSource):
    """Serves the deterministic simulated league through the real services' payload formats."""

    seed: int = 20241022
    boxscore_delay_minutes: int = 20
    withheld_game_ids: list[str] = []

    @property
    def source_name(self) -> str:
        return "simulated"

    @property
    def league(self) -> SimulatedLeague:
        return get_league(self.seed)

    def _season_games(self, game_date: dt.date) -> tuple[SimSeason | None, list[SimGame]]:
        season = self.league.season_for_date(game_date)
        if season is None:
            return None, []
        return season, season.games_on(game_date)

    def _published_box(self, g: SimGame, as_of: dt.datetime) -> bool:
        return (g.game_id not in self.withheld_game_ids
                and as_of >= g.end_utc + dt.timedelta(minutes=self.boxscore_delay_minutes))

    def schedule(self, game_date: dt.date, as_of: dt.datetime) -> list[Payload]:
        as_of = _utc(as_of)
        season, games = self._season_games(game_date)
        if not games:
            return []
        body = fmt.schedule_league_v2(season.label, [g.schedule_game(as_of) for g in games], as_of)
        return [Payload(SCHEDULE, f"scheduleLeagueV2_{game_date:%Y%m%d}", body, URL_SCHEDULE, as_of)]

    def player_game_logs(self, game_date: dt.date, as_of: dt.datetime) -> list[Payload]:
        as_of = _utc(as_of)
        season, games = self._season_games(game_date)
        final = [g for g in games if self._published_box(g, as_of)]
        if not final:
            return []
        entries = []
        for g in final:
            home, away = season.box(g.game_id)
            entries.append((g.game_id, g.home, g.away, home + away, g.home_score, g.away_score))
        body = fmt.league_game_log_players(season.year, "Regular Season", game_date, entries)
        url = (f"{URL_STATS}/leaguegamelog?Counter=1000&DateFrom={game_date:%m/%d/%Y}&DateTo={game_date:%m/%d/%Y}"
               f"&Direction=ASC&LeagueID=00&PlayerOrTeam=P&Season={season.label}&SeasonType=Regular+Season"
               f"&Sorter=DATE")
        return [Payload(PLAYER_GAME_LOG, f"leaguegamelog_P_{game_date:%Y%m%d}", body, url, as_of)]

    def team_boxscores(self, game_date: dt.date, as_of: dt.datetime) -> list[Payload]:
        as_of = _utc(as_of)
        season, games = self._season_games(game_date)
        out = []
        for g in games:
            if not self._published_box(g, as_of):
                continue
            home, away = season.box(g.game_id)
            body = fmt.boxscore_traditional_v3(g.game_id, g.home, g.away, home, away, periods=g.periods)
            url = (f"{URL_STATS}/boxscoretraditionalv3?EndPeriod=0&EndRange=0&GameID={g.game_id}&RangeType=0"
                   f"&StartPeriod=0&StartRange=0")
            out.append(Payload(BOXSCORE_TRADITIONAL, g.game_id, body, url, as_of, extra={"game_id": g.game_id}))
        return out

    def team_rosters(self, game_date: dt.date, as_of: dt.datetime) -> list[Payload]:
        as_of = _utc(as_of)
        season, games = self._season_games(game_date)
        teams = sorted({t for g in games for t in (g.home, g.away)})
        out = []
        for code in teams:
            entries = []
            for p in season.roster(code):
                age = (game_date - p.birth_date).days // 365.25
                entries.append(fmt.RosterEntry(
                    person_id=p.person_id, name=p.full_name, position=p.roster_position, number=p.jersey,
                    age=float(age), birth_date=p.birth_date, experience=str(p.experience) if p.experience else "R",
                    how_acquired=p.how_acquired,
                ))
            body = fmt.common_team_roster(code, season.year, entries)
            url = f"{URL_STATS}/commonteamroster?LeagueID=00&Season={season.label}&TeamID={BY_TRICODE[code].team_id}"
            out.append(Payload(TEAM_ROSTER, f"commonteamroster_{code}", body, url, as_of))
        return out

    def injury_report(self, game_date: dt.date, as_of: dt.datetime) -> list[Payload]:
        as_of = _utc(as_of)
        season, games = self._season_games(game_date)
        if not games:
            return []
        published = [r for r in season.injury_reports(game_date) if r.published_utc <= as_of]
        if not published:
            return []
        rep = published[-1]
        return [Payload(INJURY_REPORT, rep.name, rep.csv, f"{URL_INJURY}/{rep.name}.pdf", rep.published_utc,
                        content_type="csv")]

    def _odds(self, endpoint: str, game_date: dt.date, as_of: dt.datetime) -> list[Payload]:
        as_of = _utc(as_of)
        season, games = self._season_games(game_date)
        out = []
        markets = ("player_points",) if endpoint == ODDS_PLAYER_POINTS else ("spreads", "totals")
        for g in games:
            if g.tipoff_utc - SNAPSHOT_LEAD - SNAPSHOT_INTERVAL * 8 > as_of:
                continue  # nothing taken yet (cheap pre-check before building the game's odds)
            for snap in season.odds_snapshots(g.game_id):
                if snap.taken_at > as_of:
                    continue
                books = []
                for bk in BOOKS:
                    if endpoint == ODDS_PLAYER_POINTS:
                        quotes = snap.props.get(bk)
                        if not quotes:
                            continue
                        books.append(fmt.BookQuotes(bk, snap.last_update[bk], props=[q for _, q in quotes]))
                    else:
                        if bk not in snap.game_lines:
                            continue
                        spread, total = snap.game_lines[bk]
                        books.append(fmt.BookQuotes(bk, snap.last_update[bk], spread_home=spread, total=total))
                event = fmt.odds_event(g.event_id, g.tipoff_utc, g.home, g.away, books, markets=markets)
                body = fmt.odds_historical_snapshot(snap.taken_at, event, SNAPSHOT_INTERVAL)
                url = (f"{URL_ODDS}/{g.event_id}/odds?regions=us&markets={','.join(markets)}&oddsFormat=american"
                       f"&date={fmt.iso_z(snap.taken_at)}")
                out.append(Payload(endpoint, f"{snap.taken_at:%Y%m%dT%H%M%SZ}_{g.event_id}", body, url,
                                   snap.taken_at, extra={"game_id": g.game_id, "in_game": snap.in_game}))
        return sorted(out, key=lambda p: (p.fetched_at, p.name))

    def player_points_odds(self, game_date: dt.date, as_of: dt.datetime) -> list[Payload]:
        return self._odds(ODDS_PLAYER_POINTS, game_date, as_of)

    def game_lines_odds(self, game_date: dt.date, as_of: dt.datetime) -> list[Payload]:
        return self._odds(ODDS_GAME_LINES, game_date, as_of)
