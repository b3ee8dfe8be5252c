"""Uploads are a durable queue: a file the app accepted is ingested or reported, even after a crash.

A crash between saving an upload and ingesting it is simulated as the crash leaves it: the file lies in
`data/uploads/opplastet/` and the store lacks it (or holds part of it, or an older version). Also the
real thing: the ingesting child process killed with SIGKILL halfway. Then `assistant status` lists the
file, `assistant ingest` takes it, and the app ingests it on start, saying so on the page.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.app import App
from assistant.cli.main import app as cli
from assistant.core.settings import Settings
from assistant.services.uploads import default_targets, unfinished_checks, upload_targets, waiting_uploads
from tests.ui.markdown import literal
from ui import services
from ui.background import BackgroundIngester, IngestFailed
from ui.upload import add_uploads, resume_uploads

runner = CliRunner()

FN = "FN-senteret i Trondheim\n\nTrondheim kommune finansierer FN-senteret over kommunebudsjettet.\n"
SYKKEL = ("Sykkelplan for Malvik\n\nMalvik kommune skal bygge 12 kilometer ny sykkelvei innen 2026. "
          "Sykkelveien skal gå langs fylkesvei 950.\n")
LONG = "Klimaplan for Skaun\n\n" + "\n\n".join(
    f"Skaun kommune gjennomfører tiltak {i} for klima, med {i * 3} tonn kutt i utslipp fra transport og bygg."
    for i in range(60))
QUESTION = "Hvor mange kilometer sykkelvei skal Malvik bygge?"


def _left_behind(settings: Settings, name: str = "Sykkelplan Malvik.txt", text: str = SYKKEL) -> Path:
    """Return an upload as a crash leaves it: saved in the upload folder, never ingested."""
    folder = settings.uploads_dir() / "opplastet"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def seeded(settings, e5, monkeypatch) -> Settings:
    """Return settings of a store holding one corpus file; the CLI and the app are pointed at it."""
    (settings.corpus_dir / "fn.txt").write_text(FN, encoding="utf-8")
    assert App(settings, e5).ingester().ingest([settings.corpus_dir], progress=False).ok
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(settings.corpus_dir))
    monkeypatch.setenv("ASSISTANT_LLM", "extractive")
    return settings


# --- what is waiting ---


def test_a_file_left_in_the_upload_folder_is_waiting_until_it_is_ingested(seeded, e5):
    app = App(seeded, e5)
    uploads = seeded.uploads_dir()
    assert waiting_uploads(uploads, app.store.source_states()) == [] and upload_targets(uploads) == []
    path = _left_behind(seeded)
    (waiting,) = waiting_uploads(uploads, app.store.source_states())
    assert (waiting.source, waiting.path, waiting.why) == ("opplastet/Sykkelplan Malvik.txt", path, "ikke lagt inn")
    assert default_targets(seeded.corpus_dir, uploads) == [seeded.corpus_dir, uploads]
    app.ingester().ingest([uploads], progress=False)
    assert waiting_uploads(uploads, app.store.source_states()) == []


# slow: quick cover: what waits is quick in test_a_file_left_in_the_upload_folder_is_waiting_until_it_is_ingested and test_an_upload_whose_ingesting_child_is_killed_is_left_waiting
@pytest.mark.slow
def test_a_newer_version_and_a_partly_ingested_file_are_waiting(seeded, e5):
    app = App(seeded, e5)
    newer = _left_behind(seeded)
    partly = _left_behind(seeded, "skaun.txt", LONG)
    app.ingester().ingest([seeded.uploads_dir()], progress=False)
    newer.write_text(SYKKEL.replace("12 kilometer", "14 kilometer"), encoding="utf-8")  # a re-upload, not ingested
    ids = app.store.ids_of_source("opplastet/skaun.txt")
    assert len(ids) > 1
    app.store.delete_ids(ids[1:])  # what a writer killed halfway leaves
    found = {w.source: w.why for w in waiting_uploads(seeded.uploads_dir(), app.store.source_states())}
    assert found == {"opplastet/Sykkelplan Malvik.txt": "en nyere versjon er ikke lagt inn",
                     "opplastet/skaun.txt": "bare delvis lagt inn"}
    assert partly.exists()


def test_files_still_being_checked_are_not_waiting_but_are_found(seeded, e5):
    incoming = seeded.uploads_dir() / ".incoming"
    incoming.mkdir(parents=True)
    (incoming / "halvveis.pdf").write_bytes(b"%PDF-1.4 cut short")
    (seeded.uploads_dir() / "opplastet").mkdir()
    assert waiting_uploads(seeded.uploads_dir(), App(seeded, e5).store.source_states()) == []
    assert [p.name for p in unfinished_checks(seeded.uploads_dir())] == ["halvveis.pdf"]


def test_an_upload_whose_ingesting_child_is_killed_is_left_waiting(seeded, e5):
    """The real crash: the child process that ingests an upload dies of SIGKILL after its first file."""
    ingester = BackgroundIngester(seeded)

    def kill(done, total, source):
        ingester.process.kill()

    ingest = ingester.ingest_uploads
    ingester.ingest_uploads = lambda names, root, on_file=None: ingest(names, root, kill)
    with pytest.raises(IngestFailed):
        add_uploads([("Sykkelplan Malvik.txt", SYKKEL.encode()), ("skaun.txt", LONG.encode())], ingester,
                    seeded.uploads_dir(), seeded.max_file_mb)
    waiting = waiting_uploads(seeded.uploads_dir(), App(seeded, e5).store.source_states())
    assert {w.source for w in waiting} == {"opplastet/Sykkelplan Malvik.txt", "opplastet/skaun.txt"}


def test_resume_ingests_what_waits_and_removes_unchecked_leftovers(seeded, e5):
    app = App(seeded, e5)
    _left_behind(seeded)
    leftover = seeded.uploads_dir() / ".incoming" / "halvveis.pdf"
    leftover.parent.mkdir()
    leftover.write_bytes(b"%PDF-1.4 cut short")
    uploads = seeded.uploads_dir()
    outcomes = resume_uploads(waiting_uploads(uploads, app.store.source_states()), unfinished_checks(uploads),
                              app.ingester(), uploads)
    assert [(o.name, o.ok) for o in outcomes] == [("halvveis.pdf", False), ("Sykkelplan Malvik.txt", True)]
    assert "ble ikke ferdig sjekket før appen stoppet" in outcomes[0].message and not leftover.exists()
    assert outcomes[1].message.startswith("Sykkelplan Malvik.txt er lagt inn (")
    assert app.retriever.search(QUESTION, k=1)[0].source == "opplastet/Sykkelplan Malvik.txt"


# --- the command line ---


def test_status_lists_the_files_waiting(seeded):
    _left_behind(seeded)
    result = runner.invoke(cli, ["status"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "Venter på innlesing (1)" in text and "opplastet/Sykkelplan Malvik.txt (ikke lagt inn)" in text
    info = json.loads(runner.invoke(cli, ["status", "--json"]).output)
    assert [w["source"] for w in info["waiting"]] == ["opplastet/Sykkelplan Malvik.txt"]
    assert info["waiting"][0]["why"] == "ikke lagt inn"


def test_status_without_a_store_still_names_the_files_waiting(settings, monkeypatch):
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(settings.data_dir))
    _left_behind(settings)
    result = runner.invoke(cli, ["status"])
    assert result.exit_code == 2
    assert "1 opplastede filer venter: opplastet/Sykkelplan Malvik.txt" in " ".join(result.output.split())


def test_plain_ingest_takes_the_upload_folder_too(seeded):
    _left_behind(seeded)
    result = runner.invoke(cli, ["ingest", "--no-progress"])
    assert result.exit_code == 0, result.output
    assert "Nye (1): opplastet/Sykkelplan Malvik.txt" in result.output and "Uendret (1): fn.txt" in result.output
    hits = json.loads(runner.invoke(cli, ["search", QUESTION, "--json", "--k", "1"]).output)
    assert hits[0]["source"] == "opplastet/Sykkelplan Malvik.txt"
    info = json.loads(runner.invoke(cli, ["status", "--json"]).output)
    assert info["waiting"] == [] and info["documents"] == 2


def test_reindex_keeps_what_was_uploaded(seeded, e5):
    outcomes, _ = add_uploads([("Sykkelplan Malvik.txt", SYKKEL.encode())], App(seeded, e5).ingester(),
                              seeded.uploads_dir(), seeded.max_file_mb)
    assert outcomes[0].ok
    result = runner.invoke(cli, ["ingest", "--reindex", "--no-progress"])
    assert result.exit_code == 0, result.output
    info = json.loads(runner.invoke(cli, ["status", "--json"]).output)
    assert sorted(info["sources"]) == ["fn.txt", "opplastet/Sykkelplan Malvik.txt"]
    hits = json.loads(runner.invoke(cli, ["search", QUESTION, "--json", "--k", "1"]).output)
    assert hits[0]["source"] == "opplastet/Sykkelplan Malvik.txt"


def test_given_paths_are_read_alone_and_a_file_removed_from_the_upload_folder_leaves_the_store(seeded):
    path = _left_behind(seeded)
    assert "opplastet" not in runner.invoke(cli, ["ingest", str(seeded.corpus_dir), "--no-progress"]).output
    assert runner.invoke(cli, ["ingest", "--no-progress"]).exit_code == 0
    path.unlink()  # deleted by staff: the upload folder is read like the corpus folder
    result = runner.invoke(cli, ["ingest", "--no-progress"])
    assert "Fjernet (1): opplastet/Sykkelplan Malvik.txt" in result.output


# --- the app ---


def _app_test():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(Path(__file__).resolve().parents[2] / "ui" / "app.py"), default_timeout=180)
    at.run()
    assert not at.exception, at.exception
    return at


def _resume_job():
    return services.resume_job(services.settings())  # the app's own: same settings, same process


# slow: quick cover: resuming is quick in test_resume_ingests_what_waits_and_removes_unchecked_leftovers; the app's start in test_the_app_starts_no_job_when_nothing_waits
@pytest.mark.slow
def test_the_app_ingests_an_upload_left_behind_on_start_and_says_so(seeded):
    _left_behind(seeded)
    leftover = seeded.uploads_dir() / ".incoming" / "halvveis.pdf"
    leftover.parent.mkdir()
    leftover.write_bytes(b"%PDF-1.4 cut short")
    at = _app_test()
    infos = [literal(i.value) for i in at.sidebar.info]
    assert ("Fant 1 opplastet fil som ikke ble lagt inn før appen stoppet: Sykkelplan Malvik.txt. Legger den inn nå."
            in infos), infos
    job = _resume_job()
    assert job is not None and job.names == ["Sykkelplan Malvik.txt"]
    job.thread.join(timeout=600)
    at.run()  # what the page's polling fragment does once the job is done
    assert not at.exception, at.exception
    assert "Opplastinger som ble liggende igjen da appen stoppet:" in [i.value for i in at.sidebar.info]
    successes = [literal(s.value) for s in at.sidebar.success]
    assert any(s.startswith("Sykkelplan Malvik.txt er lagt inn (") for s in successes), successes
    errors = [literal(e.value) for e in at.sidebar.error]
    assert any("halvveis.pdf ble ikke ferdig sjekket før appen stoppet" in e for e in errors), errors
    assert "**2** dokumenter" in " ".join(m.value for m in at.sidebar.markdown)  # the page was refreshed
    found = services.app(services.settings()).retriever.search(QUESTION, k=1)  # the app's own retriever
    assert found[0].source == "opplastet/Sykkelplan Malvik.txt"


def test_the_app_starts_no_job_when_nothing_waits(seeded):
    (seeded.uploads_dir() / "opplastet").mkdir(parents=True)
    at = _app_test()
    assert _resume_job() is None
    assert not any("opplastet" in i.value or "Opplastinger" in i.value for i in at.sidebar.info)
