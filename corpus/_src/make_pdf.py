"""Render Trondheim kommune's slide text "Orientering om samfunnsplanen" (januar 2022) as a multi-page PDF.

The source, ``trondheim-samfunnsplan-orientering-2022.md`` beside this script, is the verbatim slide
text of the presentation (seed 004).  This script turns it into
``corpus/trondheim-samfunnsplan-orientering-2022.pdf``, a real paged PDF, so the corpus has a PDF
whose page numbers can be cited:

* one slide group per page; a page starts at each paragraph listed in ``SLIDE_STARTS`` (the slide
  headings, chosen at the big blank-line gaps and topic changes of the source), and the script
  fails if one of them is missing, ambiguous or if a page would overflow;
* Markdown ``**bold**`` is rendered bold, ``[text](url)`` as plain text, ``- `` list items as "• ";
* the core font Helvetica is used with the cp1252 (WinAnsi) encoding, which covers æøå, “ ” ’ – «;
  any character outside cp1252 stops the script with its line number (nothing is silently dropped);
* the output is deterministic: fixed creation date and metadata, so re-running gives identical bytes.

Page numbers in the PDF are ours (slide groups), not those of the original presentation.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_SOURCE = HERE / "trondheim-samfunnsplan-orientering-2022.md"
DEFAULT_OUTPUT = HERE.parent / "trondheim-samfunnsplan-orientering-2022.pdf"

TITLE = "Orientering om samfunnsplanen – Kommunale råd januar 2022"
AUTHOR = "Trondheim kommune"
SUBJECT = "Status og framdrift i arbeidet med ny samfunnsplan (kommuneplanens samfunnsdel) for Trondheim"
CREATION_DATE = datetime(2022, 1, 3, 9, 0, 0, tzinfo=timezone.utc)  # first meeting day (3.–7. januar 2022)

# Paragraphs (markup removed, whitespace collapsed) that open a new page, in source order.
SLIDE_STARTS: tuple[str, ...] = (
    "TRONDHEIM KOMMUNE",
    "Formålet med orienteringen er å gi rådene:",
    "En samfunnsplan for en bærekraftig by",
    "Samfunnsplanens rolle",
    "Planprogram for arbeidet med samfunnsplanen",
    "Sammen skaper vi Trondheim",
    "Fire hovedfaser for medvirkning",
    "Til sammen har vi så langt fått inn",
    "Sammen skaper vi TRONDHEIM",
    "Flere digitale møter med byens næringsliv og utbyggere",
    "Olavsfest - Rådhusparken",
    "Trondheimspanelet",
    "Samlinger for panelet",
    "Barnehagepanelet",
    "Innovasjonscamper",
    "Å planlegge er å omsette kunnskap til handling",
    "Kommunen + byen = sant",
    "Foreløpige retninger på nye samfunns mål",
    "Videre politisk prosess",
)

PAGE_FORMAT = "A4"
ORIENTATION = "landscape"
MARGIN = 18.0  # mm
HEADING_SIZE = 20.0
BODY_SIZES = (13.0, 12.0, 11.0, 10.0, 9.0)  # tried in order until the slide fits on one page
FONT = "Helvetica"
ENCODING = "cp1252"

_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_LIST_ITEM = re.compile(r"^- (.*)$")
_BLANK_LINE_SPLIT = re.compile(r"\n[ \t\u00a0]*\n")


@dataclass
class Slide:
    """One page of the PDF: the slide's heading paragraph and the paragraphs under it."""

    heading: str
    body: list[str] = field(default_factory=list)


def plain(paragraph: str) -> str:
    """Return a paragraph without Markdown markup and with whitespace collapsed (used as a key)."""
    text = _LINK.sub(r"\1", paragraph).replace("**", "")
    return " ".join(text.split())


def paragraphs(source: str) -> list[str]:
    """Return the non-empty paragraphs of the source, lines right-stripped, blank-ish lines dropped."""
    result = []
    for block in _BLANK_LINE_SPLIT.split(source.replace("\r\n", "\n")):
        lines = [line.rstrip() for line in block.split("\n")]
        lines = [line for line in lines if line.strip(" \t\u00a0")]
        if lines:
            result.append("\n".join(lines))
    return result


def group_slides(paras: list[str], starts: tuple[str, ...] = SLIDE_STARTS) -> list[Slide]:
    """Return the slide groups, failing loudly unless every start heading occurs exactly once, in order."""
    keys = [plain(p) for p in paras]
    for start in starts:
        count = keys.count(start)
        if count != 1:
            raise SystemExit(f"make_pdf: slide heading {start!r} found {count} times in the source (want 1)")
    positions = [keys.index(start) for start in starts]
    if positions != sorted(positions) or positions[0] != 0:
        raise SystemExit("make_pdf: SLIDE_STARTS must be in source order and start with the first paragraph")
    slides: list[Slide] = []
    for para, key in zip(paras, keys):
        if key in starts:
            slides.append(Slide(heading=para))
        else:
            slides[-1].body.append(para)
    return slides


def to_markup(text: str) -> str:
    """Return text as fpdf2 markdown: links as plain text, other fpdf2 markers escaped, only ** kept."""
    text = _LINK.sub(r"\1", text)
    for marker in ("__", "~~", "--"):
        text = text.replace(marker, "\\" + "\\".join(marker))
    return text


def fix_list_bold(item: str) -> str:
    """Return a list item whose lone closing ``**`` gets its lost opening marker (the item is bold)."""
    if item.count("**") % 2 == 1 and item.endswith("**"):
        return "**" + item
    return item


def check_encodable(text: str, source: str, where: str) -> None:
    """Fail loudly when ``text`` has a character the core font's cp1252 encoding cannot show."""
    for char in text:
        if char == "\n":
            continue
        try:
            char.encode(ENCODING)
        except UnicodeEncodeError:
            line = next((i for i, ln in enumerate(source.split("\n"), 1) if char in ln), "?")
            raise SystemExit(
                f"make_pdf: {char!r} (U+{ord(char):04X}) in {where} (source line {line}) is not in {ENCODING}; "
                "extend the script (e.g. a Unicode TTF font) instead of dropping it"
            ) from None
        if ord(char) < 32:
            raise SystemExit(f"make_pdf: control character U+{ord(char):04X} in {where} after preprocessing")


def blocks(slide: Slide) -> list[tuple[str, str]]:
    """Return the slide body as (kind, markup) blocks: kind is 'item' for list items, else 'para'."""
    out: list[tuple[str, str]] = []
    for para in slide.body:
        para = para.expandtabs(4)  # the source's table header rows use tabs between columns
        lines = para.split("\n")
        if all(_LIST_ITEM.match(line) for line in lines):
            out.extend(("item", to_markup(fix_list_bold(_LIST_ITEM.match(line).group(1)))) for line in lines)
        else:
            out.append(("para", to_markup(para)))
    for _, markup in out:
        if markup.count("**") % 2:
            raise SystemExit(f"make_pdf: unbalanced ** in {markup!r}")
    return out


def build_pdf(slides: list[Slide], source: str):  # -> fpdf.FPDF
    """Return an fpdf2 document with one page per slide."""
    from fpdf import FPDF

    pdf = FPDF(orientation=ORIENTATION, format=PAGE_FORMAT)
    pdf.core_fonts_encoding = ENCODING
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(False)
    pdf.set_title(TITLE)
    pdf.set_author(AUTHOR)
    pdf.set_subject(SUBJECT)
    pdf.set_lang("nb-NO")
    pdf.set_creator("corpus/_src/make_pdf.py")
    pdf.set_creation_date(CREATION_DATE)
    bottom = pdf.h - MARGIN
    for number, slide in enumerate(slides, 1):
        heading = to_markup(slide.heading.replace("**", ""))
        body = blocks(slide)
        check_encodable(heading, source, f"slide {number} heading")
        for _, markup in body:
            check_encodable(markup.replace("\\", ""), source, f"slide {number}")
        pdf.add_page()
        size = next((s for s in BODY_SIZES if _height(pdf, heading, body, s) <= bottom - MARGIN), None)
        if size is None:
            raise SystemExit(f"make_pdf: slide {number} ({plain(slide.heading)!r}) does not fit on one page")
        pdf.set_xy(MARGIN, MARGIN)
        _render(pdf, heading, body, size)
        if pdf.get_y() > bottom + 0.01 or pdf.page != number:
            raise SystemExit(f"make_pdf: slide {number} overflowed its page")
    return pdf


def _render(pdf, heading: str, body: list[tuple[str, str]], size: float, dry_run: bool = False) -> float:
    """Return the height used by the slide, drawing it unless ``dry_run``."""
    from fpdf.enums import MethodReturnValue

    kwargs = {"dry_run": dry_run, "output": MethodReturnValue.HEIGHT}
    width = pdf.w - 2 * MARGIN
    pdf.set_font(FONT, "B", HEADING_SIZE)
    used = pdf.multi_cell(width, HEADING_SIZE * 0.5, heading, align="L", new_x="LMARGIN", **kwargs)
    used += _gap(pdf, 4.0, dry_run)
    line_h = size * 0.48
    for kind, markup in body:
        pdf.set_font(FONT, "", size)
        if kind == "item":
            pdf.set_x(MARGIN)
            if not dry_run:
                pdf.cell(6, line_h, "•")
            pdf.set_x(MARGIN + 6)
            used += pdf.multi_cell(width - 6, line_h, markup, align="L", markdown=True, new_x="LMARGIN", **kwargs)
            used += _gap(pdf, 1.2, dry_run)
        else:
            used += pdf.multi_cell(width, line_h, markup, align="L", markdown=True, new_x="LMARGIN", **kwargs)
            used += _gap(pdf, 3.0, dry_run)
    return used


def _gap(pdf, height: float, dry_run: bool) -> float:
    """Return ``height`` after moving down by it (unless ``dry_run``)."""
    if not dry_run:
        pdf.ln(height)
    return height


def _height(pdf, heading: str, body: list[tuple[str, str]], size: float) -> float:
    """Return the height the slide needs at body font ``size``."""
    return _render(pdf, heading, body, size, dry_run=True)


def main(argv: list[str] | None = None) -> int:
    """Return 0 after writing the PDF (argparse CLI)."""
    parser = argparse.ArgumentParser(
        description="Render the slide text of Trondheim kommune's 'Orientering om samfunnsplanen' "
        "(Kommunale råd, januar 2022) as a deterministic multi-page PDF (one slide group per page).",
    )
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="slide text (Markdown-ish); default: %(default)s")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="PDF to write; default: %(default)s")
    args = parser.parse_args(argv)

    source = args.source.read_text(encoding="utf-8")
    slides = group_slides(paragraphs(source))
    pdf = build_pdf(slides, source)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    data = bytes(pdf.output())
    args.output.write_bytes(data)
    print(f"wrote {args.output} ({len(slides)} pages, {len(data)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
