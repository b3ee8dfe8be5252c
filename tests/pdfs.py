"""Real PDF files for tests, made with fpdf2: plain, encrypted and corrupt."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path


def _document(pages: list[str], title: str | None = None):  # -> fpdf.FPDF
    """Return an fpdf2 document with one page per string (core Helvetica, cp1252 so æøå and “ ” – work)."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.core_fonts_encoding = "cp1252"
    pdf.set_creation_date(datetime(2024, 1, 1, tzinfo=timezone.utc))
    if title is not None:
        pdf.set_title(title)
    pdf.set_font("Helvetica", size=12)
    for text in pages:
        pdf.add_page()
        if text:
            pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
    return pdf


def write_pdf(path: Path, pages: list[str], title: str | None = None) -> Path:
    """Return ``path`` after writing a PDF with one page per string ('' gives a page without text)."""
    path = Path(path)
    path.write_bytes(bytes(_document(pages, title).output()))
    return path


def write_encrypted_pdf(path: Path, pages: list[str], user_password: str = "hemmelig") -> Path:
    """Return ``path`` after writing an AES-128 encrypted PDF that needs ``user_password`` to open."""
    from fpdf.enums import EncryptionMethod

    pdf = _document(pages)
    pdf.set_encryption(
        owner_password="eier-" + user_password,
        user_password=user_password,
        encryption_method=EncryptionMethod.AES_128,
    )
    path = Path(path)
    path.write_bytes(bytes(pdf.output()))
    return path


def write_corrupt_pdf(path: Path) -> Path:
    """Return ``path`` after writing a real PDF cut short and garbled, so that pypdf cannot read it."""
    data = bytes(_document(["Denne teksten skal ingen få lese."]).output())
    head = data[:9]  # "%PDF-1.x\n": still looks like a PDF
    garbled = bytes((b * 7 + 13) % 256 for b in data[9 : len(data) // 2])
    path = Path(path)
    path.write_bytes(head + garbled)
    return path
