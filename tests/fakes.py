"""In-memory stand-ins for the logic tests: a deterministic embedder, an in-memory store, and a quoter.

Tests of logic around an embedder (caches, scoring arithmetic, bookkeeping) use `HashEmbedder`; tests
of the real e5 model (tests/index/test_embed.py and every test that takes the `e5` fixture) keep it.
Tests of logic around a store (ingestion's replace, update and remove; retrieval's filters and fusion)
use `MemoryStore`, the store protocols over a dict; tests/index/test_store_contract.py runs the same
checks against it and the real ChunkStore, so the fake cannot drift from the real part. `memory_app`
wires both into the product's `App`. A test that builds an `Assistant` by hand gives it
`quoter(config, scorer)`, as the composition root gives every Assistant the extractive reader that
stands in when a model fails.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from assistant.answering.readers import ExtractiveReader
from assistant.answering.stages import AnswerConfig
from assistant.app import App
from assistant.core.models import Chunk
from assistant.index.chroma import build_where, chunk_to_record, record_to_chunk
from assistant.index.protocol import SourceState, VersionedStore, states_of
from assistant.index.versions import REBUILD_SUFFIX

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


SCALARS = (str, int, float, bool)


def _check_record(record: Mapping[str, Any]) -> None:
    """Refuse metadata Chroma refuses: values other than scalars and lists of one scalar type (ValueError)."""
    for key, value in record.items():
        if isinstance(value, list):
            if not value or len({type(v) for v in value}) != 1 or not isinstance(value[0], SCALARS):
                raise ValueError(f"metadata list {key!r} must hold values of one type of str, int, float, bool")
        elif not isinstance(value, SCALARS):
            raise ValueError(f"metadata value {key!r} must be a str, int, float, bool or list, not {value!r}")


def _matches(meta: Mapping[str, Any], where: Mapping[str, Any] | None) -> bool:
    """Return True when a record's metadata meets a Chroma `where` clause as `build_where` makes them."""
    if not where:
        return True
    for key, condition in where.items():
        if key == "$and":
            if not all(_matches(meta, part) for part in condition):
                return False
        elif isinstance(condition, dict) and "$contains" in condition:
            if not isinstance(meta.get(key), list) or condition["$contains"] not in meta[key]:
                return False
        elif key not in meta or meta[key] != condition:
            return False
    return True


class MemoryStore:
    """The store protocols (`VersionedStore`) over a dict of id -> (text, record, vector), for logic tests.

    Records are stored as ChunkStore writes them (`chunk_to_record`) and read back as it reads them
    (`record_to_chunk`); filters go through `build_where` and are applied as Chroma applies the clause;
    a query ranks by exact cosine similarity. Generation, replace journal and the reindex switch follow
    `Versioned`; source states use the same `states_of`.
    """

    def __init__(self, embedder_name: str = "fake/hash-trigrams", dim: int = 384, name: str = "chunks") -> None:
        self.embedder_name, self.dim, self.name = embedder_name, dim, name
        self._records: dict[str, tuple[str, dict[str, Any], np.ndarray]] = {}
        self._generation = 0
        self._journal: dict[str, str] = {}
        self._aside_of: MemoryStore | None = None

    # --- the storage (VectorStore) ---

    def upsert(self, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        """Write chunks and their vectors (same order); existing ids are overwritten."""
        if len(chunks) != len(vectors):
            raise ValueError("chunks and vectors differ in length")
        vectors = np.asarray(vectors, dtype=np.float32).reshape(len(chunks), -1) if len(chunks) else vectors
        if len(chunks) and vectors.shape[1] != self.dim:
            raise ValueError(f"the store expects vectors of dimension {self.dim}, got {vectors.shape[1]}")
        records = [chunk_to_record(c) for c in chunks]
        for record in records:
            _check_record(record)
        for chunk, record, vector in zip(chunks, records, vectors):
            self._records[chunk.id] = (chunk.text, record, vector.copy())

    def ids_of_source(self, source: str) -> list[str]:
        """Return the ids of every chunk of a source file."""
        return [chunk_id for chunk_id, (_, record, _) in self._records.items() if record.get("source") == source]

    def delete_ids(self, ids: Iterable[str]) -> None:
        """Delete the chunks with these ids (unknown ids are ignored)."""
        for chunk_id in list(ids):
            self._records.pop(chunk_id, None)

    def delete_source(self, source: str) -> int:
        """Delete every chunk of a source file and return how many there were."""
        ids = self.ids_of_source(source)
        self.delete_ids(ids)
        return len(ids)

    def query(self, vector: np.ndarray, n: int, filters: dict[str, Any] | None = None) -> list[Chunk]:
        """Return up to n chunks nearest to the vector, best first, score = cosine similarity."""
        where = build_where(filters)
        found = [(chunk_id, text, record, v) for chunk_id, (text, record, v) in self._records.items()
                 if _matches(record, where)]
        if not found:
            return []
        query = np.asarray(vector, dtype=np.float32).reshape(-1)
        matrix = np.stack([v for *_, v in found])
        scores = matrix @ query / (np.linalg.norm(matrix, axis=1) * np.linalg.norm(query))
        best = np.argsort(-scores, kind="stable")[:n]
        return [record_to_chunk(found[i][0], found[i][1], dict(found[i][2]), score=float(scores[i])) for i in best]

    def get(self, ids: Sequence[str]) -> dict[str, Chunk]:
        """Return the chunks with these ids that the store holds, keyed by id."""
        return {chunk_id: record_to_chunk(chunk_id, self._records[chunk_id][0], dict(self._records[chunk_id][1]))
                for chunk_id in ids if chunk_id in self._records}

    def iter_records(self, include_documents: bool = True, page_size: int = 5000) -> Iterator[tuple[str, str, dict]]:
        """Yield (id, text, metadata) for every chunk, in the order they were first written."""
        for chunk_id, (text, record, _) in list(self._records.items()):
            yield chunk_id, text if include_documents else "", dict(record)

    def count(self) -> int:
        """Return the number of chunks."""
        return len(self._records)

    def location(self) -> str:
        """Return where the store lives, for people."""
        return f"memory/{self.name}"

    # --- the versions (StoreVersions) ---

    def generation(self) -> int:
        """Return the write generation."""
        return self._generation

    def bump_generation(self) -> int:
        """Return the new generation after marking the store as about to change."""
        self._generation += 1
        return self._generation

    def replacing(self) -> dict[str, str]:
        """Return the files being replaced, each with the content hash of its new version."""
        return dict(self._journal)

    def begin_replace(self, hashes: Mapping[str, str]) -> None:
        """Record that these files (source -> new content hash) are about to get a new version."""
        self._journal.update(hashes)

    def end_replace(self, sources: Iterable[str]) -> None:
        """Record that these files hold one version again."""
        for source in list(sources):
            self._journal.pop(source, None)

    def source_states(self) -> dict[str, SourceState]:
        """Return, per source file, its stored content hash ('' if versions mix) and chunk counts."""
        return states_of(record for _, _, record in self.iter_records(include_documents=False))

    def reset(self) -> None:
        """Empty the store: no chunks, generation 0, an empty journal (as a new Chroma collection)."""
        self._records, self._generation, self._journal = {}, 0, {}

    def rebuild_aside(self) -> MemoryStore:
        """Return an empty store beside this one, one generation ahead, for `adopt`."""
        aside = MemoryStore(self.embedder_name, self.dim, self.name + REBUILD_SUFFIX)
        aside._generation = self._generation + 1
        aside._aside_of = self
        return aside

    def adopt(self, rebuilt: VersionedStore) -> None:
        """Take the contents and journal of the store `rebuild_aside` returned, past both stores' generations."""
        if not isinstance(rebuilt, MemoryStore) or rebuilt._aside_of is not self:  # noqa: SLF001 - same class
            raise ValueError("adopt takes the store that rebuild_aside returned")
        self._generation = max(self._generation, rebuilt._generation) + 1  # noqa: SLF001
        self._records, self._journal = rebuilt._records, rebuilt._journal  # noqa: SLF001
        rebuilt._aside_of = None  # noqa: SLF001 - adopted once


def memory_app(settings: Any, embedder: Any = None, store: MemoryStore | None = None) -> App:
    """Return the product's App over the settings with a MemoryStore for Chroma and a HashEmbedder for e5.

    Pass the `store` of an earlier app to open "the same store" again, as another App would.
    """
    app = App(settings, embedder or HashEmbedder())
    app.store = store or MemoryStore(app.embedder.name, app.embedder.dim)  # type: ignore[misc] - the fake for Chroma
    return app


def quoter(config: AnswerConfig, scorer: Any) -> ExtractiveReader:
    """Return the quoting reader for an Assistant over this config and scorer: at the gate's floor for a bokmål
    question, a second sentence within the quote margin (the root's, without an embedder or a plain margin)."""
    trained = scorer.learned is not None
    return ExtractiveReader(min_support=config.gate_floor("nb", trained), margin=config.quote_margin(trained))
