"""The LIX benchmark runs the Kommunestatus texts through the real assistant and prints a score per text."""

import re

import pytest


@pytest.mark.slow
def test_bench_lix_prints_a_score_per_cited_text(corpus_settings, monkeypatch, capsys):
    from evals.bench_lix import main

    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(corpus_settings.data_dir))
    assert main(["--backends", "extractive"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"Trondheim\s+oppsummering\s+LIX\s+\d+\.\d", out)
    assert re.search(r"median LIX \d+\.\d; \d+/\d+ texts at or under 40", out)
    assert re.search(r"words per sentence \d+\.\d \(aim <= 15\); words over 6 letters \d+%; sentences over 20 words \d+/\d+", out)


def test_bench_lix_refuses_an_empty_store(settings, monkeypatch, capsys):
    from evals.bench_lix import main

    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(settings.data_dir))
    assert main(["--backends", "extractive"]) == 2
    assert "run `assistant ingest` first" in capsys.readouterr().err
