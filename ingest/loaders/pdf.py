"""PDF: the text of each page that a reader can see (pypdf), page numbers kept true, headings hinted by size."""

from __future__ import annotations

import io
import re
from collections import Counter
from pathlib import Path

from assistant.core.models import Page
from ingest.loaders.base import MAX_TITLE_CHARS, LoadError, Loaded, count_chars, first_heading_like_line, log, short
from ingest.loaders.pdf_hidden import HiddenTextBlanker

# A PDF line whose font is this much larger than the document's body text is a heading hint.
PDF_HEADING_RATIO = 1.25
# Metadata titles that office tools fill in by themselves: not a title anyone chose.
_JUNK_PDF_TITLE = re.compile(
    r"^(?:(?:microsoft )?(?:word|powerpoint|excel) - .*|untitled.*|uten tittel|dokument\d*|document\d*"
    r"|.*\.(?:docx?|pptx?|xlsx?|pdf|indd|odt|rtf))$",
    re.IGNORECASE,
)


def load_pdf(path: Path, data: bytes) -> Loaded:
    """Return the title and text pages of a PDF; pages without text are left out, numbers stay true."""
    from pypdf import PasswordType, PdfReader
    from pypdf.errors import DependencyError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise LoadError(path, "kryptert PDF (krever passord)")
        n_pages = len(reader.pages)
    except LoadError:
        raise
    except DependencyError as exc:
        raise LoadError(path, f"kryptert PDF (mangler støtte for krypteringen: {exc})") from exc
    except Exception as exc:  # pypdf raises many kinds on broken files; all mean the same to the user
        raise LoadError(path, f"ødelagt PDF ({short(exc)})") from exc

    pages: list[Page] = []
    lines_by_page: list[list[tuple[str, float]]] = []
    failures: list[str] = []
    hidden_chars = 0
    for index in range(n_pages):
        lines: list[tuple[str, float]] = []
        try:
            text, hidden = _page_text(reader.pages[index], lines)
        except Exception as exc:
            failures.append(f"side {index + 1}: {short(exc)}")
            log.warning("%s: kunne ikke hente tekst fra side %d: %s", path.name, index + 1, short(exc))
            continue
        hidden_chars += hidden
        if text.strip():
            pages.append(Page(number=index + 1, text=text))
            lines_by_page.append(lines)
    if not pages:
        if failures:
            raise LoadError(path, f"ødelagt PDF ({failures[0]})")
        if hidden_chars:
            raise LoadError(path, f"ingen synlig tekst (all tekst er skjult for leseren: {hidden_chars} tegn)")
        raise LoadError(path, "ingen uttrekkbar tekst (skannet PDF?)")

    for page, hints in zip(pages, _pdf_heading_hints(lines_by_page)):
        page.heading_hints = hints
    title = _pdf_metadata_title(reader)
    if not title:
        first_hints = next((p.heading_hints for p in pages if p.heading_hints), [])
        title = (first_hints[0] if first_hints and len(first_hints[0]) <= MAX_TITLE_CHARS else "")
    title = title or first_heading_like_line(pages[0].text) or path.stem
    return Loaded(title, pages, hidden_chars)


def _page_text(page, lines: list[tuple[str, float]]) -> tuple[str, int]:  # page: pypdf PageObject
    """Return the visible text of a page and how many characters of hidden text were left out.

    `lines` receives the visible (line, font size) pairs for heading hints.
    """
    box = page.cropbox
    resources = page.get("/Resources")
    resources = resources.get_object() if resources is not None else None
    xobjects = resources.get("/XObject") if resources is not None else None
    blanker = HiddenTextBlanker(
        (float(box.left), float(box.bottom), float(box.right), float(box.top)),
        xobjects.get_object() if xobjects is not None else None,
    )
    text = page.extract_text(visitor_operand_before=blanker, visitor_operand_after=blanker.after,
                             visitor_text=_LineCollector(lines)) or ""
    if not blanker.blanked:
        return text, 0
    everything = page.extract_text() or ""  # read again unfiltered, only to count what was left out
    return text, max(0, count_chars(everything) - count_chars(text))


def _pdf_metadata_title(reader) -> str:
    """Return the PDF's metadata title, or '' when it has none (or it is unreadable)."""
    try:
        meta = reader.metadata
        title = meta.title if meta else None
    except Exception:  # broken metadata must not cost us the text
        return ""
    title = " ".join(str(title).split()) if title else ""
    return "" if _JUNK_PDF_TITLE.match(title) else title


class _LineCollector:
    """pypdf text visitor that gathers (line text, font size) pairs, one per baseline."""

    def __init__(self, lines: list[tuple[str, float]]) -> None:
        self.lines = lines
        self._y: float | None = None

    def __call__(self, text: str, cm: list[float], tm: list[float], font_dict, font_size: float) -> None:
        """Record a text run: a new baseline starts a new line; the line keeps its largest font size."""
        if not text:
            return
        # Combined text-to-device matrix: only its vertical scale and baseline are needed.
        d = tm[2] * cm[1] + tm[3] * cm[3]
        c = tm[2] * cm[0] + tm[3] * cm[2]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        size = abs(font_size) * ((c * c + d * d) ** 0.5 or 1.0)
        for i, piece in enumerate(text.split("\n")):
            new_line = i > 0 or self._y is None or abs(y - self._y) > 1.0 or not self.lines
            if new_line:
                self.lines.append(("", 0.0))
            line, line_size = self.lines[-1]
            self.lines[-1] = (line + piece, max(line_size, size) if piece.strip() else line_size)
        self._y = y


def _pdf_heading_hints(lines_by_page: list[list[tuple[str, float]]]) -> list[list[str]]:
    """Return per page the texts set clearly larger than the document's body font (consecutive lines joined)."""
    weight: Counter[float] = Counter()
    for lines in lines_by_page:
        for text, size in lines:
            if size > 0:
                weight[round(size, 1)] += len(text.strip())
    if not weight:
        return [[] for _ in lines_by_page]
    body = weight.most_common(1)[0][0]
    result: list[list[str]] = []
    for lines in lines_by_page:
        hints: list[str] = []
        run: list[str] = []
        for text, size in [*lines, ("", 0.0)]:
            text = " ".join(text.split())
            if not text:
                continue
            if size >= body * PDF_HEADING_RATIO:
                run.append(text)
                continue
            if run:
                joined = " ".join(run)
                if len(joined) <= MAX_TITLE_CHARS and any(ch.isalpha() for ch in joined):
                    hints.append(joined)
                run = []
        result.append(hints)
    return result
