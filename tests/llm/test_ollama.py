"""The Ollama backend: langchain-ollama's ChatOllama against a real Ollama-API server on loopback with a real model."""

from __future__ import annotations

import socket
import threading
import time
from contextlib import closing, contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from assistant.app import make_ollama
from assistant.core.text import error_summary
from assistant.llm.base import ChatModel, LLMUnavailable
from assistant.llm.ollama import OllamaChat, normalize_host
from tests.conftest import CORPUS, free_port
from tests.ollama_server import DropConnection, serve_ollama, truncate

SERVED = "qwen2.5:0.5b"
QUESTION = [
    {"role": "system", "content": "Du er en hjelpsom assistent. Svar kort på norsk."},
    {"role": "user", "content": "Hva er hovedstaden i Norge?"},
]


class _FailsAfter:
    """A served model that streams a few real pieces from the 0.5B model, then raises `error` (server side)."""

    def __init__(self, inner: ChatModel, error: Exception, after: int = 2) -> None:
        self.inner, self.error, self.after = inner, error, after
        self.name, self.context_window = f"failing:{inner.name}", inner.context_window

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def stream(self, messages, **kwargs):
        with closing(self.inner.stream(messages, **kwargs)) as pieces:
            for i, piece in enumerate(pieces):
                if i == self.after:
                    raise self.error
                yield piece


@pytest.fixture(scope="session")
def llama_05b(model_05b_path):
    """Return the real qwen2.5-coder-0.5b model, embedded with llama.cpp: the test server's generator."""
    from assistant.llm.llamacpp import LlamaCppChat

    chat = LlamaCppChat(model_05b_path, n_ctx=4096, threads=2)
    yield chat
    chat.close()


@pytest.fixture(scope="session")
def ollama_server(llama_05b):
    """Yield (server, base_url) of the Ollama-API server serving the real 0.5B model as qwen2.5:0.5b."""
    server, url = serve_ollama(
        {
            SERVED: llama_05b,
            "broken:latest": _FailsAfter(llama_05b, RuntimeError("CUDA error: out of memory")),
            "crash:latest": _FailsAfter(llama_05b, DropConnection()),
        }
    )
    try:
        yield server, url
    finally:
        server.shutdown()


# -- without a server ----------------------------------------------------------------------------


def test_normalize_host_reads_ollama_host_forms():
    assert normalize_host("http://127.0.0.1:11434") == "http://127.0.0.1:11434"
    assert normalize_host("0.0.0.0") == "http://0.0.0.0:11434"
    assert normalize_host("gpu-box:8080/") == "http://gpu-box:8080"
    assert normalize_host("https://ollama.example.org") == "https://ollama.example.org:443"
    assert normalize_host("") == "http://127.0.0.1:11434"


def test_make_ollama_takes_host_model_and_context_from_settings(settings):
    chat = make_ollama(settings.model_copy(update={"ollama_host": "http://10.0.0.5:11434", "llm_context": 8192}))
    assert isinstance(chat, ChatModel)
    assert chat.name == f"ollama:{settings.ollama_model}"
    assert chat.context_window == 8192
    assert chat.base_url == "http://10.0.0.5:11434"


def test_count_tokens_estimate_grows_with_text_and_counts_digits():
    chat = OllamaChat("http://127.0.0.1:1", "m")
    assert chat.count_tokens("") == 1
    assert chat.count_tokens("Klimagassutslipp " * 20) > chat.count_tokens("Klimagassutslipp")
    assert chat.count_tokens("2023 2024 2025") >= 12


def test_nothing_listening_is_reported_with_the_host():
    host = f"http://127.0.0.1:{free_port()}"
    chat = OllamaChat(host, SERVED)
    with pytest.raises(LLMUnavailable, match="Ollama svarer ikke på http://127.0.0.1") as check:
        chat.check()
    assert host in str(check.value) and "ollama serve" in str(check.value)
    with pytest.raises(LLMUnavailable, match="Ollama svarer ikke") as streamed:
        list(chat.stream(QUESTION, max_tokens=8))
    assert host in str(streamed.value)


# -- against the server with the real model ---------------------------------------------------------


@pytest.mark.slow
@pytest.mark.server
def test_check_passes_for_the_served_model(ollama_server):
    server, url = ollama_server
    chat = OllamaChat(url, SERVED)
    chat.check()
    assert chat.context_window == 4096
    assert server.requests[-1]["path"] == "/api/show" and server.requests[-1]["body"]["model"] == SERVED


@pytest.mark.slow
@pytest.mark.server
def test_check_adopts_a_smaller_trained_context(ollama_server):
    _, url = ollama_server
    chat = OllamaChat(url, SERVED, num_ctx=32768)
    chat.check()
    assert chat.context_window == chat.num_ctx == 4096  # what the server says the model reads


@pytest.mark.slow
@pytest.mark.server
def test_stream_yields_real_text_in_pieces_and_sends_every_option(ollama_server):
    server, url = ollama_server
    chat = OllamaChat(url, SERVED, num_ctx=4096)
    pieces = list(chat.stream(QUESTION, max_tokens=24, temperature=0.0, seed=7))
    text = "".join(pieces)
    assert len(pieces) >= 3, pieces
    assert all(isinstance(p, str) for p in pieces)
    assert "Oslo" in text, text
    body = server.chat_requests()[-1]
    assert body["model"] == SERVED and body["stream"] is True
    assert body["options"]["num_ctx"] == 4096
    assert body["options"]["num_predict"] == 24
    assert body["options"]["temperature"] == 0.0 and body["options"]["seed"] == 7
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    assert body["messages"][1]["content"] == QUESTION[1]["content"]


@pytest.mark.slow
@pytest.mark.server
def test_same_seed_and_zero_temperature_give_the_same_answer(ollama_server):
    _, url = ollama_server
    chat = OllamaChat(url, SERVED)
    first = "".join(chat.stream(QUESTION, max_tokens=16))
    assert first == "".join(chat.stream(QUESTION, max_tokens=16))


@pytest.mark.slow
@pytest.mark.server
def test_configured_context_is_what_the_server_receives(ollama_server):
    server, url = ollama_server
    list(OllamaChat(url, SERVED, num_ctx=2048).stream(QUESTION, max_tokens=4))
    assert server.chat_requests()[-1]["options"]["num_ctx"] == 2048


@pytest.mark.slow
@pytest.mark.server
def test_unknown_model_says_which_pull_to_run(ollama_server):
    _, url = ollama_server
    chat = OllamaChat(url, "qwen2.5:7b")
    with pytest.raises(LLMUnavailable, match=r"ollama pull qwen2\.5:7b"):
        chat.check()
    with pytest.raises(LLMUnavailable, match=r"ollama pull qwen2\.5:7b"):
        list(chat.stream(QUESTION, max_tokens=4))


@pytest.mark.slow
@pytest.mark.server
def test_server_error_mid_stream_is_surfaced(ollama_server):
    _, url = ollama_server
    received: list[str] = []
    with pytest.raises(LLMUnavailable, match="CUDA error: out of memory") as failure:
        for piece in OllamaChat(url, "broken").stream(QUESTION, max_tokens=24):
            received.append(piece)
    assert len(received) == 2  # what arrived before the failure was passed on
    assert url in str(failure.value)


@pytest.mark.slow
@pytest.mark.server
def test_connection_cut_mid_stream_is_surfaced(ollama_server):
    _, url = ollama_server
    with pytest.raises(LLMUnavailable, match="brøt under svaret"):
        list(OllamaChat(url, "crash").stream(QUESTION, max_tokens=24))


@pytest.mark.slow
@pytest.mark.server
def test_prompt_longer_than_num_ctx_is_truncated_from_the_start_like_ollama(ollama_server):
    server, url = ollama_server
    before = len(server.truncations)
    long = [{"role": "system", "content": "Svar kort."},
            {"role": "user", "content": "Bærekraft i kommunene. " * 400 + "Hva heter kommunen?"}]
    reply = "".join(OllamaChat(url, SERVED, num_ctx=512).stream(long, max_tokens=4))
    assert isinstance(reply, str)  # answered, not refused
    cut = server.truncations[before:]
    assert len(cut) == 1 and cut[0]["num_ctx"] == 512 and cut[0]["prompt"] > 512 >= cut[0]["kept"]


class Words:
    """A token counter of one token per word, so truncation is checked exactly."""

    @staticmethod
    def count_tokens(text: str) -> int:
        return len(text.split())


@pytest.mark.parametrize("limit", [12, 20, 30, 45, 80])
def test_truncate_keeps_system_and_last_message_and_cuts_from_the_start(limit):
    chat = [{"role": "system", "content": "s " * 3},
            {"role": "user", "content": "old question " * 5},
            {"role": "assistant", "content": "old answer " * 5},
            {"role": "user", "content": " ".join(f"w{i}" for i in range(30))}]
    kept, tokens = truncate(Words(), chat, limit)
    assert tokens == sum(len(m["content"].split()) + 5 for m in kept) + 3
    if tokens > limit:  # only when not even the framing fits
        assert kept == [] or len(kept) == 1
    else:
        assert kept[-1]["role"] == "user"
        last = kept[-1]["content"].split()
        assert last == [f"w{i}" for i in range(30)][-len(last):]  # the end of the prompt survives
        roles = [m["role"] for m in kept]
        if "assistant" in roles or roles.count("user") > 1:  # older turns go before the question is cut
            assert len(last) == 30
    assert truncate(Words(), chat, 1000) == (chat, sum(len(m["content"].split()) + 5 for m in chat) + 3)


@pytest.mark.slow
@pytest.mark.server
def test_server_speaks_the_documented_api_to_the_ollama_client(ollama_server):
    import ollama

    _, url = ollama_server
    client = ollama.Client(host=url)
    assert SERVED in [m.model for m in client.list().models]
    options = {"num_predict": 8, "temperature": 0}
    whole = client.chat(model=SERVED, messages=QUESTION, stream=False, options=options)
    assert whole.done and whole.done_reason in ("stop", "length") and whole.message.content
    assert whole.prompt_eval_count > 0 and whole.eval_count > 0 and whole.total_duration > 0
    parts = list(client.chat(model=SERVED, messages=QUESTION, stream=True, options=options))
    assert parts[-1].done and not any(p.done for p in parts[:-1])
    assert "".join(p.message.content for p in parts) == whole.message.content
    assert httpx.get(url).text == "Ollama is running"
    assert "version" in httpx.get(f"{url}/api/version").json()


@pytest.mark.slow
@pytest.mark.server
def test_malformed_requests_get_400_with_an_error(ollama_server):
    _, url = ollama_server
    bad = httpx.post(f"{url}/api/chat", content=b"{not json")
    assert bad.status_code == 400 and "error" in bad.json()
    no_model = httpx.post(f"{url}/api/chat", json={"messages": []})
    assert no_model.status_code == 400 and "model is required" in no_model.json()["error"]
    missing = httpx.post(f"{url}/api/show", json={"model": "nope"})
    assert missing.status_code == 404 and missing.json() == {"error": "model 'nope' not found"}


@pytest.mark.slow
def test_token_estimate_never_undercounts_qwen_on_the_corpus(llama_05b):
    chat = OllamaChat("http://127.0.0.1:1", SERVED)
    files = [f for f in sorted(CORPUS.rglob("*")) if f.suffix in (".txt", ".md") and f.name != "README.md"]
    texts = [p for f in files for p in f.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    assert texts
    texts += [  # what PDF tables, links, Sami names and English questions look like
        "Tabell 3:  2019   2020   2021\n  CO2    1 234,5   1 100,2",
        "https://www.trondheim.kommune.no/tema/klima-og-miljo/klimaplan/?id=12345",
        "Ǆ ǅ ǆ Ŋŋ Čč Đđ Šš Žž (samisk) ÆØÅ æøå",
        "How much will Trondheim cut its greenhouse gas emissions by 2030?",
    ]
    under = [t[:80] for t in texts if chat.count_tokens(t) < llama_05b.count_tokens(t)]
    assert not under, under
    total_estimate = sum(chat.count_tokens(t) for t in texts)
    total_real = sum(llama_05b.count_tokens(t) for t in texts)
    assert total_estimate < 2 * total_real  # conservative, not absurd


# -- servers that stall, trickle or answer with an HTML page (issue 13) ---------------------------


class _Trickle:
    """A served stand-in model that yields one word per `every` seconds, far past any deadline."""

    name, context_window = "trickle", 4096

    def __init__(self, every: float = 1.0) -> None:
        self.every = every

    def count_tokens(self, text: str) -> int:
        return len(text) // 3 + 1

    def stream(self, messages, **kwargs):
        for i in range(600):
            time.sleep(self.every)
            yield f"ord{i} "


@pytest.fixture
def trickle_server():
    """Yield a fresh server each test: a given-up generation holds the server's lock until its next piece."""
    server, url = serve_ollama({"trickle:latest": _Trickle(1.0)})
    try:
        yield server, url
    finally:
        server.shutdown()


@pytest.mark.parametrize("deadline", [1.5, pytest.param(3.0, marks=pytest.mark.slow)])  # slow: waits 3 s
def test_a_trickling_server_is_given_up_at_the_answer_deadline(trickle_server, deadline):
    _, url = trickle_server
    chat = OllamaChat(url, "trickle", deadline=deadline)
    chat.check()
    got: list[str] = []
    started = time.monotonic()
    with pytest.raises(LLMUnavailable) as info:
        for piece in chat.stream(QUESTION):
            got.append(piece)
    took = time.monotonic() - started
    assert deadline <= took < deadline + 1.0, took  # not the 120 s read timeout, not a token later
    assert f"innen {deadline:g} s" in str(info.value) and "ASSISTANT_LLM_TIMEOUT" in str(info.value)
    assert int(deadline) - 1 <= len(got) <= int(deadline) + 1  # the pieces before the deadline were passed on


def test_make_ollama_takes_the_deadline_from_llm_timeout(settings):
    assert make_ollama(settings.model_copy(update={"llm_timeout": 7.5})).deadline == 7.5


@contextmanager
def _silent_server():
    """Yield the URL of a loopback server that accepts connections and never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        sock.close()


def test_probe_timeout_is_reported_with_its_real_value():
    with _silent_server() as url:
        chat = OllamaChat(url, "qwen2.5:1.5b", timeout=120)
        started = time.monotonic()
        with pytest.raises(LLMUnavailable) as info:
            chat.check()
    assert time.monotonic() - started < 10
    assert "innen 2 s" in str(info.value) and "120" not in str(info.value)


# the deadline case is slow: it waits 1.5 s, and test_a_trickling_server_is_given_up_at_the_answer_deadline[1.5] waits it quick
@pytest.mark.parametrize(("timeout", "deadline", "reported"),
                         [(1, 60, "innen 1 s"), pytest.param(120, 1.5, "innen 1.5 s", marks=pytest.mark.slow)])
def test_stream_timeout_is_reported_with_the_limit_that_struck(timeout, deadline, reported):
    with _silent_server() as url:
        chat = OllamaChat(url, "qwen2.5:1.5b", timeout=timeout, deadline=deadline)
        with pytest.raises(LLMUnavailable) as info:
            list(chat.stream(QUESTION))
    assert reported in str(info.value) and "120" not in str(info.value), str(info.value)


ERROR_PAGE = (
    "<!DOCTYPE html><html><head><title>502 Bad Gateway</title><style>body{font:12px sans}</style>"
    "<script>var x = 1;</script></head><body><center><h1>502 Bad Gateway</h1></center><hr>"
    + "<p>" + "Detaljert feilforklaring som ingen trenger. " * 80 + "</p><center>nginx/1.25</center></body></html>"
)


class _ErrorPage(BaseHTTPRequestHandler):
    """A proxy in front of a dead Ollama: every request gets 502 and an HTML page."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:
        pass

    def _page(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        data = ERROR_PAGE.encode()
        self.send_response(502)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _page


@pytest.fixture(scope="module")
def error_page_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ErrorPage)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_an_html_error_page_is_summarised_not_printed(error_page_server):
    chat = OllamaChat(error_page_server, "qwen2.5:1.5b")
    for attempt in (chat.check, lambda: list(chat.stream(QUESTION))):
        with pytest.raises(LLMUnavailable) as info:
            attempt()
        message = str(info.value)
        assert "HTTP 502" in message and message.endswith("502 Bad Gateway"), message
        assert "<" not in message and "Detaljert" not in message and len(message) < 300


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (ERROR_PAGE, "502 Bad Gateway"),
        ("<html><body><h1>503 Service Unavailable</h1><p>Prøv igjen</p></body></html>", "503 Service Unavailable"),
        ("\n\n  model 'x' not found  \nmore", "model 'x' not found"),
        ("<p>a &amp; b &lt;c&gt;</p>", "a & b <c>"),
        ("x" * 500, "x" * 199 + "…"),
        ("", ""),
        ("<div>\n<span>første</span> <b>linje</b>\n</div>", "første"),
    ],
)
def test_error_summary_keeps_the_first_line_of_text(body, expected):
    assert error_summary(body) == expected
    assert len(error_summary(body)) <= 200
