"""Kommunestatus logic: mentioned documents, cited-only summaries, LIX, suggested questions, the catalog."""

import pytest

from assistant.core.models import Answer, Chunk, Citation
from assistant.core.readability import band, lix
from assistant.services import kommunestatus as ks
from assistant.services.catalog import Catalog, DocumentInfo, build_catalog


def test_lix_matches_the_formula_and_ignores_citation_markers():
    text = ("Trondheim kommune jobber med bærekraft [1]. Byen har et senter for bærekraftige byer [2]. "
            "Senteret får penger fra kommunen, NTNU og fylket [1].")
    # 20 words, 3 sentences, 6 words longer than six letters: 20/3 + 100*6/20
    assert lix(text) == pytest.approx(20 / 3 + 30, abs=0.01)
    assert lix("") == 0.0 and lix("[1]") == 0.0
    assert band(25) == "svært lett" and band(39.9) == "lett" and band(55) == "vanskelig" and band(70) == "svært vanskelig"


def test_find_mentions_resolves_kommuner_and_not_ingested_skips_what_we_have():
    records = [
        ("a", "Kommunenerapporter\n\nBærekraftsrapport Frøya 2024 (PDF)\n\nBærekraftsrapport Indre Fosen 2024 (PDF)\n"
              "Bærekraftsrapport Trondheim 2024\nKlimaplan for Stjørdal 2020\nBærekraftsrapport Atlantis 2023",
         {"source": "nettverk.txt", "page": 0}),
        ("b", "Se Bærekraftsrapport Frøya 2024 for detaljer.", {"source": "annen.txt", "page": 2}),
    ]
    found = ks.find_mentions(records)
    assert set(found) == {"Frøya", "Indre Fosen", "Trondheim", "Stjørdal"}  # Atlantis is no kommune
    assert [m.title for m in found["Frøya"]] == ["Bærekraftsrapport Frøya 2024"]  # deduplicated
    assert found["Frøya"][0].source == "nettverk.txt" and found["Frøya"][0].year == 2024
    assert found["Stjørdal"][0].title == "Klimaplan for Stjørdal 2020"
    catalog = Catalog([DocumentInfo("frøya.pdf", "Bærekraftsrapport Frøya 2024", ["Frøya"], 2024)], 1, "e5", 384, "x")
    assert ks.not_ingested("Frøya", found, catalog) == []
    assert [m.title for m in ks.not_ingested("Trondheim", found, catalog)] == ["Bærekraftsrapport Trondheim 2024"]
    assert ks.not_ingested("Oslo", found, catalog) == []


def _answer(text: str, unsupported=(), refused=False, supported=(1, 2)) -> Answer:
    chunk = Chunk("c", "tekst", "s.txt", "T", None, "", 0, 5)
    citations = [Citation(n, chunk, "tekst", supported=n in supported) for n in (1, 2, 3)]
    return Answer("q", text, citations, refused, "x", [chunk], unsupported=list(unsupported))


def test_supported_text_keeps_only_cited_backed_sentences():
    text = "Kommunen har en plan [1]. Alle er enige. Planen er god [2]. Månen er av ost [1]. Tallet er 7 [3]."
    kept, dropped = ks.supported_text(_answer(text, unsupported=["Månen er av ost [1]."]))
    assert kept == "Kommunen har en plan [1]. Planen er god [2]."
    assert dropped == ["Alle er enige.", "Månen er av ost [1].", "Tallet er 7 [3]."]
    assert ks.supported_text(_answer("Fant ikke svaret.", refused=True)) == ("", [])


def test_catalog_of_the_real_corpus(corpus_settings, e5):
    from assistant.app import App

    catalog = build_catalog(App(corpus_settings, e5).store)
    assert len(catalog.documents) == 4 and catalog.chunks == sum(d.chunks for d in catalog.documents)
    assert catalog.kommuner == ["Arendal", "Kristiansand", "Stad", "Trondheim"]
    assert catalog.years == [2024, 2022, 2021]
    about = catalog.about("Trondheim")
    assert {d.source for d in about} == {"trondheim-11-ting-om-fn-senteret-2022.txt", "trondheim-samfunnsplan-orientering-2022.pdf"}
    pdf = catalog.get("trondheim-samfunnsplan-orientering-2022.pdf")
    assert pdf.is_pdf and pdf.file() is not None and len(pdf.content_hash) == 64
    assert catalog.as_dict()["documents"] == 4


@pytest.mark.slow
def test_status_of_trondheim_from_the_real_corpus(corpus_settings, e5):
    from assistant.app import App

    bot = App(corpus_settings, e5).assistant("extractive")
    questions = ks.suggested_questions("Trondheim", bot)
    assert 1 <= len(questions) <= 4 and all("Trondheim" in q for q in questions)
    for question in questions:  # each one the corpus really answers
        assert not bot.ask(question, filters={"kommune": "Trondheim"}).refused
    assert ks.suggested_questions("Holtålen", bot) == []  # no documents about it

    summary = ks.summarize("Trondheim", bot)
    assert not summary.empty and "[1]" in summary.text
    assert summary.lix == pytest.approx(lix(summary.text))
    assert all(c.chunk.meta.get("kommuner") and "Trondheim" in c.chunk.meta["kommuner"] for c in summary.answer.citations)
    assert ks.summarize("Holtålen", bot).empty


def test_marker_only_sentences_are_never_shown():
    kept, dropped = ks.supported_text(_answer("[1][2]. Kommunen har en plan [1]."))
    assert kept == "Kommunen har en plan [1]." and dropped == []


# slow: the marker-only reply (~3 s under load); the quick set keeps a declined and an unbacked reading, and
# test_marker_only_sentences_are_never_shown checks marker-only sentences quick
@pytest.mark.parametrize("reply", ['{"sentences": [], "answer": ""}',
                                   pytest.param('{"sentences": [1], "answer": "[1][2]"}', marks=pytest.mark.slow),
                                   '{"sentences": [1], "answer": "Kommunen har 99 prosent fornybar energi."}'])
def test_a_summary_reading_that_declines_or_is_not_backed_falls_back_to_quotes(corpus_settings, e5, reply):
    from assistant.answering.pipeline import Assistant
    from assistant.answering.readers import LLMReader
    from assistant.app import App, answer_config
    from tests.answering.test_reading import ScriptedChat
    from tests.fakes import quoter

    app, config = App(corpus_settings, e5), answer_config(corpus_settings)
    bot = Assistant(config, app.retriever, LLMReader(ScriptedChat(reply)), app.scorer,
                    quoter=quoter(config, app.scorer))
    summary = ks.summarize("Trondheim", bot)
    assert not summary.empty and "[1]" in summary.text and "99 prosent" not in summary.text
    assert summary.answer.notes and all(c.supported for c in summary.answer.citations)


@pytest.mark.slow  # one summary per kommune of the corpus
def test_every_kommune_with_a_document_gets_a_cited_summary(corpus_settings, e5):
    from assistant.app import App

    app = App(corpus_settings, e5)
    bot = app.assistant("extractive")
    kommuner = app.catalog().kommuner
    assert {"Trondheim", "Stad"} <= set(kommuner) and len(kommuner) >= 4
    for kommune in kommuner:
        summary = ks.summarize(kommune, bot)
        assert not summary.empty and "[1]" in summary.text, kommune
        assert all(kommune in c.chunk.meta.get("kommuner", []) for c in summary.answer.citations), kommune
