"""Kommunestatus for residents: what the corpus holds on a kommune, a cited plain-language summary, questions to ask."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from assistant.core.kommuner import lookup
from assistant.core.models import Answer
from assistant.core.readability import lix
from assistant.core.text import cited_numbers, has_words, split_sentences

if TYPE_CHECKING:
    from assistant.answering.pipeline import Assistant
    from assistant.services.catalog import Catalog

# Kinds of municipal documents whose titles name a kommune and a year ("Bærekraftsrapport Holtålen 2023").
DOC_KINDS = (
    r"Bærekrafts?rapport|Bærekrafts?profil|Ståstedsanalyse|Klimaplan|Klima- og energiplan|Klimaregnskap|"
    r"Klimabudsjett|Samfunnsplan|Kommuneplanens samfunnsdel|Årsrapport|Årsmelding|Handlingsplan"
)
MENTION = re.compile(
    rf"\b(?P<kind>{DOC_KINDS})\s+(?:for\s+)?(?P<name>[A-ZÆØÅ][\w\-]+(?:\s+[A-ZÆØÅ][\w\-]+)?)(?:\s+kommune)?"
    r"\s+(?P<year>(?:19|20)\d\d)\b"
)
PLAIN_STYLE = (
    "Skriv for en innbygger: korte setninger på under 15 ord, vanlige ord, ingen fagord. "
    "Bare det kildene sier, med [n] etter hver setning."
)
SUMMARY_QUESTION = "Hvordan arbeider {k} kommune med bærekraft og FNs bærekraftsmål?"
# Questions residents ask; those the corpus can answer for the kommune are suggested.
QUESTION_TEMPLATES = (
    "Hvordan arbeider {k} kommune med bærekraftsmålene?",
    "Hva gjør {k} for klima og miljø?",
    "Hvordan kan innbyggerne i {k} si sin mening?",
    "Hva er målene i samfunnsplanen til {k}?",
    "Hvem samarbeider {k} kommune med om bærekraft?",
    "Hva er FN-senteret i {k}?",
    "Har {k} en bærekraftsrapport?",
    "Hva gjør {k} for barn og unge?",
    "Hvordan jobber {k} med boliger og byutvikling?",
    "Hva gjør {k} med matsvinn og avfall?",
)


@dataclass(frozen=True)
class Mention:
    """A document named in the corpus (e.g. on a network page) that is not itself ingested."""

    title: str
    kommune: str
    year: int
    source: str  # the ingested document that names it
    page: int | None


@dataclass
class StatusSummary:
    """A cited plain-language summary of what the documents say about a kommune."""

    kommune: str
    answer: Answer
    text: str  # only the sentences the citation check backed
    lix: float
    dropped: list[str] = field(default_factory=list)  # sentences left out because no passage backed them

    @property
    def empty(self) -> bool:
        """Return True when nothing cited could be said."""
        return not self.text


def _normal_title(title: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"\(pdf\)", "", title.lower())).strip()


def find_mentions(records: Iterable[tuple[str, str, dict]]) -> dict[str, list[Mention]]:
    """Return the documents named in the passages, by kommune (resolved in the kommune register), deduplicated."""
    found: dict[str, dict[str, Mention]] = {}
    for _, text, meta in records:
        for match in MENTION.finditer(text or ""):
            name = match.group("name")
            kommune = lookup(name) or lookup(name.split()[0])
            if kommune is None:
                continue
            title = re.sub(r"\s+", " ", match.group(0)).strip()
            page = int(meta.get("page") or 0) or None
            found.setdefault(kommune.name, {}).setdefault(
                _normal_title(title),
                Mention(title, kommune.name, int(match.group("year")), str(meta.get("source", "")), page),
            )
    return {k: sorted(v.values(), key=lambda m: (-m.year, m.title)) for k, v in found.items()}


def not_ingested(kommune: str, mentions: dict[str, list[Mention]], catalog: Catalog) -> list[Mention]:
    """Return the documents named for the kommune whose title matches no ingested document's title."""
    titles = [_normal_title(doc.title) for doc in catalog.documents]
    return [m for m in mentions.get(kommune, []) if not any(_normal_title(m.title) in t for t in titles)]


def supported_text(answer: Answer) -> tuple[str, list[str]]:
    """Return the answer's cited, backed sentences joined, and the sentences dropped for lack of support."""
    if answer.refused:
        return "", []
    unsupported = {s.strip() for s in answer.unsupported}
    backed = {c.n for c in answer.citations if c.supported}
    kept, dropped = [], []
    for sentence in split_sentences(answer.text):
        numbers = cited_numbers(sentence)
        if not has_words(sentence):
            continue
        if numbers and sentence.strip() not in unsupported and all(n in backed for n in numbers):
            kept.append(sentence.strip())
        elif sentence.strip():
            dropped.append(sentence.strip())
    return " ".join(kept), dropped


def summarize(kommune: str, assistant: Assistant) -> StatusSummary:
    """Return a plain-language summary of the kommune's passages, keeping only cited, backed sentences, with its LIX."""
    # the kommune's own documents are the evidence: no gate, so every kommune with a document gets a summary
    answer = assistant.ask(SUMMARY_QUESTION.format(k=kommune), filters={"kommune": kommune}, style=PLAIN_STYLE,
                           gate=False)
    text, dropped = supported_text(answer)
    return StatusSummary(kommune, answer, text, lix(text) if text else 0.0, dropped)


def suggested_questions(kommune: str, quoting: Assistant, limit: int = 4) -> list[str]:
    """Return up to `limit` template questions the corpus can answer for the kommune, each from a different passage.

    A question qualifies when the best sentence of the kommune's passages clears the support gate:
    the same check a real answer must pass.
    """
    chosen: list[str] = []
    used: set[str] = set()
    for template in QUESTION_TEMPLATES:
        question = template.format(k=kommune)
        passages = quoting.retriever.search(question, k=3, filters={"kommune": kommune})
        ranked = quoting.evidence_for(question, passages)
        if not ranked or passages[0].id in used or ranked[0].support < quoting.threshold("nb"):
            continue
        used.add(passages[0].id)
        chosen.append(question)
        if len(chosen) == limit:
            break
    return chosen
