"""HTML and text for answers and citations: pure functions, so the page code stays small and testable."""

from __future__ import annotations

import hashlib
import html
import re
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.answering.evidence import LIST_SEPARATOR
from assistant.core.text import split_sentences, strip_markers

if TYPE_CHECKING:
    from assistant.core.models import Answer, Chunk, Citation
    from assistant.services.catalog import DocumentInfo

DOCUMENT_ROUTE = "dokumenter"  # ui/server.py serves published files at /dokumenter/<token>.pdf
_PUBLISHED: dict[str, Path] = {}  # token -> original file, for this process only (nothing is copied)
UNSUPPORTED_TITLE = "Kildene bekrefter ikke denne setningen"
CSS = """
<style>
mark.quote { background: #fff1a8; color: inherit; padding: 0 .1em; }
span.unsupported { background: #ffe3e0; border-bottom: 2px dotted #b3261e; }
span.unsupported::after { content: " ⚠ ikke bekreftet"; color: #b3261e; font-size: .8em; }
.passage { font-size: .92em; line-height: 1.45; white-space: pre-wrap; overflow-wrap: anywhere; }
/* Visible keyboard focus everywhere (WCAG 2.4.7), 5.1:1 against white: Streamlit's own ring is a 50 % tint, and its
   page links and scroll area show none. Text fields show it round their whole box, not the bare input. */
:focus-visible, [data-baseweb="select"]:focus-within, [data-testid="stChatInput"]:focus-within {
  outline: 2px solid #2e7d32 !important; outline-offset: 2px; }
[data-baseweb="select"] input:focus-visible, [data-testid="stChatInputTextArea"]:focus-visible { outline: none !important; }
</style>
"""

BACKEND_NAMES = {"extractive": "utdrag (uten språkmodell)"}
_ASCII_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_ZERO_WIDTH_SPACE = "\u200b"


def md(text: object) -> str:
    """Return text that Streamlit's Markdown (st.markdown, captions, alerts, labels) shows literally.

    Every string that comes from a document (titles, headings, file names, passages, quotes, kommune
    names) or a model or a server goes through this before it reaches Markdown: otherwise a title like
    `![x](http://HOST/p.png)` makes every viewer's browser fetch the URL, and links, bold, headings,
    tables, HTML, `$math$` and `:color[...]` directives render. Each ASCII punctuation character is
    backslash-escaped (CommonMark shows an escaped character as itself), and a zero-width space
    follows every colon: emoji and icon shortcodes (`:smile:`, `:material/home:`) are replaced in the
    text after parsing, where backslashes no longer count. The escape is per character, so pieces of a
    streamed answer escaped one by one join into the escaped whole.
    """
    return _ASCII_PUNCTUATION.sub(r"\\\1", str(text)).replace(":", ":" + _ZERO_WIDTH_SPACE)


def backend_label(name: str) -> str:
    """Return how the UI names an answer backend ('extractive', 'llamacpp:MODEL', 'ollama:MODEL')."""
    if name in BACKEND_NAMES:
        return BACKEND_NAMES[name]
    kind, _, model = name.partition(":")
    if kind == "llamacpp" and model:
        return f"innebygd språkmodell {model}"
    if kind == "ollama" and model:
        return f"Ollama-modellen {model}"
    return f"språkmodell {name}"


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def highlight(passage: str, quote: str) -> str:
    """Return the passage as HTML with the quote marked (matched across whitespace differences).

    A list quoted as one unit ("Panelutvelgelse: ...; Respons fra innbyggerne: ...") has each of its
    lines marked where it stands in the passage.
    """
    spans: list[tuple[int, int]] = []
    for part in [quote] + (quote.split(LIST_SEPARATOR) if LIST_SEPARATOR in quote else []):
        words = [re.escape(w) for w in _squash(part).split(" ") if w]
        match = re.search(r"\s+".join(words), passage) if words else None
        if match:
            spans.append(match.span())
            if part is quote:
                break
    out, at = [], 0
    for start, end in sorted(spans):
        if start < at:
            continue
        out.append(html.escape(passage[at:start]) + f'<mark class="quote">{html.escape(passage[start:end])}</mark>')
        at = end
    return "".join(out) + html.escape(passage[at:])


def answer_html(answer: Answer) -> str:
    """Return the answer text as HTML with sentences the citation check could not back visibly marked."""
    flagged = {s.strip() for s in answer.unsupported if s.strip()}  # the check lists them without their markers
    text = html.escape(answer.text)
    for sentence in sorted(set(split_sentences(answer.text)), key=len, reverse=True):
        if sentence in flagged or strip_markers(sentence) in flagged:
            escaped = html.escape(sentence)
            text = text.replace(escaped, f'<span class="unsupported" title="{UNSUPPORTED_TITLE}">{escaped}</span>', 1)
    return text.replace("\n", "<br>")


def where(chunk: Chunk, doc: DocumentInfo | None = None) -> str:
    """Return 'Title · kommune · year · s. N' for a passage."""
    kommuner = (doc.kommuner if doc else None) or chunk.meta.get("kommuner") or []
    year = (doc.year if doc else None) or chunk.year
    parts = [chunk.title or chunk.source, ", ".join(kommuner[:3]), str(year or ""), f"s. {chunk.page}" if chunk.page else ""]
    return " · ".join(p for p in parts if p)


def citation_heading(citation: Citation, doc: DocumentInfo | None = None) -> str:
    """Return the one-line heading of a citation: its number and where the passage is."""
    flag = "" if citation.supported else " ⚠ ikke bekreftet"
    return f"[{citation.n}] {where(citation.chunk, doc)}{flag}"


def snippet(text: str, limit: int = 220) -> str:
    """Return the start of a passage, cut at a word boundary."""
    text = _squash(text)
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def published_pdf(doc: DocumentInfo, page: int | None) -> str | None:
    """Return a link that opens the document's PDF at the page, or None when it is no PDF or the file is gone.

    Nothing is copied: the link names a token for the original file where the store recorded it (the corpus
    folder, or the data dir's uploads), and ui/server.py serves it from there. The token is a hash of the
    file's path and content, so the links of two data dirs never meet, and only files some page has cited
    in this process are served.
    """
    original = doc.file()
    if not doc.is_pdf or original is None or not doc.content_hash:
        return None
    path = original.resolve()
    token = hashlib.sha256(f"{path}\n{doc.content_hash}".encode()).hexdigest()[:32]
    _PUBLISHED[token] = path
    return f"{DOCUMENT_ROUTE}/{token}.pdf" + (f"#page={page}" if page else "")


def published_file(name: str) -> Path | None:
    """Return the original file behind a published name ('<token>.pdf'), or None when unknown or gone."""
    path = _PUBLISHED.get(name.removesuffix(".pdf"))
    return path if path is not None and path.is_file() else None
