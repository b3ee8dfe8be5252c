"""The product's reading on the corpus itself, with the shipped trained scorer: the cases the reader issue names."""

from __future__ import annotations

import pytest

from assistant.app import App


@pytest.fixture(scope="module")
def quoting(corpus_settings, e5):
    return App(corpus_settings, e5).assistant("extractive")


# slow: three of the five (~2 s each under load); the quick set keeps a name in Norwegian and a number asked in
# English, and tests/answering/test_assistant.py asks the FN-senteret questions quick
SLOW = pytest.mark.slow


@pytest.mark.parametrize("question, expected", [
    pytest.param("Hva er hovedoppgaven til FN-senteret?", "demonstrere og dokumentere", marks=SLOW),
    pytest.param("Hvor mange innbyggere ble valgt ut til innbyggerpanelet?", "50", marks=SLOW),
    ("Hvem er kommunedirektør i Trondheim?", "Wolden"),
    ("How many residents were picked for the Trondheim panel?", "50"),
    pytest.param("Hvem finansierer FN-senteret i Trondheim?", "kommunebudsjettet", marks=SLOW),
])
def test_the_sentence_that_answers_is_quoted(quoting, question, expected):
    answer = quoting.ask(question)
    assert not answer.refused and expected in answer.text, answer.text
    assert answer.citations and all(c.supported for c in answer.citations)


def test_a_list_question_is_answered_by_the_whole_list_cited_once(quoting):
    answer = quoting.ask("Kva delar skal bærekraftsrapporten ha?")
    assert not answer.refused, answer.text
    parts = ("Innbyggerundersøkelse", "Materialstrømmer", "Bærekraftsfond", "Klima-, areal og naturregnskap")
    assert all(p in answer.text for p in parts), answer.text
    assert answer.text.count("[1]") == 1


# slow: two of the five (~2 s each under load); the quick set keeps a near miss about a corpus kommune, another
# kommune's mayor, and the known English defect
@pytest.mark.parametrize("question", [
    "Hva koster en bussbillett i Trondheim?",
    pytest.param("Hvem vant fotball-VM i 2018?", marks=SLOW),
    # Known defect, kept visible: the trained scorer (NorQuAD: Norwegian questions only) gives English
    # questions low scores whether answerable or not, so the English gate cannot refuse this one; the
    # sentence "... byutvikling i Hovinbyen i Oslo" scores 0.24 (README, "The trained reader").
    pytest.param("What is the population of Oslo?", marks=pytest.mark.xfail(strict=True, reason="English gate")),
    pytest.param("Hvor mange innbyggere har Oslo?", marks=SLOW),
    "Hvem er ordfører i Bergen?",
])
def test_questions_the_documents_cannot_answer_are_refused(quoting, question):
    assert quoting.ask(question).refused
