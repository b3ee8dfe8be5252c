"""The 2024 kommune register: lookup of kommune names and their mentions in free text.

Kommune matching in free text (``find_kommuner``) follows these rules:

* Text and names are compared in Unicode NFC, so NFD-decomposed æøå and Sámi letters match too.
* Ordinary names match in any case ("trondheim", "FRØYA"). Names that are also everyday words
  (``COMMON_WORD_NAMES``: "Heim", "Stad", "Moss", "Time", "Sola", ...) match only in their exact
  capitalised form ("Heim", not "heim" or "HEIM"), or in any case when "kommune" follows
  ("heim kommune", "MOSS KOMMUNE").
* A name never matches inside a longer word ("Stadion", "Hitraboka", "Bodøgaard" are no mentions).
  Accepted endings: the genitive "-s" ("Trondheims", "Frøyas"; names ending in s/x/z take none,
  "Namsos'"), an apostrophe, or a hyphen ("Oslo-området"). Genitive compounds, the name + "s" +
  lowercase letters ("Trondheimsregionen", "Stavangerskolen"), count as mentions only for names of
  six letters or more that are not common words; shorter names give too many accidental hits.
* Fylke names are not kommuner ("Trøndelag", "Troms"); "Oslo" is both.
* The two names shared by two kommuner, "Herøy" and "Våler", resolve only through a fylke named right
  after them ("Herøy (Nordland)", "Våler i Innlandet"), else through the one candidate fylke the text
  names or whose other kommuner it mentions; otherwise they are left out.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Iterable

# The 15 fylker of 1 January 2024, by number.
FYLKER = {
    "03": "Oslo",
    "11": "Rogaland",
    "15": "Møre og Romsdal",
    "18": "Nordland",
    "31": "Østfold",
    "32": "Akershus",
    "33": "Buskerud",
    "34": "Innlandet",
    "39": "Vestfold",
    "40": "Telemark",
    "42": "Agder",
    "46": "Vestland",
    "50": "Trøndelag",
    "55": "Troms",
    "56": "Finnmark",
}

# Older and parallel fylke names -> the 2024 fylker they cover.
_FYLKE_ALIASES: dict[str, tuple[str, ...]] = {
    "Viken": ("Østfold", "Akershus", "Buskerud"),
    "Vestfold og Telemark": ("Vestfold", "Telemark"),
    "Troms og Finnmark": ("Troms", "Finnmark"),
    "Romsa ja Finnmárku": ("Troms", "Finnmark"),
    "Hedmark": ("Innlandet",),
    "Oppland": ("Innlandet",),
    "Sør-Trøndelag": ("Trøndelag",),
    "Nord-Trøndelag": ("Trøndelag",),
    "Trööndelage": ("Trøndelag",),
    "Hordaland": ("Vestland",),
    "Sogn og Fjordane": ("Vestland",),
    "Aust-Agder": ("Agder",),
    "Vest-Agder": ("Agder",),
    "Romsa": ("Troms",),
    "Tromssa": ("Troms",),
    "Finnmárku": ("Finnmark",),
    "Finmarkku": ("Finnmark",),
}

# Register names (and aliases) that are also everyday words, in Norwegian or English.
COMMON_WORD_NAMES = frozenset(
    {
        # Rogaland
        "Lund", "Hå", "Time", "Sola", "Strand",
        # Møre og Romsdal
        "Sande", "Stranda", "Sula", "Rauma", "Aure", "Fjord", "Haram",
        # Nordland
        "Vega", "Grane", "Røst", "Bø",
        # Østfold, Akershus, Buskerud
        "Moss", "Hvaler", "Råde", "Marker", "Asker", "Ås", "Nes", "Hole", "Lier", "Flå", "Gol", "Ål", "Hol",
        # Innlandet
        "Stange", "Grue", "Åmot", "Os", "Lom", "Sel", "Øyer", "Gran", "Vang",
        # Telemark, Vestland
        "Tinn", "Stord", "Vik", "Alver", "Gulen", "Luster", "Stad", "Kinn",
        # Trøndelag
        "Osen", "Frosta", "Lierne", "Leka", "Heim",
        # Troms, Finnmark
        "Lyngen", "Loppa",
        # aliases
        "Rosse", "Raisi",
    }
)  # fmt: skip

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2212\\-"  # for use inside [...]
_SEPARATOR_RE = re.compile(rf"[\s{_DASHES}]+")
_SPACE_RE = re.compile(r"\s+")
_SAMI_LETTERS = str.maketrans({"ŋ": "n", "Ŋ": "N", "đ": "d", "Đ": "D", "ŧ": "t", "Ŧ": "T"})
_PREFIX_RE = re.compile(r"^(?:i|på|fra|frå|til|for|om|av)\s+", re.IGNORECASE)
_KOMMUNE_SUFFIX_RE = re.compile(r"\s+kommunes?$|\s+kommune['’]s$", re.IGNORECASE)
_CUE_RE = re.compile(r"\s+kommune", re.IGNORECASE)
_MIN_COMPOUND_LEN = 6


@dataclass(frozen=True)
class Kommune:
    """A Norwegian kommune as of 1 January 2024: number, Norwegian name, fylke and other accepted names."""

    nr: str
    name: str
    fylke: str
    aliases: tuple[str, ...] = ()


def nfc(text: str) -> str:
    """Return the text in Unicode NFC."""
    return unicodedata.normalize("NFC", text)


def _key(name: str) -> str:
    """Return the comparison key of a name: NFC, case-folded, each run of spaces and dashes one space."""
    return _SEPARATOR_RE.sub(" ", nfc(name).strip()).casefold()


def _sami_fold(name: str) -> str:
    """Return the name without Sámi diacritics (á, š, č, ŋ, đ, ŧ, ž); æ, ø and å stay."""
    decomposed = unicodedata.normalize("NFD", name.translate(_SAMI_LETTERS))
    return nfc("".join(c for c in decomposed if not unicodedata.combining(c) or c == "\u030a"))


@lru_cache(maxsize=1)
def load_register() -> tuple[Kommune, ...]:
    """Return all 357 kommuner of 1 January 2024 from assistant/core/data/kommuner_2024.csv, ordered by number."""
    raw = resources.files("assistant.core").joinpath("data/kommuner_2024.csv").read_text(encoding="utf-8")
    kommuner = []
    for row in csv.DictReader(io.StringIO(raw)):
        aliases = tuple(nfc(a.strip()) for a in (row.get("aliases") or "").split("|") if a.strip())
        nr, name, fylke = row["nr"].strip().zfill(4), nfc(row["name"].strip()), nfc(row["fylke"].strip())
        kommuner.append(Kommune(nr, name, fylke, aliases))
    return tuple(sorted(kommuner, key=lambda k: k.nr))


@lru_cache(maxsize=1)
def _fylke_index() -> dict[str, tuple[str, ...]]:
    """Return fylke-name keys (2024, older and parallel names) -> the 2024 fylker they cover."""
    index = {_key(name): (name,) for name in FYLKER.values()}
    index.update({_key(alias): fylker for alias, fylker in _FYLKE_ALIASES.items()})
    return index


def fylker_for(name: str) -> tuple[str, ...]:
    """Return the 2024 fylker a fylke name covers ("Viken" -> three), or () if it is no fylke."""
    key = _key(name)
    key = re.sub(r"\s+fylke(?:skommune)?$", "", key)
    return _fylke_index().get(key, ())


@lru_cache(maxsize=1)
def _name_index() -> dict[str, tuple[Kommune, ...]]:
    """Return lookup keys (names, aliases, Sámi-folded forms) -> the kommuner carrying them."""
    index: dict[str, list[Kommune]] = {}
    for kommune in load_register():
        for form in (kommune.name, *kommune.aliases):
            for variant in {_key(form), _key(_sami_fold(form))}:
                bucket = index.setdefault(variant, [])
                if kommune not in bucket:
                    bucket.append(kommune)
    return {key: tuple(value) for key, value in index.items()}


def _resolve_exact(name: str) -> tuple[Kommune, ...]:
    """Return the kommuner whose name or alias is exactly this name (any case, genitive allowed)."""
    index = _name_index()
    for candidate in (name, _sami_fold(name)):
        key = _key(candidate)
        if key in index:
            return index[key]
        if key.endswith(("'", "’")) and key[:-1] in index:
            return index[key[:-1]]
        if key.endswith(("'s", "’s")) and key[:-2] in index:
            return index[key[:-2]]
        if key.endswith("s") and key[:-1] in index and not key[:-1].endswith(("s", "x", "z")):
            return index[key[:-1]]
    return ()


def _resolve_base(name: str) -> tuple[Kommune, ...]:
    """Return the candidates for a name without fylke qualifier, also for "Sámi - Norwegian" forms."""
    name = _PREFIX_RE.sub("", name.strip())
    name = _KOMMUNE_SUFFIX_RE.sub("", name).strip()
    found = _resolve_exact(name)
    if found:
        return found
    parts = [p for p in re.split(rf"\s*[{_DASHES}/]\s*", name) if p.strip()]
    if len(parts) > 1:
        sets = [set(_resolve_exact(p)) for p in parts]
        if all(sets):
            common = set.intersection(*sets)
            return tuple(k for k in load_register() if k in common)
    return ()


def lookup_all(name: str) -> tuple[Kommune, ...]:
    """Return every kommune a name can mean ("Herøy" -> two, "Herøy (Nordland)" -> one, "Foo" -> ())."""
    text = _SPACE_RE.sub(" ", nfc(str(name))).strip().strip("\"'«»“”.,;:!?").strip()
    if not text:
        return ()
    if re.fullmatch(r"\d{4}", text):
        return tuple(k for k in load_register() if k.nr == text)
    qualified = (
        re.fullmatch(r"(?P<base>.+?)\s*\((?P<fylke>[^()]+)\)", text)
        or re.fullmatch(r"(?P<base>.+?)\s*,\s*(?P<fylke>[^,]+)", text)
        or re.fullmatch(r"(?P<base>.+?)\s+(?:i|på)\s+(?P<fylke>.+)", text, re.IGNORECASE)
    )
    if qualified and fylker_for(qualified["fylke"]):
        fylker = fylker_for(qualified["fylke"])
        return tuple(k for k in _resolve_base(qualified["base"]) if k.fylke in fylker)
    return _resolve_base(text)


def lookup(name: str) -> Kommune | None:
    """Return the one kommune a name means ("Trondheims", "i Frøya", "Kautokeino"), else None (unknown, ambiguous)."""
    found = lookup_all(name)
    return found[0] if len(found) == 1 else None


# --- free-text matching ------------------------------------------------------------------------


def _char_pattern(ch: str) -> str:
    """Return the regex for one character of a name key."""
    if ch == " ":  # a space or a dash in the name: "Nord-Aurdal", "Nord - Aurdal", "Indre Fosen"
        return rf"(?:\s*[{_DASHES}]\s*|\s+)"
    return re.escape(ch)


def _trie_pattern(words: Iterable[str]) -> str:
    """Return a regex matching any of the words, factored as a prefix trie (longest match first)."""
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, dict]) -> str:
        branches = [_char_pattern(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        if len(branches) == 1 and "" not in node:
            return branches[0]
        body = "(?:" + "|".join(branches) + ")"
        return body + "?" if "" in node else body

    return build(trie)


@dataclass(frozen=True)
class _Matcher:
    """The compiled kommune regex and what each matched key means."""

    regex: re.Pattern[str]
    fylke_cue: re.Pattern[str]
    fylke_anywhere: re.Pattern[str]
    kommuner: dict[str, tuple[Kommune, ...]]  # text key -> candidates
    common: dict[str, str]  # text key of a common-word form -> its exact capitalised form


@lru_cache(maxsize=1)
def _matcher() -> _Matcher:
    """Return the compiled matcher for all kommune names and aliases (built once)."""
    kommuner: dict[str, list[Kommune]] = {}
    common: dict[str, str] = {}
    for kommune in load_register():
        for form in (kommune.name, *kommune.aliases):
            key = _key(form)
            bucket = kommuner.setdefault(key, [])
            if kommune not in bucket:
                bucket.append(kommune)
            if form in COMMON_WORD_NAMES:
                common[key] = form
    names = _trie_pattern(sorted(kommuner, key=len, reverse=True))
    regex = re.compile(
        rf"(?<!\w)(?P<name>{names})(?P<suffix>['’]s?|s)?(?P<tail>[^\W\d_]*)(?!\w)",
        re.IGNORECASE,
    )
    fylker = _trie_pattern(sorted(_fylke_index(), key=len, reverse=True))
    fylke_cue = re.compile(rf"\s*(?:kommune\s*)?(?:\(\s*|,\s*|i\s+)(?P<fylke>{fylker})(?!\w)", re.IGNORECASE)
    fylke_anywhere = re.compile(rf"(?<!\w)(?P<fylke>{fylker})(?!\w)", re.IGNORECASE)
    return _Matcher(regex, fylke_cue, fylke_anywhere, {k: tuple(v) for k, v in kommuner.items()}, common)


def _accept(match: re.Match[str], text: str, matcher: _Matcher) -> str | None:
    """Return the matched name's key if the match is a kommune mention under the module's rules, else None."""
    raw = match["name"]
    key = _key(raw)
    suffix, tail = match["suffix"] or "", match["tail"]
    exact = matcher.common.get(key)
    if tail:
        # Genitive compound ("Trondheimsregionen"): long, non-common names followed by s + lowercase only.
        if suffix != "s" or not tail[0].islower() or exact or len(key) < _MIN_COMPOUND_LEN:
            return None
        if key.endswith(("s", "x", "z")):
            return None
    elif suffix == "s" and key.endswith(("s", "x", "z")):
        return None  # "Nes" + "s" is not a genitive of Nes
    if exact is not None and raw != exact and not _CUE_RE.match(text, match.end()):
        return None
    return key


def mentions_in(text: str) -> list[Kommune]:
    """Return one kommune per accepted mention in the text, in text order (repeats kept)."""
    text = nfc(text)
    matcher = _matcher()
    found: list[tuple[int, tuple[Kommune, ...]]] = []
    for match in matcher.regex.finditer(text):
        key = _accept(match, text, matcher)
        if key is None:
            continue
        candidates = matcher.kommuner[key]
        if len(candidates) > 1:
            cue = matcher.fylke_cue.match(text, match.end())
            if cue:
                fylker = fylker_for(cue["fylke"])
                candidates = tuple(k for k in candidates if k.fylke in fylker) or candidates
        found.append((match.start(), candidates))
    if not any(len(c) > 1 for _, c in found):
        return [c[0] for _, c in found]
    # Second pass for ambiguous names: the one candidate fylke that the text names or whose kommuner it mentions.
    context = {k.fylke for _, c in found if len(c) == 1 for k in c}
    context |= {f for m in matcher.fylke_anywhere.finditer(text) for f in fylker_for(m["fylke"])}
    result = []
    for _, candidates in found:
        if len(candidates) > 1:
            candidates = tuple(k for k in candidates if k.fylke in context)
        if len(candidates) == 1:
            result.append(candidates[0])
    return result


def find_kommuner(text: str) -> list[Kommune]:
    """Return the kommuner mentioned in the text, in order of first mention, without duplicates."""
    return list(dict.fromkeys(mentions_in(text)))


def fylker_in(text: str) -> list[str]:
    """Return the 2024 fylker named in the text (old names count for all they cover), in order."""
    found = (f for m in _matcher().fylke_anywhere.finditer(nfc(text)) for f in fylker_for(m["fylke"]))
    return list(dict.fromkeys(found))


# --- year ----------------------------------------------------------------------------------------
