"""Readability of answers for residents: LIX, the Scandinavian readability index."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.core.text import has_words, split_sentences, strip_markers

# LIX bands as used for Norwegian and Swedish texts (Björnsson): under 30 very easy ... over 60 very hard.
BANDS = ((30, "svært lett"), (40, "lett"), (50, "middels"), (60, "vanskelig"))
CITIZEN_TARGET = 40
LONG_WORD = 6  # letters; a longer word counts as long (LIX)
LONG_SENTENCE = 20  # words; Klarspråkhjelpen flags longer sentences


def lix(text: str) -> float:
    """Return the LIX of the text (citation markers removed); 0.0 for a text without words."""
    import textstat

    if not has_words(text):
        return 0.0
    return float(textstat.lix(strip_markers(text)))  # strip_markers also collapses whitespace


def band(score: float) -> str:
    """Return the plain-Norwegian name of the LIX band the score falls in."""
    for limit, name in BANDS:
        if score < limit:
            return name
    return "svært vanskelig"


@dataclass(frozen=True)
class Plainness:
    """How plain a text reads: words per sentence, share of long words, sentences over LONG_SENTENCE words."""

    sentences: int
    words_per_sentence: float
    long_words: float
    long_sentences: int


def plainness(text: str) -> Plainness:
    """Return the sentence and word lengths of the text (citation markers removed)."""
    sentences = [s for s in split_sentences(strip_markers(text)) if has_words(s)]
    counts = [[w.strip(".,;:!?()«»\"'") for w in s.split()] for s in sentences]
    words = [w for c in counts for w in c if w]
    if not words:
        return Plainness(0, 0.0, 0.0, 0)
    return Plainness(len(sentences), len(words) / len(sentences), sum(len(w) > LONG_WORD for w in words) / len(words),
                     sum(len(c) > LONG_SENTENCE for c in counts))
