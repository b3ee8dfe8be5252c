"""Citations as data: parse [n] markers, drop those that point nowhere, check each cited sentence."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from assistant.core.language import ENGLISH_FUNCTION_WORDS
from assistant.core.models import Chunk, Citation
from assistant.core.settings import Settings
from assistant.core.text import (
    MARKER,
    cited_numbers,
    split_sentences,
    strip_markers,
    tokenize,
)

if TYPE_CHECKING:
    from assistant.index.embed import Embedder

# Calibrated values live in Settings (with how they were set); these are their defaults.
LEXICAL_SUPPORT = Settings.model_fields["lexical_support"].default
EMBEDDING_SUPPORT = Settings.model_fields["embedding_support"].default


def clean_markers(text: str, n_passages: int) -> str:
    """Return the text with citation numbers outside 1..n_passages removed (and empty markers dropped)."""
    def fix(match: re.Match[str]) -> str:
        numbers = [int(x) for x in re.split(r"\s*[,;]\s*", match.group(1))]
        valid = list(dict.fromkeys(n for n in numbers if 1 <= n <= n_passages))
        return "".join(f"[{n}]" for n in valid)

    cleaned = MARKER.sub(fix, text)
    cleaned = re.sub(r"(\[\d+\])(?:\s*\1)+", r"\1", cleaned)  # [1][1] -> [1]
    return re.sub(r"[ \t]+([.,;:!?])", r"\1", cleaned)


def names(sentence: str) -> set[str]:
    """Return the names and numbers a sentence mentions: capitalised words after its first word, and digits."""
    words = strip_markers(sentence).split()[1:]
    found = {w.strip(".,;:!?()«»\"'“”").casefold() for w in words if re.match(r"[A-ZÆØÅ][\wæøåÆØÅ-]", w)}
    return {n for n in found if n} | set(re.findall(r"\d+", strip_markers(sentence)))


def lexical_support(sentence: str, passage: str) -> float:
    """Return the share of the sentence's stemmed content words that occur in the passage (1.0 if none).

    A sentence naming someone or something the passage never names ("The mayor of Tromsø is ...")
    gets 0: the other words may all be there, but the claim is about something else.
    """
    text = passage.casefold()
    for name in names(sentence):  # "Trondheims" (genitive) is named by "Trondheim"
        if not any(re.search(rf"(?<!\w){re.escape(form)}", text) for form in {name, name.removesuffix("s")} if form):
            return 0.0
    words, passage_words = tokenize([strip_markers(sentence), passage])
    # "the", "of", "is" are no Norwegian stop words, but they back nothing an English answer claims
    words = [w for w in words if w not in _english_function_tokens()]
    if not words:
        return 1.0
    have = set(passage_words)
    return sum(1 for w in words if w in have) / len(words)


@lru_cache(maxsize=1)
def _english_function_tokens() -> frozenset[str]:
    """Return English function words as the keyword tokenizer writes them ("to" is also Norwegian for two)."""
    return frozenset(tokenize([" ".join(sorted(ENGLISH_FUNCTION_WORDS - {"to"}))])[0])


def best_quote(sentence: str, passage: str, embedder: Embedder | None = None) -> tuple[str, float, float]:
    """Return (the passage sentence that best supports the sentence, its lexical score, its cosine or 0)."""
    candidates = split_sentences(passage) or [passage]
    lexical = [lexical_support(sentence, c) for c in candidates]
    cosine = [0.0] * len(candidates)
    if embedder is not None:

        vectors = embedder.embed_passages([strip_markers(sentence), *candidates])
        cosine = [float(x) for x in vectors[1:] @ vectors[0]]
    best = int(np.argmax([lx + cs for lx, cs in zip(lexical, cosine)]))
    return candidates[best], lexical[best], cosine[best]


# e5 re-ranks this many word-matched sentences per passage when a prompt is cut: on the dev set the
# prompts held as many answers (43 of 54) as with every sentence embedded, in half the time
EMBED_TOP = Settings.model_fields["embed_top"].default
SHORT_ANSWER_WORDS = 10  # a sentence this short ("NTNU og fylket [1]") is read with its question to find the quote


def question_quote(question: str, sentence: str, passage: str) -> str:
    """Return the passage sentence that best matches question and answer together (IDF-weighted words)."""
    candidates = split_sentences(passage) or [passage]
    scores = score_sentences(f"{question} {strip_markers(sentence)}", candidates)
    return candidates[int(np.argmax(scores))]


def build_citations(
    answer: str, passages: Sequence[Chunk], embedder: Embedder | None = None, question: str = ""
) -> tuple[list[Citation], list[str]]:
    """Return the answer's citations (by number) and the sentences no cited passage supports (uncited claims too).

    The quote shown for a short answer ("Trondheim kommune, NTNU og fylket [1]") is chosen with the
    question in view, so it is the passage sentence about what was asked; support is judged as before.
    """
    citations: dict[int, Citation] = {}
    unsupported: list[str] = []
    for sentence in split_sentences(answer):
        numbers = [n for n in cited_numbers(sentence) if 1 <= n <= len(passages)]
        if not numbers:
            if strip_markers(sentence):  # a claim with no source is not backed either, however short
                unsupported.append(strip_markers(sentence))
            continue
        backed = False
        for n in numbers:
            chunk = passages[n - 1]
            quote, lexical, cosine = best_quote(sentence, chunk.text, embedder)
            ok = lexical_support(sentence, chunk.text) >= LEXICAL_SUPPORT or cosine >= EMBEDDING_SUPPORT
            if question and len(strip_markers(sentence).split()) <= SHORT_ANSWER_WORDS:
                quote = question_quote(question, sentence, chunk.text)
            backed = backed or ok
            if n not in citations or (ok and not citations[n].supported):
                citations[n] = Citation(n=n, chunk=chunk, quote=quote, supported=ok)
        if not backed:
            unsupported.append(strip_markers(sentence))
    return [citations[n] for n in sorted(citations)], unsupported


def _support(sentence: str, chunk: Chunk, embedder: Embedder | None) -> float:
    """Return how well a passage backs a sentence: the larger of lexical share and (scaled) cosine."""
    _, lexical, cosine = best_quote(sentence, chunk.text, embedder)
    lexical = max(lexical, lexical_support(sentence, chunk.text))
    return max(lexical / LEXICAL_SUPPORT, cosine / EMBEDDING_SUPPORT if cosine else 0.0)


def short_answer_passage(question: str, answer: str, passages: Sequence[Chunk]) -> int | None:
    """Return the number of the first passage with a sentence holding the short answer verbatim and a question word.

    "Bystyret" answers "Hvem leder FN-senteret?" when a passage sentence says "bystyret" and also
    names something else the question asks about ("FN-senteret"), itself or in the line before it
    (a heading); a bare number or name found in an unrelated sentence ("50 personer" in a passage
    about a panel) backs nothing.
    """
    phrase = strip_markers(answer).strip(" .!?…").casefold()
    if not phrase:
        return None
    pattern = re.compile(rf"(?<!\w){re.escape(phrase)}(?!\w)")
    asked = set(tokenize([question])[0]) - set(tokenize([phrase])[0])
    for n, chunk in enumerate(passages, start=1):
        sentences = split_sentences(chunk.text)
        for i, sentence in enumerate(sentences):
            context = " ".join(sentences[max(i - 1, 0) : i + 1])  # a heading line stands just before its text
            if pattern.search(sentence.casefold()) and asked & set(tokenize([context])[0]):
                return n
    return None


def attribute_uncited(answer: str, passages: Sequence[Chunk], embedder: Embedder | None = None, question: str = "") -> str:
    """Return the answer with a [n] added to each uncited sentence that one of the passages clearly backs.

    Small models often state the right fact without its marker; the marker is then derived from the
    evidence (the same check that verifies the model's own citations), never invented. A reply of one
    or two words ("Bystyret", "370") is matched verbatim, together with the question it answers.
    """
    out = answer
    for sentence in split_sentences(answer):
        if cited_numbers(sentence):
            continue
        n: int | None = None
        if len(strip_markers(sentence).split()) < 3:
            n = short_answer_passage(question, sentence, passages) if question else None
        else:
            scores = [_support(sentence, chunk, embedder) for chunk in passages]
            if scores and max(scores) >= 1.0:
                n = int(np.argmax(scores)) + 1
        if n is None:
            continue
        body = sentence.rstrip()
        marked = f"{body[:-1]} [{n}]{body[-1]}" if body[-1] in ".!?…" else f"{body} [{n}]"
        out = out.replace(sentence, marked, 1)
    return out


def score_sentences(
    question: str, sentences: Sequence[str], embedder: Embedder | None = None, embed_top: int = EMBED_TOP
) -> list[float]:
    """Return how well each sentence answers the question: IDF-weighted share of its words, plus e5 cosine if given.

    e5 re-ranks only the `embed_top` sentences that share most words with the question (all of them
    when none shares a word, as for an English question); the others keep their word score, so they
    rank below. Questions and lead-ins ("Hva er ...?", "Innhold:") score 0: they never answer anything.
    """
    if not sentences:
        return []
    wanted = set(tokenize([question])[0])
    words = [set(t) for t in tokenize(list(sentences))]
    df = {w: sum(1 for ws in words if w in ws) for w in wanted}
    idf = {w: math.log(1 + len(sentences) / (1 + df[w])) for w in wanted}
    total = sum(idf.values()) or 1.0
    scores = [sum(idf[w] for w in wanted & ws) / total for ws in words]
    if embedder is not None:

        ranked = sorted(range(len(sentences)), key=lambda i: -scores[i])
        chosen = ranked[:embed_top] if max(scores) > 0 else ranked
        cosine = embedder.embed_passages([sentences[i] for i in chosen]) @ embedder.embed_query(question)
        for i, c in zip(chosen, cosine, strict=True):
            scores[i] += float(c)
    return [0.0 if s.rstrip().endswith(("?", ":")) else score for s, score in zip(sentences, scores)]
