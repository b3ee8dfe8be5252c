"""Text utilities every layer shares: sentence splitting, citation markers and keyword tokenising."""

from __future__ import annotations

import html
import logging
import re
from functools import lru_cache
from typing import Any

from assistant.core.languages import PACKS, stop_words

MARKER = re.compile(r"\[\s*(\d+(?:\s*[,;]\s*\d+)*)\s*\]")
# A sentence ends at . ! ? … (optionally followed by citation markers) before white space and a new start.
_SENTENCE_END = re.compile(r"(?<=[.!?…])((?:\s*\[[\d,;\s]+\])*)\s+(?=[\"«(\[]?[A-ZÆØÅ0-9•\-])")

def split_sentences(text: str) -> list[str]:
    """Return the text's sentences (and list lines), citation markers kept with their sentence."""
    out: list[str] = []
    # a line break inside a sentence (PDF line wrap) is not a boundary: the next line goes on in lower case
    text = re.sub(r"(?<=[^.!?…:\n])\n(?=[a-zæøå(])", " ", text)
    for block in re.split(r"\n+", text):
        block = block.strip()
        if not block:
            continue
        parts = _SENTENCE_END.split(block)
        # split() returns [sentence, markers, sentence, markers, ...]; glue markers back on
        sentence = parts[0]
        for i in range(1, len(parts), 2):
            if re.fullmatch(r"\d{1,3}\.", sentence.strip()):  # "1. Hva er ...": a numbered item, not a sentence
                sentence = f"{sentence.strip()} {parts[i + 1]}"
                continue
            out.append((sentence + parts[i]).strip())
            sentence = parts[i + 1]
        out.append(sentence.strip())
    return [s for s in out if s]


def cited_numbers(sentence: str) -> list[int]:
    """Return the citation numbers in a sentence, in order, without repeats."""
    found = [int(x) for m in MARKER.finditer(sentence) for x in re.split(r"\s*[,;]\s*", m.group(1))]
    return list(dict.fromkeys(found))


def strip_markers(text: str) -> str:
    """Return the text without citation markers."""
    return re.sub(r"\s+([.,;:!?])", r"\1", re.sub(r"\s+", " ", MARKER.sub("", text))).strip()


def has_words(text: str) -> bool:
    """Return True when the text says something besides citation markers ("[1][2]" says nothing)."""
    return bool(re.search(r"\w", strip_markers(text)))


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    """Return the Snowball Norwegian stemmer (PyStemmer)."""
    import Stemmer

    return Stemmer.Stemmer("norwegian")


def _stopwords() -> tuple[str, ...]:
    """Return the keyword index's stop words: the bokmål pack's (bm25s's Norwegian list, as the documents are)."""
    return stop_words("nb")


def bm25s_module() -> Any:
    """Return the bm25s module, its logger put back under the application's logging level.

    bm25s sets its own logger to DEBUG when imported, which would print a line on every index build.
    """
    import bm25s  # heavy (scipy); loaded on first use

    logging.getLogger("bm25s").setLevel(logging.NOTSET)
    return bm25s


_FOLD = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "ä": "a", "ö": "o", "é": "e", "è": "e", "ü": "u"})
TOKENIZER = "nb-snowball-folded-1"  # the keyword index records it; an index made by another is rebuilt


def fold(word: str) -> str:
    """Return a lower-cased word with æ, ø, å (and accents) written as on a keyboard without them.

    "kommunedirektør" and "kommunedirektor" (typed without ø, or read so from a PDF) become one word.
    """
    return word.translate(_FOLD)


def _stem_and_fold(words: list[str]) -> list[str]:
    """Return the words Norwegian-stemmed, then folded."""
    return [fold(w) for w in _stemmer().stemWords(words)]


def tokenize(texts: list[str]) -> list[list[str]]:
    """Return each text as lower-cased, stop-word-free, Norwegian-stemmed and folded tokens (the keyword index's)."""
    bm25s = bm25s_module()

    return bm25s.tokenize(
        texts,
        lower=True,
        stopwords=list(_stopwords()),
        stemmer=_stem_and_fold,
        return_ids=False,
        show_progress=False,
    )


_ERROR_DROP = re.compile(r"<(head|script|style)\b.*?</\1\s*>", re.S | re.I)
_TAG = re.compile(r"<[^>]*>")


def error_summary(body: object, limit: int = 200) -> str:
    """Return a server's error text as one short line: tags, scripts and styles dropped, the first line with
    text kept, at most `limit` characters. A proxy's whole HTML error page then reads "502 Bad Gateway".
    """
    text = _ERROR_DROP.sub("\n", str(body))
    text = html.unescape(_TAG.sub("\n", text))
    line = next((" ".join(part.split()) for part in text.splitlines() if part.strip()), "")
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


@lru_cache(maxsize=1)
def _content_stopwords() -> frozenset[str]:
    """Return every pack's bm25s stop words (Norwegian and English): question words and function words alike."""
    return frozenset(word for code in PACKS for word in stop_words(code))


_WORD = re.compile(r"[\wæøåÆØÅ]+(?:[-'][\wæøåÆØÅ]+)*")


def stem_tokens(text: str) -> list[str]:
    """Return the text's content words, lower-cased and Norwegian-stemmed, stop words of both languages left out.

    Unlike `tokenize` (the keyword index's, which keeps English words), this is what the support score
    compares: "What is Kraftsamlingen?" leaves only "kraftsamling".
    """
    stop = _content_stopwords()
    words = [w.casefold() for w in _WORD.findall(text)]
    words = [part for w in words for part in w.split("-") if part] if words else []
    return [s for s in _stem_and_fold([w for w in words if w not in stop]) if s]
