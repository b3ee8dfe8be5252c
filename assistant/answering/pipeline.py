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
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from assistant.answering.evidence import candidates, renumber
from assistant.answering.readers import NOT_FOUND, Claim, ExtractiveReader, Reader
from assistant.answering.retrieve import Searcher
from assistant.answering.rewrite import rule_rewrite
from assistant.answering.support import SupportScorer, answers
from assistant.core.language import detect_language
from assistant.core.models import Answer, Chunk, Citation, Evidence
from assistant.core.text import strip_markers
from assistant.core.settings import Settings
from assistant.llm.base import LLMUnavailable, Message
from assistant.llm.translate import (
    TO_BOKMAL,
    TO_NYNORSK,
    TranslationError,
    Translator,
    translate_text,
)

TRANSLATED_NOTE = "Skrive på bokmål av språkmodellen og maskinomsett til nynorsk med Apertium."
FALLBACK_NOTE = {
    "nb": "Språkmodellen klarte ikke å formulere et svar som dokumentene bekrefter; her er setningene fra dokumentene som svarer best.",
    "nn": "Språkmodellen klarte ikkje å formulere eit svar som dokumenta stadfestar; her er setningane frå dokumenta som svarar best.",
    "en": "The language model could not phrase an answer the documents confirm; here are the document sentences that answer best.",
}
FAILED_NOTE = {
    "nb": "Språkmodellen feilet ({error}); svaret er setningene fra dokumentene som svarer best.",
    "nn": "Språkmodellen feila ({error}); svaret er setningane frå dokumenta som svarar best.",
    "en": "The language model failed ({error}); the answer is the document sentences that answer best.",
}
_BRACKETED = re.compile(r"\[(\d{1,3})\]")


def sameness(text: str) -> str:
    """Return the text as compared for repeats: citation marks, case, spacing and end punctuation left out."""
    return " ".join(strip_markers(text).casefold().split()).rstrip(".!?… ")


def plain(text: str) -> str:
    """Return document text with bracketed numbers made round: "[2]" in a document is never a citation."""
    return _BRACKETED.sub(r"(\1)", text)


class Assistant:
    """Answers questions from the ingested documents with a reader; one per process and variant."""

    def __init__(
        self,
        settings: Settings,
        retriever: Searcher,
        reader: Reader,
        scorer: SupportScorer,
        notes: Sequence[str] = (),
        translator: Translator | None = None,
        gated: bool = True,
        quoter: Reader | None = None,
    ) -> None:
        self.settings = settings
        self.retriever = retriever
        self.reader = reader
        self.scorer = scorer
        self.notes = list(notes)
        self.translator = translator  # bokmål<->nynorsk, so an LLM asked in nynorsk can work in bokmål
        self.gated = gated  # False (benchmark baselines): the reader is asked whatever the evidence
        # what stands in when a model fails or says nothing the documents confirm: the extractive reader's quote
        self.quoter = quoter or ExtractiveReader(min_support=self.threshold("nb", True), margin=self.quote_margin())

    @property
    def backend(self) -> Reader:
        """Return the reader (named `backend` where the app and the benchmarks show who answered)."""
        return self.reader

    def evidence_for(self, question: str, passages: Sequence[Chunk]) -> list[Evidence]:
        """Return the passages' sentences with their support for the question, best first."""
        return self.scorer.rank(question, candidates(passages, self.settings.k))

    def threshold(self, language: str, gate: bool | None = None) -> float:
        """Return the gate's support threshold for a question in this language (none when not gated)."""
        if not (self.gated if gate is None else gate):
            return float("-inf")
        if self.scorer.learned is None:  # the cheap support is the answer score
            return self.claim_threshold(language)
        return self.settings.answer_threshold_en if language == "en" else self.settings.answer_threshold

    def claim_threshold(self, language: str) -> float:
        """Return the least word-and-e5 support of the sentence that backs a model's claim in this language."""
        return self.settings.support_threshold_en if language == "en" else self.settings.support_threshold

    def quote_margin(self) -> float:
        """Return how far under the best sentence a second quoted sentence may score (the claim margin; none untrained)."""
        return self.settings.claim_margin if self.scorer.learned is not None else float("inf")

    def answers_question(self, backing: Evidence, best: Evidence) -> bool:
        """Return True when the claim's sentence answers the question about as well as the best one (trained score).

        A claim may hold a figure its sentence holds while the question asks about something else
        ("370 ville delta" does not say how many were picked): only a sentence the trained scorer
        ranks within `claim_margin` of the best backs an answer.
        """
        return self.scorer.learned is None or backing.support >= best.support - self.settings.claim_margin

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
        started = time.perf_counter()
        language = detect_language(question)
        history = list(history)[-self.settings.history_turns :] if self.settings.history_turns else []
        standalone = rule_rewrite(question, history)
        passages = self.retriever.search(standalone, k=self.settings.k, filters=filters)
        timings = {"retrieval": time.perf_counter() - started}
        if on_retrieved is not None:
            on_retrieved(list(passages))
        ranked = self.evidence_for(standalone, passages)
        timings["evidence"] = time.perf_counter() - started
        notes: list[str] = []  # about this answer (the backend's own notes stay on self.notes)

        def finish(text: str, citations: list[Citation], refused: bool, unsupported: list[str], translation: str = "",
                   used: Sequence[Evidence] = ()) -> Answer:
            timings.setdefault("first_token", time.perf_counter() - started)
            timings["total"] = time.perf_counter() - started
            return Answer(question, text, citations, refused, self.reader.name, list(passages), language, standalone,
                          unsupported, timings, notes, translation, evidence=list(used))

        if not ranked or ranked[0].support < self.threshold(language, gate):
            text = NOT_FOUND[language]
            timings["first_token"] = time.perf_counter() - started
            yield text
            yield finish(text, [], True, [])
            return

        top = renumber(ranked[: self.settings.reader_sentences])
        asked, model_language, translation = standalone, language, ""
        pivot = language == "nn" and self.translator is not None and self.reader.generative
        if pivot:
            try:
                asked, model_language = translate_text(standalone, self.translator, TO_BOKMAL), "nb"  # type: ignore[arg-type]
            except TranslationError as exc:
                translation = f"Omsetjinga feila ({exc}); språkmodellen fekk spørsmålet på nynorsk."
                pivot = False

        shown: list[str] = []
        cited: list[Evidence] = []
        unsupported: list[str] = []

        def show(claim: Claim, backing: Evidence) -> str:
            if backing not in cited:
                cited.append(backing)
            n = cited.index(backing) + 1
            body = plain(claim.text).rstrip()
            body = body if body.endswith((".", "!", "?", "…")) else body + "."
            return f"{body[:-1]} [{n}]{body[-1]}"

        failures: list[str] = []
        for claim in self._read(asked, top, model_language, style, failures):
            if claim.quoted:
                ok, backing = True, top[claim.ids[0] - 1]
            else:
                named = [top[i - 1] for i in claim.ids if 1 <= i <= len(top)]
                ok, backing, _ = self.scorer.backs(claim.text, named, self.claim_threshold(model_language))
                ok = ok and backing is not None and self.answers_question(backing, top[0])
                # the first sentence shown must answer: say something the question does not, of the kind it asks for
                ok = ok and (bool(shown) or answers(asked, claim.text))
            if not ok or backing is None:
                unsupported.append(claim.text)
                continue
            if backing in cited or sameness(claim.text) in {sameness(p) for p in shown}:
                continue  # a repeat (a looping model): nothing is shown twice, no source backs two sentences
            piece = show(claim, backing)
            if pivot:
                try:
                    piece = translate_text(piece, self.translator, TO_NYNORSK)  # type: ignore[arg-type]
                    translation = TRANSLATED_NOTE
                except TranslationError as exc:
                    translation = f"Omsetjinga til nynorsk feila ({exc}); svaret står på bokmål."
                    pivot = False
            timings.setdefault("first_token", time.perf_counter() - started)
            yield ("" if not shown else " ") + piece
            shown.append(piece)

        if failures:
            notes.append(FAILED_NOTE[language].format(error=failures[0]))
        if not shown:  # the model declined, failed, or said nothing that holds: quote as the extractive reader does
            if self.reader.generative and not failures:
                notes.append(FALLBACK_NOTE[language])
            translation = ""
            for claim in self.quoter.read(standalone, top, language, style):  # residents: the plainest
                piece = show(claim, top[claim.ids[0] - 1])
                timings.setdefault("first_token", time.perf_counter() - started)
                yield ("" if not shown else " ") + piece
                shown.append(piece)
        citations = [Citation(n, e.chunk, e.text, True) for n, e in enumerate(cited, start=1)]
        yield finish(" ".join(shown), citations, False, unsupported, translation, top)

    def _read(self, question: str, evidence: Sequence[Evidence], model_language: str, style: str,
              failures: list[str]) -> Iterator[Claim]:
        """Yield the reader's claims; a model that fails or passes its deadline ends them (recorded in `failures`)."""
        try:
            yield from self.reader.read(question, evidence, model_language, style)
        except LLMUnavailable as exc:
            failures.append(str(exc))

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
