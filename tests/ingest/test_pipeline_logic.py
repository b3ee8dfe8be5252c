"""Ingestion's bookkeeping over the in-memory store: added, unchanged, updated, removed, redone and reindexed files.

The product's `Ingester` and `Retriever` (from `App`) run over `MemoryStore` and `HashEmbedder` via
`tests.fakes.memory_app`: which files a run writes, replaces or removes is logic. The same cases with
the real e5 and Chroma stay in tests/ingest/test_pipeline.py and tests/index/test_follow.py.
"""

from __future__ import annotations

import pytest

from tests.fakes import MemoryStore, memory_app

DOCS = {
    "klima.txt": "Klimaplan\n\nKommunen skal kutte utslippene med 40 prosent innen 2030.\n",
    "vann.txt": "Vannplan\n\nVannverket forsyner 2600 innbyggere fra Lauvåsvatnet.\n",
    "skole.md": "# Skoleplan\n\n" + "\n\n".join(  # long enough for several chunks
        f"Skole nummer {i} har plass til {i * 10} elever og er bygd i massivtre." for i in range(1, 120)),
}


def integrity(store) -> None:
    """Every source holds exactly the chunks of one version: no duplicates, no orphans."""
    states = store.source_states()
    assert all(s.complete and s.content_hash for s in states.values()), states
    assert sum(s.expected for s in states.values()) == store.count()


@pytest.fixture
def folder(tmp_path):
    root = tmp_path / "docs"
    root.mkdir()
    for name, text in DOCS.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


def texts(app, question: str, mode: str = "hybrid") -> list[str]:
    return [c.text for c in app.retriever.search(question, k=5, mode=mode)]


def test_unchanged_changed_removed_and_reindexed_files(settings, folder):
    app = memory_app(settings)
    first = app.ingester().ingest([folder], progress=False)
    assert sorted(first.added) == sorted(DOCS) and first.ok and first.keyword_rebuilt
    assert first.chunks == app.store.count() == sum(first.file_chunks.values())
    integrity(app.store)
    generation = app.store.generation()

    again = app.ingester().ingest([folder], progress=False)
    assert sorted(again.unchanged) == sorted(DOCS) and again.chunks == 0 and not again.keyword_rebuilt
    assert app.store.generation() == generation  # nothing written, nothing bumped

    (folder / "klima.txt").write_text(DOCS["klima.txt"].replace("40 prosent innen 2030", "60 prosent innen 2035"),
                                      encoding="utf-8")
    changed = app.ingester().ingest([folder], progress=False)
    assert changed.updated == ["klima.txt"] and sorted(changed.unchanged) == ["skole.md", "vann.txt"]
    assert app.store.generation() == generation + 2  # bumped before the first write and after the last
    assert app.store.replacing() == {}
    integrity(app.store)
    for mode in ("hybrid", "vector", "bm25"):
        found = texts(app, "Hvor mye skal kommunen kutte utslippene?", mode)
        assert any("60 prosent" in t for t in found) and not any("40 prosent" in t for t in found), mode

    (folder / "vann.txt").unlink()
    removed = app.ingester().ingest([folder], progress=False)
    assert removed.removed == ["vann.txt"] and "vann.txt" not in app.store.source_states()
    integrity(app.store)
    assert not any("Lauvåsvatnet" in t for t in texts(app, "Lauvåsvatnet vannverket", "bm25"))

    before = app.store.generation()
    rebuilt = app.ingester(reindex=True).ingest([folder], reindex=True, progress=False)
    assert sorted(rebuilt.added) == ["klima.txt", "skole.md"] and rebuilt.chunks == app.store.count()
    assert app.store.generation() > before + 1 and rebuilt.keyword_rebuilt
    integrity(app.store)
    assert any("350 elever" in t for t in texts(app, "Hvor mange elever har skolen plass til?"))


def test_a_file_only_partly_written_is_done_again(settings, folder):
    app = memory_app(settings)
    app.ingester().ingest([folder], progress=False)
    store = app.store
    store.delete_ids(store.ids_of_source("skole.md")[:1])  # as an ingest killed halfway through the file leaves it
    assert not store.source_states()["skole.md"].complete
    report = app.ingester().ingest([folder], progress=False)
    assert report.updated == ["skole.md"] and sorted(report.unchanged) == ["klima.txt", "vann.txt"]
    integrity(store)


def test_a_file_given_alone_leaves_the_rest_of_its_folder_in_the_store(settings, folder):
    app = memory_app(settings)
    app.ingester().ingest([folder], progress=False)
    (folder / "vann.txt").unlink()
    report = app.ingester().ingest([folder / "klima.txt"], progress=False)  # a file, not its folder: removes nothing
    assert report.unchanged == ["klima.txt"] and not report.removed
    assert "vann.txt" in app.store.source_states()


def test_a_writer_killed_between_write_and_cleanup_leaves_one_version_searchable(settings, folder, monkeypatch):
    app = memory_app(settings)
    app.ingester().ingest([folder], progress=False)
    (folder / "klima.txt").write_text(DOCS["klima.txt"].replace("40 prosent", "60 prosent"), encoding="utf-8")

    def killed(self, ids):  # the process dies after the new version is written, before the old one is deleted
        raise KeyboardInterrupt

    with monkeypatch.context() as m:
        m.setattr(MemoryStore, "delete_ids", killed)
        with pytest.raises(KeyboardInterrupt):
            app.ingester().ingest([folder], progress=False)
    store = app.store
    assert len({c.meta["content_hash"] for c in store.get(store.ids_of_source("klima.txt")).values()}) == 2
    assert list(store.replacing()) == ["klima.txt"]
    reader = memory_app(settings, store=store)  # another App over the store as the kill left it
    for mode in ("hybrid", "vector", "bm25"):
        found = texts(reader, "Hvor mye skal kommunen kutte utslippene?", mode)
        assert any("60 prosent" in t for t in found) and not any("40 prosent" in t for t in found), (mode, found)
    report = app.ingester().ingest([folder], progress=False)  # the next run finishes the job
    assert report.updated == ["klima.txt"] and store.replacing() == {}
    integrity(store)


class _FailingEmbedder:
    """Embeds the first batch, then fails, as a reindex killed halfway."""

    def __init__(self, inner) -> None:
        self.inner, self.calls = inner, 0
        self.name, self.dim, self.max_tokens = inner.name, inner.dim, inner.max_tokens
        self.count_tokens, self.embed_query = inner.count_tokens, inner.embed_query

    def embed_passages(self, texts):
        self.calls += 1
        if self.calls > 1:
            raise RuntimeError("killed halfway")
        return self.inner.embed_passages(texts)


def test_a_reindex_that_fails_halfway_leaves_the_old_store_answering(settings, folder, monkeypatch):
    app = memory_app(settings)
    app.ingester().ingest([folder], progress=False)
    before, generation = app.store.count(), app.store.generation()
    monkeypatch.setattr("ingest.pipeline.FLUSH_CHUNKS", 1)  # a batch a file: the first is written, the second fails
    failing = memory_app(settings, _FailingEmbedder(app.embedder), store=app.store)
    with pytest.raises(RuntimeError, match="killed halfway"):
        failing.ingester(reindex=True).ingest([folder], reindex=True, progress=False)
    assert app.store.count() == before and app.store.generation() == generation
    assert any("2600" in t for t in texts(app, "Hvor mange forsyner vannverket?"))
    report = app.ingester(reindex=True).ingest([folder], reindex=True, progress=False)  # and a retry completes
    assert report.ok and app.store.count() == before
    integrity(app.store)
