"""What the books know: running averages of the box scores so far, and the fair pre-game estimates
they hang player lines around under each state of the day's injury reports."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nba_pipeline.sources.simulated.context import GameContext, SeasonModel, TeamSide
from nba_pipeline.sources.simulated.injuries import DOUBTFUL, OUT, QUESTIONABLE, SideAvailability
from nba_pipeline.sources.simulated.rosters import N_TEAMS, TRICODES, Identity, SeasonRosters
from nba_pipeline.sources.simulated.usage import USAGE_ELASTICITY, allocate

PROP_MIN_MINUTES = 14.0  # the books list a player expected to play at least this much
PROPS_PER_TEAM = 10


@dataclass(frozen=True)
class PropEstimate:
    """The books' fair pre-game estimate for one player under one state of knowledge."""

    person_id: int
    name: str
    team: str
    expected_minutes: float
    expected_points: float


# One state of knowledge for one team: line-eligible players' estimates and the team's expected points.
TeamState = tuple[dict[int, PropEstimate], float]


class BookKnowledge:
    """The books' running knowledge of every player: exponentially weighted points and minutes when he
    played, minutes per available game, and a prior scoring rate from his team's offence."""

    def __init__(self, rosters: SeasonRosters, n: int):
        self.points = np.zeros(n)
        self.minutes = np.zeros(n)
        self.available_minutes = np.zeros(n)
        self.available_games = np.zeros(n)
        self.prior_ppm = np.zeros(n)
        for t in range(N_TEAMS):
            self.prior_ppm[rosters.rosters_idx[t]] = rosters.ppm[rosters.rosters_idx[t]] * rosters.off_f[t]

    def states(
        self, model: SeasonModel, game: GameContext, side: TeamSide, availability: SideAvailability
    ) -> list[TeamState]:
        """The side's estimates before the day's first report, then after each report."""
        P = model.rosters.rosters_idx[side.team]
        mhat = (self.available_minutes[P] + 2 * model.rosters.tmin[P]) / (self.available_games[P] + 2)
        ppm_hat = (self.points[P] + 100 * self.prior_ppm[P]) / (self.minutes[P] + 100)
        book_ctx = game.pace / 100 * model.rosters.def_f[side.opponent] * side.home_factor * side.rest_factor
        q_full = float((ppm_hat * allocate(mhat, 240.0, 42.0)).sum())
        people = [model.base.ids[p] for p in P]
        # Reports often leave the picture unchanged: each distinct (out, questionable) state is priced once.
        cache: dict[bytes, TeamState] = {}
        states = []
        for r in range(-1, game.reports.count):
            if r < 0:
                out = availability.known_before_reports.copy()
                qmask = np.zeros(len(P), dtype=bool)
            else:
                out = np.array([s[r] in (OUT, DOUBTFUL) if s[r] else False for s in availability.statuses])
                qmask = np.array([s[r] == QUESTIONABLE for s in availability.statuses])
            key = out.tobytes() + qmask.tobytes()
            if key not in cache:
                cache[key] = _estimate(mhat, ppm_hat, out, qmask, book_ctx, q_full, people, TRICODES[side.team])
            states.append(cache[key])
        return states

    def learn(
        self,
        players: np.ndarray,
        played: np.ndarray,
        coach_decision: np.ndarray,
        minutes: np.ndarray,
        points: np.ndarray,
    ) -> None:
        """Fold one team's finished game into the running averages (a coach's decision counts as an
        available game with no minutes)."""
        P = players
        available = played | coach_decision
        self.points[P[played]] = 0.93 * self.points[P[played]] + points[played]
        self.minutes[P[played]] = 0.93 * self.minutes[P[played]] + minutes[played]
        self.available_minutes[P[available]] = (
            0.75 * self.available_minutes[P[available]] + np.where(played, minutes, 0.0)[available]
        )
        self.available_games[P[available]] = 0.75 * self.available_games[P[available]] + 1


def _estimate(
    mhat: np.ndarray,
    ppm_hat: np.ndarray,
    out: np.ndarray,
    qmask: np.ndarray,
    book_ctx: float,
    q_full: float,
    people: list[Identity],
    team: str,
) -> TeamState:
    """Expected minutes and points with the ``out`` players missing and questionable ones discounted."""
    avail_i = np.flatnonzero(~out)
    wb = mhat[avail_i] * np.where(qmask[avail_i], 0.85, 1.0)
    em = np.zeros(len(mhat))
    em[avail_i] = allocate(wb, 240.0, 42.0)
    q_hat = float((ppm_hat * em).sum())
    mu = ppm_hat * em * book_ctx * ((q_full / q_hat) ** USAGE_ELASTICITY if q_hat > 0 else 1.0)
    elig = np.flatnonzero((~out) & (em >= PROP_MIN_MINUTES))
    elig = elig[np.argsort(-em[elig], kind="stable")[:PROPS_PER_TEAM]]
    props = {
        people[i].person_id: PropEstimate(
            people[i].person_id, people[i].full_name, team, round(float(em[i]), 2), round(float(mu[i]), 3)
        )
        for i in elig
    }
    return props, float(mu.sum())
