"""Hand-made cases for the evaluation metrics, edge cases included."""

from __future__ import annotations

import pytest

from evals.metrics import (
    answer_contains,
    citation_precision,
    hit_at_k,
    normalise_answer,
    percentile,
    reciprocal_rank,
    refusal_confusion,
    retrieval_hits,
    summarise,
    token_f1,
)

REFUSAL = "Jeg fant ikke svaret i dokumentene."


def test_normalise_answer_strips_markers_punctuation_case_and_whitespace():
    assert normalise_answer("  Senteret finansieres over\n KOMMUNEBUDSJETTET [1].  [2, 3]") == (
        "senteret finansieres over kommunebudsjettet"
    )
    assert normalise_answer("«Bærekraftsløftet» – ØKT\tÅpenhet!") == "bærekraftsløftet økt åpenhet"


def test_normalise_answer_composes_decomposed_norwegian_letters():
    decomposed = "A\u030apenhet"  # Å as A + combining ring
    assert normalise_answer(decomposed) == "åpenhet"
    assert normalise_answer(decomposed) == normalise_answer("Åpenhet")


def test_normalise_answer_of_empty_text():
    assert normalise_answer("") == ""
    assert normalise_answer("[1]") == ""


def test_answer_contains_matches_gold_regardless_of_case_and_markers():
    assert answer_contains("Det er ØVERSTE ledelse: Bystyret [1].", ["bystyret"]) == 1.0
    assert answer_contains("Det er formannskapet [1].", ["bystyret"]) == 0.0
    assert answer_contains("Adressen er Erling Skakkes gate 14.", ["erling skakkes gate 14", "nope"]) == 1.0


def test_answer_contains_needs_word_boundaries():
    assert answer_contains("Sekretariatet består for tiden av fem personer.", ["ti"]) == 0.0
    assert answer_contains("Sekretariatet består av ti personer.", ["ti"]) == 1.0


def test_answer_contains_norwegian_letters():
    assert answer_contains("Prosjektet heter BÆREKRAFTSLØFTET.", ["Bærekraftsløftet"]) == 1.0
    assert answer_contains("Prosjektet heter Baerekraftsloftet.", ["Bærekraftsløftet"]) == 0.0


def test_answer_contains_empty_answer():
    assert answer_contains("", ["bystyret"]) == 0.0


def test_refusal_on_unanswerable_is_correct_and_on_answerable_is_wrong():
    assert answer_contains(REFUSAL, [], refused=True) == 1.0
    assert answer_contains("Roma har billig pizza.", [], refused=False) == 0.0
    assert answer_contains(REFUSAL, ["bystyret"], refused=True) == 0.0
    assert token_f1(REFUSAL, [], refused=True) == 1.0
    assert token_f1("Noe helt annet.", [], refused=False) == 0.0
    assert token_f1(REFUSAL, ["bystyret"], refused=True) == 0.0


def test_token_f1_is_squad_style_and_takes_the_best_gold():
    # prediction "ti personer i sekretariatet" (4 tokens) vs gold "ti personer" (2): P=2/4, R=1 -> 2/3
    assert token_f1("Ti personer i sekretariatet [1].", ["ti personer"]) == pytest.approx(2 / 3)
    assert token_f1("Ti personer i sekretariatet.", ["ti personer", "ti personer i sekretariatet"]) == 1.0
    assert token_f1("Bystyret.", ["formannskapet"]) == 0.0
    assert token_f1("", ["bystyret"]) == 0.0


def test_token_f1_counts_repeated_tokens_once_each():
    # common = min counts: "ti" once -> P=1/3, R=1/2 -> F1=0.4
    assert token_f1("ti ti ti", ["ti personer"]) == pytest.approx(0.4)


def test_retrieval_hits_finds_evidence_across_line_breaks():
    passages = [
        "Noe om Frøya.",
        "Senteret finansieres\nover    kommune-\nbudsjettet.",
        "Senteret finansieres over\n  kommunebudsjettet. Mer tekst.",
    ]
    assert retrieval_hits(passages, [], "Senteret finansieres over kommunebudsjettet.") == 3


def test_retrieval_hits_by_gold_answer_and_norwegian_case():
    passages = ["Ingenting her.", "Øverste ledelse er BYSTYRET i Trondheim."]
    assert retrieval_hits(passages, ["bystyret"], None) == 2
    assert retrieval_hits(passages, ["formannskapet"], "Ikke her") is None
    assert retrieval_hits([], ["bystyret"], None) is None
    assert retrieval_hits(["Det tar tid."], ["ti"], None) is None


def test_hit_at_k_and_reciprocal_rank():
    assert hit_at_k(3, 3) == 1.0
    assert hit_at_k(4, 3) == 0.0
    assert hit_at_k(None, 10) == 0.0
    assert reciprocal_rank(4) == 0.25
    assert reciprocal_rank(None) == 0.0


def test_citation_precision_counts_duplicates_once():
    good = "Øverste ledelse for FN-senteret er bystyret."
    bad = "Kraftsamlingen er et arrangement."
    assert citation_precision([good, good, good, bad], ["bystyret"], None) == 0.5
    assert citation_precision([good, "Øverste ledelse for FN-senteret\ner bystyret."], ["bystyret"], None) == 1.0


def test_citation_precision_none_when_nothing_cited():
    assert citation_precision([], ["bystyret"], "x") is None


def test_citation_precision_on_unanswerable_item_is_zero():
    assert citation_precision(["Roma er en by."], [], None) == 0.0


def test_refusal_confusion_precision_and_recall():
    items = [(False, True), (False, True), (False, False), (True, True), (True, False), (True, False)]
    result = refusal_confusion(items)
    assert result["precision"] == pytest.approx(2 / 3)
    assert result["recall"] == pytest.approx(2 / 3)
    assert result["refused_answerable"] == 1
    assert result["answered_unanswerable"] == 1


def test_refusal_confusion_zero_division_gives_none():
    result = refusal_confusion([(True, False), (True, False)])
    assert result["precision"] is None
    assert result["recall"] is None
    assert refusal_confusion([(False, True)])["recall"] == 1.0


def test_percentile_interpolates():
    assert percentile([3.0, 1.0, 2.0, 4.0], 50) == 2.5
    assert percentile([1.0, 2.0, 3.0, 4.0, 5.0], 95) == pytest.approx(4.8)
    assert percentile([7.0], 95) == 7.0
    assert percentile([], 50) is None
    with pytest.raises(ValueError):
        percentile([1.0], 101)


def test_summarise_aggregates_rows():
    rows = [
        {"answerable": True, "refused": False, "rank": 1, "answer_contains": 1.0, "token_f1": 1.0,
         "citation_precision": 1.0, "latency": 1.0},
        {"answerable": True, "refused": False, "rank": 4, "answer_contains": 0.0, "token_f1": 0.5,
         "citation_precision": 0.0, "latency": 2.0},
        {"answerable": True, "refused": True, "rank": None, "answer_contains": 0.0, "token_f1": 0.0,
         "citation_precision": None, "latency": 3.0},
        {"answerable": False, "refused": True, "rank": None, "answer_contains": 1.0, "token_f1": 1.0,
         "citation_precision": None, "latency": 4.0},
    ]
    s = summarise(rows)
    assert s["items"] == 4 and s["answerable"] == 3
    assert s["hit@1"] == pytest.approx(1 / 3)
    assert s["hit@3"] == pytest.approx(1 / 3)
    assert s["hit@5"] == pytest.approx(2 / 3)
    assert s["hit@10"] == pytest.approx(2 / 3)
    assert s["mrr"] == pytest.approx((1 + 0.25) / 3)
    assert s["answer_accuracy"] == 0.5
    assert s["token_f1"] == pytest.approx(2.5 / 4)
    assert s["citation_precision"] == 0.5
    assert s["refusal_precision"] == 0.5
    assert s["refusal_recall"] == 1.0
    assert s["latency_p50"] == 2.5
    assert s["latency_p95"] == pytest.approx(3.85)
    assert s["answerable_refused"] == 1 and "by_language" not in s  # rows without a language get no breakdown
    assert s["answered_wrongly"] == 1 and s["answered_wrongly_share"] == pytest.approx(1 / 3)  # shown and wrong


def test_summarise_breaks_answerable_items_down_by_language_and_question_kind():
    def row(language, asks, answerable=True, right=True, refused=False):
        return {"answerable": answerable, "refused": refused, "rank": 1, "answer_contains": float(right),
                "token_f1": 0.0, "citation_precision": None, "latency": 1.0, "language": language, "asks": asks}

    rows = [row("nb", "number"), row("nb", "number", right=False), row("nb", "name", right=False, refused=True),
            row("en", "name"), row("en", "other", right=False, refused=True), row("nn", "time"),
            row("en", "other", answerable=False, refused=True)]  # unanswerable: in no cell
    s = summarise(rows)
    assert s["answerable_refused"] == 2
    assert s["answered_wrongly"] == 1  # nb/number shown and wrong; the refused wrong ones are refusals
    assert s["by_language"] == {"en": {"answerable": 2, "right": 1, "refused": 1, "wrong": 0},
                                "nb": {"answerable": 3, "right": 1, "refused": 1, "wrong": 1},
                                "nn": {"answerable": 1, "right": 1, "refused": 0, "wrong": 0}}
    assert s["by_asks"] == {"name": {"answerable": 2, "right": 1, "refused": 1, "wrong": 0},
                            "number": {"answerable": 2, "right": 1, "refused": 0, "wrong": 1},
                            "other": {"answerable": 1, "right": 0, "refused": 1, "wrong": 0},
                            "time": {"answerable": 1, "right": 1, "refused": 0, "wrong": 0}}
    from evals.report import breakdown_section

    text = "\n".join(breakdown_section({"ours": s}))
    assert "`ours`: 2 of 6 refused, 1 answered wrongly" in text
    assert "| language | en | 2 | 1 | 1 | 0 |" in text and "| asks for | number | 2 | 1 | 0 | 1 |" in text


def test_summarise_of_no_rows():
    s = summarise([])
    assert s["items"] == 0
    assert s["hit@1"] is None and s["mrr"] is None and s["latency_p50"] is None


@pytest.mark.parametrize("prediction, golds, refused, expected", [
    ("290 000", ["290 000"], False, 1.0),
    ("290 000 [1].", ["290 000"], False, 1.0),  # markers and punctuation do not count
    ("  «Lauvåsvatnet» ", ["lauvåsvatnet"], False, 1.0),
    ("Om lag 290 000", ["290 000"], False, 0.0),  # more than the gold is no exact match
    ("290", ["290 000"], False, 0.0),
    ("Jeg fant ikke svaret.", [], True, 1.0),  # a refusal of an unanswerable question
    ("Jeg fant ikke svaret.", ["290 000"], True, 0.0),
    ("Noe annet", [], False, 0.0),
    ("OL i 1994", ["Vikingskipet", "OL i 1994"], False, 1.0),  # any gold
])
def test_exact_match(prediction, golds, refused, expected):
    from evals.metrics import exact_match

    assert exact_match(prediction, golds, refused) == expected
