"""In-memory stand-ins for the logic tests: a deterministic embedder that needs no model, and a quoter.

Tests of logic around an embedder (caches, scoring arithmetic, bookkeeping) use `HashEmbedder`; tests
of the real e5 model (tests/index/test_embed.py and every test that takes the `e5` fixture) keep it.
A test that builds an `Assistant` by hand gives it `quoter(config, scorer)`, as the composition root
gives every Assistant the extractive reader that stands in when a model fails.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from assistant.answering.readers import ExtractiveReader
from assistant.answering.stages import AnswerConfig

WORD = re.compile(r"\w+")


class HashEmbedder:
    """Embeds text as hashed character trigrams of its lower-cased words: same text, same vector; shared words, near.

    Follows the `assistant.index.embed.Embedder` protocol (name, dim, max_tokens, embed_passages,
    embed_query, count_tokens). Queries and passages share one space (no e5 prefixes), and it counts
    what it embedded so a test can see which texts reached it.
    """

    max_tokens = 512

    def __init__(self, name: str = "fake/hash-trigrams", dim: int = 384) -> None:
        self.name, self.dim = name, dim
        self.embedded: list[str] = []

    def _vector(self, text: str) -> np.ndarray:
        """Return the L2-normalised vector of the text's hashed word trigrams (a unit vector for empty text)."""
        vector = np.zeros(self.dim, dtype=np.float32)
        for word in WORD.findall(text.lower()):
            padded = f" {word} "
            for i in range(len(padded) - 2):
                digest = hashlib.blake2b(padded[i : i + 3].encode("utf-8"), digest_size=8).digest()
                vector[int.from_bytes(digest, "little") % self.dim] += 1.0
        norm = float(np.linalg.norm(vector))
        if norm == 0.0:
            vector[0] = 1.0
            return vector
        return vector / norm

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Return an (n, dim) float32 array of normalised vectors, one per text."""
        self.embedded.extend(texts)
        if not texts:
            return np.empty((0, self.dim), dtype=np.float32)
        return np.stack([self._vector(t) for t in texts])

    def embed_query(self, text: str) -> np.ndarray:
        """Return the normalised (dim,) vector of the question."""
        self.embedded.append(text)
        return self._vector(text)

    def count_tokens(self, text: str) -> int:
        """Return a word count standing in for model tokens (two specials added, as e5 does)."""
        return len(WORD.findall(text)) + 2


def quoter(config: AnswerConfig, scorer: Any) -> ExtractiveReader:
    """Return the quoting reader for an Assistant over this config and scorer: at the gate's floor for a bokmål
    question, a second sentence within the quote margin (the root's, without an embedder or a plain margin)."""
    trained = scorer.learned is not None
    return ExtractiveReader(min_support=config.gate_floor("nb", trained), margin=config.quote_margin(trained))
