"""Ollama backend: a `ChatModel` that streams from an Ollama server through langchain-ollama's `ChatOllama`."""

from __future__ import annotations

import queue
import re
import threading
import time
from collections.abc import Iterator, Sequence
from urllib.parse import urlsplit

from assistant.core.text import error_summary
from assistant.llm.base import LLMUnavailable, Message

CHECK_TIMEOUT = 2.0  # seconds; `auto` backend selection must not hang when nothing listens
DEFAULT_PORT = 11434
_PIECES = re.compile(r"\d|[^\W\d_]+|\s+|.", re.S)  # one digit, a run of letters, a run of space, any other char


def normalize_host(host: str) -> str:
    """Return the host as a full URL, read as Ollama reads OLLAMA_HOST ("0.0.0.0", "host:port" or a URL)."""
    scheme, sep, rest = host.strip().partition("://")
    if not sep:
        scheme, rest, port = "http", host.strip(), DEFAULT_PORT
    else:
        port = {"http": 80, "https": 443}.get(scheme, DEFAULT_PORT)
    parts = urlsplit(f"{scheme}://{rest}")
    hostname = parts.hostname or "127.0.0.1"
    if ":" in hostname:  # IPv6 literal
        hostname = f"[{hostname}]"
    userinfo = parts.netloc.rpartition("@")[0]  # kept: ChatOllama turns user:password@ into a Basic header
    path = parts.path.strip("/")
    auth = f"{userinfo}@" if userinfo else ""
    return f"{scheme}://{auth}{hostname}:{parts.port or port}" + (f"/{path}" if path else "")


class OllamaChat:
    """A model served by Ollama, streamed with `ChatOllama`; num_ctx is always sent, never left to the server."""

    def __init__(
        self,
        host: str,
        model: str,
        num_ctx: int = 4096,
        timeout: float = 120,
        keep_alive: str | int | None = None,
        deadline: float = 180,
    ) -> None:
        """`timeout`: seconds the server may stay silent; `deadline`: seconds for a whole answer."""
        self.host = host
        self.base_url = normalize_host(host)
        self.model = model
        self.num_ctx = num_ctx
        self.timeout = timeout
        self.keep_alive = keep_alive
        self.deadline = deadline
        self.name = f"ollama:{model}"
        self.context_window = num_ctx

    def _down(self) -> str:
        return f"Ollama svarer ikke på {self.host} (start `ollama serve` eller sett OLLAMA_HOST)"

    def _missing(self) -> str:
        return (
            f"Ollama på {self.host} kjører, men modellen {self.model} er ikke lastet ned: "
            f"kjør `ollama pull {self.model}`"
        )

    def _unavailable(self, exc: Exception, timeout: float) -> LLMUnavailable:
        """Return the LLMUnavailable that explains a client-side exception in the user's terms.

        `timeout` is the limit the request had, so a timeout is reported with its real value; a server's
        error body (a proxy's whole HTML page, say) is cut to its first line.
        """
        import httpx
        from ollama import ResponseError

        if isinstance(exc, ResponseError):
            error = str(exc.error).lower()
            if exc.status_code == 404 and "model" in error and "not found" in error:
                return LLMUnavailable(self._missing())
            where = f"HTTP {exc.status_code}" if exc.status_code > 0 else "under svaret"
            return LLMUnavailable(f"Ollama på {self.host} meldte feil ({where}) for {self.model}: {error_summary(exc.error)}")
        if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, ConnectionError)):
            return LLMUnavailable(self._down())
        if isinstance(exc, httpx.TimeoutException):
            return LLMUnavailable(f"Ollama på {self.host} svarte ikke innen {timeout:g} s ({self.model})")
        if isinstance(exc, httpx.HTTPError):
            return LLMUnavailable(f"forbindelsen til Ollama på {self.host} brøt under svaret: {error_summary(repr(exc))}")
        return LLMUnavailable(f"Ollama på {self.host} ga et uventet svar: {error_summary(repr(exc))}")

    def _not_ollama(self, exc: Exception) -> LLMUnavailable:
        return LLMUnavailable(f"{self.host} svarer, men ikke som en Ollama-server ({error_summary(exc)})")

    def check(self) -> None:
        """Raise LLMUnavailable unless the server answers and has the model; adopt a smaller trained context."""
        import httpx
        from ollama import Client, ResponseError

        try:
            with Client(host=self.base_url, timeout=CHECK_TIMEOUT) as client:
                info = client.show(self.model)
        except (ResponseError, httpx.HTTPError, ConnectionError) as exc:
            raise self._unavailable(exc, CHECK_TIMEOUT) from exc
        except ValueError as exc:  # a non-Ollama server answering with something that is not Ollama's JSON
            raise self._not_ollama(exc) from exc
        trained = _context_length(info.modelinfo or {})
        if trained and trained < self.num_ctx:  # Ollama would clamp num_ctx to it; plan prompts for it
            self.num_ctx = self.context_window = trained

    def count_tokens(self, text: str) -> int:
        """Return an upper estimate of the model's token count: Ollama has no tokenize endpoint.

        Byte-level BPE tokenizers (Qwen 2.5, Llama 3) split Norwegian at about 3 bytes a token and
        numbers into single digits. So: a digit is a token, a word ceil((bytes + 1) / 3) (all-caps
        words /2) plus one per letter beyond Latin-1, a space run that does not lead into a word up
        to two, any other symbol one per byte. On the corpus this over-counts Qwen 2.5's tokenizer by
        about a quarter and never under-counts a paragraph, so a prompt sized with it stays inside
        num_ctx instead of being cut silently by Ollama.
        """
        pieces = _PIECES.findall(text)
        n = 1
        for i, piece in enumerate(pieces):
            if piece.isdigit():
                n += 1
            elif piece.isspace():
                joins_next_word = piece == " " and i + 1 < len(pieces) and pieces[i + 1][0].isalpha()
                n += 0 if joins_next_word else min(len(piece), 2) + len(piece) // 8
            elif piece[0].isalpha():
                per = 2 if len(piece) > 1 and piece.isupper() else 3
                rare = sum(ord(ch) > 0xFF for ch in piece)  # beyond Latin-1 (Sami, CJK): often byte tokens
                n += -(-(len(piece.encode("utf-8")) + 1) // per) + rare
            else:
                n += len(piece.encode("utf-8"))
        return n

    def stream(
        self,
        messages: Sequence[Message],
        *,
        max_tokens: int = 512,
        temperature: float = 0.0,
        seed: int = 0,
        schema: dict | None = None,
    ) -> Iterator[str]:
        """Yield the reply's text pieces as Ollama streams them; raise LLMUnavailable with what to do.

        The whole answer must come within `deadline` seconds: a server that trickles one token every few
        seconds never trips a read timeout, so the stream is read in a thread and given up at the deadline
        (the thread then closes the connection at the next piece, which makes Ollama stop generating).

        With `schema`, Ollama's `format` constrains the reply to JSON that fits it.
        """
        import httpx
        from langchain_ollama import ChatOllama
        from ollama import ResponseError

        read_timeout = min(self.timeout, self.deadline)
        llm = ChatOllama(
            base_url=self.base_url,
            model=self.model,
            num_ctx=self.num_ctx,
            num_predict=max_tokens,
            temperature=temperature,
            seed=seed,
            keep_alive=self.keep_alive,
            format=schema,
            client_kwargs={"timeout": httpx.Timeout(read_timeout, connect=CHECK_TIMEOUT)},
        )
        prompt = _to_langchain(messages)
        pieces: queue.Queue[tuple[str, object]] = queue.Queue()
        stop = threading.Event()

        def pump() -> None:
            try:
                for chunk in llm.stream(prompt):
                    if stop.is_set():
                        return
                    if chunk.text:
                        pieces.put(("piece", str(chunk.text)))
                pieces.put(("done", None))
            except Exception as exc:  # noqa: BLE001 - handed to the reader, which explains it
                pieces.put(("error", exc))

        threading.Thread(target=pump, name="ollama-stream", daemon=True).start()
        ends = time.monotonic() + self.deadline
        try:
            while True:
                left = ends - time.monotonic()
                try:
                    if left <= 0:
                        raise queue.Empty
                    kind, value = pieces.get(timeout=left)
                except queue.Empty:
                    raise LLMUnavailable(
                        f"Ollama på {self.host} ble ikke ferdig med svaret innen {self.deadline:g} s "
                        f"(ASSISTANT_LLM_TIMEOUT) ({self.model})"
                    ) from None
                if kind == "done":
                    return
                if kind == "piece":
                    yield str(value)
                    continue
                exc = value if isinstance(value, Exception) else RuntimeError(str(value))
                if isinstance(exc, (ResponseError, httpx.HTTPError, ConnectionError)):
                    raise self._unavailable(exc, read_timeout) from exc
                if isinstance(exc, ValueError):  # a line that is not Ollama's JSON
                    raise self._not_ollama(exc) from exc
                raise exc
        finally:
            stop.set()


def _context_length(model_info: dict) -> int:
    """Return the trained context length from /api/show's model_info ("<arch>.context_length"), or 0."""
    for key, value in model_info.items():
        if key.endswith(".context_length") and isinstance(value, int):
            return value
    return 0


def _to_langchain(messages: Sequence[Message]) -> list:
    """Return the messages as langchain-core message objects."""
    from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

    kinds = {"system": SystemMessage, "user": HumanMessage, "assistant": AIMessage}
    try:
        return [kinds[m["role"]](content=m["content"]) for m in messages]
    except KeyError as exc:
        raise ValueError(f"unknown message role {exc.args[0]!r} (use system, user or assistant)") from None
