"""The naive LangChain baseline: the tutorial splitter, a reused Chroma index, and an end-to-end run (real e5, real Chroma)."""

from __future__ import annotations

import json

import pytest

from assistant.app import App
from tests.evals.conftest import TINY_ITEMS


def test_split_pages_follows_the_tutorial_recipe():
    from langchain_core.documents import Document

    from evals.naive import split_pages

    text = " ".join(f"Setning nummer {i} handler om sykkelveier i kommunen." for i in range(120))
    splits = split_pages([Document(page_content=text, metadata={"source": "a.txt", "title": "A", "page": 0})])
    assert len(splits) > 3
    assert all(len(s.page_content) <= 1000 for s in splits)
    starts = [s.metadata["start_index"] for s in splits]
    assert starts == sorted(starts) and starts[0] == 0
    first, second = splits[0], splits[1]
    assert second.metadata["start_index"] < first.metadata["start_index"] + len(first.page_content)  # overlap
    assert all(s.metadata["source"] == "a.txt" for s in splits)


@pytest.mark.parametrize("text, expected", [
    ("I don't know.", True),
    ("Jeg vet ikke.", True),
    ("Jeg fant ikke svaret i dokumentene.", True),
    ("Malvik skal bygge 12 kilometer sykkelvei.", False),
    ("Vi vet ikke nøyaktig når, men " + "planen beskriver mange tiltak for sykkel og gange i kommunen " * 3, False),
])
def test_says_dont_know_only_for_short_admissions(text, expected):
    from evals.naive import says_dont_know

    assert says_dont_know(text) is expected


def test_load_pages_uses_the_product_loaders(tiny_corpus):
    from evals.naive import load_pages

    pages = load_pages(tiny_corpus)
    assert sorted(p.metadata["source"] for p in pages) == ["frosta/vann.md", "malvik/sykkelplan.txt", "selbu/skole.txt"]
    frosta = next(p for p in pages if p.metadata["source"] == "frosta/vann.md")
    assert "#" not in frosta.page_content  # Markdown read as the product reads it, not raw
    assert frosta.metadata["title"] == "Vannforsyning på Frosta"


@pytest.mark.slow
def test_index_is_built_once_reused_and_rebuilt_when_the_corpus_changes(tiny_corpus, tmp_path, e5):
    from evals.naive import FINGERPRINT, NaiveRetriever, open_index

    index_dir = tmp_path / "naive"
    calls = []

    def progress(total, label):
        from contextlib import nullcontext

        calls.append((total, label))
        return nullcontext(lambda n=1, current="": None)

    store = open_index(tiny_corpus, index_dir, e5, progress)
    assert calls and calls[0][1] == "Naive index"
    stamp = json.loads((index_dir / FINGERPRINT).read_text())
    assert stamp["chunks"] == store._collection.count() >= 3

    hits = NaiveRetriever(store, e5).search("Hvor henter Frosta drikkevannet?", k=4)
    assert len(hits) == min(4, stamp["chunks"]) and hits[0].source == "frosta/vann.md"
    assert hits[0].score >= hits[-1].score and 0 < hits[0].score <= 1

    calls.clear()
    open_index(tiny_corpus, index_dir, e5, progress)  # unchanged corpus: reused, nothing embedded
    assert calls == []

    (tiny_corpus / "selbu" / "skole.txt").write_text("Selbu har fire skoler.\n", encoding="utf-8")
    again = open_index(tiny_corpus, index_dir, e5, progress)
    assert calls, "a changed corpus must rebuild the index"
    texts = again._collection.get()["documents"]
    assert any("fire skoler" in t for t in texts) and not any("Mebond" in t for t in texts)


@pytest.mark.slow
def test_naive_pipeline_end_to_end_gives_rows_of_the_same_shape(tiny_corpus, tiny_dataset, settings, tmp_path):
    from evals.run import run_eval

    out = tmp_path / "out"
    summary = run_eval(tiny_dataset, out, pipelines=("ours", "naive"), llm="extractive", k=10,
                       app=App(settings), corpus=tiny_corpus, progress=False)
    rows = [json.loads(line) for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted((r["id"], r["pipeline"]) for r in rows) == sorted((i["id"], p) for i in TINY_ITEMS for p in ("ours", "naive"))
    ours = {r["id"]: r for r in rows if r["pipeline"] == "ours"}
    naive = {r["id"]: r for r in rows if r["pipeline"] == "naive"}
    assert set(ours["t-1"]) == set(naive["t-1"])  # the same row shape, so every metric applies

    malvik = naive["t-1"]
    assert malvik["backend"] == "naive+extractive"
    assert malvik["rank"] == 1 and malvik["hit@1"] == 1.0
    assert malvik["answer_contains"] == 1.0 and "12 kilometer" in malvik["answer"]
    chunks = summary["naive_index"]["chunks"]
    assert len(malvik["citations"]) == min(4, chunks)  # its sources: all the passages it was given
    assert all(c["supported"] is None and c["quote"] == "" for c in malvik["citations"])  # nothing verified
    assert len(malvik["retrieved"]) == min(10, chunks)
    pizza = naive["t-3"]  # no similarity gate: it retrieves and reads passages for any question
    assert pizza["rank"] is None and pizza["retrieved"]

    s = summary["pipelines"]["naive"]
    assert s["items"] == 3 and s["answerable"] == 2 and s["hit@1"] == 1.0
    assert chunks >= 3
    assert (out / "report.md").read_text(encoding="utf-8").count("| naive |") == 1
