"""Replay a folder of real NBA files date by date, "as if scraping that day".

The folder has the layout of ``../shared/data/real`` (see its README)::

    schedule/schedule_<season>.csv                       one row per game, final scores
    schedule/team_game_logs_<season>.csv                 one row per team per game (team box totals)
    box_scores/player_game_logs_<season>.csv             one row per player per game played
    box_scores/player_game_logs_<season>_with_inferred_dnp.csv   + inferred DNP rows (dnp == True)
    props/odds_api_player_points_<season>.csv            The Odds API player_points, one row per
                                                         snapshot x event x player x bookmaker x line
    api_payloads/nba_injury_report/Injury-Report_<date>_<HH>_<MM><AM|PM>.pdf (and/or .csv)

Every payload is built with :mod:`nba_pipeline.sources.formats`, so it has exactly the services'
shapes and Phase 2 parses it like a live one. What the folder cannot say is approximated, and never
beyond what was knowable at ``as_of``:

* Tip-off: the props file's ``game_time`` (The Odds API commence time, UTC) for the game when the
  file covers it (2025-26), else 19:30 ET on the game date (2024-25 has no tip times).
* A game is final (status 3, with its scores) from tip-off + 2h30m, in progress (status 2, period
  estimated from the elapsed time, scores 0: live scores are unknown) from tip-off, else scheduled
  (status 1, scores 0). Game logs and box scores appear only for final games.
* ``wins``/``losses``: the team's regular-season (``002`` game id) record over games final both
  before this game's tip-off and at ``as_of``. Preseason games therefore show 0-0 and playoff games
  the final regular-season record.
* Periods: from the team minutes (``minutes_team``/``MIN``: 240 -> 4, 265 -> 5, 290 -> 6); 4 when the
  season's files have no minutes (2025-26).
* Games against non-NBA clubs (preseason exhibitions, All-Star games) are dropped everywhere.
* The 2024-25 schedule file misses a few games the team logs hold (NBA Cup knockout games, games
  abroad, some preseason games); they are added from the team logs.
* Box scores: only games with team totals in the team logs for both teams (2024-25) and at least one
  player row (the player files cover the 2024-25 regular season only: a box score without players is
  nothing the service returns). Team totals are the team log's; players are the played rows plus the
  inferred DNP rows (comment ``DNP - Inferred (absent from box score)``, no minutes). The files hold
  rotation players only, so players do not sum to the team totals. Games without team logs (2025-26)
  get no box score: downstream reconstructs team totals from the players.
* Odds: one payload per snapshot file x event, wrapped in the historical endpoint's envelope; the
  event belongs to the ET date of its commence time; snapshots after ``as_of`` are withheld. The
  books' ``last_update`` is the snapshot instant (the file does not record it).
* Injury reports: the NBA's PDF as is when the folder holds it (what the live source serves), else
  the CSV parsed from it, returned as the file's text (columns gameDate, team, player, status, reason,
  page). The folder's CSVs were made by the legacy parser, which wrote the report's date as every
  row's ``gameDate`` and lost or misplaced some wrapped reason lines; the PDFs are the reference.
* Team rosters and game lines (spreads/totals): the folder has no such data; both return ``[]``.

The CSVs are loaded once per folder (a module-level cache keyed by the resolved path).
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pandas as pd

from nba_pipeline.domain.teams import is_nba_team, normalize_tricode, team_by_name
from nba_pipeline.partitions import season_label, season_year
from nba_pipeline.sources import formats
from nba_pipeline.sources.base import (
    BOXSCORE_TRADITIONAL,
    INJURY_REPORT,
    ODDS_PLAYER_POINTS,
    PLAYER_GAME_LOG,
    SCHEDULE,
    NbaSource,
    Payload,
    SourcePermanentError,
)
from nba_pipeline.sources.formats import BookQuotes, PlayerLine, PropQuote, ScheduleGame

ET = ZoneInfo("America/New_York")
UTC = dt.timezone.utc

DEFAULT_TIPOFF_ET = dt.time(19, 30)
FINAL_AFTER = dt.timedelta(hours=2, minutes=30)
PERIOD_WALL_CLOCK = dt.timedelta(minutes=36)  # only to label an in-progress game's period
DNP_COMMENT = "DNP - Inferred (absent from box score)"

URL_SCHEDULE = "https://cdn.nba.com/static/json/staticData/scheduleLeagueV2.json"
URL_STATS = "https://stats.nba.com/stats"
URL_INJURY = "https://ak-static.cms.nba.com/referee/injury"
URL_ODDS = "https://api.the-odds-api.com/v4/historical/sports/basketball_nba/events"

_SNAPSHOT_FILE = re.compile(r"raw_(\d{8})_(\d{6})")
_INJURY_FILE = re.compile(r"^Injury-Report_(\d{4}-\d{2}-\d{2})_(\d{1,2})(?:_(\d{2}))?(AM|PM)$")


# --- the loaded folder -------------------------------------------------------------------------

@dataclass(frozen=True)
class _Game:
    game_id: str
    game_date: dt.date
    home: str
    away: str
    home_score: int
    away_score: int
    periods: int | None
    tipoff_utc: dt.datetime

    @property
    def final_at(self) -> dt.datetime:
        return self.tipoff_utc + FINAL_AFTER

    @property
    def season_year(self) -> int:
        return season_year(self.game_date)

    @property
    def season_type(self) -> str:
        return formats.season_type_of_game_id(self.game_id)

    @property
    def is_regular_season(self) -> bool:
        return self.game_id.startswith("002")


@dataclass(frozen=True)
class _OddsEvent:
    snapshot_at: dt.datetime
    event_id: str
    commence_utc: dt.datetime
    home: str
    away: str
    books: tuple[tuple[str, tuple[PropQuote, ...]], ...]
    rows: int  # CSV rows kept (after skipping rows without a line or odds)


@dataclass
class _Data:
    games_by_date: dict[dt.date, list[_Game]] = field(default_factory=dict)
    # (season_year, tricode) -> sorted final instants (epoch s) of regular-season games, cumulative wins
    records: dict[tuple[int, str], tuple[list[float], list[int]]] = field(default_factory=dict)
    played_by_game: dict[str, list[PlayerLine]] = field(default_factory=dict)
    dnp_by_game: dict[str, list[PlayerLine]] = field(default_factory=dict)
    team_totals: dict[str, dict[str, dict]] = field(default_factory=dict)  # game_id -> tricode -> totals
    odds_by_date: dict[dt.date, list[_OddsEvent]] = field(default_factory=dict)
    injury_by_date: dict[dt.date, list[tuple[dt.datetime, Path]]] = field(default_factory=dict)


_CACHE: dict[Path, _Data] = {}
_LOCK = threading.Lock()


def clear_cache() -> None:
    """Forget every loaded folder (the next call reloads from disk)."""
    with _LOCK:
        _CACHE.clear()


def _data(root: str) -> _Data:
    path = Path(root).expanduser().resolve()
    with _LOCK:
        data = _CACHE.get(path)
        if data is None:
            if not path.is_dir():
                raise HistoricalDataError(f"historical source: the folder {path} does not exist (set "
                                          f"NBA_PIPELINE_HISTORICAL_DIR or --historical-dir to a folder in the "
                                          f"layout of ../shared/data/real)")
            data = _load(path)
            _CACHE[path] = data
        return data


def _periods(minutes) -> int | None:
    if minutes is None or pd.isna(minutes):
        return None
    return 4 + max(0, int(round((float(minutes) - 240) / 25)))


def _default_tipoff(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, DEFAULT_TIPOFF_ET, ET).astimezone(UTC)


def _split_name(name: str) -> tuple[str, str]:
    first, _, family = str(name).strip().partition(" ")
    return first, family


def _matchup_teams(matchup: str) -> tuple[str, str]:
    """(home, away) from "AWY @ HOM" or "HOM vs. AWY"."""
    text = str(matchup).strip()
    if " @ " in text:
        away, _, home = text.partition(" @ ")
    elif " vs. " in text:
        home, _, away = text.partition(" vs. ")
    else:
        raise ValueError(f"unrecognised matchup {matchup!r}")
    return home.strip(), away.strip()


def _i(value) -> int:
    return 0 if value is None or pd.isna(value) else int(round(float(value)))


def _ints(values: pd.Series) -> list[int]:
    """``_i`` of a whole column."""
    return pd.to_numeric(values, errors="coerce").fillna(0).astype(float).round().astype(int).tolist()


# Team-log CSV column -> team_totals field.
_TEAM_STAT_COLUMNS = {"FGM": "fgm", "FGA": "fga", "FG3M": "fg3m", "FG3A": "fg3a", "FTM": "ftm", "FTA": "fta",
                      "OREB": "oreb", "DREB": "dreb", "AST": "ast", "STL": "stl", "BLK": "blk", "TOV": "tov",
                      "PF": "pf", "PTS": "pts"}
# Box-score CSV column -> PlayerLine field.
_BOX_STAT_COLUMNS = {"fgm": "fgm", "fga": "fga", "threes_made": "fg3m", "threes_attempted": "fg3a", "ftm": "ftm",
                     "fta": "fta", "oreb": "oreb", "dreb": "dreb", "ast": "ast", "stl": "stl", "blk": "blk",
                     "tov": "tov", "pf": "pf", "pts": "pts"}


# What each file kind must hold: required columns and the columns that must be numbers where set. A
# file that breaks this is a permanent error naming file, line and field (a corrupt export is not
# fixed by retrying).
_CSV_SCHEMAS = {
    "schedule": (("game_id", "game_date", "home_team", "away_team", "home_score", "away_score"),
                 ("home_score", "away_score", "minutes_team")),
    "team_game_logs": (("GAME_ID", "GAME_DATE", "TEAM_ABBREVIATION", "MATCHUP", "MIN", "PTS"),
                       ("MIN", "FGM", "FGA", "FG3M", "FG3A", "FTM", "FTA", "OREB", "DREB", "AST", "STL", "BLK",
                        "TOV", "PF", "PTS", "PLUS_MINUS")),
    "player_game_logs": (("date", "game_id", "player", "player_id", "minutes", "fgm", "fga", "threes_made",
                          "threes_attempted", "ftm", "fta", "oreb", "dreb", "ast", "stl", "blk", "tov", "pf", "pts",
                          "plus_minus"),
                         ("player_id", "minutes", "fgm", "fga", "threes_made", "threes_attempted", "ftm", "fta",
                          "oreb", "dreb", "ast", "stl", "blk", "tov", "pf", "pts", "plus_minus")),
    "inferred_dnp": (("player", "player_id", "date", "matchup", "dnp"), ("player_id",)),
    "props": (("event_id", "game", "game_time", "snapshot_file", "player", "line", "bookmaker", "over_odds",
               "under_odds"), ("line", "over_odds", "under_odds")),
}


class HistoricalDataError(SourcePermanentError):
    """A file of the historical folder that cannot be read: names the file, line and field."""


def _read_csv(path: Path, kind: str, **kwargs) -> pd.DataFrame:
    required, numeric = _CSV_SCHEMAS[kind]
    try:
        df = pd.read_csv(path, **kwargs)
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise HistoricalDataError(f"historical source: {path} cannot be read as CSV: {exc}") from None
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise HistoricalDataError(f"historical source: {path} lacks column(s) {', '.join(missing)} "
                                  f"(has {', '.join(map(str, df.columns[:12]))}...)")
    for col in (c for c in numeric if c in df.columns):
        values = df[col]
        bad = values.notna() & pd.to_numeric(values, errors="coerce").isna()
        if bad.any():
            i = int(bad.idxmax())
            raise HistoricalDataError(f"historical source: {path} line {i + 2}, field {col!r}: {values.iloc[i]!r} "
                                      f"is not a number")
    return df


def _load(root: Path) -> _Data:
    data = _Data()

    # Props first: their commence times are the tip-off times of the games they cover.
    props_files = sorted((root / "props").glob("odds_api_player_points_*.csv"))
    props_frames = [_read_csv(p, "props", dtype={"event_id": str}) for p in props_files]
    props = pd.concat(props_frames, ignore_index=True) if props_frames else pd.DataFrame()
    tipoffs: dict[tuple[dt.date, str, str], dt.datetime] = {}
    event_teams: dict[str, tuple[dt.datetime, str, str]] = {}
    if len(props):
        events = props[["event_id", "game", "game_time"]].drop_duplicates("event_id")
        for event_id, game, game_time in events.itertuples(index=False):
            away_name, _, home_name = str(game).partition(" @ ")
            home, away = team_by_name(home_name).tricode, team_by_name(away_name).tricode
            ts = pd.Timestamp(game_time)
            commence = (ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")).to_pydatetime()
            event_teams[event_id] = (commence, home, away)
            tipoffs.setdefault((commence.astimezone(ET).date(), home, away), commence)

    # Games: the schedule files, plus team-log games the schedule lacks.
    games: dict[str, _Game] = {}

    def add_game(game_id, day, home, away, home_score, away_score, minutes):
        if not (is_nba_team(home) and is_nba_team(away)):
            return  # exhibitions against non-NBA clubs, All-Star games
        home, away = normalize_tricode(home), normalize_tricode(away)
        tip = tipoffs.get((day, home, away)) or _default_tipoff(day)
        games[game_id] = _Game(game_id, day, home, away, _i(home_score), _i(away_score), _periods(minutes), tip)

    for path in sorted((root / "schedule").glob("schedule_*.csv")):
        df = _read_csv(path, "schedule", dtype={"game_id": str})
        minutes = df["minutes_team"] if "minutes_team" in df.columns else pd.Series([None] * len(df))
        for gid, day, home, away, hs, as_, mins in zip(df["game_id"], df["game_date"], df["home_team"],
                                                       df["away_team"], df["home_score"], df["away_score"], minutes):
            add_game(str(gid).zfill(10), dt.date.fromisoformat(str(day)), home, away, hs, as_, mins)

    team_log_files = sorted((root / "schedule").glob("team_game_logs_*.csv"))
    team_logs = [_read_csv(p, "team_game_logs", dtype={"GAME_ID": str}) for p in team_log_files]
    tl = pd.concat(team_logs, ignore_index=True) if team_logs else pd.DataFrame()
    if len(tl):
        tl["GAME_ID"] = tl["GAME_ID"].str.zfill(10)
        # Columns as lists and whole-column conversions: a per-game DataFrame costs 3 s a season.
        col = {c: tl[c].tolist() for c in ("TEAM_ABBREVIATION", "MATCHUP", "PTS", "GAME_DATE", "MIN")}
        stats = {c: _ints(tl[c]) for c in _TEAM_STAT_COLUMNS}
        plus_minus = pd.to_numeric(tl["PLUS_MINUS"], errors="coerce").fillna(0.0).astype(float).tolist()
        for gid, positions in sorted(tl.groupby("GAME_ID").indices.items()):
            teams = [col["TEAM_ABBREVIATION"][i] for i in positions]
            if len(positions) != 2 or not all(is_nba_team(c) for c in teams):
                continue
            codes = [normalize_tricode(c) for c in teams]
            if gid not in games:
                home, away = (normalize_tricode(c) for c in _matchup_teams(col["MATCHUP"][positions[0]]))
                if {home, away} != set(codes):
                    continue
                pts = dict(zip(codes, (col["PTS"][i] for i in positions)))
                add_game(gid, dt.date.fromisoformat(str(col["GAME_DATE"][positions[0]])), home, away,
                         pts[home], pts[away], max(col["MIN"][i] for i in positions))
            if gid not in games:
                continue
            data.team_totals[gid] = {
                code: {**{field: stats[c][i] for c, field in _TEAM_STAT_COLUMNS.items()}, "plus_minus": plus_minus[i]}
                for code, i in zip(codes, positions)
            }

    for g in games.values():
        data.games_by_date.setdefault(g.game_date, []).append(g)
    for day_games in data.games_by_date.values():
        day_games.sort(key=lambda g: (g.tipoff_utc, g.game_id))
    by_team: dict[tuple[int, str], list[tuple[float, int]]] = {}
    for g in games.values():
        if not g.is_regular_season:
            continue
        final = g.final_at.timestamp()
        by_team.setdefault((g.season_year, g.home), []).append((final, int(g.home_score > g.away_score)))
        by_team.setdefault((g.season_year, g.away), []).append((final, int(g.away_score > g.home_score)))
    for key, results in by_team.items():
        results.sort()
        cumulative, wins = [], 0
        for _, won in results:
            wins += won
            cumulative.append(wins)
        data.records[key] = ([t for t, _ in results], cumulative)

    game_by_date_team = {(g.game_date, t): g.game_id for g in games.values() for t in (g.home, g.away)}

    # Player rows: the base files for played rows, the *_with_inferred_dnp files for DNP rows only.
    box_dir = root / "box_scores"
    for path in sorted(box_dir.glob("player_game_logs_*.csv")):
        if path.stem.endswith("_with_inferred_dnp"):
            continue
        df = _read_csv(path, "player_game_logs", dtype={"game_id": str})
        df = df[df["minutes"].notna()]
        # Whole columns converted at once (as _i / float would per value): 24,000 rows a season.
        stats = {c: _ints(df[c]) for c in _BOX_STAT_COLUMNS}
        plus_minus = pd.to_numeric(df["plus_minus"], errors="coerce").fillna(0.0).astype(float).tolist()
        teams = (df["team"] if "team" in df.columns else df["matchup"].astype(str).str.split().str[0]).tolist()
        for i, (day_text, team_code, game_id, player, pid, minutes) in enumerate(zip(
                df["date"].astype(str), teams, df["game_id"], df["player"], df["player_id"], df["minutes"])):
            day = dt.date.fromisoformat(day_text)
            team = normalize_tricode(team_code)
            gid = str(game_id).zfill(10) if isinstance(game_id, str) and game_id.strip() else None
            if gid not in games:
                gid = game_by_date_team.get((day, team))
            if gid is None:
                continue
            first, family = _split_name(player)
            data.played_by_game.setdefault(gid, []).append(PlayerLine(
                person_id=int(pid), first_name=first, family_name=family, team=team, minutes=float(minutes),
                plus_minus=plus_minus[i], **{field: stats[col][i] for col, field in _BOX_STAT_COLUMNS.items()},
            ))
    for path in sorted(box_dir.glob("player_game_logs_*_with_inferred_dnp.csv")):
        df = _read_csv(path, "inferred_dnp", dtype={"game_id": str}, usecols=["player", "player_id", "date", "matchup", "dnp"])
        df = df[df["dnp"].astype(str).str.lower() == "true"]
        for name, pid, day, matchup in df[["player", "player_id", "date", "matchup"]].itertuples(index=False):
            code = str(matchup).split()[0]
            if not is_nba_team(code):
                continue
            team = normalize_tricode(code)
            gid = game_by_date_team.get((dt.date.fromisoformat(str(day)), team))
            if gid is None:
                continue
            first, family = _split_name(name)
            data.dnp_by_game.setdefault(gid, []).append(PlayerLine(
                person_id=int(pid), first_name=first, family_name=family, team=team, minutes=None,
                comment=DNP_COMMENT,
            ))
    for lines in data.played_by_game.values():
        lines.sort(key=lambda ln: (ln.team, -(ln.minutes or 0), ln.family_name, ln.first_name, ln.person_id))
    for lines in data.dnp_by_game.values():
        lines.sort(key=lambda ln: (ln.team, ln.family_name, ln.first_name, ln.person_id))
    # The replay covers the games the folder has player box scores for. Playoff, play-in and
    # preseason games appear only in the team logs here; scheduling them would announce final
    # games whose box scores this "service" can never return.
    for day in list(data.games_by_date):
        kept = [g for g in data.games_by_date[day] if g.game_id in data.played_by_game]
        if kept:
            data.games_by_date[day] = kept
        else:
            del data.games_by_date[day]

    # Odds: snapshot x event, books in file order, quotes in file order.
    if len(props):
        props = props.dropna(subset=["line", "over_odds", "under_odds"])
        grouped: dict[tuple[str, str], dict[str, list[PropQuote]]] = {}
        for snap, event_id, player, line, book, over, under in props[
            ["snapshot_file", "event_id", "player", "line", "bookmaker", "over_odds", "under_odds"]
        ].itertuples(index=False):
            grouped.setdefault((snap, event_id), {}).setdefault(book, []).append(
                PropQuote(player_name=str(player), line=float(line), over_price=_i(over), under_price=_i(under)))
        for (snap, event_id), books in grouped.items():
            m = _SNAPSHOT_FILE.search(str(snap))
            if m is None:
                continue
            snapshot_at = dt.datetime.strptime(m.group(1) + m.group(2), "%Y%m%d%H%M%S").replace(tzinfo=UTC)
            commence, home, away = event_teams[event_id]
            data.odds_by_date.setdefault(commence.astimezone(ET).date(), []).append(_OddsEvent(
                snapshot_at, event_id, commence, home, away,
                tuple((b, tuple(q)) for b, q in books.items()), sum(len(q) for q in books.values()),
            ))
        for events in data.odds_by_date.values():
            events.sort(key=lambda e: (e.snapshot_at, e.event_id))

    # Injury reports: index the files, read them on request. A report kept both as the NBA's PDF and as
    # the CSV parsed from it is served as the PDF, what the live source serves.
    reports: dict[str, Path] = {}
    for path in sorted((root / "api_payloads" / "nba_injury_report").glob("Injury-Report_*.*")):
        if path.suffix == ".pdf" or (path.suffix == ".csv" and path.stem not in reports):
            reports[path.stem] = path
    for path in reports.values():
        m = _INJURY_FILE.match(path.stem)
        if m is None:
            continue
        day, hour, minute, ampm = m.groups()
        h = int(hour) % 12 + (12 if ampm == "PM" else 0)
        published = dt.datetime.combine(dt.date.fromisoformat(day), dt.time(h, int(minute or 0)), ET)
        data.injury_by_date.setdefault(published.date(), []).append((published.astimezone(UTC), path))
    for reports in data.injury_by_date.values():
        reports.sort()
    return data


def _utc(instant: dt.datetime) -> dt.datetime:
    return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant.astimezone(UTC)


# --- the source --------------------------------------------------------------------------------

class HistoricalSource(NbaSource):
    """Replays a folder in the layout of ``shared/data/real`` (see the module docstring for what is
    approximated). ``root`` is the folder; the CSVs are read once per folder and process."""

    root: str

    @property
    def source_name(self) -> str:
        return "historical"

    def _data(self) -> _Data:
        return _data(self.root)

    def covered_dates(self) -> list[dt.date]:
        """Game dates the folder has games or lines for (loads and validates the folder)."""
        data = self._data()
        return sorted(set(data.games_by_date) | set(data.odds_by_date))

    def _final_games(self, game_date: dt.date, as_of: dt.datetime) -> list[_Game]:
        return [g for g in self._data().games_by_date.get(game_date, []) if as_of >= g.final_at]

    def _record(self, season: int, team: str, until: dt.datetime) -> tuple[int, int]:
        finals, wins = self._data().records.get((season, team), ([], []))
        n = bisect.bisect_right(finals, until.timestamp())
        won = wins[n - 1] if n else 0
        return won, n - won

    # --- cdn.nba.com scheduleLeagueV2 ------------------------------------------------------------

    def schedule(self, game_date: dt.date, as_of: dt.datetime) -> list[Payload]:
        as_of = _utc(as_of)
        items = []
        for g in self._data().games_by_date.get(game_date, []):
            until = min(as_of, g.tipoff_utc)
            hw, hl = self._record(g.season_year, g.home, until)
            aw, al = self._record(g.season_year, g.away, until)
            sg = ScheduleGame(g.game_id, g.tipoff_utc, g.home, g.away, home_wins=hw, home_losses=hl,
                              away_wins=aw, away_losses=al)
            if as_of >= g.final_at:
                sg.status, sg.home_score, sg.away_score, sg.period = 3, g.home_score, g.away_score, g.periods or 4
            elif as_of >= g.tipoff_utc:
                sg.status, sg.period = 2, min(4, 1 + int((as_of - g.tipoff_utc) / PERIOD_WALL_CLOCK))
            items.append(sg)
        body = formats.schedule_league_v2(season_label(season_year(game_date)), items, as_of)
        return [Payload(SCHEDULE, f"scheduleLeagueV2_{game_date:%Y%m%d}", body, URL_SCHEDULE, as_of,
                        extra={"season": season_label(season_year(game_date))})]

    # --- stats.nba.com leaguegamelog (players) ---------------------------------------------------

    def player_game_logs(self, game_date: dt.date, as_of: dt.datetime) -> list[Payload]:
        as_of = _utc(as_of)
        data = self._data()
        by_type: dict[str, list] = {}
        for g in self._final_games(game_date, as_of):
            lines = data.played_by_game.get(g.game_id)
            if lines:
                entry = (g.game_id, g.home, g.away, lines, g.home_score, g.away_score)
                by_type.setdefault(g.season_type, []).append(entry)
        out = []
        year = season_year(game_date)
        for season_type, games in sorted(by_type.items()):
            body = formats.league_game_log_players(year, season_type, game_date, games)
            params = {
                "Counter": 1000, "DateFrom": f"{game_date:%m/%d/%Y}", "DateTo": f"{game_date:%m/%d/%Y}",
                "Direction": "ASC", "LeagueID": "00", "PlayerOrTeam": "P", "Season": season_label(year),
                "SeasonType": season_type, "Sorter": "DATE",
            }
            out.append(Payload(
                PLAYER_GAME_LOG, f"leaguegamelog_{game_date:%Y%m%d}_{season_type.replace(' ', '')}", body,
                f"{URL_STATS}/leaguegamelog?{urlencode(params)}", as_of,
                extra={"season": season_label(year), "season_type": season_type},
            ))
        return out

    # --- stats.nba.com boxscoretraditionalv3 -----------------------------------------------------

    def team_boxscores(self, game_date: dt.date, as_of: dt.datetime) -> list[Payload]:
        as_of = _utc(as_of)
        data = self._data()
        out = []
        for g in sorted(self._final_games(game_date, as_of), key=lambda g: g.game_id):
            totals = data.team_totals.get(g.game_id)
            played = data.played_by_game.get(g.game_id, [])
            if not totals or g.home not in totals or g.away not in totals or not played:
                continue
            lines = played + data.dnp_by_game.get(g.game_id, [])
            body = formats.boxscore_traditional_v3(
                g.game_id, g.home, g.away,
                [ln for ln in lines if ln.team == g.home], [ln for ln in lines if ln.team == g.away],
                periods=g.periods or 4, home_totals=totals[g.home], away_totals=totals[g.away],
            )
            params = {"EndPeriod": 10, "EndRange": 28800, "GameID": g.game_id, "RangeType": 0,
                      "StartPeriod": 0, "StartRange": 0}
            out.append(Payload(BOXSCORE_TRADITIONAL, g.game_id, body,
                               f"{URL_STATS}/boxscoretraditionalv3?{urlencode(params)}", as_of,
                               extra={"game_id": g.game_id}))
        return out

    def team_rosters(self, game_date: dt.date, as_of: dt.datetime) -> list[Payload]:
        """The folder holds no rosters (commonteamroster): nothing to replay."""
        return []

    # --- NBA injury report -----------------------------------------------------------------------

    def injury_report(self, game_date: dt.date, as_of: dt.datetime) -> list[Payload]:
        as_of = _utc(as_of)
        published = [(at, p) for at, p in self._data().injury_by_date.get(game_date, []) if at <= as_of]
        if not published:
            return []
        at, path = published[-1]
        if path.suffix == ".pdf":
            body, content_type = path.read_bytes(), "pdf"
        else:
            body, content_type = path.read_bytes().decode("utf-8"), "csv"
        return [Payload(INJURY_REPORT, path.stem, body, f"{URL_INJURY}/{path.stem}.pdf", at,
                        content_type=content_type, extra={"published_at": formats.iso_z(at)})]

    # --- The Odds API v4 -------------------------------------------------------------------------

    def player_points_odds(self, game_date: dt.date, as_of: dt.datetime) -> list[Payload]:
        as_of = _utc(as_of)
        data = self._data()
        game_ids = {(g.home, g.away): g.game_id for g in data.games_by_date.get(game_date, [])}
        out = []
        for ev in data.odds_by_date.get(game_date, []):
            if ev.snapshot_at > as_of:
                continue
            books = [BookQuotes(book, ev.snapshot_at, list(quotes)) for book, quotes in ev.books]
            body = formats.odds_historical_snapshot(
                ev.snapshot_at, formats.odds_event(ev.event_id, ev.commence_utc, ev.home, ev.away, books))
            query = urlencode({"regions": "us", "markets": "player_points", "oddsFormat": "american",
                               "date": formats.iso_z(ev.snapshot_at)})
            extra = {"event_id": ev.event_id}
            if (ev.home, ev.away) in game_ids:
                extra["game_id"] = game_ids[(ev.home, ev.away)]
            out.append(Payload(ODDS_PLAYER_POINTS, f"{ev.snapshot_at:%Y%m%dT%H%M%SZ}_{ev.event_id}", body,
                               f"{URL_ODDS}/{ev.event_id}/odds?{query}", ev.snapshot_at, extra=extra))
        return out

    def game_lines_odds(self, game_date: dt.date, as_of: dt.datetime) -> list[Payload]:
        """The folder holds no spreads/totals: nothing to replay."""
        return []
