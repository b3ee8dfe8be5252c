"""The Chroma store, embedded and as a real server on loopback."""

import pytest

from assistant.app import store_config
from assistant.core.models import Chunk
from assistant.index.store import ChunkStore, EmbedderMismatch, StoreError, build_where

TEXTS = {
    "fn": ("Senteret finansieres over kommunebudsjettet.", "fn.txt", ["Trondheim"], 2022),
    "stad": ("Stad kommune var vertskap for samlingen.", "stad.txt", ["Stad"], 2021),
    "nett": ("Kommunene i Trøndelag har bærekraftsrapporter.", "nett.txt", [], 2024),
}


def chunks() -> list[Chunk]:
    out = []
    for cid, (text, source, kommuner, year) in TEXTS.items():
        meta = {"kommuner": kommuner, "kommune": kommuner[0] if kommuner else "", "year": year,
                "content_hash": f"h-{source}", "n_chunks": 1, "doc_type": "nettside", "root": "/r"}
        out.append(Chunk(cid, text, source, f"Tittel {cid}", 2 if cid == "fn" else None, "Overskrift", 0, len(text), meta))
    return out


def exercise(store: ChunkStore, e5) -> None:
    items = chunks()
    store.upsert(items, e5.embed_passages([c.text for c in items]))
    assert store.count() == 3
    best = store.query(e5.embed_query("Hvem finansierer senteret?"), 3)
    assert best[0].id == "fn" and best[0].page == 2 and best[0].source == "fn.txt"
    assert best[0].meta["kommuner"] == ["Trondheim"] and best[0].year == 2022
    assert 0 < best[0].score <= 1 and best[0].score > best[-1].score
    assert best[2].meta["kommuner"] == []  # empty lists survive the round trip as []
    only_stad = store.query(e5.embed_query("Hvem finansierer senteret?"), 3, {"kommune": "Stad"})
    assert [c.id for c in only_stad] == ["stad"]
    assert [c.id for c in store.query(e5.embed_query("rapport"), 3, {"year": 2024, "source": "nett.txt"})] == ["nett"]
    assert set(store.get(["stad", "nett"])) == {"stad", "nett"}
    states = store.source_states()
    assert states["fn.txt"].complete and states["fn.txt"].content_hash == "h-fn.txt" and states["fn.txt"].root == "/r"
    before = store.generation()
    assert store.bump_generation() == before + 1 == store.generation()
    assert store.delete_source("stad.txt") == 1 and store.count() == 2
    assert "stad.txt" not in store.source_states()


def test_embedded_store(settings, e5):
    exercise(ChunkStore(store_config(settings), e5.name, e5.dim), e5)


def test_store_built_by_another_embedder_is_refused(settings, e5):
    ChunkStore(store_config(settings), e5.name, e5.dim)
    with pytest.raises(EmbedderMismatch, match=r"assistant ingest --reindex"):
        ChunkStore(store_config(settings), "sentence-transformers/all-MiniLM-L6-v2", 384)
    existing = ChunkStore.open_existing(store_config(settings))
    assert existing is not None and existing.embedder_name == e5.name


@pytest.mark.server
def test_chroma_server_store(settings, e5, chroma_server):
    host, port = chroma_server
    remote = settings.model_copy(update={"chroma_host": host, "chroma_port": port, "collection": "server-test"})
    store = ChunkStore(store_config(remote), e5.name, e5.dim)
    exercise(store, e5)
    assert store.location().startswith(f"chroma server {host}:{port}")
    assert not remote.store_dir().exists()  # nothing was written locally


def test_unreachable_chroma_server_is_a_clear_error(settings, e5):
    from tests.conftest import free_port

    remote = settings.model_copy(update={"chroma_host": "127.0.0.1", "chroma_port": free_port()})
    with pytest.raises(StoreError, match="Chroma"):
        ChunkStore(store_config(remote), e5.name, e5.dim)


def test_where_clauses():
    assert build_where(None) is None
    assert build_where({"kommune": "Stad", "year": None}) == {"kommuner": {"$contains": "Stad"}}
    assert build_where({"year": 2024, "doc_type": "plan"}) == {"$and": [{"year": 2024}, {"doc_type": "plan"}]}
    with pytest.raises(ValueError):
        build_where({"colour": "red"})
