"""Compare two evaluation runs: per-pipeline metric deltas and, item by item, what got better and worse."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evals import metrics
from evals.jsonl import read_rows

RESULTS = "results.jsonl"
DELTA_KEYS = ("hit@1", "hit@3", "hit@5", "hit@10", "mrr", "answer_accuracy", "token_f1", "citation_precision",
              "refusal_precision", "refusal_recall", "latency_p50", "latency_p95")
LOWER_IS_BETTER = {"latency_p50", "latency_p95"}
F1_STEP = 0.1  # a token-F1 change smaller than this is not listed


@dataclass
class ItemChange:
    """How one (pipeline, item) pair changed from run A to run B: each change with +1 (better) or -1 (worse)."""

    pipeline: str
    id: str
    question: str
    changes: list[tuple[str, int]] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        """Return 'better', 'worse', 'mixed' or 'same'."""
        signs = {sign for _, sign in self.changes}
        if not signs:
            return "same"
        if signs == {1}:
            return "better"
        if signs == {-1}:
            return "worse"
        return "mixed"


@dataclass
class Comparison:
    """Two runs side by side: metric (A, B, B - A) per pipeline and the changed items."""

    a: Path
    b: Path
    metrics: dict[str, dict[str, tuple[Any, Any, float | None]]]
    items: list[ItemChange]
    only_a: int = 0
    only_b: int = 0


def load_run(out_dir: Path) -> dict[tuple[str, str], dict[str, Any]]:
    """Return the result rows of a run folder by (pipeline, id); a missing results.jsonl raises FileNotFoundError."""
    path = Path(out_dir) / RESULTS
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist: not an evaluation output folder")
    rows = {(r["pipeline"], r["id"]): r for r in read_rows(path) if "pipeline" in r and "id" in r}
    verdicts = read_rows(Path(out_dir) / "judge.jsonl")
    for v in verdicts:
        if (v.get("pipeline"), v.get("id")) in rows:
            rows[(v["pipeline"], v["id"])]["judge_supported"] = v.get("supported")
    return rows


def _rank(rank: int | None) -> str:
    """Return a rank for display ('–' for no hit)."""
    return "–" if rank is None else str(rank)


def _mark(value: Any) -> str:
    """Return ✓ for a truthy score, ✗ otherwise."""
    return "✓" if value else "✗"


def item_changes(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[tuple[str, int]]:
    """Return the changes from row a to row b of the same item, each with +1 (better) or -1 (worse)."""
    out: list[tuple[str, int]] = []
    if b.get("answerable", a.get("answerable")):
        ra, rb = a.get("rank"), b.get("rank")
        if ra != rb:
            better = rb is not None and (ra is None or rb < ra)
            out.append((f"rank {_rank(ra)}→{_rank(rb)}", 1 if better else -1))
        ca, cb = bool(a.get("answer_contains")), bool(b.get("answer_contains"))
        if ca != cb:
            out.append((f"answer {_mark(ca)}→{_mark(cb)}", 1 if cb else -1))
        if bool(a.get("refused")) != bool(b.get("refused")):
            out.append(("now refuses" if b.get("refused") else "no longer refuses", -1 if b.get("refused") else 1))
        fa, fb = a.get("token_f1") or 0.0, b.get("token_f1") or 0.0
        if abs(fb - fa) >= F1_STEP:
            out.append((f"token F1 {fa:.2f}→{fb:.2f}", 1 if fb > fa else -1))
    elif bool(a.get("refused")) != bool(b.get("refused")):
        out.append(("refusal ✗→✓" if b.get("refused") else "refusal ✓→✗", 1 if b.get("refused") else -1))
    pa, pb = a.get("citation_precision"), b.get("citation_precision")
    if pa is not None and pb is not None and abs(pb - pa) > 1e-9:
        out.append((f"citation precision {pa:.2f}→{pb:.2f}", 1 if pb > pa else -1))
    ja, jb = a.get("judge_supported"), b.get("judge_supported")
    if ja is not None and jb is not None and ja != jb:
        out.append((f"judge {_mark(ja)}→{_mark(jb)}", 1 if jb else -1))
    return out


def compare_runs(dir_a: Path, dir_b: Path) -> Comparison:
    """Return the comparison of run B against run A (deltas are B - A)."""
    run_a, run_b = load_run(dir_a), load_run(dir_b)
    pipelines = list(dict.fromkeys(p for p, _ in [*run_a, *run_b]))
    table: dict[str, dict[str, tuple[Any, Any, float | None]]] = {}
    for p in pipelines:
        common = [key for key in run_a if key[0] == p and key in run_b]
        sa = metrics.summarise([run_a[key] for key in common]) if common else {}
        sb = metrics.summarise([run_b[key] for key in common]) if common else {}
        table[p] = {}
        for key in DELTA_KEYS:
            va, vb = sa.get(key), sb.get(key)
            delta = vb - va if isinstance(va, (int, float)) and isinstance(vb, (int, float)) else None
            table[p][key] = (va, vb, delta)
        table[p]["items"] = (len(common), len(common), None)
    items = []
    for key, row_b in run_b.items():
        if key in run_a:
            change = ItemChange(key[0], key[1], str(row_b.get("question", "")), item_changes(run_a[key], row_b))
            if change.changes:
                items.append(change)
    return Comparison(Path(dir_a), Path(dir_b), table, items,
                      only_a=len(run_a.keys() - run_b.keys()), only_b=len(run_b.keys() - run_a.keys()))


def _num(value: Any) -> str:
    """Return a metric value for display."""
    return f"{value:.3f}" if isinstance(value, (int, float)) else "–"


def _delta(key: str, delta: float | None) -> str:
    """Return a signed delta with ▲ (better) or ▼ (worse)."""
    if delta is None:
        return "–"
    if abs(delta) < 5e-4:
        return "0"
    better = (delta < 0) if key in LOWER_IS_BETTER else (delta > 0)
    return f"{delta:+.3f} {'▲' if better else '▼'}"


def render(c: Comparison, keys: Sequence[str] = DELTA_KEYS) -> str:
    """Return the comparison as Markdown: a delta table per pipeline, then better, worse and mixed items."""
    lines = [f"# Compare: A = `{c.a}` → B = `{c.b}`", "",
             "Metrics over the items both runs hold (B − A; ▲ better, ▼ worse).", ""]
    for p, row in c.metrics.items():
        lines += [f"## {p} ({row['items'][0]} items in both)", "", "| metric | A | B | B − A |", "|---|---|---|---|"]
        lines += [f"| {k} | {_num(row[k][0])} | {_num(row[k][1])} | {_delta(k, row[k][2])} |" for k in keys]
        lines.append("")
    for verdict, title in (("better", "Better"), ("worse", "Worse"), ("mixed", "Mixed")):
        group = [i for i in c.items if i.verdict == verdict]
        lines += [f"## {title} ({len(group)})", ""]
        for i in sorted(group, key=lambda i: (i.pipeline, i.id)):
            question = i.question if len(i.question) <= 70 else i.question[:69] + "…"
            lines.append(f"- {i.pipeline} `{i.id}` {question}: " + ", ".join(text for text, _ in i.changes))
        lines.append("")
    if c.only_a or c.only_b:
        lines.append(f"Only in A: {c.only_a} rows; only in B: {c.only_b} rows (not compared).")
    return "\n".join(lines).rstrip() + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Print the comparison of two run folders; return the exit status (2 when a folder is not a run)."""
    parser = argparse.ArgumentParser(prog="assistant eval compare",
                                     description="Compare two evaluation output folders (B against A).")
    parser.add_argument("dir_a", type=Path, help="the earlier run's --out folder")
    parser.add_argument("dir_b", type=Path, help="the later run's --out folder")
    parser.add_argument("--out", type=Path, help="also write the comparison (Markdown) to this file")
    args = parser.parse_args(argv)
    try:
        comparison = compare_runs(args.dir_a, args.dir_b)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    text = render(comparison)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    sys.stdout.write(text)
    return 0
