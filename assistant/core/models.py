"""The small dataclasses that carry documents and chunks through every pipeline stage."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def as_year(value: Any) -> int | None:
    """Return a stored year as an int, or None when it is missing or not a number ("" and 0 mean unknown)."""
    try:
        return int(value) if value not in (None, "", 0) else None
    except (TypeError, ValueError):
        return None


@dataclass
class Page:
    """One page of a loaded document: PDF pages are 1-based, unpaged formats use ``number=None``."""

    number: int | None
    text: str
    # (character offset into ``text``, heading text), ascending by offset; filled by ingest.clean.
    headings: list[tuple[int, str]] = field(default_factory=list)
    # Heading texts the loader knows from markup (HTML <h1>-<h6>, Markdown '#'); used by ingest.clean.
    heading_hints: list[str] = field(default_factory=list)


@dataclass
class Document:
    """A loaded file: its pages kept apart, its title, and document-level metadata."""

    source: str  # path relative to the ingest root, POSIX separators (e.g. "trondheim/fn-senteret.txt")
    path: Path
    title: str
    pages: list[Page]
    content_hash: str  # sha256 of the file's bytes
    meta: dict[str, Any] = field(default_factory=dict)
    hidden_chars: int = 0  # characters (white space not counted) of text a reader never sees, left out by the loader


@dataclass
class Chunk:
    """A passage of a document: the unit that is embedded, stored, retrieved and cited."""

    id: str
    text: str
    source: str
    title: str
    page: int | None
    heading: str
    start: int  # character span inside the page text (after cleaning)
    end: int
    meta: dict[str, Any] = field(default_factory=dict)
    score: float = 0.0

    @property
    def kommune(self) -> str:
        """Return the primary kommune name of the chunk's document, or ''."""
        return str(self.meta.get("kommune", ""))

    @property
    def year(self) -> int | None:
        """Return the document year, if known."""
        return as_year(self.meta.get("year"))

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form of the passage (as `search --json` prints it)."""
        return {
            "text": self.text,
            "source": self.source,
            "title": self.title,
            "page": self.page,
            "heading": self.heading,
            "kommune": self.kommune,
            "kommuner": list(self.meta.get("kommuner", [])),
            "year": self.year,
            "doc_type": self.meta.get("doc_type", ""),
            "score": round(self.score, 6),
        }


class InPassage:
    """Where something taken from a passage stands: its file and page (for Evidence and Citation)."""

    chunk: Chunk

    @property
    def source(self) -> str:
        """Return the file it stands in."""
        return self.chunk.source

    @property
    def page(self) -> int | None:
        """Return the page it stands on (None for unpaged files)."""
        return self.chunk.page


@dataclass
class Evidence(InPassage):
    """One sentence of a retrieved passage: the unit the readers quote, cite and are checked against.

    Bullet lines and "Label: value" lines count as sentences; `context` is the heading or lead-in line
    they belong to (shown with them, and read by the support score at half weight).
    """

    id: int  # 1-based number the reader cites (unique within one answer)
    text: str
    chunk: Chunk
    position: int  # index of the sentence within its passage
    context: str = ""  # the heading or the lead-in line ("Kontakt:", "Tiltak:") the sentence belongs to
    support: float = 0.0  # how well it answers the question (assistant.answering.support)
    before: str = ""  # the sentence just before it in the passage (an answer often follows the sentence asked about)
    items: int = 0  # a list read as one unit (bullet lines or "Label: value" lines under one lead-in): how many

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form of the sentence: its number, text, where it stands and its support score."""
        return {
            "id": self.id,
            "text": self.text,
            "source": self.source,
            "title": self.chunk.title,
            "page": self.page,
            "context": self.context,
            "support": round(self.support, 4),
            "items": self.items,
        }


@dataclass
class Citation(InPassage):
    """A numbered reference in an answer: the passage it points at and the sentence that supports the claim."""

    n: int
    chunk: Chunk
    quote: str  # the sentence of the passage that best supports the cited claim
    supported: bool = True  # False when the citing sentence is not backed by the passage

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form of the citation: its number, the passage's place and text, the quote."""
        return {
            "n": self.n,
            "source": self.source,
            "title": self.chunk.title,
            "page": self.page,
            "text": self.chunk.text,
            "quote": self.quote,
            "supported": self.supported,
        }


@dataclass
class Answer:
    """What the assistant says to a question, with its evidence and how long each step took."""

    question: str
    text: str
    citations: list[Citation]
    refused: bool
    backend: str
    passages: list[Chunk]  # what retrieval returned, best first ("Det nærmeste jeg fant" on refusal)
    language: str = "nb"  # nb, nn or en: the written standard of the question and the answer
    standalone_question: str = ""  # the question after follow-up rewriting
    unsupported: list[str] = field(default_factory=list)  # answer sentences the citation check could not back
    timings: dict[str, float] = field(default_factory=dict)  # seconds: retrieval, first_token, total
    notes: list[str] = field(default_factory=list)  # about this answer: the model failed, or quoting stood in
    translation: str = ""  # how the text got into the asker's standard, e.g. machine-translated to nynorsk
    evidence: list[Evidence] = field(default_factory=list)  # the numbered sentences the reader was shown

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form of the answer, the one `ask --json`, the evaluation rows and feedback share."""
        return {
            "question": self.question,
            "answer": self.text,
            "refused": bool(self.refused),
            "backend": self.backend,
            "language": self.language,
            "standalone_question": self.standalone_question,
            "citations": [c.to_dict() for c in self.citations],
            "unsupported": list(self.unsupported),
            "retrieved": [p.to_dict() for p in self.passages],
            "timings": {k: round(v, 4) for k, v in self.timings.items()},
            "notes": list(self.notes),
            "translation": self.translation,
            "evidence": [e.to_dict() for e in self.evidence],
        }
