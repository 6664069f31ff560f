"""Box scores of the simulated games: who plays, for how long, what each player scores, and the lines.

Points are driven by skill (points per minute, drifting through the season), minutes, the opponent's
defence, pace, rest and home court; a team's field-goal attempts are shared, so teammates' shots
compete and missing scorers' shots go to the players on the floor. About 39% of the rostered rows are
DNPs, each with the comment stats.nba.com writes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nba_pipeline.sources import formats as fmt
from nba_pipeline.sources.simulated.context import GameContext, SeasonModel, TeamSide
from nba_pipeline.sources.simulated.injuries import (
    G_LEAGUE,
    INJURED,
    NOT_WITH_TEAM,
    PlayerAvailability,
    SideAvailability,
    draw_availability,
    rest_probability,
)
from nba_pipeline.sources.simulated.rosters import BENCH, DEEP, TRICODES, BaseLeague
from nba_pipeline.sources.simulated.usage import USAGE_ELASTICITY, allocate, to_seconds

# Box-score comments, exactly as stats.nba.com writes them.
DNP_COACH = "DNP - Coach's Decision"
DNP_INJURY = "DNP - Injury/Illness"
DNP_REST = "DNP - Rest"
NWT_PERSONAL = "NWT - Personal"
DND_INJURY = "DND - Injury/Illness"

STAT_KEYS = ("pts", "fgm", "fga", "fg3m", "fg3a", "ftm", "fta", "oreb", "dreb", "ast", "stl", "blk", "tov", "pf")
_LINE_STATS = ("fgm", "fga", "fg3m", "fg3a", "ftm", "fta", "oreb", "dreb", "ast", "stl", "blk", "tov", "pf", "pts")
_STARTER_LABELS = ("G", "G", "F", "F", "C")
_STARTER_ORDER = {"F": 0, "C": 1, "G": 2}  # how stats.nba.com lists the starting five


@dataclass
class SideResult:
    """One team's game as played (arrays in roster order). Overtime and a late tying shot change it
    after the regulation draw, so it is mutable until the box score is written."""

    players: np.ndarray  # base-league indices
    team: int
    availability: SideAvailability
    play: np.ndarray
    coach_decision: np.ndarray  # healthy but not used (DNP - Coach's Decision)
    secs: np.ndarray
    minutes: np.ndarray
    rate: np.ndarray  # expected points per minute on the floor
    stats: dict[str, np.ndarray]
    starter_pos: list[str]
    points: int


def play_side(model: SeasonModel, game: GameContext, side: TeamSide) -> SideResult:
    """Regulation for one team: availability, lineup, minutes, points and the starting five."""
    rng, base = game.rng, model.base
    P = model.rosters.rosters_idx[side.team]
    role = base.role[P]
    rest_p = rest_probability(role, model.rosters.age0[P] >= 32, side.rest_days == 1)
    avail = draw_availability(rng, model.plan, P, side.plan_column, role, rest_p, game.reports)
    w0 = np.maximum(model.rosters.tmin[P] + model.minutes_drift[game.day, P], 1.0)
    play, cd = _lineup(rng, avail, role, base.two_way[P], w0)
    secs, mins = _minutes(rng, avail, play, w0)
    rate = _scoring_rate(model, game, side, mins)
    form = np.exp(rng.normal(0, 0.16, len(P)))
    stats = shots(rng, base, P, rate * form * mins, mins, team_sd=0.03, mu_team=rate * mins)
    for key in STAT_KEYS:
        stats[key] = np.where(play, stats[key], 0)
    return SideResult(
        P, side.team, avail, play, cd, secs, mins, rate, stats, _starters(base, P, play, w0), int(stats["pts"].sum())
    )


def _lineup(
    rng: np.random.Generator, avail: SideAvailability, role: np.ndarray, two_way: np.ndarray, w0: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(plays, coach's decision): the deep bench mostly sits; a thin roster empties the bench."""
    candidates = avail.candidates
    cd_p = np.where(role == DEEP, np.where(two_way, 0.9, 0.82), np.where(role == BENCH, 0.28, 0.0))
    cd = candidates & ~avail.probable & ~avail.questionable & (rng.random(len(role)) < cd_p)
    play = candidates & ~cd
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
            if not play[i] and (avail.late[i] or avail.questionable[i] or avail.probable[i]):
                play[i] = True
    return play, cd


def _minutes(
    rng: np.random.Generator, avail: SideAvailability, play: np.ndarray, w0: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(seconds, minutes) per player: 240 minutes shared by expected role, less for the banged-up."""
    n = len(play)
    w = w0 * np.where(avail.questionable_plays | avail.doubtful_plays, 0.88, 1.0) * np.exp(rng.normal(0, 0.12, n))
    w = w * np.where(rng.random(n) < 0.05, 0.7, 1.0)
    mins = np.zeros(n)
    mins[play] = allocate(w[play], 240.0, 44.0)
    secs = np.zeros(n, dtype=int)
    secs[play] = to_seconds(mins[play], 240 * 60)
    return secs, secs / 60.0


def _scoring_rate(model: SeasonModel, game: GameContext, side: TeamSide, mins: np.ndarray) -> np.ndarray:
    """Expected points per minute of each player in this game."""
    r, P = model.rosters, model.rosters.rosters_idx[side.team]
    pace_g = game.pace * math.exp(game.rng.normal(0, 0.025))
    ctx = pace_g / 100 * r.def_f[side.opponent] * side.home_factor * side.rest_factor * r.off_f[side.team]
    natural = r.ppm[P] * np.exp(model.drift[game.day, P])
    output = float((natural * mins).sum())
    # Usage: the team's output depends only partly on who plays; missing scorers' shots go to the
    # players on the floor.
    usage = (r.q_ref[side.team] / output) ** USAGE_ELASTICITY if output > 0 else 1.0
    return natural * ctx * usage


def _starters(base: BaseLeague, P: np.ndarray, play: np.ndarray, w0: np.ndarray) -> list[str]:
    """Starters: the five biggest expected roles among those who play, labelled G, G, F, F, C."""
    playing = np.flatnonzero(play)
    top5 = playing[np.argsort(-w0[playing], kind="stable")[:5]]
    top5 = top5[np.lexsort((-w0[top5], base.pos[P[top5]]))]
    starter_pos = [""] * len(P)
    for label, i in zip(_STARTER_LABELS, top5):
        starter_pos[i] = label
    return starter_pos


def shots(
    rng: np.random.Generator,
    base: BaseLeague,
    P: np.ndarray,
    mu: np.ndarray,
    mins: np.ndarray,
    team_sd: float = 0.0,
    mu_team: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Box-score stats with expected points ``mu``. The team's field-goal attempts are one number
    (possessions are shared) split among the players, so teammates' shots compete."""
    r3, ftr, p2, p3, pft = base.r3[P], base.ftr[P], base.p2[P], base.p3[P], base.pft[P]
    ppfga = (1 - r3) * 2 * p2 + r3 * 3 * p3 + ftr * pft
    lam = np.maximum(mu, 0) / ppfga
    if team_sd > 0 and lam.sum() > 0:
        expected = np.maximum(mu_team, 0) / ppfga if mu_team is not None else lam
        total = int(round(expected.sum() * math.exp(rng.normal(0, team_sd))))
        fga = rng.multinomial(total, lam / lam.sum())
    else:
        fga = rng.poisson(lam)
    fg3a = rng.binomial(fga, r3)
    fta = rng.poisson(ftr * np.maximum(mu, 0) / ppfga)
    fg3m = rng.binomial(fg3a, p3)
    fg2m = rng.binomial(fga - fg3a, p2)
    ftm = rng.binomial(fta, pft)
    reb = rng.poisson(base.reb[P] * mins)
    oreb = rng.binomial(reb, 0.23)
    return dict(
        fga=fga,
        fg3a=fg3a,
        fta=fta,
        fg3m=fg3m,
        fgm=fg2m + fg3m,
        ftm=ftm,
        pts=2 * fg2m + 3 * fg3m + ftm,
        oreb=oreb,
        dreb=reb - oreb,
        ast=rng.poisson(base.ast[P] * mins),
        stl=rng.poisson(0.032 * mins),
        blk=rng.poisson(base.blk[P] * mins),
        tov=rng.poisson(base.tov[P] * mins),
        pf=np.minimum(rng.poisson(0.085 * mins), 6),
    )


def tying_shot(s: SideResult, points: int) -> None:
    """The side's top scorer makes a ``points``-point shot (a free throw for one)."""
    st = s.stats
    i = int(np.argmax(np.where(s.play, st["pts"], -1)))
    if points == 1:
        st["ftm"][i] += 1
        st["fta"][i] += 1
    else:
        st["fgm"][i] += 1
        st["fga"][i] += 1
        if points == 3:
            st["fg3m"][i] += 1
            st["fg3a"][i] += 1
    st["pts"][i] += points
    s.points += points


def overtime(rng: np.random.Generator, base: BaseLeague, s: SideResult) -> None:
    """Five more minutes for the five players with the most minutes (all of them if fewer)."""
    play = np.flatnonzero(s.play)
    five = play[np.argsort(-s.minutes[play], kind="stable")[:5]]
    extra = np.zeros(len(s.players))
    extra[five] = 25.0 / len(five)
    add = shots(rng, base, s.players, s.rate * extra, extra)
    mask = extra > 0
    for key, v in add.items():
        if key == "pf":
            s.stats[key] = np.minimum(s.stats[key] + np.where(mask, v, 0), 6)
        else:
            s.stats[key] = s.stats[key] + np.where(mask, v, 0)
    s.secs = s.secs + np.round(extra * 60).astype(int)
    s.minutes = s.secs / 60.0
    s.points = int(s.stats["pts"].sum())


def box_lines(
    rng: np.random.Generator, base: BaseLeague, s: SideResult, margin: int, periods: int
) -> tuple[list[fmt.PlayerLine], list[PlayerAvailability]]:
    """The side's box-score lines in stats.nba.com order (starters, bench by minutes, DNPs) and why
    each player did or did not play."""
    pm = _plus_minus(rng, s, margin, periods).tolist()
    team = TRICODES[s.team]
    avail = s.availability
    # Plain lists: a season writes 43,000 lines, and indexing numpy arrays one scalar at a time is slow.
    play, secs = s.play.tolist(), s.secs.tolist()
    stats = {k: s.stats[k].tolist() for k in _LINE_STATS}
    comments = _comments(s)
    lines, out = [], []
    for i, p in enumerate(s.players.tolist()):
        ident, played, comment = base.ids[p], play[i], comments[i]
        lines.append(
            fmt.PlayerLine(
                person_id=ident.person_id,
                first_name=ident.first_name,
                family_name=ident.family_name,
                team=team,
                minutes=float(secs[i]) / 60.0 if played else None,
                jersey=base.jersey[p],
                starter_position=s.starter_pos[i] if played else "",
                comment=comment,
                plus_minus=float(pm[i]) if played else 0.0,
                **({k: int(stats[k][i]) for k in _LINE_STATS} if played else {}),
            )
        )
        listed = any(x is not None for x in avail.statuses[i])
        out.append(
            PlayerAvailability(
                person_id=ident.person_id,
                name=ident.full_name,
                team=team,
                played=played,
                comment=comment,
                reason=avail.reasons[i] if listed else None,
                report_statuses=tuple(avail.statuses[i]),
                late_scratch=(not played) and (not listed) and comment == DNP_INJURY,
            )
        )
    starters = sorted(
        (ln for ln in lines if ln.starter_position),
        key=lambda ln: (_STARTER_ORDER[ln.starter_position], -(ln.minutes or 0)),
    )
    bench = sorted((ln for ln in lines if ln.played and not ln.starter_position), key=lambda ln: -(ln.minutes or 0))
    dnp = [ln for ln in lines if not ln.played]
    return starters + bench + dnp, out


def _plus_minus(rng: np.random.Generator, s: SideResult, margin: int, periods: int) -> np.ndarray:
    """The margin while each player was on the floor; the five on the floor at any time make the
    team's total exactly five times the margin."""
    total_min = 48 + 5 * (periods - 4)
    share = s.minutes / total_min
    raw = margin * share + rng.normal(0, 4, len(s.players)) * np.sqrt(share)
    raw = np.where(s.play, raw, 0.0)
    raw -= (raw.sum() - 5 * margin) * s.minutes / max(s.minutes.sum(), 1e-9)
    pm = np.floor(raw)
    short = int(5 * margin - pm.sum())
    if short > 0:
        pm[np.argsort(-(raw - pm) + np.where(s.play, 0, 10), kind="stable")[:short]] += 1
    return pm


def _comments(s: SideResult) -> list[str]:
    """Each player's box-score comment ("" when he played)."""
    a = s.availability
    return [
        _comment(*flags)
        for flags in zip(s.play.tolist(), s.coach_decision.tolist(), a.code.tolist(), a.dnd.tolist(), a.rest.tolist())
    ]


def _comment(played: bool, coach_decision: bool, code: int, dnd: bool, rest: bool) -> str:
    if played:
        return ""
    if coach_decision:
        return DNP_COACH
    if code == INJURED:
        return DND_INJURY if dnd else DNP_INJURY
    if code == NOT_WITH_TEAM:
        return NWT_PERSONAL
    if code == G_LEAGUE:
        return DNP_COACH
    if rest:
        return DNP_REST
    return DNP_INJURY  # late scratch, questionable/probable who sat
