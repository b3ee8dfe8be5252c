"""Derived indexes repair themselves: a damaged keyword index is detected, logged and rebuilt from the store."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.app import App
from assistant.cli.main import app as cli
from assistant.index.keyword import KeywordIndex
from tests.marks import diagonal

runner = CliRunner()

DOCS = {
    "fn.txt": "FN-senteret i Trondheim\n\nTrondheim kommune finansierer FN-senteret over kommunebudsjettet. "
    "Senteret har ti ansatte og holder til i sentrum.\n",
    "stad.txt": "Samling på Stad\n\nStad kommune var vertskap for samlingen om sirkulærøkonomi i 2021. "
    "Femti deltakere kom fra hele fylket.\n",
}


def _zero(d: Path) -> None:
    (d / "indices.csc.index.npy").write_bytes(b"")


def _truncate(d: Path) -> None:
    path = d / "data.csc.index.npy"
    path.write_bytes(path.read_bytes()[:100])


def _garbage(d: Path) -> None:
    (d / "indptr.csc.index.npy").write_bytes(b"\x93NUMPY garbage \x00\xff" * 20)


def _missing(d: Path) -> None:
    (d / "vocab.index.json").unlink()


def _short_ids(d: Path) -> None:
    meta = json.loads((d / "chunks.json").read_text(encoding="utf-8"))
    meta["ids"], meta["filters"] = meta["ids"][:1], meta["filters"][:1]
    (d / "chunks.json").write_text(json.dumps(meta), encoding="utf-8")


def _short_ids_only(d: Path) -> None:
    meta = json.loads((d / "chunks.json").read_text(encoding="utf-8"))
    meta["ids"] = meta["ids"][:1]
    (d / "chunks.json").write_text(json.dumps(meta), encoding="utf-8")


def _wrong_json(d: Path) -> None:
    (d / "chunks.json").write_text('{"generation": 1, "ids": [', encoding="utf-8")


def _json_list(d: Path) -> None:
    (d / "chunks.json").write_text("[1, 2, 3]", encoding="utf-8")


DAMAGE = {
    "zero-byte": _zero, "truncated": _truncate, "garbage": _garbage, "missing-file": _missing,
    "short-ids": _short_ids, "ids-vs-filters": _short_ids_only, "wrong-json": _wrong_json, "json-list": _json_list,
}


@pytest.fixture
def store(settings, e5, tmp_path, monkeypatch):
    """Return (settings, docs folder) of a small ingested store; the CLI is pointed at it."""
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, text in DOCS.items():
        (folder / name).write_text(text, encoding="utf-8")
    report = App(settings, e5).ingester().ingest([folder], progress=False)
    assert report.ok and report.keyword_rebuilt
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(folder))
    monkeypatch.setenv("ASSISTANT_LLM", "extractive")
    return settings, folder


@pytest.mark.parametrize("damage", DAMAGE)
def test_damaged_index_is_not_loaded_and_is_logged(store, damage, caplog):
    settings, _ = store
    DAMAGE[damage](settings.keyword_dir())
    with caplog.at_level(logging.WARNING, logger="assistant.index.keyword"):
        assert KeywordIndex(settings.keyword_dir()).load() is False
    assert "rebuilt from the store" in caplog.text


@pytest.mark.parametrize("damage", DAMAGE)
def test_search_rebuilds_a_damaged_index_in_process(store, e5, damage):
    settings, _ = store
    DAMAGE[damage](settings.keyword_dir())
    hits = App(settings, e5).retriever.search("Hvem finansierer FN-senteret?", k=2, mode="bm25")
    assert hits and hits[0].source == "fn.txt"
    assert KeywordIndex(settings.keyword_dir()).load()  # repaired on disk too


COMMANDS = {
    "search": ["search", "Hvem finansierer FN-senteret?", "--mode", "bm25", "--json"],
    "ask": ["ask", "Hvem finansierer FN-senteret?", "--llm", "extractive", "--json"],
    "ingest": ["ingest", "--no-progress"],
    "reindex": ["ingest", "--reindex", "--no-progress"],
}


# slow: the 12 other pairs of command and damage (~0.8 s each, `ask` ~1.5 s); the quick set keeps each command and
# each damage once, and every damage is loaded and rebuilt quick by the two tests above
@pytest.mark.parametrize("command, damage", diagonal(COMMANDS, ["zero-byte", "short-ids", "wrong-json", "missing-file"]))
def test_cli_commands_work_on_a_damaged_index(store, command, damage):
    settings, _ = store
    DAMAGE[damage](settings.keyword_dir())
    result = runner.invoke(cli, COMMANDS[command])
    assert result.exit_code == 0, result.output
    assert "Aborted" not in result.output and "Traceback" not in result.output
    if command == "search":
        assert json.loads(result.output)[0]["source"] == "fn.txt"
    if command == "ask":
        assert "fn.txt" in {c["source"] for c in json.loads(result.output)["citations"]}
    assert KeywordIndex(settings.keyword_dir()).load()
