"""Answer backends behind one Protocol: an LLM (Ollama or llama.cpp) over a prompt, or extractive quoting."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from assistant.answering.citations import score_sentences
from assistant.answering.prompt import NOT_FOUND, build_prompt
from assistant.core.language import content_words
from assistant.core.models import Chunk
from assistant.core.text import split_sentences
from assistant.llm.base import ChatModel, Message

if TYPE_CHECKING:
    from assistant.index.embed import Embedder

log = logging.getLogger(__name__)


@runtime_checkable
class AnswerBackend(Protocol):
    """Turns a question and ranked passages into answer text with [n] citations, streamed."""

    name: str
    generative: bool  # True: a language model writes the text; False: it quotes the documents
    chat: ChatModel | None  # the model behind a generative backend (judges and benchmarks reuse it)
    embedder: Embedder | None  # scores sentences against the question and the answer

    def generate(self, question: str, passages: Sequence[Chunk], language: str) -> Iterator[str]:
        """Yield the answer's text pieces; citations [n] number the passages from 1."""
        ...

    def rewrite(self, question: str, history: Sequence[Message]) -> str | None:
        """Return a standalone version of a follow-up question, or None to use the rule-based rewrite."""
        ...


@dataclass
class LLMBackend:
    """A chat model answering from a prompt of numbered passages fitted to its context window."""

    chat: ChatModel
    answer_tokens: int = 384
    passage_budget: int = 1800
    temperature: float = 0.0
    embedder: Embedder | None = field(default=None, repr=False)  # ranks sentences when passages are cut
    last_prompt: object = field(default=None, repr=False)
    generative = True

    @property
    def name(self) -> str:
        """Return the chat model's name."""
        return self.chat.name

    def prompt(self, question: str, passages: Sequence[Chunk], language: str):
        """Return the prompt (messages, kept passages) for the question."""
        return build_prompt(
            question, passages, language, self.chat.count_tokens, self.chat.context_window,
            self.answer_tokens, self.passage_budget, embedder=self.embedder,
        )

    def generate(self, question: str, passages: Sequence[Chunk], language: str) -> Iterator[str]:
        """Yield the model's answer pieces as they arrive."""
        prompt = self.prompt(question, passages, language)
        self.last_prompt = prompt
        yield from self.chat.stream(prompt.messages, max_tokens=self.answer_tokens, temperature=self.temperature)

    def rewrite(self, question: str, history: Sequence[Message]) -> str | None:
        """Return the model's standalone rewrite of a follow-up question."""
        turns = "\n".join(f"{m['role']}: {m['content'][:400]}" for m in history[-4:])
        messages: list[Message] = [
            {"role": "system", "content": "Skriv om oppfølgingsspørsmålet til ett selvstendig spørsmål som kan forstås "
             "uten samtalen. Svar bare med spørsmålet, på samme språk."},
            {"role": "user", "content": f"Samtale:\n{turns}\n\nOppfølgingsspørsmål: {question}\nSelvstendig spørsmål:"},
        ]
        text = "".join(self.chat.stream(messages, max_tokens=64, temperature=0.0)).strip()
        text = text.splitlines()[0].strip(" \"«»") if text else ""
        return text or None


class ExtractiveBackend:
    """No LLM: quotes the sentences of the top passages that best match the question, cited."""

    name = "extractive"
    generative = False
    chat = None

    def __init__(
        self,
        embedder: Embedder | None = None,
        max_sentences: int = 2,
        passages_considered: int = 3,
        min_overlap: float = 0.4,
        min_similarity: float = 0.84,
    ) -> None:
        self.embedder = embedder
        self.max_sentences = max_sentences
        self.passages_considered = passages_considered
        self.min_overlap = min_overlap
        self.min_similarity = min_similarity

    def generate(self, question: str, passages: Sequence[Chunk], language: str) -> Iterator[str]:
        """Yield the chosen sentences, each followed by its passage number; a not-found sentence if none fit."""
        candidates = self._candidates(passages)
        # English function words match no Norwegian sentence and would only dilute the share of words found
        words = content_words(question) if language == "en" else question
        chosen = self._by_words(words, candidates) or self._by_meaning(question, candidates)
        if not chosen:
            yield NOT_FOUND.get(language, NOT_FOUND["nb"])
            return
        chosen.sort(key=lambda c: (c[0], c[1]))  # reading order within the passages
        for i, (n, _, sentence) in enumerate(chosen):
            text = sentence if sentence.endswith((".", "!", "?", "…")) else sentence + "."
            yield ("" if i == 0 else " ") + f"{text[:-1]} [{n}]{text[-1]}"

    def _candidates(self, passages: Sequence[Chunk]) -> list[tuple[int, int, str]]:
        """Return (passage number, position, sentence) for the full sentences of the top passages."""
        seen: set[str] = set()
        out = []
        for n, chunk in enumerate(passages[: self.passages_considered], start=1):
            for position, sentence in enumerate(split_sentences(chunk.text)):
                bullet = sentence.lstrip().startswith(("•", "-", "*", "·"))
                text = re.sub(r"\s+", " ", sentence.lstrip("•-*· ").strip())
                key = text.lower()
                # slide and list lines carry facts without a full stop; questions and lead-ins do not
                statement = bullet or not text.endswith(("?", ":"))
                if not statement or len(text.split()) < 4 or key in seen or text in (chunk.title, chunk.heading):
                    continue
                seen.add(key)
                out.append((n, position, text))
        return out

    def _by_words(self, question: str, candidates: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
        """Return the best sentences by IDF-weighted share of the question's stemmed words they contain."""
        scores = score_sentences(question, [c[2] for c in candidates])
        ranked = sorted(zip(scores, candidates), key=lambda s: (-(s[0] + 0.01 / s[1][0])))
        return [c for score, c in ranked[: self.max_sentences] if score >= self.min_overlap]

    def _by_meaning(self, question: str, candidates: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
        """Return the best sentences by e5 similarity (for questions in another language than the text)."""
        if self.embedder is None or not candidates:
            return []
        vectors = self.embedder.embed_passages([c[2] for c in candidates[:12]])  # bounded: stays interactive
        sims = vectors @ self.embedder.embed_query(question)
        order = sorted(range(len(sims)), key=lambda i: -sims[i])
        return [candidates[i] for i in order[: self.max_sentences] if sims[i] >= self.min_similarity]

    def rewrite(self, question: str, history: Sequence[Message]) -> str | None:
        """Return None: the rule-based rewrite serves the extractive backend."""
        return None
