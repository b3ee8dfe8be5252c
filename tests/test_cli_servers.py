"""The command line when its Chroma server goes away: a real `chroma run` on loopback, stopped mid-command.

The server is stopped from inside the command, at the moment named (a wrapper around a real method that
stops it and then calls through), so the client meets a real refused connection at a known point.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.answering.retrieve import Retriever
from assistant.cli.main import EXIT_SERVER, app
from assistant.index.store import ChunkStore
from tests.conftest import free_port
from tests.procs import serving

runner = CliRunner()
pytestmark = pytest.mark.server


class ChromaProcess:
    """A `chroma run` on loopback over a folder that outlives it: started, stopped and started again."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.port = folder, free_port()
        self._running: AbstractContextManager | None = None

    def _ready(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return True
        except OSError:
            return False

    def start(self) -> None:
        chroma = Path(sys.executable).parent / "chroma"
        command = [str(chroma), "run", "--path", str(self.folder / "db"), "--host", "127.0.0.1", "--port", str(self.port)]
        self._running = serving(command, self._ready, self.folder / "server.log", "chroma server",
                                env={**os.environ, "ANONYMIZED_TELEMETRY": "False"}, timeout=60)
        self._running.__enter__()

    def stop(self) -> None:
        if self._running is not None:
            self._running.__exit__(None, None, None)
            self._running = None


@pytest.fixture
def chroma(tmp_path, monkeypatch):
    """Yield a started ChromaProcess the CLI is pointed at (stopped at the end whatever happened)."""
    server = ChromaProcess(tmp_path)
    server.start()
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ASSISTANT_CHROMA_HOST", "127.0.0.1")
    monkeypatch.setenv("ASSISTANT_CHROMA_PORT", str(server.port))
    try:
        yield server
    finally:
        server.stop()


def _docs(folder: Path, n: int, name: str = "plan") -> Path:
    folder.mkdir(exist_ok=True)
    for i in range(n):
        (folder / f"{name}{i}.txt").write_text(
            f"{name.title()} {i} for Malvik\n\nMalvik kommune skal bygge {i + 3} kilometer sykkelvei innen {2026 + i}.\n",
            encoding="utf-8")
    return folder


def _stops_server_first(monkeypatch, cls, name: str, server: ChromaProcess) -> None:
    """Make cls.name stop the server before it does its real work (once)."""
    real = getattr(cls, name)

    def wrapper(self, *args, **kwargs):
        server.stop()
        return real(self, *args, **kwargs)

    monkeypatch.setattr(cls, name, wrapper)


def _says_server_gone(result, port: int) -> None:
    assert result.exit_code == EXIT_SERVER == 3, result.output
    text = " ".join(result.output.split())
    assert f"Chroma-serveren på 127.0.0.1:{port} svarer ikke" in text and "chroma run" in text, text
    assert "Traceback" not in result.output and "ConnectError" not in result.output


@pytest.mark.slow  # starts the Chroma server six times: 10-15 s; quick keeps the server stopped before the command
def test_server_gone_mid_command_gives_a_message_and_exit_status_3(chroma, tmp_path, monkeypatch):
    folder = _docs(tmp_path / "docs", 3)
    assert runner.invoke(app, ["ingest", str(folder), "--no-progress"]).exit_code == 0

    import assistant.cli.main as cli
    from assistant.services.catalog import build_catalog

    with monkeypatch.context() as m:  # status: the store opened, then the server stops before the listing
        m.setattr(cli, "build_catalog", lambda store: (chroma.stop(), build_catalog(store))[1])
        _says_server_gone(runner.invoke(app, ["status"]), chroma.port)

    for command in (["search", "sykkelvei i Malvik"], ["ask", "Hvor mye sykkelvei skal Malvik bygge?", "--llm", "extractive"],
                    ["ask", "Hvor mye sykkelvei skal Malvik bygge?", "--llm", "extractive", "--json"]):
        chroma.start()
        with monkeypatch.context() as m:
            _stops_server_first(m, Retriever, "search", chroma)
            _says_server_gone(runner.invoke(app, command), chroma.port)

    chroma.start()  # ingest: the server stops as the first passages are written
    more = _docs(tmp_path / "more", 6, "tiltak")
    with monkeypatch.context() as m:
        _stops_server_first(m, ChunkStore, "upsert", chroma)
        result = runner.invoke(app, ["ingest", str(more), "--no-progress"])
    _says_server_gone(result, chroma.port)
    assert "assistant ingest` igjen" in " ".join(result.output.split())

    chroma.start()  # ... and, as the message says, the next ingest completes it
    result = runner.invoke(app, ["ingest", str(more), "--no-progress"])
    assert result.exit_code == 0 and "Nye (6)" in result.output and "lager: 9 biter" in result.output, result.output


def test_server_down_before_the_command_gives_exit_status_3(chroma, tmp_path):
    folder = _docs(tmp_path / "docs", 2)
    assert runner.invoke(app, ["ingest", str(folder), "--no-progress"]).exit_code == 0
    chroma.stop()
    for command in (["status"], ["search", "sykkelvei"], ["ask", "Hvor mye sykkelvei?", "--llm", "extractive"],
                    ["ingest", str(folder), "--no-progress"]):
        _says_server_gone(runner.invoke(app, command), chroma.port)


def test_exit_status_3_is_in_the_help_of_each_command():
    for command in ("ingest", "search", "ask", "status"):
        text = " ".join(runner.invoke(app, [command, "--help"]).output.split())
        assert "3" in text and "Chroma" in text, (command, text)


def ingest_sykkelplan(tmp_path, monkeypatch) -> None:
    """Ingest one small document about Malvik's cycle path into a store of the test's own."""
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "data"))
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "sykkelplan.txt").write_text(
        "Sykkelplan for Malvik\n\nMalvik kommune skal bygge 12 kilometer ny sykkelvei innen 2026. "
        "Sykkelveien skal gå langs fylkesvei 950.\n", encoding="utf-8")
    assert runner.invoke(app, ["ingest", str(folder), "--no-progress"]).exit_code == 0


# slow: waits out a 2 s deadline twice (~7 s under load); the Ollama CLI path stays quick in
# test_ask_never_prints_an_unbacked_model_claim_as_the_answer, the deadline in tests/llm/test_ollama.py
@pytest.mark.slow
def test_ask_gives_up_a_trickling_ollama_at_llm_timeout_and_answers_by_quoting(tmp_path, monkeypatch):
    from tests.llm.test_ollama import _Trickle
    from tests.ollama_server import serve_ollama

    ingest_sykkelplan(tmp_path, monkeypatch)
    server, url = serve_ollama({"trickle:latest": _Trickle(1.0)})
    try:
        monkeypatch.setenv("OLLAMA_HOST", url)
        monkeypatch.setenv("ASSISTANT_OLLAMA_MODEL", "trickle")
        monkeypatch.setenv("ASSISTANT_LLM_TIMEOUT", "2")
        for extra in ([], ["--json"]):
            started = time.monotonic()
            result = runner.invoke(app, ["ask", "Hvor mange kilometer sykkelvei skal Malvik bygge?", "--llm", "ollama", *extra])
            assert result.exit_code == 0, result.output
            assert time.monotonic() - started < 30
            text = " ".join(result.output.split())
            assert "innen 2 s" in text and "Språkmodellen feilet" in text and "dokumentene som svarer best" in text
            assert "12 kilometer" in text
        assert server.chat_requests()  # the model was asked, and given up on
    finally:
        server.shutdown()


class _Claims:
    """A served stand-in model whose JSON reply states a claim (a wrong number, a made-up name)."""

    name, context_window = "claims", 4096

    def __init__(self, answer: str) -> None:
        self.answer = answer

    def count_tokens(self, text: str) -> int:
        return len(text) // 3 + 1

    def stream(self, messages, **kwargs):
        reply = json.dumps({"sentences": [1], "answer": self.answer}, ensure_ascii=False)
        for i in range(0, len(reply), 4):
            yield reply[i : i + 4]


# slow: the name and the year (~4 s each under load); the quick set keeps the number, and the claim check itself is
# tested quick on many cases in tests/answering/test_reading.py
@pytest.mark.parametrize("claim", [
    "Malvik skal bygge 40 kilometer ny sykkelvei.",  # a number no sentence has
    pytest.param("Ordfører Ola Fake har vedtatt sykkelveien.", marks=pytest.mark.slow),  # a name no sentence has
    pytest.param("Malvik skal bygge 12 kilometer ny motorvei innen 2030.",  # a year the sentence does not give
                 marks=pytest.mark.slow),
])
def test_ask_never_prints_an_unbacked_model_claim_as_the_answer(tmp_path, monkeypatch, claim):
    from tests.ollama_server import serve_ollama

    ingest_sykkelplan(tmp_path, monkeypatch)
    server, url = serve_ollama({"claims:latest": _Claims(claim)})
    try:
        monkeypatch.setenv("OLLAMA_HOST", url)
        monkeypatch.setenv("ASSISTANT_OLLAMA_MODEL", "claims")
        result = runner.invoke(app, ["ask", "Hvor mange kilometer sykkelvei skal Malvik bygge?", "--llm", "ollama"])
        assert result.exit_code == 0, result.output
        answer = result.output.split("\n", 1)[0]  # the streamed answer is the first line
        assert "12 kilometer ny sykkelvei innen 2026 [1]" in answer and claim not in answer
        text = " ".join(result.output.split())
        assert f"Holdt tilbake, uten støtte i kildene: {claim}" in text  # said apart, never as the answer
        assert "klarte ikke å formulere et svar som dokumentene bekrefter" in text
        data = json.loads(runner.invoke(app, ["ask", "Hvor mange kilometer sykkelvei skal Malvik bygge?", "--llm",
                                              "ollama", "--json"]).output)
        assert claim not in data["answer"] and data["unsupported"] == [claim] and not data["refused"]
    finally:
        server.shutdown()
