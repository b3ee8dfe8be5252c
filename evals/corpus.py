"""Evaluation stores keyed by corpus: `--corpus DIR` is ingested beside, never into, the user's store."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.app import App
from assistant.llm.gguf import MODELS, is_assembled, model_path

if TYPE_CHECKING:
    from assistant.core.settings import Settings


class CorpusError(RuntimeError):
    """The corpus to evaluate on cannot be used (missing folder, nothing ingestible)."""


def corpus_key(corpus_dir: Path) -> str:
    """Return a folder name for the corpus: its name plus a digest of its absolute path."""
    resolved = Path(corpus_dir).resolve()
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", resolved.name).strip("-") or "corpus"
    return f"{slug}-{hashlib.sha1(str(resolved).encode()).hexdigest()[:10]}"


def eval_dir(settings: Settings, corpus_dir: Path) -> Path:
    """Return the folder under the data dir that holds the evaluation indexes of this corpus."""
    return Path(settings.data_dir) / "eval" / corpus_key(corpus_dir)


def naive_index_dir(settings: Settings, corpus_dir: Path) -> Path:
    """Return where the naive baseline keeps its Chroma index of this corpus."""
    return eval_dir(settings, corpus_dir) / "naive"


def corpus_settings(settings: Settings, corpus_dir: Path) -> Settings:
    """Return settings whose embedded store lives in the corpus's evaluation folder (a Chroma server is not used).

    The embedded model stays the one assembled in the user's data dir: moving data_dir must not hide it.
    """
    update: dict[str, object] = {
        "data_dir": eval_dir(settings, corpus_dir) / "store",
        "corpus_dir": Path(corpus_dir),
        "chroma_host": "",
        "collection": "chunks",
    }
    model = MODELS.get(settings.llamacpp_model)
    if model is not None and is_assembled(model, settings.models_dir()):
        update["llamacpp_model"] = str(model_path(model, settings.models_dir()))
    return settings.model_copy(update=update)


def ingest_corpus(app: App, corpus_dir: Path, progress: bool) -> tuple[App, list[tuple[str, str]]]:
    """Return the app over the corpus's own store after an incremental ingest of the folder, and the files skipped.

    The returned app shares `app`'s embedder, so the model is loaded once.
    """
    corpus_dir = Path(corpus_dir)
    if not corpus_dir.is_dir():
        raise CorpusError(f"corpus folder {corpus_dir} does not exist")
    scoped = App(corpus_settings(app.settings, corpus_dir), app.embedder)
    report = scoped.ingester().ingest([corpus_dir], progress=progress)
    if scoped.store.count() == 0:
        raise CorpusError(f"nothing could be ingested from {corpus_dir}")
    return scoped, report.skipped
