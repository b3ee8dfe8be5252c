"""Unit tests of the fusion and merging logic (no models, no store)."""

from assistant.answering.retrieve import merge_overlapping, merge_pair, rrf
from assistant.core.models import Chunk


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
