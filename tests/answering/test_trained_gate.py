"""The trained score's parts in the answer stages, with a scripted scorer: gate, shortlist, claims that state another
relation, repeats. (The real trained scorer is tested in tests/index/test_scorer.py and through the corpus.)"""

from __future__ import annotations

import json

import pytest

from assistant.answering.evidence import candidates
from assistant.answering.pipeline import Assistant
from assistant.answering.readers import ExtractiveReader, LLMReader
from assistant.answering.support import SupportScorer, SupportWeights
from assistant.app import answer_config
from assistant.core.models import Answer
from assistant.core.settings import get_settings
from tests.answering.test_reading import FN, PLAN, ScriptedChat, StaticRetriever


class ScriptedScorer:
    """Scores a sentence by the first key it contains (0 when none): what a trained scorer would say."""

    def __init__(self, table: dict[str, float]) -> None:
        self.table, self.read = table, []

    def scores(self, question, sentences, leads=None):
        self.read.append(list(sentences))
        return [next((v for k, v in self.table.items() if k in s), 0.0) for s in sentences]


PANEL = {"50 personer ble trukket ut": 5.0, "370 ville delta": 1.0, "4000 SMS-er": 0.5}


def bot(table, reply=None, shortlist=16, **settings) -> Assistant:
    values = dict(support_threshold=0.05, support_threshold_en=0.05, answer_threshold=2.0, answer_threshold_en=1.5,
                  claim_margin=2.0) | settings
    s = get_settings(**values)
    scorer = SupportScorer(SupportWeights(threshold=0.05, shortlist=shortlist), None, None, ScriptedScorer(table))
    reader = LLMReader(ScriptedChat(json.dumps(reply, ensure_ascii=False))) if reply else ExtractiveReader(
        min_support=s.answer_threshold)
    return Assistant(answer_config(s), StaticRetriever([FN, PLAN]), reader, scorer,
                     quoter=ExtractiveReader(min_support=2.0))


def ask(assistant: Assistant, question: str) -> tuple[str, Answer]:
    items = list(assistant.stream(question))
    return "".join(items[:-1]), items[-1]


def ids_of(assistant: Assistant, question: str, *texts: str) -> list[int]:
    ranked = assistant.evidence_for(question, [FN, PLAN])[: assistant.config.reader_sentences]
    return [next(i for i, e in enumerate(ranked, 1) if t in e.text) for t in texts]


@pytest.mark.parametrize("claim", [
    "370 residents were picked for the Trondheim panel.",
    "370 innbyggere ble valgt ut til panelet.",
    "370 innbyggjarar vart valde ut.",
])
def test_a_claim_whose_sentence_states_another_relation_is_never_shown(claim):
    probe = bot(PANEL)
    cited = ids_of(probe, "Hvor mange ble valgt ut til panelet?", "370 ville delta")
    text, answer = ask(bot(PANEL, {"sentences": cited, "answer": claim}), "Hvor mange ble valgt ut til panelet?")
    assert "370" not in text and "50 personer ble trukket ut" in text  # quoted instead, and says so
    assert answer.unsupported == [claim] and answer.notes


def test_a_claim_from_a_sentence_near_the_best_is_shown():
    probe = bot(PANEL)
    cited = ids_of(probe, "Hvor mange ble valgt ut?", "50 personer ble trukket ut")
    text, answer = ask(bot(PANEL, {"sentences": cited, "answer": "50 personer ble trukket ut til panelet."}),
                       "Hvor mange ble valgt ut?")
    assert text == "50 personer ble trukket ut til panelet [1]." and not answer.unsupported


@pytest.mark.parametrize("best, english, refused", [
    (1.9, False, True), (2.1, False, False), (1.4, True, True), (1.6, True, False)])
def test_the_gate_is_the_trained_score_of_the_best_sentence_per_language(best, english, refused):
    question = "How many were picked?" if english else "Hvor mange ble plukket ut?"
    _, answer = ask(bot({"50 personer ble trukket ut": best}), question)
    assert answer.refused is refused


def test_the_trained_scorer_reads_only_the_shortlist():
    assistant = bot(PANEL, shortlist=3)
    evidence = candidates([FN, PLAN])
    units = sum(1 for e in evidence if e.items)
    assert len(evidence) > 3 + units
    assistant.evidence_for("Hvor mange ble valgt ut til panelet?", [FN, PLAN])
    assert [len(r) for r in assistant.scorer.learned.read] == [3 + units]  # the shortlist, and every list unit


@pytest.mark.parametrize("asked", [1, 2, 5, 8])
def test_a_caller_may_ask_for_a_shorter_shortlist(asked):
    """The residents' summary reads fewer sentences per broad topic than an answer does; an answer's own is unchanged."""
    assistant = bot(PANEL, shortlist=16)
    evidence = candidates([FN, PLAN])
    units = sum(1 for e in evidence if e.items)
    assistant.scorer.rank("Hvor mange ble valgt ut til panelet?", evidence, shortlist=asked)
    assistant.scorer.rank("Hvor mange ble valgt ut til panelet?", evidence)
    short, full = (len(r) for r in assistant.scorer.learned.read)
    assert asked <= short <= asked + units  # the shortest list asked for, and every list unit
    assert full == min(16 + units, len(evidence)) > short


def test_a_looping_model_shows_each_sentence_once():
    probe = bot(PANEL)
    cited = ids_of(probe, "Hvor mange ble valgt ut?", "50 personer ble trukket ut")
    loop = " ".join(["50 personer ble trukket ut til panelet."] * 3 + ["50 personer ble trukket ut [1]."])
    text, answer = ask(bot(PANEL, {"sentences": cited, "answer": loop}), "Hvor mange ble valgt ut?")
    assert text == "50 personer ble trukket ut til panelet [1]." and len(answer.citations) == 1


def test_two_claims_backed_by_one_sentence_show_once():
    probe = bot(PANEL)
    cited = ids_of(probe, "Hvor mange ble valgt ut?", "50 personer ble trukket ut")
    reply = {"sentences": cited, "answer": "50 personer ble trukket ut. Det var 50 personer som ble trukket ut."}
    text, _ = ask(bot(PANEL, reply), "Hvor mange ble valgt ut?")
    assert text.count("[1]") == 1 and "[2]" not in text




def test_without_the_margin_the_same_claim_would_pass_the_fact_check():
    """The relation check is what holds the 370 claim back: its number stands in the sentence it cites."""
    probe = bot(PANEL)
    cited = ids_of(probe, "Hvor mange ble valgt ut til panelet?", "370 ville delta")
    claim = "370 innbyggere ble valgt ut til panelet."
    text, _ = ask(bot(PANEL, {"sentences": cited, "answer": claim}, claim_margin=100.0),
                  "Hvor mange ble valgt ut til panelet?")
    assert "370" in text
