"""Command line of the evaluation (`assistant eval`, `python -m evals`): run a dataset, or `compare A B`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.index.store import StoreError
from assistant.llm.base import LLMUnavailable
from evals.compare import main as compare_main
from evals.corpus import CorpusError
from evals.run import PIPELINES, run_eval

TABLE_KEYS = ("hit@1", "hit@5", "mrr", "answer_accuracy", "citation_precision", "refusal_precision",
              "refusal_recall", "answered_wrongly_share", "latency_p50", "latency_p95")


def run_parser() -> argparse.ArgumentParser:
    """Return the parser of the run command."""
    parser = argparse.ArgumentParser(
        prog="assistant eval",
        description="Score the assistant on a JSONL QA dataset (see evals/README.md); resumable. "
        "`assistant eval compare DIR_A DIR_B` compares two runs.",
    )
    parser.add_argument("--dataset", type=Path, required=True, help="JSONL dataset")
    parser.add_argument("--out", type=Path, required=True,
                        help="folder for results.jsonl, summary.json, report.md and its plots")
    parser.add_argument("--corpus", type=Path,
                        help="evaluate on this corpus folder (ingested into its own store under the data dir) "
                        "instead of the configured store")
    parser.add_argument("--pipeline", "--pipelines", dest="pipelines", default=",".join(PIPELINES),
                        help="comma-separated: " + ",".join(PIPELINES))
    parser.add_argument("--llm", default="extractive", help="auto, ollama, llamacpp or extractive")
    parser.add_argument("--k", type=int, default=10, help="passages scored for retrieval metrics")
    parser.add_argument("--limit", type=int, default=0, help="only the first N items")
    parser.add_argument("--judge", action="store_true",
                        help="also ask an LLM whether each answer is supported by its cited passages (reported apart)")
    parser.add_argument("--no-progress", dest="progress", action="store_false", default=None,
                        help="no progress bars (they are shown only on a terminal anyway)")
    return parser


def print_summary(summary: dict[str, Any], out_dir: Path) -> None:
    """Print the per-pipeline table of a run summary."""
    print(f"{summary['items']} items, llm {summary['llm']}, asked now {summary['asked']}")
    print(f"{'pipeline':10}" + "".join(f"{k:>20}" for k in TABLE_KEYS))
    for pipeline, row in summary["pipelines"].items():
        cells = "".join(f"{row[k]:>20.3f}" if isinstance(row.get(k), (int, float)) else f"{'–':>20}" for k in TABLE_KEYS)
        print(f"{pipeline:10}{cells}")
    for pipeline, j in (summary.get("judge") or {}).get("pipelines", {}).items():
        value = f"{j['faithfulness']:.3f}" if j["faithfulness"] is not None else "–"
        print(f"judge {pipeline}: faithfulness {value} over {j['judged']} answers ({j['unparseable']} unparseable)")
    if (summary.get("judge") or {}).get("note"):
        print(summary["judge"]["note"])
    for note in summary.get("notes", []):
        print(f"note: {note}", file=sys.stderr)
    print(f"report: {out_dir / 'report.md'}")


def run_main(argv: Sequence[str] | None = None) -> int:
    """Run the evaluation and print the summary table; return the exit status."""
    args = run_parser().parse_args(argv)
    if args.corpus is not None and not args.corpus.is_dir():
        print(f"error: corpus folder {args.corpus} does not exist", file=sys.stderr)
        return 2
    try:
        summary = run_eval(args.dataset, args.out, [p for p in args.pipelines.split(",") if p], args.llm, args.k,
                           args.limit, corpus=args.corpus, judge=args.judge, progress=args.progress)
    except (CorpusError, LLMUnavailable, StoreError, ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print_summary(summary, args.out)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Dispatch `compare DIR_A DIR_B` to the comparison and anything else to the run; return the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["compare"]:

        return compare_main(argv[1:])
    return run_main(argv)


def command(argv: Sequence[str]) -> int:
    """Run `assistant eval ARGS...` (registered in the entry-point group `assistant.commands`); return the status."""
    return main(argv)
