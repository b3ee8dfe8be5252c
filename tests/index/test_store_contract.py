"""One contract, two stores: every check runs against the in-memory fake and the real ChunkStore (Chroma).

The logic tests trust `tests.fakes.MemoryStore` to behave as the store they stand in for; these checks
are what earns that trust. A check that passes for one store and fails for the other is a drift of the
fake (or a change of the real part that the fake must follow). Vectors come from `HashEmbedder`: the
contract is about the store, not the embedder.
"""

from __future__ import annotations

import numpy as np
import pytest

from assistant.app import store_config
from assistant.core.models import Chunk
from assistant.index.chroma import chunk_to_record
from assistant.index.protocol import SearchableStore, VectorStore, VersionedStore
from assistant.index.store import ChunkStore
from tests.fakes import HashEmbedder, MemoryStore

EMBEDDER = HashEmbedder()
# id: (text, source, kommuner, year, goals, page)
TEXTS = {
    "fn": ("Senteret finansieres over kommunebudsjettet i Trondheim.", "fn.txt", ["Trondheim"], 2022, [11, 17], 2),
    "stad": ("Stad kommune var vertskap for samlingen om kortreist mat.", "stad.txt", ["Stad"], 2021, [12], None),
    "nett": ("Kommunene i Trøndelag har bærekraftsrapporter.", "nett.txt", [], 2024, [], 1),
    "nett2": ("Rapportene viser klimagassutslipp fra transport.", "nett.txt", [], 2024, [13], 1),
}


def chunks(version: str = "1") -> list[Chunk]:
    """Return the four chunks of three files, as ingestion makes them (`version` goes into the content hash)."""
    per_file = {source: sum(1 for t in TEXTS.values() if t[1] == source) for _, source, *_ in TEXTS.values()}
    out = []
    for cid, (text, source, kommuner, year, goals, page) in TEXTS.items():
        meta = {"kommuner": kommuner, "kommune": kommuner[0] if kommuner else "", "year": year, "goals": goals,
                "content_hash": f"h{version}-{source}", "n_chunks": per_file[source], "root": "/r",
                "path": f"/r/{source}", "doc_type": "plan" if source == "fn.txt" else "nettside"}
        start = 0 if cid != "nett2" else 100
        out.append(Chunk(cid, text, source, f"Tittel {source}", page, "Overskrift", start, start + len(text), meta))
    return out


def vectors(items: list[Chunk]) -> np.ndarray:
    return EMBEDDER.embed_passages([c.text for c in items])


@pytest.fixture(params=["memory", pytest.param("chroma", marks=pytest.mark.integration)])
def store(request, settings) -> VersionedStore:
    """Return an empty store: the fake, or the real ChunkStore in an embedded Chroma under tmp_path."""
    if request.param == "memory":
        return MemoryStore(EMBEDDER.name, EMBEDDER.dim)
    return ChunkStore(store_config(settings), EMBEDDER.name, EMBEDDER.dim)


@pytest.fixture
def filled(store) -> VersionedStore:
    items = chunks()
    store.upsert(items, vectors(items))
    return store


def ids(found) -> list[str]:
    return [c.id for c in found]


def test_it_is_every_store_protocol(store):
    assert isinstance(store, VectorStore) and isinstance(store, SearchableStore) and isinstance(store, VersionedStore)
    assert store.count() == 0 and list(store.iter_records()) == [] and store.query(EMBEDDER.embed_query("x"), 3) == []


def test_records_come_back_in_the_shape_they_were_written(filled):
    records = {chunk_id: (text, meta) for chunk_id, text, meta in filled.iter_records()}
    assert records == {c.id: (c.text, chunk_to_record(c)) for c in chunks()}
    assert all(text == "" for _, text, _ in filled.iter_records(include_documents=False))
    assert filled.count() == 4


def test_get_returns_the_chunks_as_written_and_leaves_out_unknown_ids(filled):
    got = filled.get(["stad", "fn", "gone"])
    assert set(got) == {"stad", "fn"}
    expected = {c.id: c for c in chunks()}
    for chunk_id, chunk in got.items():
        want = expected[chunk_id]
        assert (chunk.text, chunk.source, chunk.title, chunk.page, chunk.heading, chunk.start, chunk.end) == (
            want.text, want.source, want.title, want.page, want.heading, want.start, want.end)
        assert chunk.meta == {**want.meta, "mentioned_kommuner": []}
    assert got["stad"].page is None and got["fn"].page == 2
    assert filled.get([]) == {} and filled.get(["nett"])["nett"].meta["kommuner"] == []  # an empty list stays []


def test_query_ranks_by_cosine_similarity(filled):
    question = EMBEDDER.embed_query("Hvem finansierer senteret over kommunebudsjettet?")
    found = filled.query(question, 3)
    assert len(found) == 3 and found[0].id == "fn"
    scores = [c.score for c in found]
    assert scores == sorted(scores, reverse=True)
    by_id = {c.id: v for c, v in zip(chunks(), vectors(chunks()))}
    for chunk in found:
        assert chunk.score == pytest.approx(float(by_id[chunk.id] @ question), abs=1e-4)
    assert len(filled.query(question, 10)) == 4  # fewer than asked when the store holds fewer


@pytest.mark.parametrize("filters, expected", [
    ({"kommune": "Stad"}, {"stad"}),
    ({"kommune": "Oslo"}, set()),
    ({"goal": 13}, {"nett2"}),
    ({"goal": "17"}, {"fn"}),  # a goal number given as text
    ({"year": 2024}, {"nett", "nett2"}),
    ({"source": "fn.txt"}, {"fn"}),
    ({"doc_type": "nettside"}, {"stad", "nett", "nett2"}),
    ({"doc_type": "nettside", "year": 2021}, {"stad"}),
    ({"kommune": "", "year": None}, {"fn", "stad", "nett", "nett2"}),  # empty values filter nothing
])
def test_filters_select_on_the_metadata(filled, filters, expected):
    found = filled.query(EMBEDDER.embed_query("kommune rapport"), 10, filters)
    assert set(ids(found)) == expected


def test_an_unknown_filter_is_refused(filled):
    with pytest.raises(ValueError, match="unknown filter"):
        filled.query(EMBEDDER.embed_query("x"), 3, {"colour": "red"})


def test_upsert_overwrites_by_id_and_refuses_what_chroma_refuses(filled):
    changed = [c for c in chunks("2") if c.id == "fn"]
    changed[0].text = "Senteret flytter til Lademoen."
    filled.upsert(changed, vectors(changed))
    assert filled.count() == 4 and filled.get(["fn"])["fn"].text == "Senteret flytter til Lademoen."
    with pytest.raises(ValueError, match="differ in length"):
        filled.upsert(changed, np.zeros((2, EMBEDDER.dim), dtype=np.float32))
    with pytest.raises(Exception, match="dimension"):
        filled.upsert(changed, np.ones((1, EMBEDDER.dim + 1), dtype=np.float32))
    odd = Chunk("odd", "x", "odd.txt", "", None, "", 0, 1, {"nested": {"a": 1}})
    with pytest.raises(ValueError):
        filled.upsert([odd], vectors([odd]))
    mixed = Chunk("mixed", "x", "odd.txt", "", None, "", 0, 1, {"goals": [1, "to"]})
    with pytest.raises(ValueError):
        filled.upsert([mixed], vectors([mixed]))
    assert filled.count() == 4


def test_deletes_by_id_and_by_source(filled):
    assert sorted(filled.ids_of_source("nett.txt")) == ["nett", "nett2"] and filled.ids_of_source("none.txt") == []
    filled.delete_ids(["nett2", "gone"])  # an unknown id is no error
    assert filled.count() == 3 and filled.ids_of_source("nett.txt") == ["nett"]
    assert filled.delete_source("nett.txt") == 1 and filled.delete_source("nett.txt") == 0
    assert sorted(c.id for c in filled.get(["fn", "stad", "nett"]).values()) == ["fn", "stad"]


def test_source_states_count_each_files_chunks_and_versions(filled):
    states = filled.source_states()
    assert set(states) == {"fn.txt", "stad.txt", "nett.txt"}
    nett = states["nett.txt"]
    assert (nett.content_hash, nett.expected, nett.present, nett.root, nett.path) == ("h1-nett.txt", 2, 2, "/r",
                                                                                     "/r/nett.txt")
    assert nett.complete
    filled.delete_ids(["nett2"])
    assert not filled.source_states()["nett.txt"].complete  # one of two chunks left
    newer = [c for c in chunks("2") if c.id == "nett2"]
    filled.upsert(newer, vectors(newer))
    mixed = filled.source_states()["nett.txt"]
    assert mixed.content_hash == "" and mixed.present == 2  # two versions of one file: no single hash


def test_generation_and_the_replace_journal(store):
    assert store.generation() == 0
    assert store.bump_generation() == 1 == store.generation()
    assert store.replacing() == {}
    store.begin_replace({})
    store.begin_replace({"a.txt": "h2", "b.txt": "h3"})
    assert store.replacing() == {"a.txt": "h2", "b.txt": "h3"} and store.generation() == 1  # the journal is no write
    store.end_replace(["a.txt", "never.txt"])
    assert store.replacing() == {"b.txt": "h3"}
    store.replacing()["c.txt"] = "x"  # a copy: changing it changes nothing
    assert store.replacing() == {"b.txt": "h3"}


def test_reset_empties_the_store_and_starts_its_versions_again(filled):
    filled.bump_generation()
    filled.begin_replace({"fn.txt": "h2"})
    filled.reset()
    assert filled.count() == 0 and filled.source_states() == {} and filled.generation() == 0
    assert filled.replacing() == {}


def test_a_store_rebuilt_aside_is_adopted_in_one_switch(filled):
    filled.bump_generation()
    before = filled.generation()
    leftover = filled.rebuild_aside()
    leftover.upsert(chunks()[:1], vectors(chunks()[:1]))
    aside = filled.rebuild_aside()  # a leftover of an earlier rebuild is dropped
    assert aside.count() == 0 and aside.generation() == before + 1
    fresh = [c for c in chunks("2") if c.source == "nett.txt"]
    aside.upsert(fresh, vectors(fresh))
    aside.begin_replace({"nett.txt": "h2-nett.txt"})
    assert filled.count() == 4 and filled.generation() == before  # the old store answers until the switch
    with pytest.raises(ValueError, match="rebuild_aside"):
        filled.adopt(filled)
    filled.adopt(aside)
    assert filled.generation() > before + 1
    assert filled.count() == 2 and set(filled.source_states()) == {"nett.txt"}
    assert filled.source_states()["nett.txt"].content_hash == "h2-nett.txt"
    assert filled.replacing() == {"nett.txt": "h2-nett.txt"}  # the rebuilt store's journal comes along
    assert ids(filled.query(EMBEDDER.embed_query("klimagassutslipp transport"), 1)) == ["nett2"]
