"""The language packs (assistant/core/languages): complete, detection unchanged, each language's cues its own."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import FrozenInstanceError, fields

import pytest

from assistant.core.language import content_words, detect_language
from assistant.core.languages import ASK_KINDS, PACKS, LanguagePack, pack, stop_words
from tests.conftest import ROOT

# Questions and the language detection gave them before the packs (assistant/core/language.py at 333c8bd).
DETECTED = {
    "Kven finansierer FN-senteret?": "nn", "Korleis jobbar kommunen med klima?": "nn",
    "Kva er budsjettet til Stad kommune for 2024?": "nn", "Kor mange innbyggjarar har Frøya?": "nn",
    "Kvar ligg FN-senteret?": "nn", "Kvifor vart samlinga digital?": "nn", "Kva tid var samlinga i Stad?": "nn",
    "Kva heiter medverknadsportalen?": "nn", "Eg lurer på kva kommunen gjer med klima.": "nn",
    "Har dei ein plan for berekraft?": "nn", "Kva med nynorsk?": "nn",
    "Hvem finansierer FN-senteret?": "nb", "hvor mange innspil har trondhiem fått": "nb",
    "Hvordan jobber kommunen med klima?": "nb", "Hva er Kraftsamlingen?": "nb", "Hva med nynorsk?": "nb",
    "Hvorfor?": "nb", "": "nb", "Trondheim": "nb", "FN-senteret i Trondheim": "nb",
    "Who funds the UN centre in Trondheim?": "en", "What about them?": "en", "How many people work there?": "en",
    "Where is it?": "en", "Is the plan adopted?": "en", "What is U4SSC?": "en", "When?": "en", "and Frøya?": "en",
    # short questions are close calls: these read as nynorsk
    "Når?": "nn", "Og i Frøya?": "nn",
}
# The 82 dev questions in order, as detection read them before the packs: b = nb, n = nn, e = en.
DEV_DETECTED = ("bbbbbbbbbbbbbbnebbbbbbbbbbnbbnbbbbbbbbebbnbbbbbbnbbbbbbbbbbenbbbbbbeeeeeeeeeeeeeee")


def test_every_pack_has_every_field_filled_and_is_frozen():
    assert list(PACKS) == ["nb", "nn", "en"] and all(pack(code).code == code for code in PACKS)
    for p in PACKS.values():
        assert isinstance(p, LanguagePack)
        for f in fields(LanguagePack):
            value = getattr(p, f.name)
            assert value is not None, (p.code, f.name)
            if f.name in {"function_words"} and p.code != "en":
                continue  # only English questions drop their function words
            if f.name in {"month_abbreviations", "time_words", "street_suffixes", "address_suffixes",
                          "postbox_words"} and p.code == "en":
                continue  # the documents are Norwegian: their dates and addresses are in Norwegian words
            assert value, (p.code, f.name)
        assert tuple(p.asks) == ASK_KINDS and all(p.asks[kind] for kind in ASK_KINDS), p.code
        with pytest.raises(FrozenInstanceError):
            p.code = "xx"  # type: ignore[misc]
        with pytest.raises(TypeError):
            p.asks["name"] = ()  # type: ignore[index]
    with pytest.raises(KeyError):
        pack("de")


def test_a_pack_must_name_every_kind_of_answer():
    with pytest.raises(ValueError, match="asks must name"):
        LanguagePack(**{**{f.name: getattr(PACKS["nb"], f.name) for f in fields(LanguagePack)}, "asks": {}})


def test_every_regex_fragment_compiles():
    for p in PACKS.values():
        for f in fields(LanguagePack):
            value = getattr(p, f.name)
            fragments = [c for cues in value.values() for c in cues] if f.name == "asks" else value
            if f.name.endswith(("_words", "_suffixes", "_abbreviations", "_starts", "_ends", "asks", "prepositions")):
                for fragment in fragments:
                    re.compile(fragment)


def test_stop_words_are_bm25s_lists_loaded_on_first_use():
    from bm25s.stopwords import STOPWORDS_EN_PLUS, STOPWORDS_NORWEGIAN

    assert stop_words("nb") == stop_words("nn") == tuple(STOPWORDS_NORWEGIAN)
    assert stop_words("en") == tuple(STOPWORDS_EN_PLUS)
    code = "import sys, assistant.core.languages, assistant.core.language; print(sorted({'bm25s', 'lingua'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"  # nothing heavy at import time


@pytest.mark.parametrize("question, language", list(DETECTED.items()))
def test_detect_language_is_unchanged(question, language):
    assert detect_language(question) == language


def test_detect_language_is_unchanged_on_the_dev_questions():
    questions = [json.loads(line)["question"] for line in (ROOT / "evals" / "datasets" / "dev.jsonl").open()]
    codes = {"b": "nb", "n": "nn", "e": "en"}
    assert [detect_language(q) for q in questions] == [codes[c] for c in DEV_DETECTED]


def test_content_words_leaves_out_the_english_packs_function_words():
    assert content_words("What is Kraftsamlingen?") == "Kraftsamlingen?"
    assert content_words("Who funds the UN centre in Trondheim?") == "funds UN centre Trondheim?"
    assert content_words("the") == "the"


# each language's own cue for each kind of answer, and a question it alone asks in
OWN_CUES = {
    "nb": {"phone": "Kan jeg ringe senteret?", "email": "Har de en nettside?", "percent": "Hvor stor andel?",
           "number": "Hvor mange ansatte har senteret?", "time": "Hvilket år kom planen?",
           "address": "Hva er postadressen?", "place": "Hvor ligger senteret?", "name": "Hva heter prosjektet?"},
    "nn": {"phone": "Kva er telefonnummeret?", "email": "Kva er e-postadressa?", "percent": "Kor mange prosent?",
           "number": "Kor mykje kostar det?", "time": "Kva tid var samlinga?", "address": "Kva adresse har senteret?",
           "place": "Kvar ligg senteret?", "name": "Kva heiter prosjektet?"},
    "en": {"phone": "What is the phone number?", "email": "What is the website?", "percent": "What share of cars?",
           "number": "How many people work there?", "time": "What year was it?", "address": "What is the address?",
           "place": "Where is the centre?", "name": "Who leads the centre?"},
}


@pytest.mark.parametrize("code", list(OWN_CUES))
def test_each_language_asks_with_its_own_cues(code):
    from assistant.answering.support import asks_for

    for kind, question in OWN_CUES[code].items():
        own = re.compile("|".join(pack(code).asks[kind]), re.IGNORECASE)
        assert own.search(question), (code, kind)
        assert asks_for(question) == kind, (code, kind)
    for other in set(PACKS) - {code}:  # "hvor ligger" is bokmål, "kvar ligg" nynorsk, "where" English
        assert not re.search("|".join(pack(other).asks["place"]), OWN_CUES[code]["place"], re.IGNORECASE)


def test_the_reader_is_told_the_packs_language():
    from assistant.answering.readers import reader_messages

    for code in PACKS:
        assert reader_messages("Spørsmål?", [], code)[-1]["content"].endswith(pack(code).instruction)
    assert reader_messages("Spørsmål?", [], "de")[-1]["content"].endswith(pack("nb").instruction)
