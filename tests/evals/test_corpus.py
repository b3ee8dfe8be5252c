"""`--corpus DIR`: the corpus is ingested into its own store under the data dir; the user's store is untouched."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from assistant.app import App
from tests.conftest import ROOT


def test_corpus_key_is_stable_and_distinguishes_folders(tmp_path):
    from evals.corpus import corpus_key

    a, b = tmp_path / "a" / "corpus", tmp_path / "b" / "corpus"
    assert corpus_key(a) == corpus_key(a) and corpus_key(a) != corpus_key(b)
    assert corpus_key(a).startswith("corpus-")


def test_corpus_settings_never_point_at_the_users_store(settings, tmp_path):
    from evals.corpus import corpus_settings

    served = settings.model_copy(update={"chroma_host": "chroma.example", "collection": "mine"})
    scoped = corpus_settings(served, tmp_path / "other")
    assert scoped.chroma_host == "" and scoped.collection == "chunks"
    assert scoped.store_dir().is_relative_to(settings.data_dir / "eval")
    assert scoped.store_dir() != settings.store_dir()


def test_corpus_settings_keep_the_users_embedded_model(settings, tmp_path):
    from assistant.llm.gguf import MODELS, model_path, resolve_model
    from evals.corpus import corpus_settings

    model = MODELS["qwen2.5-coder-0.5b"]
    named = settings.model_copy(update={"llamacpp_model": "qwen2.5-coder-0.5b"})
    assert corpus_settings(named, tmp_path / "other").llamacpp_model == "qwen2.5-coder-0.5b"  # not assembled: unchanged
    path = model_path(model, settings.models_dir())
    path.parent.mkdir(parents=True)
    with open(path, "wb") as handle:  # a sparse file of the pinned size counts as assembled (sha256 is checked once)
        handle.write(b"GGUF")
        handle.truncate(model.size)
    scoped = corpus_settings(named, tmp_path / "other")
    assert scoped.llamacpp_model == str(path) and resolve_model(scoped.llamacpp_model, scoped.models_dir()) == path


@pytest.mark.slow
def test_run_eval_on_another_corpus(tiny_corpus, tiny_dataset, settings, tmp_path):
    from evals.corpus import eval_dir
    from evals.run import run_eval

    out = tmp_path / "out"
    summary = run_eval(tiny_dataset, out, pipelines=("ours", "bm25"), app=App(settings), corpus=tiny_corpus,
                       progress=False)
    assert not settings.store_dir().exists(), "the user's store must not be created or touched"
    assert (eval_dir(settings, tiny_corpus) / "store" / "chroma").is_dir()
    assert summary["corpus"] == str(tiny_corpus)
    rows = [json.loads(line) for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    frosta = next(r for r in rows if r["id"] == "t-2" and r["pipeline"] == "ours")
    assert frosta["rank"] == 1 and frosta["answer_contains"] == 1.0
    assert frosta["citations"][0]["source"] == "frosta/vann.md"
    assert next(r for r in rows if r["id"] == "t-3" and r["pipeline"] == "ours")["refused"]


@pytest.mark.slow
def test_command_line_with_corpus_runs_without_a_terminal(tiny_corpus, tiny_dataset, tmp_path):
    """No TTY and no stdin (as in CI): no progress bar escapes, the run completes, the report is written."""
    out = tmp_path / "out"
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(tmp_path / "data")}
    done = subprocess.run(
        [sys.executable, "-m", "evals", "--dataset", str(tiny_dataset), "--out", str(out), "--corpus", str(tiny_corpus),
         "--pipeline", "ours,naive,bm25,vector"],
        cwd=ROOT, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=600, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "asked now 12" in done.stdout
    assert "\x1b[" not in done.stdout + done.stderr  # no cursor movement or colours in a log
    assert (out / "report.md").exists()


def test_command_line_rejects_a_missing_corpus(tiny_dataset, tmp_path):
    from evals.cli import main

    assert main(["--dataset", str(tiny_dataset), "--out", str(tmp_path / "out"), "--corpus", str(tmp_path / "nope")]) == 2


def test_an_empty_store_without_corpus_is_refused_with_advice(tiny_dataset, settings, tmp_path):
    from evals.corpus import CorpusError
    from evals.run import run_eval

    with pytest.raises(CorpusError, match="assistant ingest"):
        run_eval(tiny_dataset, tmp_path / "out", pipelines=("bm25",), app=App(settings), progress=False)
