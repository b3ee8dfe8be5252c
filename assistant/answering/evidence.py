"""Evidence candidates: the sentences of the retrieved passages, each with the lead-in it belongs to."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.core.models import Chunk, Evidence
from assistant.core.text import split_sentences

_BULLET = re.compile(r"^\s*(?:[•\-*·▪◦–]|\d{1,2}[.)])\s+")
_SPACE = re.compile(r"\s+")


def is_lead_in(text: str) -> bool:
    """Return True for a line that introduces what follows ("Kontakt:", "1. Hva er FN-senteret?")."""
    return text.rstrip().endswith((":", "?"))


def candidates(passages: Sequence[Chunk], max_passages: int = 5) -> list[Evidence]:
    """Return the sentences of the top passages as evidence, numbered from 1 in rank and reading order.

    Bullet lines and "Label: value" lines count as sentences. A lead-in line (ending in ':' or '?')
    is not evidence itself; it becomes the `context` of the sentences after it, until the next one,
    so "Telefon +47 72 54 00 00" under "Kontakt FN-senteret:" keeps what it is about. A sentence
    that repeats the passage's title or heading, or one already seen, is left out.
    """
    out: list[Evidence] = []
    seen: set[str] = set()
    for chunk in passages[:max_passages]:
        lead = chunk.heading
        previous = ""
        for position, raw in enumerate(split_sentences(chunk.text)):
            text = _SPACE.sub(" ", _BULLET.sub("", raw)).strip()
            if not text:
                continue
            before, previous = previous, text
            if is_lead_in(text):
                lead = text
                continue
            key = text.casefold()
            if key in seen or text in (chunk.title, chunk.heading) or len(text.split()) < 2:
                continue
            seen.add(key)
            out.append(Evidence(len(out) + 1, text, chunk, position, context=lead if lead != text else "",
                                before=before if before != lead else ""))
    return out


def renumber(evidence: Sequence[Evidence]) -> list[Evidence]:
    """Return the evidence numbered 1..n in the given order (what a reader is shown)."""
    return [Evidence(i, e.text, e.chunk, e.position, e.context, e.support, e.before)
            for i, e in enumerate(evidence, start=1)]
