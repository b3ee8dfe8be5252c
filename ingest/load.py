"""Loading: one file in, one Document out, its pages kept apart and only text a reader sees kept.

The formats' loaders live in `ingest.loaders` (pypdf for PDF, selectolax and tinycss2 for HTML); this module
chooses one by suffix and makes the Document. Text hidden from a reader (by CSS, or drawn invisibly in a PDF)
is left out, and how much is counted in `Document.hidden_chars`.
"""

from __future__ import annotations

import hashlib
import unicodedata
from pathlib import Path

from assistant.core.models import Document, Page
from ingest.loaders import LOADERS
from ingest.loaders.base import LoadError

__all__ = ["SUPPORTED_SUFFIXES", "LoadError", "load_document"]

SUPPORTED_SUFFIXES: frozenset[str] = frozenset(LOADERS)


def load_document(path: Path, source: str) -> Document:
    """Return the file as a Document: PDF pages with 1-based numbers, other formats as one page."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise LoadError(path, f"filtypen støttes ikke ({suffix or 'ingen filendelse'})")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LoadError(path, f"kan ikke lese filen ({exc.strerror or exc})") from exc
    if not data.strip():
        raise LoadError(path, "tom fil")

    loaded = LOADERS[suffix](path, data)
    pages = [
        Page(number=p.number, text=_nfc(p.text), heading_hints=[_nfc(h) for h in p.heading_hints])
        for p in loaded.pages
    ]
    return Document(
        source=source,
        path=path,
        title=_nfc(" ".join(loaded.title.split())) or path.stem,
        pages=pages,
        content_hash=hashlib.sha256(data).hexdigest(),
        hidden_chars=loaded.hidden_chars,
    )


def _nfc(text: str) -> str:
    """Return text in Unicode NFC."""
    return unicodedata.normalize("NFC", text)
