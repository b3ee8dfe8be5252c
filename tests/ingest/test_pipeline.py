"""End-to-end ingestion into real Chroma with the real e5 model: corpus, incremental runs, bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.app import App
from ingest.pipeline import discover
from tests.pdfs import write_corrupt_pdf, write_encrypted_pdf, write_pdf

FN = "trondheim-11-ting-om-fn-senteret-2022.txt"
PLAN = "trondheim-samfunnsplan-orientering-2022.pdf"
STAD = "stad-kortreist-kvalitet-samling-2021.txt"


def run(settings, e5, root: Path, **kw):
    app = App(settings, e5)
    return app.ingester().ingest([root], progress=False, **kw), app.store


def integrity(store) -> None:
    """Every source holds exactly the chunks of one version: no duplicates, no orphans."""
    states = store.source_states()
    assert all(s.complete and s.content_hash for s in states.values()), states
    assert sum(s.expected for s in states.values()) == store.count()


def test_discover_skips_documentation_and_private_folders(corpus_copy):
    sources = [t.source for t in discover([corpus_copy])]
    assert PLAN in sources and FN in sources
    assert not any(s.startswith("_") or s in ("manifest.json", "README.md") for s in sources)


@pytest.fixture
def ingested(settings, e5, corpus_copy):
    report, store = run(settings, e5, corpus_copy)
    return report, store, corpus_copy


@pytest.mark.slow  # ingests the whole corpus (or loads torch): 8-25 s
def test_corpus_ingest_and_hybrid_search(settings, e5, ingested):
    report, store, _ = ingested
    assert report.ok and len(report.added) == 4 and report.chunks == store.count() > 20
    integrity(store)
    retriever = App(settings, e5).retriever

    def top(question, **filters):
        return retriever.search(question, k=3, filters=filters)

    fn = top("Hvem finansierer FN-senteret i Trondheim?")
    assert fn[0].source == FN and "kommunebudsjettet" in fn[0].text
    assert fn[0].kommune == "Trondheim" and fn[0].year == 2022 and fn[0].title
    assert top("Kven har det øvste administrative ansvaret for FN-senteret?")[0].source == FN  # nynorsk
    english = [p for p in top("How many people were picked for the Trondheim citizens' panel?") if "50 personer" in p.text]
    assert english and english[0].source == PLAN and english[0].page and english[0].page > 1
    misspelled = top("hvor mange innspil har trondhiem fått til samfunsplanen")
    assert any(p.source == PLAN and "2000" in p.text for p in misspelled)
    assert top("Hvilke barrierer for sirkulærøkonomi ble nevnt?")[0].source == STAD
    stad_only = top("Hvem finansierer FN-senteret?", kommune="Stad")
    assert stad_only and {p.source for p in stad_only} == {STAD}
    assert {p.year for p in top("samfunnsplan", year=2022)} == {2022}


@pytest.mark.slow  # ingests the whole corpus (or loads torch): 8-25 s
def test_pdf_passages_point_at_their_page(settings, e5, ingested):
    from pypdf import PdfReader

    _, _, root = ingested
    passages = App(settings, e5).retriever.search("Trondheimspanelet SMS-er sendt ut", k=5)
    pdf_hits = [p for p in passages if p.source == PLAN]
    assert pdf_hits
    reader = PdfReader(root / PLAN)
    for p in pdf_hits:
        page_text = " ".join(reader.pages[p.page - 1].extract_text().split())
        assert " ".join(p.text.split())[:60] in page_text


@pytest.mark.slow  # ingests the whole corpus (or loads torch): 8-25 s
def test_incremental_unchanged_changed_removed_and_reindex(settings, e5, ingested):
    report, store, root = ingested
    before = store.count()

    again, store = run(settings, e5, root)
    assert sorted(again.unchanged) == sorted(report.added) and again.chunks == 0 and not again.keyword_rebuilt
    assert store.count() == before

    (root / FN).write_text((root / FN).read_text(encoding="utf-8") + "\n\nNytt: FN-senteret flytter til Lademoen i 2027.\n", encoding="utf-8")
    changed, store = run(settings, e5, root)
    assert changed.updated == [FN] and len(changed.unchanged) == 3
    integrity(store)
    retriever = App(settings, e5).retriever
    assert "Lademoen" in retriever.search("Hvor flytter FN-senteret i 2027?", k=1, mode="bm25")[0].text
    assert any("Lademoen" in p.text for p in retriever.search("Hvor flytter FN-senteret i 2027?", k=3))

    (root / STAD).unlink()
    removed, store = run(settings, e5, root)
    assert removed.removed == [STAD] and STAD not in store.source_states()
    integrity(store)
    retriever = App(settings, e5).retriever
    assert all(p.source != STAD for p in retriever.search("Kortreist kvalitet sirkulærøkonomi Stad", k=10))
    assert all(p.source != STAD for p in retriever.search("Kortreist kvalitet", k=10, mode="bm25"))

    rebuilt, store = run(settings, e5, root, reindex=True)
    assert len(rebuilt.added) == 3 and rebuilt.chunks == store.count()
    integrity(store)


def test_bad_files_are_reported_and_the_rest_ingested(settings, e5, tmp_path):
    root = tmp_path / "mixed"
    root.mkdir()
    write_pdf(root / "god.pdf", ["Frøya kommune har ladestasjoner på alle skoler.", "Side to om havbruk."])
    write_corrupt_pdf(root / "odelagt.pdf")
    write_encrypted_pdf(root / "kryptert.pdf", ["Hemmelig innhold"])
    (root / "tom.txt").write_bytes(b"")
    (root / "binar.txt").write_bytes(b"\x00\x01\x02\xff\xfe\x00garbage")
    (root / "notat.docx").write_bytes(b"PK\x03\x04 not really a docx")
    (root / "godt.md").write_text("# Klima\n\nMalvik kommune kutter utslipp.", encoding="utf-8")
    calls = []
    report, store = run(settings, e5, root, on_file=lambda done, total, source: calls.append((done, total, source)))
    assert [c[:2] for c in calls] == [(i, 7) for i in range(1, 8)]  # once per file, bad ones included
    assert sorted(c[2] for c in calls) == sorted(p.name for p in root.iterdir())
    states = store.source_states()
    assert report.file_chunks == {s: states[s].present for s in ("god.pdf", "godt.md")}
    skipped = dict(report.skipped)
    assert sorted(skipped) == ["binar.txt", "kryptert.pdf", "notat.docx", "odelagt.pdf", "tom.txt"]
    assert "kryptert" in skipped["kryptert.pdf"] and "tom" in skipped["tom.txt"]
    assert ".docx" in skipped["notat.docx"]
    assert sorted(report.added) == ["god.pdf", "godt.md"] and not report.ok
    assert {s for s in store.source_states()} == {"god.pdf", "godt.md"}
    hit = App(settings, e5).retriever.search("ladestasjoner skoler", k=1)[0]
    assert hit.source == "god.pdf" and hit.page == 1


@pytest.mark.slow  # ingests the whole corpus (or loads torch): 8-25 s
def test_single_file_argument_uses_the_same_source_name(settings, e5, corpus_copy):
    settings = settings.model_copy(update={"corpus_dir": corpus_copy})
    app = App(settings, e5)
    store = app.store
    app.ingester().ingest([corpus_copy / FN], progress=False)
    report = app.ingester().ingest([corpus_copy], progress=False)
    assert FN in report.unchanged and len(report.added) == 3
    integrity(store)


@pytest.mark.slow
def test_sentence_transformers_backend_end_to_end(settings, corpus_copy):
    from assistant.app import App

    st_settings = settings.model_copy(update={"embedder": "sentence-transformers", "st_model": "all-MiniLM-L6-v2"})
    embedder = App(st_settings).embedder
    report, store = run(st_settings, embedder, corpus_copy)
    assert report.ok and store.embedder_name == "sentence-transformers/all-MiniLM-L6-v2"
    integrity(store)
    hit = App(st_settings, embedder).retriever.search("How many SMS messages were sent for the panel?", k=3)
    assert any(p.source == PLAN for p in hit)


@pytest.mark.server
def test_ingest_and_search_against_a_chroma_server(settings, e5, corpus_copy, chroma_server):
    host, port = chroma_server
    remote = settings.model_copy(update={"chroma_host": host, "chroma_port": port, "collection": "pipeline-test"})
    report, store = run(remote, e5, corpus_copy)
    assert report.ok and store.count() == report.chunks
    again, _ = run(remote, e5, corpus_copy)
    assert len(again.unchanged) == 4 and again.chunks == 0
    assert App(remote, e5).retriever.search("Hvem finansierer FN-senteret?", k=1)[0].source == FN
    assert not remote.store_dir().exists()
