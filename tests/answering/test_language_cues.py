"""The question cues and answer words read from the language packs match exactly what the old regexes matched.

Issue 17 moved the words of `support.py`'s patterns into one pack a language (assistant/core/languages),
the union of the packs applied to every question as before. The patterns as they stood before the
move are kept here, and both are run on every dev question, evidence and answer, every sentence of
the text corpus and a list of hand-picked phrases for every cue, each also upper- and lower-cased.
"""

from __future__ import annotations

import json
import re

import pytest

from assistant.answering.support import _ASK_RE, _HAS, asks_for, holds
from assistant.core.languages import PACKS, asked_cues, union
from assistant.core.text import split_sentences
from tests.conftest import CORPUS, ROOT

# --- the patterns before the move (support.py at 333c8bd), kept as they were ---------------------
OLD_ASKS = (
    ("phone", r"\btelefon\w*|\bphone\b|\bringe\b|\bring\b"),
    ("email", r"\be-?post\w*|\be-?mail\b|\bnettside\w*|\bwebsite\b|\badresse på nett"),
    ("percent", r"\bprosent\w*|\bandel\w*|\bpercent\w*|\bshare of\b"),
    ("number", r"\bhvor mange\b|\bkor mange\b|\bhow many\b|\bhvor mye\b|\bkor mykje\b|\bhow much\b|\bantall\b|"
               r"\bhvor stor\w*\b|\bkor stor\w*\b|\bhow (?:big|large|long)\b|\bhvor lang\w*\b|\bkor lang\w*\b"),
    ("time", r"\bnår\b|\bkva tid\b|\bwhen\b|\bhvilket år\b|\bkva år\b|\bwhat year\b|\bhvor lenge\b|\bkor lenge\b"),
    ("address", r"\badresse\w*|\baddress\b|\bpostadresse\w*|\bbesøksadresse\w*"),
    ("place", r"\bhvor (?:ligger|er|finner|holder)\b|\bkvar (?:ligg|er|finn|held)\b|\bwhere\b"),
    ("name", r"\bhvem\b|\bkven\b|\bwho\b|\bhva heter\b|\bkva heiter\b|\bwhat is the name\b|\bhvilke?n?(?: \w+)? (?:organisasjon|"
             r"kommune|aktør|partner|by|byer|firma|selskap|kunnskapsmiljø)\w*|\bwhich (?:\w+ )?(?:organi[sz]ation|municipalit|"
             r"partner|cit|institution)\w*"),
)
OLD_ASK_RE = [(kind, re.compile(pattern, re.IGNORECASE)) for kind, pattern in OLD_ASKS]
OLD_NUMBER_WORDS = (r"\b(?:en|ett|ein|eitt|to|tre|fire|fem|seks|sju|syv|åtte|ni|ti|elleve|tolv|femten|tjue|tretti|førti|"
                    r"femti|hundre|tusen|million\w*|milliard\w*|dusin|halvparten|flertall\w*|one|two|three|ten|hundred|"
                    r"thousand)\b")
OLD_HAS = {
    "phone": re.compile(r"\+?\d[\d ]{6,}\d"),
    "email": re.compile(r"@|\bwww\.|https?://|\.no\b", re.IGNORECASE),
    "percent": re.compile(r"%|\bprosent\w*|\bpercent", re.IGNORECASE),
    "number": re.compile(rf"\d|{OLD_NUMBER_WORDS}", re.IGNORECASE),
    "time": re.compile(r"\b(?:1[89]|20)\d\d\b|\b\d{1,2}\.\s*(?:jan|feb|mar|apr|mai|jun|jul|aug|sep|okt|nov|des)|"
                       r"\b(?:januar|februar|mars|april|mai|juni|juli|august|september|oktober|november|desember|"
                       r"våren|høsten|sommeren|vinteren|år|uke|måned)\w*", re.IGNORECASE),
    "address": re.compile(r"\b\w*(?:gata|gaten|veien|vegen|gate|vei|veg|plass|allé)\s+\d+|\b\d{4}\s+[A-ZÆØÅ]\w+|"
                          r"\bpostboks\s+\d+", re.IGNORECASE),
    "place": re.compile(r"(?<![.!?]\s)(?<!^)\b[A-ZÆØÅ][\wæøå\-]+|\b\w+(?:gata|gaten|veien|vegen|gate|vei|veg|plass)\b|"
                        r"\b\d{4}\s+[A-ZÆØÅ]"),
    "name": re.compile(r"(?<!^)\b[A-ZÆØÅ][\wæøå\-]+|\b[A-ZÆØÅ]{2,}\b|\b(?:kommune\w*|fylke\w*|bystyre\w*|departement\w*|"
                       r"senter\w*|sekretariat\w*|råd\w*|utvalg\w*|direktør\w*|leder\w*|ordfører\w*|universitet\w*|"
                       r"organisasjon\w*|selskap\w*|stiftelse\w*|forening\w*|nettverk\w*|municipal\w*|council\w*|county|"
                       r"government|ministry|university|centre|center|secretariat|department|organi[sz]ation\w*|company|"
                       r"foundation|network)\b"),
}

# --- the strings both are run on --------------------------------------------------------------------
CUE_PHRASES = [
    "Hva er telefonnummeret til FN-senteret?", "Kan jeg ringe dem?", "Ring oss", "What is their phone number?",
    "Hva er e-postadressen?", "Har de epost?", "What is the e-mail?", "Send an email", "Hva er nettsiden deres?",
    "What is the website?", "Har de en adresse på nett?", "Hvor stor andel av bilene er elbiler?",
    "How many percent are electric?", "What share of the budget?", "Hvor mange prosent?", "Kor stor prosentdel?",
    "Hvor mange ansatte?", "Kor mange tilsette?", "How many people?", "Hvor mye koster det?", "Kor mykje kostar det?",
    "How much does it cost?", "Antall innbyggere i Stad", "Hvor store er utslippene?", "Kor stort er budsjettet?",
    "How big is it?", "How large?", "How long is the plan?", "Hvor lang tid tar det?", "Kor langt er det?",
    "Når var samlingen?", "Kva tid var samlinga?", "When was it?", "Hvilket år kom rapporten?", "Kva år kom rapporten?",
    "What year?", "Hvor lenge gjelder planen?", "Kor lenge varer planen?", "Hva er adressen?", "What is the address?",
    "Hva er postadressen?", "Besøksadressen til senteret", "Hvor ligger senteret?", "Hvor er kontoret?",
    "Hvor finner jeg rapporten?", "Hvor holder de til?", "Kvar ligg senteret?", "Kvar er kontoret?",
    "Kvar finn eg rapporten?", "Kvar held dei til?", "Where is it?", "Hvem leder senteret?", "Kven leiar senteret?",
    "Who leads it?", "Hva heter prosjektet?", "Kva heiter prosjektet?", "What is the name of the project?",
    "Hvilken organisasjon står bak?", "Hvilke norske byer samarbeider?", "Hvilket selskap?", "Hvilke kunnskapsmiljøer?",
    "Hvilken aktør?", "Hvilke partnere?", "Hvilke firma?", "Which organisation?", "Which organization runs it?",
    "Which municipality?", "Which Norwegian cities?", "Which partners?", "Which research institutions?",
    "Hva er klimaplanen?", "Hvorfor ble samlingen digital?", "Why was it online?", "Korleis jobbar kommunen?",
    "Telefon +47 72 54 00 00", "post@trondheim.kommune.no", "www.trondheim.no", "https://stad.kommune.no",
    "trondheim.no", "45 % av bilene", "ti prosent", "35 percent", "the percentage", "ti personer", "ett år",
    "eitt år", "one person", "to millioner", "tre milliarder", "et dusin", "halvparten", "flertallet", "syv", "sju",
    "i 2021", "14. okt", "3. mai 2022", "januar", "våren 2022", "høsten", "sommeren", "vinteren", "årlig",
    "ukentlig", "månedlig", "Erling Skakkes gate 14", "Kongens gate 2", "Storgata 5", "Prinsens veg 3",
    "Parkveien 10", "Torvet plass 1", "Bygdøy allé 5", "7004 Trondheim", "Postboks 2300 Torgarden", "postboks 12",
    "i Trondheim", "Trondheim kommune", "FN", "kommunen", "fylkeskommunen", "bystyret", "departementet", "senteret",
    "sekretariatet", "rådet", "utvalget", "direktøren", "lederen", "ordføreren", "universitetet", "organisasjonen",
    "selskapet", "stiftelsen", "foreningen", "nettverket", "the municipality", "the council", "county", "government",
    "ministry", "university", "centre", "center", "secretariat", "department", "organisation", "organization",
    "company", "foundation", "network", "Kommunen", "ingenting her", "", "...", "Stad. Kommunen",
]


def strings() -> list[str]:
    """Return every string the old and new patterns are compared on."""
    found = list(CUE_PHRASES)
    for line in (ROOT / "evals" / "datasets" / "dev.jsonl").read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        found += [item["question"], item.get("evidence") or "", *(item.get("answers") or [])]
        found += [m["content"] for m in item.get("history", [])]
    for path in sorted(CORPUS.glob("*.txt")):
        found += split_sentences(path.read_text(encoding="utf-8"))
    return [v for s in found for v in (s, s.lower(), s.upper())]


STRINGS = strings()


def old_asks_for(question: str) -> str | None:
    """Return the kind the old patterns gave."""
    return next((kind for kind, pattern in OLD_ASK_RE if pattern.search(question)), None)


def top_level(pattern: str) -> set[str]:
    """Return a regex's alternatives at the top level ("a|(?:b|c)" -> {"a", "(?:b|c)"})."""
    parts, depth, start, escaped = [], 0, 0, False
    for i, ch in enumerate(pattern):
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
    return {*parts, pattern[start:]}


def test_the_strings_cover_every_kind_old_and_new():
    assert len(STRINGS) > 1000
    assert {old_asks_for(s) for s in STRINGS} == {kind for kind, _ in OLD_ASKS} | {None}


def test_the_union_of_the_packs_cues_is_the_old_cues_in_the_same_kind_order():
    assert [kind for kind, _ in asked_cues()] == [kind for kind, _ in OLD_ASKS] == [kind for kind, _ in _ASK_RE]
    for (kind, new), (_, old) in zip(asked_cues(), OLD_ASKS, strict=True):
        assert top_level(new) == top_level(old), kind


def test_asks_for_gives_what_the_old_patterns_gave():
    changed = [(s, old_asks_for(s), asks_for(s)) for s in STRINGS if old_asks_for(s) != asks_for(s)]
    assert not changed


@pytest.mark.parametrize("kind", list(OLD_HAS))
def test_holds_matches_what_the_old_patterns_matched(kind):
    assert [s for s in STRINGS if bool(OLD_HAS[kind].search(s)) != holds(kind, s)] == []
    assert any(holds(kind, s) for s in STRINGS) and not all(holds(kind, s) for s in STRINGS)


def test_the_number_and_institution_words_are_the_old_ones():
    assert set(union("number_words")) == top_level(OLD_NUMBER_WORDS[len(r"\b(?:"):-len(r")\b")])
    assert set(union("street_suffixes")) | set(union("address_suffixes")) == {
        "gata", "gaten", "veien", "vegen", "gate", "vei", "veg", "plass", "allé"}
    assert all(set(p.institution_words) <= set(union("institution_words")) for p in PACKS.values())
