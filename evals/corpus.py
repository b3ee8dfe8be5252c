"""Evaluation stores keyed by corpus: `--corpus DIR` is ingested beside, never into, the user's store."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assistant.embed import Embedder
    from assistant.settings import Settings


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
    from assistant.gguf import MODELS, is_assembled, model_path

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


def ingest_corpus(settings: Settings, corpus_dir: Path, embedder: Embedder, progress: bool) -> tuple[Settings, list[tuple[str, str]]]:
    """Return the corpus store's settings after an incremental ingest of the folder, and the files skipped."""
    from assistant.build import build_keyword_index, build_store
    from ingest.pipeline import ingest_paths

    corpus_dir = Path(corpus_dir)
    if not corpus_dir.is_dir():
        raise CorpusError(f"corpus folder {corpus_dir} does not exist")
    scoped = corpus_settings(settings, corpus_dir)
    store = build_store(scoped, embedder)
    report = ingest_paths([corpus_dir], scoped, store, build_keyword_index(scoped), embedder, progress=progress)
    if store.count() == 0:
        raise CorpusError(f"nothing could be ingested from {corpus_dir}")
    return scoped, report.skipped
