"""`assistant kommune NAVN`: Kommunestatus on the command line, over a store of the real corpus."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from assistant.cli.kommune import nearest, print_status
from assistant.cli.main import app
from assistant.core.kommuner import lookup

runner = CliRunner()


def _point_cli(monkeypatch, settings) -> None:
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("ASSISTANT_LLM", "extractive")


@pytest.fixture
def env(corpus_settings, monkeypatch):
    _point_cli(monkeypatch, corpus_settings)


@pytest.fixture(scope="module")
def trondheim(corpus_settings) -> dict:
    """Return what `assistant kommune Trondheim --summary --json` prints, run once for the module (about 10 s)."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        _point_cli(monkeypatch, corpus_settings)
        result = runner.invoke(app, ["kommune", "Trondheim", "--summary", "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def check_status(data: dict) -> None:
    """Assert what every kommune's status holds: documents and goals with sentences, a summary with sources."""
    assert data["kommune"] in ("Trondheim", "Heim")
    if data["kommune"] == "Trondheim":
        assert data["documents"] and data["goals"] and all(g["sentence"] for g in data["goals"])
    summary = data["summary"]
    assert summary["plain"] and all(f["source"] for f in summary["plain"])  # no sentence without a source
    assert all(q["source"] and q["text"] for q in summary["quotes"])
    shown = [f["text"] for f in summary["plain"]] + [q["plain"] or q["text"] for q in summary["quotes"]]
    assert len({s.casefold() for s in shown}) == len(shown)  # nothing twice
    assert summary["longest_sentence_words"] <= 15


def test_a_kommune_as_json_with_documents_goals_and_a_summary(trondheim):
    assert trondheim["kommune"] == "Trondheim"
    check_status(trondheim)


@pytest.mark.parametrize("name, kommune", [("Trondheim", "Trondheim"), ("trondheim", "Trondheim"),
                                           ("Trondhjem", "Trondheim"), ("i Trondheim", "Trondheim"), ("Heim", "Heim")])
def test_the_name_is_read_as_people_write_it(name, kommune):
    assert lookup(name).name == kommune


@pytest.mark.parametrize("name", ["Heim", pytest.param("trondheim", marks=pytest.mark.slow),
                                  pytest.param("Trondhjem", marks=pytest.mark.slow)])
def test_other_names_on_the_command_line(env, name):
    """The whole command for other spellings (Trondheim's status again: 10-35 s each, so those in the slow set)."""
    result = runner.invoke(app, ["kommune", name, "--summary", "--json"])
    assert result.exit_code == 0, result.output
    check_status(json.loads(result.output))


def test_a_kommune_without_documents_is_told_so(env):
    result = runner.invoke(app, ["kommune", "Hitra", "--summary", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["documents"] == [] and data["summary"]["plain"][0]["text"] == "Vi har ingen dokumenter om Hitra ennå."


HEADINGS = ("Kommunestatus: Trondheim", "Dokumenter", "Oppsummering", "Fra dokumentene:", "Bærekraftsmål")


def test_the_text_output_reads_like_the_page(trondheim, capsys):
    print_status(trondheim)  # what the command prints without --json, from the same data
    printed = capsys.readouterr().out
    for heading in HEADINGS:
        assert heading in printed
    assert all(doc["title"] in " ".join(printed.split()) for doc in trondheim["documents"])


QUOTE = "I sitt innlegg fortalte Christina Rasmussen om hvordan Kristiansand jobber for bærekraftig arealutvikling."
PLAIN = "Christina Rasmussen fortalte hvordan Kristiansand jobber."


@pytest.mark.parametrize("plain", [None, PLAIN])
def test_a_quote_rewritten_plainer_is_marked_and_shown_beside_the_documents_words(capsys, plain):
    quote = {"n": 1, "topic": "samarbeid", "text": QUOTE, "plain": plain, "title": "Kortreist [Kvalitet]",
             "source": "stad.txt", "page": 3}
    data = {"kommune": "Kristiansand", "documents": [], "missing": [], "goals": [],
            "summary": {"lix": 26.7, "longest_sentence_words": 9, "quotes": [quote],
                        "plain": [{"text": "Om samarbeid står det noe under [1].", "source": "sitat 1"}]}}
    print_status(data)
    printed = " ".join(capsys.readouterr().out.split())
    assert "Kortreist [Kvalitet], side 3" in printed  # titles print as written, never as markup
    if plain:
        assert f"[1] {PLAIN} (skrevet enklere; Kortreist [Kvalitet], side 3)" in printed
        assert f"I dokumentet: «{QUOTE}»" in printed
    else:
        assert f"[1] {QUOTE} (Kortreist [Kvalitet], side 3)" in printed and "skrevet enklere" not in printed


@pytest.mark.slow  # the whole command again for Trondheim (10-35 s); the quick set prints the JSON run's data
def test_the_text_command_reads_like_the_page(env):
    result = runner.invoke(app, ["kommune", "Trondheim", "--summary"])
    assert result.exit_code == 0, result.output
    for heading in HEADINGS:
        assert heading in result.output


@pytest.mark.parametrize("name, suggestion", [("Trondheimm", "Trondheim"), ("Frøyya", "Frøya"), ("Bergn", "Bergen")])
def test_an_unknown_name_gets_the_nearest_kommuner_and_exit_2(env, name, suggestion):
    result = runner.invoke(app, ["kommune", name])
    assert result.exit_code == 2 and suggestion in result.output
    assert suggestion in nearest(name)
