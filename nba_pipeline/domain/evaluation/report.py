"""The text report of an evaluation: fixed-width tables for the terminal (accuracy, picks, edge
buckets, calibration, weekly) ending with one plain verdict line per system."""

from __future__ import annotations

import numpy as np
import pandas as pd

from nba_pipeline.domain.betting import DEFAULT_PRICE, break_even
from nba_pipeline.domain.evaluation.scoring import Evaluation, is_consensus

# With few clusters a percentile bootstrap is too narrow (it can only redraw the nights it saw, and
# its variance is (G-1)/G of the truth): below this many game dates the verdicts say so.
FEW_DATES = 10
_NAME = 28  # width of the system column


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


def _table(title: str, head: str) -> list[str]:
    return [title, head, "-" * len(head)]


def _accuracy_lines(ev: Evaluation) -> list[str]:
    head = (
        f"{'system':<{_NAME}}{'N':>7}{'dates':>6}  {'MAE':<23}{'bias':<23}{'line MAE':<23}{'MAE - line':<25}line rows"
    )
    out = _table("Accuracy (line = consensus line, else the system's own line)", head)
    for r in ev.summary.to_dict("records"):
        is_line = is_consensus(r["system_id"])
        out.append(
            f"{r['system_id']:<{_NAME}}{int(r['n']):>7}{int(r['n_dates']):>6}  "
            f"{format_interval(r['mae'], r['mae_lo'], r['mae_hi']):<23}"
            f"{format_interval(r['bias'], r['bias_lo'], r['bias_hi']):<23}"
            f"{'' if is_line else format_interval(r['line_mae'], r['line_mae_lo'], r['line_mae_hi']):<23}"
            f"{'' if is_line else format_interval(r['mae_minus_line'], r['mae_minus_line_lo'], r['mae_minus_line_hi']):<25}"
            f"{'' if is_line else r['line_mae_rows']}"
        )
    return out


def _pick_lines(systems: list[dict]) -> list[str]:
    head = (
        f"{'system':<{_NAME}}{'picks':>7}{'pushes':>7}  {'hit rate':<31}{'ROI at -110':<33}"
        f"{'ROI at offered price':<33}price missing"
    )
    out = _table(
        f"Picks (OVER/UNDER recommendations; pushes excluded; break-even at -110 is "
        f"{100 * break_even(DEFAULT_PRICE):.1f} %)",
        head,
    )
    for r in systems:
        n = r["picks_decided"]
        out.append(
            f"{r['system_id']:<{_NAME}}{int(r['picks']):>7}{int(r['pushes']):>7}  "
            f"{format_percent(r['hit_rate'], r['hit_rate_lo'], r['hit_rate_hi'], n):<31}"
            f"{format_percent(r['roi_110'], r['roi_110_lo'], r['roi_110_hi'], n, signed=True):<33}"
            f"{format_percent(r['roi_price'], r['roi_price_lo'], r['roi_price_hi'], n, signed=True):<33}"
            f"{int(r['picks_price_missing'])}"
        )
    return out


def _shopping_lines(systems: list[dict]) -> list[str]:
    head = f"{'system':<{_NAME}}{'picks':>7}  {'ROI at the priority book':<33}shopping gain per pick (paired)"
    out = _table("Line shopping: the same picks at the priority book's quote (DraftKings > FanDuel > others)", head)
    for r in systems:
        n = r["priority_n"]
        out.append(
            f"{r['system_id']:<{_NAME}}{int(n):>7}  "
            f"{format_percent(r['roi_priority'], r['roi_priority_lo'], r['roi_priority_hi'], n, signed=True):<33}"
            f"{format_percent(r['shopping_gain'], r['shopping_gain_lo'], r['shopping_gain_hi'], n, signed=True)}"
        )
    return out


def _clv_lines(systems: list[dict]) -> list[str]:
    head = f"{'system':<{_NAME}}{'picks':>7}  {'CLV, points':<25}CLV, no-vig probability"
    out = _table(
        "Closing-line value of the picks (the same book's last pre-tip quote; 0 where the pick was made from it)", head
    )
    for r in systems:
        out.append(
            f"{r['system_id']:<{_NAME}}{int(r['clv_n']):>7}  "
            f"{format_interval(r['clv_points'], r['clv_points_lo'], r['clv_points_hi']):<25}"
            f"{format_interval(r['clv_probability'], r['clv_probability_lo'], r['clv_probability_hi'], digits=4)}"
        )
    return out


def _bucket_lines(ev: Evaluation) -> list[str]:
    head = f"{'system':<{_NAME}}{'edge':<8}{'hit rate':<31}ROI at -110"
    out = _table(
        "Edge buckets (|predicted - line|: the side the system leans to, a bet or not; 'picks' = its recommendations)",
        head,
    )
    for r in ev.buckets.to_dict("records"):
        out.append(
            f"{r['system_id']:<{_NAME}}{r['bucket']:<8}"
            f"{format_percent(r['hit_rate'], r['hit_rate_lo'], r['hit_rate_hi'], r['n']):<31}"
            f"{format_percent(r['roi_110'], r['roi_110_lo'], r['roi_110_hi'], r['n'], signed=True)}"
        )
    return out


def _calibration_lines(ev: Evaluation) -> list[str]:
    if ev.calibration_summary.empty:
        return ["Calibration: no system gives p_over."]
    head = f"{'system':<{_NAME}}{'p_over':<10}{'n':>6}{'mean p':>9}  observed over rate [Wilson 95 %]"
    out = _table("Calibration of p_over (pushes excluded)", head)
    for r in ev.calibration.to_dict("records"):
        out.append(
            f"{r['system_id']:<{_NAME}}{r['bin']:<10}{int(r['n']):>6}{r['mean_p_over']:>9.3f}  "
            f"{format_interval(r['observed_over_rate'], r['observed_lo'], r['observed_hi'], 3)}"
        )
    out.append("")
    for r in ev.calibration_summary.to_dict("records"):
        out.append(
            f"{r['system_id']:<{_NAME}}Brier {r['brier']:.4f}   ECE {r['ece']:.4f}   (n={int(r['n'])}; "
            f"mean p_over {r['mean_p_over']:.3f}, observed {r['observed_over_rate']:.3f})"
        )
    return out


def _weekly_lines(ev: Evaluation) -> list[str]:
    head = (
        f"{'system':<{_NAME}}{'week of':<12}{'N':>6}{'MAE':>7}{'line':>7}{'diff':>7}{'bias':>7}"
        f"{'picks':>7}{'hit':>8}{'ROI -110':>10}"
    )
    out = _table("Weekly (point estimates; a week is too small for an interval)", head)
    for r in ev.weekly.to_dict("records"):
        hit = "-" if _missing(r["hit_rate"]) else f"{100 * r['hit_rate']:.1f} %"
        roi = "-" if _missing(r["roi_110"]) else f"{100 * r['roi_110']:+.1f} %"
        out.append(
            f"{r['system_id']:<{_NAME}}{str(r['week']):<12}{int(r['n']):>6}{_num(r['mae']):>7}"
            f"{_num(r['line_mae']):>7}{_num(r['mae_minus_line']):>7}{_num(r['bias']):>7}"
            f"{int(r['picks']):>7}{hit:>8}{roi:>10}"
        )
    return out


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


def _verdict_lines(systems: list[dict]) -> list[str]:
    out = ["Verdicts"]
    for r in systems:
        line = f"{r['system_id']}: beats the consensus line on MAE? {_verdict_mae(r)}"
        if r["line_mae_n_own_line"]:
            line += f" (line: {r['line_mae_rows']})"
        line += f". Picks profitable at -110? {_verdict_roi(r)}."
        if 2 <= r["n_dates"] < FEW_DATES:
            line += f" Only {int(r['n_dates'])} game dates: a bootstrap over so few nights understates the uncertainty."
        out.append(line)
    return out


def format_evaluation(ev: Evaluation) -> str:
    """Fixed-width tables for the terminal, ending with one plain verdict line per system."""
    systems = [r for r in ev.summary.to_dict("records") if not is_consensus(r["system_id"])]
    out = [
        f"95 % intervals: percentile bootstrap over game dates ({ev.n_boot} resamples, seed {ev.seed}); "
        f"[-] = fewer than 2 dates.",
        "",
    ]
    for section in (
        _accuracy_lines(ev),
        _pick_lines(systems),
        _shopping_lines(systems),
        _clv_lines(systems),
        _bucket_lines(ev),
        _calibration_lines(ev),
        _weekly_lines(ev),
    ):
        out += [*section, ""]
    return "\n".join(out + _verdict_lines(systems))
