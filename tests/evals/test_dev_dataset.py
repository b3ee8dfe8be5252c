"""The dev set is well-formed, covers the required kinds of question, and its evidence is in the corpus."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEV = ROOT / "evals" / "datasets" / "dev.jsonl"
REQUIRED = {"id", "question", "answers", "answerable", "evidence"}
OPTIONAL = {"history", "filters", "tags"}
REQUIRED_TAGS = {"nynorsk", "english", "informal", "list", "number", "follow-up"}


def fold(text: str) -> str:
    """Return NFC text with whitespace runs folded to one space."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def load_items() -> list[dict]:
    """Return the dev items, one per non-empty line."""
    return [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]


ITEMS = load_items()


@pytest.fixture(scope="module")
def corpus_text() -> str:
    """Return the whole corpus as the product loads and cleans it, whitespace-folded."""
    from ingest.clean import clean_document
    from ingest.load import load_document
    from ingest.pipeline import discover

    texts = []
    for task in discover([ROOT / "corpus"]):
        doc = clean_document(load_document(task.path, task.source))
        texts.append("\n\n".join(page.text for page in doc.pages))
    assert texts, "the corpus folder holds no documents"
    return fold("\n\n".join(texts))


def test_ids_are_unique():
    ids = [item["id"] for item in ITEMS]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("item", ITEMS, ids=lambda i: i.get("id", "?"))
def test_item_is_well_formed(item):
    assert REQUIRED <= item.keys(), f"missing {REQUIRED - item.keys()}"
    assert item.keys() <= REQUIRED | OPTIONAL, f"unknown keys {item.keys() - REQUIRED - OPTIONAL}"
    assert isinstance(item["id"], str) and item["id"]
    assert isinstance(item["question"], str) and item["question"].strip()
    assert isinstance(item["answers"], list) and all(isinstance(a, str) and a.strip() for a in item["answers"])
    assert isinstance(item["answerable"], bool)
    assert item["answerable"] == bool(item["answers"])
    assert item["answerable"] == (item["evidence"] is not None)
    if item["evidence"] is not None:
        assert isinstance(item["evidence"], str) and item["evidence"].strip()
    for message in item.get("history", []):
        assert message.keys() == {"role", "content"} and message["role"] in ("user", "assistant")
        assert isinstance(message["content"], str) and message["content"].strip()
    assert isinstance(item.get("filters", {}), dict)
    assert isinstance(item.get("tags", []), list)


def test_size_and_coverage():
    assert len(ITEMS) >= 50
    assert sum(1 for item in ITEMS if not item["answerable"]) >= 5
    tags = {tag for item in ITEMS for tag in item.get("tags", [])}
    assert REQUIRED_TAGS <= tags, f"missing tags {REQUIRED_TAGS - tags}"
    follow_ups = [item for item in ITEMS if "follow-up" in item.get("tags", [])]
    assert follow_ups and all(item.get("history") for item in follow_ups)


@pytest.mark.parametrize("item", [i for i in ITEMS if i.get("evidence")], ids=lambda i: i["id"])
def test_evidence_is_verbatim_in_the_corpus(item, corpus_text):
    assert fold(item["evidence"]) in corpus_text


@pytest.mark.parametrize("item", [i for i in ITEMS if i.get("evidence")], ids=lambda i: i["id"])
def test_gold_answer_is_in_the_evidence_or_corpus(item, corpus_text):
    assert any(fold(answer).casefold() in corpus_text.casefold() for answer in item["answers"])
