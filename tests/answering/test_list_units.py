"""Lists as answers: a run of bullet lines or "Label: value" lines is one evidence unit, quoted whole and cited once."""

from __future__ import annotations

import pytest

from assistant.answering.evidence import candidates
from assistant.answering.pipeline import sameness
from assistant.answering.readers import ExtractiveReader, quote_text
from assistant.core.models import Chunk


def chunk(text: str, cid: str = "c") -> Chunk:
    return Chunk(cid, text, f"{cid}.txt", "Rapport", None, "", 0, len(text), {})


@pytest.mark.parametrize("text, unit, lead", [
    ("Bærekraftsrapporten skal ha disse delene:\n• Innbyggerundersøkelse\n• Materialstrømmer\n• Bærekraftsfond",
     "Innbyggerundersøkelse; Materialstrømmer; Bærekraftsfond", "Bærekraftsrapporten skal ha disse delene:"),
    ("Målene:\n- En klimasmart by\n- En inkluderende by\n- En skapende by.",
     "En klimasmart by; En inkluderende by; En skapende by", "Målene:"),
    ("Kontakt:\nTelefon: +47 72 54 00 00\nE-post: fn@trondheim.kommune.no",
     "Telefon: +47 72 54 00 00; E-post: fn@trondheim.kommune.no", "Kontakt:"),
    ("Tiltak\n1. Flere sykkelveier\n2. Grønne tak på skolene\nDette er planen for 2025.",
     "Flere sykkelveier; Grønne tak på skolene", ""),
])
def test_a_run_of_list_lines_is_one_unit_after_its_lines(text, unit, lead):
    ev = candidates([chunk(text)])
    units = [e for e in ev if e.items]
    assert [u.text for u in units] == [unit]
    assert units[0].context == lead and units[0].items == unit.count(";") + 1
    assert ev.index(units[0]) > max(i for i, e in enumerate(ev) if e.text in unit and not e.items)
    assert [e.id for e in ev] == list(range(1, len(ev) + 1))


@pytest.mark.parametrize("text", [
    "Trondheim kommune har et FN-senter. Det ligger i sentrum.",  # prose
    "Tiltak:\n• Flere sykkelveier\nDette er planen for 2025.",  # one list line
    "• Flere sykkelveier\nDette er planen. Den er god.\n• Grønne tak",  # two lines, apart
])
def test_no_unit_without_two_list_lines_in_a_row(text):
    assert not [e for e in candidates([chunk(text)]) if e.items]


def test_a_unit_is_quoted_with_its_lead_in_and_never_beside_one_of_its_lines():
    ev = candidates([chunk("Kunnskapsmiljøene i nettverket:\n• insam\n• CICERO\n• Civitas\nNettverket startet i 2019.")])
    unit = next(e for e in ev if e.items)
    assert quote_text(unit) == "Kunnskapsmiljøene i nettverket: insam; CICERO; Civitas."
    line = next(e for e in ev if e.text == "CICERO")
    order = [unit, line] + [e for e in ev if e not in (unit, line)]
    claims = list(ExtractiveReader(max_sentences=2).read("Hvilke kunnskapsmiljøer?", order, "nb"))
    assert claims[0].text == quote_text(unit) and all("CICERO" not in c.text for c in claims[1:])
    claims = list(ExtractiveReader(max_sentences=2).read("Hvilke kunnskapsmiljøer?", [line, unit], "nb"))
    assert [c.text for c in claims] == ["Kunnskapsmiljøene i nettverket: CICERO."]  # not quoted beside its unit


@pytest.mark.parametrize("a, b", [
    ("Trondheim jobber med klima [1].", "trondheim  jobber med klima."),
    ("Trondheim jobber med klima [1][2]", "TRONDHEIM jobber med klima [3]!"),
])
def test_repeats_are_the_same_after_case_spacing_and_citation_marks(a, b):
    assert sameness(a) == sameness(b)


def test_different_sentences_are_not_repeats():
    assert sameness("Trondheim jobber med klima.") != sameness("Trondheim jobber med natur.")


@pytest.mark.parametrize("text, joined", [
    ("MORTEN WOLDEN\nKommunedirektor i Trondheim\nKRONIKK: Nå skal 50 innbyggere være rådgivere.",
     "Morten Wolden, Kommunedirektor i Trondheim"),
    ("Innledning.\nKARI NORDMANN\nOrdfører i Hitra", "Kari Nordmann, Ordfører i Hitra"),
    ("ANNE-LISE ÅS BERG\nLeder av bærekraftsnettverket", "Anne-Lise Ås Berg, Leder av bærekraftsnettverket"),
])
def test_a_name_in_capitals_above_a_role_is_one_sentence(text, joined):
    assert joined in [e.text for e in candidates([chunk(text)])]


@pytest.mark.parametrize("text", [
    "TRONDHEIM KOMMUNE 2022\nSamfunnsplan",  # digits: a heading, not a name
    "FN\nEt senter",  # one word
    "SLIK VIL VI HA DET (UNDERMÅL) OG SLIK GJØR VI DET\nTiltak",  # too long for a name
    "KARI NORDMANN\nTRONDHEIM KOMMUNE",  # the next line is capitals too
    "Partnere:\n• CICERO\n• Civitas",  # a list line in capitals is a list line
])
def test_other_capital_lines_are_left_alone(text):
    assert not any(", " in e.text for e in candidates([chunk(text)]))
