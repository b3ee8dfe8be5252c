"""Evaluation runner: asks every dataset item through each pipeline and scores it, resumably.

Pipelines:
- ``ours``: ``Assistant.ask`` with the item's history and filters (hybrid retrieval, the refusal gate).
- ``naive``: the LangChain tutorial recipe (``evals.naive``) with the same embedder and answer backend.
- ``bm25`` / ``vector``: the same assistant and answer backend, but retrieval forced to one mode and no
  similarity gate before generating (BM25 passages carry no vector score); only the backend's own
  "not found" answer counts as a refusal.

Retrieval metrics use a separate ranked list of ``k`` passages from the pipeline's retrieval mode
(for the standalone question the assistant answered); the answer uses the pipeline's usual passages.
One JSON line per (item, pipeline) goes to ``out_dir/results.jsonl``; pairs already there are skipped.
``summary.json``, ``report.md`` and its plots are rewritten from all rows at the end of every run.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console

from assistant.answering.support import asks_for
from assistant.app import App
from assistant.llm.base import LLMUnavailable
from evals import judge as judging
from evals import metrics
from evals.corpus import CorpusError, ingest_corpus, naive_index_dir
from evals.jsonl import open_append, read_rows, write_line
from evals.naive import NaiveRAG, NaiveRetriever, open_index
from evals.progress import progress_bar
from evals.report import write_report

if TYPE_CHECKING:
    from assistant.core.models import Answer, Chunk
    from assistant.llm.base import ChatModel

PIPELINES = ("ours", "naive", "bm25", "vector")
RETRIEVAL_MODE = {"ours": "hybrid", "naive": "vector", "bm25": "bm25", "vector": "vector"}
RESULTS = "results.jsonl"
SUMMARY = "summary.json"

__all__ = ["PIPELINES", "load_dataset", "make_bots", "read_rows", "run_eval", "score_row"]


def load_dataset(path: Path) -> list[dict[str, Any]]:
    """Return the dataset items, one JSON object per non-empty line."""
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def score_row(item: dict[str, Any], answer: Answer, retrieved: Sequence[Chunk], latency: float) -> dict[str, Any]:
    """Return the result row of one answered item: what was said, cited and retrieved, and every metric."""
    answers, evidence = item.get("answers", []), item.get("evidence")
    rank = metrics.retrieval_hits([c.text for c in retrieved], answers, evidence) if item["answerable"] else None
    row: dict[str, Any] = {
        "id": item["id"],
        **answer.to_dict(),  # what was said, cited, quoted from and how long it took, as `ask --json` prints it
        "question": item["question"],
        "answerable": bool(item["answerable"]),
        "tags": item.get("tags", []),
        "retrieved": [c.to_dict() for c in retrieved],  # the ranked list the retrieval metrics read, with scores
        "latency": latency,
        "rank": rank,
        "asks": asks_for(item["question"]) or "other",  # the kind of answer the question asks for
    }
    for k in metrics.KS:
        row[f"hit@{k}"] = metrics.hit_at_k(rank, k)
    row["rr"] = metrics.reciprocal_rank(rank)
    row["answer_contains"] = metrics.answer_contains(answer.text, answers, answer.refused)
    row["token_f1"] = metrics.token_f1(answer.text, answers, answer.refused)
    row["citation_precision"] = metrics.citation_precision([c.chunk.text for c in answer.citations], answers, evidence)
    return row


def ask_item(bots: dict[str, Any], pipeline: str, item: dict[str, Any], k: int) -> dict[str, Any]:
    """Return the scored row of one item asked through one pipeline."""
    bot = bots[pipeline]
    filters = item.get("filters") or None
    started = time.perf_counter()
    answer = bot.ask(item["question"], item.get("history") or [], filters)
    latency = time.perf_counter() - started
    query = answer.standalone_question or item["question"]
    retrieved = bot.retriever.search(query, k=k, filters=filters, mode=RETRIEVAL_MODE[pipeline])
    return {"pipeline": pipeline, **score_row(item, answer, retrieved, latency)}


def make_bots(
    app: App,
    llm: str,
    pipelines: Sequence[str],
    naive_corpus: Path | None = None,
    naive_dir: Path | None = None,
    progress: bool | None = None,
) -> dict[str, Any]:
    """Return one answering object per pipeline, all from the app: one embedder and one answer backend.

    `ours` is the assistant users get; `bm25`/`vector` are its variants with one retrieval mode and no
    refusal gate; `naive` needs the corpus folder to split and the folder for its index (built once, then reused).
    """
    bots: dict[str, Any] = {}
    for pipeline in pipelines:
        if pipeline == "ours":
            bots[pipeline] = app.assistant(llm)
        elif pipeline in ("bm25", "vector"):
            bots[pipeline] = app.assistant(llm, mode=pipeline, gated=False)
        elif pipeline == "naive":
            corpus = Path(naive_corpus or app.settings.corpus_dir)
            if not corpus.is_dir():
                raise CorpusError(f"the naive pipeline reads the corpus folder {corpus}, which does not exist; "
                                  "pass --corpus DIR or set ASSISTANT_CORPUS_DIR")
            embedder = app.sentence_embedder
            index = open_index(corpus, Path(naive_dir or naive_index_dir(app.settings, corpus)), embedder,
                               lambda total, label: progress_bar(total, label, progress))
            bots[pipeline] = NaiveRAG(app.settings, NaiveRetriever(index, embedder), app.backend(llm)[0],
                                      app.quote)
        else:
            raise ValueError(f"unknown pipeline {pipeline!r}; choose from {', '.join(PIPELINES)}")
    return bots


def judge_chat(app: App, bots: dict[str, Any] | None) -> tuple[ChatModel | None, str]:
    """Return the chat model that judges faithfulness (the answer LLM, else the first available) and a note."""
    for bot in (bots or {}).values():
        if bot.backend.chat is not None:
            return bot.backend.chat, ""
    notes = []
    for name in ("ollama", "llamacpp"):  # any model will do here, the embedded one too (`auto` stops at quoting)
        try:
            return app.backend(name)[0].chat, ""
        except LLMUnavailable as exc:
            notes.append(str(exc))
    return None, "Not judged: no LLM backend is available (" + "; ".join(notes) + ")."


@dataclass
class Run:
    """What one invocation prepared: the app of the store asked, the pipelines' bots, notes for the user."""

    app: App
    bots: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)
    naive_index: dict[str, Any] | None = None


def prepare_run(app: App, llm: str, pipelines: Sequence[str], corpus: Path | None, progress: bool | None) -> Run:
    """Return the run's bots, after ingesting `corpus` into its own evaluation store when one is given."""
    run = Run(app)
    naive_dir = naive_index_dir(app.settings, Path(corpus or app.settings.corpus_dir))
    if corpus is not None:
        run.app, skipped = ingest_corpus(app, Path(corpus), progress if progress is not None else _is_tty())
        run.notes += [f"skipped {source}: {reason}" for source, reason in skipped]
    run.bots = make_bots(run.app, llm, pipelines, corpus, naive_dir, progress)
    product = [run.bots[p] for p in pipelines if p != "naive"]
    if product and product[0].retriever.store.count() == 0:
        raise CorpusError(f"the store in {run.app.settings.data_dir} is empty: run `assistant ingest` or pass --corpus DIR")
    run.notes += list(product[0].notes) if product else []
    if "naive" in pipelines:
        stamp = naive_dir / "fingerprint.json"
        if stamp.exists():
            run.naive_index = {"dir": str(naive_dir), **json.loads(stamp.read_text(encoding="utf-8"))}
    return run


def _is_tty() -> bool:
    """Return True when stderr is a terminal (progress bars are shown only then)."""
    return Console(stderr=True).is_terminal


def run_eval(
    dataset_path: Path,
    out_dir: Path,
    pipelines: Sequence[str] = PIPELINES,
    llm: str = "extractive",
    k: int = 10,
    limit: int = 0,
    app: App | None = None,
    corpus: Path | None = None,
    judge: bool = False,
    progress: bool | None = None,
) -> dict[str, Any]:
    """Return the summary after asking every (item, pipeline) pair not yet in out_dir/results.jsonl.

    `corpus`: a folder to evaluate on instead of the configured store (ingested into its own store under
    the data dir). `judge`: also ask an LLM whether each answer is supported by its citations.
    `progress`: show progress bars (None: only when stderr is a terminal).
    """
    unknown = [p for p in pipelines if p not in PIPELINES]
    if unknown:
        raise ValueError(f"unknown pipeline(s) {', '.join(unknown)}; choose from {', '.join(PIPELINES)}")
    app = app or App()
    items = load_dataset(dataset_path)
    if limit:
        items = items[:limit]
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    results = out_dir / RESULTS
    done = {(row.get("id"), row.get("pipeline")) for row in read_rows(results)}
    pending = [(item, p) for p in pipelines for item in items if (item["id"], p) not in done]

    run: Run | None = None
    if pending:
        run = prepare_run(app, llm, pipelines, corpus, progress)
        with open_append(results) as fh, progress_bar(len(pending), "Eval", progress) as advance:
            for item, pipeline in pending:
                row = ask_item(run.bots, pipeline, item, k)
                row["llm"] = llm
                write_line(fh, row)
                advance(1, f"{pipeline} {item['id']}")

    ids = {item["id"] for item in items}
    rows = [row for row in read_rows(results) if row.get("id") in ids and row.get("pipeline") in pipelines]
    judge_note = ""
    if judge:
        verdicts = judging.read_verdicts(out_dir)
        todo = judging.pending(rows, verdicts)
        if todo:
            run = run or prepare_run(app, llm, pipelines, corpus, progress)
            chat, judge_note = judge_chat(run.app, run.bots)
            if chat is not None:
                with open_append(out_dir / judging.JUDGE_FILE) as fh, progress_bar(len(todo), "Judge", progress) as advance:
                    for row in todo:
                        write_line(fh, judging.judge_row(chat, row))
                        advance(1, f"{row['pipeline']} {row['id']}")

    previous = json.loads((out_dir / SUMMARY).read_text(encoding="utf-8")) if (out_dir / SUMMARY).exists() else {}
    summary: dict[str, Any] = {
        "dataset": str(dataset_path),
        "items": len(items),
        "llm": llm,
        "k": k,
        "corpus": str(corpus) if corpus else previous.get("corpus"),
        "asked": len(pending),
        "pipelines": {p: metrics.summarise([r for r in rows if r.get("pipeline") == p]) for p in pipelines},
    }
    naive_index = (run.naive_index if run else None) or previous.get("naive_index")
    if naive_index and "naive" in pipelines:
        summary["naive_index"] = naive_index
    verdicts = judging.read_verdicts(out_dir)
    if judge or verdicts:
        keys = {(r["id"], r["pipeline"]) for r in rows}
        summary["judge"] = {"pipelines": {
            p: judging.summarise(v for key, v in verdicts.items() if key in keys and key[1] == p) for p in pipelines}}
        if judge_note:
            summary["judge"]["note"] = judge_note
    if run and run.notes:
        summary["notes"] = run.notes
    (out_dir / SUMMARY).write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    write_report(out_dir, summary, rows)
    return summary
