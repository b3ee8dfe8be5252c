"""Uploads: names that ingestion takes, outcomes that say what really happened, ingestion beside answering."""

from __future__ import annotations

import time

import pytest

from assistant.app import App
from ingest.pipeline import IngestReport, discover
from ui import services
from ui.background import BackgroundIngester
from ui.upload import add_uploads, safe_name, start_upload_job

NAMES = [
    "(Kopi) rapport.pdf", "[2023] plan.txt", "«Rapport».txt", "_intern.md", ".skjult.txt", "__.txt", "~$lås.html",
    "#1 notat.txt", '"Plan".md', "- strek.txt", "....txt", "  mellomrom .txt", "Bærekraft Frøya 2024.TXT",
    "../../etc/passwd.txt", "C:\\Users\\x\\(utkast) Klima.txt", "a" * 300 + ".txt",
]


@pytest.mark.parametrize("name", NAMES)
def test_safe_names_never_start_with_underscore_or_dot_and_keep_their_type(name):
    safe = safe_name(name)
    assert safe and not safe.startswith(("_", ".", " ", "-")), safe
    assert safe.endswith((".txt", ".md", ".pdf", ".html")) and "/" not in safe and len(safe) <= 160


def test_every_odd_name_is_ingested_and_reported_as_added(settings, e5, tmp_path):
    app = App(settings, e5)
    files = [(name, f"Notat {i}\n\nMalvik kommune vedtok tiltak nummer {i} for klima.\n".encode())
             for i, name in enumerate(n for n in NAMES if n.endswith(".txt"))]
    outcomes, report = add_uploads(files, app.ingester(), settings.uploads_dir(), settings.max_file_mb)
    assert all(o.ok and "er lagt inn" in o.message for o in outcomes), [o.message for o in outcomes]
    assert len(report.added) == len(files)
    sources = {t.source for t in discover([settings.uploads_dir()])}
    assert {f"opplastet/{o.name}" for o in outcomes} <= sources


def test_a_file_the_run_did_not_ingest_is_never_reported_as_done(settings, e5, monkeypatch):
    app = App(settings, e5)
    ingester = app.ingester()
    monkeypatch.setattr(ingester, "ingest", lambda *a, **k: IngestReport())  # the run saw nothing
    outcomes, _ = add_uploads([("plan.txt", b"Malvik kommune vedtok en plan for klima.\n")], ingester,
                              settings.uploads_dir(), settings.max_file_mb)
    assert [o.ok for o in outcomes] == [False]
    assert "ikke lagt inn" in outcomes[0].message and "uendret" not in outcomes[0].message


@pytest.mark.slow  # ingests 400 passages in a background child: 10-30 s
def test_a_question_is_answered_while_an_upload_is_ingested(settings, e5):
    app = App(settings, e5)
    ingest = app.ingester()
    ingest.ingest([_seed(settings)], progress=False)
    bot = app.assistant("extractive")
    text = "Klimaplan for Skaun\n\n" + "\n\n".join(
        f"Skaun kommune gjennomfører tiltak {i} for klima, med {i * 3} tonn kutt i utslipp fra transport og bygg."
        for i in range(400)
    )
    job = start_upload_job([("skaun.txt", text.encode())], BackgroundIngester(settings), services.ingest_lock(),
                           settings.uploads_dir(), settings.max_file_mb)
    time.sleep(0.5)
    asked = time.monotonic()
    with services.lock():  # the lock every answer in the app takes
        answer = bot.ask("Hvem finansierer FN-senteret?")
    waited = time.monotonic() - asked
    assert not job.finished, "the upload was too small to overlap the question"
    assert answer.citations and waited < 5, waited
    job.thread.join(timeout=600)
    assert job.finished and [o.ok for o in job.outcomes] == [True], [o.message for o in job.outcomes]
    assert app.retriever.search("tiltak for klima i Skaun", k=1, mode="vector")[0].source == "opplastet/skaun.txt"


def test_a_failing_job_reports_failure_not_success(settings, e5):
    app = App(settings, e5)
    ingester = app.ingester()

    def broken(*_a, **_k):
        raise RuntimeError("disken er full")

    ingester.ingest = broken
    job = start_upload_job([("plan.txt", b"Malvik kommune vedtok en plan for klima.\n")], ingester,
                           services.ingest_lock(), settings.uploads_dir(), settings.max_file_mb)
    job.thread.join(timeout=120)
    assert [o.ok for o in job.outcomes] == [False] and "disken er full" in job.outcomes[0].message


def _seed(settings):
    folder = settings.corpus_dir
    (folder / "fn.txt").write_text("FN-senteret\n\nTrondheim kommune finansierer FN-senteret over budsjettet.\n",
                                   encoding="utf-8")
    return folder


def _count_loads(monkeypatch):
    """Count every load of a document, wherever the upload path calls it from."""
    import ingest.pipeline
    import ui.upload

    loads: list[str] = []
    for module in (ui.upload, ingest.pipeline):
        real = module.load_document

        def counted(path, source, _real=real):
            loads.append(source)
            return _real(path, source)

        monkeypatch.setattr(module, "load_document", counted)
    return loads


def test_an_upload_is_loaded_once(settings, e5, monkeypatch):
    loads = _count_loads(monkeypatch)
    files = [("plan.txt", b"Malvik kommune vedtok en plan for klima.\n"),
             ("notat.md", b"# Notat\n\nSkaun kommune planter tre for naturen.\n"),
             ("tom.txt", b"   \n\n  ")]  # not empty as bytes, but without text: refused when loaded
    outcomes, report = add_uploads(files, App(settings, e5).ingester(), settings.uploads_dir(), settings.max_file_mb)
    assert [(o.name, o.ok) for o in outcomes] == [("tom.txt", False), ("plan.txt", True), ("notat.md", True)]
    assert sorted(loads) == ["opplastet/notat.md", "opplastet/plan.txt", "opplastet/tom.txt"]  # each read once
    assert sorted(report.added) == ["opplastet/notat.md", "opplastet/plan.txt"]
    assert not (settings.uploads_dir() / ".incoming" / "tom.txt").exists()


@pytest.mark.parametrize("bad", [b"   \n\n  ", b"\n\t\n\xc2\xa0\n"])  # bytes, but no text once loaded
def test_a_bad_upload_never_replaces_a_good_file_of_the_same_name(settings, e5, bad):
    app = App(settings, e5)
    good = b"Malvik kommune vedtok en plan for klima.\n"
    root = settings.uploads_dir()
    assert add_uploads([("plan.txt", good)], app.ingester(), root, settings.max_file_mb)[0][0].ok
    outcomes, report = add_uploads([("plan.txt", bad)], app.ingester(), root, settings.max_file_mb)
    assert [o.ok for o in outcomes] == [False] and report is None
    assert outcomes[0].message.startswith("plan.txt: ")  # the loader's reason ("tom fil", "ingen tekst …")
    assert (root / "opplastet" / "plan.txt").read_bytes() == good  # the good file stays, and so does its text
    assert app.retriever.search("plan for klima", k=1, mode="bm25")[0].source == "opplastet/plan.txt"


@pytest.mark.slow  # a real child loads e5: about 10 s
def test_the_apps_own_process_never_loads_an_upload(settings, e5, monkeypatch):
    """The child checks, loads and ingests; this process only saves the bytes (a load here would fail the test)."""
    import ingest.pipeline
    import ui.upload

    def forbidden(*_a, **_k):
        raise AssertionError("the app's process loaded an upload")

    monkeypatch.setattr(ui.upload, "load_document", forbidden)
    monkeypatch.setattr(ingest.pipeline, "load_document", forbidden)
    files = [("plan.txt", b"Malvik kommune vedtok en plan for klima.\n"), ("brutt.pdf", b"%PDF-1.4 cut short")]
    outcomes, report = add_uploads(files, BackgroundIngester(settings), settings.uploads_dir(), settings.max_file_mb)
    assert [(o.name, o.ok) for o in outcomes] == [("brutt.pdf", False), ("plan.txt", True)]
    assert report is not None and report.added == ["opplastet/plan.txt"]
    assert App(settings, e5).retriever.search("plan for klima", k=1, mode="bm25")[0].source == "opplastet/plan.txt"
