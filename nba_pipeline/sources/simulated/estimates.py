"""What the books know: running averages of the box scores so far (points, rebounds, assists, threes
made, minutes), and the fair pre-game estimates they hang player lines around under each state of the
day's injury reports."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nba_pipeline.sources.simulated.context import GameContext, SeasonModel, TeamSide
from nba_pipeline.sources.simulated.injuries import DOUBTFUL, OUT, QUESTIONABLE, SideAvailability
from nba_pipeline.sources.simulated.rosters import N_TEAMS, TRICODES, BaseLeague, Identity, SeasonRosters
from nba_pipeline.sources.simulated.usage import USAGE_ELASTICITY, allocate

PROP_MIN_MINUTES = 14.0  # the books list a player expected to play at least this much
PROPS_PER_TEAM = 10
PRIOR_MINUTES = 100.0  # the prior rates weigh as much as this many minutes of play


@dataclass(frozen=True)
class PropEstimate:
    """The books' fair pre-game estimate for one player under one state of knowledge."""

    person_id: int
    name: str
    team: str
    expected_minutes: float
    expected_points: float
    expected_rebounds: float
    expected_assists: float
    expected_threes: float


# One state of knowledge for one team: line-eligible players' estimates and the team's expected points.
TeamState = tuple[dict[int, PropEstimate], float]


class BookKnowledge:
    """The books' running knowledge of every player: exponentially weighted points, rebounds, assists,
    threes made and minutes when he played, minutes per available game, and prior per-minute rates
    (scoring from his team's offence, boards and assists from his own, threes from his shot profile)."""

    def __init__(self, base: BaseLeague, rosters: SeasonRosters):
        n = base.n
        self.points = np.zeros(n)
        self.rebounds = np.zeros(n)
        self.assists = np.zeros(n)
        self.threes = np.zeros(n)
        self.minutes = np.zeros(n)
        self.available_minutes = np.zeros(n)
        self.available_games = np.zeros(n)
        self.prior_ppm = np.zeros(n)
        for t in range(N_TEAMS):
            self.prior_ppm[rosters.rosters_idx[t]] = rosters.ppm[rosters.rosters_idx[t]] * rosters.off_f[t]
        self.prior_rpm = base.reb.copy()
        self.prior_apm = base.ast.copy()
        # Threes are a fixed share of a player's points: threes made per field-goal attempt over points
        # per attempt (boxscores.shots draws attempts from expected points with this profile).
        points_per_fga = (1 - base.r3) * 2 * base.p2 + base.r3 * 3 * base.p3 + base.ftr * base.pft
        self.prior_tpm = self.prior_ppm * base.r3 * base.p3 / points_per_fga

    def _rate(self, totals: np.ndarray, prior: np.ndarray, P: np.ndarray) -> np.ndarray:
        """Per-minute rate: the weighted totals over the weighted minutes, shrunk toward the prior."""
        return (totals[P] + PRIOR_MINUTES * prior[P]) / (self.minutes[P] + PRIOR_MINUTES)

    def states(
        self, model: SeasonModel, game: GameContext, side: TeamSide, availability: SideAvailability
    ) -> list[TeamState]:
        """The side's estimates before the day's first report, then after each report."""
        P = model.rosters.rosters_idx[side.team]
        mhat = (self.available_minutes[P] + 2 * model.rosters.tmin[P]) / (self.available_games[P] + 2)
        ppm_hat = self._rate(self.points, self.prior_ppm, P)
        rates = _Rates(
            ppm_hat,
            self._rate(self.rebounds, self.prior_rpm, P),
            self._rate(self.assists, self.prior_apm, P),
            self._rate(self.threes, self.prior_tpm, P),
        )
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
                cache[key] = _estimate(mhat, rates, out, qmask, book_ctx, q_full, people, TRICODES[side.team])
            states.append(cache[key])
        return states

    def learn(
        self,
        players: np.ndarray,
        played: np.ndarray,
        coach_decision: np.ndarray,
        minutes: np.ndarray,
        points: np.ndarray,
        rebounds: np.ndarray,
        assists: np.ndarray,
        threes: np.ndarray,
    ) -> None:
        """Fold one team's finished game into the running averages (a coach's decision counts as an
        available game with no minutes)."""
        P = players
        available = played | coach_decision
        for totals, stat in (
            (self.points, points),
            (self.rebounds, rebounds),
            (self.assists, assists),
            (self.threes, threes),
            (self.minutes, minutes),
        ):
            totals[P[played]] = 0.93 * totals[P[played]] + stat[played]
        self.available_minutes[P[available]] = (
            0.75 * self.available_minutes[P[available]] + np.where(played, minutes, 0.0)[available]
        )
        self.available_games[P[available]] = 0.75 * self.available_games[P[available]] + 1


@dataclass(frozen=True)
class _Rates:
    """The books' per-minute rates of one team's players (roster order)."""

    points: np.ndarray
    rebounds: np.ndarray
    assists: np.ndarray
    threes: np.ndarray


def _estimate(
    mhat: np.ndarray,
    rates: _Rates,
    out: np.ndarray,
    qmask: np.ndarray,
    book_ctx: float,
    q_full: float,
    people: list[Identity],
    team: str,
) -> TeamState:
    """Expected minutes, points, rebounds, assists and threes with the ``out`` players missing and
    questionable ones discounted."""
    ppm_hat = rates.points
    avail_i = np.flatnonzero(~out)
    wb = mhat[avail_i] * np.where(qmask[avail_i], 0.85, 1.0)
    em = np.zeros(len(mhat))
    em[avail_i] = allocate(wb, 240.0, 42.0)
    q_hat = float((ppm_hat * em).sum())
    usage = (q_full / q_hat) ** USAGE_ELASTICITY if q_hat > 0 else 1.0
    mu = ppm_hat * em * book_ctx * usage
    # Threes come out of the same shots as points, so they take the same pace, defence, home, rest and
    # usage context; the simulated boards and assists follow minutes alone (boxscores.shots).
    threes = rates.threes * em * book_ctx * usage
    rebounds = rates.rebounds * em
    assists = rates.assists * em
    elig = np.flatnonzero((~out) & (em >= PROP_MIN_MINUTES))
    elig = elig[np.argsort(-em[elig], kind="stable")[:PROPS_PER_TEAM]]
    props = {
        people[i].person_id: PropEstimate(
            people[i].person_id,
            people[i].full_name,
            team,
            round(float(em[i]), 2),
            round(float(mu[i]), 3),
            round(float(rebounds[i]), 3),
            round(float(assists[i]), 3),
            round(float(threes[i]), 3),
        )
        for i in elig
    }
    return props, float(mu.sum())
