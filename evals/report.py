"""The human-readable report of a run: report.md with the per-pipeline table and two PNG plots."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from evals.metrics import KS, percentile

REPORT = "report.md"
RECALL_PNG = "recall_at_k.png"
LATENCY_PNG = "latency.png"
COLUMNS = (
    ("hit@1", "hit@1"), ("hit@3", "hit@3"), ("hit@5", "hit@5"), ("hit@10", "hit@10"), ("mrr", "MRR"),
    ("answer_accuracy", "answer acc."), ("token_f1", "token F1"), ("citation_precision", "citation prec."),
    ("refusal_precision", "refusal P"), ("refusal_recall", "refusal R"),
    ("answered_wrongly_share", "answered wrongly"),
)


def _cell(value: Any, seconds: bool = False) -> str:
    """Return a table cell: 3 decimals, seconds with 2 and a unit, '–' for missing."""
    if not isinstance(value, (int, float)):
        return "–"
    return f"{value:.2f} s" if seconds else f"{value:.3f}"


def metrics_table(pipelines: Mapping[str, Mapping[str, Any]]) -> str:
    """Return the Markdown table of the deterministic metrics, one row per pipeline."""
    head = ["pipeline", "items", *(label for _, label in COLUMNS), "latency p50", "latency p95"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, m in pipelines.items():
        cells = [name, str(m.get("items", 0)), *(_cell(m.get(key)) for key, _ in COLUMNS),
                 _cell(m.get("latency_p50"), True), _cell(m.get("latency_p95"), True)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def plot_recall(pipelines: Mapping[str, Mapping[str, Any]], path: Path) -> Path:
    """Return the path of a PNG plotting retrieval recall (hit@k) against k, one line per pipeline."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 4), dpi=110)
    ax = fig.add_subplot()
    for name, m in pipelines.items():
        values = [m.get(f"hit@{k}") for k in KS]
        if all(v is None for v in values):
            continue
        ax.plot(KS, [v if v is not None else float("nan") for v in values], marker="o", label=name)
    ax.set(xlabel="k (passages)", ylabel="recall@k (hit@k)", xticks=list(KS), ylim=(0, 1.02),
           title="Retrieval: gold evidence within the first k passages")
    ax.grid(alpha=0.3)
    if ax.lines:
        ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path)
    return path


def plot_latency(rows: Sequence[Mapping[str, Any]], pipelines: Sequence[str], path: Path) -> Path:
    """Return the path of a PNG with per-item answer latency per pipeline (box plot, p50 and p95 marked)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 4), dpi=110)
    ax = fig.add_subplot()
    data = [[float(r["latency"]) for r in rows if r.get("pipeline") == p and r.get("latency") is not None]
            for p in pipelines]
    shown = [(p, d) for p, d in zip(pipelines, data) if d]
    if shown:
        ax.boxplot([d for _, d in shown], tick_labels=[p for p, _ in shown], showfliers=True)
        for x, (_, d) in enumerate(shown, start=1):
            ax.scatter([x, x], [percentile(d, 50), percentile(d, 95)], marker="D", s=18, color="tab:red", zorder=3)
        if max(max(d) for _, d in shown) > 20 * min(max(min(d), 1e-3) for _, d in shown):
            from matplotlib.ticker import FuncFormatter, NullFormatter

            ax.set_yscale("log")
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
            ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set(ylabel="seconds per question", title="Answer latency per pipeline (◆ = p50, p95)")
    ax.grid(alpha=0.3, axis="y")
    fig.tight_layout()
    fig.savefig(path)
    return path


def breakdown_section(pipelines: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Return report lines: answerable items right, refused and answered wrongly, by language and by what is asked."""
    lines: list[str] = []
    for name, m in pipelines.items():
        if "by_language" not in m and "by_asks" not in m:
            continue
        lines += [f"## Answerable items of `{name}`: {m.get('answerable_refused', 0)} of {m.get('answerable')} refused, "
                  f"{m.get('answered_wrongly', 0)} answered wrongly (shown and wrong)",
                  "", "| by | value | answerable | right | refused | answered wrongly |", "|---|---|---|---|---|---|"]
        for key, label in (("by_language", "language"), ("by_asks", "asks for")):
            for value, cell in m.get(key, {}).items():
                lines.append(f"| {label} | {value} | {cell['answerable']} | {cell['right']} | {cell['refused']} | "
                             f"{cell.get('wrong', 0)} |")
        lines.append("")
    return lines


def render(summary: Mapping[str, Any], plots: Sequence[str] = (RECALL_PNG, LATENCY_PNG)) -> str:
    """Return report.md's text for a run summary."""
    pipelines = summary.get("pipelines", {})
    lines = [
        "# Evaluation report",
        "",
        f"- dataset: `{summary.get('dataset')}` ({summary.get('items')} items)",
        f"- answer backend: `{summary.get('llm')}`; retrieval scored on the first {summary.get('k')} passages",
    ]
    if summary.get("corpus"):
        lines.append(f"- corpus: `{summary['corpus']}`")
    if summary.get("naive_index"):
        lines.append(f"- naive index: {summary['naive_index'].get('chunks')} chunks of ≤1000 characters")
    lines += [
        "",
        "## Deterministic metrics",
        "",
        metrics_table(pipelines),
        "",
        "hit@k and MRR count answerable items; a hit is a passage holding the evidence quote or a gold answer. "
        "Answer accuracy: a gold answer contained in the answer after normalisation (for unanswerable items: "
        "a refusal). Citation precision: cited passages holding the evidence or a gold answer. Refusal "
        "precision/recall treat unanswerable items as the positive class. Latency: the whole answer, per question.",
        "",
    ]
    lines += breakdown_section(pipelines)
    judge = summary.get("judge")
    if judge:
        lines += ["## LLM-judged faithfulness (separate, not a deterministic metric)", "",
                  "| pipeline | judged | unparseable | faithfulness | judge model |", "|---|---|---|---|---|"]
        for name, j in judge.get("pipelines", {}).items():
            lines.append(f"| {name} | {j['judged']} | {j['unparseable']} | {_cell(j['faithfulness'])} | {j.get('model') or '–'} |")
        if judge.get("note"):
            lines += ["", judge["note"]]
        lines.append("")
    lines += ["## Plots", ""]
    lines += [f"![{Path(p).stem.replace('_', ' ')}]({p})" for p in plots]
    return "\n".join(lines) + "\n"


def write_report(out_dir: Path, summary: Mapping[str, Any], rows: Sequence[Mapping[str, Any]]) -> Path:
    """Return the path of report.md, written with its plots into out_dir."""
    out_dir = Path(out_dir)
    pipelines = summary.get("pipelines", {})
    plot_recall(pipelines, out_dir / RECALL_PNG)
    plot_latency(rows, list(pipelines), out_dir / LATENCY_PNG)
    path = out_dir / REPORT
    path.write_text(render(summary), encoding="utf-8")
    return path
