"""Ingest speed: end-to-end chunks per second beside the embedder's raw throughput on the same texts.

Writes the real corpus plus the NorQuAD contexts as files, ingests them through the product
pipeline into a fresh store (load, clean, annotate, chunk, embed, write Chroma, build BM25), then
embeds exactly the same chunk texts again with the bare embedder. The pipeline overhead is
end-to-end time / raw embedding time - 1. Finally the unchanged corpus is re-ingested, in-process
and as a fresh `assistant ingest` process, which must find nothing to do.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from assistant.app import App
from assistant.core.settings import get_settings
from assistant.index.store import record_to_chunk
from evals.norquad import load_split
from ingest.chunk import embedding_text

ROOT = Path(__file__).resolve().parent.parent


def write_corpus(folder: Path, norquad_contexts: int) -> int:
    """Write the real corpus and NorQuAD contexts as .txt files into folder; return the file count."""
    shutil.copytree(ROOT / "corpus", folder)
    docs = load_split("validation")[0] + load_split("test")[0]
    for doc in docs[:norquad_contexts]:
        name = doc.source.replace("/", "-")
        (folder / name).write_text(doc.pages[0].text, encoding="utf-8")
    return sum(1 for _ in folder.glob("*.*")) - 2  # minus manifest.json and README.md


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contexts", type=int, default=150, help="NorQuAD contexts to add to the corpus (max 944)")
    args = parser.parse_args(argv)


    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        tmp_path = Path(tmp)
        corpus = tmp_path / "corpus"
        files = write_corpus(corpus, args.contexts)
        settings = get_settings(data_dir=tmp_path / "data", corpus_dir=corpus)
        app = App(settings)
        embedder, store = app.embedder, app.store
        embedder.embed_passages(["oppvarming"])  # warm the engine for both measurements alike
        started = time.perf_counter()
        report = app.ingester().ingest([corpus], progress=False)
        e2e = time.perf_counter() - started


        texts = [embedding_text(record_to_chunk(i, t, m)) for i, t, m in store.iter_records()]
        started = time.perf_counter()
        embedder.embed_passages(texts)
        raw = time.perf_counter() - started

        started = time.perf_counter()
        again = App(settings, embedder).ingester().ingest([corpus], progress=False)
        reingest = time.perf_counter() - started
        env = {**os.environ, "ASSISTANT_DATA_DIR": str(settings.data_dir), "ASSISTANT_CORPUS_DIR": str(corpus)}
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "assistant", "ingest", "--no-progress"], env=env, check=True,
                       stdout=subprocess.DEVNULL)
        reingest_cli = time.perf_counter() - started

    n = report.chunks
    print(f"files {files}, chunks {n}, embedder {embedder.name}, batch {settings.embed_batch}, cores {os.cpu_count()}")
    print(f"end-to-end ingest : {e2e:7.2f} s  {n / e2e:7.1f} chunks/s  ({len(report.added) / e2e:.1f} files/s)")
    print(f"raw embedding     : {raw:7.2f} s  {n / raw:7.1f} chunks/s  (same texts, same batch size)")
    print(f"pipeline overhead : {e2e / raw - 1:7.1%}  (target <= 15 %)")
    print(f"re-ingest unchanged, in-process : {reingest:5.2f} s  ({len(again.unchanged)} unchanged, {again.chunks} chunks written)")
    print(f"re-ingest unchanged, CLI process: {reingest_cli:5.2f} s  (target <= 2 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
