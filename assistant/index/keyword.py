"""The keyword index: BM25 (bm25s) over Norwegian-stemmed tokens, persisted beside the vectors."""

from __future__ import annotations

import json
import logging
import math
import os
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from assistant.core.text import TOKENIZER, bm25s_module, tokenize

log = logging.getLogger(__name__)

META_FILE = "chunks.json"


class KeywordIndexDamaged(ValueError):
    """The persisted keyword index cannot be read or does not agree with itself."""


def index_text(text: str, meta: dict[str, Any]) -> str:
    """Return what BM25 indexes for a chunk: its title and heading, then its text."""
    return "\n".join(part for part in (str(meta.get("title", "")), str(meta.get("heading", "")), text) if part)


class KeywordIndex:
    """BM25 over every chunk of the store, stamped with the store generation it was built from."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.model: Any = None
        self.ids: list[str] = []
        self.filters: list[dict[str, Any]] = []
        self.generation = -1
        self._mask_cache: dict[tuple, np.ndarray] = {}
        self._kommuner: set[str] | None = None

    # --- building and persistence ---

    def build(self, records: Iterable[tuple[str, str, dict[str, Any]]], generation: int) -> None:
        """Build the index from (id, text, metadata) records and persist it atomically."""
        bm25s = bm25s_module()

        ids, texts, filters = [], [], []
        for chunk_id, text, meta in records:
            ids.append(chunk_id)
            texts.append(index_text(text, meta))
            filters.append(
                {
                    "kommuner": list(meta.get("kommuner") or []),
                    "year": int(meta.get("year") or 0),
                    "source": str(meta.get("source", "")),
                    "doc_type": str(meta.get("doc_type", "")),
                    "goals": [int(g) for g in meta.get("goals") or []],
                }
            )
        model = bm25s.BM25() if texts else None
        if model is not None:
            model.index(tokenize(texts), show_progress=False)
        self.model, self.ids, self.filters, self.generation = model, ids, filters, generation
        self._mask_cache.clear()
        self._kommuner = None
        self._save()

    def _save(self) -> None:
        """Write the index to a temporary folder, then move it into place."""
        tmp = self.directory.with_name(self.directory.name + f".tmp-{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if self.model is not None:
            self.model.save(str(tmp), show_progress=False)
        (tmp / META_FILE).write_text(
            json.dumps({"generation": self.generation, "ids": self.ids, "filters": self.filters, "tokenizer": TOKENIZER},
                       ensure_ascii=False),
            encoding="utf-8",
        )
        shutil.rmtree(self.directory, ignore_errors=True)
        os.replace(tmp, self.directory)

    def load(self) -> bool:
        """Return True if a persisted index was loaded; False if there is none or it is damaged (logged).

        Any damage counts: a file missing, empty, cut short or garbled, wrong JSON, or ids that do not
        match the matrix. The index is derived data, so callers rebuild it from the store.
        """
        if not (self.directory / META_FILE).exists():
            if self.directory.exists():
                log.warning("the keyword index in %s has no %s; it will be rebuilt from the store",
                            self.directory, META_FILE)
            return False
        try:
            model, ids, filters, generation = self._read()
        except Exception as exc:  # noqa: BLE001 - numpy raises EOFError, ValueError, OSError, pickle errors ...
            log.warning("the keyword index in %s is damaged (%s: %s); it will be rebuilt from the store",
                        self.directory, type(exc).__name__, exc)
            return False
        self.model, self.ids, self.filters, self.generation = model, ids, filters, generation
        self._mask_cache.clear()
        self._kommuner = None
        return True

    def _read(self) -> tuple[Any, list[str], list[dict[str, Any]], int]:
        """Return (model, ids, filters, generation) read from disk; raise KeywordIndexDamaged when inconsistent."""
        data = json.loads((self.directory / META_FILE).read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise KeywordIndexDamaged(f"{META_FILE} holds no object")
        if data.get("tokenizer") != TOKENIZER:
            raise KeywordIndexDamaged(f"made by another tokenizer ({data.get('tokenizer', 'before 2026-12')}, now {TOKENIZER})")
        ids, filters, generation = data["ids"], data["filters"], int(data["generation"])
        if not isinstance(ids, list) or not isinstance(filters, list) or len(ids) != len(filters):
            raise KeywordIndexDamaged(f"{META_FILE}: ids and filters differ in number")
        if not all(isinstance(f, dict) and isinstance(f.get("kommuner", []), list) for f in filters):
            raise KeywordIndexDamaged(f"{META_FILE}: filters are not records")
        if not ids:
            return None, [], [], generation
        model = bm25s_module().BM25.load(str(self.directory), show_progress=False)
        scores = model.scores
        n_docs, indptr, indices = int(scores["num_docs"]), scores["indptr"], scores["indices"]
        if n_docs != len(ids):
            raise KeywordIndexDamaged(f"{len(ids)} ids for a matrix of {n_docs} passages")
        if len(indptr) not in (len(model.vocab_dict), len(model.vocab_dict) + 1) or not int(indptr[-1]) == len(indices) == len(scores["data"]):
            raise KeywordIndexDamaged("the matrix does not match its vocabulary")
        if len(indices) and (int(indices.max()) >= n_docs or int(indices.min()) < 0):
            raise KeywordIndexDamaged("the matrix points at passages that are not there")
        return model, ids, filters, generation

    # --- queries ---

    def kommuner(self) -> set[str]:
        """Return the kommune names that some indexed chunk is about (computed once per build or load)."""
        if self._kommuner is None:
            self._kommuner = {name for f in self.filters for name in f["kommuner"]}
        return self._kommuner

    def _mask(self, filters: dict[str, Any] | None) -> np.ndarray | None:
        """Return a 0/1 weight per chunk for the filters, or None when nothing is filtered."""
        active = {k: v for k, v in (filters or {}).items() if v not in (None, "")}
        if not active:
            return None
        key = tuple(sorted(active.items()))
        if key not in self._mask_cache:
            keep = np.ones(len(self.ids), dtype=np.float32)
            for i, f in enumerate(self.filters):
                for name, value in active.items():
                    if name == "kommune":
                        ok = value in f["kommuner"]
                    elif name == "goal":  # an index built before goals were stored has none
                        ok = int(value) in f.get("goals", ())
                    else:
                        ok = f.get(name) == value
                    if not ok:
                        keep[i] = 0.0
                        break
            self._mask_cache[key] = keep
        return self._mask_cache[key]

    def search(self, query: str, n: int, filters: dict[str, Any] | None = None) -> list[tuple[str, float]]:
        """Return up to n (chunk id, BM25 score) pairs with a positive score, best first."""
        if self.model is None or not self.ids:
            return []
        tokens = [t for t in tokenize([query])[0] if t in self.model.vocab_dict]
        if not tokens:
            return []
        scores = self.model.get_scores(tokens, weight_mask=self._mask(filters))
        n = min(n, len(scores))
        top = np.argpartition(-scores, n - 1)[:n]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(self.ids[i], float(scores[i])) for i in top if scores[i] > 0]

    def idf(self, tokens: Iterable[str]) -> dict[str, float]:
        """Return the corpus IDF of stemmed tokens, log(1 + N / (1 + df)); a token the corpus lacks gets the most."""
        n = len(self.ids)
        indptr = self.model.scores["indptr"] if self.model is not None else None
        vocab = self.model.vocab_dict if self.model is not None else {}
        out = {}
        for token in tokens:
            j = vocab.get(token)
            df = int(indptr[j + 1] - indptr[j]) if j is not None and indptr is not None else 0
            out[token] = math.log(1 + n / (1 + df))
        return out
