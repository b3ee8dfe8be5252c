"""Tests for ingest.load on real files written to tmp_path (PDF, text, Markdown, HTML) and on the corpus."""

from __future__ import annotations

import hashlib
import logging
import unicodedata
from pathlib import Path

import pytest

from assistant.core.files import file_sha256
from ingest.load import SUPPORTED_SUFFIXES, LoadError, load_document
from tests.pdfs import write_corrupt_pdf, write_encrypted_pdf, write_pdf

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
CORPUS_PDF = CORPUS / "trondheim-samfunnsplan-orientering-2022.pdf"


def _reason(path: Path) -> str:
    """Return the LoadError reason for loading ``path`` (fails the test if it loads)."""
    with pytest.raises(LoadError) as info:
        load_document(path, path.name)
    assert path.name in str(info.value)
    assert info.value.reason in str(info.value)
    return info.value.reason


# ---------------------------------------------------------------- PDF


def test_pdf_pages_keep_true_numbers_and_text(tmp_path: Path) -> None:
    path = write_pdf(
        tmp_path / "rapport.pdf",
        ["Første side om bærekraft i Bodø.", "", "Tredje side: «Grønn» omstilling – æøå ÆØÅ."],
        title="Bærekraftsrapport Bodø 2024",
    )
    doc = load_document(path, "kommuner/rapport.pdf")
    assert [p.number for p in doc.pages] == [1, 3]
    assert "Første side om bærekraft i Bodø." in doc.pages[0].text
    assert "Tredje side: «Grønn» omstilling – æøå ÆØÅ." in doc.pages[1].text
    assert doc.title == "Bærekraftsrapport Bodø 2024"
    assert doc.source == "kommuner/rapport.pdf"
    assert doc.path == path
    assert doc.meta == {} and doc.hidden_chars == 0
    assert doc.content_hash == hashlib.sha256(path.read_bytes()).hexdigest()


def test_pdf_without_metadata_title_uses_first_heading_like_line(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "uten-tittel.pdf", ["Klimaplan for Frøya\nKommunen skal kutte utslipp."])
    assert load_document(path, "uten-tittel.pdf").title == "Klimaplan for Frøya"


def test_pdf_office_junk_metadata_title_is_ignored(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "junk.pdf", ["Klimabudsjett 2025\nTekst."], title="Microsoft Word - klima_v3.docx")
    assert load_document(path, "junk.pdf").title == "Klimabudsjett 2025"


def test_pdf_title_falls_back_to_file_stem(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "notat-2023.pdf", ["Dette er en hel setning som ikke er en tittel."])
    assert load_document(path, "notat-2023.pdf").title == "notat-2023"


def test_corrupt_pdf(tmp_path: Path) -> None:
    assert _reason(write_corrupt_pdf(tmp_path / "ødelagt.pdf")).startswith("ødelagt PDF")


def test_corrupt_pdf_prints_no_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _reason(write_corrupt_pdf(tmp_path / "brukket.pdf"))
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err


def test_encrypted_pdf_needs_password(tmp_path: Path) -> None:
    path = write_encrypted_pdf(tmp_path / "låst.pdf", ["Hemmelig budsjett"])
    assert _reason(path) == "kryptert PDF (krever passord)"


def test_encrypted_pdf_with_empty_password_is_read(tmp_path: Path) -> None:
    path = write_encrypted_pdf(tmp_path / "åpen.pdf", ["Åpen tekst om klimatiltak"], user_password="")
    doc = load_document(path, "åpen.pdf")
    assert [p.number for p in doc.pages] == [1]
    assert "Åpen tekst om klimatiltak" in doc.pages[0].text


def test_pdf_without_text(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "skannet.pdf", ["", ""])
    assert _reason(path) == "ingen uttrekkbar tekst (skannet PDF?)"


def test_empty_and_whitespace_only_files(tmp_path: Path) -> None:
    empty = tmp_path / "tom.pdf"
    empty.write_bytes(b"")
    blank = tmp_path / "blank.txt"
    blank.write_bytes(b"  \n\t\r\n  ")
    blank_pdf = tmp_path / "blank.pdf"
    blank_pdf.write_bytes(b"\n \n")
    bom_only = tmp_path / "bom.md"
    bom_only.write_bytes(b"\xef\xbb\xbf \n")
    assert _reason(empty) == "tom fil"
    assert _reason(blank) == "tom fil"
    assert _reason(blank_pdf) == "tom fil"
    assert _reason(bom_only) == "tom fil"


def test_unsupported_suffix(tmp_path: Path) -> None:
    path = tmp_path / "referat.docx"
    path.write_bytes(b"PK\x03\x04 not really a docx")
    assert _reason(path) == "filtypen støttes ikke (.docx)"
    assert ".docx" not in SUPPORTED_SUFFIXES
    assert {".pdf", ".txt", ".md", ".html", ".htm"} == SUPPORTED_SUFFIXES


def test_corpus_pdf_loads_with_pages_and_norwegian_letters() -> None:
    doc = load_document(CORPUS_PDF, CORPUS_PDF.name)
    assert len(doc.pages) >= 12
    assert [p.number for p in doc.pages] == list(range(1, len(doc.pages) + 1))
    assert doc.title == "Orientering om samfunnsplanen – Kommunale råd januar 2022"
    text = "\n".join(p.text for p in doc.pages)
    for word in ("Formålet med orienteringen er å gi rådene:", "Kommunale råd", "Trondheimsløftet", "Årsrapport",
                 "miljømessig", "“The time has passed", "1991–2021"):
        assert word in text
    assert "**" not in text and "[innstilling](#)" not in text
    assert "Se barnehagepanelets innstilling." in text
    assert doc.pages[0].heading_hints == ["TRONDHEIM KOMMUNE"]
    assert "Videre politisk prosess" in doc.pages[-1].heading_hints


# ---------------------------------------------------------------- text files


def test_utf8_text_is_one_unpaged_page(tmp_path: Path) -> None:
    path = tmp_path / "notat.txt"
    path.write_text("Klimaplan for Frøya\r\n\r\nVi skal redusere utslippene.\r\n", encoding="utf-8")
    doc = load_document(path, "notat.txt")
    assert len(doc.pages) == 1
    assert doc.pages[0].number is None
    assert doc.pages[0].text == "Klimaplan for Frøya\n\nVi skal redusere utslippene.\n"
    assert doc.title == "Klimaplan for Frøya"


def test_utf8_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeffÆrlig talt: æøå".encode())
    assert load_document(path, "bom.txt").pages[0].text == "Ærlig talt: æøå"


def test_utf16_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "utf16.txt"
    path.write_bytes("Tromsø kommune – klimabudsjett".encode("utf-16"))
    assert load_document(path, "utf16.txt").pages[0].text == "Tromsø kommune – klimabudsjett"


def test_cp1252_text_is_accepted_with_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "windows.txt"
    path.write_bytes("Bærekraft på Røros – “grønn” økonomi".encode("cp1252"))
    with caplog.at_level(logging.WARNING, logger="ingest.load"):
        doc = load_document(path, "windows.txt")
    assert doc.pages[0].text == "Bærekraft på Røros – “grønn” økonomi"
    assert any("cp1252" in record.getMessage() for record in caplog.records)


def test_binary_with_nul_bytes_as_txt(tmp_path: Path) -> None:
    path = tmp_path / "bilde.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\xff\xfe")
    assert _reason(path) == "ikke dekodbar tekst (binærfil?)"


def test_non_text_bytes_without_nul_are_rejected(tmp_path: Path) -> None:
    path = tmp_path / "rart.txt"
    path.write_bytes(b"abc\x81\x8d\x8f def")  # undefined in cp1252, invalid UTF-8
    assert _reason(path).startswith("ikke dekodbar tekst")


def test_nfd_input_comes_back_nfc(tmp_path: Path) -> None:
    nfd = unicodedata.normalize("NFD", "Tiltak i Ålesund og Bærum: å, ø, é")
    path = tmp_path / "nfd.txt"
    path.write_text(nfd, encoding="utf-8")
    doc = load_document(path, "nfd.txt")
    assert nfd != doc.pages[0].text
    assert doc.pages[0].text == unicodedata.normalize("NFC", nfd)
    assert doc.title == unicodedata.normalize("NFC", nfd)


def test_markdown_headings_become_hints_and_markup_is_removed(tmp_path: Path) -> None:
    path = tmp_path / "plan.md"
    path.write_text(
        "# Klimaplan for Malvik\n\nDette er **viktig** og *haster*, se [rapporten](https://example.org/r.pdf).\n\n"
        "## Tiltak 2024 ##\n\n- Mer sykkel\n- `kode` og __understrek__\n\nUndertittel\n-----------\n\nSlutt.\n",
        encoding="utf-8",
    )
    doc = load_document(path, "plan.md")
    page = doc.pages[0]
    assert page.heading_hints == ["Klimaplan for Malvik", "Tiltak 2024", "Undertittel"]
    assert doc.title == "Klimaplan for Malvik"
    assert "Dette er viktig og haster, se rapporten." in page.text
    assert "#" not in page.text and "**" not in page.text and "](" not in page.text
    assert "- Mer sykkel" in page.text
    assert "kode og understrek" in page.text
    assert "-----" not in page.text
    assert page.text.startswith("Klimaplan for Malvik\n")


# ---------------------------------------------------------------- HTML

HTML = """<!DOCTYPE html>
<html lang="no"><head><meta charset="windows-1252"><title>Bærekraft i  Bodø – Bodø kommune</title>
<style>.x { color: red }</style><script>var hemmelig = "SKRIPTTEKST";</script></head>
<body>
<header><a href="/">Hovedmeny</a></header>
<nav><ul><li>Navigasjonslenke</li></ul></nav>
<div role="navigation">Brødsmulesti</div>
<main>
  <h1>Bærekraft i Bodø</h1>
  <p>Kommunen   jobber med <b>alle</b> bærekraftsmålene.<br>Ny linje i avsnittet.</p>
  <h2>Tiltak</h2>
  <ul><li>Mer sykkel</li><li>Grønn <em>buss</em></li></ul>
  <script>document.write("KROPPSSKRIPT")</script><style>p { margin: 0 }</style>
  <noscript>Slå på JavaScript</noscript>
  <form><label>Søk</label><button>Send</button></form>
  <svg><text>SVG-tekst</text></svg>
  <table><tr><th>År</th><th>Utslipp</th></tr><tr><td>2020</td><td>310</td></tr></table>
</main>
<aside>Relaterte saker</aside>
<footer>Kontakt oss – Postboks 319</footer>
</body></html>"""


def test_html_strips_boilerplate_elements_and_keeps_structure(tmp_path: Path) -> None:
    path = tmp_path / "bodo.html"
    path.write_bytes(HTML.encode("cp1252"))  # declared windows-1252, so æøå must be decoded from it
    doc = load_document(path, "bodo.html")
    text = doc.pages[0].text
    assert doc.pages[0].number is None
    assert doc.title == "Bærekraft i Bodø – Bodø kommune"
    assert doc.pages[0].heading_hints == ["Bærekraft i Bodø", "Tiltak"]
    for gone in ("SKRIPTTEKST", "KROPPSSKRIPT", "margin", "color", "Hovedmeny", "Navigasjonslenke", "Brødsmulesti", "JavaScript", "Søk",
                 "Send", "SVG-tekst", "Relaterte saker", "Kontakt oss"):
        assert gone not in text
    assert "Kommunen jobber med alle bærekraftsmålene.\nNy linje i avsnittet." in text
    assert "• Mer sykkel\n• Grønn buss" in text
    assert "Bærekraft i Bodø\n\nKommunen" in text
    assert "År | Utslipp\n2020 | 310" in text


def test_html_title_from_first_h1_and_utf8_default(tmp_path: Path) -> None:
    path = tmp_path / "side.htm"
    path.write_bytes("<html><body><h1>Grønt skifte i Ålesund</h1><p>Tekst.</p></body></html>".encode())
    doc = load_document(path, "side.htm")
    assert doc.title == "Grønt skifte i Ålesund"
    assert doc.pages[0].text == "Grønt skifte i Ålesund\n\nTekst."


def test_file_sha256(tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    path.write_bytes(b"abc")
    assert file_sha256(path) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


# ---------------------------------------------------------------- the corpus PDF and its generator


# slow: quick cover: the committed PDF is read quick in test_corpus_pdf_loads_with_pages_and_norwegian_letters
@pytest.mark.slow
def test_make_pdf_is_deterministic_and_matches_the_committed_pdf(tmp_path: Path) -> None:
    import subprocess
    import sys

    from pypdf import PdfReader

    script = CORPUS / "_src" / "make_pdf.py"
    outputs = [tmp_path / "a.pdf", tmp_path / "b.pdf"]
    for out in outputs:
        subprocess.run([sys.executable, str(script), "--output", str(out)], check=True, capture_output=True)
    assert outputs[0].read_bytes() == outputs[1].read_bytes()
    fresh, committed = PdfReader(outputs[0]), PdfReader(CORPUS_PDF)
    assert [p.extract_text() for p in fresh.pages] == [p.extract_text() for p in committed.pages]
    assert committed.metadata.author == "Trondheim kommune"
    help_text = subprocess.run([sys.executable, str(script), "--help"], check=True, capture_output=True, text=True)
    assert "--output" in help_text.stdout


# Each case: an HTML body fragment whose text SKJULT must not be indexed; the visible text around it must be.
HIDDEN_CASES = [
    '<p style="display:none">SKJULT</p>',
    '<p style="DISPLAY: NONE">SKJULT</p>',
    '<p style="  display :  none  !important ">SKJULT</p>',
    '<p style="color: red; display:none;">SKJULT</p>',
    '<p style="display:block; display:none">SKJULT</p>',  # the last declaration wins
    '<div style="display:none"><section><p style="display:block">SKJULT</p></section></div>',
    '<div style="display:none"><p style="display:none">SKJULT</p> SKJULT</div>',
    '<div hidden>SKJULT</div>',
    '<div HIDDEN="hidden"><p>SKJULT</p></div>',
    '<div hidden="until-found">SKJULT</div>',
    '<div aria-hidden="true">SKJULT</div>',
    '<div aria-hidden="TRUE"><span>SKJULT</span></div>',
    '<template><p>SKJULT</p></template>',
    '<!-- SKJULT -->',
    '<p>før<!-- SKJULT --></p>',
    '<span style="visibility:hidden">SKJULT</span>',
    '<span style="Visibility : Hidden">SKJULT</span>',
    '<tr style="visibility: collapse"><td>SKJULT</td></tr>',
    '<div style="visibility:hidden"><p>SKJULT <b>SKJULT</b></p></div>',
    '<div style="visibility:hidden"><p style="visibility:hidden">SKJULT</p></div>',
]


@pytest.mark.parametrize("fragment", HIDDEN_CASES)
def test_html_hidden_elements_are_not_indexed(tmp_path: Path, fragment: str) -> None:
    path = tmp_path / "side.html"
    if fragment.startswith("<tr"):  # a table row only parses as one inside a table
        fragment = f"<table><tr><td>Synlig rad</td></tr>{fragment}</table>"
    body = f"<p>Synlig først.</p>{fragment}<p>Synlig sist.</p>"
    path.write_text(f"<html><head><title>Side</title></head><body>{body}</body></html>", encoding="utf-8")
    doc = load_document(path, "side.html")
    text = doc.pages[0].text
    assert "SKJULT" not in text
    assert "Synlig først." in text and "Synlig sist." in text
    # Hidden text is counted for the ingest report; comments, templates and aria-hidden boilerplate are not text a
    # reader was kept from seeing.
    uncounted = "<!--" in fragment or fragment.startswith("<template") or "aria-hidden" in fragment
    assert doc.hidden_chars == (0 if uncounted else fragment.count("SKJULT") * len("SKJULT"))


VISIBLE_CASES = [
    ('<p style="display:block">SYNLIG</p>', "SYNLIG"),
    ('<p style="display: none-ish">SYNLIG</p>', "SYNLIG"),  # not a value that hides
    ('<p style="color:none">SYNLIG</p>', "SYNLIG"),
    ('<p aria-hidden="false">SYNLIG</p>', "SYNLIG"),
    ('<p data-hidden="true">SYNLIG</p>', "SYNLIG"),
    ('<p style="visibility:visible">SYNLIG</p>', "SYNLIG"),
    ('<div style="visibility:hidden">skjult <p style="visibility: visible">SYNLIG</p></div>', "SYNLIG"),
    ('<details><summary>Mer</summary><p>SYNLIG</p></details>', "SYNLIG"),  # a click away: a reader sees it
]


@pytest.mark.parametrize(("fragment", "expected"), VISIBLE_CASES)
def test_html_what_a_reader_sees_is_kept(tmp_path: Path, fragment: str, expected: str) -> None:
    path = tmp_path / "side.html"
    path.write_text(f"<html><body><p>Start.</p>{fragment}</body></html>", encoding="utf-8")
    text = load_document(path, "side.html").pages[0].text
    assert expected in text and "skjult" not in text


def test_html_hidden_headings_give_no_heading_hints(tmp_path: Path) -> None:
    path = tmp_path / "side.html"
    path.write_text('<html><body><h1>Synlig</h1><h2 style="display:none">Skjult</h2>'
                    '<h2 style="visibility:hidden">Usynlig</h2><p>Tekst.</p></body></html>', encoding="utf-8")
    doc = load_document(path, "side.html")
    assert doc.pages[0].heading_hints == ["Synlig"]
