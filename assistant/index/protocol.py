"""The store's seams: `VectorStore` (the storage), `StoreVersions` (its versions), and a file's state in it.

Each part takes the narrowest of them it uses: the services' searches a `VectorStore`; retrieval a
`SearchableStore`, the storage and `Visibility` (what a search may see now: the generation, which tells
a derived index it is stale, and the files whose other version is hidden); ingestion a `VersionedStore`,
the storage and every versioning call. `ChunkStore` (assistant/index/store.py, over Chroma) implements
them all.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np

from assistant.core.models import Chunk


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


def states_of(records: Iterable[Mapping[str, Any]]) -> dict[str, SourceState]:
    """Return, per source file of these chunk metadata records, its content hash ('' if versions mix) and counts."""
    hashes: dict[str, set[str]] = defaultdict(set)
    expected: dict[str, int] = {}
    present: Counter[str] = Counter()
    roots: dict[str, str] = {}
    paths: dict[str, str] = {}
    for meta in records:
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


@runtime_checkable
class VectorStore(Protocol):
    """The storage: chunks with their vectors, written, deleted, searched and read back; Chroma stays behind it."""

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

    def query(self, vector: np.ndarray, n: int, filters: dict[str, Any] | None = None) -> list[Chunk]:
        """Return up to n chunks nearest to the vector, best first."""
        ...

    def get(self, ids: Sequence[str]) -> dict[str, Chunk]:
        """Return the chunks with these ids."""
        ...

    def iter_records(self, include_documents: bool = True, page_size: int = 5000) -> Iterator[tuple[str, str, dict]]:
        """Yield (id, text, metadata) for every chunk."""
        ...

    def count(self) -> int:
        """Return the number of chunks."""
        ...

    def location(self) -> str:
        """Return where the store lives, for people."""
        ...


@runtime_checkable
class Visibility(Protocol):
    """What a search may see now: the two reads of the store's versions that retrieval makes."""

    def generation(self) -> int:
        """Return the write generation (bumped before every write)."""
        ...

    def replacing(self) -> dict[str, str]:
        """Return the files whose new version is being written (source -> new content hash)."""
        ...


@runtime_checkable
class StoreVersions(Visibility, Protocol):
    """The store's versions: generation, the replace journal, per-file states, and the reindex switch."""

    def bump_generation(self) -> int:
        """Mark the store as about to change and return the new generation."""
        ...

    def begin_replace(self, hashes: Mapping[str, str]) -> None:
        """Record that these files are about to get a new version."""
        ...

    def end_replace(self, sources: Iterable[str]) -> None:
        """Record that these files hold one version again."""
        ...

    def source_states(self) -> dict[str, SourceState]:
        """Return per source file its content hash and chunk counts."""
        ...

    def reset(self) -> None:
        """Empty the store (its generation and journal start again)."""
        ...

    def rebuild_aside(self) -> VersionedStore:
        """Return an empty store built beside this one, for `adopt` to put in its place when complete."""
        ...

    def adopt(self, rebuilt: VersionedStore) -> None:
        """Replace this store's contents with a store from `rebuild_aside`, in one switch."""
        ...


@runtime_checkable
class SearchableStore(VectorStore, Visibility, Protocol):
    """What retrieval needs: the storage, and what a search may see now."""


@runtime_checkable
class VersionedStore(VectorStore, StoreVersions, Protocol):
    """What ingestion needs: the storage and its versions."""
