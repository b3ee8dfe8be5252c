"""The vector store: chunks and their vectors in Chroma (embedded or a server), telemetry off."""

from __future__ import annotations

import json
import logging
import os
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

from assistant.core.models import Chunk

if TYPE_CHECKING:
    from assistant.core.settings import Settings

log = logging.getLogger(__name__)

# Suffixes of the collections a `--reindex` builds aside and the one it replaces, while it switches.
REBUILD_SUFFIX = "__rebuild"
JOURNAL_KEY = "replacing"  # collection metadata: files between a new version's write and the old one's removal
OLD_SUFFIX = "__old"

# Metadata keys that describe the chunk itself; everything else in a Chroma record is document metadata.
_CHUNK_KEYS = ("source", "title", "page", "heading", "start", "end")
_LIST_KEYS = ("kommuner", "mentioned_kommuner", "goals")


class StoreError(RuntimeError):
    """The vector store cannot be used as configured."""


class EmbedderMismatch(StoreError):
    """The collection was built by another embedder than the one configured."""


@dataclass
class SourceState:
    """What the store holds of one source file: its content hash, expected and present chunk counts."""

    content_hash: str
    expected: int
    present: int
    root: str = ""
    path: str = ""  # the file it was read from (absolute), as last ingested

    @property
    def complete(self) -> bool:
        """Return True when every chunk of the file's last ingest is present."""
        return self.present == self.expected


def chroma_client(settings: Settings, fresh: bool = False) -> Any:
    """Return a Chroma client: a server's HttpClient when a host is set, else an embedded PersistentClient.

    An embedded client shares one cached Chroma "system" per folder in the process, and that system
    keeps the vector index it loaded: writes by another process stay invisible to it. `fresh=True`
    drops the cached system for this folder, so the client reads the store as it now is on disk
    (clients made before keep the old system until they are dropped; it is not stopped under them).
    """
    os.environ["ANONYMIZED_TELEMETRY"] = "False"
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_host:
        try:
            return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings)
        except Exception as exc:  # connection refused, wrong version, ...
            raise StoreError(
                f"cannot reach the Chroma server at {settings.chroma_host}:{settings.chroma_port} ({exc}); "
                "start it with `chroma run --path DIR --port N` or unset ASSISTANT_CHROMA_HOST"
            ) from exc
    path = settings.store_dir()
    path.mkdir(parents=True, exist_ok=True)
    if fresh:
        from chromadb.api.shared_system_client import SharedSystemClient

        with SharedSystemClient._refcount_lock:
            for identifier in [i for i in SharedSystemClient._identifier_to_system if i == str(path)]:
                SharedSystemClient._identifier_to_system.pop(identifier, None)
                SharedSystemClient._identifier_to_refcount.pop(identifier, None)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


def chunk_to_record(chunk: Chunk) -> dict[str, Any]:
    """Return the flat Chroma metadata of a chunk (None and empty lists left out: Chroma refuses them)."""
    record: dict[str, Any] = {
        "source": chunk.source,
        "title": chunk.title,
        "page": chunk.page or 0,
        "heading": chunk.heading,
        "start": chunk.start,
        "end": chunk.end,
    }
    for key, value in chunk.meta.items():
        if value is None or (isinstance(value, (list, tuple)) and not value):
            continue
        record[key] = list(value) if isinstance(value, tuple) else value
    return record


def record_to_chunk(chunk_id: str, text: str, record: dict[str, Any], score: float = 0.0) -> Chunk:
    """Return the Chunk a Chroma record describes."""
    meta = {k: v for k, v in record.items() if k not in _CHUNK_KEYS}
    for key in _LIST_KEYS:
        meta.setdefault(key, [])
    return Chunk(
        id=chunk_id,
        text=text,
        source=str(record.get("source", "")),
        title=str(record.get("title", "")),
        page=int(record["page"]) if record.get("page") else None,
        heading=str(record.get("heading", "")),
        start=int(record.get("start", 0)),
        end=int(record.get("end", 0)),
        meta=meta,
        score=score,
    )


def build_where(filters: dict[str, Any] | None) -> dict[str, Any] | None:
    """Return a Chroma `where` clause for kommune/year/source/doc_type/goal filters, or None."""
    if not filters:
        return None
    clauses: list[dict[str, Any]] = []
    for key, value in filters.items():
        if value in (None, ""):
            continue
        if key == "kommune":
            clauses.append({"kommuner": {"$contains": value}})
        elif key == "goal":  # a bærekraftsmål number, 1..17 (ingest/goals.py)
            clauses.append({"goals": {"$contains": int(value)}})
        elif key in ("year", "source", "doc_type"):
            clauses.append({key: value})
        else:
            raise ValueError(f"unknown filter {key!r} (use kommune, year, source, doc_type or goal)")
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


@runtime_checkable
class VectorStore(Protocol):
    """What ingestion, retrieval and the services need from a vector store; Chroma stays behind it."""

    def generation(self) -> int:
        """Return the write generation (bumped before every write)."""
        ...

    def bump_generation(self) -> int:
        """Mark the store as about to change and return the new generation."""
        ...

    def upsert(self, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        """Write chunks and their vectors."""
        ...

    def ids_of_source(self, source: str) -> list[str]:
        """Return the ids of every chunk of a source file."""
        ...

    def delete_ids(self, ids: Iterable[str]) -> None:
        """Delete the chunks with these ids."""
        ...

    def delete_source(self, source: str) -> int:
        """Delete every chunk of a source file; return how many there were."""
        ...

    def reset(self) -> None:
        """Empty the store."""
        ...

    def replacing(self) -> dict[str, str]:
        """Return the files whose new version is being written (source -> new content hash)."""
        ...

    def begin_replace(self, hashes: Mapping[str, str]) -> None:
        """Record that these files are about to get a new version."""
        ...

    def end_replace(self, sources: Iterable[str]) -> None:
        """Record that these files hold one version again."""
        ...

    def rebuild_aside(self) -> VectorStore:
        """Return an empty store built beside this one, for `adopt` to put in its place when complete."""
        ...

    def adopt(self, rebuilt: VectorStore) -> None:
        """Replace this store's contents with a store from `rebuild_aside`, in one switch."""
        ...

    def count(self) -> int:
        """Return the number of chunks."""
        ...

    def iter_records(self, include_documents: bool = True, page_size: int = 5000) -> Iterator[tuple[str, str, dict]]:
        """Yield (id, text, metadata) for every chunk."""
        ...

    def source_states(self) -> dict[str, SourceState]:
        """Return per source file its content hash and chunk counts."""
        ...

    def get(self, ids: Sequence[str]) -> dict[str, Chunk]:
        """Return the chunks with these ids."""
        ...

    def query(self, vector: np.ndarray, n: int, filters: dict[str, Any] | None = None) -> list[Chunk]:
        """Return up to n chunks nearest to the vector, best first."""
        ...

    def location(self) -> str:
        """Return where the store lives, for people."""
        ...


class ChunkStore:
    """Chunks with their vectors in one Chroma collection that records which embedder built it."""

    def __init__(self, settings: Settings, embedder_name: str, dim: int, client: Any | None = None) -> None:
        self.settings = settings
        self.embedder_name = embedder_name
        self.dim = dim
        self.client = client if client is not None else chroma_client(settings)
        self._recover_switch()
        self.collection = self._open()
        self._seen = self.generation()  # the generation the open collection reflects

    def _open(self) -> Any:
        """Return the collection, creating it for this embedder, refusing one built by another."""
        name = self.settings.collection
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

    def _collection_named(self, name: str) -> Any | None:
        """Return the collection of that name, or None when there is none."""
        try:
            return self.client.get_collection(name, embedding_function=None)
        except Exception:  # noqa: BLE001 - chromadb raises NotFoundError or ValueError by version
            return None

    def _recover_switch(self) -> None:
        """Finish or undo a `--reindex` switch that was killed between its renames (see `adopt`)."""
        name = self.settings.collection
        if self._collection_named(name) is None:
            rebuilt = self._collection_named(name + REBUILD_SUFFIX)
            old = self._collection_named(name + OLD_SUFFIX)
            if rebuilt is not None and (rebuilt.metadata or {}).get("complete"):
                log.warning("finishing an interrupted reindex: %s%s becomes %s", name, REBUILD_SUFFIX, name)
                rebuilt.modify(name=name)
            elif old is not None:
                log.warning("undoing an interrupted reindex: %s%s becomes %s again", name, OLD_SUFFIX, name)
                old.modify(name=name)
        if self._collection_named(name) is not None and self._collection_named(name + OLD_SUFFIX) is not None:
            self.client.delete_collection(name + OLD_SUFFIX)

    def _follow(self) -> None:
        """Reopen the collection when another process (or another App) wrote since it was opened.

        Chroma's embedded client keeps the vector index it loaded, so without this a running app
        never finds by vector what `assistant ingest` added in another process.
        """
        generation = self.generation()
        if generation == self._seen:
            return
        log.info("the store changed (generation %s -> %s); reopening it", self._seen, generation)
        if not self.settings.chroma_host:  # a server always serves what is written
            self.client = chroma_client(self.settings, fresh=True)
        self.collection = self._open()
        self._seen = generation

    @classmethod
    def open_existing(cls, settings: Settings) -> ChunkStore | None:
        """Return the store as built (embedder read from the collection) without loading a model, or None."""
        client = chroma_client(settings)
        try:
            collection = client.get_collection(settings.collection, embedding_function=None)
        except Exception:
            return None
        meta = collection.metadata or {}
        return cls(settings, str(meta.get("embedder")), int(meta.get("dim", 0)), client=client)

    @staticmethod
    def drop(settings: Settings) -> None:
        """Delete the configured collection, whichever embedder built it (`ingest --reindex` after a change)."""
        try:
            chroma_client(settings).delete_collection(settings.collection)
        except Exception:  # noqa: BLE001 - nothing to drop
            pass

    def location(self) -> str:
        """Return a human description of where the store lives."""
        if self.settings.chroma_host:
            return f"chroma server {self.settings.chroma_host}:{self.settings.chroma_port}/{self.settings.collection}"
        return f"{self.settings.store_dir()}/{self.settings.collection}"

    # --- generation: bumped before every write, so derived indexes can tell they are stale ---

    def generation(self) -> int:
        """Return the write generation recorded in the collection (read afresh: other processes write too)."""
        for attempt in range(6):
            try:
                collection = self.client.get_collection(self.settings.collection, embedding_function=None)
                break
            except Exception:  # noqa: BLE001 - a reindex in another process may be switching collections
                if attempt == 4:
                    self._recover_switch()  # no switch in progress finishes this slowly: a killed one
                elif attempt == 5:
                    raise
                time.sleep(0.2)
        return int((collection.metadata or {}).get("generation", 0))

    def _stamp(self, generation: int, **extra: Any) -> None:
        """Write the collection's metadata: embedder, dimension, generation, the replace journal (and extra keys)."""
        journal = self._fresh_meta().get(JOURNAL_KEY, "{}") if JOURNAL_KEY not in extra else None
        meta = {"embedder": self.embedder_name, "dim": self.dim, "generation": generation, JOURNAL_KEY: journal, **extra}
        self.collection.modify(metadata=meta)

    def _fresh_meta(self) -> dict[str, Any]:
        """Return this collection's metadata as stored now (another process may have changed it)."""
        return dict(self.client.get_collection(self.collection.name, embedding_function=None).metadata or {})

    # --- the replace journal: which files are between a new version's write and the old one's removal ---

    def replacing(self) -> dict[str, str]:
        """Return the files being replaced, each with the content hash of its new version (read afresh).

        A writer records them before it writes a new version and clears them once the old version is
        deleted. Searches leave out chunks of another version of these files, so a writer that is killed
        in between never leaves two versions searchable; the next ingest of the file finishes the job.
        """
        try:
            return dict(json.loads(self._fresh_meta().get(JOURNAL_KEY) or "{}"))
        except ValueError:
            return {}

    def _journal(self, update: Callable[[dict[str, str]], None]) -> None:
        """Change the replace journal in the collection's metadata."""
        journal = self.replacing()
        update(journal)
        generation = int(self._fresh_meta().get("generation", 0))
        self._stamp(generation, **{JOURNAL_KEY: json.dumps(journal, ensure_ascii=False)})

    def begin_replace(self, hashes: Mapping[str, str]) -> None:
        """Record that these files (source -> new content hash) are about to get a new version."""
        if hashes:
            self._journal(lambda journal: journal.update(hashes))

    def end_replace(self, sources: Iterable[str]) -> None:
        """Record that these files hold one version again."""
        sources = set(sources)
        if sources & set(self.replacing()):
            self._journal(lambda journal: [journal.pop(source, None) for source in sources])

    def bump_generation(self) -> int:
        """Return the new generation after marking the store as about to change."""
        self._follow()  # what this process writes lands on the store as it now is
        new = self.generation() + 1
        self._stamp(new)
        self._seen = new
        return new

    # --- writes ---

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

    def delete_ids(self, ids: Iterable[str]) -> None:
        """Delete the chunks with these ids."""
        ids = list(ids)
        for start in range(0, len(ids), 1000):
            self.collection.delete(ids=ids[start : start + 1000])

    def ids_of_source(self, source: str) -> list[str]:
        """Return the ids of every chunk of a source file."""
        return list(self.collection.get(where={"source": source}, include=[])["ids"])

    def delete_source(self, source: str) -> int:
        """Delete every chunk of a source file and return how many there were."""
        ids = self.ids_of_source(source)
        self.delete_ids(ids)
        return len(ids)

    def reset(self) -> None:
        """Drop the collection and create it anew for the configured embedder."""
        try:
            self.client.delete_collection(self.settings.collection)
        except Exception:
            pass
        self.collection = self._open()
        self._seen = self.generation()

    def rebuild_aside(self) -> ChunkStore:
        """Return an empty store in a collection beside this one (a leftover of a killed rebuild is dropped).

        `ingest --reindex` fills it while this store keeps answering, then `adopt` switches to it.
        """
        name = self.settings.collection + REBUILD_SUFFIX
        try:
            self.client.delete_collection(name)
        except Exception:  # noqa: BLE001 - none left over
            pass
        log.info("building the store anew beside the old one, in collection %s", name)
        aside = ChunkStore(self.settings.model_copy(update={"collection": name}), self.embedder_name, self.dim,
                           client=self.client)
        aside._seen = self.generation() + 1  # noqa: SLF001 - same class
        aside._stamp(aside._seen)  # noqa: SLF001
        return aside

    def adopt(self, rebuilt: VectorStore) -> None:
        """Put a complete store from `rebuild_aside` in this one's place: rename, rename, drop the old.

        A kill between the renames is finished (or undone) by the next open (`_recover_switch`); until
        the switch, this store answers from its old contents.
        """
        if not isinstance(rebuilt, ChunkStore) or rebuilt.settings.collection != self.settings.collection + REBUILD_SUFFIX:
            raise ValueError("adopt takes the store that rebuild_aside returned")
        name = self.settings.collection
        new = max(self.generation(), rebuilt.generation()) + 1
        rebuilt._stamp(new, complete=True)  # noqa: SLF001 - same class
        try:
            self.client.delete_collection(name + OLD_SUFFIX)
        except Exception:  # noqa: BLE001 - none left over
            pass
        self.collection.modify(name=name + OLD_SUFFIX)
        rebuilt.collection.modify(name=name)
        self.client.delete_collection(name + OLD_SUFFIX)
        self.collection = self._open()
        self._stamp(new)  # drops the 'complete' mark
        self._seen = new

    # --- reads ---

    def count(self) -> int:
        """Return the number of chunks."""
        return int(self.collection.count())

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

    def source_states(self) -> dict[str, SourceState]:
        """Return, per source file, its stored content hash ('' if versions are mixed) and chunk counts."""
        hashes: dict[str, set[str]] = defaultdict(set)
        expected: dict[str, int] = {}
        present: Counter[str] = Counter()
        roots: dict[str, str] = {}
        paths: dict[str, str] = {}
        for _, _, meta in self.iter_records(include_documents=False):
            source = str(meta.get("source", ""))
            hashes[source].add(str(meta.get("content_hash", "")))
            expected[source] = int(meta.get("n_chunks", 0))
            roots[source] = str(meta.get("root", ""))
            paths[source] = str(meta.get("path", ""))
            present[source] += 1
        return {
            source: SourceState(
                next(iter(h)) if len(h) == 1 else "", expected[source], present[source], roots[source], paths[source]
            )
            for source, h in hashes.items()
        }

    def get(self, ids: Sequence[str]) -> dict[str, Chunk]:
        """Return the chunks with these ids, keyed by id."""
        if not ids:
            return {}
        got = self.collection.get(ids=list(ids), include=["metadatas", "documents"])
        return {
            chunk_id: record_to_chunk(chunk_id, text or "", meta or {})
            for chunk_id, text, meta in zip(got["ids"], got["documents"], got["metadatas"])
        }

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
