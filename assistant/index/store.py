"""The vector store: chunks and their vectors in Chroma (embedded or a server), telemetry off.

Chroma's client and record conversion live in `assistant.index.chroma`, the generation, replace journal
and reindex switch in `assistant.index.versions`. A damaged embedded store is recognised in
`assistant.index.damage`: every ChunkStore method turns Chroma's signs of damage into `StoreDamaged` (a
message that says what to do) instead of letting them through as tracebacks.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.core.models import Chunk
from assistant.index.chroma import (
    EmbedderMismatch,
    StoreConfig,
    StoreDamaged,
    StoreError,
    build_where,
    chroma_client,
    chunk_to_record,
    record_to_chunk,
)
from assistant.index.damage import (
    SQLITE_FILE,
    damage_of,
    damaged,
    guarded,
    segment_problem,
    set_aside,
)
from assistant.index.protocol import SourceState, VectorStore, VersionedStore, states_of
from assistant.index.versions import OLD_SUFFIX, REBUILD_SUFFIX, Versioned

if TYPE_CHECKING:
    from pathlib import Path

__all__ = [
    "OLD_SUFFIX", "REBUILD_SUFFIX", "ChunkStore", "EmbedderMismatch", "SourceState", "StoreConfig", "StoreDamaged",
    "StoreError", "VectorStore", "VersionedStore", "build_where", "chroma_client", "chunk_to_record", "record_to_chunk",
    "set_aside_if_damaged",
]

log = logging.getLogger(__name__)


class ChunkStore(Versioned):
    """Chunks with their vectors in one Chroma collection that records which embedder built it (a `VersionedStore`)."""

    def __init__(self, config: StoreConfig, embedder_name: str, dim: int, client: Any | None = None) -> None:
        self.config = config
        self.embedder_name = embedder_name
        self.dim = dim
        self._broken = False  # set when Chroma reported damage: the next call reopens the folder
        try:
            if not config.chroma_host:  # before Chroma reads them: a garbage vector index crashes the process
                problem = segment_problem(config, dim)
                if problem:
                    raise damaged(config, problem)
            self.client = client if client is not None else chroma_client(config)
            self._recover_switch()
            self.collection = self._open()
            self._seen = self.generation()  # the generation the open collection reflects
        except Exception as exc:
            self._raise_damage(exc)
            raise

    def _raise_damage(self, exc: Exception) -> None:
        """Raise StoreDamaged when the error is Chroma's sign of a damaged store (and reopen on the next call)."""
        found = damage_of(self.config, exc)
        if found is not None:
            self._broken = True
            raise found from exc

    def _revive(self) -> None:
        """Open the store folder afresh after Chroma reported it damaged (it may have been rebuilt since)."""
        if not self._broken:
            return
        self._broken = False
        problem = segment_problem(self.config, self.dim)
        if problem:
            raise damaged(self.config, problem)
        self.client = chroma_client(self.config, fresh=True)
        self.collection = self._open()
        self._seen = self.generation()

    def _open(self) -> Any:
        """Return the collection, creating it for this embedder, refusing one built by another."""
        name = self.config.collection
        try:
            collection = self.client.get_or_create_collection(
                name,
                metadata={"embedder": self.embedder_name, "dim": self.dim, "generation": 0},
                configuration={"hnsw": {"space": "cosine"}},
                embedding_function=None,
            )
        except Exception as exc:
            raise StoreError(f"cannot open Chroma collection {name!r}: {exc}") from exc
        meta = collection.metadata or {}
        if meta.get("embedder") != self.embedder_name or int(meta.get("dim", -1)) != self.dim:
            raise EmbedderMismatch(
                f"the store {self.location()} was built with embedder {meta.get('embedder')!r} "
                f"(dimension {meta.get('dim')}), but {self.embedder_name!r} (dimension {self.dim}) is configured. "
                "Run `assistant ingest --reindex` to rebuild it with the configured embedder."
            )
        return collection

    def _follow(self) -> None:
        """Reopen the collection when another process (or another App) wrote since it was opened.

        Chroma's embedded client keeps the vector index it loaded, so without this a running app
        never finds by vector what `assistant ingest` added in another process.
        """
        generation = self.generation()
        if generation == self._seen:
            return
        log.info("the store changed (generation %s -> %s); reopening it", self._seen, generation)
        if not self.config.chroma_host:  # a server always serves what is written
            self.client = chroma_client(self.config, fresh=True)
        self.collection = self._open()
        self._seen = generation

    @classmethod
    def open_existing(cls, config: StoreConfig) -> ChunkStore | None:
        """Return the store as built (embedder read from the collection) without loading a model, or None.

        StoreDamaged when its files are damaged (never None for a store that is there but unreadable).
        """
        try:
            problem = "" if config.chroma_host else segment_problem(config)
            if problem:
                raise damaged(config, problem)
            client = chroma_client(config)
        except Exception as exc:
            found = damage_of(config, exc)
            if found is not None:
                raise found from exc
            raise
        try:
            collection = client.get_collection(config.collection, embedding_function=None)
        except Exception as exc:  # noqa: BLE001 - none yet: chromadb raises NotFoundError or ValueError by version
            found = damage_of(config, exc)
            if found is not None:
                raise found from exc
            return None
        meta = collection.metadata or {}
        return cls(config, str(meta.get("embedder")), int(meta.get("dim", 0)), client=client)

    @staticmethod
    def drop(config: StoreConfig) -> None:
        """Delete the configured collection, whichever embedder built it (`ingest --reindex` after a change)."""
        try:
            chroma_client(config).delete_collection(config.collection)
        except Exception:  # noqa: BLE001 - nothing to drop
            pass

    def location(self) -> str:
        """Return a human description of where the store lives."""
        c = self.config
        if c.chroma_host:
            return f"chroma server {c.chroma_host}:{c.chroma_port}/{c.collection}"
        return f"{c.store_dir}/{c.collection}"

    # --- writes ---

    @guarded
    def upsert(self, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        """Write chunks and their vectors (same order); existing ids are overwritten."""
        if len(chunks) != len(vectors):
            raise ValueError("chunks and vectors differ in length")
        batch = 1000
        for start in range(0, len(chunks), batch):
            part = chunks[start : start + batch]
            self.collection.upsert(
                ids=[c.id for c in part],
                embeddings=np.asarray(vectors[start : start + batch], dtype=np.float32),
                documents=[c.text for c in part],
                metadatas=[chunk_to_record(c) for c in part],
            )

    @guarded
    def delete_ids(self, ids: Iterable[str]) -> None:
        """Delete the chunks with these ids."""
        ids = list(ids)
        for start in range(0, len(ids), 1000):
            self.collection.delete(ids=ids[start : start + 1000])

    @guarded
    def ids_of_source(self, source: str) -> list[str]:
        """Return the ids of every chunk of a source file."""
        return list(self.collection.get(where={"source": source}, include=[])["ids"])

    @guarded
    def delete_source(self, source: str) -> int:
        """Delete every chunk of a source file and return how many there were."""
        ids = self.ids_of_source(source)
        self.delete_ids(ids)
        return len(ids)

    @guarded
    def reset(self) -> None:
        """Drop the collection and create it anew for the configured embedder."""
        try:
            self.client.delete_collection(self.config.collection)
        except Exception:
            pass
        self.collection = self._open()
        self._seen = self.generation()

    # --- reads ---

    @guarded
    def count(self) -> int:
        """Return the number of chunks."""
        return int(self.collection.count())

    @guarded
    def iter_records(self, include_documents: bool = True, page_size: int = 5000) -> Iterator[tuple[str, str, dict]]:
        """Yield (id, text, metadata) for every chunk, page by page."""
        include = ["metadatas", "documents"] if include_documents else ["metadatas"]
        offset = 0
        while True:
            got = self.collection.get(include=include, limit=page_size, offset=offset)
            ids = got["ids"]
            if not ids:
                return
            docs = got.get("documents") or [""] * len(ids)
            for chunk_id, text, meta in zip(ids, docs, got["metadatas"]):
                yield chunk_id, text or "", meta or {}
            offset += len(ids)

    @guarded
    def source_states(self) -> dict[str, SourceState]:
        """Return, per source file, its stored content hash ('' if versions are mixed) and chunk counts."""
        return states_of(meta for _, _, meta in self.iter_records(include_documents=False))

    @guarded
    def get(self, ids: Sequence[str]) -> dict[str, Chunk]:
        """Return the chunks with these ids, keyed by id."""
        if not ids:
            return {}
        got = self.collection.get(ids=list(ids), include=["metadatas", "documents"])
        return {
            chunk_id: record_to_chunk(chunk_id, text or "", meta or {})
            for chunk_id, text, meta in zip(got["ids"], got["documents"], got["metadatas"])
        }

    @guarded
    def query(self, vector: np.ndarray, n: int, filters: dict[str, Any] | None = None) -> list[Chunk]:
        """Return up to n chunks nearest to the vector, best first, score = cosine similarity.

        The store is reopened first when its generation changed since it was opened, so a running
        app finds what another process ingested.
        """
        self._follow()
        got = self.collection.query(
            query_embeddings=np.asarray(vector, dtype=np.float32).reshape(1, -1),
            n_results=n,  # Chroma returns fewer when the collection holds fewer
            where=build_where(filters),
            include=["metadatas", "documents", "distances"],
        )
        return [
            record_to_chunk(chunk_id, text or "", meta or {}, score=1.0 - float(dist))
            for chunk_id, text, meta, dist in zip(
                got["ids"][0], got["documents"][0], got["metadatas"][0], got["distances"][0]
            )
        ]

    @guarded
    def probe(self) -> None:
        """Read the store as a search does (count, metadata, one nearest neighbour): StoreDamaged when it cannot."""
        if self.count():
            self.collection.get(limit=1, include=["metadatas"])
            self.collection.query(query_embeddings=np.ones((1, self.dim), dtype=np.float32), n_results=1)


def set_aside_if_damaged(config: StoreConfig) -> tuple[StoreDamaged, Path] | None:
    """Before `ingest --reindex`: move a damaged embedded store aside; return what was wrong and where it went, or None.

    The reindex then builds a new store from the files, in the configured folder.
    """
    if config.chroma_host or not (config.store_dir / SQLITE_FILE).exists():
        return None
    try:
        store = ChunkStore.open_existing(config)
        if store is not None:
            store.probe()
    except StoreDamaged as exc:
        return exc, set_aside(config.store_dir)
    return None
