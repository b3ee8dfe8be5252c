"""The assistant: rewrite -> retrieve -> gate -> read -> verify, streaming only what is verified.

1. rewrite: a follow-up is made standalone by rule (answering/rewrite.py).
2. retrieve: hybrid search (answering/retrieve.py).
3. gate: the sentences of the passages are scored with the one support score (answering/support.py);
   when the best falls under the calibrated threshold, the answer is an honest "not found".
4. read: a reader (answering/readers.py) gets the best sentences, numbered, and yields claims that
   cite them by id: the extractive reader quotes the best; an LLM writes JSON under a schema.
5. verify: each claim of an LLM is checked with the same support score against the sentences it
   cites, and shown only then, cited to the sentence that backs it best. A claim nothing backs is
   never shown. If no claim holds, the best sentence is quoted instead, with a note saying so: an
   answer is never worse than quoting, and nothing shown is ever withdrawn.

Each stage is a unit of answering/stages.py over one `Turn`; `Assistant.stream` runs them in order.
What the assistant says about an answer (not found, the notes) is in answering/messages.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from assistant.answering.messages import FAILED_NOTE, FALLBACK_NOTE, NOT_FOUND, TRANSLATED_NOTE, say
from assistant.answering.readers import Reader
from assistant.answering.retrieve import Searcher
from assistant.answering.stages import (
    AnswerConfig,
    Fallback,
    Gate,
    Localize,
    Read,
    Retrieve,
    Rewrite,
    Turn,
    Verify,
    plain,
    repeats,
    sameness,
)
from assistant.answering.support import SupportScorer
from assistant.core.models import Answer, Chunk, Evidence
from assistant.llm.base import Message
from assistant.llm.translate import Translator

# the names other modules import from here
__all__ = ["FAILED_NOTE", "FALLBACK_NOTE", "TRANSLATED_NOTE", "AnswerConfig", "Assistant", "plain", "sameness"]


class Assistant:
    """Answers questions from the ingested documents with a reader; one per process and variant."""

    def __init__(
        self,
        config: AnswerConfig,
        retriever: Searcher,
        reader: Reader,
        scorer: SupportScorer,
        notes: Sequence[str] = (),
        translator: Translator | None = None,
        gated: bool = True,
        *,
        quoter: Reader,
    ) -> None:
        self.config = config
        self.retriever = retriever
        self.reader = reader
        self.scorer = scorer
        self.notes = list(notes)  # about the backend (another stood in), not about one answer
        self.translator = translator  # bokmål<->nynorsk, so an LLM asked in nynorsk can work in bokmål
        self.rewrite = Rewrite(config.history_turns)
        self.retrieve = Retrieve(retriever, scorer, config.k)
        self.gate = Gate(scorer, config, gated)
        self.localize = Localize(translator if reader.generative else None)
        self.read = Read(reader)
        self.verify = Verify(scorer, config)
        # what stands in when a model fails or says nothing the documents confirm: the extractive reader's quote,
        # built by the composition root like every part
        self.quoter = quoter
        self.fallback = Fallback(self.quoter, reader.generative)

    @property
    def backend(self) -> Reader:
        """Return the reader (named `backend` where the app and the benchmarks show who answered)."""
        return self.reader

    def evidence_for(self, question: str, passages: Sequence[Chunk]) -> list[Evidence]:
        """Return the passages' sentences with their support for the question, best first."""
        return self.retrieve.rank(question, list(passages))

    def threshold(self, language: str, gate: bool | None = None) -> float:
        """Return the gate's support threshold for a question in this language (none when not gated)."""
        return self.gate.threshold(language, gate)

    def claim_threshold(self, language: str) -> float:
        """Return the least word-and-e5 support of the sentence that backs a model's claim in this language."""
        return self.verify.claim_threshold(language)

    def stream(
        self,
        question: str,
        history: Sequence[Message] = (),
        filters: dict[str, Any] | None = None,
        on_retrieved: Callable[[list[Chunk]], None] | None = None,
        style: str = "",
        gate: bool | None = None,
    ) -> Iterator[str | Answer]:
        """Yield the answer's verified sentences as they are ready, then the final Answer.

        `on_retrieved` is called with the passages as soon as retrieval finishes. `style` is an extra
        instruction for an LLM reader (plain language for residents); it never reaches retrieval or
        evidence scoring. `gate=False` answers from whatever evidence there is (a summary of a kommune's
        own documents). Nothing yielded is withdrawn later: the final Answer's text is what was shown.
        """
        turn = Turn(question, list(history), filters, style, gate)
        self.rewrite(turn)
        self.retrieve(turn, on_retrieved)
        if not self.gate(turn):
            yield turn.show(say(NOT_FOUND, turn.language))
            yield turn.answer(self.reader.name)
            return
        self.localize.into_model(turn)
        for claim in self.read(turn):
            backing = self.verify(turn, claim)
            if backing is not None and not repeats(turn, claim, backing):
                yield turn.show(self.localize.from_model(turn, turn.cite(claim, backing)))
        yield from self.fallback(turn)
        yield turn.answer(self.reader.name)

    def ask(
        self,
        question: str,
        history: Sequence[Message] = (),
        filters: dict[str, Any] | None = None,
        style: str = "",
        gate: bool | None = None,
    ) -> Answer:
        """Return the complete answer to the question."""
        for item in self.stream(question, history, filters, style=style, gate=gate):
            if isinstance(item, Answer):
                return item
        raise RuntimeError("the answer stream ended without an Answer")  # pragma: no cover
