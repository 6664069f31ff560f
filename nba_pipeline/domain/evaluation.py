"""Evaluation of prediction systems with honest uncertainty: accuracy against the consensus line,
pick profitability at -110 and at the offered price, edge buckets, calibration of p_over and weekly
drift.

Point estimates over a replay of a few weeks move by more than the differences between systems
(the scorecard this replaced printed only those), so every headline number here carries a 95 % percentile
bootstrap interval, and the verdicts ("beats the line", "profitable") are stated only when the whole
interval says so.

The bootstrap resamples game dates, not rows. Player-games of one night share pace, referees,
blowouts and the books' information, so their errors and results are correlated; resampling rows
treats 200 props of one night as 200 independent draws and understates the interval. A night is the
unit that varies independently, so a night is what is drawn (a cluster bootstrap).

Input: graded rows, one per (system, player-game), with the columns of REQUIRED_COLUMNS and
optionally OPTIONAL_COLUMNS (absent means unknown). Voided rows (the player did not play) and rows
without actual points are out of every number. A push (actual == line) returns the stake: it is
neither a win nor a loss and is left out of the hit-rate and ROI denominators (its ROI contribution
would be 0)."""

from __future__ import annotations

import base64
import dataclasses
import functools
import io
import statistics

import numpy as np
import pandas as pd

N_BOOT = 2000
CONFIDENCE = 0.95
DEFAULT_PRICE = -110.0
CONSENSUS_SYSTEM = "consensus_line"
PICK_SIDES = ("OVER", "UNDER")
RECOMMENDATIONS = ("OVER", "UNDER", "PASS", "NO_LINE")
# Lower bounds, half-open [lo, next lo): an edge of exactly 1.0 is in 1-2.
EVAL_EDGE_BUCKETS = ((0.0, "0-1"), (1.0, "1-2"), (2.0, "2-3"), (3.0, "3-5"), (5.0, "5+"))
PICKS_BUCKET = "picks"
CALIBRATION_BINS = 10
# With few clusters a percentile bootstrap is too narrow (it can only redraw the nights it saw, and
# its variance is (G-1)/G of the truth): below this many game dates the verdicts say so.
FEW_DATES = 10

REQUIRED_COLUMNS = ("game_date", "system_id", "player_id", "predicted_points", "line_value", "actual_points",
                    "is_voided", "recommendation")
OPTIONAL_COLUMNS = ("consensus_line", "p_over", "over_price", "under_price")

_Q = (100 * (1 - CONFIDENCE) / 2, 100 * (1 + CONFIDENCE) / 2)


def american_profit(price):
    """Profit per 1 unit staked on a win at American odds: -110 -> 100/110 = 0.9091, +150 -> 1.5.
    Takes a scalar (returns float), an array or a Series (same shape back). NaN stays NaN."""
    p = np.asarray(price, dtype=float)
    bad = ~np.isnan(p) & (np.abs(p) < 100)
    if bad.any():
        raise ValueError(f"American odds are <= -100 or >= +100; got {np.atleast_1d(p[bad])[:5].tolist()}")
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(p < 0, 100.0 / -p, p / 100.0)
    if isinstance(price, pd.Series):
        return pd.Series(out, index=price.index, name=price.name)
    return float(out) if out.ndim == 0 else out


def expected_value(p_win, price):
    """Expected profit per unit staked: p * profit - (1 - p)."""
    return p_win * american_profit(price) - (1 - p_win)


def break_even(price):
    """Win probability at which a bet at this price has zero expected value: -110 -> 0.5238."""
    return 1 / (1 + american_profit(price))


@functools.lru_cache(maxsize=64)
def _resample_weights(n_dates: int, n_boot: int, seed: int) -> np.ndarray:
    """n_boot x n_dates: how many times each date is drawn in each resample (a date drawn twice
    counts its rows twice). Same seed and number of dates, same matrix, so the statistics of one
    system are computed on the same resamples (and the matrix is drawn once)."""
    rng = np.random.default_rng(seed)
    w = rng.multinomial(n_dates, np.full(n_dates, 1.0 / n_dates), size=n_boot).astype(float)
    w.flags.writeable = False
    return w


def _cluster_bootstrap(numerator, denominator, dates, n_boot: int, seed: int) -> tuple[float, float, float]:
    num = np.asarray(numerator, dtype=float)
    den = np.asarray(denominator, dtype=float)
    keep = ~(np.isnan(num) | np.isnan(den))
    num, den = num[keep], den[keep]
    if not len(num):
        return np.nan, np.nan, np.nan
    codes, uniques = pd.factorize(np.asarray(dates)[keep])
    total_den = den.sum()
    estimate = float(num.sum() / total_den) if total_den else np.nan
    if len(uniques) < 2:
        return estimate, np.nan, np.nan
    # Per-date sums, then each resample is a weighted sum of them: no DataFrame per resample.
    num_by_date = np.bincount(codes, weights=num, minlength=len(uniques))
    den_by_date = np.bincount(codes, weights=den, minlength=len(uniques))
    w = _resample_weights(len(uniques), n_boot, seed)
    with np.errstate(divide="ignore", invalid="ignore"):
        stats = (w @ num_by_date) / (w @ den_by_date)
    # A resample whose dates hold no denominator (e.g. only nights without picks) has no value;
    # it is dropped rather than counted as 0.
    stats = stats[np.isfinite(stats)]
    if not len(stats):
        return estimate, np.nan, np.nan
    lo, hi = np.percentile(stats, _Q)
    return estimate, float(lo), float(hi)


def bootstrap_ratio(numerator, denominator, dates, n_boot: int = N_BOOT,
                    seed: int = 0) -> tuple[float, float, float]:
    """sum(numerator) / sum(denominator) with a percentile interval from resampling the dates (each
    row's game date is its cluster; see the module docstring). Rows where either is NaN are out.
    Returns (estimate, lo, hi); lo and hi are NaN with fewer than 2 dates, all three with no rows."""
    return _cluster_bootstrap(numerator, denominator, dates, n_boot, seed)


def bootstrap_mean(values, dates, n_boot: int = N_BOOT, seed: int = 0) -> tuple[float, float, float]:
    """Mean of values (NaN dropped) with a date-resampled interval, as bootstrap_ratio."""
    v = np.asarray(values, dtype=float)
    return _cluster_bootstrap(v, np.where(np.isnan(v), np.nan, 1.0), dates, n_boot, seed)


def bootstrap_paired_difference(a, b, dates, n_boot: int = N_BOOT, seed: int = 0) -> tuple[float, float, float]:
    """mean(a) - mean(b) over the rows where both exist, the two resampled together: the same rows
    and nights on both sides, so the night-to-night noise they share cancels. With a = system's
    absolute error and b = line's, an upper bound below 0 means the system beats the line."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return bootstrap_mean(a - b, dates, n_boot, seed)


def _rows_named(frame: pd.DataFrame, mask: pd.Series, field: str) -> str:
    bad = frame[mask].head(3)
    where = "; ".join(f"system {r.system_id}, game_date {pd.Timestamp(r.game_date).date()}, player {r.player_id}: "
                      f"{field}={getattr(r, field)!r}" for r in bad.itertuples())
    return f"{int(mask.sum())} graded row(s) with a bad {field} ({where})"


def prepare(graded: pd.DataFrame) -> pd.DataFrame:
    """The rows every number is computed on: not voided, actual points known; with errors, the
    reference line, pick outcomes and profits derived once. Bad input raises ValueError naming the
    field and the first rows (system, date, player)."""
    missing = [c for c in REQUIRED_COLUMNS if c not in graded.columns]
    if missing:
        raise ValueError(f"graded rows lack column(s) {missing}; evaluate needs {list(REQUIRED_COLUMNS)}")
    g = graded.copy()
    for c in OPTIONAL_COLUMNS:
        if c not in g.columns:
            g[c] = np.nan
    g["game_date"] = pd.to_datetime(g["game_date"]).dt.normalize()
    voided = g["is_voided"].astype("boolean").fillna(False).astype(bool)
    for c in ("predicted_points", "line_value", "actual_points", "consensus_line", "p_over", "over_price",
              "under_price"):
        num = pd.to_numeric(g[c], errors="coerce").astype(float)
        # A value that is there but not a number is an error, not a silent NaN dropped from a mean.
        bad_num = num.isna() & g[c].notna()
        if c == "predicted_points":
            bad_num |= num.isna() & ~voided
        if bad_num.any():
            raise ValueError(_rows_named(g, bad_num, c) + "; expected a number")
        g[c] = num
    bad_p = g["p_over"].notna() & ~g["p_over"].between(0, 1)
    if bad_p.any():
        raise ValueError(_rows_named(g, bad_p, "p_over") + "; p_over is a probability in [0, 1]")
    for c in ("over_price", "under_price"):
        bad_price = g[c].notna() & (g[c].abs() < 100)
        if bad_price.any():
            raise ValueError(_rows_named(g, bad_price, c) + "; American odds are <= -100 or >= +100")
    bad_rec = ~g["recommendation"].isin(RECOMMENDATIONS)
    if bad_rec.any():
        raise ValueError(_rows_named(g, bad_rec, "recommendation") + f"; expected one of {list(RECOMMENDATIONS)}")

    g = g[~voided & g["actual_points"].notna()].copy()
    pred, line, actual = g["predicted_points"], g["line_value"], g["actual_points"]
    g["abs_error"] = (pred - actual).abs()
    g["signed_error"] = pred - actual
    # The market's number: the consensus over books; a row without one falls back to the line the
    # system bet against, and the summary says how many did.
    g["line_from_consensus"] = g["consensus_line"].notna()
    g["ref_line"] = g["consensus_line"].where(g["line_from_consensus"], line)
    g["line_abs_error"] = (g["ref_line"] - actual).abs()
    g["has_line"] = line.notna()
    g["is_push"] = g["has_line"] & (actual == line)
    g["decided"] = g["has_line"] & ~g["is_push"]
    went_over = actual > line
    g["is_pick"] = g["recommendation"].isin(PICK_SIDES) & g["has_line"]
    pick_won = went_over == (g["recommendation"] == "OVER")
    price = g["over_price"].where(g["recommendation"] == "OVER", g["under_price"])
    g["price_missing"] = g["is_pick"] & price.isna()
    g["pick_won"] = g["is_pick"] & g["decided"] & pick_won
    g["pick_profit_110"] = _profit(g["pick_won"], g["is_pick"] & g["decided"], american_profit(DEFAULT_PRICE))
    g["pick_profit_price"] = _profit(g["pick_won"], g["is_pick"] & g["decided"],
                                     american_profit(price.fillna(DEFAULT_PRICE)))
    # Rounded so a float subtraction landing at 0.9999999999 is not put below a bucket boundary.
    g["edge_abs"] = (pred - line).abs().round(9)
    g["lean_over"] = pred > line
    g["is_lean"] = g["has_line"] & (pred != line)
    g["lean_won"] = g["is_lean"] & g["decided"] & (went_over == g["lean_over"])
    return g


def _profit(won: pd.Series, decided: pd.Series, win_profit) -> pd.Series:
    """Profit per unit: the win profit, -1 on a loss, NaN when not decided (out of the ROI)."""
    return pd.Series(np.where(won, win_profit, -1.0), index=won.index).where(decided)


@dataclasses.dataclass(frozen=True)
class Evaluation:
    """Frames described in evaluate(); n_boot and seed say how the intervals were drawn."""
    summary: pd.DataFrame
    buckets: pd.DataFrame
    calibration: pd.DataFrame
    calibration_summary: pd.DataFrame
    weekly: pd.DataFrame
    n_boot: int = N_BOOT
    seed: int = 0


SUMMARY_COLUMNS = [
    "system_id", "n", "n_dates", "mae", "mae_lo", "mae_hi", "bias", "bias_lo", "bias_hi",
    "line_mae_n", "line_mae_n_consensus", "line_mae_n_own_line", "line_mae_rows",
    "line_mae", "line_mae_lo", "line_mae_hi", "mae_minus_line", "mae_minus_line_lo", "mae_minus_line_hi",
    "beats_line_mae", "picks", "pushes", "picks_decided", "wins", "picks_price_missing",
    "hit_rate", "hit_rate_lo", "hit_rate_hi", "roi_110", "roi_110_lo", "roi_110_hi",
    "roi_price", "roi_price_lo", "roi_price_hi", "profitable_110"]
BUCKET_COLUMNS = ["system_id", "bucket", "n", "wins", "hit_rate", "hit_rate_lo", "hit_rate_hi",
                  "roi_110", "roi_110_lo", "roi_110_hi"]
CALIBRATION_COLUMNS = ["system_id", "bin", "bin_lo", "bin_hi", "n", "mean_p_over", "observed_over_rate",
                       "observed_lo", "observed_hi"]
CALIBRATION_SUMMARY_COLUMNS = ["system_id", "n", "mean_p_over", "observed_over_rate", "brier", "ece"]
WEEKLY_COLUMNS = ["system_id", "week", "n", "mae", "bias", "line_n", "line_mae", "mae_minus_line",
                  "picks", "wins", "hit_rate", "roi_110"]


def _interval(name: str, result: tuple[float, float, float]) -> dict:
    est, lo, hi = result
    return {name: est, f"{name}_lo": lo, f"{name}_hi": hi}


def _system_summary(system: str, s: pd.DataFrame, n_boot: int, seed: int) -> dict:
    kw = {"n_boot": n_boot, "seed": seed}
    row = {"system_id": system, "n": len(s), "n_dates": int(s["game_date"].nunique())}
    row |= _interval("mae", bootstrap_mean(s["abs_error"], s["game_date"], **kw))
    row |= _interval("bias", bootstrap_mean(s["signed_error"], s["game_date"], **kw))
    lined = s[s["ref_line"].notna()]
    n_cons = int(lined["line_from_consensus"].sum())
    row |= {"line_mae_n": len(lined), "line_mae_n_consensus": n_cons, "line_mae_n_own_line": len(lined) - n_cons,
            "line_mae_rows": f"{n_cons} consensus + {len(lined) - n_cons} own line"}
    row |= _interval("line_mae", bootstrap_mean(lined["line_abs_error"], lined["game_date"], **kw))
    row |= _interval("mae_minus_line", bootstrap_paired_difference(lined["abs_error"], lined["line_abs_error"],
                                                                   lined["game_date"], **kw))
    row["beats_line_mae"] = bool(row["mae_minus_line_hi"] < 0)
    picks = s[s["is_pick"]]
    decided = picks["decided"].astype(float)
    row |= {"picks": len(picks), "pushes": int(picks["is_push"].sum()), "picks_decided": int(decided.sum()),
            "wins": int(picks["pick_won"].sum()), "picks_price_missing": int(picks["price_missing"].sum())}
    row |= _interval("hit_rate", bootstrap_ratio(picks["pick_won"].astype(float), decided, picks["game_date"], **kw))
    row |= _interval("roi_110", bootstrap_ratio(picks["pick_profit_110"], decided, picks["game_date"], **kw))
    row |= _interval("roi_price", bootstrap_ratio(picks["pick_profit_price"], decided, picks["game_date"], **kw))
    row["profitable_110"] = bool(row["roi_110_lo"] > 0)
    return row


def _consensus_summary(g: pd.DataFrame, n_boot: int, seed: int) -> dict:
    # Every system carries the same consensus for a player-game: count it once.
    c = g[g["consensus_line"].notna()].drop_duplicates(["game_date", "player_id"])
    err = c["consensus_line"] - c["actual_points"]
    row = {"system_id": CONSENSUS_SYSTEM, "n": len(c), "n_dates": int(c["game_date"].nunique())}
    row |= _interval("mae", bootstrap_mean(err.abs(), c["game_date"], n_boot, seed))
    row |= _interval("bias", bootstrap_mean(err, c["game_date"], n_boot, seed))
    return row


def _bucket_row(system: str, label: str, rows: pd.DataFrame, won: pd.Series, n_boot: int, seed: int) -> dict:
    decided = rows["decided"].astype(float)
    profit = _profit(won, rows["decided"], american_profit(DEFAULT_PRICE))
    row = {"system_id": system, "bucket": label, "n": int(decided.sum()), "wins": int(won.sum())}
    row |= _interval("hit_rate", bootstrap_ratio(won.astype(float), decided, rows["game_date"], n_boot, seed))
    row |= _interval("roi_110", bootstrap_ratio(profit, decided, rows["game_date"], n_boot, seed))
    return row


def _system_buckets(system: str, s: pd.DataFrame, n_boot: int, seed: int) -> list[dict]:
    lean = s[s["is_lean"]]
    rows = []
    bounds = [lo for lo, _ in EVAL_EDGE_BUCKETS[1:]] + [np.inf]
    for (lo, label), hi in zip(EVAL_EDGE_BUCKETS, bounds):
        b = lean[(lean["edge_abs"] >= lo) & (lean["edge_abs"] < hi)]
        rows.append(_bucket_row(system, label, b, b["lean_won"], n_boot, seed))
    picks = s[s["is_pick"]]
    rows.append(_bucket_row(system, PICKS_BUCKET, picks, picks["pick_won"], n_boot, seed))
    return rows


def wilson_interval(successes, n, confidence: float = CONFIDENCE):
    """Wilson score interval of a binomial proportion (arrays or scalars): unlike the normal
    approximation it stays inside [0, 1] and is sensible for the small counts of a calibration bin.
    7 of 10 -> (0.3968, 0.8922)."""
    z = statistics.NormalDist().inv_cdf(0.5 + confidence / 2)
    k, n = np.asarray(successes, dtype=float), np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def _system_calibration(system: str, s: pd.DataFrame) -> tuple[list[dict], dict | None]:
    # Pushes have no over/under outcome, so they are out of the observed rate and the Brier score.
    c = s[s["p_over"].notna() & s["decided"]]
    if c.empty:
        return [], None
    p = c["p_over"].to_numpy()
    y = (c["actual_points"] > c["line_value"]).to_numpy(dtype=float)
    # Equal-width bins [k/10, (k+1)/10), p_over = 1.0 in the last one.
    b = np.minimum(np.floor(p * CALIBRATION_BINS).astype(int), CALIBRATION_BINS - 1)
    n = np.bincount(b, minlength=CALIBRATION_BINS)
    over = np.bincount(b, weights=y, minlength=CALIBRATION_BINS)
    psum = np.bincount(b, weights=p, minlength=CALIBRATION_BINS)
    lo, hi = wilson_interval(over, n)
    rows = []
    for k in np.flatnonzero(n):
        rows.append({"system_id": system, "bin": f"{k / CALIBRATION_BINS:.1f}-{(k + 1) / CALIBRATION_BINS:.1f}",
                     "bin_lo": k / CALIBRATION_BINS, "bin_hi": (k + 1) / CALIBRATION_BINS, "n": int(n[k]),
                     "mean_p_over": psum[k] / n[k], "observed_over_rate": over[k] / n[k],
                     "observed_lo": float(lo[k]), "observed_hi": float(hi[k])})
    ece = sum(r["n"] * abs(r["observed_over_rate"] - r["mean_p_over"]) for r in rows) / len(c)
    summary = {"system_id": system, "n": len(c), "mean_p_over": float(p.mean()), "observed_over_rate": float(y.mean()),
               "brier": float(np.mean((p - y) ** 2)), "ece": float(ece)}
    return rows, summary


def _weekly(system: str, s: pd.DataFrame) -> list[dict]:
    # ISO weeks start on Monday: Sunday's games belong to the week of the Monday before.
    week = (s["game_date"] - pd.to_timedelta(s["game_date"].dt.weekday, unit="D")).dt.date
    rows = []
    for wk, w in s.groupby(week, sort=True):
        lined = w[w["ref_line"].notna()]
        picks = w[w["is_pick"] & w["decided"]]
        n_picks = len(picks)
        rows.append({
            "system_id": system, "week": wk, "n": len(w), "mae": w["abs_error"].mean(), "bias": w["signed_error"].mean(),
            "line_n": len(lined), "line_mae": lined["line_abs_error"].mean() if len(lined) else np.nan,
            "mae_minus_line": (lined["abs_error"] - lined["line_abs_error"]).mean() if len(lined) else np.nan,
            "picks": n_picks, "wins": int(picks["pick_won"].sum()),
            "hit_rate": picks["pick_won"].mean() if n_picks else np.nan,
            "roi_110": picks["pick_profit_110"].mean() if n_picks else np.nan})
    return rows


def evaluate(graded: pd.DataFrame, n_boot: int = N_BOOT, seed: int = 0) -> Evaluation:
    """Everything `nba-pipeline evaluate` reports, per system (intervals: 95 %, game dates
    resampled; *_lo / *_hi are NaN with fewer than 2 dates).

    summary: one row per system, then one for the consensus line (each player-game once). MAE and
      bias over all graded rows; the line's MAE on the rows with a line (the consensus, else the
      system's own line: line_mae_rows says how many of each) and the paired difference on those same
      rows; beats_line_mae when its upper bound is below 0. Picks are OVER/UNDER recommendations;
      hit rate and ROI (profit per unit staked) over the decided ones, pushes excluded; ROI at -110
      and at the price offered by the line's book (-110 where it is missing: picks_price_missing);
      profitable_110 when the ROI interval is above 0.
    buckets: per system and edge |predicted - line| (0-1, 1-2, 2-3, 3-5, 5+), the side the system
      leans to against the result, whether or not it recommended a bet (predicted == line has no
      lean); bucket "picks" is its actual OVER/UNDER recommendations. n counts decided rows.
    calibration / calibration_summary: reliability of p_over in 10 equal-width bins (non-empty only)
      with a Wilson interval of the observed over rate; Brier score and expected calibration error
      (n-weighted |observed - predicted| over the bins). Systems without p_over are absent.
    weekly: per system and ISO week (its Monday), point estimates only, to show drift."""
    g = prepare(graded)
    summary, buckets, calibration, cal_summary, weekly = [], [], [], [], []
    for system, s in g.groupby("system_id", sort=True):
        summary.append(_system_summary(str(system), s, n_boot, seed))
        buckets += _system_buckets(str(system), s, n_boot, seed)
        cal_rows, cal = _system_calibration(str(system), s)
        calibration += cal_rows
        if cal:
            cal_summary.append(cal)
        weekly += _weekly(str(system), s)
    summary.append(_consensus_summary(g, n_boot, seed))
    summary_frame = pd.DataFrame.from_records(summary).reindex(columns=SUMMARY_COLUMNS)
    # The consensus row has no line comparison or picks: its verdicts are unknown, not False.
    for c in ("beats_line_mae", "profitable_110"):
        summary_frame[c] = summary_frame[c].astype("boolean")
    for c in ("line_mae_n", "line_mae_n_consensus", "line_mae_n_own_line", "picks", "pushes", "picks_decided", "wins",
              "picks_price_missing"):
        summary_frame[c] = summary_frame[c].astype("Int64")
    return Evaluation(
        summary=summary_frame,
        buckets=pd.DataFrame.from_records(buckets, columns=BUCKET_COLUMNS),
        calibration=pd.DataFrame.from_records(calibration, columns=CALIBRATION_COLUMNS),
        calibration_summary=pd.DataFrame.from_records(cal_summary, columns=CALIBRATION_SUMMARY_COLUMNS),
        weekly=pd.DataFrame.from_records(weekly, columns=WEEKLY_COLUMNS),
        n_boot=n_boot, seed=seed)


def _missing(x) -> bool:
    return x is None or x is pd.NA or (isinstance(x, float) and np.isnan(x))


def _num(x, digits: int = 2) -> str:
    return "-" if _missing(x) else f"{x:.{digits}f}"


def format_interval(est, lo, hi, digits: int = 2) -> str:
    """5.10 [4.85, 5.37]; [-] when there is no interval (fewer than 2 game dates)."""
    if _missing(est):
        return "-"
    if _missing(lo) or _missing(hi):
        return f"{est:.{digits}f} [-]"
    return f"{est:.{digits}f} [{lo:.{digits}f}, {hi:.{digits}f}]"


def format_percent(est, lo, hi, n, signed: bool = False) -> str:
    """54.2 % [49.0, 59.1] (n=212); signed for returns (+3.1 % [-4.0, +10.2])."""
    if _missing(est):
        return f"- (n={int(n)})"
    f = "{:+.1f}" if signed else "{:.1f}"
    ci = "[-]" if _missing(lo) or _missing(hi) else f"[{f.format(100 * lo)}, {f.format(100 * hi)}]"
    return f"{f.format(100 * est)} % {ci} (n={int(n)})"


def _verdict_mae(r: dict) -> str:
    if not r["line_mae_n"]:
        return "not measurable: no rows with a line"
    if _missing(r["mae_minus_line_hi"]):
        return "not measurable: fewer than 2 game dates"
    diff = format_interval(r["mae_minus_line"], r["mae_minus_line_lo"], r["mae_minus_line_hi"])
    if r["mae_minus_line_hi"] < 0:
        return f"yes: MAE - line {diff}, entirely below 0"
    if r["mae_minus_line_lo"] > 0:
        return f"no: worse than the line, MAE - line {diff} is entirely above 0"
    return f"not shown: MAE - line {diff}, the interval includes 0"


def _verdict_roi(r: dict) -> str:
    if not r["picks_decided"]:
        return "not measurable: no decided picks"
    if _missing(r["roi_110_lo"]):
        return "not measurable: fewer than 2 game dates with picks"
    roi = format_percent(r["roi_110"], r["roi_110_lo"], r["roi_110_hi"], r["picks_decided"], signed=True)
    if r["roi_110_lo"] > 0:
        return f"yes: ROI {roi}, entirely above 0"
    if r["roi_110_hi"] < 0:
        return f"no: they lose money, ROI {roi} is entirely below 0"
    return f"not shown: ROI {roi}, the interval includes 0"


def format_evaluation(ev: Evaluation) -> str:
    """Fixed-width tables for the terminal, ending with one plain verdict line per system."""
    out = [f"95 % intervals: percentile bootstrap over game dates ({ev.n_boot} resamples, seed {ev.seed}); "
           f"[-] = fewer than 2 dates.", ""]
    systems = [r for r in ev.summary.to_dict("records") if r["system_id"] != CONSENSUS_SYSTEM]

    head = f"{'system':<28}{'N':>7}{'dates':>6}  {'MAE':<23}{'bias':<23}{'line MAE':<23}{'MAE - line':<25}line rows"
    out += ["Accuracy (line = consensus line, else the system's own line)", head, "-" * len(head)]
    for r in ev.summary.to_dict("records"):
        is_line = r["system_id"] == CONSENSUS_SYSTEM
        out.append(
            f"{r['system_id']:<28}{int(r['n']):>7}{int(r['n_dates']):>6}  "
            f"{format_interval(r['mae'], r['mae_lo'], r['mae_hi']):<23}"
            f"{format_interval(r['bias'], r['bias_lo'], r['bias_hi']):<23}"
            f"{'' if is_line else format_interval(r['line_mae'], r['line_mae_lo'], r['line_mae_hi']):<23}"
            f"{'' if is_line else format_interval(r['mae_minus_line'], r['mae_minus_line_lo'], r['mae_minus_line_hi']):<25}"
            f"{'' if is_line else r['line_mae_rows']}")

    head = f"{'system':<28}{'picks':>7}{'pushes':>7}  {'hit rate':<31}{'ROI at -110':<33}{'ROI at offered price':<33}price missing"
    out += ["", f"Picks (OVER/UNDER recommendations; pushes excluded; break-even at -110 is "
                f"{100 * break_even(DEFAULT_PRICE):.1f} %)", head, "-" * len(head)]
    for r in systems:
        n = r["picks_decided"]
        out.append(
            f"{r['system_id']:<28}{int(r['picks']):>7}{int(r['pushes']):>7}  "
            f"{format_percent(r['hit_rate'], r['hit_rate_lo'], r['hit_rate_hi'], n):<31}"
            f"{format_percent(r['roi_110'], r['roi_110_lo'], r['roi_110_hi'], n, signed=True):<33}"
            f"{format_percent(r['roi_price'], r['roi_price_lo'], r['roi_price_hi'], n, signed=True):<33}"
            f"{int(r['picks_price_missing'])}")

    head = f"{'system':<28}{'edge':<8}{'hit rate':<31}ROI at -110"
    out += ["", "Edge buckets (|predicted - line|: the side the system leans to, a bet or not; "
                "'picks' = its recommendations)", head, "-" * len(head)]
    for r in ev.buckets.to_dict("records"):
        out.append(f"{r['system_id']:<28}{r['bucket']:<8}"
                   f"{format_percent(r['hit_rate'], r['hit_rate_lo'], r['hit_rate_hi'], r['n']):<31}"
                   f"{format_percent(r['roi_110'], r['roi_110_lo'], r['roi_110_hi'], r['n'], signed=True)}")

    out += [""]
    if ev.calibration_summary.empty:
        out.append("Calibration: no system gives p_over.")
    else:
        head = f"{'system':<28}{'p_over':<10}{'n':>6}{'mean p':>9}  observed over rate [Wilson 95 %]"
        out += ["Calibration of p_over (pushes excluded)", head, "-" * len(head)]
        for r in ev.calibration.to_dict("records"):
            out.append(f"{r['system_id']:<28}{r['bin']:<10}{int(r['n']):>6}{r['mean_p_over']:>9.3f}  "
                       f"{format_interval(r['observed_over_rate'], r['observed_lo'], r['observed_hi'], 3)}")
        out.append("")
        for r in ev.calibration_summary.to_dict("records"):
            out.append(f"{r['system_id']:<28}Brier {r['brier']:.4f}   ECE {r['ece']:.4f}   (n={int(r['n'])}; "
                       f"mean p_over {r['mean_p_over']:.3f}, observed {r['observed_over_rate']:.3f})")

    head = (f"{'system':<28}{'week of':<12}{'N':>6}{'MAE':>7}{'line':>7}{'diff':>7}{'bias':>7}"
            f"{'picks':>7}{'hit':>8}{'ROI -110':>10}")
    out += ["", "Weekly (point estimates; a week is too small for an interval)", head, "-" * len(head)]
    for r in ev.weekly.to_dict("records"):
        hit = "-" if _missing(r["hit_rate"]) else f"{100 * r['hit_rate']:.1f} %"
        roi = "-" if _missing(r["roi_110"]) else f"{100 * r['roi_110']:+.1f} %"
        out.append(f"{r['system_id']:<28}{str(r['week']):<12}{int(r['n']):>6}{_num(r['mae']):>7}"
                   f"{_num(r['line_mae']):>7}{_num(r['mae_minus_line']):>7}{_num(r['bias']):>7}"
                   f"{int(r['picks']):>7}{hit:>8}{roi:>10}")

    out += ["", "Verdicts"]
    for r in systems:
        line = f"{r['system_id']}: beats the consensus line on MAE? {_verdict_mae(r)}"
        if r["line_mae_n_own_line"]:
            line += f" (line: {r['line_mae_rows']})"
        line += f". Picks profitable at -110? {_verdict_roi(r)}."
        if 2 <= r["n_dates"] < FEW_DATES:
            line += (f" Only {int(r['n_dates'])} game dates: a bootstrap over so few nights understates the "
                     "uncertainty.")
        out.append(line)
    return "\n".join(out)


def calibration_chart_markdown(ev: Evaluation) -> str:
    """Markdown for the Dagster UI: a reliability diagram (observed over rate against mean p_over
    per bin, one line per system, point size by n, the diagonal = perfect calibration) as an embedded
    PNG, and the Brier / ECE table under it. Without any p_over, a table saying so."""
    if ev.calibration.empty:
        systems = [s for s in ev.summary["system_id"] if s != CONSENSUS_SYSTEM]
        return "\n".join(["| system | calibration |", "|---|---|"]
                         + [f"| {s} | no p_over |" for s in systems])
    # The object API with the Agg canvas: no pyplot global state, no display needed.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(5, 4), dpi=80)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1, label="perfect")
    n_max = ev.calibration["n"].max()
    for system, c in ev.calibration.groupby("system_id", sort=True):
        line, = ax.plot(c["mean_p_over"], c["observed_over_rate"], linewidth=1, label=system)
        ax.scatter(c["mean_p_over"], c["observed_over_rate"], s=15 + 120 * c["n"] / n_max, color=line.get_color(),
                   alpha=0.7)
        for x, y, n in zip(c["mean_p_over"], c["observed_over_rate"], c["n"]):
            ax.annotate(str(int(n)), (x, y), textcoords="offset points", xytext=(3, 3), fontsize=6)
    # A little margin so points at 0 or 1 are not cut in half.
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("predicted p_over (bin mean)")
    ax.set_ylabel("observed over rate")
    ax.set_title("Calibration (labels: n per bin)", fontsize=9)
    ax.legend(fontsize=6, loc="upper left")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    png = base64.b64encode(buf.getvalue()).decode("ascii")
    table = ["| system | n | Brier | ECE |", "|---|---:|---:|---:|"] + [
        f"| {r['system_id']} | {int(r['n'])} | {r['brier']:.4f} | {r['ece']:.4f} |"
        for r in ev.calibration_summary.to_dict("records")]
    return "\n".join([f"![calibration](data:image/png;base64,{png})", ""] + table)
