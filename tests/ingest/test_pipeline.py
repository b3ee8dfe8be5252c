"""End-to-end ingestion into real Chroma with the real e5 model: corpus, incremental runs, bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.app import App
from assistant.index.store import SourceState
from ingest.pipeline import discover
from tests.fakes import memory_app
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


def test_bad_files_are_reported_and_the_rest_ingested(settings, tmp_path):
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
    app = memory_app(settings)  # which files are read is logic: the in-memory store and embedder will do
    report = app.ingester().ingest([root], progress=False, on_file=lambda *call: calls.append(call))
    store = app.store
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
    hit = app.retriever.search("ladestasjoner skoler", k=1)[0]
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


# slow: the whole corpus ingested into a real Chroma server, twice (~30 s under load, ~8 s quiet); the server path
# stays quick in tests/index/test_store.py::test_chroma_server_store and tests/test_cli_servers.py
@pytest.mark.slow
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


# --- one name per file: two folders may both hold "rapport.txt" ---------------------------------


def _state(path: Path | str) -> SourceState:
    return SourceState("h", 1, 1, str(Path(path).parent), str(path))


@pytest.mark.parametrize("stored, runs, expected", [
    ({}, [("a", "rapport.txt")], ["rapport.txt"]),  # nothing stored: names stay as they are
    ({}, [("a", "rapport.txt"), ("b", "rapport.txt")], ["rapport.txt", "b/rapport.txt"]),  # same run
    ({"rapport.txt": "a"}, [("b", "rapport.txt")], ["b/rapport.txt"]),  # held by a file that still exists
    ({"rapport.txt": "a", "b/rapport.txt": "b"}, [("a", "rapport.txt"), ("b", "rapport.txt")],
     ["rapport.txt", "b/rapport.txt"]),  # stable on the next run
    ({"rapport.txt": "gone"}, [("b", "rapport.txt")], ["rapport.txt"]),  # the stored file is gone: a move
    ({}, [("a", "sub/plan.txt"), ("b", "sub/plan.txt"), ("c", "sub/plan.txt")],
     ["sub/plan.txt", "b/sub/plan.txt", "c/sub/plan.txt"]),
    ({}, [("a", "x.txt"), ("b", "x.txt"), ("c/b", "x.txt")], ["x.txt", "b/x.txt", None]),  # b/ taken: digest
])
def test_unique_sources_give_each_file_its_own_name(tmp_path, stored, runs, expected):
    from ingest.pipeline import FileTask, unique_sources

    def file(root: str, name: str) -> Path:
        path = tmp_path / root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(root, encoding="utf-8")
        return path

    states = {source: _state(file(root, source.rsplit("/", 1)[-1]) if root != "gone" else tmp_path / "gone" / source)
              for source, root in stored.items()}
    tasks = [FileTask(tmp_path / root, file(root, name), name) for root, name in runs]
    got = unique_sources(tasks, states)
    assert [t.name for t in got] == [name for _, name in runs]  # the manifest key never changes
    assert len({t.source for t in got}) == len(got)  # one name per file
    for task, want in zip(got, expected):
        if want is None:
            assert task.source.startswith("b-") and task.source.endswith("/x.txt")
        else:
            assert task.source == want


def test_two_folders_with_the_same_file_name_keep_both(settings, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for folder, text in ((a, "Malvik bygger 12 kilometer sykkelvei."), (b, "Frosta henter vann fra Lauvåsvatnet.")):
        folder.mkdir()
        (folder / "rapport.txt").write_text(f"Rapport\n\n{text}\n", encoding="utf-8")
    app = memory_app(settings)  # naming is logic: the in-memory store and embedder will do
    assert app.ingester().ingest([a], progress=False).added == ["rapport.txt"]
    assert app.ingester().ingest([b], progress=False).added == ["b/rapport.txt"]
    again = app.ingester().ingest([a, b], progress=False)
    assert sorted(again.unchanged) == ["b/rapport.txt", "rapport.txt"] and not again.added and not again.removed
    texts = {c.source: c.text for c in app.retriever.search("rapport", k=5)}
    assert "Lauvåsvatnet" in texts["b/rapport.txt"] and "sykkelvei" in texts["rapport.txt"]
    integrity(app.store)


def test_a_writer_killed_between_write_and_cleanup_never_leaves_two_versions_searchable(settings, e5, tmp_path,
                                                                                         monkeypatch):
    from assistant.index.store import ChunkStore

    folder = tmp_path / "docs"
    folder.mkdir()
    plan = folder / "plan.txt"
    plan.write_text("Klimaplan\n\nKommunen skal kutte utslippene med 40 prosent innen 2030.\n", encoding="utf-8")
    (folder / "annet.txt").write_text("Vannplan\n\nVannverket forsyner 2600 innbyggere.\n", encoding="utf-8")
    App(settings, e5).ingester().ingest([folder], progress=False)
    plan.write_text("Klimaplan\n\nKommunen skal kutte utslippene med 60 prosent innen 2035.\n", encoding="utf-8")

    def killed(self, ids):  # the process dies after the new version is written, before the old one is deleted
        raise KeyboardInterrupt

    with monkeypatch.context() as m:
        m.setattr(ChunkStore, "delete_ids", killed)
        with pytest.raises(KeyboardInterrupt):
            App(settings, e5).ingester().ingest([folder], progress=False)
    reader = App(settings, e5)  # another process, opening the store as the kill left it
    assert len({c.meta["content_hash"] for c in reader.store.get(reader.store.ids_of_source("plan.txt")).values()}) == 2
    assert list(reader.store.replacing()) == ["plan.txt"]
    for mode in ("hybrid", "vector", "bm25"):
        found = [c.text for c in reader.retriever.search("Hvor mye skal kommunen kutte utslippene?", k=5, mode=mode)]
        assert any("60 prosent" in t for t in found) and not any("40 prosent" in t for t in found), (mode, found)
    assert any("2600" in c.text for c in reader.retriever.search("Hvor mange forsyner vannverket?", k=5))  # others stay
    report = App(settings, e5).ingester().ingest([folder], progress=False)  # the next run finishes the job
    assert report.updated == ["plan.txt"]
    assert reader.store.replacing() == {}
    integrity(reader.store)
