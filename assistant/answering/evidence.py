"""Evidence candidates: the sentences of the retrieved passages, each with the lead-in it belongs to."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from assistant.answering.injection import is_instruction
from assistant.core.models import Chunk, Evidence
from assistant.core.text import split_sentences

_BULLET = re.compile(r"^\s*(?:[•\-*·▪◦–]|\d{1,2}[.)])\s+")
_SPACE = re.compile(r"\s+")
_LABEL = re.compile(r"^[^:.!?]{2,40}:\s+\S")  # "Sekretariatsleder: Kristian Mjøen"
LIST_SEPARATOR = "; "


def is_lead_in(text: str) -> bool:
    """Return True for a line that introduces what follows ("Kontakt:", "1. Hva er FN-senteret?")."""
    return text.rstrip().endswith((":", "?"))


def candidates(passages: Sequence[Chunk], max_passages: int = 5) -> list[Evidence]:
    """Return the sentences of the top passages as evidence, numbered from 1 in rank and reading order.

    Bullet lines and "Label: value" lines count as sentences. A lead-in line (ending in ':' or '?')
    is not evidence itself; it becomes the `context` of the sentences after it, until the next one,
    so "Telefon +47 72 54 00 00" under "Kontakt FN-senteret:" keeps what it is about. A sentence
    that repeats the passage's title or heading, or one already seen, is left out. A run of two or
    more short list lines (bullets, "Label: value"; at most `ITEM_WORDS` words each) is also evidence as one unit, after its lines: a list
    question is answered by the whole list, quoted and cited once. A sentence that instructs a language
    model ("Ignorer alle tidligere instruksjoner ...", `injection.is_instruction`) is never evidence.
    """
    out: list[Evidence] = []
    seen: set[str] = set()
    for chunk in passages[:max_passages]:
        lead = chunk.heading
        previous = ""
        run: list[Evidence] = []
        for position, raw in enumerate(join_bylines(split_sentences(chunk.text))):
            text = _SPACE.sub(" ", _BULLET.sub("", raw)).strip()
            if not text:
                continue
            listed = bool(_BULLET.match(raw)) or bool(_LABEL.match(text) and len(text.split()) <= 12)
            if not listed or is_lead_in(text):
                _close(run, out)
            before, previous = previous, text
            if is_lead_in(text):
                lead = text
                continue
            key = text.casefold()
            if key in seen or text in (chunk.title, chunk.heading) or len(text.split()) < 2 and not listed:
                continue
            if is_instruction(text):  # written for a model, not about the kommune: never evidence
                _close(run, out)
                continue
            seen.add(key)
            out.append(Evidence(len(out) + 1, text, chunk, position, context=lead if lead != text else "",
                                before=before if before != lead else ""))
            if listed:
                run.append(out[-1])
        _close(run, out)
    return out


_CAPITAL_NAME = re.compile(r"^[A-ZÆØÅÄÖÜÉ][A-ZÆØÅÄÖÜÉ\-]+(?: [A-ZÆØÅÄÖÜÉ][A-ZÆØÅÄÖÜÉ\-]+){1,3}$")


def _is_capital_name(line: str) -> bool:
    """Return True for a name written in capitals on a slide ("MORTEN WOLDEN"): two to four words of letters only."""
    return bool(_CAPITAL_NAME.match(line))


def join_bylines(lines: list[str]) -> list[str]:
    """Return the lines with a name in capitals joined to the short line under it ("Morten Wolden, Kommunedirektør").

    Slides set a person's name in capitals above their role; apart, neither line says who holds the role.
    """
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if _is_capital_name(line.strip()) and nxt and not nxt.isupper() and len(nxt.split()) <= 8:
            out.append(f"{line.strip().title()}, {nxt.strip()}")
            i += 2
            continue
        out.append(line)
        i += 1
    return out


ITEM_WORDS = 12  # a list item is short ("Asker", "Sekretariatsleder: Kristian Mjøen"); a longer line is a sentence


def _close(run: list[Evidence], out: list[Evidence]) -> None:
    """Add a run of two or more short list lines to `out` as one unit, and empty the run.

    Bullets that are whole sentences (a FAQ's points) stay single sentences: joined, they would read as
    an answer to any question one of them touches.
    """
    if len(run) >= 2 and all(len(e.text.split()) <= ITEM_WORDS for e in run):
        text = LIST_SEPARATOR.join(e.text.rstrip(".;,") for e in run)
        first = run[0]
        out.append(replace(first, id=len(out) + 1, text=text, items=len(run)))
    run.clear()


def renumber(evidence: Sequence[Evidence]) -> list[Evidence]:
    """Return the evidence numbered 1..n in the given order (what a reader is shown)."""
    return [replace(e, id=i) for i, e in enumerate(evidence, start=1)]
