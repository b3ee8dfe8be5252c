"""Unit tests of text logic the answer stages share: sentences, citation markers, language, follow-up rewriting."""

from assistant.answering.rewrite import rule_rewrite
from assistant.core.language import detect_language
from assistant.core.text import MARKER, cited_numbers, split_sentences


def test_cited_numbers_read_markers_in_order_without_repeats():
    assert cited_numbers("Det finansieres av kommunen [1][1]. Stad [2, 7]; noe [3;1].") == [1, 2, 7, 3]
    assert MARKER.search("ingen markør her") is None


def test_sentences_split_on_ends_not_on_numbered_items_or_wrapped_lines():
    text = "1. Hva er FN-senteret?\n• Det er byen.\nPlanen gjelder\nfram mot 2032. Neste setning [1]."
    assert split_sentences(text) == ["1. Hva er FN-senteret?", "• Det er byen.", "Planen gjelder fram mot 2032.", "Neste setning [1]."]


def test_language_of_questions():
    assert detect_language("Hvem finansierer FN-senteret?") == "nb"
    assert detect_language("Kven finansierer FN-senteret?") == "nn"
    assert detect_language("Korleis jobbar kommunen med klima?") == "nn"
    assert detect_language("Who funds the UN centre in Trondheim?") == "en"
    assert detect_language("hvor mange innspil har trondhiem fått") == "nb"


def test_rule_rewrite_joins_a_follow_up_to_the_previous_question():
    history = [{"role": "user", "content": "Hva er U4SSC?"}, {"role": "assistant", "content": "Et FN-initiativ [1]."}]
    assert rule_rewrite("Og hvem finansierer det?", history) == "Og hvem finansierer det? (Hva er U4SSC?)"
    long_new = "Hvilke barrierer for sirkulærøkonomi ble nevnt på samlingen i Stad i juni 2021?"
    assert rule_rewrite(long_new, history) == long_new
    assert rule_rewrite("Hva er U4SSC?", []) == "Hva er U4SSC?"
