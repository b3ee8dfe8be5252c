"""The answer stages alone and together, with in-memory fakes: no e5, no model, no Apertium, no store.

A table scorer gives each sentence a fixed support and backs a claim by the share of its words a cited
sentence holds; a scripted reader yields given claims (and may fail like a model past its deadline);
a word translator stands in for Apertium. The real parts are tested in test_reading.py,
test_trained_gate.py, tests/llm/test_translate.py and test_assistant_llm.py.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from assistant.answering import messages
from assistant.answering.evidence import candidates
from assistant.answering.messages import (
    ANSWER_NOT_TRANSLATED,
    FAILED_NOTE,
    FALLBACK_NOTE,
    LANGUAGES,
    MESSAGES,
    NOT_FOUND,
    QUESTION_NOT_TRANSLATED,
    TRANSLATED_NOTE,
    say,
)
from assistant.answering.pipeline import AnswerConfig, Assistant
from assistant.answering.readers import Claim, ExtractiveReader
from assistant.answering.stages import Fallback, Gate, Localize, Read, Retrieve, Rewrite, Turn, Verify, repeats
from assistant.app import answer_config
from assistant.core.models import Answer, Chunk, Evidence
from assistant.core.settings import get_settings
from assistant.llm.base import LLMUnavailable
from assistant.llm.translate import TO_BOKMAL, TO_NYNORSK, TranslationError
from tests.fakes import quoter

FN = Chunk("fn-1", "Senteret finansieres over kommunebudsjettet. Dette sekretariatet består for tiden av ti personer. "
           "Sekretariatsleder er Kristian Mjøen.", "fn.txt", "FN-senteret", None, "", 0, 140, {"kommune": "Trondheim"})
BUS = Chunk("by-1", "Trondheim er en Smartby. Bussen går hvert kvarter hele dagen.", "by.txt", "Byen", 2, "", 0, 60, {})
# support of each sentence, whatever the question (the first key it holds): ranks 1-4 in this order
SUPPORT = {"kommunebudsjettet": 3.0, "ti personer": 2.0, "Mjøen": 1.5, "Smartby": 0.5}
FUNDED = "Senteret finansieres over kommunebudsjettet."
TEN = "Sekretariatet består av ti personer."
NB, NN = "Hva gjør FN-senteret i Trondheim?", "Kva gjer FN-senteret i Trondheim?"
EN = "What does the UN centre in Trondheim do?"


def words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.casefold()))


class TableScorer:
    """A support scorer by table: a sentence's support is fixed; a claim is backed by the share of its words it holds."""

    def __init__(self, table: dict[str, float] = SUPPORT, learned: object | None = None) -> None:
        self.table, self.learned = table, learned
        self.ranked: list[str] = []

    def rank(self, question: str, evidence: list[Evidence]) -> list[Evidence]:
        self.ranked.append(question)
        scored = [replace(e, support=next((v for k, v in self.table.items() if k in e.text), 0.0)) for e in evidence]
        return sorted(scored, key=lambda e: -e.support)

    def backs(self, claim: str, evidence: list[Evidence], threshold: float | None = None):
        if not evidence:
            return False, None, 0.0
        shares = [len(words(claim) & words(e.text)) / len(words(claim)) for e in evidence]
        best = max(range(len(evidence)), key=lambda i: shares[i])
        return shares[best] >= (threshold if threshold is not None else 0.8), evidence[best], shares[best]


class FakeSearcher:
    """A searcher that returns fixed passages and records what it was asked."""

    store = None
    embedder = None

    def __init__(self, *passages: Chunk) -> None:
        self.passages = list(passages or (FN, BUS))
        self.asked: list[tuple[str, int | None, dict | None]] = []

    def search(self, query, k=None, filters=None, mode=None):
        self.asked.append((query, k, filters))
        return list(self.passages)


class ScriptedReader:
    """A reader that yields the given claims, then fails with `fail` (an LLMUnavailable) when set."""

    name = "scripted"
    chat = None
    embedder = None

    def __init__(self, *claims: Claim, fail: str = "", generative: bool = True) -> None:
        self.claims, self.fail, self.generative = list(claims), fail, generative
        self.calls: list[tuple[str, list[str], str, str]] = []

    def read(self, question, evidence, language, style=""):
        self.calls.append((question, [e.text for e in evidence], language, style))
        yield from self.claims
        if self.fail:
            raise LLMUnavailable(self.fail)


class WordTranslator:
    """Translates word by word from a small table; fails for the pairs in `fail` (after `ok` good calls)."""

    name = "words"
    TABLE = {TO_BOKMAL: {"Kva": "Hva", "gjer": "gjør", "Kven": "Hvem"},
             TO_NYNORSK: {"finansieres": "vert finansiert", "består": "er samansett", "personer": "personar"}}

    def __init__(self, fail: tuple[str, ...] = (), ok: int = 0) -> None:
        self.fail, self.ok = fail, ok
        self.calls: list[tuple[str, list[str]]] = []

    def translate(self, lines, pair):
        self.calls.append((pair, list(lines)))
        if pair in self.fail and sum(p == pair for p, _ in self.calls) > self.ok:
            raise TranslationError(f"{pair} broke")
        table = self.TABLE[pair]
        return [re.sub(r"\w+", lambda m: table.get(m[0], m[0]), line) for line in lines]


def config(**overrides) -> AnswerConfig:
    values = dict(k=5, history_turns=6, reader_sentences=6, answer_threshold=2.0, answer_threshold_en=1.0,
                  support_threshold=0.8, support_threshold_en=0.6, claim_margin=1.0)
    return AnswerConfig(**(values | overrides))


def make(*claims: Claim, fail: str = "", generative: bool = True, scorer: TableScorer | None = None, translator=None,
         gated: bool = True, **overrides) -> Assistant:
    cfg, scorer = config(**overrides), scorer or TableScorer()
    return Assistant(cfg, FakeSearcher(), ScriptedReader(*claims, fail=fail, generative=generative),
                     scorer, translator=translator, gated=gated, quoter=quoter(cfg, scorer))


def claim(text: str, *ids: int) -> Claim:
    return Claim(text, list(ids))


def run(bot: Assistant, question: str = NB, **kwargs) -> tuple[list[str], Answer]:
    items = list(bot.stream(question, **kwargs))
    assert isinstance(items[-1], Answer) and not any(isinstance(i, Answer) for i in items[:-1])
    assert "".join(items[:-1]) == items[-1].text  # nothing shown is withdrawn, nothing added afterwards
    return items[:-1], items[-1]


def turn_at_read(question: str = NB, **overrides) -> Turn:
    """Return a turn that has been through Rewrite, Retrieve and Gate (the reader's sentences in `top`)."""
    turn = Turn(question)
    Rewrite(6)(turn)
    Retrieve(FakeSearcher(), TableScorer(), 5)(turn)
    assert Gate(TableScorer(), config(**overrides))(turn)
    turn.asked, turn.model_language = turn.standalone, turn.language
    return turn


# --- messages -----------------------------------------------------------------------------------


def test_every_message_is_in_bokmal_nynorsk_and_english():
    assert len(MESSAGES) >= 6
    for name, message in MESSAGES.items():
        assert set(message) == set(LANGUAGES), name
        assert len({message[lang] for lang in LANGUAGES}) == 3, name  # really translated
        assert all("{" not in say(message, lang, error="x") for lang in LANGUAGES)


def test_old_names_still_import_and_are_the_messages():
    from assistant.answering import pipeline, readers

    assert readers.NOT_FOUND is messages.NOT_FOUND and pipeline.FALLBACK_NOTE is messages.FALLBACK_NOTE
    assert pipeline.FAILED_NOTE is messages.FAILED_NOTE and pipeline.TRANSLATED_NOTE == messages.TRANSLATED["nn"]
    assert TRANSLATED_NOTE == "Skrive på bokmål av språkmodellen og maskinomsett til nynorsk med Apertium."
    assert say(FAILED_NOTE, "nb", error="tidsavbrudd") == (
        "Språkmodellen feilet (tidsavbrudd); svaret er setningene fra dokumentene som svarer best.")
    assert say(QUESTION_NOT_TRANSLATED, "nn", error="e") == (
        "Omsetjinga feila (e); språkmodellen fekk spørsmålet på nynorsk.")
    assert say(ANSWER_NOT_TRANSLATED, "nn", error="e") == "Omsetjinga til nynorsk feila (e); svaret står på bokmål."


def test_the_composition_root_builds_the_config_from_settings():
    s = get_settings(k=4, history_turns=0, reader_sentences=3, answer_threshold=-1.5, answer_threshold_en=-3.0,
                     support_threshold=0.4, support_threshold_en=0.3, claim_margin=0.7)
    c = answer_config(s)
    assert (c.k, c.history_turns, c.reader_sentences, c.claim_margin) == (4, 0, 3, 0.7)
    assert (c.answer_floor("nb"), c.answer_floor("nn"), c.answer_floor("en")) == (-1.5, -1.5, -3.0)
    assert (c.claim_floor("nb"), c.claim_floor("nn"), c.claim_floor("en")) == (0.4, 0.4, 0.3)
    # the gate and the quote's second sentence, with the trained scorer and without it
    assert [c.gate_floor(lang, True) for lang in ("nb", "nn", "en")] == [-1.5, -1.5, -3.0]
    assert [c.gate_floor(lang, False) for lang in ("nb", "nn", "en")] == [0.4, 0.4, 0.3]
    assert (c.quote_margin(True), c.quote_margin(False)) == (0.7, float("inf"))


# --- rewrite and retrieve -----------------------------------------------------------------------


@pytest.mark.parametrize("question, language", [(NB, "nb"), (NN, "nn"), (EN, "en")])
def test_rewrite_sets_the_language_and_a_lone_question_stays_as_asked(question, language):
    turn = Turn(question)
    Rewrite(6)(turn)
    assert turn.language == language and turn.standalone == question and turn.history == []


@pytest.mark.parametrize("kept, joined", [(6, True), (2, True), (0, False)])
def test_rewrite_joins_a_follow_up_to_the_last_question_kept(kept, joined):
    history = [{"role": "user", "content": "Hvem leder sekretariatet?"}, {"role": "assistant", "content": "Mjøen [1]."}]
    turn = Turn("Og hva med budsjettet?", history=list(history))
    Rewrite(kept)(turn)
    assert len(turn.history) == (2 if kept else 0)
    assert turn.standalone == ("Og hva med budsjettet? (Hvem leder sekretariatet?)" if joined else turn.question)


def test_retrieve_searches_the_standalone_question_and_ranks_sentences_after_telling_the_caller():
    searcher, scorer, seen = FakeSearcher(), TableScorer(), []
    turn = Turn(NB, filters={"kommune": "Trondheim"}, standalone="Hva gjør FN-senteret?")
    Retrieve(searcher, scorer, 3)(turn, lambda passages: seen.append((list(passages), list(scorer.ranked))))
    assert searcher.asked == [("Hva gjør FN-senteret?", 3, {"kommune": "Trondheim"})]
    assert seen == [([FN, BUS], [])]  # told before any ranking
    assert scorer.ranked == ["Hva gjør FN-senteret?"] and turn.ranked[0].text == FUNDED
    assert [e.support for e in turn.ranked] == sorted((e.support for e in turn.ranked), reverse=True)
    assert list(turn.timings) == ["retrieval", "evidence"]


# --- gate ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("question", [NB, NN, EN])
@pytest.mark.parametrize("threshold", [3.01, 5.0, 100.0])
def test_the_gate_refuses_under_the_threshold_without_asking_the_reader(question, threshold):
    bot = make(claim(FUNDED, 1), support_threshold=threshold, support_threshold_en=threshold)
    pieces, answer = run(bot, question)
    language = answer.language
    assert answer.refused and pieces == [NOT_FOUND[language]] and answer.text == NOT_FOUND[language]
    assert bot.reader.calls == [] and not answer.citations and not answer.notes and not answer.unsupported
    assert answer.evidence == [] and answer.translation == "" and answer.passages == [FN, BUS]
    assert list(answer.timings) == ["retrieval", "evidence", "first_token", "total"]


@pytest.mark.parametrize("threshold", [0.5, 2.9, 3.0])  # the best sentence scores 3.0: at the threshold is enough
def test_the_gate_lets_the_reader_answer_at_or_over_the_threshold(threshold):
    bot = make(claim(FUNDED, 1), support_threshold=threshold)
    pieces, answer = run(bot)
    assert not answer.refused and pieces == ["Senteret finansieres over kommunebudsjettet [1]."]
    assert len(bot.reader.calls) == 1


@pytest.mark.parametrize("language, question, refused", [("nb", NB, True), ("nn", NN, True), ("en", EN, False)])
def test_a_trained_scorer_is_gated_by_the_answer_threshold_of_the_language(language, question, refused):
    trained = TableScorer(learned=object())
    bot = make(claim(FUNDED, 1), scorer=trained, answer_threshold=3.5, answer_threshold_en=2.5, support_threshold=0.1)
    assert bot.threshold(language) == (2.5 if language == "en" else 3.5)
    assert run(bot, question)[1].refused is refused


@pytest.mark.parametrize("gated, gate", [(False, None), (True, False), (False, False)])
def test_an_ungated_turn_is_answered_whatever_the_support(gated, gate):
    bot = make(claim(FUNDED, 1), gated=gated, support_threshold=100.0)
    assert bot.threshold("nb", gate) == float("-inf")
    assert not run(bot, gate=gate)[1].refused


def test_the_gate_refuses_with_no_sentences_even_ungated_and_passes_the_best_to_the_reader():
    turn = Turn(NB, language="nb")
    assert not Gate(TableScorer(), config(), gated=False)(turn) and turn.refused and turn.top == []
    turn = turn_at_read(reader_sentences=2)
    assert [e.text for e in turn.top] == [FUNDED, "Dette sekretariatet består for tiden av ti personer."]
    assert [e.id for e in turn.top] == [1, 2]


# --- verify -------------------------------------------------------------------------------------


@pytest.mark.parametrize("unbacked", [
    claim("Senteret finansieres av staten og fylket.", 1),  # says what its sentence does not
    claim(FUNDED, 4),  # cites a sentence that does not say it
    claim(FUNDED, 9, 0, -1),  # cites no sentence there is
    claim(FUNDED),  # cites nothing
    claim("Ordføreren heter Ola Fake.", 1, 2, 3),  # nothing says it
])
def test_a_claim_nothing_backs_is_never_shown_and_is_kept_as_unsupported(unbacked):
    pieces, answer = run(make(unbacked, claim(TEN, 2)))
    assert answer.unsupported == [unbacked.text] and pieces == ["Sekretariatet består av ti personer [1]."]
    assert [c.quote for c in answer.citations] == ["Dette sekretariatet består for tiden av ti personer."]
    assert not answer.notes  # a backed claim was shown: no fallback


def test_verify_names_the_backing_sentence_and_records_the_rest():
    turn = turn_at_read()
    verify = Verify(TableScorer(), config())
    assert verify(turn, claim(FUNDED, 3, 1)).text == FUNDED
    assert verify(turn, claim("Bussen er gratis.", 4)) is None and turn.unsupported == ["Bussen er gratis."]
    quoted = Claim("whatever the text", [2], quoted=True)  # a quote is its sentence: nothing to check
    assert verify(turn, quoted) is turn.top[1]


@pytest.mark.parametrize("margin, shown", [(1.0, False), (1.4, False), (1.5, True), (3.0, True)])
def test_with_a_trained_scorer_a_claim_backs_only_within_the_margin_of_the_best(margin, shown):
    mjoen = "Sekretariatsleder er Kristian Mjøen."  # support 1.5, the best 3.0
    bot = make(claim(mjoen, 3), scorer=TableScorer(learned=object()), claim_margin=margin, answer_threshold=1.0)
    answer = run(bot)[1]
    assert (answer.text == "Sekretariatsleder er Kristian Mjøen [1].") is shown
    assert answer.unsupported == ([] if shown else [mjoen])


@pytest.mark.parametrize("first", ["Hva gjør FN-senteret i Trondheim.", "FN-senteret i Trondheim gjør."])
def test_the_first_claim_shown_must_say_something_the_question_does_not(first):
    bot = make(claim(first, 1), support_threshold=0.0)  # every cited sentence backs it
    answer = run(bot)[1]
    assert answer.unsupported == [first] and answer.text.startswith("Senteret finansieres")  # quoted instead


# --- repeats ------------------------------------------------------------------------------------


@pytest.mark.parametrize("again", [
    claim(FUNDED, 1),  # the same claim
    claim("senteret  finansieres over KOMMUNEBUDSJETTET!", 1),  # case, spacing, end punctuation
    claim("Senteret finansieres over kommunebudsjettet [1].", 1),  # with its citation mark
    claim("Over kommunebudsjettet finansieres senteret.", 1),  # other words, the same sentence backs it
])
def test_a_repeat_is_never_shown_twice(again):
    pieces, answer = run(make(claim(FUNDED, 1), again, claim(TEN, 2), again))
    assert pieces == ["Senteret finansieres over kommunebudsjettet [1].", " Sekretariatet består av ti personer [2]."]
    assert [c.n for c in answer.citations] == [1, 2] and answer.unsupported == []  # a repeat is not "unsupported"


def test_a_looping_model_shows_its_sentence_once():
    pieces, answer = run(make(*[claim(FUNDED, 1)] * 8))
    assert pieces == ["Senteret finansieres over kommunebudsjettet [1]."] and len(answer.citations) == 1


def test_repeats_compares_text_and_backing():
    turn = turn_at_read()
    turn.show(turn.cite(claim(FUNDED, 1), turn.top[0]))
    assert repeats(turn, claim("Noe annet.", 2), turn.top[0])  # its sentence already backs one
    assert repeats(turn, claim(FUNDED.upper(), 2), turn.top[1])  # the same words
    assert not repeats(turn, claim(TEN, 2), turn.top[1])


def test_a_shown_claim_is_cited_as_a_sentence_and_document_brackets_are_never_citations():
    turn = turn_at_read()
    assert turn.cite(claim("Se punkt [2] i planen", 1), turn.top[0]) == "Se punkt (2) i planen [1]."
    assert turn.cite(claim("Er det slik?", 2), turn.top[1]) == "Er det slik [2]?"
    assert turn.cite(claim("Ja!", 1), turn.top[0]) == "Ja [1]!"


# --- fallback -----------------------------------------------------------------------------------


@pytest.mark.parametrize("question", [NB, NN, EN])
@pytest.mark.parametrize("claims", [
    (),  # the model declines
    (claim("Ordføreren heter Ola Fake.", 1),),  # says only what nothing backs
    (claim("Senteret har 40 ansatte.", 1), claim("Bussen er gratis.", 4)),
])
def test_when_a_model_says_nothing_that_holds_the_best_sentences_are_quoted_with_the_note(question, claims):
    pieces, answer = run(make(*claims), question)
    assert not answer.refused and pieces[0] == "Senteret finansieres over kommunebudsjettet [1]."
    assert answer.notes == [FALLBACK_NOTE[answer.language]] and answer.translation == ""
    assert answer.unsupported == [c.text for c in claims] and answer.citations[0].quote == FUNDED


def test_an_extractive_reader_quotes_without_a_note_and_fallback_adds_nothing_after_a_shown_answer():
    turn = turn_at_read()
    quoter = ExtractiveReader(min_support=0.8, max_sentences=1)
    assert list(Fallback(quoter, generative=False)(turn)) == ["Senteret finansieres over kommunebudsjettet [1]."]
    assert turn.notes == []
    assert list(Fallback(quoter, generative=True)(turn)) == [] and turn.notes == []  # something was shown


# --- a failing model ----------------------------------------------------------------------------


@pytest.mark.parametrize("question", [NB, NN, EN])
@pytest.mark.parametrize("error", ["språkmodellen svarte ikke innen 180 s", "tilkoblingen brøt"])
def test_a_model_that_fails_before_saying_anything_gives_the_failed_note_and_the_quote(question, error):
    bot = make(fail=error)
    pieces, answer = run(bot, question)
    assert not answer.refused and pieces[0] == "Senteret finansieres over kommunebudsjettet [1]."
    assert answer.notes == [say(FAILED_NOTE, answer.language, error=error)]  # not "could not phrase" too


@pytest.mark.parametrize("said", [1, 2])
def test_a_model_that_fails_midway_keeps_what_was_verified_and_notes_the_failure(said):
    claims = [claim(FUNDED, 1), claim(TEN, 2)][:said]
    pieces, answer = run(make(*claims, fail="brudd"))
    assert len(pieces) == said and "kommunebudsjettet [1]" in answer.text
    assert answer.notes == [FAILED_NOTE["nb"].format(error="brudd")]


def test_read_records_the_failure_and_ends_the_claims():
    turn = turn_at_read()
    reader = ScriptedReader(claim(FUNDED, 1), fail="tidsavbrudd")
    assert [c.text for c in Read(reader)(turn)] == [FUNDED] and turn.failures == ["tidsavbrudd"]
    assert reader.calls == [(NB, [e.text for e in turn.top], "nb", "")]


# --- localize: the nynorsk pivot ----------------------------------------------------------------


def test_a_nynorsk_question_goes_to_the_model_in_bokmal_and_each_shown_piece_comes_back_in_nynorsk():
    translator = WordTranslator()
    bot = make(claim(FUNDED, 1), claim("Det har ikke egne inntekter.", 1), claim(TEN, 2), translator=translator)
    pieces, answer = run(bot, NN)
    assert bot.reader.calls[0][0] == "Hva gjør FN-senteret i Trondheim?" and bot.reader.calls[0][2] == "nb"
    assert pieces == ["Senteret vert finansiert over kommunebudsjettet [1].",
                      " Sekretariatet er samansett av ti personar [2]."]
    assert answer.translation == TRANSLATED_NOTE and answer.language == "nn" and answer.notes == []
    assert answer.unsupported == ["Det har ikke egne inntekter."]  # checked in bokmål, never translated
    assert [pair for pair, _ in translator.calls] == [TO_BOKMAL, TO_NYNORSK, TO_NYNORSK]


@pytest.mark.parametrize("question", [NB, EN])
def test_other_questions_are_never_translated(question):
    translator = WordTranslator()
    answer = run(make(claim(FUNDED, 1), translator=translator), question)[1]
    assert translator.calls == [] and answer.translation == ""


def test_a_quoting_reader_is_never_pivoted():
    translator = WordTranslator()
    bot = make(Claim(FUNDED, [1], quoted=True), generative=False, translator=translator)
    pieces, answer = run(bot, NN)
    assert translator.calls == [] and bot.reader.calls[0][2] == "nn" and pieces == [FUNDED.replace(".", " [1].")]


@pytest.mark.parametrize("claims", [(claim(FUNDED, 1),), (), (claim(FUNDED, 1), claim(TEN, 2))])
def test_when_the_question_cannot_be_translated_the_model_is_asked_in_nynorsk_with_the_note(claims):
    bot = make(*claims, translator=WordTranslator(fail=(TO_BOKMAL,)))
    pieces, answer = run(bot, NN)
    assert bot.reader.calls[0][0] == NN and bot.reader.calls[0][2] == "nn"
    assert "vert" not in answer.text  # no piece translated either
    if claims:
        assert answer.translation == say(QUESTION_NOT_TRANSLATED, "nn", error=f"{TO_BOKMAL} broke")
    else:  # nothing shown: the quote is the documents' own words
        assert answer.translation == "" and answer.notes == [FALLBACK_NOTE["nn"]]


@pytest.mark.parametrize("ok, expected", [
    (0, ["Senteret finansieres over kommunebudsjettet [1].", " Sekretariatet består av ti personer [2]."]),
    (1, ["Senteret vert finansiert over kommunebudsjettet [1].", " Sekretariatet består av ti personer [2]."]),
])
def test_when_an_answer_piece_cannot_be_translated_the_checked_bokmal_is_shown_with_the_note(ok, expected):
    translator = WordTranslator(fail=(TO_NYNORSK,), ok=ok)
    pieces, answer = run(make(claim(FUNDED, 1), claim(TEN, 2), translator=translator), NN)
    assert pieces == expected and answer.citations and not answer.refused
    assert answer.translation == say(ANSWER_NOT_TRANSLATED, "nn", error=f"{TO_NYNORSK} broke")
    assert [p for p, _ in translator.calls].count(TO_NYNORSK) == ok + 1  # the pivot stops at the first failure


def test_localize_alone():
    turn = Turn(NN, language="nn", standalone=NN)
    localize = Localize(WordTranslator())
    localize.into_model(turn)
    assert (turn.asked, turn.model_language, turn.pivot) == ("Hva gjør FN-senteret i Trondheim?", "nb", True)
    assert localize.from_model(turn, "Det består [1].") == "Det er samansett [1]."
    assert turn.translation == TRANSLATED_NOTE
    off = Turn(NN, language="nn", standalone=NN)
    Localize(None).into_model(off)
    assert (off.asked, off.model_language, off.pivot) == (NN, "nn", False)
    assert Localize(None).from_model(off, "Det består.") == "Det består." and off.translation == ""


# --- the whole turn -----------------------------------------------------------------------------


def test_an_answer_carries_everything_the_turn_found():
    bot = make(claim(FUNDED, 1), claim("Bussen er gratis.", 4))
    seen = []
    pieces, answer = run(bot, NB, filters={"kommune": "Trondheim"}, on_retrieved=seen.append, style="Skriv enkelt.")
    assert seen == [[FN, BUS]] and bot.retriever.asked == [(NB, 5, {"kommune": "Trondheim"})]
    assert answer.question == answer.standalone_question == NB and answer.backend == "scripted"
    assert answer.passages == [FN, BUS] and [e.id for e in answer.evidence] == [1, 2, 3, 4, 5]
    assert bot.reader.calls[0][3] == "Skriv enkelt." and answer.unsupported == ["Bussen er gratis."]
    assert list(answer.timings) == ["retrieval", "evidence", "first_token", "total"]
    assert answer.citations[0].n == 1 and answer.citations[0].supported and answer.citations[0].chunk is FN
    assert bot.ask(NB).text == answer.text
