"""HTML and text for answers and citations: pure functions, so the page code stays small and testable."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.core.text import split_sentences, strip_markers

if TYPE_CHECKING:
    from assistant.core.models import Answer, Chunk, Citation
    from assistant.services.catalog import DocumentInfo

STATIC_DIR = Path(__file__).parent / "static"  # served by Streamlit at app/static/ (server.enableStaticServing)
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
    """Return the passage as HTML with the quote marked (matched across whitespace differences)."""
    if quote:
        words = [re.escape(w) for w in _squash(quote).split(" ")]
        match = re.search(r"\s+".join(words), passage) if words else None
        if match:
            return (
                html.escape(passage[: match.start()])
                + f'<mark class="quote">{html.escape(match.group(0))}</mark>'
                + html.escape(passage[match.end() :])
            )
    return html.escape(passage)


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
    """Return a link that opens the document's PDF at the page (copying it to the static folder once), or None."""
    original = doc.file()
    if not doc.is_pdf or original is None or not doc.content_hash:
        return None
    name = f"{doc.content_hash[:16]}.pdf"
    target = STATIC_DIR / "dokumenter" / name
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".tmp")
        shutil.copyfile(original, tmp)
        tmp.replace(target)
    return f"app/static/dokumenter/{name}" + (f"#page={page}" if page else "")
