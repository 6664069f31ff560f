"""The simulated season played game by game, in date order: both sides, late-game drama, overtime,
final scores, records and rest, and what each game leaves behind (box scores, availability, and the
books' estimates under each state of the day's injury reports)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from nba_pipeline.partitions import season_opener
from nba_pipeline.sources import formats as fmt
from nba_pipeline.sources.simulated.boxscores import SideResult, box_lines, overtime, play_side, tying_shot
from nba_pipeline.sources.simulated.context import GameContext, SeasonModel, TeamSide
from nba_pipeline.sources.simulated.estimates import BookKnowledge, PropEstimate
from nba_pipeline.sources.simulated.injuries import GameReports, PlayerAvailability, make_plan, report_times
from nba_pipeline.sources.simulated.randomness import seeded_rng
from nba_pipeline.sources.simulated.rosters import N_TEAMS, TEAM_INDEX, BaseLeague, SeasonRosters
from nba_pipeline.sources.simulated.schedule import OT_DURATION, SimGame, season_last_day

MAX_PERIODS = 8  # practically never reached: the home team then settles it at the line


@dataclass
class GameInfo:
    """What one played game leaves behind (the truth behind box scores, reports and lines)."""

    home_lines: list[fmt.PlayerLine]
    away_lines: list[fmt.PlayerLine]
    availability: list[PlayerAvailability]
    # Knowledge states: index 0 = before the first report, i+1 = after report i.
    states: list[tuple[dict[int, PropEstimate], float, float]]  # (eligible props, E[home pts], E[away pts])
    roster_pids: list[int]  # home roster then away roster (fixes the order of per-player odds draws)


class _Standings:
    """Each team's games played, latest game date and record so far."""

    def __init__(self) -> None:
        self.played = np.zeros(N_TEAMS, dtype=int)
        self.last: list[dt.date | None] = [None] * N_TEAMS
        self.wins = np.zeros(N_TEAMS, dtype=int)
        self.losses = np.zeros(N_TEAMS, dtype=int)

    def rest_days(self, team: int, day: dt.date) -> int | None:
        last = self.last[team]
        return None if last is None else (day - last).days

    def record(self, team: int) -> tuple[int, int]:
        return int(self.wins[team]), int(self.losses[team])

    def finish(self, g: SimGame, home: int, away: int) -> None:
        winner, loser = (home, away) if g.home_score > g.away_score else (away, home)
        self.wins[winner] += 1
        self.losses[loser] += 1
        for t in (home, away):
            self.played[t] += 1
            self.last[t] = g.game_date


def _drift(seed: int, year: int, n_days: int, n_players: int) -> tuple[np.ndarray, np.ndarray]:
    """Slow ability drift (log points per minute) and minutes drift: AR(1) random walks by day."""
    rng = seeded_rng(seed, year, "form")
    drift = np.zeros((n_days, n_players))
    mdrift = np.zeros((n_days, n_players))
    e1 = rng.normal(0, 0.016, (n_days, n_players))
    e2 = rng.normal(0, 0.45, (n_days, n_players))
    for d in range(1, n_days):
        drift[d] = 0.99 * drift[d - 1] + e1[d]
        mdrift[d] = 0.98 * mdrift[d - 1] + e2[d]
    return drift, mdrift


def play_season(
    seed: int, year: int, base: BaseLeague, rosters: SeasonRosters, games: list[SimGame]
) -> dict[str, GameInfo]:
    """Play every game of the season in order, setting each ``SimGame``'s result fields, and return
    what each game left behind."""
    opener, last_day = season_opener(year), season_last_day(year)
    drift, mdrift = _drift(seed, year, (last_day - opener).days + 2, base.n)
    model = SeasonModel(
        seed,
        year,
        opener,
        base,
        rosters,
        make_plan(seed, year, base),
        drift,
        mdrift,
        np.array([x.person_id for x in base.ids]),
    )
    knowledge = BookKnowledge(base, rosters)
    standings = _Standings()
    by_date: dict[dt.date, list[SimGame]] = {}
    for g in games:
        by_date.setdefault(g.game_date, []).append(g)
    info = {}
    for g in games:
        times = report_times(g.game_date, by_date[g.game_date])
        info[g.game_id] = _play_game(model, knowledge, standings, g, times)
    return info


def _play_game(
    model: SeasonModel, knowledge: BookKnowledge, standings: _Standings, g: SimGame, times: list[dt.datetime]
) -> GameInfo:
    """One game: both sides' regulation, the finish, the box scores; then the books learn from it."""
    hi, ai = TEAM_INDEX[g.home], TEAM_INDEX[g.away]
    g.home_rest_days, g.away_rest_days = standings.rest_days(hi, g.game_date), standings.rest_days(ai, g.game_date)
    g.home_record_before, g.away_record_before = standings.record(hi), standings.record(ai)
    pace = model.rosters.pace
    ctx = GameContext(
        g,
        seeded_rng(model.seed, model.year, "game", g.index),
        GameReports.of(times, g.tipoff_utc),
        (pace[hi] + pace[ai]) / 2,
        (g.game_date - model.opener).days,
    )
    teams = (
        TeamSide(hi, ai, True, g.home_rest_days, int(standings.played[hi])),
        TeamSide(ai, hi, False, g.away_rest_days, int(standings.played[ai])),
    )
    sides = [play_side(model, ctx, side) for side in teams]
    # The books price the game from what they knew before it; they learn from it only at the end.
    states = [knowledge.states(model, ctx, side, s.availability) for side, s in zip(teams, sides)]
    _finish(ctx.rng, model.base, g, sides)
    standings.finish(g, hi, ai)
    lines = []
    avail: list[PlayerAvailability] = []
    for s, margin in zip(sides, (g.home_score - g.away_score, g.away_score - g.home_score)):
        ls, av = box_lines(ctx.rng, model.base, s, margin, g.periods)
        lines.append(ls)
        avail.extend(av)
    # Knowledge states -> prop estimates, combined over both teams.
    combined = []
    for home, away in zip(*states):
        props: dict[int, PropEstimate] = {}
        props.update(home[0])
        props.update(away[0])
        combined.append((props, home[1], away[1]))
    roster_pids = [
        int(x) for x in np.concatenate([model.person_ids[sides[0].players], model.person_ids[sides[1].players]])
    ]
    for s in sides:
        st = s.stats
        knowledge.learn(
            s.players, s.play, s.coach_decision, s.minutes, st["pts"], st["oreb"] + st["dreb"], st["ast"], st["fg3m"]
        )
    return GameInfo(lines[0], lines[1], avail, combined, roster_pids)


def _finish(rng: np.random.Generator, base: BaseLeague, g: SimGame, sides: list[SideResult]) -> None:
    """Late-game drama and overtime, then the final score, periods and end time on ``g``."""
    home, away = sides
    # A close game is sometimes tied by the trailing team's best scorer.
    diff = home.points - away.points
    if 1 <= abs(diff) <= 3 and rng.random() < 0.3:
        tying_shot(away if diff > 0 else home, abs(diff))
    # Overtime: tied after regulation (or after an OT) -> another five minutes.
    periods = 4
    while home.points == away.points:
        if periods == MAX_PERIODS:
            tying_shot(home, 1)
            break
        periods += 1
        for s in sides:
            overtime(rng, base, s)
    g.periods = periods
    g.end_utc = g.end_utc + OT_DURATION * (periods - 4)
    g.home_score, g.away_score = int(home.points), int(away.points)
