"""A store that a running app follows, and a reindex that switches only when complete.

Real processes: a long-lived Python process holds an App and answers searches over a pipe while
`python -m assistant ingest` (another process) adds a document, or a `--reindex` is killed with SIGKILL.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.app import App, store_config
from assistant.index.store import OLD_SUFFIX, REBUILD_SUFFIX, ChunkStore
from tests.fakes import HashEmbedder

ROOT = Path(__file__).resolve().parents[2]

SERVER = r"""
import json, sys
from assistant.app import App
app = App()
retriever = app.retriever
print("ready", flush=True)
for line in sys.stdin:
    query, mode = line.rstrip("\n").split("\t")
    hits = retriever.search(query, k=3, mode=mode)
    print(json.dumps([[h.source, h.text] for h in hits]), flush=True)
"""

FIRST = "Sykkelplan for Malvik\n\nMalvik kommune skal bygge tolv kilometer ny sykkelvei langs fylkesveien innen 2026.\n"
SECOND = (
    "Havvind ved Frøya\n\nFrøya kommune utreder et flytende havvindanlegg nord for Sula, "
    "med plass til tjue turbiner og ilandføring på Nordskaget.\n"
)


def _env(settings) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "ASSISTANT_DATA_DIR": str(settings.data_dir),
            "ASSISTANT_CORPUS_DIR": str(settings.corpus_dir), "ASSISTANT_LLM": "extractive",
            "ANONYMIZED_TELEMETRY": "False", "HF_HUB_OFFLINE": "1", "COLUMNS": "200"}


def _ask(proc: subprocess.Popen, query: str, mode: str) -> list[list[str]]:
    proc.stdin.write(f"{query}\t{mode}\n")
    proc.stdin.flush()
    return json.loads(proc.stdout.readline())


@pytest.mark.slow  # three processes (an app, an ingest, a reindex): 10-35 s; the quick set keeps test_follow_upload's two processes
def test_a_running_app_finds_by_vector_what_another_process_ingested(settings, e5, tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir(), second.mkdir()
    (first / "sykkel.txt").write_text(FIRST, encoding="utf-8")
    (second / "havvind.txt").write_text(SECOND, encoding="utf-8")
    App(settings, e5).ingester().ingest([first], progress=False)

    env = _env(settings)
    proc = subprocess.Popen([sys.executable, "-c", SERVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env=env, cwd=str(ROOT))
    try:
        assert proc.stdout.readline().strip() == "ready"
        question = "Hvor mange turbiner skal havvindanlegget ha?"
        assert {s for s, _ in _ask(proc, question, "vector")} == {"sykkel.txt"}  # the only document yet

        done = subprocess.run([sys.executable, "-m", "assistant", "ingest", str(second), "--no-progress"],
                              env=env, cwd=str(ROOT), capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr

        vector = _ask(proc, question, "vector")  # the same running process, no restart
        assert vector[0][0] == "havvind.txt" and "tjue turbiner" in vector[0][1]
        assert _ask(proc, question, "bm25")[0][0] == "havvind.txt"
        assert _ask(proc, question, "hybrid")[0][0] == "havvind.txt"

        again = subprocess.run([sys.executable, "-m", "assistant", "ingest", "--reindex", str(first), str(second),
                                "--no-progress"], env=env, cwd=str(ROOT), capture_output=True, text=True, timeout=300)
        assert again.returncode == 0, again.stdout + again.stderr
        assert _ask(proc, question, "vector")[0][0] == "havvind.txt"  # follows a reindex's switch too
    finally:
        proc.stdin.close()
        proc.terminate()
        proc.wait(timeout=30)


PLACES = ["Malvik", "Frøya", "Hitra", "Orkland", "Skaun", "Melhus", "Selbu", "Oppdal", "Røros", "Tydal", "Holtålen",
          "Rennebu"]


def _write_many(folder: Path, n: int) -> None:
    folder.mkdir()
    for i in range(n):
        (folder / f"dok{i:03d}.txt").write_text(
            f"Klimaplan for {PLACES[i]}\n\n{PLACES[i]} kommune har en egen klimaplan. " + " ".join(f"Tiltak {j} for utslippskutt i sektor {i} gir {j * i} tonn." for j in range(6)),
            encoding="utf-8",
        )


class _FailingEmbedder:
    """An embedder that fails on its second batch of passages (a reindex dying halfway)."""

    def __init__(self, inner) -> None:
        self.inner, self.calls = inner, 0

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def embed_passages(self, texts):
        self.calls += 1
        if self.calls >= 2:
            raise RuntimeError("killed halfway")
        return self.inner.embed_passages(texts)


def test_a_reindex_that_fails_halfway_leaves_the_old_store_answering(settings, tmp_path, monkeypatch):
    e5 = HashEmbedder()  # the store's switch is logic around the embedder: the deterministic stand-in will do
    folder = tmp_path / "many"
    _write_many(folder, 8)
    app = App(settings, e5)
    app.ingester().ingest([folder], progress=False)
    before = app.store.count()

    monkeypatch.setattr("ingest.pipeline.FLUSH_CHUNKS", 3)  # several batches: the first is written, the second fails
    failing = App(settings, _FailingEmbedder(e5))
    with pytest.raises(RuntimeError, match="killed halfway"):
        failing.ingester(reindex=True).ingest([folder], reindex=True, progress=False)

    fresh = App(settings, e5)
    assert fresh.store.count() == before
    assert fresh.retriever.search("klimaplanen til Oppdal", k=3, mode="vector")
    assert fresh.retriever.search("klimaplanen til Oppdal", k=3, mode="bm25")[0].source == "dok007.txt"
    report = fresh.ingester(reindex=True).ingest([folder], reindex=True, progress=False)  # and a retry completes
    assert report.ok and fresh.store.count() == before
    names = {c.name for c in fresh.store.client.list_collections()}
    assert names == {settings.collection}  # nothing left aside
    assert fresh.retriever.search("klimaplanen til Oppdal", k=3, mode="vector")


@pytest.mark.slow
def test_a_reindex_killed_with_sigkill_leaves_the_old_store_answering(settings, e5, tmp_path):
    folder = tmp_path / "many"
    _write_many(folder, 12)
    App(settings, e5).ingester().ingest([folder], progress=False)
    before = ChunkStore(store_config(settings), e5.name, e5.dim).count()

    proc = subprocess.Popen([sys.executable, "-m", "assistant", "-v", "ingest", "--reindex", str(folder), "--no-progress"],
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, env=_env(settings), cwd=str(ROOT),
                            text=True)
    deadline = time.monotonic() + 300
    for line in proc.stderr:  # the reindex has begun: kill it without warning
        if "beside the old one" in line or "wrote" in line or time.monotonic() > deadline:
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL

    app = App(settings, e5)
    assert app.store.count() == before
    assert app.retriever.search("klimaplanen til Oppdal", k=3, mode="vector")[0].source == "dok007.txt"
    report = app.ingester(reindex=True).ingest([folder], reindex=True, progress=False)
    assert report.ok and app.store.count() == before


def test_a_switch_killed_between_its_renames_is_finished_on_next_open(settings, e5):
    store = ChunkStore(store_config(settings), e5.name, e5.dim)
    aside = store.rebuild_aside()
    aside._stamp(aside.generation(), complete=True)
    store.collection.modify(name=settings.collection + OLD_SUFFIX)  # killed here, before the second rename
    reopened = ChunkStore(store_config(settings), e5.name, e5.dim)
    names = {c.name for c in reopened.client.list_collections()}
    assert names == {settings.collection}
    assert reopened.collection.id == aside.collection.id
    assert not {settings.collection + REBUILD_SUFFIX, settings.collection + OLD_SUFFIX} & names
