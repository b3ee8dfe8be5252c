"""Chunking with the real e5 token counter: size, spans, pages, headings, stable ids."""

from pathlib import Path

from assistant.core.models import Document, Page
from ingest.chunk import chunk_document, embedding_text

SENTENCE = "Kommunen skal redusere utslippene fra transport med førti prosent innen 2030. "


def make_doc(pages: list[Page]) -> Document:
    return Document(source="plan.pdf", path=Path("plan.pdf"), title="Klimaplan for Frøya", pages=pages,
                    content_hash="abc", meta={"kommune": "Frøya"})


def test_chunks_fit_budget_keep_spans_and_never_cross_pages(e5):
    text1 = "Innledning\n\n" + SENTENCE * 40
    text2 = "Tiltak\n\n" + "Vi bygger ladestasjoner ved rådhuset og skolene. " * 30
    doc = make_doc([Page(1, text1, headings=[(0, "Innledning")]), Page(3, text2, headings=[(0, "Tiltak")])])
    chunks = chunk_document(doc, e5.count_tokens, chunk_tokens=120, overlap_tokens=20)
    assert len(chunks) > 4
    pages = {1: text1, 3: text2}
    for c in chunks:
        assert c.page in (1, 3)
        assert pages[c.page][c.start : c.end] == c.text  # exact span inside its own page
        assert e5.count_tokens(c.text) <= 120
        assert c.meta["n_chunks"] == len(chunks) and c.meta["content_hash"] == "abc"
        assert c.meta["kommune"] == "Frøya"
    assert {c.heading for c in chunks if c.page == 3} == {"Tiltak"}
    # sentence-aware: chunks end at a sentence end, not in the middle of a word
    assert all(c.text.endswith((".", "Innledning", "Tiltak")) for c in chunks)
    # overlap: consecutive chunks of a page share text
    same_page = [(a, b) for a, b in zip(chunks, chunks[1:]) if a.page == b.page and a.start > 0]
    assert any(b.start < a.end for a, b in same_page)


def test_ids_are_stable_and_depend_on_content_and_position(e5):
    doc = make_doc([Page(1, SENTENCE * 10)])
    first = [c.id for c in chunk_document(doc, e5.count_tokens, 60, 10)]
    again = [c.id for c in chunk_document(doc, e5.count_tokens, 60, 10)]
    assert first == again and len(set(first)) == len(first)
    changed = make_doc([Page(1, SENTENCE * 9 + "Nytt tiltak i 2031. ")])
    assert [c.id for c in chunk_document(changed, e5.count_tokens, 60, 10)] != first


def test_heading_carries_over_to_next_page_and_is_embedding_context(e5):
    doc = make_doc([Page(1, "Mål\n\nKort tekst.", headings=[(0, "Mål")]), Page(2, "Fortsettelse uten overskrift.")])
    chunks = chunk_document(doc, e5.count_tokens, 100, 10)
    assert chunks[-1].page == 2 and chunks[-1].heading == "Mål"
    assert embedding_text(chunks[-1]).startswith("Klimaplan for Frøya – Mål\n")


def test_chunk_size_is_capped_by_the_models_window(e5):
    doc = make_doc([Page(None, SENTENCE * 100)])
    chunks = chunk_document(doc, e5.count_tokens, chunk_tokens=500, overlap_tokens=0, max_tokens=256)
    assert all(e5.count_tokens(c.text) <= 256 - 48 for c in chunks)
    assert all(c.page is None for c in chunks)
