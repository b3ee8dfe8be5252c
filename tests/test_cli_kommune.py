"""`assistant kommune NAVN`: Kommunestatus on the command line, over a store of the real corpus."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from assistant.cli.kommune import nearest
from assistant.cli.main import app

runner = CliRunner()


@pytest.fixture
def env(corpus_settings, monkeypatch):
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(corpus_settings.data_dir))
    monkeypatch.setenv("ASSISTANT_LLM", "extractive")


@pytest.mark.parametrize("name", ["Trondheim", "trondheim", "Trondhjem", "Heim"])
def test_a_kommune_as_json_with_documents_goals_and_a_summary(env, name):
    result = runner.invoke(app, ["kommune", name, "--summary", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["kommune"] in ("Trondheim", "Heim")
    if data["kommune"] == "Trondheim":
        assert data["documents"] and data["goals"] and all(g["sentence"] for g in data["goals"])
    summary = data["summary"]
    assert summary["plain"] and all(f["source"] for f in summary["plain"])  # no sentence without a source
    assert all(q["source"] and q["text"] for q in summary["quotes"])
    shown = [f["text"] for f in summary["plain"]] + [q["plain"] or q["text"] for q in summary["quotes"]]
    assert len({s.casefold() for s in shown}) == len(shown)  # nothing twice
    assert summary["longest_sentence_words"] <= 15


def test_a_kommune_without_documents_is_told_so(env):
    result = runner.invoke(app, ["kommune", "Hitra", "--summary", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["documents"] == [] and data["summary"]["plain"][0]["text"] == "Vi har ingen dokumenter om Hitra ennå."


def test_the_text_output_reads_like_the_page(env):
    result = runner.invoke(app, ["kommune", "Trondheim", "--summary"])
    assert result.exit_code == 0, result.output
    for heading in ("Kommunestatus: Trondheim", "Dokumenter", "Oppsummering", "Fra dokumentene:", "Bærekraftsmål"):
        assert heading in result.output


@pytest.mark.parametrize("name, suggestion", [("Trondheimm", "Trondheim"), ("Frøyya", "Frøya"), ("Bergn", "Bergen")])
def test_an_unknown_name_gets_the_nearest_kommuner_and_exit_2(env, name, suggestion):
    result = runner.invoke(app, ["kommune", name])
    assert result.exit_code == 2 and suggestion in result.output
    assert suggestion in nearest(name)
