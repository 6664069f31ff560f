"""Injuries in the simulated league: who is out and why, and the NBA injury reports that say so.

A season's availability plan (injury streaks, personal absences, G League assignments) is drawn per
player and team game before the season is played; on game day each team's players are drawn healthy,
questionable, probable, resting or out, with the status each of the day's reports gives them. Reports
are published at 13:30, 17:30 and 18:30 ET on every game day, plus one at 11:30 ET on days with a game
tipping before 15:00 ET (so afternoon games have a pre-game report).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from nba_pipeline.calendar import ET
from nba_pipeline.sources import formats as fmt
from nba_pipeline.sources.simulated.randomness import seeded_rng
from nba_pipeline.sources.simulated.rosters import DEEP, STAR, BaseLeague
from nba_pipeline.sources.simulated.schedule import GAMES_PER_TEAM, UTC, SimGame

# Injury-report statuses.
OUT, DOUBTFUL, QUESTIONABLE, PROBABLE, AVAILABLE = "Out", "Doubtful", "Questionable", "Probable", "Available"

REPORT_TIMES_ET = (dt.time(13, 30), dt.time(17, 30), dt.time(18, 30))
EARLY_REPORT_TIME_ET = dt.time(11, 30)
_NEWS_REPORT_ET = dt.time(17, 30)  # news of the day (a starter's injury, a rest day) breaks in this report

# Availability plan codes.
HEALTHY, INJURED, NOT_WITH_TEAM, G_LEAGUE = 0, 1, 2, 3

_BODY_PARTS = (
    "Ankle",
    "Knee",
    "Hamstring",
    "Calf",
    "Hip",
    "Wrist",
    "Shoulder",
    "Foot",
    "Groin",
    "Quadriceps",
    "Thumb",
    "Achilles",
)
_MINOR_KINDS = ("Sprain", "Soreness", "Contusion", "Strain", "Tendinopathy", "Bruise")
_OTHER_MINOR = (
    "Low Back; Spasms",
    "Illness; Non-COVID",
    "Low Back; Soreness",
    "Concussion Protocol",
    "Illness; Flu",
    "Nose; Contusion",
)
_LONG_KINDS = ("Fracture", "Sprain; Grade 2", "Surgery; Recovery", "Strain; Grade 2", "Tear")


# --- the season's plan ------------------------------------------------------------------------------


@dataclass
class AvailabilityPlan:
    """Per player (rows) and team-game index (columns): the plan code, whether an absence starts at
    that game, whether it is the last game of an injury streak, and the absence's details."""

    code: np.ndarray  # HEALTHY, INJURED, NOT_WITH_TEAM or G_LEAGUE
    starts: np.ndarray
    last: np.ndarray
    info: list[dict[int, tuple[str, bool, int]]]  # per player: game -> (reason, DND, length of absence)


def make_plan(seed: int, year: int, base: BaseLeague) -> AvailabilityPlan:
    rng = seeded_rng(seed, year, "injuries")
    n = base.n
    plan = AvailabilityPlan(
        code=np.zeros((n, GAMES_PER_TEAM), dtype=np.int8),
        starts=np.zeros((n, GAMES_PER_TEAM), dtype=bool),
        last=np.zeros((n, GAMES_PER_TEAM), dtype=bool),
        info=[dict() for _ in range(n)],
    )
    u = rng.random((n, GAMES_PER_TEAM, 3))
    hazard = 0.017 * base.prone
    for p in range(n):
        _plan_absences(rng, plan, p, u[p], hazard[p])
        if base.two_way[p]:
            _plan_assignments(rng, plan, p)
    return plan


def _plan_absences(rng: np.random.Generator, plan: AvailabilityPlan, p: int, u: np.ndarray, hazard: float) -> None:
    """Injury streaks (at ``hazard`` per game) and short personal absences of player ``p``."""
    k = 0
    while k < GAMES_PER_TEAM:
        if u[k, 0] < hazard:
            length, reason = _injury(rng, u[k, 1])
            dnd = rng.random() < 0.25
            end = min(GAMES_PER_TEAM, k + length)
            plan.code[p, k:end] = INJURED
            plan.starts[p, k] = True
            plan.last[p, end - 1] = True
            for j in range(k, end):
                plan.info[p][j] = (reason, dnd, length)
            k = end + 1
            continue
        if u[k, 2] < 0.0015:
            length = 1 + int(rng.integers(3))
            end = min(GAMES_PER_TEAM, k + length)
            reason = "Not With Team" if rng.random() < 0.5 else "Personal Reasons"
            plan.code[p, k:end] = NOT_WITH_TEAM
            plan.starts[p, k] = True
            for j in range(k, end):
                plan.info[p][j] = (reason, False, length)
            k = end
            continue
        k += 1


def _injury(rng: np.random.Generator, severity: float) -> tuple[int, str]:
    """(games missed, reason) of an injury: mostly minor, sometimes weeks, rarely long."""
    if severity < 0.68:
        return int(rng.geometric(0.4)) + int(rng.random() < 0.5), minor_reason(rng)
    if severity < 0.95:
        return int(rng.integers(5, 16)), minor_reason(rng)
    length = int(rng.integers(18, 45))
    side = "Left" if rng.random() < 0.5 else "Right"
    return length, (
        f"Injury/Illness - {side} {_BODY_PARTS[int(rng.integers(len(_BODY_PARTS)))]}; "
        f"{_LONG_KINDS[int(rng.integers(len(_LONG_KINDS)))]}"
    )


def _plan_assignments(rng: np.random.Generator, plan: AvailabilityPlan, p: int) -> None:
    """A two-way player's stints with the G League team, on games he is otherwise available for."""
    k = 0
    while k < GAMES_PER_TEAM:
        if plan.code[p, k] == HEALTHY and rng.random() < 0.12:
            length = int(rng.integers(1, 6))
            for j in range(k, min(GAMES_PER_TEAM, k + length)):
                if plan.code[p, j] == HEALTHY:
                    plan.code[p, j] = G_LEAGUE
                    plan.info[p][j] = ("G League - Two-Way", False, length)
            k += length
        else:
            k += 1


def minor_reason(rng: np.random.Generator) -> str:
    if rng.random() < 0.2:
        return f"Injury/Illness - {_OTHER_MINOR[int(rng.integers(len(_OTHER_MINOR)))]}"
    side = "Left" if rng.random() < 0.5 else "Right"
    part = _BODY_PARTS[int(rng.integers(len(_BODY_PARTS) - 1))]
    return f"Injury/Illness - {side} {part}; {_MINOR_KINDS[int(rng.integers(len(_MINOR_KINDS)))]}"


# --- the day's reports ------------------------------------------------------------------------------


def report_times(day: dt.date, games: list[SimGame]) -> list[dt.datetime]:
    """UTC publication instants of the day's injury reports (empty on days without games)."""
    if not games:
        return []
    times = list(REPORT_TIMES_ET)
    if min(g.tipoff_utc for g in games).astimezone(ET).time() < dt.time(15, 0):
        times.insert(0, EARLY_REPORT_TIME_ET)
    return [dt.datetime.combine(day, t, tzinfo=ET).astimezone(UTC) for t in times]


@dataclass(frozen=True)
class GameReports:
    """The day's injury reports as one game sees them (indices into the day's reports)."""

    count: int  # reports published that day
    final: int  # the last one before tip-off (0 when none is)
    news: int  # the first pre-tip report at or after 17:30 ET, else ``final``

    @classmethod
    def of(cls, times: list[dt.datetime], tipoff_utc: dt.datetime) -> GameReports:
        pre = [r for r, t in enumerate(times) if t < tipoff_utc]
        final = pre[-1] if pre else 0
        news = next((r for r in pre if times[r].astimezone(ET).time() >= _NEWS_REPORT_ET), final)
        return cls(len(times), final, news)


# --- one team's players on game day -----------------------------------------------------------------


@dataclass
class SideAvailability:
    """One team's players in one game (arrays in roster order): what the plan and the day's draws say,
    and each player's status on each of the day's reports (None: not listed) with the listed reason."""

    code: np.ndarray
    starts: np.ndarray  # an absence starts at this game (news the books learn from the reports)
    healthy: np.ndarray
    questionable: np.ndarray
    probable: np.ndarray
    rest: np.ndarray
    late: np.ndarray  # a late scratch: DNP - Injury/Illness without ever being listed
    questionable_plays: np.ndarray
    probable_plays: np.ndarray
    injured: np.ndarray
    doubtful_plays: np.ndarray
    dnd: np.ndarray
    statuses: list[list[str | None]]
    reasons: list[str | None]

    @property
    def candidates(self) -> np.ndarray:
        """Who is available to the coach."""
        return (
            self.healthy
            & ~self.rest
            & ~self.late
            & ~(self.questionable & ~self.questionable_plays)
            & ~(self.probable & ~self.probable_plays)
        ) | self.doubtful_plays

    @property
    def known_before_reports(self) -> np.ndarray:
        """Absences the books know before the day's first report (continuing injuries, assignments)."""
        return (self.injured & ~self.starts) | (self.code == NOT_WITH_TEAM) & ~self.starts | (self.code == G_LEAGUE)


def rest_probability(role: np.ndarray, old: np.ndarray, back_to_back: bool) -> np.ndarray:
    """Chance a healthy player sits out to rest: stars and veterans, most of all on back-to-backs."""
    rest_p = np.where(role == DEEP, 0.0, 0.003)
    rest_p = np.where((role == STAR) | old, 0.02, rest_p)
    if back_to_back:
        rest_p = np.where((role == STAR) & old, 0.35, np.where((role == STAR) | old, 0.12, rest_p))
    return rest_p


def draw_availability(
    rng: np.random.Generator,
    plan: AvailabilityPlan,
    players: np.ndarray,
    column: int,
    role: np.ndarray,
    rest_p: np.ndarray,
    reports: GameReports,
) -> SideAvailability:
    """Game-day availability of ``players`` (base-league indices) at team game ``column`` of the plan."""
    n = len(players)
    c = plan.code[players, column]
    st = plan.starts[players, column]
    u = rng.random((n, 8))
    healthy = c == HEALTHY
    q = healthy & (u[:, 0] < 0.03) & (role != DEEP)
    probable = healthy & ~q & (u[:, 0] > 0.975) & (role != DEEP)
    rest = healthy & ~q & ~probable & (u[:, 1] < rest_p)
    injured = c == INJURED
    doubtful = injured & plan.last[players, column] & (u[:, 4] < 0.5) & ~st
    side = SideAvailability(
        code=c,
        starts=st,
        healthy=healthy,
        questionable=q,
        probable=probable,
        rest=rest,
        late=healthy & ~q & ~rest & (u[:, 2] < 0.004) & (role != DEEP),
        questionable_plays=q & (u[:, 3] < 0.55),
        probable_plays=probable & (u[:, 3] < 0.97),
        injured=injured,
        doubtful_plays=doubtful & (u[:, 5] < 0.15),
        dnd=np.array([plan.info[players[i]].get(column, ("", False, 0))[1] for i in range(n)]),
        statuses=[[None] * reports.count for _ in range(n)],
        reasons=[None] * n,
    )
    plan_reasons = [plan.info[players[i]].get(column, (None, False, 0))[0] for i in range(n)]
    _report_timelines(rng, side, doubtful, u, plan_reasons, reports)
    return side


def _report_timelines(
    rng: np.random.Generator,
    side: SideAvailability,
    doubtful: np.ndarray,
    u: np.ndarray,
    plan_reasons: list[str | None],
    reports: GameReports,
) -> None:
    """Each listed player's status on every report and his reason (news breaks in the news report; a
    questionable player's status sometimes settles in the last pre-game report)."""
    news_inj = side.injured & side.starts & (u[:, 6] < 0.5)
    rest_news = side.rest & (u[:, 6] < 0.55)
    q_final_change = u[:, 7] < 0.25
    count, news_r, final_r = reports.count, reports.news, reports.final
    for i in range(len(plan_reasons)):
        if side.injured[i]:
            side.reasons[i] = plan_reasons[i]
            if doubtful[i]:
                seq = [DOUBTFUL] * count
            elif news_inj[i]:
                seq = [QUESTIONABLE if r < news_r else OUT for r in range(count)]
            else:
                seq = [OUT] * count
        elif side.code[i] in (NOT_WITH_TEAM, G_LEAGUE):
            side.reasons[i] = plan_reasons[i]
            seq = [OUT] * count
        elif side.rest[i]:
            side.reasons[i] = "Rest"
            seq = [(OUT if (not rest_news[i] or r >= news_r) else None) for r in range(count)]
        elif side.questionable[i]:
            side.reasons[i] = minor_reason(rng)
            seq = [QUESTIONABLE] * count
            if q_final_change[i] and final_r > 0:
                for r in range(final_r, count):
                    seq[r] = AVAILABLE if side.questionable_plays[i] else OUT
        elif side.probable[i]:
            side.reasons[i] = minor_reason(rng)
            seq = [PROBABLE] * count
        else:
            continue
        side.statuses[i] = seq


# --- what happened, and the reports that said so ----------------------------------------------------


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
class InjuryReport:
    published_utc: dt.datetime
    name: str
    rows: tuple[fmt.InjuryRow, ...]

    @property
    def csv(self) -> str:
        return fmt.injury_report_csv(list(self.rows))


def make_reports(
    day: dt.date, times: list[dt.datetime], games: list[SimGame], availability: dict[str, list[PlayerAvailability]]
) -> list[InjuryReport]:
    """The day's reports in publication order: per game, away team then home team, players by family name."""
    out = []
    for r, at in enumerate(times):
        rows = []
        for g in games:
            tip_et = g.tipoff_utc.astimezone(ET)
            matchup = f"{g.away}@{g.home}"
            by_team: dict[str, list[fmt.InjuryRow]] = {g.away: [], g.home: []}
            for a in availability[g.game_id]:
                status = a.report_statuses[r] if r < len(a.report_statuses) else None
                if status is None:
                    continue
                by_team[a.team].append(
                    fmt.InjuryRow(day, f"{tip_et:%I:%M} (ET)", matchup, a.team, a.name, status, a.reason or "")
                )
            for team in (g.away, g.home):
                rows.extend(sorted(by_team[team], key=lambda x: (x.player_name.split(" ", 1)[-1], x.player_name)))
        out.append(InjuryReport(at, fmt.injury_report_name(at.astimezone(ET)), tuple(rows)))
    return out
