"""Unit tests of the fusion and merging logic, and of `Retriever` over the in-memory store (no models).

The `Retriever` tests run the product's retrieval over `MemoryStore`, `HashEmbedder` and a real BM25
`KeywordIndex`: filters, fusion, the kommune boost, the replace journal and the keyword index's refresh
are logic; the real e5 and Chroma are tested with the corpus (tests/ingest/test_pipeline.py).
"""

from dataclasses import replace

import pytest

from assistant.answering.retrieve import RetrievalConfig, Retriever, merge_overlapping, merge_pair, rrf
from assistant.core.models import Chunk
from assistant.index.keyword import KeywordIndex
from tests.fakes import HashEmbedder, MemoryStore


def chunk(cid: str, start: int, end: int, text: str, score: float = 0.0, source="a.pdf", page=1) -> Chunk:
    return Chunk(id=cid, text=text, source=source, title="T", page=page, heading="", start=start, end=end, score=score)


def test_rrf_rewards_agreement_and_weights():
    fused = rrf([["a", "b", "c"], ["b", "d"]], [1.0, 1.0], k=60)
    assert max(fused, key=fused.get) == "b"
    assert fused["b"] == 1 / 62 + 1 / 61
    assert fused["d"] == 1 / 62
    only_first = rrf([["a"], ["b"]], [1.0, 0.0], k=60)
    assert "b" not in only_first


def test_merge_pair_joins_overlapping_spans_exactly():
    page = "Første setning. Andre setning. Tredje setning."
    a = chunk("a", 0, 30, page[0:30], score=0.2)
    b = chunk("b", 16, 47, page[16:47], score=0.5)
    merged = merge_pair(a, b)
    assert merged.text == page[0:47]
    assert (merged.start, merged.end) == (0, 47)
    assert merged.id == "b" and merged.score == 0.5
    assert merged.meta["merged_ids"] == ["a", "b"]


def test_merge_pair_contained_chunk():
    page = "abcdefghij"
    outer = chunk("o", 0, 10, page, score=0.1)
    inner = chunk("i", 2, 5, page[2:5], score=0.9)
    assert merge_pair(outer, inner).text == page


def test_merge_overlapping_keeps_rank_order_and_limit():
    page = "x" * 100
    ranked = [
        chunk("a", 0, 40, page[:40], 0.9),
        chunk("c", 0, 40, "other", 0.8, source="b.pdf"),
        chunk("b", 30, 70, page[30:70], 0.7),  # overlaps a -> merged into it
        chunk("d", 0, 10, "third", 0.6, source="c.pdf"),
        chunk("e", 0, 10, "fourth", 0.5, source="d.pdf"),
    ]
    out = merge_overlapping(ranked, limit=3)
    assert [c.id for c in out] == ["a", "c", "d"]
    assert out[0].end == 70 and len(out[0].text) == 70


def test_same_span_on_other_page_is_not_merged():
    a = chunk("a", 0, 40, "x" * 40, 0.9, page=1)
    b = chunk("b", 0, 40, "y" * 40, 0.8, page=2)
    assert len(merge_overlapping([a, b], limit=5)) == 2


# --- Retriever over the in-memory store ---

CONFIG = RetrievalConfig(k=5, candidates=40, vector_weight=1.0, bm25_weight=1.0, rrf_k=60, kommune_boost=0.5)
# id: (text, kommune, year, goals)
PASSAGES = {
    "malvik-sykkel": ("Malvik kommune skal bygge 12 kilometer ny sykkelvei innen 2026.", "Malvik", 2023, [11]),
    "frosta-vann": ("Frosta kommune henter drikkevannet fra Lauvåsvatnet.", "Frosta", 2021, [6]),
    "selbu-skole": ("Selbu kommune har tre barneskoler og en ny skole bygd i massivtre.", "Selbu", 2024, [4]),
    "malvik-vann": ("Malvik kommune fornyer vannledningene langs fjorden.", "Malvik", 2024, [6]),
    "frosta-sykkel": ("Frosta kommune planlegger ny sykkelvei til skolen.", "Frosta", 2022, [11]),
}


def passage(cid: str, text: str, kommune: str, year: int, goals: list[int], source: str = "", start: int = 0,
            content_hash: str = "h1") -> Chunk:
    meta = {"kommuner": [kommune], "kommune": kommune, "year": year, "goals": goals, "doc_type": "plan",
            "content_hash": content_hash, "n_chunks": 1}
    return Chunk(cid, text, source or f"{cid}.txt", f"Plan {kommune}", 1, "", start, start + len(text), meta)


@pytest.fixture
def parts(tmp_path):
    """Return (retriever, store, embedder) over the five passages."""
    store, embedder = MemoryStore(), HashEmbedder()
    chunks = [passage(cid, *values) for cid, values in PASSAGES.items()]
    store.upsert(chunks, embedder.embed_passages([c.text for c in chunks]))
    return Retriever(CONFIG, store, KeywordIndex(tmp_path / "keyword"), embedder), store, embedder


@pytest.mark.parametrize("mode", ["hybrid", "vector", "bm25"])
@pytest.mark.parametrize("filters, allowed", [
    ({"kommune": "Frosta"}, {"frosta-vann", "frosta-sykkel"}),
    ({"year": 2024}, {"selbu-skole", "malvik-vann"}),
    ({"goal": 11}, {"malvik-sykkel", "frosta-sykkel"}),
    ({"kommune": "Malvik", "goal": 6}, {"malvik-vann"}),
])
def test_filters_hold_in_every_mode(parts, mode, filters, allowed):
    retriever, _, _ = parts
    found = retriever.search("kommune sykkelvei vann skole", k=5, filters=filters, mode=mode)
    assert found and {c.id for c in found} <= allowed


def test_hybrid_scores_are_the_fusion_of_both_rankings(parts):
    retriever, store, embedder = parts
    question = "Hvor mye ny sykkelvei skal bygges?"
    found = retriever.search(question, k=5)
    vector = [c.id for c in store.query(embedder.embed_query(question), 40)]
    bm25 = [chunk_id for chunk_id, _ in retriever.keyword.search(question, 40)]
    fused = rrf([vector, bm25], [1.0, 1.0], 60)
    assert [c.id for c in found] == sorted(fused, key=fused.get, reverse=True)[:5]
    for chunk in found:
        assert chunk.score == pytest.approx(fused[chunk.id])
        assert (chunk.meta["vector_score"] is not None) == (chunk.id in vector)
        assert (chunk.meta["bm25_score"] is not None) == (chunk.id in bm25)
    assert found[0].id in ("malvik-sykkel", "frosta-sykkel")  # found by both rankings
    assert all(c.meta["vector_score"] is None for c in retriever.search(question, k=5, mode="bm25"))


def test_a_named_kommune_boosts_its_passages_unless_filtered(parts):
    retriever, _, _ = parts
    question = "Hvor skal Malvik bygge sykkelvei?"
    plain = {c.id: c.score for c in replace_config(retriever, kommune_boost=0.0).search(question, k=5)}
    boosted = {c.id: c.score for c in retriever.search(question, k=5)}
    for chunk_id, score in boosted.items():
        factor = 1.5 if PASSAGES[chunk_id][1] == "Malvik" else 1.0
        assert score == pytest.approx(plain[chunk_id] * factor)
    only = {"kommune": "Malvik"}
    filtered = {c.id: c.score for c in retriever.search(question, k=5, filters=only)}
    unboosted = {c.id: c.score for c in replace_config(retriever, kommune_boost=0.0).search(question, 5, only)}
    assert filtered == pytest.approx(unboosted) and filtered  # a filter, not a boost


def replace_config(retriever: Retriever, **changes) -> Retriever:
    other = retriever.with_mode("hybrid")
    other.config = replace(retriever.config, **changes)
    return other


def test_the_other_version_of_a_file_being_replaced_is_never_found(parts):
    retriever, store, embedder = parts
    old = passage("plan-1", "Kommunen skal kutte utslippene med 40 prosent.", "Malvik", 2020, [13], "plan.txt")
    new = passage("plan-2", "Kommunen skal kutte utslippene med 60 prosent.", "Malvik", 2024, [13], "plan.txt",
                  start=100, content_hash="h2")  # spans apart: two passages, not one merged
    store.bump_generation()
    store.begin_replace({"plan.txt": "h2"})  # as a writer killed before it deleted the old version leaves it
    store.upsert([old, new], embedder.embed_passages([old.text, new.text]))
    for mode in ("hybrid", "vector", "bm25"):
        ids = [c.id for c in retriever.search("Hvor mye skal kommunen kutte utslippene?", k=5, mode=mode)]
        assert "plan-2" in ids and "plan-1" not in ids, mode
    store.end_replace(["plan.txt"])
    assert {"plan-1", "plan-2"} <= {c.id for c in retriever.search("kutte utslippene", k=5)}


def test_the_keyword_index_follows_the_store_generation(parts):
    retriever, store, embedder = parts
    assert retriever.refresh_keyword_index() and not retriever.refresh_keyword_index()
    extra = passage("selbu-vei", "Selbu kommune asfalterer grusveien til Mebonden.", "Selbu", 2024, [9])
    store.bump_generation()
    store.upsert([extra], embedder.embed_passages([extra.text]))
    assert retriever.search("grusveien Mebonden", k=1, mode="bm25")[0].id == "selbu-vei"  # rebuilt on the way
    assert retriever.keyword.generation == store.generation() and not retriever.refresh_keyword_index()


def test_overlapping_chunks_of_one_page_come_back_as_one_passage(parts):
    retriever, store, embedder = parts
    page = "Oppdal kommune bygger ladestasjoner ved skolene. Ladestasjonene får solceller på taket."
    first = passage("lade-1", page[:60], "Oppdal", 2024, [7], "lade.txt", start=0)
    second = passage("lade-2", page[30:], "Oppdal", 2024, [7], "lade.txt", start=30)
    store.bump_generation()
    store.upsert([first, second], embedder.embed_passages([first.text, second.text]))
    found = [c for c in retriever.search("ladestasjoner solceller skolene", k=5) if c.source == "lade.txt"]
    assert len(found) == 1 and found[0].text == page and set(found[0].meta["merged_ids"]) == {"lade-1", "lade-2"}
