"""Tests for ingest.clean: de-hyphenation, whitespace, boilerplate lines and headings, on real seed texts too."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from assistant.core.models import Document, Page
from ingest.clean import clean_document, clean_text, detect_headings, is_boilerplate
from ingest.load import load_document

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
FN_SENTER = CORPUS / "trondheim-11-ting-om-fn-senteret-2022.txt"
STAD = CORPUS / "stad-kortreist-kvalitet-samling-2021.txt"
PDF = CORPUS / "trondheim-samfunnsplan-orientering-2022.pdf"


# ---------------------------------------------------------------- de-hyphenation


def test_word_split_across_lines_is_joined() -> None:
    assert clean_text("Vi jobber med bære-\nkraftsmålene i hele kommunen.") == (
        "Vi jobber med bærekraftsmålene i hele kommunen."
    )


@pytest.mark.parametrize("second", ["og", "eller", "til", "samt", "og/eller"])
def test_suspended_hyphen_is_kept(second: str) -> None:
    assert clean_text(f"Tiltak for klima-\n{second} miljøarbeid.") == f"Tiltak for klima- {second} miljøarbeid."


def test_hyphen_before_uppercase_or_after_space_is_left_alone() -> None:
    assert clean_text("Samarbeid med Nord-\nNorge.") == "Samarbeid med Nord-\nNorge."
    assert clean_text("1. mai -\n31. oktober") == "1. mai -\n31. oktober"


def test_abbreviation_hyphen_keeps_the_hyphen() -> None:
    assert clean_text("det nye FN-\nsenteret") == "det nye FN-senteret"


def test_soft_hyphen_at_line_end_joins() -> None:
    assert clean_text("omstil\u00ad\nling og bære\u00adkraft") == "omstilling og bærekraft"


# ---------------------------------------------------------------- whitespace


def test_whitespace_is_normalised_and_paragraphs_kept() -> None:
    raw = "  Tittel\u00a0her \t \n\n\n\n  Linje en\tmed   tab\nlinje to   \n \t \n\nSiste\u2009avsnitt\n\n"
    assert clean_text(raw) == "Tittel her\n\nLinje en med tab\nlinje to\n\nSiste avsnitt"


def test_clean_text_returns_nfc() -> None:
    nfd = unicodedata.normalize("NFD", "Bærekraft på Åfjord")
    assert clean_text(nfd) == "Bærekraft på Åfjord"
    assert unicodedata.is_normalized("NFC", clean_text(nfd))


# ---------------------------------------------------------------- boilerplate


@pytest.mark.parametrize(
    "line",
    [
        "Se hele presentasjonen her",
        "  Se hele presentasjonen her  ",
        "Se hele presentasjonen til Kristine Dahl fra Stad kommune her",
        "Gå til toppen",
        "arrow_upward",
        "Fant du det du lette etter?",
        "Innhold Created with Sketch.",
        "Bildetekst",
        "Illustrasjon bærekraft",
        "Logo, bærekraft",
        "Del på Facebook",
        "• Del på LinkedIn",
        "Vi bruker informasjonskapsler for å gi deg en bedre opplevelse",
        "Godta alle cookies",
    ],
)
def test_boilerplate_lines(line: str) -> None:
    assert is_boilerplate(line)
    assert clean_text(f"Før.\n{line}\nEtter.") == "Før.\n\nEtter."


@pytest.mark.parametrize(
    "line",
    [
        "Sist oppdatert: 15.11.2022",
        "Se hele presentasjonen her og les rapporten fra samlingen i Stad.",
        "Illustrasjonen viser hvordan kommunen kutter utslipp.",
        "Kommunen deler ut midler på Facebook og i lokalavisen.",
        "Logoen til kommunen ble laget i 2020.",
        "Bildetekst og illustrasjoner skal alltid ha alternativ tekst.",
    ],
)
def test_content_lines_are_kept(line: str) -> None:
    assert not is_boilerplate(line)
    assert line in clean_text(f"Før.\n{line}\nEtter.")


def test_boilerplate_from_real_seeds_dropped_and_date_kept() -> None:
    fn = clean_text(FN_SENTER.read_text(encoding="utf-8"))
    stad = clean_text(STAD.read_text(encoding="utf-8"))
    for gone in ("Gå til toppen", "arrow_upward", "Fant du det du lette etter?", "Logo, bærekraft",
                 "Illustrasjon bærekraft"):
        assert gone not in fn
    for gone in ("Se hele presentasjonen", "Innhold Created with Sketch.", "Bildetekst"):
        assert gone not in stad
    assert fn.rstrip().endswith("Sist oppdatert: 15.11.2022")
    assert "\n\n\n" not in fn and "\n\n\n" not in stad
    assert "Bergen – nye sirkulære muligheter\n\nBolk 2:" in stad
    assert "\u00a0" not in stad


# ---------------------------------------------------------------- headings


def test_headings_on_real_fn_senter_text() -> None:
    text = clean_text(FN_SENTER.read_text(encoding="utf-8"))
    headings = detect_headings(text)
    titles = [h for _, h in headings]
    assert "1. Hva er FN-senteret?" in titles
    assert "11. Bygge videre på gode arenaer" in titles
    assert "Hva er bærekraftig utvikling?" in titles
    assert len([t for t in titles if t[0].isdigit()]) == 11
    for offset, heading in headings:
        assert text[offset : offset + len(heading)] == heading
        assert not heading.startswith(("•", "-", "*"))
    assert [o for o, _ in headings] == sorted(o for o, _ in headings)
    assert "Sist oppdatert: 15.11.2022" not in titles


def test_bullet_lines_are_never_headings() -> None:
    text = "Innledning\n\n• Kort punkt\n\nDette er et langt avsnitt som følger etter punktet og forklarer mer.\n\n" \
           "- Et annet punkt\n\nEnda et langt avsnitt som følger etter punktet og forklarer mer om saken."
    titles = [h for _, h in detect_headings(text, hints=["• Kort punkt"])]
    assert titles == []


def test_short_line_heading_needs_blank_lines_and_a_longer_paragraph() -> None:
    text = (
        "Velkommen til Stad\n\nOrdføreren ga et innblikk i den nye kommunestrukturen og arbeidet med stedsutvikling.\n\n"
        "Første tittel\n\nAndre tittel\n\nKort.\n\n"  # each followed by a title or a shorter line
        "En linje midt i\net avsnitt som fortsetter her med mer tekst."  # not alone between blank lines
    )
    assert detect_headings(text) == [(0, "Velkommen til Stad")]


def test_sentence_is_not_a_heading() -> None:
    text = "Dette er en setning.\n\nOg her kommer et mye lengre avsnitt som forklarer saken i detalj for leseren."
    assert detect_headings(text) == []


def test_numbered_list_is_not_a_heading() -> None:
    text = "1. Første punkt\n2. Andre punkt\n3. Tredje punkt\n\nEt langt avsnitt etterpå som forklarer punktene."
    assert detect_headings(text) == []


def test_heading_hints_match_lines_even_when_wrapped() -> None:
    text = "Sammen skaper vi\nTRONDHEIM\nNå lager vi byens nye samfunnsplan.\nTiltak"
    assert detect_headings(text, hints=["Sammen skaper vi TRONDHEIM", "Tiltak"]) == [
        (0, "Sammen skaper vi TRONDHEIM"),
        (len(text) - len("Tiltak"), "Tiltak"),
    ]


# ---------------------------------------------------------------- documents


def test_clean_document_cleans_pages_fills_headings_and_drops_empty_pages() -> None:
    doc = Document(
        source="x.pdf",
        path=Path("x.pdf"),
        title="  Klima\u00a0plan ",
        pages=[
            Page(number=1, text="Klimaplan\nVi skal kutte ut-\nslipp.", heading_hints=["Klimaplan"]),
            Page(number=2, text="Gå til toppen\n  \n"),
            Page(number=3, text="Tiltak\u00a0for klima-\nog miljø"),
        ],
        content_hash="abc",
        meta={"kommune": "Frøya"},
    )
    cleaned = clean_document(doc)
    assert cleaned is not doc
    assert [p.number for p in cleaned.pages] == [1, 3]
    assert cleaned.pages[0].text == "Klimaplan\nVi skal kutte utslipp."
    assert cleaned.pages[0].headings == [(0, "Klimaplan")]
    assert cleaned.pages[1].text == "Tiltak for klima- og miljø"
    assert cleaned.title == "Klima plan"
    assert cleaned.meta == {"kommune": "Frøya"} and cleaned.meta is not doc.meta
    assert doc.pages[0].text == "Klimaplan\nVi skal kutte ut-\nslipp."  # the input is untouched
    assert len(doc.pages) == 3


def test_corpus_pdf_pages_get_their_slide_headings() -> None:
    doc = clean_document(load_document(PDF, PDF.name))
    first = {p.number: (p.headings[0] if p.headings else None) for p in doc.pages}
    assert first[1] == (0, "TRONDHEIM KOMMUNE")
    assert first[2] == (0, "Formålet med orienteringen er å gi rådene:")
    assert all(h is not None and h[0] == 0 for h in first.values())
    for page in doc.pages:
        for offset, heading in page.headings:
            assert not page.text[offset:].startswith("•")
