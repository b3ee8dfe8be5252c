"""Hybrid retrieval: vector and BM25 rankings fused by reciprocal rank fusion, then filtered and merged."""

from __future__ import annotations

import copy
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

from assistant.core.kommuner import find_kommuner
from assistant.core.models import Chunk

if TYPE_CHECKING:
    from assistant.index.embed import Embedder
    from assistant.index.keyword import KeywordIndex
    from assistant.index.protocol import SearchableStore

log = logging.getLogger(__name__)

Mode = Literal["hybrid", "vector", "bm25"]


def rrf(rankings: Sequence[Sequence[str]], weights: Sequence[float], k: int = 60) -> dict[str, float]:
    """Return reciprocal-rank-fusion scores: sum over rankings of weight / (k + rank), rank from 1."""
    fused: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights):
        if weight <= 0:
            continue
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + weight / (k + rank)
    return fused


def _overlaps(a: Chunk, b: Chunk) -> bool:
    """Return True when two chunks are of the same page of the same file and their spans overlap."""
    return a.source == b.source and a.page == b.page and a.start < b.end and b.start < a.end


def merge_pair(a: Chunk, b: Chunk) -> Chunk:
    """Return one chunk covering the union of two overlapping chunks, keeping the better one's id and score."""
    first, second = (a, b) if a.start <= b.start else (b, a)
    text = first.text if second.end <= first.end else first.text + second.text[first.end - second.start :]
    best = a if a.score >= b.score else b
    merged_ids = list(dict.fromkeys([*a.meta.get("merged_ids", [a.id]), *b.meta.get("merged_ids", [b.id])]))
    return replace(
        best,
        text=text,
        start=first.start,
        end=max(first.end, second.end),
        heading=first.heading,
        meta={**best.meta, "merged_ids": merged_ids},
    )


def merge_overlapping(ranked: Sequence[Chunk], limit: int) -> list[Chunk]:
    """Return up to limit passages in rank order, overlapping chunks of one passage merged into one."""
    passages: list[Chunk] = []
    for chunk in ranked:
        for i, passage in enumerate(passages):
            if _overlaps(passage, chunk):
                passages[i] = merge_pair(passage, chunk)
                break
        else:
            if len(passages) >= limit:
                continue  # later chunks may still extend a passage already chosen
            passages.append(chunk)
    return passages


def named_kommune(question: str, known: set[str]) -> str | None:
    """Return the first kommune the question names that the corpus has documents about, else None."""
    if not known:
        return None

    for kommune in find_kommuner(question):
        if kommune.name in known:
            return kommune.name
    return None


@runtime_checkable
class Searcher(Protocol):
    """What the answer stages need from retrieval: ranked passages for a query, and the store behind them."""

    store: SearchableStore
    embedder: Embedder | None

    def search(
        self, query: str, k: int | None = None, filters: dict[str, Any] | None = None, mode: Mode | None = None
    ) -> list[Chunk]:
        """Return the k best passages for the query, best first."""
        ...


@dataclass(frozen=True)
class RetrievalConfig:
    """What retrieval reads of the settings; the composition root builds it (assistant.app.retrieval_config)."""

    k: int  # passages returned when a search names no k
    candidates: int  # hits taken from each ranking before fusion (at least 4 k)
    vector_weight: float  # weight of the vector ranking in reciprocal rank fusion
    bm25_weight: float  # weight of the BM25 ranking
    rrf_k: int  # the fusion's rank constant
    kommune_boost: float  # relative boost of passages about a kommune the query names


class Retriever:
    """Answers a query with ranked passages from the store and the keyword index.

    Of the store's versions it reads only what a search may see now (`Visibility`): the generation, to
    rebuild a stale keyword index, and the files being replaced, to leave out their other version.
    """

    def __init__(
        self,
        config: RetrievalConfig,
        store: SearchableStore,
        keyword: KeywordIndex,
        embedder: Embedder | None = None,
        mode: Mode = "hybrid",
    ) -> None:
        self.config = config
        self.store = store
        self.keyword = keyword
        self.embedder = embedder
        self.mode = mode  # used when a search names no mode

    def with_mode(self, mode: Mode) -> Retriever:
        """Return a retriever over the same store and index that searches in `mode` unless told otherwise."""
        other = copy.copy(self)  # the parts are shared, not built again: only the composition root builds them
        other.mode = mode
        return other

    def refresh_keyword_index(self, force: bool = False) -> bool:
        """Return True if the BM25 index had to be (re)built because the store changed since it was built."""
        generation = self.store.generation()
        if not force and self.keyword.generation == generation:
            return False
        if not force and self.keyword.load() and self.keyword.generation == generation:
            return False
        log.info("rebuilding the keyword index from the store (generation %s)", generation)
        self.keyword.build(self.store.iter_records(), generation)
        return True

    def search(
        self,
        query: str,
        k: int | None = None,
        filters: dict[str, Any] | None = None,
        mode: Mode | None = None,
    ) -> list[Chunk]:
        """Return the k best passages for the query, best first, each with its fused score."""
        mode = mode or self.mode
        k = k or self.config.k
        n = max(self.config.candidates, k * 4)
        filters = {key: value for key, value in (filters or {}).items() if value not in (None, "")}
        self.refresh_keyword_index()

        vector_hits: list[Chunk] = []
        if mode in ("hybrid", "vector"):
            if self.embedder is None:
                raise RuntimeError("vector search needs an embedder")
            vector_hits = self.store.query(self.embedder.embed_query(query), n, filters)
        bm25_hits = self.keyword.search(query, n, filters) if mode in ("hybrid", "bm25") else []

        fused = rrf(
            [[c.id for c in vector_hits], [chunk_id for chunk_id, _ in bm25_hits]],
            [self.config.vector_weight if mode != "bm25" else 1.0, self.config.bm25_weight if mode != "vector" else 1.0],
            self.config.rrf_k,
        )
        chunks = {c.id: c for c in vector_hits}
        missing = [chunk_id for chunk_id in fused if chunk_id not in chunks]
        chunks.update(self.store.get(missing))
        vector_score = {c.id: c.score for c in vector_hits}
        bm25_score = dict(bm25_hits)

        boost_to = None if "kommune" in filters else named_kommune(query, self.keyword.kommuner())
        replacing = self.store.replacing()  # files between a new version's write and the old one's removal
        ranked: list[Chunk] = []
        for chunk_id, score in fused.items():
            chunk = chunks.get(chunk_id)
            if chunk is None:  # deleted between the two lookups
                continue
            if chunk.source in replacing and chunk.meta.get("content_hash") != replacing[chunk.source]:
                continue  # the other version of a file being replaced (or whose writer was killed)
            if boost_to and boost_to in chunk.meta.get("kommuner", []):
                score *= 1.0 + self.config.kommune_boost
            meta = {**chunk.meta, "vector_score": vector_score.get(chunk_id), "bm25_score": bm25_score.get(chunk_id)}
            ranked.append(replace(chunk, score=score, meta=meta))
        ranked.sort(key=lambda c: c.score, reverse=True)
        return merge_overlapping(ranked, k)
