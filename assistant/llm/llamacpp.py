"""Embedded llama.cpp chat model (llama-cpp-python) over a local GGUF file, with prompt-prefix reuse."""

from __future__ import annotations

import ctypes
import functools
import os
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assistant.core.text import error_summary
from assistant.llm.base import LLMUnavailable, Message
from assistant.llm.gguf import check_gguf

DEFAULT_CACHE_BYTES = 256 << 20


class LlamaCppChat:
    """A GGUF model run in-process by llama.cpp; the chat template comes from the GGUF itself.

    Consecutive prompts that share a prefix (the answer prompt's long system message) reuse the
    evaluated prefix from the KV cache; a RAM cache of model states (`cache_bytes`, 0 = off)
    additionally restores that prefix when another prompt ran in between. One generation runs at
    a time (a lock guards it).
    """

    def __init__(
        self,
        model_path: Path,
        n_ctx: int = 4096,
        threads: int = 0,
        name: str | None = None,
        cache_bytes: int = DEFAULT_CACHE_BYTES,
        deadline: float | None = None,
    ) -> None:
        """`deadline`: seconds a whole answer may take (checked at every piece; None = no limit)."""
        try:
            import llama_cpp
        except ImportError as exc:
            raise LLMUnavailable("the llama.cpp backend needs: pip install llama-cpp-python==0.3.36") from exc
        model_path = check_gguf(Path(model_path))
        started = time.perf_counter()
        try:
            self._llm = llama_cpp.Llama(
                model_path=str(model_path),
                n_ctx=n_ctx,
                n_threads=threads or os.cpu_count(),
                n_batch=512,
                verbose=False,
                seed=0,
            )
        except (ValueError, RuntimeError, OSError) as exc:
            raise LLMUnavailable(
                f"llama.cpp could not load the model file {model_path}: it is corrupt, truncated or not a model "
                f"llama.cpp supports ({exc}); for a registry model run `assistant models assemble NAME --verify`"
            ) from exc
        self.load_seconds = time.perf_counter() - started
        if cache_bytes:
            self._llm.set_cache(llama_cpp.LlamaRAMCache(capacity_bytes=cache_bytes))
            self._llm.save_state = functools.partial(_lean_save_state, self._llm)  # type: ignore[method-assign]
        self._llama_cpp = llama_cpp
        self.path = model_path
        self.name = name or f"llamacpp:{model_path.stem}"
        self.context_window = n_ctx
        self.deadline = deadline
        self.last_timing: dict[str, float] = {}
        self._lock = threading.Lock()
        self._owner: int | None = None

    def count_tokens(self, text: str) -> int:
        """Return how many tokens the model's own tokenizer makes of the text."""
        return len(self._llm.tokenize(text.encode("utf-8"), add_bos=False, special=True))

    def stream(
        self,
        messages: Sequence[Message],
        *,
        max_tokens: int = 512,
        temperature: float = 0.0,
        seed: int = 0,
        schema: dict | None = None,
    ) -> Iterator[str]:
        """Yield the reply's text pieces as llama.cpp produces them; fill `last_timing` when done.

        With `schema`, llama.cpp constrains the reply by a grammar made from the JSON schema
        (`response_format`), so it is JSON that fits it.

        `last_timing` holds prompt_tokens (whole prompt), prompt_eval_tokens and prompt_eval_s (the
        part not reused from the cache, as llama.cpp counts it), ttft_s, decode_tokens and decode_s
        (one-token steps after the first piece, wall clock), total_s.
        """
        if self._owner == threading.get_ident():
            raise RuntimeError("a previous stream of this model is still open in this thread; finish or close it first")
        with self._lock:
            self._owner = threading.get_ident()
            try:
                yield from self._stream(messages, max_tokens, temperature, seed, schema)
            except (RuntimeError, ValueError) as exc:  # llama.cpp's own failures (context full, decode error)
                raise LLMUnavailable(f"språkmodellen {self.name} feilet: {error_summary(str(exc))}") from exc
            finally:
                self._owner = None

    def _stream(
        self, messages: Sequence[Message], max_tokens: int, temperature: float, seed: int, schema: dict | None = None
    ) -> Iterator[str]:
        """Yield content pieces of one chat completion and record its timing."""
        lib = self._llama_cpp
        lib.llama_perf_context_reset(self._llm.ctx)
        started = time.perf_counter()
        first = last = None
        prompt_tokens = 0
        constrained = {"response_format": {"type": "json_object", "schema": schema}} if schema else {}
        chunks: Iterator[Any] = self._llm.create_chat_completion(
            messages=list(messages), stream=True, max_tokens=max_tokens, temperature=temperature, seed=seed,
            **constrained,
        )
        for chunk in chunks:
            if first is None:
                first = time.perf_counter()
                prompt_tokens = self._llm.n_tokens  # the prompt is evaluated, the first token not yet
            piece = chunk["choices"][0]["delta"].get("content")
            if self.deadline is not None and time.perf_counter() - started > self.deadline:
                raise LLMUnavailable(
                    f"språkmodellen {self.name} ble ikke ferdig med svaret innen {self.deadline:g} s (ASSISTANT_LLM_TIMEOUT)"
                )
            if piece:
                last = time.perf_counter()
                yield piece
        data = lib.llama_perf_context(self._llm.ctx)
        end = time.perf_counter()
        self.last_timing = {
            "prompt_tokens": prompt_tokens,
            "prompt_eval_tokens": data.n_p_eval if data.t_p_eval_ms > 0 else 0,
            "prompt_eval_s": data.t_p_eval_ms / 1000,
            "ttft_s": (first or end) - started,
            "decode_tokens": data.n_eval if data.t_eval_ms > 0 else 0,
            "decode_s": (last or end) - (first or end),
            "total_s": end - started,
        }

    def close(self) -> None:
        """Free the model's memory now rather than at garbage collection."""
        self._llm.close()


def _lean_save_state(llm: Any) -> Any:
    """Return llm.save_state() without its copy of the logits buffer.

    llama-cpp-python 0.3.x copies all n_batch x n_vocab logits into every saved state (311 MB for
    Qwen2.5, ~0.4 s per answer, and not counted by LlamaRAMCache's capacity). They are never read
    back: sampling uses the context's own logits, and a restored state is re-evaluated from at
    least one token. The KV state itself (about 28 KB per token for the 1.5B model) is kept whole.
    """
    from llama_cpp import llama_state_get_data, llama_state_get_size
    from llama_cpp.llama import LlamaState

    size = llama_state_get_size(llm.ctx)
    buffer = (ctypes.c_uint8 * size)()
    used = int(llama_state_get_data(llm.ctx, buffer, size))
    return LlamaState(
        input_ids=llm.input_ids.copy(),
        scores=np.zeros((1, llm.n_vocab()), dtype=np.single),  # load_state broadcasts it over its rows
        n_tokens=llm.n_tokens,
        llama_state=ctypes.string_at(buffer, used),
        llama_state_size=used,
        seed=llm._seed,
    )
