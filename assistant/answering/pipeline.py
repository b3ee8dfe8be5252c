"""The assistant: question -> (rewrite) -> retrieval -> streamed, cited answer or an honest refusal."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from assistant.answering.backends import AnswerBackend
from assistant.answering.citations import (
    attribute_uncited,
    build_citations,
    clean_markers,
)
from assistant.answering.prompt import NOT_FOUND
from assistant.core.language import detect_language
from assistant.core.models import Answer, Chunk
from assistant.core.text import has_words
from assistant.llm.base import Message
from assistant.llm.translate import (
    TO_BOKMAL,
    TO_NYNORSK,
    TranslationError,
    Translator,
    translate_answer,
    translate_stream,
    translate_text,
)

if TYPE_CHECKING:
    from assistant.answering.retrieve import Retriever
    from assistant.core.settings import Settings

# The model saying it cannot answer, in the three standards.
CANNOT_ANSWER = re.compile(
    r"fant ikke svaret|finn(?:er|st)? ikke|fann ikkje|finst ikkje|ikke (?:nevnt|oppgitt) i (?:kildene|dokumentene)|"
    r"could not find the answer|not in the (?:documents|sources)|kan ikke svare",
    re.IGNORECASE,
)
TRANSLATED_NOTE = "Skrive på bokmål av språkmodellen og maskinomsett til nynorsk med Apertium."
FOLLOW_UP = re.compile(
    r"^(og|men|enn|hva med|kva med|and|what about)\b|\b(det|den|dette|denne|de|dei|deira|deres|dem|it|they|them|that|this)\b",
    re.IGNORECASE,
)


def rule_rewrite(question: str, history: Sequence[Message]) -> str:
    """Return the question made standalone by prefixing the last user question when it reads as a follow-up."""
    previous = [m["content"] for m in history if m["role"] == "user"]
    if not previous:
        return question
    short = len(question.split()) <= 8
    if FOLLOW_UP.search(question) or short:
        return f"{previous[-1].strip()} {question.strip()}"
    return question


def evidence(passages: Sequence[Chunk]) -> float:
    """Return the best vector similarity among the passages (0 when none came from the vector side)."""
    scores = [p.meta.get("vector_score") for p in passages]
    return max((float(s) for s in scores if s is not None), default=0.0)


class Assistant:
    """Answers questions from the ingested documents with a chosen backend; one per process."""

    def __init__(
        self,
        settings: Settings,
        retriever: Retriever,
        backend: AnswerBackend,
        notes: Sequence[str] = (),
        translator: Translator | None = None,
        gated: bool = True,
    ) -> None:
        self.settings = settings
        self.gated = gated  # False (benchmark baselines): no refusal before reading, only the backend's own
        self.retriever = retriever
        self.backend = backend
        self.notes = list(notes)
        self.translator = translator  # bokmål<->nynorsk, so an LLM asked in nynorsk can work in bokmål

    def _via_bokmal(self, language: str) -> bool:
        """Return whether this question goes to the model in bokmål and its answer comes back in nynorsk."""
        return language == "nn" and self.translator is not None and self.backend.generative

    def stream(
        self,
        question: str,
        history: Sequence[Message] = (),
        filters: dict[str, Any] | None = None,
        on_retrieved: Callable[[list[Chunk]], None] | None = None,
        style: str = "",
    ) -> Iterator[str | Answer]:
        """Yield the answer's text pieces as they are produced, then the final Answer.

        `on_retrieved` is called with the passages as soon as retrieval finishes, before any generation,
        so a UI can show the sources while a slow model is still reading them. `style` is an extra
        instruction for an LLM (e.g. plain language for residents); it never reaches retrieval, and the
        extractive backend, which only quotes, ignores it. A nynorsk question reaches an LLM in bokmål
        when a translator is set, and the answer is shown in nynorsk a finished sentence at a time;
        its citations are checked on the model's own bokmål text.
        """
        started = time.perf_counter()
        language = detect_language(question)
        history = list(history)[-self.settings.history_turns :] if self.settings.history_turns else []
        standalone = question
        if history:
            standalone = self.backend.rewrite(question, history) or rule_rewrite(question, history)
        passages = self.retriever.search(standalone, k=self.settings.k, filters=filters)
        retrieved = time.perf_counter()
        timings = {"retrieval": retrieved - started}
        if on_retrieved is not None:
            on_retrieved(list(passages))

        floor = self.settings.refusal_threshold_en if language == "en" else self.settings.refusal_threshold
        floor = floor if self.gated else 0.0
        if not passages or evidence(passages) < floor:
            text = NOT_FOUND[language]
            timings["first_token"] = time.perf_counter() - started
            yield text
            timings["total"] = time.perf_counter() - started
            yield Answer(question, text, [], True, self.backend.name, passages, language, standalone,
                         timings=timings, notes=list(self.notes))
            return

        pieces: list[str] = []
        asked = standalone if history else question
        translation = ""
        model_language, model_question = language, standalone
        pivot = self._via_bokmal(language)
        if pivot:
            try:
                asked, model_language = translate_text(asked, self.translator, TO_BOKMAL), "nb"  # type: ignore[arg-type]
                model_question = asked
            except TranslationError as exc:
                translation = f"Omsetjinga feila ({exc}); språkmodellen fekk spørsmålet på nynorsk."
                pivot = False
        if style and self.backend.generative:
            asked = f"{asked}\n\n{style}"

        def generated() -> Iterator[str]:
            for piece in self.backend.generate(asked, passages, model_language):
                pieces.append(piece)
                yield piece

        shown_pieces: Iterator[str] = generated()
        if pivot:
            shown_pieces = translate_stream(shown_pieces, self.translator, TO_NYNORSK)  # type: ignore[arg-type]
        first = True
        for piece in shown_pieces:
            if first:
                timings["first_token"] = time.perf_counter() - started
                first = False
            yield piece
        raw = "".join(pieces).strip()
        shown = getattr(getattr(self.backend, "last_prompt", None), "passages", None) or passages
        text = clean_markers(raw, len(shown))
        embedder = self.backend.embedder if self.backend.generative else None
        wordless = not has_words(text)  # nothing but markers answers nothing
        refused = wordless or bool(CANNOT_ANSWER.search(text))
        if not refused:
            text = attribute_uncited(text, shown, embedder, model_question)
        citations, unsupported = build_citations(text, shown, embedder, model_question)
        # an answer no passage backs at all is not from the documents, however sure it sounds
        refused = wordless or not citations
        if refused:
            citations = []
            unsupported = []  # "not in the documents" is no claim to back
            text = NOT_FOUND[language]  # small models answer the refusal in bokmål whatever was asked
        elif pivot:
            try:
                text, unsupported = translate_answer(text, unsupported, self.translator, TO_NYNORSK)  # type: ignore[arg-type]
                translation = TRANSLATED_NOTE
            except TranslationError as exc:  # the bokmål answer, cited and checked, is better than none
                translation = f"Omsetjinga til nynorsk feila ({exc}); svaret står på bokmål."
        timings["total"] = time.perf_counter() - started
        yield Answer(question, text, citations, refused, self.backend.name, list(passages), language, standalone,
                     unsupported, timings, list(self.notes), translation)

    def ask(
        self, question: str, history: Sequence[Message] = (), filters: dict[str, Any] | None = None, style: str = ""
    ) -> Answer:
        """Return the complete answer to the question."""
        for item in self.stream(question, history, filters, style=style):
            if isinstance(item, Answer):
                return item
        raise RuntimeError("the answer stream ended without an Answer")  # pragma: no cover
