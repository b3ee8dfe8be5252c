"""The 2024 kommune register and the metadata stage: lookup, free-text matching, year, type, document meta."""

import subprocess
import sys
import time
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from assistant.core.kommuner import (
    COMMON_WORD_NAMES,
    FYLKER,
    Kommune,
    find_kommuner,
    load_register,
    lookup,
    lookup_all,
)
from ingest.meta import DOC_TYPES, detect_doc_type, detect_year, document_meta

ROOT = Path(__file__).resolve().parents[2]


def by_nr(nr: str) -> Kommune:
    return next(k for k in load_register() if k.nr == nr)


def names(text: str) -> list[str]:
    return [k.name for k in find_kommuner(text)]


# --- register -------------------------------------------------------------------------------------


def test_register_has_357_kommuner_with_unique_numbers_in_15_fylker():
    register = load_register()
    assert len(register) == 357
    assert len({k.nr for k in register}) == 357
    assert all(len(k.nr) == 4 and k.nr.isdigit() for k in register)
    assert {k.fylke for k in register} == set(FYLKER.values())
    assert len(FYLKER) == 15
    for k in register:
        assert FYLKER[k.nr[:2]] == k.fylke, k


def test_register_counts_per_fylke_match_2024():
    counts = Counter(k.fylke for k in load_register())
    assert counts == {
        "Oslo": 1, "Rogaland": 23, "Møre og Romsdal": 27, "Nordland": 41, "Østfold": 12, "Akershus": 21,
        "Buskerud": 18, "Innlandet": 46, "Vestfold": 6, "Telemark": 17, "Agder": 25, "Vestland": 43,
        "Trøndelag": 38, "Troms": 21, "Finnmark": 18,
    }  # fmt: skip


@pytest.mark.parametrize(
    "nr,name,fylke",
    [
        ("0301", "Oslo", "Oslo"),
        ("1580", "Haram", "Møre og Romsdal"),
        ("1508", "Ålesund", "Møre og Romsdal"),
        ("5001", "Trondheim", "Trøndelag"),
        ("5014", "Frøya", "Trøndelag"),
        ("4649", "Stad", "Vestland"),
        ("3301", "Drammen", "Buskerud"),
        ("5501", "Tromsø", "Troms"),
        ("5601", "Alta", "Finnmark"),
        ("3107", "Fredrikstad", "Østfold"),
        ("3201", "Bærum", "Akershus"),
        ("3909", "Larvik", "Vestfold"),
        ("4003", "Skien", "Telemark"),
        ("3234", "Lunner", "Akershus"),
        ("3236", "Jevnaker", "Akershus"),
        ("1866", "Hadsel", "Nordland"),
        ("1867", "Bø", "Nordland"),
    ],
)
def test_register_numbers(nr, name, fylke):
    k = by_nr(nr)
    assert (k.name, k.fylke) == (name, fylke)


def test_register_has_no_old_numbers_and_sami_aliases():
    nrs = {k.nr for k in load_register()}
    assert not {nr for nr in nrs if nr[:2] in ("30", "38", "54")}  # Viken, Vestfold og Telemark, Troms og Finnmark
    assert "1507" not in nrs  # Ålesund was renumbered when Haram split off
    assert by_nr("5612").name == "Kautokeino" and "Guovdageaidnu" in by_nr("5612").aliases
    assert set(by_nr("5622").aliases) == {"Porsáŋgu", "Porsanki"}
    assert {"Trondhjem", "Nidaros"} <= set(by_nr("5001").aliases)
    assert {"Kristiania", "Christiania"} <= set(by_nr("0301").aliases)
    for k in load_register():  # stored in NFC
        assert all(unicodedata.is_normalized("NFC", s) for s in (k.name, k.fylke, *k.aliases))


def test_common_word_names_are_register_names():
    forms = {form for k in load_register() for form in (k.name, *k.aliases)}
    assert COMMON_WORD_NAMES <= forms


def test_import_reads_nothing_and_register_loads_on_first_use():
    code = (
        "import sys\n"
        "opened = []\n"
        "sys.addaudithook(lambda event, args: opened.append(str(args[0])) if event == 'open' else None)\n"
        "import assistant.core.kommuner\n"
        "assert not [p for p in opened if 'kommuner_2024' in p], opened\n"
        "assert assistant.core.kommuner.load_register.cache_info().currsize == 0\n"
        "assert len(assistant.core.kommuner.load_register()) == 357\n"
        "assert [p for p in opened if 'kommuner_2024' in p]\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


# --- lookup ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,nr",
    [
        ("Trondheim", "5001"),
        ("trondheim", "5001"),
        ("TRONDHEIM", "5001"),
        ("Trondheims", "5001"),
        ("Trondhjem", "5001"),
        ("Nidaros", "5001"),
        ("Trondheim kommune", "5001"),
        ("i Frøya", "5014"),
        ("på Frøya", "5014"),
        ("Frøya kommune", "5014"),
        ("Frøya kommunes", "5014"),
        ("Frøyas", "5014"),
        ("Kautokeino", "5612"),
        ("Guovdageaidnu", "5612"),
        ("Guovdageaidnu - Kautokeino", "5612"),
        ("Porsanger - Porsáŋgu - Porsanki", "5622"),
        ("Porsangu", "5622"),  # Sámi letters typed without diacritics
        ("Kárášjohka", "5610"),
        ("Karasjohka", "5610"),
        ("Namsos", "5007"),
        ("Namsos'", "5007"),
        ("Indre Fosen", "5054"),
        ("Nord-Aurdal", "3451"),
        ("Nord Aurdal", "3451"),
        ("Nord–Aurdal", "3451"),  # en dash
        ("Sør-Varanger", "5605"),
        ("Midt-Telemark", "4020"),
        ("Aurskog-Høland", "3226"),
        ("Kristiania", "0301"),
        ("heim", "5055"),  # a name given on its own is a name, whatever its case
        ("Stad", "4649"),
        ("Herøy (Nordland)", "1818"),
        ("Herøy i Møre og Romsdal", "1515"),
        ("Herøy kommune, Nordland", "1818"),
        ("Våler i Innlandet", "3419"),
        ("Våler (Østfold)", "3114"),
        ("Våler (Viken)", "3114"),  # old fylke name
        ("5001", "5001"),
    ],
)
def test_lookup_accepts_informal_forms(text, nr):
    k = lookup(text)
    assert k is not None, text
    assert k.nr == nr


def test_lookup_nfd_input():
    assert lookup(unicodedata.normalize("NFD", "Frøya")).nr == "5014"
    assert lookup(unicodedata.normalize("NFD", "Ålesund")).nr == "1508"
    assert lookup(unicodedata.normalize("NFD", "Kárášjohka")).nr == "5610"


@pytest.mark.parametrize(
    "text", ["Herøy", "Våler", "Herøy kommune", "Trøndelag", "Viken", "Mo i Rana", "Ness", "Hitra-Frøya", "", "Foo"]
)
def test_lookup_ambiguous_or_unknown_is_none(text):
    assert lookup(text) is None


def test_lookup_all_lists_both_candidates():
    assert {(k.nr, k.fylke) for k in lookup_all("Herøy")} == {("1515", "Møre og Romsdal"), ("1818", "Nordland")}
    assert {k.nr for k in lookup_all("Våler")} == {"3114", "3419"}
    assert lookup_all("Hitra") == (by_nr("5056"),)
    assert lookup_all("Trøndelag") == ()


# --- find_kommuner ----------------------------------------------------------------------------------


def test_find_kommuner_order_and_genitive():
    assert names("Frøya, Hitra og Trondheims FN-senter") == ["Frøya", "Hitra", "Trondheim"]
    assert names("Hitra og Frøya. Frøyas ordfører møtte Hitras.") == ["Hitra", "Frøya"]
    assert names("Namsos' planer og Nessebys tiltak") == ["Namsos", "Nesseby"]


@pytest.mark.parametrize(
    "text", ["jeg reiste heim", "et stort stadion", "moss på steinen", "det tar en time", "sola skinner",
             "OS i Tokyo", "Loch Ness", "HEIM", "vi går heim kommer"]
)  # fmt: skip
def test_common_words_in_lowercase_text_are_not_kommuner(text):
    assert find_kommuner(text) == []


def test_common_word_names_match_capitalised_or_with_cue():
    assert names("Heim kommune") == ["Heim"]
    assert names("Bærekraftsrapport Heim 2024") == ["Heim"]
    assert names("heim kommune har vedtatt planen") == ["Heim"]
    assert names("i heim kommune") == ["Heim"]
    assert names("MOSS KOMMUNE") == ["Moss"]
    assert names("Ordfører i Stad, og Stads innbyggere") == ["Stad"]
    assert names("Stadion i Moss") == ["Moss"]


def test_no_match_inside_longer_words():
    assert find_kommuner("Hitraboka og Stadion ved Bodøgaard") == []
    assert find_kommuner("Frøyasamfunnet") == []  # short name: compounds do not count
    assert find_kommuner("Trøndelag fylkeskommune, Troms og Finnmark") == []


def test_genitive_compounds_of_long_names_count():
    assert names("Trondheimsregionen") == ["Trondheim"]
    assert names("Stavangerskolen og Oslo-området") == ["Stavanger", "Oslo"]
    assert names("Moss-regionen") == ["Moss"]


def test_multiword_hyphenated_sami_and_nfd_names():
    text = "Indre Fosen, Nord-Aurdal, Sør-Varanger, Midt-Telemark, Aurskog-Høland og Porsanger - Porsáŋgu - Porsanki"
    assert names(text) == ["Indre Fosen", "Nord-Aurdal", "Sør-Varanger", "Midt-Telemark", "Aurskog-Høland", "Porsanger"]
    assert names("Indre\nFosen og Evje og Hornnes") == ["Indre Fosen", "Evje og Hornnes"]
    assert names("Guovdageaidnu og Kárášjohka") == ["Kautokeino", "Karasjok"]
    assert names(unicodedata.normalize("NFD", "Bærum, Ålesund og Kárášjohka")) == ["Bærum", "Ålesund", "Karasjok"]
    assert names("kautokeino og tromsø") == ["Kautokeino", "Tromsø"]


def test_ambiguous_names_resolve_only_with_fylke_context():
    assert find_kommuner("Herøy og Hitra") == [by_nr("5056")]  # Herøy alone stays unknown
    assert find_kommuner("Herøy (Nordland) og Herøy i Møre og Romsdal") == [by_nr("1818"), by_nr("1515")]
    assert find_kommuner("Herøy kommune i Nordland") == [by_nr("1818")]
    assert find_kommuner("Herøy, Ulstein og Hareid") == [by_nr("1515"), by_nr("1516"), by_nr("1517")]
    assert find_kommuner("Våler i Innlandet") == [by_nr("3419")]


def test_find_kommuner_is_fast():
    base = "Frøya kommune og Hitra samarbeider med Trondheims FN-senter om bærekraft i Trøndelag. " * 20
    text = (base + "Det tar en time å gå heim fra stadion. Indre Fosen, Heim og Stad. " * 200)[:10_000]
    assert len(text) == 10_000
    find_kommuner(text)  # builds the matcher
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        found = find_kommuner(text)
        timings.append(time.perf_counter() - start)
    assert min(timings) < 0.010, timings
    assert [k.name for k in found][:3] == ["Frøya", "Hitra", "Trondheim"]


# --- year and type --------------------------------------------------------------------------------


def test_detect_year():
    assert detect_year("Sist oppdatert: 15.11.2022\nI 2019 og 2019 og 2019 skjedde mye.") == 2022
    assert detect_year("Tekst uten år", title="Bærekraftsrapport Frøya 2024") == 2024
    assert detect_year("Publisert 3. mars 2021. Vi viser til 2019.") == 2021
    assert detect_year("Vedtatt av kommunestyret 12.06.2018") == 2018
    assert detect_year("I 2020 og 2021 og igjen i 2021 ble det målt.") == 2021
    assert detect_year("Utslippene skal ned innen 2030 og 2050. Tall fra 2022.") == 2022  # targets are not the year
    assert detect_year("Tall fra 2022.", title="Klimaplan 2050") == 2022
    assert detect_year("", title="Klimaplan 2050") == 2050
    assert detect_year("Kommuneplan 2020–2032", title="Kommuneplanens samfunnsdel 2020-2032") == 2020
    assert detect_year("Ingen årstall her, bare 12345 og 1850.") is None


def test_detect_doc_type():
    assert detect_doc_type("Bærekraftsrapport Frøya 2024", "") == "bærekraftsrapport"
    assert detect_doc_type("Bærekraftsrapport 2023", "", ".html") == "bærekraftsrapport"
    assert detect_doc_type("Klimaplan for Hitra 2020-2030", "", ".pdf") == "plan"
    assert detect_doc_type("Kommuneplanens samfunnsdel", "", ".pdf") == "plan"
    assert detect_doc_type("Planprogram for klimaplanen", "", ".pdf") == "plan"
    assert detect_doc_type("Bærekraft i kommunen", "Klimastrategi for Frøya\n\nInnledning", ".docx") == "plan"
    assert detect_doc_type("Evaluering av klimaplanen", "", ".pdf") == "rapport"
    assert detect_doc_type("Årsrapport 2022", "", ".pdf") == "rapport"
    assert detect_doc_type("Bærekraft i Frøya", "", ".pptx") == "presentasjon"
    assert detect_doc_type("Presentasjon av klimaplanen", "", ".pdf") == "presentasjon"
    assert detect_doc_type("Om FN-senteret", "Velkommen", ".html") == "nettside"
    assert detect_doc_type("Samling i Stad", "Om samlingen\n\nDenne rapporten er en sammenstilling.", ".txt") == "rapport"
    assert detect_doc_type("Om oss", "Planeten vår er fin.", ".txt") == "annet"
    assert {detect_doc_type("x", "", s) for s in ("", ".pdf", ".docx")} <= set(DOC_TYPES)


# --- document_meta -------------------------------------------------------------------------------

KEYS = {"kommune", "kommune_nr", "fylke", "kommuner", "mentioned_kommuner", "year", "doc_type", "publisher"}


def test_document_meta_detected_from_title():
    text = "Sist oppdatert 15.11.2022\nFrøya kommune samarbeider med Hitra og Trondheim."
    meta = document_meta("Bærekraftsrapport Frøya 2024", text, ".pdf", None)
    assert set(meta) == KEYS
    assert meta["kommune"] == "Frøya" and meta["kommune_nr"] == "5014" and meta["fylke"] == "Trøndelag"
    assert meta["kommuner"] == ["Frøya"]
    assert meta["mentioned_kommuner"] == ["Frøya", "Hitra", "Trondheim"]
    assert meta["year"] == 2024 and meta["doc_type"] == "bærekraftsrapport" and meta["publisher"] == ""


def test_document_meta_dominant_kommune_in_text_but_not_a_list():
    text = "Trondheim kommune har et FN-senter. Trondheim er en smartby. Samarbeid med Malvik."
    meta = document_meta("11 ting om FN-senteret", text, ".html", None)
    assert meta["kommuner"] == ["Trondheim"] and meta["kommune"] == "Trondheim"
    assert meta["mentioned_kommuner"] == ["Trondheim", "Malvik"]
    listing = "Deltakere: Frøya, Hitra, Heim, Orkland, Skaun, Melhus, Malvik og Stjørdal."
    meta = document_meta("Bærekraftsnettverket i Trøndelag", listing, ".html", None)
    assert meta["kommuner"] == [] and meta["kommune"] == "" and meta["kommune_nr"] == ""
    assert meta["fylke"] == "Trøndelag" and len(meta["mentioned_kommuner"]) == 8
    assert meta["year"] == 0 and meta["doc_type"] == "nettside"


def test_document_meta_manifest_entry_wins():
    entry = {"title": "Klimaplan", "kommuner": ["Hitra", "frøyas"], "year": 2019, "doc_type": "plan",
             "publisher": "Hitra kommune"}  # fmt: skip
    meta = document_meta("Bærekraftsrapport Trondheim 2024", "Sist oppdatert 1.1.2023. Trondheim.", ".pdf", entry)
    assert meta["kommuner"] == ["Hitra", "Frøya"]
    assert (meta["kommune"], meta["kommune_nr"], meta["fylke"]) == ("Hitra", "5056", "Trøndelag")  # first is primary
    assert meta["year"] == 2019 and meta["doc_type"] == "plan" and meta["publisher"] == "Hitra kommune"
    assert meta["mentioned_kommuner"] == ["Trondheim"]  # mentions are always detected

    meta = document_meta("x", "", ".pdf", {"kommuner": ["Stad", "Kristiansand"], "kommune": "Kristiansand"})
    assert (meta["kommune"], meta["fylke"], meta["kommuner"]) == ("Kristiansand", "Agder", ["Kristiansand", "Stad"])

    meta = document_meta("x", "", ".pdf", {"kommuner": ["Herøy"], "fylke": "Nordland"})
    assert (meta["kommune"], meta["kommune_nr"], meta["fylke"]) == ("Herøy", "1818", "Nordland")

    meta = document_meta("Frøya 2024", "", ".pdf", {"kommuner": [], "fylke": "trøndelag"})
    assert meta["kommuner"] == [] and meta["kommune"] == "" and meta["fylke"] == "Trøndelag"
    assert meta["year"] == 2024  # detected where the entry is silent


@pytest.mark.parametrize(
    "entry,bad",
    [
        ({"kommuner": ["Frøya", "Gotham"]}, "Gotham"),
        ({"kommuner": ["Trøndelag"]}, "Trøndelag"),
        ({"kommuner": ["Herøy"]}, "Herøy"),  # ambiguous without a fylke
        ({"kommune": "Atlantis"}, "Atlantis"),
    ],
)
def test_document_meta_bad_manifest_kommune_raises(entry, bad):
    with pytest.raises(ValueError, match=bad):
        document_meta("t", "tekst", ".pdf", entry)


def test_document_meta_bad_manifest_values_raise():
    with pytest.raises(ValueError, match="Viken"):
        document_meta("t", "", ".pdf", {"fylke": "Viken"})
    with pytest.raises(ValueError, match="brosjyre"):
        document_meta("t", "", ".pdf", {"doc_type": "brosjyre"})
    with pytest.raises(ValueError, match="ifjor"):
        document_meta("t", "", ".pdf", {"year": "ifjor"})


def test_document_meta_on_the_real_corpus():
    import json

    corpus = ROOT / "corpus"
    manifest = corpus / "manifest.json"
    entries = json.loads(manifest.read_text(encoding="utf-8")) if manifest.exists() else []
    for entry in entries:
        meta = document_meta("", "", "", entry)  # every manifest entry validates against the register
        assert meta["kommuner"] == [lookup(name).name for name in entry["kommuner"]]
        assert meta["year"] == entry["year"] and meta["fylke"] == (entry["fylke"] or meta["fylke"])
    path = corpus / "stad-kortreist-kvalitet-samling-2021.txt"
    text = path.read_text(encoding="utf-8")
    meta = document_meta(text.splitlines()[0], text, path.suffix, None)
    assert meta["kommuner"] == ["Stad"] and meta["kommune_nr"] == "4649" and meta["year"] == 2021
    path = corpus / "trondheim-11-ting-om-fn-senteret-2022.txt"
    text = path.read_text(encoding="utf-8")
    meta = document_meta(text.splitlines()[0], text, path.suffix, None)
    assert meta["kommune"] == "Trondheim" and meta["year"] == 2022
