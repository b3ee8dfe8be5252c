"""Retrieval benchmark on NorQuAD: recall@1/3/5/10 and MRR for BM25-only, vector-only and hybrid.

The contexts of both splits are ingested as documents through the product pipeline (clean, annotate,
chunk, embed, store); each question of the chosen split is asked, and a question counts as a hit at
rank r when the r-th returned passage is the first to contain a gold answer, by the evaluation runner's
definition (``evals.metrics.retrieval_hits``: NFC, case, punctuation and whitespace normalised, on word
boundaries). Tune on --split validation; report --split test.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from assistant.app import App
from assistant.core.settings import get_settings
from evals.metrics import KS, hit_at_k, reciprocal_rank, retrieval_hits
from evals.norquad import load_split
from ingest.pipeline import prepare

MODES = ("bm25", "vector", "hybrid")


def hit_rank(passages: list[str], answers: list[str]) -> int | None:
    """Return the 1-based rank of the first passage containing a gold answer (the runner's hit), or None."""
    return retrieval_hits(passages, answers, None)


def scores(ranks: list[int | None]) -> dict[str, float]:
    """Return recall@k for each k in KS and the MRR of a list of hit ranks (from the first max(KS) passages)."""
    n = max(len(ranks), 1)
    out = {f"R@{k}": sum(hit_at_k(r, k) for r in ranks) / n for k in KS}
    out["MRR"] = sum(reciprocal_rank(r) for r in ranks if r is None or r <= max(KS)) / n
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("validation", "test"), default="test", help="questions to ask")
    parser.add_argument("--data-dir", type=Path, help="keep the index here (default: a temporary folder)")
    parser.add_argument("--reuse", action="store_true", help="reuse an index already in --data-dir")
    parser.add_argument("--limit", type=int, default=0, help="ask only the first N questions")
    parser.add_argument("--modes", default=",".join(MODES), help="comma-separated: bm25,vector,hybrid")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="override a setting, e.g. --set chunk_tokens=400 --set rrf_k=30")
    args = parser.parse_args(argv)


    tmp = None
    data_dir = args.data_dir
    if data_dir is None:
        tmp = tempfile.TemporaryDirectory(prefix="norquad-")
        data_dir = Path(tmp.name)
    overrides = dict(item.split("=", 1) for item in args.set)
    settings = get_settings(data_dir=data_dir, collection="norquad", **overrides)

    app = App(settings)
    store = app.store
    if not (args.reuse and store.count()):
        store.reset()
        docs = []
        for split in ("validation", "test"):
            docs.extend(load_split(split)[0])
        started = time.perf_counter()
        n = app.ingester().index_documents((prepare(d) for d in docs), progress=True, total=len(docs))
        print(f"indexed {len(docs)} contexts as {n} chunks in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    retriever = app.retriever
    items = load_split(args.split)[1]
    if args.limit:
        items = items[: args.limit]

    results: dict[str, dict[str, float]] = {}
    for mode in args.modes.split(","):
        started = time.perf_counter()
        ranks = [
            hit_rank([p.text for p in retriever.search(item.question, k=max(KS), mode=mode)], item.answers)
            for item in items
        ]
        results[mode] = {**scores(ranks), "seconds": time.perf_counter() - started}

    print(f"\nNorQuAD {args.split}: {len(items)} questions, {store.count()} chunks, "
          f"embedder {app.embedder.name}, chunk_tokens {settings.chunk_tokens}, overlap {settings.chunk_overlap}")
    print(f"{'mode':8} " + " ".join(f"{k:>6}" for k in [*(f'R@{k}' for k in KS), 'MRR']))
    for mode, row in results.items():
        print(f"{mode:8} " + " ".join(f"{row[key]:6.3f}" for key in [*(f'R@{k}' for k in KS), 'MRR']))
    if args.json:
        args.json.write_text(json.dumps({"split": args.split, "questions": len(items), "settings": overrides,
                                         "results": results}, indent=2), encoding="utf-8")
    if tmp:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
