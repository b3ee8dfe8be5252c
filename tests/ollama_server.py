"""A real HTTP server on loopback speaking Ollama's API (docs/api.md), generating with a real `ChatModel`.

No Ollama binary can be installed here, so this stands in for `ollama serve` in tests: the client under
test (langchain-ollama's `ChatOllama`, the `ollama` package) talks HTTP to it exactly as to Ollama.
Endpoints: `GET /`, `GET /api/version`, `GET /api/tags`, `GET /api/ps`, `POST /api/show`, `POST /api/chat`
(NDJSON stream or one object). Like real Ollama, a prompt longer than `num_ctx` is truncated, not
refused: the oldest non-system messages go first, then the start of what is left, keeping the end
(Ollama's "truncating input prompt" warning is logged, and the cut is recorded in `server.truncations`),
so the tests prove that the product's own `num_ctx` handling keeps its prompts whole.
Every request is recorded (method, path, JSON body) in `server.requests` for assertions.
"""

from __future__ import annotations

import hashlib
import json
import logging
import socket
import sys
import threading
import time
from collections.abc import Mapping
from contextlib import closing
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from assistant.llm.base import ChatModel

log = logging.getLogger("ollama")

VERSION = "0.12.0"  # the Ollama API version this server imitates
DEFAULT_NUM_CTX = 4096  # Ollama's default when a request gives no options.num_ctx
ROLES = {"system", "user", "assistant", "tool"}


def _framed(model: ChatModel, chat: list[dict[str, str]]) -> int:
    """Return the prompt's tokens: ChatML framing is about 5 tokens a message, 3 to open the reply."""
    return sum(model.count_tokens(m["content"]) + 5 for m in chat) + 3


def truncate(model: ChatModel, chat: list[dict[str, str]], limit: int) -> tuple[list[dict[str, str]], int]:
    """Return the messages cut to `limit` tokens as Ollama cuts them, and their token count.

    Ollama drops the oldest messages that are not system messages (never the last one); if the prompt
    still does not fit, the runner keeps its end and discards tokens from the start.
    """
    chat = [dict(m) for m in chat]
    while _framed(model, chat) > limit:
        older = [i for i, m in enumerate(chat[:-1]) if m["role"] != "system"]
        if not older:
            break
        del chat[older[0]]
    while _framed(model, chat) > limit and chat:
        first = chat[0]
        text = first["content"]
        over = _framed(model, chat) - limit
        if model.count_tokens(text) <= over:  # the whole message goes, and the cut goes on in the next
            del chat[0]
            continue
        lo, hi = 0, len(text)  # the shortest cut from the start that removes enough tokens
        while lo < hi:
            mid = (lo + hi) // 2
            if model.count_tokens(text) - model.count_tokens(text[mid:]) >= over:
                hi = mid
            else:
                lo = mid + 1
        first["content"] = text[lo:]
    return chat, _framed(model, chat)


class DropConnection(Exception):
    """Raised by a served model to make the server cut the connection mid-stream (a crash, for tests)."""


def _now() -> str:
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")


def canonical(name: str) -> str:
    """Return the model name with Ollama's default tag (`qwen2.5` -> `qwen2.5:latest`)."""
    return name if ":" in name.rsplit("/", 1)[-1] else f"{name}:latest"


class OllamaServer(ThreadingHTTPServer):
    """The HTTP server: holds the served models, a generation lock and the request log."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], models: Mapping[str, ChatModel]) -> None:
        super().__init__(address, _Handler)
        self.models = {canonical(name): model for name, model in models.items()}
        self.requests: list[dict[str, Any]] = []
        self.generate_lock = threading.Lock()  # one generation at a time, like OLLAMA_NUM_PARALLEL=1
        self.truncations: list[dict[str, int]] = []
        self.formats: list[dict[str, Any] | None] = []  # the `format` of every chat request  # every prompt cut to fit num_ctx, as Ollama logs it
        self.modified_at = _now()

    def shutdown(self) -> None:
        """Stop serving and close the listening socket."""
        super().shutdown()
        self.server_close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Ignore clients that hang up (as httpx does with idle keep-alive connections); report the rest."""
        if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            super().handle_error(request, client_address)

    def chat_requests(self) -> list[dict[str, Any]]:
        """Return the JSON bodies of the /api/chat requests received so far."""
        return [r["body"] for r in self.requests if r["path"] == "/api/chat"]

    def describe(self, name: str) -> dict[str, Any]:
        """Return the /api/tags entry of a served model."""
        model = self.models[name]
        path = getattr(model, "path", None) or getattr(model, "model_path", None)
        size = Path(path).stat().st_size if path and Path(path).exists() else 0
        return {
            "name": name,
            "model": name,
            "modified_at": self.modified_at,
            "size": size,
            "digest": hashlib.sha256(name.encode()).hexdigest(),
            "details": _details(name),
        }


def _option(options: Mapping[str, Any], key: str, default: Any) -> Any:
    value = options.get(key)
    return default if value is None else value


def _family(name: str) -> str:
    base = name.split(":")[0].rsplit("/", 1)[-1]
    return "qwen2" if base.startswith("qwen2") else base.split(".")[0].split("-")[0]


def _details(name: str) -> dict[str, Any]:
    family = _family(name)
    return {
        "parent_model": "",
        "format": "gguf",
        "family": family,
        "families": [family],
        "parameter_size": "",
        "quantization_level": "",
    }


class _Handler(BaseHTTPRequestHandler):
    server: OllamaServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet test output
        pass

    # -- plumbing ---------------------------------------------------------------------------------

    def _send_json(self, status: int, payload: Any) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _send_text(self, status: int, text: str) -> None:
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _error(self, status: int, message: str) -> None:
        self._send_json(status, {"error": message})

    def _chunk(self, payload: Any) -> None:
        data = json.dumps(payload).encode() + b"\n"
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def _read_body(self) -> tuple[Any, str | None]:
        """Return (parsed JSON body, None) or (None, error message)."""
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw.strip() else {}
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            self.server.requests.append({"method": self.command, "path": self.path, "body": None, "raw": raw})
            return None, f"invalid JSON in request body: {exc}"
        self.server.requests.append({"method": self.command, "path": self.path, "body": body})
        if not isinstance(body, dict):
            return None, "request body must be a JSON object"
        return body, None

    # -- routes -----------------------------------------------------------------------------------

    def do_HEAD(self) -> None:  # noqa: N802
        self.server.requests.append({"method": "HEAD", "path": self.path, "body": None})
        if self.path == "/":
            self._send_text(200, "Ollama is running")
        else:
            self._send_text(404, "404 page not found")

    def do_GET(self) -> None:  # noqa: N802
        self.server.requests.append({"method": "GET", "path": self.path, "body": None})
        if self.path == "/":
            self._send_text(200, "Ollama is running")
        elif self.path == "/api/version":
            self._send_json(200, {"version": VERSION})
        elif self.path == "/api/tags":
            self._send_json(200, {"models": [self.server.describe(name) for name in self.server.models]})
        elif self.path == "/api/ps":
            models = []
            for name, model in self.server.models.items():
                entry = self.server.describe(name)
                entry.update(expires_at=_now(), size_vram=0, context_length=model.context_window)
                models.append(entry)
            self._send_json(200, {"models": models})
        else:
            self._send_text(404, "404 page not found")

    def do_POST(self) -> None:  # noqa: N802
        if self.path not in ("/api/show", "/api/chat"):
            self.server.requests.append({"method": "POST", "path": self.path, "body": None})
            self._send_text(404, "404 page not found")
            return
        body, problem = self._read_body()
        if problem:
            self._error(400, problem)
        elif self.path == "/api/show":
            self._show(body)
        else:
            self._chat(body)

    def _show(self, body: dict[str, Any]) -> None:
        name = body.get("model") or body.get("name")
        if not isinstance(name, str) or not name:
            self._error(400, "model is required")
            return
        key = canonical(name)
        if key not in self.server.models:
            self._error(404, f"model '{name}' not found")
            return
        model = self.server.models[key]
        family = _family(key)
        self._send_json(
            200,
            {
                "license": "",
                "modelfile": f"# Modelfile generated by the test server\nFROM {getattr(model, 'path', key)}\n",
                "parameters": f"num_ctx                        {model.context_window}",
                "template": "{{ .Prompt }}",
                "details": _details(key),
                "model_info": {
                    "general.architecture": family,
                    f"{family}.context_length": model.context_window,
                },
                "capabilities": ["completion"],
                "modified_at": self.server.modified_at,
            },
        )

    def _chat(self, body: dict[str, Any]) -> None:
        name = body.get("model")
        if not isinstance(name, str) or not name:
            self._error(400, "model is required")
            return
        key = canonical(name)
        if key not in self.server.models:
            self._error(404, f'model "{name}" not found, try pulling it first')
            return
        messages = body.get("messages") or []
        options = body.get("options") or {}
        if not isinstance(messages, list) or not isinstance(options, dict):
            self._error(400, "messages must be a list and options an object")
            return
        for m in messages:
            if not isinstance(m, dict) or m.get("role") not in ROLES or not isinstance(m.get("content", ""), str):
                self._error(400, f"invalid message {m!r}: role must be one of {sorted(ROLES)}, content a string")
                return
        model = self.server.models[key]
        stream = body.get("stream", True) is not False
        if not messages:  # Ollama's "load a model" request
            self._send_json(200, {"model": name, "created_at": _now(), "message": {"role": "assistant", "content": ""},
                                  "done_reason": "load", "done": True})
            return
        try:
            num_ctx = int(_option(options, "num_ctx", DEFAULT_NUM_CTX))
            num_predict = int(_option(options, "num_predict", -1))  # -1: until the model stops or the context is full
            temperature = float(_option(options, "temperature", 0.8))  # Ollama's default
            seed = int(_option(options, "seed", 0))
        except (TypeError, ValueError) as exc:
            self._error(400, f"invalid options: {exc}")
            return
        num_ctx = min(num_ctx, model.context_window)  # Ollama clamps num_ctx to what the model can read
        chat = [{"role": m["role"], "content": m.get("content", "")} for m in messages]
        # ChatML framing (<|im_start|>role\n ... <|im_end|>\n) is about 5 tokens a message, 3 to open the reply
        prompt_tokens = sum(model.count_tokens(m["content"]) + 5 for m in chat) + 3
        if prompt_tokens >= num_ctx:
            chat, kept = truncate(model, chat, num_ctx - 1)
            log.warning("truncating input prompt limit=%d prompt=%d keep=%d", num_ctx, prompt_tokens, kept)
            self.server.truncations.append({"num_ctx": num_ctx, "prompt": prompt_tokens, "kept": kept})
            prompt_tokens = kept
        room = max(num_ctx - prompt_tokens, 1)
        max_tokens = room if num_predict < 0 else min(num_predict, room)
        schema = body.get("format")  # Ollama: "json" or a JSON schema; the served model is constrained by it
        if schema == "json":
            schema = {"type": "object"}
        elif schema is not None and not isinstance(schema, dict):
            self._error(400, f"invalid format {schema!r}: use \"json\" or a JSON schema object")
            return
        self.server.formats.append(schema)
        if stream:
            self._stream_chat(name, model, chat, max_tokens, temperature, seed, prompt_tokens, schema)
        else:
            self._whole_chat(name, model, chat, max_tokens, temperature, seed, prompt_tokens, schema)

    def _generate(self, model: ChatModel, chat, max_tokens: int, temperature: float, seed: int, schema=None):
        """Yield the model's pieces while holding the generation lock; always close the model's stream."""
        constrained = {"schema": schema} if schema is not None else {}
        with self.server.generate_lock, closing(
            model.stream(chat, max_tokens=max_tokens, temperature=temperature, seed=seed, **constrained)
        ) as pieces:
            yield from pieces

    def _final(self, name: str, model: ChatModel, reply: str, max_tokens: int, prompt_tokens: int,
               started: float, first: float) -> dict[str, Any]:
        end = time.perf_counter()
        eval_count = model.count_tokens(reply) if reply else 0
        timing = getattr(model, "last_timing", None) or {}  # LlamaCppChat's own counts, when it has them
        prompt_tokens = int(timing.get("prompt_tokens") or prompt_tokens)
        return {
            "model": name,
            "created_at": _now(),
            "done": True,
            "done_reason": "length" if eval_count >= max_tokens else "stop",
            "total_duration": int((end - started) * 1e9),
            "load_duration": 0,
            "prompt_eval_count": prompt_tokens,
            "prompt_eval_duration": int((first - started) * 1e9),
            "eval_count": eval_count,
            "eval_duration": int((end - first) * 1e9),
        }

    def _stream_chat(self, name, model, chat, max_tokens, temperature, seed, prompt_tokens, schema=None) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        started = time.perf_counter()
        first = None
        pieces: list[str] = []
        try:
            with closing(self._generate(model, chat, max_tokens, temperature, seed, schema)) as generation:
                for piece in generation:
                    first = first or time.perf_counter()
                    pieces.append(piece)
                    self._chunk({"model": name, "created_at": _now(),
                                 "message": {"role": "assistant", "content": piece}, "done": False})
        except DropConnection:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)  # no terminating chunk: the client sees a broken body
            return
        except (BrokenPipeError, ConnectionResetError):  # the client went away: stop generating, as Ollama does
            self.close_connection = True
            return
        except Exception as exc:  # noqa: BLE001 - Ollama reports generation errors as a final {"error"} line
            self._chunk({"error": f"generation failed: {exc}"})
        else:
            final = self._final(name, model, "".join(pieces), max_tokens, prompt_tokens, started,
                                first or time.perf_counter())
            self._chunk({**final, "message": {"role": "assistant", "content": ""}})
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _whole_chat(self, name, model, chat, max_tokens, temperature, seed, prompt_tokens, schema=None) -> None:
        started = time.perf_counter()
        try:
            with closing(self._generate(model, chat, max_tokens, temperature, seed, schema)) as generation:
                reply = "".join(generation)
        except Exception as exc:  # noqa: BLE001
            self._error(500, f"generation failed: {exc}")
            return
        final = self._final(name, model, reply, max_tokens, prompt_tokens, started, started)
        self._send_json(200, {**final, "message": {"role": "assistant", "content": reply}})


def serve_ollama(
    models: Mapping[str, ChatModel], host: str = "127.0.0.1", port: int = 0
) -> tuple[OllamaServer, str]:
    """Return (server, base_url) of an Ollama-API server for the models, serving in a daemon thread."""
    server = OllamaServer((host, port), models)
    thread = threading.Thread(target=server.serve_forever, name="ollama-test-server", daemon=True)
    thread.start()
    return server, f"http://{host}:{server.server_address[1]}"
