"""Metadata stage: year, document type and per-document metadata (kommuner from the register in assistant.core)."""

from __future__ import annotations

import datetime
import re
from collections import Counter
from typing import Any, Iterable

from assistant.core.kommuner import (
    Kommune,
    find_kommuner,
    fylker_for,
    fylker_in,
    lookup_all,
    mentions_in,
    nfc,
)

DOC_TYPES = ("bærekraftsrapport", "plan", "presentasjon", "rapport", "nettside", "annet")

_YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
_MONTHS = (
    r"januar|februar|mars|april|mai|juni|juli|august|september|oktober|november|desember"
    r"|jan|feb|mar|apr|jun|jul|aug|sept|sep|okt|nov|des"
)
_DATE = (
    rf"(?:\d{{1,2}}\.\s?\d{{1,2}}\.\s?(?P<y1>(?:19|20)\d\d)"
    rf"|\d{{1,2}}\.?\s+(?:{_MONTHS})\.?\s+(?P<y2>(?:19|20)\d\d)"
    rf"|(?P<y3>(?:19|20)\d\d)-\d\d-\d\d"
    rf"|(?:{_MONTHS})\.?\s+(?P<y4>(?:19|20)\d\d)"
    rf"|(?P<y5>(?:19|20)\d\d))(?!\d)"
)
_LABELLED_DATE_RE = re.compile(
    rf"(?<!\w)(?P<label>sist\s+(?:oppdatert|endret|revidert)|oppdatert|publisert|revidert|endret|datert|dato|utgitt"
    rf"|vedtatt)\s*:?\s*(?:den\s+|i\s+|av\s+\w+\s+)?{_DATE}",
    re.IGNORECASE,
)


def _latest_plausible_year() -> int:
    """Return the latest year a document can plausibly be from: next year."""
    return datetime.date.today().year + 1


def detect_year(text: str, title: str = "") -> int | None:
    """Return the document's year (title year, else labelled date, else most frequent year in the text), or None."""
    # Order: a title year up to next year ("Bærekraftsrapport Frøya 2024"); a labelled date in the text
    # ("Sist oppdatert 15.11.2022", "Publisert 3. mars 2021"; "Vedtatt ..." only if no other label; the
    # latest wins); the most frequent year 1990..next year in the text (ties: the later one); finally a
    # future title year. Future years are targets, not dates: "Klimaplan 2030", "Agenda 2030", "innen 2050".
    latest = _latest_plausible_year()
    title_years = [int(y) for y in _YEAR_RE.findall(nfc(title or "")) if 1990 <= int(y) <= 2100]
    for year in title_years:
        if year <= latest:
            return year
    text = nfc(text or "")
    labelled: dict[bool, list[int]] = {True: [], False: []}
    for match in _LABELLED_DATE_RE.finditer(text):
        year = int(next(y for y in match.group("y1", "y2", "y3", "y4", "y5") if y))
        if 1990 <= year <= latest:
            labelled[match["label"].lower() != "vedtatt"].append(year)
    for preferred in (True, False):
        if labelled[preferred]:
            return max(labelled[preferred])
    counts = Counter(int(y) for y in _YEAR_RE.findall(text) if 1990 <= int(y) <= latest)
    if counts:
        return max(counts, key=lambda y: (counts[y], y))
    return title_years[0] if title_years else None


# --- document type -------------------------------------------------------------------------------

_SUSTAINABILITY_REPORT_RE = re.compile(
    r"bærekraft\w*rapport|bærekraft\w*regnskap|bærekraftsstatus|sustainability\s+report"
    r"|rapport\w*\s+(?:om|for|på|til)\s+(?:\w+\s+)?bærekraft",
    re.IGNORECASE,
)
_TYPE_WORDS = (
    (
        "plan",
        r"\w*plan(?:en|ens|er|ene|enes|ar|ane|s|program\w*|beskrivelse\w*)?(?!\w)"
        r"|\w*strategi\w*|handlingsprogram\w*|samfunnsdel\w*|arealdel\w*",
    ),
    ("presentasjon", r"\w*presentasjon\w*|foredrag\w*|lysark\w*|slides"),
    ("rapport", r"\w*rapport\w*|årsmelding\w*|evaluering\w*|utredning\w*|kartlegging\w*"),
)
_TYPE_RE = re.compile("|".join(f"(?P<{name}>(?<!\\w)(?:{words}))" for name, words in _TYPE_WORDS), re.IGNORECASE)
_SELF_REFERENCE_RE = re.compile(r"(?<!\w)(?:denne|dette|vår|vårt)\s+(?P<noun>\w+)", re.IGNORECASE)
_PRESENTATION_SUFFIXES = {"ppt", "pptx", "pps", "ppsx", "odp", "key"}
_WEB_SUFFIXES = {"html", "htm", "xhtml", "php", "aspx"}


def _type_from_words(text: str) -> str | None:
    """Return the type of the earliest plan/presentation/report word in the text, or None."""
    match = _TYPE_RE.search(text)
    return match.lastgroup if match else None


def detect_doc_type(title: str, text: str, suffix: str = "") -> str:
    """Return the document type: "bærekraftsrapport", "plan", "presentasjon", "rapport", "nettside" or "annet"."""
    title = nfc(title or "")
    suffix = (suffix or "").lower().lstrip(".")
    if _SUSTAINABILITY_REPORT_RE.search(title):
        return "bærekraftsrapport"
    if suffix in _PRESENTATION_SUFFIXES:
        return "presentasjon"
    if suffix in _WEB_SUFFIXES:
        return "nettside"
    found = _type_from_words(title)
    if found:
        return found
    head = nfc((text or "")[:3000])
    first_line = next((line.strip() for line in head.splitlines() if line.strip()), "")[:200]
    if _SUSTAINABILITY_REPORT_RE.search(first_line):
        return "bærekraftsrapport"
    found = _type_from_words(first_line)
    if found:
        return found
    for match in _SELF_REFERENCE_RE.finditer(head):  # "Denne rapporten ...", "Vår plan ..."
        noun = match["noun"]
        found = "bærekraftsrapport" if _SUSTAINABILITY_REPORT_RE.search(noun) else _type_from_words(noun)
        if found:
            return found
    return "annet"


# --- document metadata ---------------------------------------------------------------------------


def _dominant(mentions: list[Kommune]) -> Kommune | None:
    """Return the kommune that clearly dominates the mentions (≥2, twice the runner-up, ≥40 %), else None."""
    if not mentions:
        return None
    ranked = Counter(mentions).most_common(2)
    top, count = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0
    if count >= 2 and count >= 2 * second and count >= 0.4 * len(mentions):
        return top
    return None


def _entry_kommuner(names: Any, fylke_hint: tuple[str, ...]) -> list[Kommune]:
    """Return the manifest's kommune names as Kommune objects; raise ValueError naming a bad one."""
    if isinstance(names, str):
        names = [names]
    result: list[Kommune] = []
    for name in names or []:
        candidates = lookup_all(str(name))
        if len(candidates) > 1 and fylke_hint:
            candidates = tuple(k for k in candidates if k.fylke in fylke_hint)
        if not candidates:
            raise ValueError(f"manifest names {name!r}, which is not a Norwegian kommune (2024 register)")
        if len(candidates) > 1:
            options = ", ".join(f"{k.name} ({k.fylke})" for k in candidates)
            raise ValueError(f"manifest kommune {name!r} is ambiguous: write one of {options}")
        if candidates[0] not in result:
            result.append(candidates[0])
    return result


def _names(kommuner: Iterable[Kommune]) -> list[str]:
    """Return the kommune names, without repeats, in order."""
    return list(dict.fromkeys(k.name for k in kommuner))


def document_meta(title: str, text: str, suffix: str, entry: dict | None) -> dict:
    """Return the flat metadata dict stored with every chunk of a document (manifest entry values win)."""
    # kommuner: what the document is ABOUT: the entry's "kommuner" (and/or "kommune", the primary), else the
    #   kommuner in the title, else the one kommune that dominates the text (a mere list gives none).
    # kommune / kommune_nr: the primary kommune, the first of `kommuner` (the entry's "kommune" if given);
    #   "" when `kommuner` is empty (regional and national documents). fylke: the entry's, else the primary
    #   kommune's, else (no kommuner) the one fylke named in the title.
    # mentioned_kommuner: every kommune named in title or text. year: 0 when unknown (Chroma has no None).
    # Entry names are validated: an unknown or ambiguous kommune, an unknown fylke, doc_type or year
    # raises ValueError naming it.
    entry = dict(entry or {})
    title = str(entry.get("title") or title or "")
    text = text or ""
    mentions = mentions_in(f"{title}\n{text}")

    fylke = ""
    fylke_hint: tuple[str, ...] = ()
    if entry.get("fylke"):
        fylke_hint = fylker_for(str(entry["fylke"]))
        if len(fylke_hint) != 1:
            raise ValueError(f"manifest names fylke {entry['fylke']!r}, which is not one of the 2024 fylker")
        fylke = fylke_hint[0]

    if entry.get("kommuner") is not None or entry.get("kommune"):
        about = _entry_kommuner(entry.get("kommuner") or [], fylke_hint)
        if entry.get("kommune"):
            primary = _entry_kommuner([entry["kommune"]], fylke_hint)[0]
            about = [primary, *(k for k in about if k != primary)]
    else:
        about = find_kommuner(title)
        if not about:
            dominant = _dominant(mentions_in(text))
            about = [dominant] if dominant else []

    primary_kommune = about[0] if about else None
    if not fylke:
        if primary_kommune:
            fylke = primary_kommune.fylke
        else:
            named = fylker_in(title)
            fylke = named[0] if len(named) == 1 else ""

    if entry.get("year") not in (None, "", 0):
        try:
            year = int(entry["year"])
        except (TypeError, ValueError):
            raise ValueError(f"manifest year {entry['year']!r} is not a year") from None
    else:
        year = detect_year(text, title) or 0

    if entry.get("doc_type"):
        doc_type = str(entry["doc_type"]).strip().lower()
        if doc_type not in DOC_TYPES:
            raise ValueError(f"manifest doc_type {entry['doc_type']!r} is not one of {', '.join(DOC_TYPES)}")
    else:
        doc_type = detect_doc_type(title, text, suffix)

    return {
        "kommune": primary_kommune.name if primary_kommune else "",
        "kommune_nr": primary_kommune.nr if primary_kommune else "",
        "fylke": fylke,
        "kommuner": _names(about),
        "mentioned_kommuner": _names(mentions),
        "year": year,
        "doc_type": doc_type,
        "publisher": str(entry.get("publisher") or ""),
    }
