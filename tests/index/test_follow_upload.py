"""A question asked while another process is still ingesting: the app must see the whole run once it ends.

Real processes and the real store: a long-lived Python process holds an App and answers searches over a
pipe; a writer process ingests several documents, stopping after its first written batch until told
to go on. A search at that moment makes the app follow the store's first generation bump; once the
writer is done, the app must find by vector and by keyword what the writer wrote after that search.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.index.test_follow import PLACES, ROOT, SERVER, _ask, _env

WRITER = r"""
import sys
from pathlib import Path
import ingest.pipeline as pipeline
from assistant.app import App

pipeline.FLUSH_CHUNKS = 1  # one document per written batch
flush, batches = pipeline.Indexer.flush, []

def paused_flush(self):
    flush(self)
    batches.append(1)
    if len(batches) == 1:  # the first document is in the store: wait for the reader's question
        print("written", flush=True)
        sys.stdin.readline()

pipeline.Indexer.flush = paused_flush
report = App().ingester().ingest([Path(sys.argv[1])], progress=False)
print("done", len(report.added), flush=True)
"""


def _documents(folder) -> None:
    folder.mkdir()
    for i, place in enumerate(PLACES[:4]):
        (folder / f"plan{i}.txt").write_text(
            f"Plan for {place}\n\n{place} kommune vil plante {100 + i} eiketrær i sentrum innen 2030.\n", encoding="utf-8"
        )


# slow: quick cover: the replace journal is quick in tests/index/test_store_contract.py (Chroma and MemoryStore) and retrieval during a replace in tests/answering/test_retrieve_logic.py
@pytest.mark.slow
def test_a_search_during_an_ingest_does_not_leave_the_app_with_half_of_it(settings, e5, tmp_path):
    folder = tmp_path / "planer"
    _documents(folder)
    (tmp_path / "first").mkdir()
    (tmp_path / "first" / "start.txt").write_text("Start\n\nMalvik kommune har en sykkelplan.\n", encoding="utf-8")
    from assistant.app import App

    App(settings, e5).ingester().ingest([tmp_path / "first"], progress=False)

    env = _env(settings)
    reader = subprocess.Popen([sys.executable, "-c", SERVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True, env=env, cwd=str(ROOT))
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(folder)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env, cwd=str(ROOT))
    try:
        assert reader.stdout.readline().strip() == "ready"
        assert writer.stdout.readline().strip() == "written"
        during = _ask(reader, "eiketrær i Holtålen", "bm25")  # the app follows the store mid-run
        assert all("Holtålen" not in text for _, text in during)  # not written yet
        writer.stdin.write("go\n")
        writer.stdin.flush()
        assert writer.stdout.readline().split() == ["done", "4"]
        assert writer.wait(timeout=120) == 0

        for mode in ("bm25", "vector", "hybrid"):  # written after the app's question, found all the same
            for place in PLACES[:4]:
                hits = _ask(reader, f"Hvor mange eiketrær vil {place} plante?", mode)
                assert any(place in text and "eiketrær" in text for _, text in hits), (mode, place, hits)
    finally:
        for proc in (reader, writer):
            proc.stdin.close()
            proc.terminate()
            proc.wait(timeout=30)
