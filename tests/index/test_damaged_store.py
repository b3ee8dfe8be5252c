"""A damaged store says what happened and what to do, and `ingest --reindex` rebuilds it from the files.

Real Chroma stores, damaged on disk as a crash, a full disk or a careless hand would: `chroma.sqlite3`
cut short or overwritten, a database of another Chroma version (migration table changed), and the files
of a vector index that Chroma has written to disk (over 1000 passages) garbled, cut short or removed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from assistant.app import App, store_config
from assistant.cli.main import app as cli
from assistant.core.settings import Settings, get_settings
from assistant.index.damage import damage_of, hnsw_problem, segment_problem
from assistant.index.store import StoreDamaged
from tests.conftest import ROOT
from tests.damaged import (
    DOCS,
    QUESTION,
    SEGMENT,
    SQLITE,
    build_big,
    closed,
    id_map_gone,
    ingest_small,
    segment,
    truncate_sqlite,
)
from tests.marks import diagonal, slow_except

runner = CliRunner()


def _point_cli(monkeypatch, settings: Settings) -> None:
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(settings.corpus_dir))
    monkeypatch.setenv("ASSISTANT_LLM", "extractive")


@pytest.fixture
def small(settings, e5, monkeypatch) -> Settings:
    """Return the settings of a store ingested from three real files; the CLI is pointed at it."""
    _point_cli(monkeypatch, settings)
    return ingest_small(settings, e5)


@pytest.fixture(scope="module")
def big_once(tmp_path_factory, e5) -> Settings:
    """Return the settings of a store of 1100 passages built once for the module, for the checks that copy it."""
    root = tmp_path_factory.mktemp("big-once")
    return build_big(get_settings(data_dir=root / "data", corpus_dir=root / "corpus"), e5)


@pytest.fixture
def big_copy(big_once, tmp_path) -> Settings:
    """Return the settings of a copy of big_once's store, the test's own to damage (a copy ~0.1 s, a build ~1.5 s)."""
    shutil.copytree(big_once.data_dir, tmp_path / "data")
    return big_once.model_copy(update={"data_dir": tmp_path / "data"})


@pytest.fixture
def big(settings, e5, monkeypatch) -> Settings:
    """Return the settings of a store of 1100 passages whose vector index is on disk; the CLI is pointed at it."""
    _point_cli(monkeypatch, settings)
    build_big(settings, e5)
    assert segment_problem(store_config(settings), e5.dim) == ""  # the healthy index is not taken for damage
    return settings


COMMANDS = {
    "status": ["status"],
    "search": ["search", QUESTION, "--mode", "vector", "--json"],
    "ask": ["ask", QUESTION, "--llm", "extractive", "--json"],
    "ingest": ["ingest", "--no-progress"],
}


def _damaged(result, settings: Settings) -> str:
    """Assert the command named the damaged store, what to run, and ended with status 2 without a traceback."""
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # typer.Exit, not an error escaping
    assert "Traceback" not in result.output
    text = " ".join(result.output.split())
    assert f"Dokumentlagereti{settings.store_dir()}erskadet" in _flat(text)
    assert "`assistant ingest --reindex`" in text
    return text


def _flat(text: str) -> str:
    """Return the text without whitespace (the terminal breaks long paths where it likes)."""
    return "".join(text.split())


# slow: the 12 other pairs of damage and command (~0.6 s each); the quick set keeps each command and each damage once
@pytest.mark.parametrize("damage, command", diagonal(SQLITE, COMMANDS))
def test_a_damaged_database_is_named_by_every_command(small, damage, command):
    SQLITE[damage](small)
    text = _damaged(runner.invoke(cli, COMMANDS[command]), small)
    meaning = "annen Chroma-versjon" if damage.startswith("other-version") else "chroma.sqlite3 er ødelagt"
    assert meaning in text


CHILD = """
import json, sys
from typer.testing import CliRunner
from assistant.cli.main import app
out = {}
for name, args in json.loads(sys.argv[1]).items():
    result = CliRunner().invoke(app, args)
    out[name] = [result.exit_code, result.output, type(result.exception).__name__]
print(json.dumps(out))
"""


def _in_a_child(settings: Settings, commands: dict[str, list[str]]) -> dict[str, SimpleNamespace]:
    """Return each command's result (exit_code, output, exception) as run by the CLI in a process of its own.

    Chroma dies of SIGSEGV on some damaged vector indexes (a garbled data_level0.bin): that must fail
    the test, not end the test session.
    """
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(settings.data_dir), "ASSISTANT_CORPUS_DIR": str(settings.corpus_dir),
           "ASSISTANT_LLM": "extractive"}
    done = subprocess.run([sys.executable, "-c", CHILD, json.dumps(commands)], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, f"the CLI process died ({done.returncode}): {done.stderr[-3000:]}"
    results = json.loads(done.stdout.splitlines()[-1])
    return {name: SimpleNamespace(exit_code=code, output=output, exception=SystemExit() if kind == "SystemExit" else kind)
            for name, (code, output, kind) in results.items()}


# slow: a CLI process of its own per damage (~5 s each under load); the quick set keeps a garbled data_level0.bin
# (on which Chroma dies of SIGSEGV), and test_hnsw_check_... finds every damage quick
@pytest.mark.parametrize("damage", slow_except(SEGMENT, quick=["level0-garbage"]))
def test_a_damaged_vector_index_is_named_by_every_command(big, damage):
    SEGMENT[damage](big)
    for command, result in _in_a_child(big, COMMANDS).items():
        text = _damaged(result, big)
        assert "vektorindeksen er ødelagt" in text, command
        assert "Lageret holdt 3 filer (lest fra lagerets metadata). Alle finnes ennå" in text  # the database reads


def test_chat_names_a_damaged_store(small):
    truncate_sqlite(small)
    _damaged(runner.invoke(cli, ["chat", "--llm", "extractive"], input="Hvem finansierer FN-senteret?\n/slutt\n"), small)


# slow: five of the seven (~2.5 s each under load); the quick set keeps one damaged database and one damaged
# vector index
@pytest.mark.parametrize("damage", slow_except([*SQLITE, "header-garbage", "id-map-gone", "index-folder-gone"],
                                                quick=["sqlite-truncated", "id-map-gone"]))
def test_reindex_moves_the_damaged_store_aside_and_rebuilds_it_from_the_files(request, damage):
    settings = request.getfixturevalue("big" if damage in SEGMENT else "small")
    (SEGMENT.get(damage) or SQLITE[damage])(settings)
    result = runner.invoke(cli, ["ingest", "--reindex", "--no-progress"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    (aside,) = settings.data_dir.glob("chroma.skadet-*")
    assert "Lageret var skadet" in text and str(aside) in _flat(text) and "Nye (3)" in text
    assert (aside / "chroma.sqlite3").is_file()  # kept for whoever wants to look at it
    hits = json.loads(runner.invoke(cli, ["search", QUESTION, "--json"]).output)
    assert hits[0]["source"] == "fn.txt"
    info = json.loads(runner.invoke(cli, ["status", "--json"]).output)
    assert info["documents"] == 3 and info["chunks"] == 3
    assert runner.invoke(cli, ["ingest", "--reindex", "--no-progress"]).exit_code == 0  # a healthy store stays
    assert len(list(settings.data_dir.glob("chroma.skadet-*"))) == 1


def test_a_healthy_store_is_never_set_aside_by_reindex(big):
    result = runner.invoke(cli, ["ingest", "--reindex", "--no-progress"])
    assert result.exit_code == 0, result.output
    assert "skadet" not in result.output and not list(big.data_dir.glob("chroma.skadet-*"))


def test_the_message_names_files_that_are_gone_read_from_the_store(big, tmp_path, e5):
    other = tmp_path / "andre"  # a file ingested from outside the corpus folder
    other.mkdir()
    (other / "ekstra.txt").write_text(DOCS["tiltak.txt"].replace("Rennebu", "Oppdal"), encoding="utf-8")
    App(big, e5).ingester().ingest([other / "ekstra.txt"], progress=False)
    (big.corpus_dir / "stad.txt").unlink()
    id_map_gone(closed(big))
    text = _damaged(runner.invoke(cli, ["status"]), big)
    assert "Lageret holdt 4 filer" in text
    assert "Disse finnes ikke lenger og kommer ikke med: stad.txt." in text
    assert "Disse ligger utenfor" in text and f"{big.corpus_dir}og{big.uploads_dir()}ogmågismed" in _flat(text)
    assert str(other / "ekstra.txt") in _flat(text)


def test_the_message_names_files_that_are_gone_read_from_the_keyword_index(small):
    (small.corpus_dir / "stad.txt").unlink()
    truncate_sqlite(small)
    text = _damaged(runner.invoke(cli, ["search", QUESTION]), small)
    assert "Selve lageret kan ikke leses; søkeindeksen viser at det holdt 3 filer, og 2 av dem finnes i" in text
    assert "Disse fant jeg ikke der (de kan ligge et annet sted, eller være borte): stad.txt." in text


def test_the_message_says_so_when_nothing_tells_which_files_there_were(small):
    shutil.rmtree(small.keyword_dir())
    truncate_sqlite(small)
    text = _damaged(runner.invoke(cli, ["status"]), small)
    assert "Hvilke filer lageret holdt, kan verken leses fra lageret eller fra søkeindeksen" in text


def test_a_store_damaged_while_it_is_open_says_so_and_answers_again_once_rebuilt(small, e5):
    app = App(small, e5)
    assert app.retriever.search(QUESTION, k=1, mode="vector")[0].source == "fn.txt"
    good = small.data_dir.parent / "good-copy"
    shutil.copytree(small.store_dir(), good)
    truncate_sqlite(small)
    for call in (lambda: app.store.query(e5.embed_query(QUESTION), 1), app.store.count, app.store.source_states,
                 lambda: list(app.store.iter_records())):
        with pytest.raises(StoreDamaged, match="chroma.sqlite3 er ødelagt"):
            call()
    shutil.rmtree(small.store_dir())
    shutil.copytree(good, small.store_dir())  # what a reindex in another process leaves in place
    assert app.retriever.search(QUESTION, k=1, mode="vector")[0].source == "fn.txt"


def test_a_deleted_index_folder_of_a_small_store_is_still_rebuilt_by_chroma(small):
    shutil.rmtree(segment(small))  # nothing was on disk that Chroma's log does not hold
    result = runner.invoke(cli, ["search", QUESTION, "--mode", "vector", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)[0]["source"] == "fn.txt"


def test_an_empty_database_file_says_to_ingest_and_ingest_fills_it(small):
    (small.store_dir() / "chroma.sqlite3").write_bytes(b"")
    result = runner.invoke(cli, ["search", QUESTION])
    assert result.exit_code == 2 and "lageret er tomt: kjør `assistant ingest` først" in result.output
    assert runner.invoke(cli, ["ingest", "--no-progress"]).exit_code == 0
    assert json.loads(runner.invoke(cli, ["search", QUESTION, "--json"]).output)[0]["source"] == "fn.txt"


@pytest.mark.parametrize("damage", SEGMENT)
def test_hnsw_check_finds_each_damage_and_passes_the_healthy_index(big_copy, damage, e5):
    folder = segment(big_copy)
    assert hnsw_problem(folder, e5.dim) == ""
    assert segment_problem(store_config(big_copy), e5.dim) == ""
    SEGMENT[damage](big_copy)
    assert hnsw_problem(folder, e5.dim)
    # no other process writes here, so the files settle at once; the settling itself is tested below
    assert segment_problem(store_config(big_copy), e5.dim, settle=0.01).startswith("vektorindeksen er ødelagt")


def test_a_server_store_is_never_judged_by_local_files(small):
    remote = get_settings(data_dir=small.data_dir, chroma_host="127.0.0.1", chroma_port=9)
    assert damage_of(store_config(remote), RuntimeError("database disk image is malformed")) is None
    assert damage_of(store_config(small), RuntimeError("database disk image is malformed")) is not None
    assert damage_of(store_config(small), RuntimeError("database is locked")) is None  # busy, not damaged


@pytest.mark.parametrize("damage", ["level0-garbage", "header-garbage"])
def test_files_that_keep_changing_are_left_unjudged_and_judged_once_they_stop(big_copy, damage, e5):
    SEGMENT[damage](big_copy)
    folder = segment(big_copy)
    busy = folder / "link_lists.bin"  # another process still writing: the folder changes between looks
    stop = threading.Event()

    def write() -> None:
        while not stop.is_set():
            with busy.open("ab") as f:
                f.write(b"\0")
            time.sleep(0.005)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        assert segment_problem(store_config(big_copy), e5.dim, settle=0.05) == ""
    finally:
        stop.set()
        writer.join()
    assert segment_problem(store_config(big_copy), e5.dim, settle=0.05).startswith("vektorindeksen er ødelagt")
