"""Chat models behind one small Protocol: Ollama (langchain-ollama) and embedded llama.cpp."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol, TypedDict, runtime_checkable


class Message(TypedDict):
    """One chat message: role is "system", "user" or "assistant"."""

    role: str
    content: str


class LLMUnavailable(RuntimeError):
    """The chat model cannot be used now; the message says what to do (e.g. which `ollama pull`)."""


@runtime_checkable
class ChatModel(Protocol):
    """What the answer stage needs from a generative model."""

    name: str  # shown to the user, e.g. "ollama:qwen2.5:1.5b" or "llamacpp:qwen2.5-coder-1.5b-instruct-q4_k_m"
    context_window: int  # tokens the model reads at most (prompt + answer)

    def count_tokens(self, text: str) -> int:
        """Return how many tokens the model's tokenizer makes of the text."""
        ...

    def stream(
        self,
        messages: Sequence[Message],
        *,
        max_tokens: int = 512,
        temperature: float = 0.0,
        seed: int = 0,
        schema: dict | None = None,
    ) -> Iterator[str]:
        """Yield the reply's text pieces as the model produces them; with `schema`, the reply is JSON that fits it."""
        ...
