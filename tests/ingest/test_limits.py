"""Large files: one size limit for the CLI and the app, and chunking whose cost grows linearly with the text."""

from __future__ import annotations

import random

import pytest
from pathlib import Path

from assistant.core.models import Document, Page
from ingest.chunk import chunk_document
from ingest.clean import clean_document
from tests.fakes import memory_app

WORDS = "kommunen skal bygge ny sykkelvei innen 2026 og redusere utslipp fra transport med tretti prosent".split()


def _text(lines: int, seed: int = 1) -> str:
    rng = random.Random(seed)
    out = []
    for i in range(lines):
        out.append(" ".join(rng.choice(WORDS) for _ in range(12)) + ".")
        if i % 40 == 39:
            out.append(f"\nKapittel {i // 40 + 1} om klima\n")
    return "\n".join(out)


def test_a_file_over_the_limit_is_skipped_with_a_reason_and_the_rest_ingested(settings, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "stor.txt").write_text("Klimaplan.\n" + "x " * (600 * 1024), encoding="utf-8")  # 1.2 MB
    (folder / "liten.txt").write_text("Sykkelplan\n\nMalvik kommune bygger sykkelvei.\n", encoding="utf-8")
    limited = settings.model_copy(update={"max_file_mb": 1})
    report = memory_app(limited).ingester().ingest([folder], progress=False)  # logic: no e5, no Chroma
    assert report.added == ["liten.txt"]
    assert report.skipped == [("stor.txt", "filen er 1.2 MB; største tillatte størrelse er 1 MB (ASSISTANT_MAX_FILE_MB)")]


# slow: quick cover: the size limit is quick in test_a_file_over_the_limit_is_skipped_with_a_reason_and_the_rest_ingested
@pytest.mark.slow
def test_chunking_cost_grows_linearly_with_the_text(e5):
    """Tokenizer calls (the cost of chunking) per line stay flat from 1x to 4x the text, about one per line."""
    calls = {"n": 0}

    def counting(text: str) -> int:
        calls["n"] += 1
        return e5.count_tokens(text)

    per_line = []
    for lines in (1000, 4000):
        doc = clean_document(Document("x.txt", Path("x.txt"), "X", [Page(None, _text(lines))], "h"))
        calls["n"] = 0
        chunks = chunk_document(doc, counting, 450, 48, e5.max_tokens)
        assert len(chunks) > lines // 40
        per_line.append(calls["n"] / lines)
    assert per_line[1] <= per_line[0] * 1.15
    assert per_line[1] < 1.3  # each piece measured once (the splitter asks twice; the count is cached)


def test_headings_are_found_by_binary_search_with_the_same_result(e5):
    doc = clean_document(Document("x.txt", Path("x.txt"), "X", [Page(None, _text(400))], "h"))
    headings = doc.pages[0].headings
    assert len(headings) >= 5
    for chunk in chunk_document(doc, e5.count_tokens, 120, 16, e5.max_tokens):
        expected = ""
        for pos, heading in headings:
            if pos <= chunk.start:
                expected = heading
        assert chunk.heading == (expected or chunk.heading)
