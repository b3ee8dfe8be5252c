"""Reading alone: NorQuAD questions answered from their gold passage, no retrieval.

`python -m evals.bench_reader --split validation|test [--llm extractive,llamacpp] [--limit N] [--scorer trained,off]`

Each question goes through the product's own answer stages (gate, read, verify; `App.assistant_over`)
with a searcher that returns just the question's gold context, so only reading is measured. The
support score's corpus IDF comes from a keyword index over every NorQuAD context (both splits), as the
product's comes from its corpus. Printed per reader: exact match, token F1 and answer containment of
the answer shown (citation markers removed), the share refused, where the gold answer stood among the
evidence sentences (best one, best two, the reader's six), and seconds per answer. `--scorer trained,off`
runs the trained answer-sentence scorer and, as the baseline of the same run, the word-and-e5 score
with the hand-written answer-type cues it replaced.

The answer shown is one or two whole sentences (the product's design), while NorQuAD's golds are short
spans, so exact match and F1 are low by construction for a sentence; containment says whether the
answer holds the gold. EuroEval's anchor (Qwen2.5-1.5B-Instruct F1 61.1, few-shot, gold context)
asks for the span alone. Tune on validation, report test.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from assistant.answering.readers import quote_text
from assistant.app import App
from assistant.core.models import Chunk
from assistant.core.settings import get_settings
from assistant.llm.base import LLMUnavailable
from evals.metrics import answer_contains, exact_match, percentile, token_f1
from evals.norquad import SPLITS, load_split


class GoldSearcher:
    """A searcher that returns the one gold passage it is pointed at (reading is measured alone)."""

    embedder = None

    def __init__(self, store: Any) -> None:
        self.store = store
        self.passage: Chunk | None = None

    def search(self, query: str, k: int | None = None, filters: Any = None, mode: Any = None) -> list[Chunk]:
        """Return the gold passage of the current question."""
        return [self.passage] if self.passage is not None else []


def passage(source: str, text: str) -> Chunk:
    """Return a NorQuAD context as one passage (its first line is its title)."""
    title = text.strip().split("\n", 1)[0][:200]
    return Chunk(id=source, text=text, source=source, title=title, page=None, heading="", start=0, end=len(text))


def run_reader(app: App, llm: str, items: list, contexts: dict[str, str]) -> dict[str, Any]:
    """Return the scores of one reader over the items."""
    searcher = GoldSearcher(app.store)
    bot = app.assistant_over(searcher, llm, gated=True)
    rows = []
    for item in items:
        searcher.passage = passage(item.source, contexts[item.source])
        started = time.perf_counter()
        answer = bot.ask(item.question)
        seconds = time.perf_counter() - started
        # where the gold stands in the product's ranking of the passage's sentences, whatever the gate says
        evidence = [quote_text(e) for e in bot.evidence_for(item.question, [searcher.passage])]
        rows.append({
            "em": exact_match(answer.text, item.answers, answer.refused),
            "f1": token_f1(answer.text, item.answers, answer.refused),
            "contains": answer_contains(answer.text, item.answers, answer.refused),
            "refused": answer.refused,
            "fallback": bool(answer.notes),  # the model declined, failed or was not backed: quoted
            "best": answer_contains(evidence[0], item.answers) if evidence else 0.0,
            "best2": answer_contains(" ".join(evidence[:2]), item.answers) if evidence else 0.0,
            "top": answer_contains(" ".join(evidence[: app.settings.reader_sentences]), item.answers) if evidence else 0.0,
            "seconds": seconds,
            "first": answer.timings.get("first_token", seconds),
        })
    scorer = "trained scorer" if app.sentence_scorer is not None else "word-and-e5 score with cues"
    return {"name": f"{bot.backend.name} ({scorer})", "rows": rows}


def report(result: dict[str, Any], split: str) -> None:
    """Print one reader's figures."""
    rows = result["rows"]
    n = len(rows)

    def mean(key: str) -> float:
        return statistics.mean(float(r[key]) for r in rows) if rows else 0.0

    answered = [r for r in rows if not r["refused"]]
    print(f"\n{result['name']} on NorQuAD {split} with the gold passage ({n} questions)")
    print(f"  exact match {100 * mean('em'):5.1f}   token F1 {100 * mean('f1'):5.1f}   containment {mean('contains'):.3f}")
    print(f"  refused {mean('refused'):.3f}   quoted in place of the model {mean('fallback'):.3f}")
    if answered:
        print(f"  containment when answered {statistics.mean(r['contains'] for r in answered):.3f}")
    print(f"  gold in the best evidence sentence {mean('best'):.3f}   in the best two {mean('best2'):.3f}   "
          f"in the reader's sentences {mean('top'):.3f}")
    seconds = [r["seconds"] for r in rows]
    first = [r["first"] for r in rows]
    print(f"  seconds per answer p50 {percentile(seconds, 50) or 0:.2f}  p95 {percentile(seconds, 95) or 0:.2f}   "
          f"first shown word p50 {percentile(first, 50) or 0:.2f}  p95 {percentile(first, 95) or 0:.2f}")


def main(argv: list[str] | None = None) -> int:
    """Run the reader benchmark and print one block per reader; return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m evals.bench_reader", description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=SPLITS, default="validation", help="tune on validation, report test")
    parser.add_argument("--llm", default="extractive,llamacpp", help="comma-separated readers: extractive, llamacpp, ollama")
    parser.add_argument("--limit", type=int, default=0, help="first N questions for a generative reader (0: all)")
    parser.add_argument("--scorer", default="trained", help="comma-separated: trained (the product's), off (baseline)")
    args = parser.parse_args(argv)

    docs = [d for split in SPLITS for d in load_split(split)[0]]
    _, items = load_split(args.split)
    contexts = {d.source: d.pages[0].text for d in docs}
    with tempfile.TemporaryDirectory(prefix="bench-reader-") as tmp:
        base = get_settings()
        model = base.models_dir() / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
        overrides = {"data_dir": Path(tmp), "chroma_host": ""}
        if model.exists():
            overrides["llamacpp_model"] = str(model)  # assembled models live in the real data dir
        first = App(base.model_copy(update=overrides))
        first.keyword.build(((d.source, d.pages[0].text, {"source": d.source}) for d in docs), generation=0)
        print(f"corpus IDF over {len(docs)} NorQuAD contexts; reader sees {first.settings.reader_sentences} sentences")
        for scorer in args.scorer.split(","):
            app = first.with_settings(sentence_scorer=scorer)
            for llm in args.llm.split(","):
                chosen = items if llm == "extractive" or not args.limit else items[: args.limit]
                try:
                    report(run_reader(app, llm, chosen, contexts), args.split)
                except LLMUnavailable as exc:
                    print(f"\n{llm}: not available ({exc})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
