"""The residents' summary: plain sentences from what the page knows, each with a source; quotes apart; no repeats."""

from __future__ import annotations

import pytest

from assistant.app import App
from assistant.core.goals import goal
from assistant.core.models import Chunk, Citation
from assistant.services.catalog import DocumentInfo
from assistant.services.goals import GoalEvidence, GoalStatus
from assistant.services.kommunestatus import Mention
from assistant.services.resident_summary import (
    Fact,
    Quote,
    ResidentSummary,
    count_word,
    plain_facts,
    plainer,
)


def doc(title: str, year: int | None) -> DocumentInfo:
    return DocumentInfo(f"{title}.pdf", title, ["Trondheim"], year)


def status(number: int, passages: int) -> GoalStatus:
    return GoalStatus(goal(number), passages, GoalEvidence("Setning.", "T", "t.pdf", 1, 0.9) if passages else None)


def test_a_kommune_without_documents_is_told_plainly():
    facts = plain_facts("Hitra", [], [], [], [])
    assert [f.text for f in facts] == ["Vi har ingen dokumenter om Hitra ennå."] and facts[0].source == "dokumentlisten"


def test_one_document_and_a_missing_report():
    missing = [Mention("Bærekraftsrapport Frøya 2024", "Frøya", 2024, "nettverk.txt", None)]
    facts = plain_facts("Frøya", [doc("Klimaplan Frøya", 2022)], missing, [], [])
    assert [f.text for f in facts] == ["Vi har ett dokument om Frøya.", "Det nyeste er fra 2022.",
                                       "Bærekraftsrapport for 2024 finnes, men vi har den ikke ennå."]


def test_many_documents_the_goals_spoken_of_most_and_the_quoted_topics():
    docs = [doc("A", 2021), doc("B", 2024), doc("C", None)]
    goals = [status(3, 2), status(11, 9), status(13, 5), status(16, 0)]
    facts = plain_facts("Trondheim", docs, [], goals, [(1, "klima"), (2, "innbyggerne")])
    texts = [f.text for f in facts]
    assert texts[:3] == ["Vi har tre dokumenter om Trondheim.", "Det nyeste er fra 2024.", "Mest står det om mål 11 og mål 13."]
    assert "Om klima står det noe under [1]." in texts and "Om innbyggerne står det noe under [2]." in texts
    assert all(f.source for f in facts)  # no sentence without a source
    summary = ResidentSummary("Trondheim", facts)
    assert summary.longest <= 15 and summary.repeats() == 0


@pytest.mark.parametrize("n, expected", [(1, "ett dokument"), (2, "to dokumenter"), (10, "ti dokumenter"),
                                         (12, "12 dokumenter")])
def test_counts_are_written_as_words_when_small(n, expected):
    assert count_word(n, "dokument", "dokumenter") == expected


def test_repeats_are_counted_over_plain_and_quoted_sentences():
    facts = [Fact("Vi har ett dokument om Stad.", "dokumentlisten")]
    chunk = Chunk("c", "Vi har ett dokument om Stad.", "t.txt", "T", None, "", 0, 28, {})
    quote = Quote(1, "klima", "Vi har ett dokument om Stad [1].", Citation(1, chunk, "Vi har ett dokument om Stad.", True))
    assert ResidentSummary("Stad", facts, [quote]).repeats() == 1


class Chat:
    name = "scripted"

    def __init__(self, reply: str) -> None:
        self.reply = reply

    def stream(self, messages, **kwargs):
        yield self.reply


QUOTE = "Trondheim kommune har vedtatt en ambisiøs klimaplan med mål om 80 prosent reduksjon i klimagassutslipp innen 2030."


@pytest.mark.parametrize("reply, kept", [
    ("Trondheim vil kutte 80 prosent av utslippene innen 2030.", True),
    ("Trondheim vil kutte utslippene mye.", False),  # the numbers are lost
    ("Kommunen vil kutte 80 prosent innen 2030.", False),  # the name is lost
    (QUOTE, False),  # not plainer: the same
])
def test_a_plainer_rewrite_keeps_every_number_and_name(reply, kept):
    got = plainer(QUOTE, Chat(reply), lambda claim, quote: True)
    assert (got == reply) is kept


def test_a_rewrite_the_quote_does_not_back_is_not_shown():
    assert plainer(QUOTE, Chat("Trondheim vil kutte 80 prosent av utslippene innen 2030."), lambda c, q: False) == ""
    assert plainer(QUOTE, None, lambda c, q: True) == ""


# slow: ingests the whole corpus again and makes three summaries (~45 s under load); a real summary of the real
# corpus stays quick in tests/test_cli_kommune.py and on the Kommunestatus page in tests/ui/test_app.py
@pytest.mark.slow
def test_the_app_makes_a_summary_once_per_store_generation_and_shares_it(corpus_settings, e5, tmp_path):
    """Every visitor after the first gets the summary made for this store; a change to the store makes it again."""
    settings = corpus_settings.model_copy(update={"data_dir": tmp_path / "data"})
    app = App(settings, e5)
    app.ingester().ingest([corpus_settings.corpus_dir], progress=False)
    first = app.resident_summary("Trondheim", "extractive")
    assert first.quotes and first.seconds > 0
    assert app.resident_summary("Trondheim", "extractive") is first  # shared, not made again
    assert App(settings, e5).resident_summary("Trondheim", "extractive") is not first  # another app makes its own
    note = tmp_path / "trondheim-notat.txt"
    note.write_text("Trondheim kommune\n\nTrondheim kommune planter 500 trær i parkene for naturen.\n", encoding="utf-8")
    app.ingester().ingest([note], progress=False)
    again = app.resident_summary("Trondheim", "extractive")
    assert again is not first and app.resident_summary("Trondheim", "extractive") is again
