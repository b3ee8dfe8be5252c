"""Uploads ingested in a low-priority child process: progress, the report, failures, and the app seeing the result."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from assistant.app import App
from tests.conftest import ROOT
from ui.background import BackgroundIngester, IngestFailed

pytestmark = pytest.mark.slow  # each test starts a Python process that loads the e5 model


def _folder(tmp_path, count: int):
    folder = tmp_path / "docs"
    folder.mkdir()
    for i in range(count):
        (folder / f"notat-{i}.txt").write_text(
            f"Notat {i}\n\nRennebu kommune planter {i + 10} hektar skog som klimatiltak i år {2020 + i}.\n",
            encoding="utf-8")
    return folder


def test_a_background_ingest_reports_each_file_and_this_process_finds_what_it_wrote(settings, e5, tmp_path):
    app = App(settings, e5)
    seed = settings.corpus_dir / "fn.txt"
    seed.write_text("FN-senteret\n\nTrondheim kommune finansierer FN-senteret over budsjettet.\n", encoding="utf-8")
    app.ingester().ingest([settings.corpus_dir], progress=False)
    assert app.retriever.search("Rennebu skog", k=1, mode="vector")[0].source == "fn.txt"  # opened before the child
    seen = []
    report = BackgroundIngester(settings).ingest([_folder(tmp_path, 3)],
                                                 on_file=lambda done, total, source: seen.append((done, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]
    assert sorted(report.added) == ["notat-0.txt", "notat-1.txt", "notat-2.txt"] and report.chunks == 3
    for mode in ("vector", "bm25", "hybrid"):  # the running process follows the child's write
        assert app.retriever.search("hektar skog i Rennebu", k=1, mode=mode)[0].source.startswith("notat-"), mode


def test_a_child_that_fails_is_reported_with_its_reason(settings, tmp_path):
    settings.data_dir.parent.mkdir(parents=True, exist_ok=True)
    settings.data_dir.write_text("not a folder")  # the store cannot be opened
    with pytest.raises(IngestFailed) as failed:
        BackgroundIngester(settings).ingest([_folder(tmp_path, 1)])
    assert str(failed.value).strip() and "Traceback" not in str(failed.value)


def test_a_child_killed_midway_is_reported_not_awaited(settings, tmp_path):
    ingester = BackgroundIngester(settings)

    def kill_child(done, total, source):
        ingester.process.kill()

    with pytest.raises(IngestFailed, match="stoppet uventet"):
        ingester.ingest([_folder(tmp_path, 40)], on_file=kill_child)
    assert ingester.process is None


def test_the_child_takes_the_parents_settings_not_the_environment(settings, e5, tmp_path, monkeypatch):
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "elsewhere"))
    monkeypatch.setenv("ASSISTANT_COLLECTION", "from_env")
    custom = settings.model_copy(update={"collection": "opplastinger"})
    assert len(BackgroundIngester(custom).ingest([_folder(tmp_path, 2)]).added) == 2
    assert not (tmp_path / "elsewhere").exists()
    assert App(custom, e5).store.count() == 2 and App(settings, e5).store.count() == 0


def test_a_child_started_while_main_is_a_page_script_still_ingests(settings, tmp_path, monkeypatch):
    import types

    page = types.ModuleType("__main__")
    page.__file__ = str(tmp_path / "page.py")  # what Streamlit does while a page's script runs
    (tmp_path / "page.py").write_text("raise SystemExit('the page script ran in the child')\n")
    monkeypatch.setitem(sys.modules, "__main__", page)
    assert BackgroundIngester(settings).ingest([_folder(tmp_path, 1)]).added == ["notat-0.txt"]


def test_the_child_gives_up_the_cpu_to_answering():
    code = ("import os; from ui.background import lowest_priority; "
            "print(lowest_priority(), os.sched_getscheduler(0) == os.SCHED_IDLE, os.nice(0))")
    label, idle, nice = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                                       cwd=ROOT).stdout.rsplit(maxsplit=2)
    assert (label, idle) == ("SCHED_IDLE", "True") or (label, nice) == ("nice 19", "19"), (label, idle, nice)
    assert os.sched_getscheduler(0) != os.SCHED_IDLE  # the calling process itself is untouched
