"""The answer stages, small units over one typed `Turn`: Rewrite, Retrieve, Gate, Localize, Read, Verify, Fallback.

A `Turn` carries one question through the stages: each stage reads what the ones before it wrote and
writes its own fields, nothing else passes between them. The stages hold only their parts (a searcher,
a scorer, a reader, a translator) and the few settings they read, never a turn: one set serves every
question of the process. `Assistant.stream` (answering/pipeline.py) runs them in order:

1. Rewrite: the question's language, and a follow-up made standalone by rule.
2. Retrieve: hybrid search, then the passages' sentences ranked by the support score.
3. Gate: under the calibrated threshold the answer is "not found"; else the best sentences go to the reader.
4. Localize (in): a nynorsk question goes to a language model in bokmål (Apertium).
5. Read: the reader's claims, each citing sentence ids; a model that fails ends them (recorded).
6. Verify: a claim is shown only when a sentence it cites backs it (and a repeat never); cited to that sentence.
7. Localize (out): each shown sentence of a pivoted answer back to nynorsk.
8. Fallback: the note of a failed model, and the best sentences quoted when nothing was shown.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from assistant.answering.evidence import candidates, renumber
from assistant.answering.messages import (
    ANSWER_NOT_TRANSLATED,
    FAILED_NOTE,
    FALLBACK_NOTE,
    QUESTION_NOT_TRANSLATED,
    TRANSLATED,
    say,
)
from assistant.answering.readers import Claim, Reader
from assistant.answering.retrieve import Searcher
from assistant.answering.rewrite import rule_rewrite
from assistant.answering.support import SupportScorer, answers
from assistant.core.language import detect_language
from assistant.core.models import Answer, Chunk, Citation, Evidence
from assistant.core.text import strip_markers
from assistant.llm.base import LLMUnavailable, Message
from assistant.llm.translate import TO_BOKMAL, TO_NYNORSK, TranslationError, Translator, translate_text

_BRACKETED = re.compile(r"\[(\d{1,3})\]")


def sameness(text: str) -> str:
    """Return the text as compared for repeats: citation marks, case, spacing and end punctuation left out."""
    return " ".join(strip_markers(text).casefold().split()).rstrip(".!?… ")


def plain(text: str) -> str:
    """Return document text with bracketed numbers made round: "[2]" in a document is never a citation."""
    return _BRACKETED.sub(r"(\1)", text)


@dataclass(frozen=True)
class AnswerConfig:
    """What the answer stages read of the settings; the composition root builds it (assistant.app.answer_config)."""

    k: int  # passages retrieved, and read for evidence sentences
    history_turns: int  # conversation messages kept for follow-ups (0: none)
    reader_sentences: int  # evidence sentences, best first, the reader gets
    answer_threshold: float  # the trained gate's least answer score, Norwegian questions
    answer_threshold_en: float  # ... English questions
    support_threshold: float  # least word-and-e5 support of a sentence backing a claim, Norwegian
    support_threshold_en: float  # ... English
    claim_margin: float  # how far under the best sentence a backing (or second quoted) sentence may score

    def answer_floor(self, language: str) -> float:
        """Return the trained gate's threshold for a question in this language."""
        return self.answer_threshold_en if language == "en" else self.answer_threshold

    def claim_floor(self, language: str) -> float:
        """Return the least support of the sentence that backs a claim in this language."""
        return self.support_threshold_en if language == "en" else self.support_threshold

    def gate_floor(self, language: str, trained: bool) -> float:
        """Return the gate's threshold: the trained answer score's, or without the trained scorer the claim floor."""
        return self.answer_floor(language) if trained else self.claim_floor(language)

    def quote_margin(self, trained: bool) -> float:
        """Return how far under the best sentence a second quoted sentence may score (none without the trained scorer)."""
        return self.claim_margin if trained else float("inf")


@dataclass
class Turn:
    """One question on its way through the stages, and everything they found for it."""

    question: str
    history: list[Message] = field(default_factory=list)
    filters: dict[str, Any] | None = None
    style: str = ""  # an extra instruction for an LLM reader (plain language); never reaches retrieval
    gate: bool | None = None  # False: answer whatever the evidence; None: as the assistant is built
    started: float = field(default_factory=time.perf_counter)
    # Rewrite
    language: str = "nb"  # of the question, and of the answer
    standalone: str = ""
    # Retrieve
    passages: list[Chunk] = field(default_factory=list)
    ranked: list[Evidence] = field(default_factory=list)  # the passages' sentences, best supported first
    # Gate
    refused: bool = False
    top: list[Evidence] = field(default_factory=list)  # the sentences the reader gets, numbered from 1
    # Localize
    asked: str = ""  # the question as the reader gets it (bokmål when pivoted)
    model_language: str = "nb"  # the language the reader is asked to write
    pivot: bool = False  # True while the answer is translated back to nynorsk piece by piece
    translation: str = ""  # how the text got into the asker's standard (Answer.translation)
    # Read, Verify, Fallback
    shown: list[str] = field(default_factory=list)  # the pieces yielded, in order (never withdrawn)
    cited: list[Evidence] = field(default_factory=list)  # the backing sentence of citation n at n - 1
    unsupported: list[str] = field(default_factory=list)  # claims nothing backs: never shown
    failures: list[str] = field(default_factory=list)  # what the reader's model failed with
    notes: list[str] = field(default_factory=list)  # about this answer (Answer.notes)
    timings: dict[str, float] = field(default_factory=dict)  # seconds since `started`

    def elapsed(self) -> float:
        """Return the seconds since the turn started."""
        return time.perf_counter() - self.started

    def cite(self, claim: Claim, backing: Evidence) -> str:
        """Return the claim as shown: document brackets made round, ended as a sentence, cited to its backing."""
        if backing not in self.cited:
            self.cited.append(backing)
        n = self.cited.index(backing) + 1
        body = plain(claim.text).rstrip()
        body = body if body.endswith((".", "!", "?", "…")) else body + "."
        return f"{body[:-1]} [{n}]{body[-1]}"

    def show(self, piece: str) -> str:
        """Record the piece as shown and return it as streamed (after a space when it follows another)."""
        self.timings.setdefault("first_token", self.elapsed())
        streamed = ("" if not self.shown else " ") + piece
        self.shown.append(piece)
        return streamed

    def answer(self, backend: str) -> Answer:
        """Return the final Answer: the text is exactly what was shown."""
        self.timings.setdefault("first_token", self.elapsed())
        self.timings["total"] = self.elapsed()
        citations = [Citation(n, e.chunk, e.text, True) for n, e in enumerate(self.cited, start=1)]
        return Answer(self.question, " ".join(self.shown), citations, self.refused, backend, list(self.passages),
                      self.language, self.standalone, self.unsupported, self.timings, self.notes, self.translation,
                      evidence=list(self.top))


class Rewrite:
    """Detects the question's language and makes a follow-up standalone by rule (answering/rewrite.py)."""

    def __init__(self, history_turns: int) -> None:
        self.history_turns = history_turns

    def __call__(self, turn: Turn) -> None:
        """Set the turn's language, its history (the last `history_turns` messages) and standalone question."""
        turn.language = detect_language(turn.question)
        turn.history = turn.history[-self.history_turns :] if self.history_turns else []
        turn.standalone = rule_rewrite(turn.question, turn.history)


class Retrieve:
    """Finds the passages for the standalone question and ranks their sentences by support."""

    def __init__(self, searcher: Searcher, scorer: SupportScorer, k: int) -> None:
        self.searcher = searcher
        self.scorer = scorer
        self.k = k

    def rank(self, question: str, passages: list[Chunk]) -> list[Evidence]:
        """Return the passages' sentences with their support for the question, best first."""
        return self.scorer.rank(question, candidates(passages, self.k))

    def __call__(self, turn: Turn, on_retrieved: Callable[[list[Chunk]], None] | None = None) -> None:
        """Set the turn's passages and ranked sentences; `on_retrieved` gets the passages as soon as they are found."""
        turn.passages = list(self.searcher.search(turn.standalone, k=self.k, filters=turn.filters))
        turn.timings["retrieval"] = turn.elapsed()
        if on_retrieved is not None:
            on_retrieved(list(turn.passages))
        turn.ranked = self.rank(turn.standalone, turn.passages)
        turn.timings["evidence"] = turn.elapsed()


class Gate:
    """Refuses when the best sentence scores under the calibrated threshold; else picks the reader's sentences."""

    def __init__(self, scorer: SupportScorer, config: AnswerConfig, gated: bool = True) -> None:
        self.scorer = scorer
        self.config = config
        self.gated = gated  # False (benchmark baselines): the reader is asked whatever the evidence

    def threshold(self, language: str, gate: bool | None = None) -> float:
        """Return the support threshold for a question in this language (none when not gated)."""
        if not (self.gated if gate is None else gate):
            return float("-inf")
        return self.config.gate_floor(language, trained=self.scorer.learned is not None)

    def __call__(self, turn: Turn) -> bool:
        """Return True when the question may be answered, the reader's sentences then in `turn.top`; else refuse."""
        turn.refused = not turn.ranked or turn.ranked[0].support < self.threshold(turn.language, turn.gate)
        if not turn.refused:
            turn.top = renumber(turn.ranked[: self.config.reader_sentences])
        return not turn.refused


class Localize:
    """The nynorsk pivot: a language model gets a nynorsk question in bokmål, and each shown piece goes back."""

    def __init__(self, translator: Translator | None) -> None:
        self.translator = translator  # None: no pivot (none installed, or the reader quotes)

    def into_model(self, turn: Turn) -> None:
        """Set the question the reader gets and the language it writes: bokmål for nynorsk when a translator works."""
        turn.asked, turn.model_language = turn.standalone, turn.language
        turn.pivot = turn.language == "nn" and self.translator is not None
        if not turn.pivot or self.translator is None:
            return
        try:
            turn.asked, turn.model_language = translate_text(turn.standalone, self.translator, TO_BOKMAL), "nb"
        except TranslationError as exc:
            turn.translation = say(QUESTION_NOT_TRANSLATED, turn.language, error=exc)
            turn.pivot = False

    def from_model(self, turn: Turn, piece: str) -> str:
        """Return a verified piece in the asker's standard; when translation fails, bokmål from then on, with a note."""
        if not turn.pivot or self.translator is None:
            return piece
        try:
            piece = translate_text(piece, self.translator, TO_NYNORSK)
            turn.translation = say(TRANSLATED, turn.language)
        except TranslationError as exc:
            turn.translation = say(ANSWER_NOT_TRANSLATED, turn.language, error=exc)
            turn.pivot = False
        return piece


class Read:
    """Asks the reader about the turn's sentences; a model that fails or passes its deadline ends the claims."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader

    def __call__(self, turn: Turn) -> Iterator[Claim]:
        """Yield the reader's claims as they are ready; a failure is recorded in `turn.failures`."""
        try:
            yield from self.reader.read(turn.asked, turn.top, turn.model_language, turn.style)
        except LLMUnavailable as exc:
            turn.failures.append(str(exc))


class Verify:
    """Checks a claim against the sentences it cites with the support score: only a claim they back is shown."""

    def __init__(self, scorer: SupportScorer, config: AnswerConfig) -> None:
        self.scorer = scorer
        self.config = config

    def claim_threshold(self, language: str) -> float:
        """Return the least word-and-e5 support of the sentence that backs a model's claim in this language."""
        return self.config.claim_floor(language)

    def answers_question(self, backing: Evidence, best: Evidence) -> bool:
        """Return True when the claim's sentence answers the question about as well as the best one (trained score).

        A claim may hold a figure its sentence holds while the question asks about something else
        ("370 ville delta" does not say how many were picked): only a sentence the trained scorer
        ranks within `claim_margin` of the best backs an answer.
        """
        return self.scorer.learned is None or backing.support >= best.support - self.config.claim_margin

    def __call__(self, turn: Turn, claim: Claim) -> Evidence | None:
        """Return the sentence that backs the claim best, or None (the claim then goes to `turn.unsupported`).

        A quoted claim is its sentence. The first sentence shown must also answer: say something the
        question does not, of the kind it asks for.
        """
        if claim.quoted:
            ok, backing = True, turn.top[claim.ids[0] - 1]
        else:
            named = [turn.top[i - 1] for i in claim.ids if 1 <= i <= len(turn.top)]
            ok, backing, _ = self.scorer.backs(claim.text, named, self.claim_threshold(turn.model_language))
            ok = ok and backing is not None and self.answers_question(backing, turn.top[0])
            ok = ok and (bool(turn.shown) or answers(turn.asked, claim.text))
        if not ok or backing is None:
            turn.unsupported.append(claim.text)
            return None
        return backing


def repeats(turn: Turn, claim: Claim, backing: Evidence) -> bool:
    """Return True when the claim repeats what was shown, or its sentence already backs one: nothing is shown twice."""
    return backing in turn.cited or sameness(claim.text) in {sameness(p) for p in turn.shown}


class Fallback:
    """What stands in when a model fails or says nothing that holds: a note, and the best sentences quoted."""

    def __init__(self, quoter: Reader, generative: bool) -> None:
        self.quoter = quoter  # the extractive reader
        self.generative = generative  # whether the turn's reader is a language model (then "could not phrase")

    def __call__(self, turn: Turn) -> Iterator[str]:
        """Note a failed model; when nothing was shown, yield the quoted sentences (as streamed) with their note."""
        if turn.failures:
            turn.notes.append(say(FAILED_NOTE, turn.language, error=turn.failures[0]))
        if turn.shown:
            return
        if self.generative and not turn.failures:
            turn.notes.append(say(FALLBACK_NOTE, turn.language))
        turn.translation = ""
        for claim in self.quoter.read(turn.standalone, turn.top, turn.language, turn.style):  # residents: the plainest
            yield turn.show(turn.cite(claim, turn.top[claim.ids[0] - 1]))
