"""The residents' summary of a kommune: plain sentences the product writes from what it knows, then quotes.

A resident should read it without effort and trust every word, so it has two parts, never mixed:
- plain sentences built from facts the page already holds: which documents there are (how many, the
  newest), what is missing (a report named in the corpus but not ingested), which goals the documents
  speak of most, and which topics the documents speak to. Short sentences in common words, each with
  its source (the document list, the goal assignment, or the quotes below);
- "Fra dokumentene:" the documents' own statements, one per topic a resident asks about (klima,
  natur, innbyggerne, samarbeid), chosen by the product's reader (the trained scorer) over the
  kommune's documents, each cited. With a language model, a quote may be rewritten more plainly: the
  rewrite is shown only when it keeps every number and name of the quote, the quote backs it, and
  it reads plainer (lower LIX); otherwise the quote stays.
No sentence is shown twice (after case, spacing and citation marks), and no source sentence backs two.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from assistant.answering.evidence import candidates
from assistant.answering.pipeline import sameness
from assistant.answering.readers import quote_text
from assistant.answering.support import claim_facts
from assistant.core.kommuner import lookup
from assistant.core.models import Citation, Evidence
from assistant.core.readability import lix

if TYPE_CHECKING:
    from assistant.answering.pipeline import Assistant
    from assistant.llm.base import ChatModel
    from assistant.services.catalog import DocumentInfo
    from assistant.services.goals import GoalStatus
    from assistant.services.kommunestatus import Mention

# What a resident asks about, as the question the reader answers from the kommune's documents.
TOPICS = (
    ("klima", "Hva gjør {k} for klimaet og miljøet?"),
    ("naturen", "Hva gjør {k} for naturen og arealene?"),
    ("innbyggerne", "Hvordan kan innbyggerne i {k} være med og si sin mening?"),
    ("samarbeid", "Hvem samarbeider {k} kommune med om bærekraft?"),
)
NUMBERS = {1: "ett", 2: "to", 3: "tre", 4: "fire", 5: "fem", 6: "seks", 7: "sju", 8: "åtte", 9: "ni", 10: "ti"}
REWRITE_PROMPT = ("Skriv setningen om med enkle ord for en innbygger. Korte setninger. Behold alle tall og navn. "
                  "Ikke legg til noe. Svar bare med den nye teksten.")


@dataclass(frozen=True)
class Fact:
    """One plain sentence the product writes, and where it comes from."""

    text: str
    source: str  # "dokumentlisten", "bærekraftsmålene", or "sitat N" (the quote below it rests on)


@dataclass(frozen=True)
class Quote:
    """A statement from the documents under "Fra dokumentene:", cited; `plain` when a model rewrote it plainer."""

    n: int
    topic: str
    text: str  # the document's own words
    citation: Citation  # where they stand (file, page, passage)
    plain: str = ""  # a plainer rewrite that kept every number and name and is backed by the quote

    @property
    def title(self) -> str:
        """Return the title of the quoted document."""
        return self.citation.chunk.title

    @property
    def source(self) -> str:
        """Return the file the quote stands in."""
        return self.citation.chunk.source

    @property
    def page(self) -> int | None:
        """Return the page the quote stands on (None for a file without pages)."""
        return self.citation.chunk.page

    @property
    def shown(self) -> str:
        """Return what the page shows for the quote: the plain rewrite when there is one, else the words."""
        return self.plain or self.text


@dataclass
class ResidentSummary:
    """The plain part and the quotes of a kommune's summary, with the figures the benchmark prints."""

    kommune: str
    facts: list[Fact]
    quotes: list[Quote] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def plain_text(self) -> str:
        """Return the plain sentences as one text."""
        return " ".join(f.text for f in self.facts)

    @property
    def lix(self) -> float:
        """Return the LIX of the plain part."""
        return lix(self.plain_text) if self.facts else 0.0

    @property
    def longest(self) -> int:
        """Return the number of words of the longest plain sentence."""
        return max((len(f.text.split()) for f in self.facts), default=0)

    def sentences(self) -> list[str]:
        """Return every sentence shown, plain and quoted, in order."""
        return [f.text for f in self.facts] + [q.shown for q in self.quotes]

    def repeats(self) -> int:
        """Return how many shown sentences repeat an earlier one (after case, spacing and citation marks)."""
        keys = [sameness(s) for s in self.sentences()]
        return len(keys) - len(set(keys))

    def to_dict(self) -> dict:
        """Return the summary as JSON-ready data."""
        return {"kommune": self.kommune, "plain": [{"text": f.text, "source": f.source} for f in self.facts],
                "quotes": [{"n": q.n, "topic": q.topic, "text": q.text, "plain": q.plain, "title": q.title,
                            "source": q.source, "page": q.page} for q in self.quotes],
                "lix": round(self.lix, 1), "longest_sentence_words": self.longest, "seconds": round(self.seconds, 3)}


def count_word(n: int, one: str, many: str) -> str:
    """Return "ett dokument", "to dokumenter", "12 dokumenter"."""
    return f"{NUMBERS.get(n, str(n))} {one if n == 1 else many}"


def plain_facts(kommune: str, documents: Sequence[DocumentInfo], missing: Sequence[Mention],
                goals: Sequence[GoalStatus], topics: Sequence[tuple[int, str]]) -> list[Fact]:
    """Return the plain sentences about a kommune: documents, what is missing, goals, and the topics quoted below."""
    if not documents:
        facts = [Fact(f"Vi har ingen dokumenter om {kommune} ennå.", "dokumentlisten")]
    else:
        facts = [Fact(f"Vi har {count_word(len(documents), 'dokument', 'dokumenter')} om {kommune}.", "dokumentlisten")]
        years = sorted({d.year for d in documents if d.year})
        if years:
            facts.append(Fact(f"Det nyeste er fra {years[-1]}.", "dokumentlisten"))
    for mention in list(missing)[:2]:
        kind = mention.title.split()[0].capitalize()
        facts.append(Fact(f"{kind} for {mention.year} finnes, men vi har den ikke ennå.", "dokumentlisten"))
    covered = sorted((g for g in goals if g.covered), key=lambda g: -g.passages)[:2]
    if covered:
        names = " og ".join(f"mål {g.goal.number}" for g in covered)
        facts.append(Fact(f"Mest står det om {names}.", "bærekraftsmålene"))
        for g in covered:
            facts.append(Fact(f"Mål {g.goal.number} er «{g.goal.name.lower()}».", "bærekraftsmålene"))
    for n, topic in topics:
        facts.append(Fact(f"Om {topic} står det noe under [{n}].", f"sitat {n}"))
    return facts


def pick_quotes(kommune: str, quoting: Assistant, limit: int = 3, shortlist: int | None = None
                ) -> list[tuple[str, Evidence]]:
    """Return (topic, best sentence) per resident topic the kommune's documents answer, never one sentence twice.

    The trained scorer reads `shortlist` sentences per topic (the answer's own shortlist when None): the
    topics are broad, so a short list picks the same quotes in a fraction of the time (`bench_summary`).
    """
    chosen: list[tuple[str, Evidence]] = []
    for topic, template in TOPICS:
        question = template.format(k=kommune)
        passages = quoting.retriever.search(question, k=quoting.config.k, filters={"kommune": kommune})
        ranked = quoting.scorer.rank(question, candidates(passages, quoting.config.k), shortlist)
        fresh = [e for e in ranked if all(sameness(e.text) != sameness(c.text) for _, c in chosen)]
        if fresh and fresh[0].support >= quoting.threshold("nb"):
            chosen.append((topic, fresh[0]))
        if len(chosen) == limit:
            break
    return chosen


def plainer(quote: str, chat: ChatModel | None, backs) -> str:  # backs: (claim, quote) -> bool
    """Return a model's plainer rewrite of the quote when it keeps its numbers and names, is backed and reads plainer."""
    if chat is None:
        return ""
    messages = [{"role": "system", "content": REWRITE_PROMPT}, {"role": "user", "content": quote}]
    try:
        text = "".join(chat.stream(messages, max_tokens=120, temperature=0.0)).strip().strip('"«»')
    except Exception:  # noqa: BLE001 - a failing model leaves the quote as it is
        return ""
    numbers, names = claim_facts(quote)
    first = quote.split()[0].strip(".,:;") if quote.split() else ""
    if first and lookup(first) is not None:  # a kommune named first is a name too
        names = names | {first.casefold()}
    kept = {value for value, _ in claim_facts(text)[0]}
    if not text or not {value for value, _ in numbers} <= kept or not all(n in text.casefold() for n in names):
        return ""  # a number or a name of the quote was lost
    if sameness(text) == sameness(quote) or lix(text) >= lix(quote) or not backs(text, quote):
        return ""
    return text


def summarize_for_residents(kommune: str, documents: Sequence[DocumentInfo], missing: Sequence[Mention],
                            goals: Sequence[GoalStatus], quoting: Assistant, chat: ChatModel | None = None,
                            shortlist: int | None = None) -> ResidentSummary:
    """Return the kommune's summary: plain sentences with their sources, then cited quotes (plainer with a model)."""
    started = time.perf_counter()
    picked = pick_quotes(kommune, quoting, shortlist=shortlist) if documents else []
    quotes: list[Quote] = []
    for n, (topic, evidence) in enumerate(picked, start=1):
        words = quote_text(evidence)

        def backs(claim: str, _quote: str, evidence: Evidence = evidence) -> bool:
            ok, _, _ = quoting.scorer.backs(claim, [evidence], quoting.claim_threshold("nb"))
            return ok

        quotes.append(Quote(n, topic, words, Citation(n, evidence.chunk, evidence.text, True),
                            plainer(words, chat, backs)))
    facts = plain_facts(kommune, documents, missing, goals, [(q.n, q.topic) for q in quotes])
    return ResidentSummary(kommune, facts, quotes, time.perf_counter() - started)
