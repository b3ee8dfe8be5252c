"""PDF text a reader cannot see is not ingested, and how much was left out is counted (issue 19).

Every PDF is made here with fpdf2 and read by the real loader: "6 prosent" and "to skoler" are printed visibly,
"88 prosent og 412 skoler" is drawn so that no one sees it (white on white, invisible render mode, 1 pt, ...).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import pytest

from ingest.load import LoadError, load_document
from ingest.loaders.base import count_chars
from ingest.loaders.pdf_hidden import device_colour, same_colour

CORPUS_PDF = Path(__file__).resolve().parents[2] / "corpus" / "trondheim-samfunnsplan-orientering-2022.pdf"
BEFORE, AFTER = "Synlig: 6 prosent.", "Synlig: to skoler."
HIDDEN = "88 prosent og 412 skoler"


def _pdf():  # -> fpdf.FPDF with one A4 page, Helvetica 12 pt
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.core_fonts_encoding = "cp1252"
    pdf.set_creation_date(datetime(2024, 1, 1, tzinfo=timezone.utc))
    pdf.set_font("Helvetica", size=12)
    pdf.add_page()
    return pdf


def _line(pdf, text: str) -> None:
    """Write one line of text at the cursor and move to the next line."""
    pdf.cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")


def _image(colour: tuple[int, int, int]) -> io.BytesIO:
    """Return a small PNG of one colour."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(buffer, format="PNG")
    buffer.seek(0)
    return buffer


def _small(size: float) -> Callable:
    def draw(pdf) -> None:
        pdf.set_font_size(size)
        _line(pdf, HIDDEN)
        pdf.set_font_size(12)
    return draw


def _coloured(colour) -> Callable:
    def draw(pdf) -> None:
        with pdf.local_context(text_color=colour):
            _line(pdf, HIDDEN)
    return draw


def _mode(mode: str) -> Callable:
    def draw(pdf) -> None:
        with pdf.local_context(text_mode=mode):
            _line(pdf, HIDDEN)
    return draw


def _on_box(box: tuple[int, int, int], text: tuple[int, int, int], *, then_white_box: bool = False) -> Callable:
    def draw(pdf) -> None:
        y = pdf.get_y()
        with pdf.local_context(fill_color=box):
            pdf.rect(10, y, 120, 10, style="F")
        if then_white_box:
            with pdf.local_context(fill_color=(255, 255, 255)):
                pdf.rect(10, y, 120, 10, style="F")
        with pdf.local_context(text_color=text):
            pdf.text(14, y + 7, HIDDEN)
        pdf.set_y(y + 12)
    return draw


def _at(x: float, y: float) -> Callable:
    def draw(pdf) -> None:
        pdf.text(x, y, HIDDEN)
    return draw


def _hidden_in_a_run(pdf) -> None:
    """Visible and white text in one line: pypdf would read them together, the white part must still go."""
    pdf.write(8, "Synlig start ")
    with pdf.local_context(text_color=(255, 255, 255)):
        pdf.write(8, HIDDEN)
    pdf.write(8, " synlig slutt")
    pdf.ln(10)


HIDDEN_CASES = {
    "white RGB (1 1 1 rg)": _coloured((255, 255, 255)),
    "white grey (1 g)": _coloured(255),
    "white CMYK (0 0 0 0 k)": "cmyk",
    "almost white": _coloured((250, 250, 250)),
    "invisible render mode (3 Tr)": _mode("INVISIBLE"),
    "clip-only render mode (7 Tr)": _mode("CLIP"),
    "1 pt": _small(1),
    "3.5 pt": _small(3.5),
    "below the page": _at(20, 400),
    "right of the page": _at(240, 100),
    "far left of the page": _at(-600, 100),
    "green on a green box": _on_box((0, 80, 40), (0, 80, 40)),
    "white on a white box over a dark one": _on_box((0, 80, 40), (255, 255, 255), then_white_box=True),
    "white inside a visible line": _hidden_in_a_run,
}


def _draw_cmyk(pdf) -> None:
    from fpdf.drawing import DeviceCMYK

    with pdf.local_context(text_color=DeviceCMYK(0, 0, 0, 0)):
        _line(pdf, HIDDEN)


def _write(path: Path, draw: Callable | str) -> Path:
    """Return `path` after writing a page with the visible lines around what `draw` draws."""
    pdf = _pdf()
    _line(pdf, BEFORE)
    (draw if callable(draw) else _draw_cmyk)(pdf)
    _line(pdf, AFTER)
    path.write_bytes(bytes(pdf.output()))
    return path


@pytest.mark.parametrize("draw", list(HIDDEN_CASES.values()), ids=list(HIDDEN_CASES))
def test_text_a_reader_cannot_see_is_not_ingested(tmp_path: Path, draw: Callable | str) -> None:
    path = _write(tmp_path / "rapport.pdf", draw)
    from pypdf import PdfReader

    assert "412 skoler" in PdfReader(path).pages[0].extract_text()  # pypdf on its own reads it
    doc = load_document(path, "rapport.pdf")
    text = doc.pages[0].text
    assert "88" not in text and "412" not in text, text
    assert BEFORE in text and AFTER in text
    assert doc.hidden_chars == count_chars(HIDDEN) == 20


def test_visible_text_in_the_same_line_as_hidden_text_stays(tmp_path: Path) -> None:
    text = load_document(_write(tmp_path / "rapport.pdf", _hidden_in_a_run), "rapport.pdf").pages[0].text
    assert "Synlig start" in text and "synlig slutt" in text


def _on_image(pdf) -> None:
    y = pdf.get_y()
    pdf.image(_image((0, 60, 30)), x=10, y=y, w=120, h=10)
    with pdf.local_context(text_color=(255, 255, 255)):
        pdf.text(14, y + 7, HIDDEN)
    pdf.set_y(y + 12)


SHOWN_CASES = {
    "white on a dark green box": _on_box((0, 80, 40), (255, 255, 255)),
    "black on a white box": _on_box((255, 255, 255), (0, 0, 0)),
    "white on a photo": _on_image,
    "light grey": _coloured((200, 200, 200)),
    "4.5 pt": _small(4.5),
    "outlined (stroke render mode)": _mode("STROKE"),
    "large": _small(28),
}


@pytest.mark.parametrize("draw", list(SHOWN_CASES.values()), ids=list(SHOWN_CASES))
def test_text_a_reader_sees_is_kept(tmp_path: Path, draw: Callable) -> None:
    doc = load_document(_write(tmp_path / "rapport.pdf", draw), "rapport.pdf")
    text = doc.pages[0].text
    assert HIDDEN in " ".join(text.split()) and BEFORE in text and AFTER in text
    assert doc.hidden_chars == 0


def test_the_issue_figures(tmp_path: Path) -> None:
    pdf = _pdf()
    _line(pdf, "Andelen fornybar energi økte med 6 prosent.")
    with pdf.local_context(text_color=(255, 255, 255)):
        _line(pdf, "Andelen fornybar energi økte med 88 prosent.")
    _line(pdf, "Kommunen bygde solceller på to skoler.")
    pdf.set_font_size(1)
    _line(pdf, "Kommunen bygde solceller på 412 skoler.")
    pdf.set_font_size(12)
    path = tmp_path / "energi.pdf"
    path.write_bytes(bytes(pdf.output()))
    doc = load_document(path, "energi.pdf")
    assert doc.pages[0].text.strip().split("\n") == ["Andelen fornybar energi økte med 6 prosent.",
                                             "Kommunen bygde solceller på to skoler."]
    assert doc.hidden_chars == count_chars("Andelen fornybar energi økte med 88 prosent.") + count_chars(
        "Kommunen bygde solceller på 412 skoler.")


def test_a_hidden_large_line_is_no_heading_hint(tmp_path: Path) -> None:
    pdf = _pdf()
    pdf.set_font_size(24)
    _line(pdf, "Klimaplan for Frøya")
    with pdf.local_context(text_color=(255, 255, 255)):
        _line(pdf, "Falsk overskrift")
    pdf.set_font_size(12)
    for n in range(6):
        _line(pdf, f"Brødtekst linje {n} om utslipp og energi i kommunen.")
    path = tmp_path / "plan.pdf"
    path.write_bytes(bytes(pdf.output()))
    doc = load_document(path, "plan.pdf")
    assert doc.pages[0].heading_hints == ["Klimaplan for Frøya"] and doc.title == "Klimaplan for Frøya"


def test_a_page_with_only_hidden_text_is_left_out_and_numbers_stay_true(tmp_path: Path) -> None:
    pdf = _pdf()
    _line(pdf, "Side en.")
    pdf.add_page()
    with pdf.local_context(text_mode="INVISIBLE"):
        _line(pdf, HIDDEN)
    pdf.add_page()
    _line(pdf, "Side tre.")
    path = tmp_path / "tre.pdf"
    path.write_bytes(bytes(pdf.output()))
    doc = load_document(path, "tre.pdf")
    assert [(p.number, p.text) for p in doc.pages] == [(1, "Side en."), (3, "Side tre.")]
    assert doc.hidden_chars == 20


def test_a_pdf_whose_text_is_all_hidden_says_so(tmp_path: Path) -> None:
    pdf = _pdf()
    with pdf.local_context(text_color=(255, 255, 255)):
        _line(pdf, HIDDEN)
    path = tmp_path / "hvit.pdf"
    path.write_bytes(bytes(pdf.output()))
    with pytest.raises(LoadError) as info:
        load_document(path, "hvit.pdf")
    assert "skjult" in info.value.reason and "20 tegn" in info.value.reason


def test_the_corpus_pdf_loses_nothing(tmp_path: Path) -> None:
    from pypdf import PdfReader

    doc = load_document(CORPUS_PDF, CORPUS_PDF.name)
    plain = [" ".join((page.extract_text() or "").split()) for page in PdfReader(CORPUS_PDF).pages]
    assert doc.hidden_chars == 0
    assert [" ".join(p.text.split()) for p in doc.pages] == [plain[p.number - 1] for p in doc.pages]


@pytest.mark.parametrize(("values", "space", "expected"), [
    ([1], "", (1.0, 1.0, 1.0)), ([0.5, 0.25, 0], "", (0.5, 0.25, 0.0)), ([0, 0, 0, 0], "", (1.0, 1.0, 1.0)),
    ([0, 0, 0, 1], "", (0.0, 0.0, 0.0)), ([1], "/CS0", None), (["/P1"], "/Pattern", None), ([0.2, 0.3], "", None),
])
def test_device_colours(values: list, space: str, expected) -> None:
    assert device_colour(values, space) == expected


def test_same_colour_needs_two_known_colours_within_tolerance() -> None:
    assert same_colour((1.0, 1.0, 1.0), (0.97, 0.97, 0.97))
    assert not same_colour((1.0, 1.0, 1.0), (0.8, 0.8, 0.8))
    assert not same_colour(None, (1.0, 1.0, 1.0)) and not same_colour((1.0, 1.0, 1.0), None)


def _form_pdf(path: Path, page_ops: bytes, forms: dict[str, tuple[bytes, list[float]]]) -> Path:
    """Return `path` after writing (with pypdf) a one-page PDF whose content calls form XObjects by name."""
    from pypdf import PdfWriter
    from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, FloatObject, NameObject

    def name(text: str) -> NameObject:
        return NameObject(text)

    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    font = DictionaryObject({name("/Type"): name("/Font"), name("/Subtype"): name("/Type1"),
                             name("/BaseFont"): name("/Helvetica"), name("/Encoding"): name("/WinAnsiEncoding")})
    fonts = DictionaryObject({name("/F1"): writer._add_object(font)})
    xobjects = DictionaryObject()
    for form_name, (ops, matrix) in forms.items():
        form = DecodedStreamObject()
        form.set_data(ops)
        form.update({name("/Type"): name("/XObject"), name("/Subtype"): name("/Form"),
                     name("/BBox"): ArrayObject([FloatObject(v) for v in (0, 0, 595, 842)]),
                     name("/Matrix"): ArrayObject([FloatObject(v) for v in matrix]),
                     name("/Resources"): DictionaryObject({name("/Font"): fonts})})
        xobjects[name("/" + form_name)] = writer._add_object(form)
    page[name("/Resources")] = DictionaryObject({name("/Font"): fonts, name("/XObject"): xobjects})
    content = DecodedStreamObject()
    content.set_data(page_ops)
    page[name("/Contents")] = writer._add_object(content)
    with path.open("wb") as out:
        writer.write(out)
    return path


def test_text_in_form_xobjects_is_judged_where_it_lands_on_the_page(tmp_path: Path) -> None:
    path = _form_pdf(
        tmp_path / "skjema.pdf",
        b"BT /F1 12 Tf 50 800 Td (Synlig: 6 prosent.) Tj ET\n"
        b"0 0.3 0.15 rg 300 400 200 50 re f\n"  # a dark green box on the page
        b"q 1 0 0 1 300 400 cm /Fa Do Q\n"  # white text placed on the box: seen
        b"q 1 0 0 1 50 600 cm /Fb Do Q\n"  # white text placed on the white page: not seen
        b"/Fc Do\n"  # black text the form's /Matrix shrinks to 1.2 pt: not seen
        b"BT /F1 12 Tf 50 100 Td (Synlig: to skoler.) Tj ET\n",
        {"Fa": (b"1 1 1 rg BT /F1 12 Tf 10 20 Td (Hvit i skjema) Tj ET", [1, 0, 0, 1, 0, 0]),
         "Fb": (b"1 1 1 rg BT /F1 12 Tf 10 20 Td (88 prosent) Tj ET", [1, 0, 0, 1, 0, 0]),
         "Fc": (b"0 g BT /F1 12 Tf 500 3000 Td (412 skoler) Tj ET", [0.1, 0, 0, 0.1, 0, 0])},
    )
    doc = load_document(path, "skjema.pdf")
    assert doc.pages[0].text.split("\n") == ["Synlig: 6 prosent.", "Hvit i skjema", "Synlig: to skoler."]
    assert doc.hidden_chars == count_chars("88 prosent412 skoler")
    after_form = _form_pdf(  # the colour a form sets is gone when it ends (a form is drawn inside q ... Q)
        tmp_path / "etter.pdf",
        b"/Fa Do BT /F1 12 Tf 50 100 Td (Synlig etter skjema.) Tj ET\n",
        {"Fa": (b"1 1 1 rg BT /F1 12 Tf 50 700 Td (88 prosent) Tj ET", [1, 0, 0, 1, 0, 0])},
    )
    assert load_document(after_form, "etter.pdf").pages[0].text.strip() == "Synlig etter skjema."
