"""The calibration chart of an evaluation for the Dagster UI: a reliability diagram as an embedded
PNG with the Brier / ECE table under it (Markdown)."""

from __future__ import annotations

import base64
import io

from nba_pipeline.domain.evaluation.scoring import Evaluation, is_consensus


def _reliability_png(ev: Evaluation) -> bytes:
    # Optional heavy dependency, imported only when a chart is drawn. The object API with the Agg
    # canvas: no pyplot global state, no display needed.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(5, 4), dpi=80)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1, label="perfect")
    n_max = ev.calibration["n"].max()
    for system, c in ev.calibration.groupby("system_id", sort=True):
        (line,) = ax.plot(c["mean_p_over"], c["observed_over_rate"], linewidth=1, label=system)
        ax.scatter(
            c["mean_p_over"], c["observed_over_rate"], s=15 + 120 * c["n"] / n_max, color=line.get_color(), alpha=0.7
        )
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
    return buf.getvalue()


def calibration_chart_markdown(ev: Evaluation) -> str:
    """Markdown for the Dagster UI: a reliability diagram (observed over rate against mean p_over
    per bin, one line per system, point size by n, the diagonal = perfect calibration) as an embedded
    PNG, and the Brier / ECE table under it. Without any p_over, a table saying so."""
    if ev.calibration.empty:
        systems = [s for s in ev.summary["system_id"] if not is_consensus(s)]
        return "\n".join(["| system | calibration |", "|---|---|"] + [f"| {s} | no p_over |" for s in systems])
    png = base64.b64encode(_reliability_png(ev)).decode("ascii")
    table = ["| system | n | Brier | ECE |", "|---|---:|---:|---:|"] + [
        f"| {r['system_id']} | {int(r['n'])} | {r['brier']:.4f} | {r['ece']:.4f} |"
        for r in ev.calibration_summary.to_dict("records")
    ]
    return "\n".join([f"![calibration](data:image/png;base64,{png})", ""] + table)
