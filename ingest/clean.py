"""Cleaning: de-hyphenation, whitespace, boilerplate lines, and heading detection on page texts.

Line structure is kept on purpose: single line breaks inside a paragraph stay (PDF lines and slide
lines carry the heading structure), paragraphs are separated by exactly one blank line, and leading
indentation is removed (it carries no meaning after extraction and would hide bullets and headings).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import replace

from assistant.core.models import Document, Page

# Whole lines (compared case-insensitively, after stripping bullets and spaces) that are page furniture.
# Each pattern must match the entire line; a line with any other content is kept.
BOILERPLATE: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), why)
    for pattern, why in (
        (r"se hele presentasjonen(?: til [^.!?]{1,80})? her", "link to the slides of a talk on a web report"),
        (r"gå til toppen", "back-to-top link"),
        (r"arrow_upward|arrow_back|arrow_forward|expand_more|chevron_right", "Material icon ligature names"),
        (r"fant du det du lette etter\??", "page feedback widget"),
        (r"innhold created with sketch\.?", "title of an SVG table-of-contents icon"),
        (r"bildetekst", "empty image-caption placeholder"),
        (r"illustrasjon(?:[:,]? [^.!?]{0,60})?", "image alt text such as 'Illustrasjon bærekraft'"),
        (r"logo(?:[:,] ?[^.!?]{0,60})?", "image alt text such as 'Logo, bærekraft'"),
        (r"(?:del|tips en venn)(?: (?:denne siden|siden|artikkelen|saken))?(?: (?:på|i|via|med))?"
         r" (?:facebook|twitter|x|linkedin|e-?post|messenger)(?:(?:,| og| eller) ?(?:facebook|twitter|x|linkedin|e-?post))*",
         "share buttons"),
        (r"(?:denne (?:nett)?siden|vi|nettstedet) bruker (?:informasjonskapsler|cookies)\b[^\n]{0,200}",
         "cookie banner text"),
        (r"(?:godta|aksepter|avvis|tillat)(?: alle| nødvendige)? ?(?:informasjonskapsler|cookies)?",
         "cookie banner buttons"),
        (r"(?:innstillinger for |administrer )?(?:informasjonskapsler|cookies?)(?:-?innstillinger)?",
         "cookie settings link"),
    )
)

# Second parts of a Norwegian suspended-hyphen construction: "klima- og miljø" keeps its hyphen.
SUSPENDED_HYPHEN_NEXT = ("og/eller", "og", "eller", "til", "samt")

_ODD_SPACES = re.compile(r"[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_INVISIBLE = re.compile(r"[\u200b\u2060\ufeff]")
_BULLET_PREFIX = re.compile(r"^[•·▪◦‣○●■\-–—*+]+\s*")
_HYPHEN_BREAK = re.compile(r"(\w)-\n(?=(\w[\w/]*))")
_NUMBERED = re.compile(
    r"^(?:\d{1,2}\.(?:\d{1,2}\.?)*|[IVX]{1,4}\.|(?:Bolk|Del|Kapittel|Fase|Vedlegg) \d{1,2}[.:]?)\s+(\S.*)$"
)
_BULLET_LINE = re.compile(r"^\s*(?:[•·▪◦‣○●■*+–—]|-(?=\s))")

_SENTENCE_END = (".", "!", "?", ":", "»", "”")

MAX_HEADING_CHARS = 80
MAX_HEADING_WORDS = 12
MAX_NUMBERED_CHARS = 100
MAX_NUMBERED_WORDS = 15


def is_boilerplate(line: str) -> bool:
    """Return True when the whole line is page furniture listed in BOILERPLATE."""
    core = _BULLET_PREFIX.sub("", line.strip()).strip()
    return bool(core) and any(pattern.fullmatch(core) for pattern, _ in BOILERPLATE)


def _dehyphenate(match: re.Match[str]) -> str:
    """Return the replacement for 'x-\\nword': joined word, kept hyphen, or suspended hyphen."""
    before, following = match.group(1), match.group(2)
    if following.lower() in SUSPENDED_HYPHEN_NEXT or following.lower().startswith("og/"):
        return f"{before}- "  # "klima-\nog miljø" -> "klima- og miljø"
    if not following[0].islower():
        return match.group(0)
    if before.islower():
        return before  # "bære-\nkraftsmålene" -> "bærekraftsmålene"
    if before.isupper() or before.isdigit():
        return f"{before}-"  # "FN-\nsenteret" -> "FN-senteret"
    return match.group(0)


def clean_text(text: str) -> str:
    """Return the text in NFC with odd spaces, hyphenated line breaks, blank runs and boilerplate lines fixed."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u00ad\n", "").replace("\u00ad", "")  # soft hyphens: a break point, never a character
    text = _INVISIBLE.sub("", _ODD_SPACES.sub(" ", text)).replace("\f", "\n")
    lines = []
    for line in text.split("\n"):
        line = re.sub(r" {2,}", " ", line.strip())
        lines.append("" if is_boilerplate(line) else line)
    text = _HYPHEN_BREAK.sub(_dehyphenate, "\n".join(lines))
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip("\n")


def _norm(line: str) -> str:
    """Return a line reduced for comparison with heading hints: NFC, spaces collapsed, casefolded."""
    return " ".join(_ODD_SPACES.sub(" ", unicodedata.normalize("NFC", line)).split()).casefold()


def _is_bullet(line: str) -> bool:
    """Return True for list-item lines ('•', '-', '*' ...)."""
    return bool(_BULLET_LINE.match(line))


def _starts_upper(text: str) -> bool:
    """Return True when the first letter of the text is uppercase (digits and quotes may come first)."""
    first = next((ch for ch in text if ch.isalpha()), "")
    return first.isupper()


def _numbered_heading(line: str) -> bool:
    """Return True for '1. Hva er FN-senteret?' or 'Bolk 1: ...' style lines."""
    match = _NUMBERED.match(line)
    return bool(
        match
        and len(line) <= MAX_NUMBERED_CHARS
        and len(line.split()) <= MAX_NUMBERED_WORDS
        and _starts_upper(match.group(1))
        and not line.rstrip().endswith((".", ",", ";", ":"))
    )


def _short_heading(line: str) -> bool:
    """Return True for a short line that could be a heading: no sentence end, starts uppercase."""
    return (
        len(line) <= MAX_HEADING_CHARS
        and len(line.split()) <= MAX_HEADING_WORDS
        and any(ch.isalpha() for ch in line)
        and _starts_upper(line)
        and not line.endswith((".", ",", ";", ":", "-", "–"))
    )


def detect_headings(text: str, hints: Sequence[str] = ()) -> list[tuple[int, str]]:
    """Return (offset in text, heading) pairs, ascending: hinted lines, numbered headings, lone short lines."""
    lines = text.split("\n")
    offsets = []
    pos = 0
    for line in lines:
        offsets.append(pos)
        pos += len(line) + 1
    stripped = [line.strip() for line in lines]
    hint_keys = {_norm(h): " ".join(h.split()) for h in hints if h and h.strip()}
    max_hint_lines = 4
    found: dict[int, str] = {}

    i = 0
    while i < len(lines):
        line = stripped[i]
        if not line or _is_bullet(line):
            i += 1
            continue
        # A hint may be wrapped over a few consecutive lines (PDF headings).
        matched = 0
        for span in range(1, max_hint_lines + 1):
            if i + span > len(lines) or not stripped[i + span - 1]:
                break
            if _norm(" ".join(stripped[i : i + span])) in hint_keys:
                matched = span
                break
        if matched:
            found[offsets[i] + len(lines[i]) - len(lines[i].lstrip())] = " ".join(" ".join(stripped[i : i + matched]).split())
            i += matched
            continue
        prev_blank = i == 0 or not stripped[i - 1]
        next_blank = i + 1 >= len(lines) or not stripped[i + 1]
        prev_numbered = i > 0 and bool(_NUMBERED.match(stripped[i - 1]))
        next_numbered = i + 1 < len(lines) and bool(_NUMBERED.match(stripped[i + 1]))
        if _numbered_heading(line) and not prev_numbered and not next_numbered and i + 1 < len(lines):
            if _has_body_after(stripped, i):
                found[offsets[i] + len(lines[i]) - len(lines[i].lstrip())] = line
        elif prev_blank and next_blank and _short_heading(line) and _longer_paragraph_follows(stripped, i):
            found[offsets[i] + len(lines[i]) - len(lines[i].lstrip())] = line
        i += 1
    return sorted(found.items())


def _next_paragraph(stripped: list[str], i: int) -> list[str]:
    """Return the lines of the first paragraph after line i (skipping blank lines)."""
    j = i + 1
    while j < len(stripped) and not stripped[j]:
        j += 1
    para = []
    while j < len(stripped) and stripped[j]:
        para.append(stripped[j])
        j += 1
    return para


def _previous_paragraph(stripped: list[str], i: int) -> list[str]:
    """Return the lines of the last paragraph before line i (skipping blank lines)."""
    j = i - 1
    while j >= 0 and not stripped[j]:
        j -= 1
    para = []
    while j >= 0 and stripped[j]:
        para.append(stripped[j])
        j -= 1
    return para[::-1]


def _has_body_after(stripped: list[str], i: int) -> bool:
    """Return True when some text follows line i (a numbered heading must head something)."""
    return bool(_next_paragraph(stripped, i))


def _longer_paragraph_follows(stripped: list[str], i: int) -> bool:
    """Return True when the next paragraph is longer than line i and is not itself another heading-like line."""
    para = _next_paragraph(stripped, i)
    if not para:
        return False
    before = _previous_paragraph(stripped, i)
    if len(before) == 1 and _short_heading(before[0]) and before[0].split()[0] == stripped[i].split()[0]:
        return False  # last of a run of parallel short lines ("Bærekraftsrapport Frøya 2024 (PDF)" ...): a list
    body = " ".join(para)
    if len(para) == 1 and not (body.endswith(_SENTENCE_END) or len(body) >= 120):
        return False  # a lone line that is no sentence: another title or caption, not a body
    return len(body) > len(stripped[i])


def clean_document(doc: Document) -> Document:
    """Return a copy of the document with every page cleaned and its headings found; empty pages dropped."""
    pages: list[Page] = []
    for page in doc.pages:
        text = clean_text(page.text)
        if not text.strip():
            continue
        hints = [" ".join(clean_text(h).split()) for h in page.heading_hints]
        hints = [h for h in hints if h]
        pages.append(
            Page(number=page.number, text=text, headings=detect_headings(text, hints), heading_hints=hints)
        )
    title = " ".join(unicodedata.normalize("NFC", doc.title).split())
    return replace(doc, title=title, pages=pages, meta=dict(doc.meta))
