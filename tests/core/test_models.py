"""The JSON forms of answers, citations, evidence and passages: one `to_dict` shared by the CLI, evals and feedback."""

from __future__ import annotations

import json

from assistant.core.models import Answer, Chunk, Citation, Evidence

PASSAGE_KEYS = ["text", "source", "title", "page", "heading", "kommune", "kommuner", "year", "doc_type", "score"]
ANSWER_KEYS = ["question", "answer", "refused", "backend", "language", "standalone_question", "citations",
               "unsupported", "retrieved", "timings", "notes", "translation", "evidence"]


def chunk(text: str = "Senteret finansieres av NTNU og Trondheim kommune.", score: float = 0.8123456789) -> Chunk:
    meta = {"kommune": "Trondheim", "kommuner": ["Trondheim", "Stjørdal"], "year": "2022", "doc_type": "plan"}
    return Chunk("c1", text, "trondheim/fn.pdf", "FN-senteret", 4, "Finansiering", 0, len(text), meta, score)


def answer(**changes) -> Answer:
    passage = chunk()
    evidence = [Evidence(1, "Senteret finansieres av NTNU og Trondheim kommune.", passage, 0, "Finansiering", 1.23456),
                Evidence(2, "Kontakt:", passage, 1, "", -0.5, items=3)]
    fields = dict(
        question="Hvem finansierer FN-senteret?", text="NTNU og kommunen [1].",
        citations=[Citation(1, passage, "Senteret finansieres av NTNU og Trondheim kommune.")], refused=False,
        backend="extractive", passages=[passage, chunk("Annen tekst.", 0.1)], language="nb",
        standalone_question="Hvem finansierer FN-senteret i Trondheim?", unsupported=["Det er gratis."],
        timings={"retrieval": 0.123456789, "total": 1.5}, notes=["Ollama svarer ikke; bruker utdrag."],
        translation="", evidence=evidence,
    )
    return Answer(**{**fields, **changes})


def test_chunk_to_dict_has_the_search_json_fields():
    d = chunk().to_dict()
    assert list(d) == PASSAGE_KEYS
    assert d["text"].startswith("Senteret") and d["source"] == "trondheim/fn.pdf" and d["page"] == 4
    assert d["kommune"] == "Trondheim" and d["kommuner"] == ["Trondheim", "Stjørdal"]
    assert d["year"] == 2022 and d["doc_type"] == "plan" and d["heading"] == "Finansiering"
    assert d["score"] == 0.812346  # rounded to six places


def test_chunk_to_dict_without_metadata_and_page():
    d = Chunk("c", "Tekst.", "a.txt", "A", None, "", 0, 6).to_dict()
    assert d["page"] is None and d["kommune"] == "" and d["kommuner"] == [] and d["year"] is None
    assert d["doc_type"] == "" and d["score"] == 0.0


def test_citation_to_dict_names_the_passage_and_the_quote():
    c = Citation(2, chunk(), "Senteret finansieres av NTNU.", supported=False)
    assert c.to_dict() == {"n": 2, "source": "trondheim/fn.pdf", "title": "FN-senteret", "page": 4,
                           "text": chunk().text, "quote": "Senteret finansieres av NTNU.", "supported": False}


def test_answer_to_dict_carries_every_field():
    a = answer()
    d = a.to_dict()
    assert list(d) == ANSWER_KEYS
    assert d["question"] == a.question and d["answer"] == a.text and d["refused"] is False
    assert d["backend"] == "extractive" and d["language"] == "nb"
    assert d["standalone_question"] == "Hvem finansierer FN-senteret i Trondheim?"
    assert d["citations"] == [c.to_dict() for c in a.citations]
    assert d["retrieved"] == [p.to_dict() for p in a.passages] and d["retrieved"][1]["score"] == 0.1
    assert d["unsupported"] == ["Det er gratis."] and d["notes"] == a.notes and d["translation"] == ""
    assert d["timings"] == {"retrieval": 0.1235, "total": 1.5}  # seconds, rounded to four places


def test_answer_to_dict_lists_the_evidence_the_reader_was_shown():
    d = answer().to_dict()
    first, second = d["evidence"]
    assert first == {"id": 1, "text": "Senteret finansieres av NTNU og Trondheim kommune.",
                     "source": "trondheim/fn.pdf", "title": "FN-senteret", "page": 4, "context": "Finansiering",
                     "support": 1.2346, "items": 0}
    assert second["id"] == 2 and second["items"] == 3 and second["support"] == -0.5


def test_a_refusal_has_no_citations_but_keeps_the_closest_passages():
    d = answer(text="Jeg fant ikke svaret i dokumentene.", citations=[], refused=True, evidence=[],
               unsupported=[]).to_dict()
    assert d["refused"] is True and d["citations"] == [] and d["evidence"] == []
    assert [p["text"] for p in d["retrieved"]] == [chunk().text, "Annen tekst."]


def test_to_dict_is_json_and_does_not_share_lists_with_the_answer():
    a = answer(language="nn", translation="Maskinomsett til nynorsk.")
    d = a.to_dict()
    assert json.loads(json.dumps(d, ensure_ascii=False)) == d  # round trip through JSON changes nothing
    assert d["language"] == "nn" and d["translation"] == "Maskinomsett til nynorsk."
    d["notes"].append("x")
    d["unsupported"].clear()
    assert a.notes == ["Ollama svarer ikke; bruker utdrag."] and a.unsupported == ["Det er gratis."]
