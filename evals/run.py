"""Evaluation runner: asks every dataset item through the product and scores it, resumably.

Pipelines:
- ``ours``: ``Assistant.ask`` with the item's history and filters (hybrid retrieval, the refusal gate).
- ``bm25`` / ``vector``: the same assistant and answer backend, but retrieval forced to one mode and no
  similarity gate before generating (BM25 passages carry no vector score); only the backend's own
  "not found" answer counts as a refusal.

Retrieval metrics use a separate ranked list of ``k`` passages from the pipeline's retrieval mode
(for the standalone question the assistant answered); the answer uses the usual ``settings.k``.
One JSON line per (item, pipeline) goes to ``out_dir/results.jsonl``; pairs already there are skipped.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evals import metrics

if TYPE_CHECKING:
    from assistant.answer import Assistant
    from assistant.models import Answer, Chunk
    from assistant.settings import Settings

PIPELINES = ("ours", "bm25", "vector")
RESULTS = "results.jsonl"
SUMMARY = "summary.json"


class ModeRetriever:
    """A retriever that always searches in one mode; everything else is the wrapped retriever's."""

    def __init__(self, retriever: Any, mode: str) -> None:
        self._retriever = retriever
        self.mode = mode

    def search(self, query: str, k: int | None = None, filters: dict[str, Any] | None = None, mode: str = "hybrid") -> list[Chunk]:
        """Return the wrapped retriever's passages for the query in this retriever's mode."""
        return self._retriever.search(query, k=k, filters=filters, mode=self.mode)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._retriever, name)


def load_dataset(path: Path) -> list[dict[str, Any]]:
    """Return the dataset items, one JSON object per non-empty line."""
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def read_rows(path: Path) -> list[dict[str, Any]]:
    """Return the result rows already written (a torn last line from an interrupted run is ignored)."""
    if not path.exists():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return rows


def _passage(chunk: Chunk, score: bool = True) -> dict[str, Any]:
    """Return the JSON form of a passage: source, page, text (and score)."""
    out: dict[str, Any] = {"source": chunk.source, "page": chunk.page, "text": chunk.text}
    if score:
        out["score"] = chunk.score
    return out


def score_row(item: dict[str, Any], answer: Answer, retrieved: Sequence[Chunk], latency: float) -> dict[str, Any]:
    """Return the result row of one answered item: what was said, cited and retrieved, and every metric."""
    answers, evidence = item.get("answers", []), item.get("evidence")
    rank = metrics.retrieval_hits([c.text for c in retrieved], answers, evidence) if item["answerable"] else None
    row: dict[str, Any] = {
        "id": item["id"],
        "question": item["question"],
        "answerable": bool(item["answerable"]),
        "tags": item.get("tags", []),
        "answer": answer.text,
        "refused": bool(answer.refused),
        "standalone_question": answer.standalone_question,
        "backend": answer.backend,
        "citations": [{"n": c.n, **_passage(c.chunk, score=False), "quote": c.quote, "supported": c.supported}
                      for c in answer.citations],
        "retrieved": [_passage(c) for c in retrieved],
        "latency": latency,
        "rank": rank,
    }
    for k in metrics.KS:
        row[f"hit@{k}"] = metrics.hit_at_k(rank, k)
    row["rr"] = metrics.reciprocal_rank(rank)
    row["answer_contains"] = metrics.answer_contains(answer.text, answers, answer.refused)
    row["token_f1"] = metrics.token_f1(answer.text, answers, answer.refused)
    row["citation_precision"] = metrics.citation_precision([c.chunk.text for c in answer.citations], answers, evidence)
    return row


def ask_item(bots: dict[str, Assistant], pipeline: str, item: dict[str, Any], k: int) -> dict[str, Any]:
    """Return the scored row of one item asked through one pipeline."""
    bot = bots[pipeline]
    filters = item.get("filters") or None
    started = time.perf_counter()
    answer = bot.ask(item["question"], item.get("history") or [], filters)
    latency = time.perf_counter() - started
    mode = "hybrid" if pipeline == "ours" else pipeline
    retrieved = bot.retriever.search(answer.standalone_question or item["question"], k=k, filters=filters, mode=mode)
    return {"pipeline": pipeline, **score_row(item, answer, retrieved, latency)}


def make_bots(settings: Settings, llm: str, pipelines: Sequence[str]) -> dict[str, Assistant]:
    """Return one assistant per pipeline, all sharing one retriever and answer backend."""
    from assistant.answer import Assistant
    from assistant.build import build_assistant

    base = build_assistant(settings, llm)
    bots: dict[str, Assistant] = {}
    for pipeline in pipelines:
        if pipeline == "ours":
            bots[pipeline] = base
        elif pipeline in ("bm25", "vector"):
            ungated = settings.model_copy(update={"refusal_threshold": 0.0})
            bots[pipeline] = Assistant(ungated, ModeRetriever(base.retriever, pipeline), base.backend, base.notes)
        else:
            raise ValueError(f"unknown pipeline {pipeline!r}; choose from {', '.join(PIPELINES)}")
    return bots


def run_eval(
    dataset_path: Path,
    out_dir: Path,
    pipelines: Sequence[str] = PIPELINES,
    llm: str = "extractive",
    k: int = 10,
    limit: int = 0,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """Return the summary after asking every (item, pipeline) pair not yet in out_dir/results.jsonl."""
    unknown = [p for p in pipelines if p not in PIPELINES]
    if unknown:
        raise ValueError(f"unknown pipeline(s) {', '.join(unknown)}; choose from {', '.join(PIPELINES)}")
    if settings is None:
        from assistant.settings import get_settings

        settings = get_settings()
    items = load_dataset(dataset_path)
    if limit:
        items = items[:limit]
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    results = out_dir / RESULTS
    done = {(row.get("id"), row.get("pipeline")) for row in read_rows(results)}
    pending = [(item, p) for p in pipelines for item in items if (item["id"], p) not in done]

    if pending:
        bots = make_bots(settings, llm, pipelines)
        if results.exists() and results.stat().st_size and not results.read_bytes().endswith(b"\n"):
            with results.open("a", encoding="utf-8") as fh:
                fh.write("\n")  # close a line torn by an interrupted run
        with results.open("a", encoding="utf-8") as fh:
            for item, pipeline in pending:
                row = ask_item(bots, pipeline, item, k)
                row["llm"] = llm
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
                fh.flush()

    ids = {item["id"] for item in items}
    rows = [row for row in read_rows(results) if row.get("id") in ids]
    summary: dict[str, Any] = {
        "dataset": str(dataset_path),
        "items": len(items),
        "llm": llm,
        "k": k,
        "asked": len(pending),
        "pipelines": {p: metrics.summarise([r for r in rows if r.get("pipeline") == p]) for p in pipelines},
    }
    (out_dir / SUMMARY).write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    return summary


def main(argv: Sequence[str] | None = None) -> int:
    """Run the evaluation from the command line and print the summary table; return the exit status."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m evals.run",
        description="Score the assistant on a JSONL QA dataset (see evals/README.md); resumable.",
    )
    parser.add_argument("--dataset", type=Path, required=True, help="JSONL dataset")
    parser.add_argument("--out", type=Path, required=True, help="folder for results.jsonl and summary.json")
    parser.add_argument("--pipeline", "--pipelines", dest="pipelines", default=",".join(PIPELINES),
                        help="comma-separated: " + ",".join(PIPELINES))
    parser.add_argument("--llm", default="extractive", help="auto, ollama, llamacpp or extractive")
    parser.add_argument("--k", type=int, default=10, help="passages scored for retrieval metrics")
    parser.add_argument("--limit", type=int, default=0, help="only the first N items")
    args = parser.parse_args(argv)
    summary = run_eval(args.dataset, args.out, args.pipelines.split(","), args.llm, args.k, args.limit)
    keys = ("hit@1", "hit@5", "mrr", "answer_accuracy", "citation_precision", "refusal_precision",
            "refusal_recall", "latency_p50", "latency_p95")
    print(f"{summary['items']} items, llm {summary['llm']}, asked now {summary['asked']}")
    print(f"{'pipeline':10}" + "".join(f"{k:>20}" for k in keys))
    for pipeline, row in summary["pipelines"].items():
        cells = "".join(f"{row[k]:>20.3f}" if isinstance(row.get(k), (int, float)) else f"{'–':>20}" for k in keys)
        print(f"{pipeline:10}{cells}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
