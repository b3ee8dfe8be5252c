"""Search latency: p50/p95 of a hybrid search (query embedding included) on the corpus and on 100k chunks.

The 100k store is synthetic: 400 real NorQuAD chunks are embedded, then 100k chunks are made from
them (texts: four random real sentences; vectors: a real chunk's vector plus noise, renormalised), so both
Chroma's HNSW and BM25 work on realistic data at scale without embedding 100k texts on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from assistant.answering.retrieve import Retriever
from assistant.app import App
from assistant.core.kommuner import load_register
from assistant.core.models import Chunk
from assistant.core.settings import get_settings
from evals.metrics import percentile
from evals.norquad import load_split
from ingest.chunk import chunk_document, embedding_text

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = [
    "Hvem finansierer FN-senteret i Trondheim?",
    "Kven har det øvste ansvaret for FN-senteret?",
    "How many people were picked for the citizens' panel?",
    "hvor mange innspil har trondhiem fått",
    "Hvilke barrierer for sirkulærøkonomi ble nevnt?",
    "Hvilke kommuner har bærekraftsrapport for 2024?",
    "Hva er U4SSC?",
    "Når skal bystyret vedta samfunnsplanen?",
    "Hva er Kortreist Kvalitet?",
    "Hvem var vertskap for samlingen i juni 2021?",
]


def measure(retriever, questions: list[str], repeats: int) -> list[float]:
    """Return the latency in ms of each search (after one warm-up pass)."""
    for q in questions:
        retriever.search(q)
    times = []
    for _ in range(repeats):
        for q in questions:
            started = time.perf_counter()
            retriever.search(q)
            times.append((time.perf_counter() - started) * 1000)
    return times


def synthetic_store(app: App, size: int, bases: int = 400, seed: int = 7) -> Retriever:
    """Return the app's retriever over `size` synthetic chunks derived from real NorQuAD chunks."""
    settings, embedder = app.settings, app.embedder


    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    docs = load_split("validation")[0] + load_split("test")[0]
    chunks = [c for d in docs for c in chunk_document(d, embedder.count_tokens, settings.chunk_tokens, settings.chunk_overlap)]
    base = rng.sample(chunks, min(bases, len(chunks)))
    base_vectors = embedder.embed_passages([embedding_text(c) for c in base])
    sentences = [s.strip() + "." for c in chunks for s in c.text.split(".") if len(s.strip()) > 20]
    kommuner = [k.name for k in load_register()]
    store = app.store
    store.bump_generation()
    batch = 5000
    for start in range(0, size, batch):
        chunks, vectors = [], []
        for i in range(start, min(start + batch, size)):
            j = rng.randrange(len(base))
            text = " ".join(rng.sample(sentences, 4))
            kommune = rng.choice(kommuner)
            chunks.append(Chunk(f"syn-{i}", text, f"syn/{i // 20}.txt", f"Syntetisk {i // 20}", 1 + i % 20, "",
                                0, len(text), {"kommune": kommune, "kommuner": [kommune], "year": 2015 + i % 10,
                                               "content_hash": "syn", "n_chunks": 20, "doc_type": "rapport"}))
            v = base_vectors[j] + nrng.normal(0, 0.02, base_vectors.shape[1]).astype("float32")
            vectors.append(v / np.linalg.norm(v))
        store.upsert(chunks, np.asarray(vectors))
    app.keyword.build(store.iter_records(), store.generation())
    return app.retriever


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print p50/p95; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000, help="chunks in the synthetic store")
    parser.add_argument("--repeats", type=int, default=5, help="passes over the questions")
    args = parser.parse_args(argv)


    with tempfile.TemporaryDirectory(prefix="bench-search-") as tmp:
        settings = get_settings(data_dir=Path(tmp) / "corpus-data", corpus_dir=ROOT / "corpus")
        app = App(settings)
        embedder = app.embedder
        app.ingester().ingest([ROOT / "corpus"], progress=False)
        corpus_retriever = app.retriever
        embed_ms = []
        for q in QUESTIONS * args.repeats:
            started = time.perf_counter()
            embedder.embed_query(q)
            embed_ms.append((time.perf_counter() - started) * 1000)
        corpus_ms = measure(corpus_retriever, QUESTIONS, args.repeats)

        big_settings = get_settings(data_dir=Path(tmp) / "big-data", collection="synthetic")
        started = time.perf_counter()
        big = synthetic_store(App(big_settings, embedder), args.size)
        build_s = time.perf_counter() - started
        big_ms = measure(big, QUESTIONS, args.repeats)

    print(f"cores {os.cpu_count()}, embedder {embedder.name}, k {settings.k}, candidates {settings.candidates}")
    print(f"query embedding alone        : p50 {percentile(embed_ms, 50):6.1f} ms  p95 {percentile(embed_ms, 95):6.1f} ms")
    print(f"corpus ({corpus_retriever.store.count()} chunks)         : p50 {percentile(corpus_ms, 50):6.1f} ms  "
          f"p95 {percentile(corpus_ms, 95):6.1f} ms")
    print(f"synthetic ({big.store.count()} chunks) : p50 {percentile(big_ms, 50):6.1f} ms  "
          f"p95 {percentile(big_ms, 95):6.1f} ms  (target p95 <= 150 ms; store built in {build_s:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
