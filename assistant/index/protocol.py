"""What ingestion, retrieval and the services need from a vector store (`VectorStore`), and a file's state in it."""

from __future__ import annotations

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
