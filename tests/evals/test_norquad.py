"""NorQuAD through the runner: the corpus folder and dataset writer, and one hit definition for both benchmarks."""

from __future__ import annotations

import json

import pytest

from evals.metrics import retrieval_hits


def _squad(questions: list[tuple[str, str, str]]) -> dict:
    """Return a SQuAD-format split with one article whose paragraphs hold the given (context, question, answer)."""
    return {"data": [{"title": "t", "paragraphs": [
        {"context": context, "qas": [
            {"id": n, "question": q, "answers": [{"text": a, "answer_start": context.index(a)}], "is_impossible": False},
            {"id": n + 1000, "question": "Umulig?", "answers": [], "is_impossible": True},
        ]} for n, (context, q, a) in enumerate(questions)]}]}


def test_writes_a_corpus_of_both_splits_and_the_splits_dataset(tmp_path):
    from evals.norquad import main

    source = tmp_path / "norquad"
    source.mkdir()
    (source / "validation.json").write_text(json.dumps(_squad([
        ("Bergen by\nBergen har mye regn.", "Hva har Bergen mye av?", "regn")])), encoding="utf-8")
    (source / "test.json").write_text(json.dumps(_squad([
        ("Oslo\nOslo er hovedstaden i Norge.", "Hva er Oslo?", "hovedstaden i Norge"),
        ("Tromsø\nTromsø ligger nord.", "Hvor ligger Tromsø?", "nord")])), encoding="utf-8")

    assert main(["--split", "test", "--out", str(tmp_path / "out"), "--source", str(source)]) == 0
    corpus = tmp_path / "out" / "corpus"
    assert sorted(p.relative_to(corpus).as_posix() for p in corpus.rglob("*.txt")) == [
        "test/0000-0.txt", "test/0000-1.txt", "validation/0000-0.txt"]
    assert (corpus / "test" / "0000-0.txt").read_text(encoding="utf-8") == "Oslo\nOslo er hovedstaden i Norge.\n"
    items = [json.loads(line) for line in (tmp_path / "out" / "norquad-test.jsonl").read_text().splitlines()]
    assert items == [
        {"id": "norquad-test-0", "question": "Hva er Oslo?", "answers": ["hovedstaden i Norge"], "answerable": True,
         "evidence": None, "tags": ["norquad"], "context": "test/0000-0.txt"},
        {"id": "norquad-test-1", "question": "Hvor ligger Tromsø?", "answers": ["nord"], "answerable": True,
         "evidence": None, "tags": ["norquad"], "context": "test/0000-1.txt"},
    ]  # impossible questions are left out, as in the retrieval benchmark


def test_bench_retrieval_counts_hits_as_the_runner_does():
    from evals.bench_retrieval import hit_rank

    passages = ["Kampen endte 2-1.", "Dommeren var Tom Harald Hagen, fra Oslo.", "HOVEDSTADEN I NORGE er Oslo."]
    for answers in (["Tom Harald Hagen"], ["hovedstaden i Norge"], ["Hagen,"], ["ste"], ["Bergen"]):
        assert hit_rank(passages, answers) == retrieval_hits(passages, answers, None)
    assert hit_rank(passages, ["hovedstaden i Norge"]) == 3  # case no longer matters
    assert hit_rank(passages, ["ste"]) is None  # nor do fragments of words count


@pytest.mark.slow  # the whole reader benchmark over real e5 and the trained scorer: 5-15 s
def test_bench_reader_reads_each_question_from_its_gold_passage(tmp_path, monkeypatch, capsys, e5):
    from evals import bench_reader

    monkeypatch.setattr(bench_reader.App, "embedder", property(lambda self: e5))  # the session's e5, loaded once
    source = tmp_path / "norquad"
    source.mkdir()
    contexts = [
        ("Bergen by\nBergen ligger på Vestlandet. Byen har om lag 290 000 innbyggere. Det regner mye i Bergen.",
         "Hvor mange innbyggere har Bergen?", "290 000"),
        ("Tromsø\nTromsø er en by i Nord-Norge. Ishavskatedralen ble bygd i 1965. Byen har et universitet.",
         "Når ble Ishavskatedralen bygd?", "1965"),
        ("Hamar\nHamar ligger ved Mjøsa. Vikingskipet ble bygd til OL i 1994. Byen har mange jernbanespor.",
         "Hva ble Vikingskipet bygd til?", "OL i 1994"),
    ]
    (source / "validation.json").write_text(json.dumps(_squad(contexts[:1])), encoding="utf-8")
    (source / "test.json").write_text(json.dumps(_squad(contexts[1:])), encoding="utf-8")
    monkeypatch.setenv("NORQUAD_DIR", str(source))
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "data"))

    assert bench_reader.main(["--split", "test", "--llm", "extractive"]) == 0
    out = capsys.readouterr().out
    assert "corpus IDF over 3 NorQuAD contexts" in out
    assert "extractive (trained scorer) on NorQuAD test with the gold passage (2 questions)" in out
    assert "containment 1.000" in out and "refused 0.000" in out  # each answer quotes its gold sentence
    assert "gold in the best evidence sentence 1.000" in out
