"""Which inputs earn their place? A walk-forward ablation of the line-anchored system.

    nba-pipeline evaluate --historical-dir ../shared/data/real --start 2025-10-21 --end 2025-11-09 \
        --history-start 2024-10-21 --home H
    python benchmarks/ablation.py --home H [--start 2025-10-21 --end 2025-11-09] [--n-boot 2000]

Reads the feature store and box scores the replay left in H's warehouse and, for each variant,
trains exactly as the model asset does (weekly cutoffs, only rows before the cutoff), predicts the
window, and scores it with the evaluation `nba-pipeline evaluate` prints (date-bootstrap intervals,
consensus line on the same player-games). Variants: the full line-anchored system, the same without
one group of inputs at a time, the registered line_anchored_v1 (the consensus with its error width but
no error model: it bets only where a book's line sits off the consensus), and the consensus with no
opinion at all; and CatBoost shrunk toward the consensus by a few weights (MAE only). The systems graded in H (the
registry's) are scored alongside from H's prediction_accuracy. For each group it prints MAE against
the line and the picks' ROI without it, and how much of the window holds its values: a group earns
its place only if leaving it out makes things worse.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nba_pipeline.domain import evaluation as ev  # noqa: E402
from nba_pipeline.domain import model as m  # noqa: E402
from nba_pipeline.domain import systems  # noqa: E402
from nba_pipeline.domain.features import value_column  # noqa: E402

GROUPS = {
    "recent form (L5, L10, season, std)": (
        "points_avg_last_5",
        "points_avg_last_10",
        "points_avg_season",
        "points_std_last_10",
    ),
    "minutes expectation and rest": (
        "back_to_back",
        "minutes_avg_last_10",
        "dnp_rate",
        "days_rest",
        "minutes_load_last_7d",
        "minutes_volatility_last_10",
    ),
    "teammates out (stars OUT, usage of absent teammates)": ("star_teammates_out", "teammate_usage_available"),
    "opponent pace and defence": ("opponent_def_rating", "opponent_pace"),
    "game spread and total": ("game_total_line", "spread_magnitude"),
    "line movement and book disagreement": ("vegas_line_move", "multi_book_line_std"),
}


def _read(home: Path, start: dt.date, end: dt.date):
    con = duckdb.connect(str(home / "warehouse" / "warehouse.duckdb"), read_only=True)
    lo = start - dt.timedelta(days=m.TRAIN_DAYS + 7)
    # Through Arrow, as the warehouse reads: DuckDB's .df() builds the 200-column table column by column.
    features = (
        con.sql("SELECT * FROM nba_predictions.ml_feature_store_v2 WHERE game_date BETWEEN $1 AND $2", params=[lo, end])
        .to_arrow_table()
        .to_pandas()
    )
    pgs = con.execute(
        "SELECT game_date, player_id, points, minutes, is_dnp FROM nba_analytics.player_game_summary "
        "WHERE game_date BETWEEN ? AND ?",
        [lo, end],
    ).df()
    graded = con.execute(
        "SELECT * FROM nba_predictions.prediction_accuracy WHERE game_date BETWEEN ? AND ?", [start, end]
    ).df()
    return features, pgs, graded


def walk_forward(
    system: systems.PredictionSystem, features: pd.DataFrame, pgs: pd.DataFrame, start: dt.date, end: dt.date
) -> pd.DataFrame:
    """Graded rows of one system over [start, end], trained per weekly cutoff as the asset does."""
    f = features.assign(game_date=pd.to_datetime(features["game_date"]))
    played = pgs.assign(game_date=pd.to_datetime(pgs["game_date"]))
    played = played[~played["is_dnp"].astype(bool) & (pd.to_numeric(played["minutes"], errors="coerce") > 0)]
    out = []
    for cutoff in sorted({m.model_cutoff(d.date()) for d in pd.date_range(start, end)}):
        loaded = None
        if system.trainable:
            artifact = system.trainer(m.training_frame(features, pgs, cutoff), cutoff)
            loaded = system.load(artifact.blob) if artifact is not None else None
        if loaded is None and system.requires_model:
            continue
        lo, hi = pd.Timestamp(max(cutoff, start)), pd.Timestamp(min(cutoff + dt.timedelta(days=6), end))
        day = f[(f["game_date"] >= lo) & (f["game_date"] <= hi)]
        rows = day[systems.has_pre_tip_line(day) & system.eligible(day)]
        if rows.empty:
            continue
        pred = system.predictor(loaded, rows)
        p = rows.assign(predicted_points=np.round(pred.predicted_points, 1), p_over=pred.p_over)
        p["edge"] = (p["predicted_points"] - p["current_points_line"]).round(1)
        p["recommendation"] = system.rule(p, systems.DEFAULT_EDGE_THRESHOLD)
        out.append(p)
    if not out:
        return pd.DataFrame()
    p = pd.concat(out, ignore_index=True).merge(
        played[["game_date", "player_id", "points"]], on=["game_date", "player_id"], how="left"
    )
    return pd.DataFrame(
        {
            "game_date": p["game_date"],
            "system_id": system.system_id,
            "player_id": p["player_id"],
            "predicted_points": p["predicted_points"],
            "line_value": p["current_points_line"],
            "consensus_line": p["consensus_points_line"],
            "actual_points": p["points"],
            "is_voided": p["points"].isna(),
            "recommendation": p["recommendation"],
            "p_over": p["p_over"],
            "over_price": p["line_over_price"],
            "under_price": p["line_under_price"],
        }
    )


BLEND_WEIGHTS = (0.1, 0.2, 0.3, 0.5)


def blends(graded: pd.DataFrame) -> list[pd.DataFrame]:
    """CatBoost shrunk toward the consensus: consensus + k x (CatBoost - consensus), scored on MAE
    (they make no picks: the question is only whether any k beats the line)."""
    cb = graded[graded["system_id"] == systems.CATBOOST_V1.system_id] if len(graded) else graded
    if cb.empty:
        return []
    base = cb["consensus_line"].fillna(cb["line_value"])
    return [
        cb.assign(
            system_id=f"catboost blend k={k}",
            predicted_points=base + k * (cb["predicted_points"] - base),
            recommendation="PASS",
            p_over=np.nan,
        )
        for k in BLEND_WEIGHTS
    ]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--home", type=Path, required=True, help="a home `nba-pipeline evaluate` replayed")
    ap.add_argument("--start", type=dt.date.fromisoformat, default=dt.date(2025, 10, 21))
    ap.add_argument("--end", type=dt.date.fromisoformat, default=dt.date(2025, 11, 9))
    ap.add_argument("--n-boot", type=int, default=2000)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    features, pgs, graded = _read(args.home, args.start, args.end)
    full = systems.LINE_ANCHORED_WITH_ERROR_MODEL
    variants = [
        full,
        systems.LINE_ANCHORED,
        dataclasses.replace(systems.LINE_ANCHORED, system_id="consensus, no opinion (no model)", trainer=None),
    ]
    for name, group in GROUPS.items():
        kept = tuple(name for name in full.features if name not in group)
        variants.append(systems.line_anchored(f"line_anchored - {name}", kept))
    frames = [walk_forward(v, features, pgs, args.start, args.end) for v in variants]
    registry = graded[graded["system_id"] != systems.LINE_ANCHORED.system_id] if len(graded) else graded
    frames += blends(graded)
    result = ev.evaluate(pd.concat([*frames, registry], ignore_index=True), n_boot=args.n_boot)
    print(
        f"walk-forward {args.start}..{args.end}, {len(variants)} variants + {registry['system_id'].nunique()} "
        f"graded systems, {time.perf_counter() - t0:.0f} s\n"
    )
    print(ev.format_evaluation(result))
    base = result.summary.set_index("system_id")
    ref = base.loc[full.system_id]
    print(
        f"\nThe error model, all groups: MAE - line {ref['mae_minus_line']:+.3f}, ROI at -110 {ref['roi_110']:+.1%} "
        f"on {ref['picks_decided']} picks"
    )
    window = features[pd.to_datetime(features["game_date"]).between(pd.Timestamp(args.start), pd.Timestamp(args.end))]
    for name, group in GROUPS.items():
        r = base.loc[f"line_anchored - {name}"]
        # How much of the group the data holds: a group with no values cannot help, whatever the numbers say.
        filled = float(window[[value_column(name) for name in group]].notna().to_numpy().mean())
        print(
            f"  without {name:<40} MAE - line {r['mae_minus_line']:+.3f} "
            f"({r['mae_minus_line'] - ref['mae_minus_line']:+.3f} vs all), ROI at -110 {r['roi_110']:+.1%} on "
            f"{r['picks_decided']} picks; the group's values present in {filled:.0%} of rows"
        )
    for k in BLEND_WEIGHTS:
        r = base.loc[f"catboost blend k={k}"]
        print(
            f"CatBoost blended toward the consensus, k={k}: MAE - line {r['mae_minus_line']:+.3f} "
            f"[{r['mae_minus_line_lo']:+.3f}, {r['mae_minus_line_hi']:+.3f}]"
        )
    width = base.loc[systems.LINE_ANCHORED.system_id]
    print(
        f"Registered {systems.LINE_ANCHORED.system_id} (consensus and its error width, no error model): MAE - line "
        f"{width['mae_minus_line']:+.3f}, ROI at -110 {width['roi_110']:+.1%} on {width['picks_decided']} picks"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
