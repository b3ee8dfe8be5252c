"""Readability figures of what residents read: LIX and sentence and word lengths."""

from __future__ import annotations

import pytest

from assistant.core.readability import band, lix, plainness


@pytest.mark.parametrize("text, sentences, per_sentence, long_words, long_sentences", [
    ("", 0, 0.0, 0.0, 0),
    ("Kommunen har en plan [1].", 1, 4.0, 0.25, 0),  # markers are no words; "Kommunen" is long
    ("Vi sykler. Vi går.", 2, 2.0, 0.0, 0),
    ("Kommunen skal kutte utslippene med førti prosent innen 2030 [1]. Det er bra.", 2, 6.0, 3 / 12, 0),
    (" ".join(["ord"] * 21) + ".", 1, 21.0, 0.0, 1),  # over 20 words is a long sentence
    (" ".join(["ord"] * 20) + ".", 1, 20.0, 0.0, 0),
    ("«Bærekraftsmålene» gjelder alle.", 1, 3.0, 2 / 3, 0),  # quotes are not letters; 7 letters is long
])
def test_plainness_counts_sentences_and_long_words(text, sentences, per_sentence, long_words, long_sentences):
    got = plainness(text)
    assert got.sentences == sentences and got.long_sentences == long_sentences
    assert got.words_per_sentence == pytest.approx(per_sentence) and got.long_words == pytest.approx(long_words)


def test_lix_grows_with_long_words_and_long_sentences():
    easy = "Vi har en plan. Den er god. Vi sykler mer."
    hard = ("Kommunedirektørens klimastrategiske handlingsprogram forutsetter tverrsektoriell samhandling "
            "mellom virksomhetsområdene og interkommunale samarbeidskonstellasjoner.")
    assert lix(easy) < 30 <= 60 < lix(hard)
    assert band(lix(easy)) == "svært lett" and band(lix(hard)) == "svært vanskelig"
    assert lix("") == 0.0 and lix("[1]") == 0.0
