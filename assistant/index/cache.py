"""Vectors of recently seen sentences, so ranking excerpts and checking citations embed each sentence once.

The same passages come back again and again (follow-ups, questions about one kommune, the citation
check after the prompt was built), and e5 takes about 18 ms per sentence on two cores: ranking the
sentences of four passages cost 1.5 s before each prompt, and the citation check embedded the same
sentences again. Results are identical with or without the cache; only repeated work is skipped.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from assistant.index.embed import Embedder

MAX_ITEMS = 20_000  # about 30 MB of 384-dimensional float32 vectors


class VectorCache:
    """A bounded least-recently-used map from (embedder, kind, text) to its vector."""

    def __init__(self, max_items: int = MAX_ITEMS) -> None:
        self.max_items = max_items
        self._items: OrderedDict[tuple[str, str, str], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def passages(self, embedder: Embedder, texts: Sequence[str]) -> np.ndarray:
        """Return the (n, dim) passage vectors of the texts, embedding only those not seen recently."""
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for text in texts:
                key = (embedder.name, "passage", text)
                if key in self._items:
                    found[text] = self._get(key)
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            vectors = embedder.embed_passages(missing)  # outside the lock: embedding is the slow part
            with self._lock:
                for text, vector in zip(missing, vectors, strict=True):
                    found[text] = self._put((embedder.name, "passage", text), vector)
        with self._lock:
            self.misses += len(missing)
            self.hits += len(texts) - len(missing)
        if not texts:
            return np.empty((0, embedder.dim), dtype=np.float32)
        return np.stack([found[t] for t in texts])

    def query(self, embedder: Embedder, text: str) -> np.ndarray:
        """Return the query vector of the text, embedding it only when not seen recently."""
        key = (embedder.name, "query", text)
        with self._lock:
            if key in self._items:
                self.hits += 1
                return self._get(key)
        vector = embedder.embed_query(text)
        with self._lock:
            self.misses += 1
            self._put(key, vector)
        return vector

    def clear(self) -> None:
        """Forget every vector (benchmarks use it to measure cold prompts)."""
        with self._lock:
            self._items.clear()
            self.hits = self.misses = 0

    def _get(self, key: tuple[str, str, str]) -> np.ndarray:
        self._items.move_to_end(key)
        return self._items[key]

    def _put(self, key: tuple[str, str, str], vector: np.ndarray) -> np.ndarray:
        self._items[key] = stored = np.asarray(vector, dtype=np.float32)
        self._items.move_to_end(key)
        while len(self._items) > self.max_items:
            self._items.popitem(last=False)
        return stored


class CachingEmbedder:
    """An Embedder that remembers recent vectors of the one it wraps: same vectors, repeated work skipped.

    The composition root gives it to the answer stages (sentence ranking, citation checks), whose
    inputs repeat; ingestion uses the plain embedder, whose inputs do not.
    """

    def __init__(self, inner: Embedder, max_items: int = MAX_ITEMS) -> None:
        self.inner = inner
        self.cache = VectorCache(max_items)
        self.name, self.dim, self.max_tokens = inner.name, inner.dim, inner.max_tokens

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Return the passage vectors of the texts, embedding only those not seen recently."""
        return self.cache.passages(self.inner, texts)

    def embed_query(self, text: str) -> np.ndarray:
        """Return the query vector of the text, embedding it only when not seen recently."""
        return self.cache.query(self.inner, text)

    def count_tokens(self, text: str) -> int:
        """Return the wrapped embedder's token count."""
        return self.inner.count_tokens(text)
