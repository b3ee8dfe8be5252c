"""One support score: how well a sentence of the documents answers a question or backs a claim.

For a question the score is the trained answer-sentence scorer's logit (`assistant/index/scorer.py`:
a cross-encoder fine-tuned from multilingual-e5-small on NorQuAD, reading question and sentence
together). It runs on a shortlist: the `shortlist` sentences with the best cheap support

    cheap(query, sentence) = lexical_weight * overlap + semantic_weight * cosine

- overlap: the share of the query's content words (stemmed; Norwegian and English stop words from
  bm25s's lists left out) that the sentence holds, each word weighted by its IDF in the corpus (the
  keyword index's document frequencies). A word found only around the sentence (its lead-in or
  heading, or the sentence before it) counts half.
- cosine: e5 similarity of query and sentence, a short sentence read with its lead-in (embedded
  only for the `embed_top` sentences with the best overlap, `weak_embed_factor` times as many when
  the query shares almost no word with them, as an English question; cached; the others get none).

Sentences off the shortlist rank below it, in cheap order. Without a trained scorer (tests of the
logic around it), the cheap support is the score.

For a claim (verification of a model's sentence) the cheap support is the score, and a claim that
names a number or a name the sentence lacks is vetoed: a sentence that lacks a fact the claim states
never backs it, however alike they read ("Sekretariatet har 11 personer" against "... ti personer").
Whether the sentence states what the question asks (the relation, not only the figure) is the trained
score's part: the pipeline takes a claim's sentence only when its answer score is within a calibrated
margin of the best sentence's.

The weights, thresholds and margins are calibrated by `python -m evals.calibrate_support` and live in
Settings. The same scorer chooses the evidence, gates the answer, verifies each claim of an LLM's
answer and picks the sentence shown as the quote.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from assistant.core.languages import alternation, asked_cues, union
from assistant.core.models import Evidence
from assistant.core.text import stem_tokens
from assistant.index.embed import Embedder
from assistant.index.scorer import SentenceScorer

# --- what a question asks for -------------------------------------------------------------------


def _any(field: str) -> str:
    """Return one regex group of every pack's words in the field ("number_words": en, ett, ein, ..., one, ...)."""
    return alternation(union(field))


# Every pack's cues apply to every question, whatever its language (assistant/core/languages: detection
# is unsure on short questions, and the documents are Norwegian); the first kind that matches wins.
_ASK_RE = [(kind, re.compile(pattern, re.IGNORECASE)) for kind, pattern in asked_cues()]
_STREETS = union("street_suffixes")
# What holds an answer of a kind: language-neutral signs (digits, capitals, a phone number, a web or
# e-mail address, a year, a post code) or the words of any pack.
_HAS = {
    "phone": re.compile(r"\+?\d[\d ]{6,}\d"),
    "email": re.compile(r"@|\bwww\.|https?://|\.no\b", re.IGNORECASE),
    "percent": re.compile(rf"%|\b{_any('percent_words')}", re.IGNORECASE),
    "number": re.compile(rf"\d|\b{_any('number_words')}\b", re.IGNORECASE),
    "time": re.compile(rf"\b(?:1[89]|20)\d\d\b|\b\d{{1,2}}\.\s*{_any('month_abbreviations')}|"
                       rf"\b{_any('time_words')}\w*", re.IGNORECASE),
    "address": re.compile(rf"\b\w*{alternation(_STREETS + union('address_suffixes'))}\s+\d+|\b\d{{4}}\s+[A-ZÆØÅ]\w+|"
                          rf"\b{_any('postbox_words')}\s+\d+", re.IGNORECASE),
    "place": re.compile(rf"(?<![.!?]\s)(?<!^)\b[A-ZÆØÅ][\wæøå\-]+|\b\w+{alternation(_STREETS)}\b|\b\d{{4}}\s+[A-ZÆØÅ]"),
    "name": re.compile(rf"(?<!^)\b[A-ZÆØÅ][\wæøå\-]+|\b[A-ZÆØÅ]{{2,}}\b|\b{_any('institution_words')}\b"),
}
_NAME = re.compile(r"[A-ZÆØÅ][\wæøåÆØÅ\-]+")
_NUMBER = re.compile(r"\d{1,3}(?:[ \u00a0]\d{3})+(?![\d])|\d+(?:[.,]\d+)?")
_AFTER = re.compile(r"\s*([\wæøåÆØÅ%]+)")


def asks_for(question: str) -> str | None:
    """Return the kind of answer the question asks for (name, number, time, place, phone, ...), or None."""
    for kind, pattern in _ASK_RE:
        if pattern.search(question):
            return kind
    return None


def holds(kind: str, text: str) -> bool:
    """Return True when the text holds an answer of the kind (a number, a name, a date ...)."""
    return bool(_HAS[kind].search(text))


def _numbers(text: str) -> list[tuple[str, str]]:
    """Return each number of the text ("15 000" is one) with the stem of the word after it ("" at the end)."""
    out = []
    for match in _NUMBER.finditer(text):
        after = _AFTER.match(text, match.end())
        word = stem_tokens(after.group(1)) if after else []
        out.append((re.sub(r"[ \u00a0]", "", match.group()).replace(",", "."), word[0] if word else ""))
    return out


def claim_facts(claim: str) -> tuple[set[tuple[str, str]], set[str]]:
    """Return the numbers (each with the word it counts) and the names (capitalised words after the first) of a claim."""
    words = claim.split()
    names = {w.strip(".,;:!?()«»\"'“”").casefold() for w in words[1:] if _NAME.match(w)}
    return set(_numbers(claim)), {n for n in names if len(n) > 1 and not _NUMBER.fullmatch(n)}


def _holds_number(number: str, counted: str, text: str) -> bool:
    """Return True when the text has the number, counting the same thing when the claim says what it counts.

    "15 000 framtidsverksteder" is not backed by "50 framtidsverksteder ... og 15 000 ansatte": the
    number stands there, but it counts something else.
    """
    found = [word for value, word in _numbers(text) if value == number]
    return bool(found) and (not counted or counted in found or any(not w for w in found))


def _holds_fact(fact: str, text: str) -> bool:
    """Return True when the text names the fact (a genitive -s of a name counts: "Trondheims" names Trondheim)."""
    return bool(re.search(rf"(?<![\w.,]){re.escape(fact)}", text)) or (
        fact.endswith("s") and bool(re.search(rf"(?<![\w]){re.escape(fact[:-1])}", text)))


def cue(query: str, evidence: Evidence, kind: str) -> float:
    """Return the answer-type cue: +1/-1 for a question that asks for a kind of answer, -1 for a claim missing a fact."""
    text = evidence.text
    if kind == "claim":
        numbers, names = claim_facts(query)
        source = f"{evidence.context}\n{text}\n{evidence.chunk.title}"
        haystack = source.casefold()
        missing = [n for n in names if not _holds_fact(n, haystack)]
        missing += [n for n, counted in numbers if not _holds_number(n, counted, source)]
        return -1.0 if missing else 0.0
    wanted = asks_for(query)
    if wanted is None:
        return 0.0
    return 1.0 if holds(wanted, text) else -1.0


def news(question: str, claim: str) -> str:
    """Return the words of the claim that the question does not already say (by stem), in the claim's order."""
    asked = set(stem_tokens(question))
    kept = [w for w in claim.split() if (stems := stem_tokens(w)) and not set(stems) <= asked]
    return " ".join(kept)


def answers(question: str, claim: str) -> bool:
    """Return True when the claim tells the asker something: a content word the question lacks, and what it asks for.

    The answer-type cue again, applied to what the claim adds: "Ja, det finnes en bærekraftsrapport for
    Frøya" adds nothing to "Finnes det en bærekraftsrapport for Frøya?"; "Stad var vertskap for samlinga"
    holds no date for "Når var samlinga i Stad?"; "FN-senteret samarbeider med flere norske byer" names
    no city for "Hvilke norske byer ...?".
    """
    added = news(question, claim)
    kind = asks_for(question)
    if added and not claim.startswith(added.split()[0]):
        added = f"… {added}"  # its first word does not begin the sentence: a capital there names something
    return bool(added) and (kind is None or holds(kind, added))


# --- the score ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SupportWeights:
    """The calibrated weights and threshold of the support score (from Settings)."""

    lexical: float = 1.0
    semantic: float = 1.0
    cue: float = 0.2
    threshold: float = 1.0
    embed_top: int = 10
    shortlist: int = 16  # sentences per question the trained scorer reads
    weak_overlap: float = 0.3  # below this best overlap the words say little (an English question): ...
    weak_embed_factor: int = 3  # ... embed this many times `embed_top` sentences
    lead_in_words: int = 8  # a sentence of at most this many words is embedded with its lead-in


def embedded_text(evidence: Evidence, lead_in_words: int = 8) -> str:
    """Return what e5 reads of a sentence: a short one ("Erling Skakkes gate 14") with its lead-in."""
    if evidence.context and len(evidence.text.split()) <= lead_in_words:
        return f"{evidence.context} {evidence.text}"
    return evidence.text


@lru_cache(maxsize=4096)
def _tokens(text: str) -> tuple[str, ...]:
    """Return the text's content words, stemmed (cached: the same sentences come back again and again)."""
    return tuple(stem_tokens(text))


def shortlist_order(cheap: np.ndarray, units: Sequence[bool], shortlist: int) -> np.ndarray:
    """Return the indices the trained scorer reads: the `shortlist` best by cheap support, then every list unit."""
    order = list(np.argsort(-cheap, kind="stable")[: max(1, shortlist)])
    return np.array(order + [i for i, unit in enumerate(units) if unit and i not in order], dtype=int)


def place_below(cheap: np.ndarray, order: np.ndarray, logits: np.ndarray) -> np.ndarray:
    """Return the logits at `order`; every other sentence below the lowest of them, in cheap order."""
    out = logits.min() - 10.0 + 1e-3 * (cheap - cheap.max())
    out[order] = logits
    return out


class SupportScorer:
    """Scores evidence sentences against a question or a claim with one calibrated formula."""

    def __init__(
        self,
        weights: SupportWeights,
        embedder: Embedder | None = None,
        idf: Callable[[Sequence[str]], dict[str, float]] | None = None,
        learned: SentenceScorer | None = None,
    ) -> None:
        self.weights = weights
        self.embedder = embedder
        self.idf = idf  # corpus IDF of stemmed words (the keyword index's); local IDF when None
        self.learned = learned  # the trained answer-sentence scorer; None: the cheap support alone

    def overlap(self, query: str, evidence: Sequence[Evidence]) -> list[float]:
        """Return the IDF-weighted share of the query's content words each sentence holds (lead-in words at half)."""
        wanted = set(_tokens(query))
        if not wanted or not evidence:
            return [0.0] * len(evidence)
        # a list unit is quoted with its lead-in ("Rapporten vil ha flere deler: ..."), so its words are the unit's own
        own = [set(_tokens(e.text)) | (set(_tokens(e.context)) if e.items else set()) for e in evidence]
        around = [set(_tokens(e.context)) | set(_tokens(e.before)) for e in evidence]
        if self.idf is not None:
            idf = self.idf(sorted(wanted))
        else:  # IDF over the candidates themselves
            df = {w: sum(1 for s in own if w in s) for w in wanted}
            idf = {w: math.log(1 + len(own) / (1 + df[w])) for w in wanted}
        total = sum(idf.values()) or 1.0
        return [
            sum(idf[w] for w in wanted & mine) / total + 0.5 * sum(idf[w] for w in (wanted & lead) - mine) / total
            for mine, lead in zip(own, around, strict=True)
        ]

    def cosine(
        self, query: str, evidence: Sequence[Evidence], order: Sequence[int], kind: str, weak: bool = False
    ) -> list[float]:
        """Return e5 similarities for the first `embed_top` sentences of `order` (0 for the rest)."""
        sims = [0.0] * len(evidence)
        if self.embedder is None or not evidence:
            return sims
        w = self.weights
        chosen = list(order[: w.embed_top * (w.weak_embed_factor if weak else 1)])
        vectors = self.embedder.embed_passages([embedded_text(evidence[i], w.lead_in_words) for i in chosen])
        # a question is embedded as a query; a claim is a statement, compared passage to passage
        probe = self.embedder.embed_query(query) if kind == "question" else self.embedder.embed_passages([query])[0]
        for i, value in zip(chosen, vectors @ probe, strict=True):
            sims[i] = float(value)
        return sims

    def features(self, query: str, evidence: Sequence[Evidence], kind: str = "question") -> np.ndarray:
        """Return an (n, 3) array of overlap, cosine and cue for each sentence."""
        lexical = self.overlap(query, evidence)
        order = sorted(range(len(evidence)), key=lambda i: (-lexical[i], i))  # rank, then reading order
        weak = max(lexical, default=0.0) < self.weights.weak_overlap
        semantic = self.cosine(query, evidence, order, kind, weak)
        if kind == "question" and self.learned is not None:
            cues = [0.0] * len(evidence)  # what a question asks for is the trained scorer's to read
        else:
            cues = [cue(query, e, kind) for e in evidence]
        return np.array([lexical, semantic, cues], dtype=np.float64).T.reshape(len(evidence), 3)

    def combine(self, features: np.ndarray) -> np.ndarray:
        """Return the support scores of feature rows under the calibrated weights."""
        w = self.weights
        return features @ np.array([w.lexical, w.semantic, w.cue]) if len(features) else np.zeros(0)

    def score(
        self, query: str, evidence: Sequence[Evidence], kind: str = "question", shortlist: int | None = None
    ) -> list[float]:
        """Return the support of each sentence for the question (or claim; a claim's missing fact vetoes)."""
        features = self.features(query, evidence, kind)
        scores = self.combine(features)
        if kind == "claim" and len(features):
            scores = np.where(features[:, 2] < 0, -np.inf, scores)
        elif self.learned is not None and len(features):
            scores = self.answer_scores(query, evidence, scores, shortlist)
        return [float(s) for s in scores]

    def answer_scores(
        self, question: str, evidence: Sequence[Evidence], cheap: np.ndarray, shortlist: int | None = None
    ) -> np.ndarray:
        """Return the trained scorer's logits for the `shortlist` best sentences by cheap support and every list unit.

        A list's items rarely repeat the words of a question about the list ("Kva delar skal rapporten ha?"),
        so a unit is read whatever its cheap support; the other sentences off the shortlist rank below it.
        """
        order = shortlist_order(cheap, [bool(e.items) for e in evidence], shortlist or self.weights.shortlist)
        chosen = [evidence[i] for i in order]
        logits = self.learned.scores(question, [e.text for e in chosen], [e.context for e in chosen])  # type: ignore[union-attr]
        return place_below(cheap, order, np.array(logits))

    def rank(self, question: str, evidence: Sequence[Evidence], shortlist: int | None = None) -> list[Evidence]:
        """Return the evidence with its support for the question, best first (reading order breaks ties)."""
        scores = self.score(question, evidence, shortlist=shortlist)
        ranked = sorted(zip(scores, evidence), key=lambda pair: -pair[0])
        return [replace(e, support=s) for s, e in ranked]

    def backs(
        self, claim: str, evidence: Sequence[Evidence], threshold: float | None = None
    ) -> tuple[bool, Evidence | None, float]:
        """Return whether the sentences back the claim (support >= threshold), the one that backs it best, and its support.

        The threshold is the gate's for the claim's language (settings; `weights.threshold` by default).
        """
        if not evidence:
            return False, None, 0.0
        scores = self.score(claim, evidence, kind="claim")
        best = int(np.argmax(scores))
        limit = self.weights.threshold if threshold is None else threshold
        return scores[best] >= limit, evidence[best], scores[best]
