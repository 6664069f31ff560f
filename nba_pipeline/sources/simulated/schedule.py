"""The simulated regular season's calendar and schedule: game days, matchups, tip-offs and game clocks.

82 games a team (the NBA's division/conference formula), at most 15 games a night, no team twice a day or
three days running, back-to-backs spread over the season, no games during the All-Star break, on
Thanksgiving or on Christmas Eve, and a Christmas Day slate at fixed times.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np

from nba_pipeline.calendar import ET, GameStatus
from nba_pipeline.domain.teams import BY_TRICODE
from nba_pipeline.partitions import season_opener
from nba_pipeline.sources import formats as fmt
from nba_pipeline.sources.simulated.randomness import event_id_for, seeded_rng
from nba_pipeline.sources.simulated.rosters import N_TEAMS, TEAM_INDEX, TRICODES

UTC = dt.UTC

GAMES_PER_TEAM = 82
MAX_GAMES_A_DAY = 15
REGULATION_DURATION = dt.timedelta(hours=2, minutes=15)
OT_DURATION = dt.timedelta(minutes=15)

_DIVISIONS = (
    (("BOS", "BKN", "NYK", "PHI", "TOR"), ("CHI", "CLE", "DET", "IND", "MIL"), ("ATL", "CHA", "MIA", "ORL", "WAS")),
    (("DEN", "MIN", "OKC", "POR", "UTA"), ("GSW", "LAC", "LAL", "PHX", "SAC"), ("DAL", "HOU", "MEM", "NOP", "SAS")),
)
_CHRISTMAS_SLOTS_ET = ((12, 0), (14, 30), (17, 0), (20, 0), (22, 30))


# --- the calendar ---------------------------------------------------------------------------------


def nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def season_last_day(year: int) -> dt.date:
    """The regular season ends on the second Sunday of April (2024-25: April 13, 2025)."""
    return nth_weekday(year + 1, 4, 6, 2)


def all_star_break(year: int) -> tuple[dt.date, dt.date]:
    """No games from the Thursday before All-Star Sunday (third Sunday of February) to the Tuesday after."""
    sunday = nth_weekday(year + 1, 2, 6, 3)
    return sunday - dt.timedelta(days=3), sunday + dt.timedelta(days=2)


def off_days(year: int) -> tuple[dt.date, ...]:
    """Thanksgiving and Christmas Eve."""
    return (nth_weekday(year, 11, 3, 4), dt.date(year, 12, 24))


# --- one game ---------------------------------------------------------------------------------------


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
        if status == GameStatus.FINAL:
            home_score, away_score, period = self.home_score, self.away_score, self.periods
            if self.home_score > self.away_score:
                hw, al = hw + 1, al + 1
            else:
                hl, aw = hl + 1, aw + 1
        elif status == 2:
            period, home_score, away_score = self._in_progress(as_of)
        return fmt.ScheduleGame(
            game_id=self.game_id,
            tipoff_utc=self.tipoff_utc,
            home=self.home,
            away=self.away,
            status=status,
            home_score=home_score,
            away_score=away_score,
            home_wins=hw,
            home_losses=hl,
            away_wins=aw,
            away_losses=al,
            period=period,
        )

    def _in_progress(self, as_of: dt.datetime) -> tuple[int, int, int]:
        """(period, home score, away score) of a game under way: scores grow with the elapsed time."""
        elapsed = as_of - self.tipoff_utc
        total = self.end_utc - self.tipoff_utc
        regulation = total - OT_DURATION * (self.periods - 4)
        if elapsed < regulation:
            period = min(4, 1 + int(elapsed / (regulation / 4)))
        else:
            period = min(self.periods, 5 + int((elapsed - regulation) / OT_DURATION))
        frac = min(elapsed / total, 0.999)
        return period, int(self.home_score * frac), int(self.away_score * frac)


# --- the season's schedule -------------------------------------------------------------------------


def make_schedule(seed: int, year: int) -> list[SimGame]:
    """Every game of the regular season in date and tip-off order, before it is played."""
    rng = seeded_rng(seed, year, "schedule")
    matchups = _matchups(rng)
    days, caps = _game_days(year)
    day_of = _assign_days(rng, matchups, days, caps)
    rows = _tipoffs(seeded_rng(seed, year, "tipoffs"), year, matchups, days, day_of)
    rows.sort(key=lambda r: (r[0], r[1], TRICODES[r[2]]))
    yy = str(year)[-2:]
    durations = seeded_rng(seed, year, "durations").normal(0, 6, len(rows))
    games = []
    for i, (day, tip, home, away) in enumerate(rows):
        gid = f"002{yy}{i + 1:05d}"
        end = tip + REGULATION_DURATION + dt.timedelta(minutes=float(np.clip(durations[i], -12, 12)))
        games.append(
            SimGame(
                gid,
                i,
                day,
                tip,
                end.replace(second=0, microsecond=0),
                TRICODES[home],
                TRICODES[away],
                event_id_for(seed, gid),
            )
        )
    return games


def _matchups(rng: np.random.Generator) -> list[tuple[int, int]]:
    """(home, away) team indices: 82 games a team, 41 at home (the NBA's division/conference formula)."""
    games: list[tuple[int, int]] = []

    def add(a: str, b: str, a_home: int, b_home: int) -> None:
        ia, ib = TEAM_INDEX[a], TEAM_INDEX[b]
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
    """The days with games and how many games each holds (weekday weights; fixed opening nights,
    Christmas and closing day)."""
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
    return days, [int(min(c, MAX_GAMES_A_DAY)) for c in caps]


def _assign_days(
    rng: np.random.Generator, games: list[tuple[int, int]], days: list[dt.date], caps: list[int]
) -> np.ndarray:
    """The day index of every game: a greedy, urgency-driven pass (no team twice a day, no three games
    in three days, back-to-backs spread over the season), then a repair of what it could not fit."""
    plan = _DayAssignment(
        np.array([g[0] for g in games]), np.array([g[1] for g in games]), np.array([d.toordinal() for d in days])
    )
    for di in range(len(days)):
        plan.fill_day(rng, di, caps[di])
    if plan.remaining.any():
        plan.repair(rng)
    return plan.day_of


class _DayAssignment:
    """The state of the greedy pass: games still to place and each team's recent calendar."""

    def __init__(self, home: np.ndarray, away: np.ndarray, ordinals: np.ndarray):
        self.home, self.away, self.ords = home, away, ordinals
        self.remaining = np.ones(len(home), dtype=bool)
        self.day_of = np.full(len(home), -1)
        self.left = np.zeros(N_TEAMS)  # games each team still has to play
        np.add.at(self.left, home, 1)
        np.add.at(self.left, away, 1)
        self.last = np.full(N_TEAMS, -100)  # ordinal of each team's latest game
        self.prev = np.full(N_TEAMS, -100)  # and of the one before it
        self.b2b = np.zeros(N_TEAMS)
        self.pair_last = np.full((N_TEAMS, N_TEAMS), -100)

    def fill_day(self, rng: np.random.Generator, di: int, cap: int) -> None:
        """Place up to ``cap`` games on day ``di``, the most urgent first."""
        H, A, nd = self.home, self.away, len(self.ords)
        d = int(self.ords[di])
        f = self.left / (nd - di)
        played_y = self.last == d - 1
        three = played_y & (self.prev == d - 2)
        ok_team = ~three & (self.left > 0)
        idx = np.flatnonzero(self.remaining & ok_team[H] & ok_team[A])
        if len(idx) == 0:
            return
        target = 1.0 + 12.5 * (di + 1) / nd
        pen = np.where(played_y, np.where(self.b2b < target, -0.02, 0.5), 0.0)
        h, a = H[idx], A[idx]
        recent = (d - self.pair_last[h, a]) < 6
        score = f[h] + f[a] - pen[h] - pen[a] - 0.3 * recent + rng.normal(0, 0.06, len(idx))
        used = np.zeros(N_TEAMS, dtype=bool)
        n = 0
        for gi in idx[np.argsort(-score, kind="stable")]:
            if n >= cap:
                break
            hh, aa = H[gi], A[gi]
            if used[hh] or used[aa]:
                continue
            used[hh] = used[aa] = True
            n += 1
            self.day_of[gi] = di
            self.remaining[gi] = False
            self.pair_last[hh, aa] = self.pair_last[aa, hh] = d
        teams = np.flatnonzero(used)
        self.b2b[teams] += self.last[teams] == d - 1
        self.prev[teams] = self.last[teams]
        self.last[teams] = d
        self.left[teams] -= 1

    def repair(self, rng: np.random.Generator) -> None:
        """Games the greedy pass could not fit go to the best day still free for both teams."""
        H, A, ords = self.home, self.away, self.ords
        team_days: list[set[int]] = [set() for _ in range(N_TEAMS)]
        count = np.zeros(len(ords), dtype=int)
        for gi in np.flatnonzero(~self.remaining):
            team_days[H[gi]].add(int(ords[self.day_of[gi]]))
            team_days[A[gi]].add(int(ords[self.day_of[gi]]))
            count[self.day_of[gi]] += 1
        for gi in np.flatnonzero(self.remaining):
            hh, aa = H[gi], A[gi]
            best = _best_free_day(rng, ords, count, team_days[hh], team_days[aa])
            self.day_of[gi] = best
            count[best] += 1
            team_days[hh].add(int(ords[best]))
            team_days[aa].add(int(ords[best]))


def _best_free_day(
    rng: np.random.Generator, ords: np.ndarray, count: np.ndarray, home_days: set[int], away_days: set[int]
) -> int:
    """The day with room free for both teams that least crowds their calendars (later days win ties)."""
    nd = len(ords)
    best, best_cost = -1, None
    for di in range(nd):
        d = int(ords[di])
        if count[di] >= MAX_GAMES_A_DAY or d in home_days or d in away_days:
            continue
        cost = 0.0
        for s in (home_days, away_days):
            if (d - 1 in s and d - 2 in s) or (d + 1 in s and d + 2 in s) or (d - 1 in s and d + 1 in s):
                cost += 100
            cost += (d - 1 in s) + (d + 1 in s)
        cost += rng.random() * 0.1 + (nd - di) * 1e-4
        if best_cost is None or cost < best_cost:
            best, best_cost = di, cost
    return best


def _tipoffs(
    rng: np.random.Generator, year: int, matchups: list[tuple[int, int]], days: list[dt.date], day_of: np.ndarray
) -> list[tuple[dt.date, dt.datetime, int, int]]:
    """(day, tip-off UTC, home, away) per game: Christmas at fixed slots, afternoons on weekends and MLK Day."""
    mlk = nth_weekday(year + 1, 1, 0, 3)
    christmas = dt.date(year, 12, 25)
    rows = []
    by_day: dict[int, list[int]] = {}
    for gi, di in enumerate(day_of):
        by_day.setdefault(int(di), []).append(gi)
    for di in sorted(by_day):
        day = days[di]
        gis = sorted(by_day[di], key=lambda g: (matchups[g][0], matchups[g][1]))
        if day == christmas:
            for k, gi in enumerate(gis):
                h, m = _CHRISTMAS_SLOTS_ET[k % len(_CHRISTMAS_SLOTS_ET)]
                tip = dt.datetime.combine(day, dt.time(h, m), tzinfo=ET).astimezone(UTC)
                rows.append((day, tip, matchups[gi][0], matchups[gi][1]))
            continue
        p_aft = {6: 0.35, 5: 0.12}.get(day.weekday(), 0.0)
        if day == mlk:
            p_aft = 0.4
        for gi in gis:
            home, away = matchups[gi]
            rows.append((day, _tipoff(rng, day, TRICODES[home], p_aft), home, away))
    return rows


def _tipoff(rng: np.random.Generator, day: dt.date, home: str, afternoon_p: float) -> dt.datetime:
    tz = BY_TRICODE[home].timezone
    west = tz in ("America/Los_Angeles",)
    mountain = tz in ("America/Denver", "America/Phoenix")
    if rng.random() < afternoon_p:
        slots = (
            [(15, 0), (15, 30), (17, 0), (18, 0)]
            if (west or mountain)
            else [(12, 0), (13, 0), (14, 0), (15, 0), (15, 30), (17, 0), (18, 0)]
        )
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
