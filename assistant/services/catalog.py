"""What the store holds, document by document: the corpus overview behind `assistant status` and the UI."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.core.models import as_year

if TYPE_CHECKING:
    from assistant.index.store import ChunkStore


@dataclass
class DocumentInfo:
    """One ingested document as the store records it."""

    source: str
    title: str
    kommuner: list[str] = field(default_factory=list)
    year: int | None = None
    doc_type: str = ""
    publisher: str = ""
    path: str = ""  # absolute path of the file at ingest time ("" when unknown)
    content_hash: str = ""
    chunks: int = 0

    @property
    def is_pdf(self) -> bool:
        """Return True when the original file is a PDF."""
        return self.source.lower().endswith(".pdf")

    def file(self) -> Path | None:
        """Return the original file when it still exists on disk, else None."""
        if self.path and Path(self.path).is_file():
            return Path(self.path)
        return None

    def label(self) -> str:
        """Return 'Title (kommune, year)' for lists and citations."""
        extra = ", ".join(x for x in (", ".join(self.kommuner[:2]), str(self.year or "")) if x)
        return f"{self.title} ({extra})" if extra else self.title


@dataclass
class Catalog:
    """The documents in the store, with totals."""

    documents: list[DocumentInfo]
    chunks: int
    embedder: str
    dimension: int
    location: str
    _by_source: dict[str, DocumentInfo] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_source = {doc.source: doc for doc in self.documents}

    @property
    def kommuner(self) -> list[str]:
        """Return the kommuner the documents are about, sorted."""
        return sorted({k for doc in self.documents for k in doc.kommuner})

    @property
    def years(self) -> list[int]:
        """Return the document years, newest first."""
        return sorted({doc.year for doc in self.documents if doc.year}, reverse=True)

    def get(self, source: str) -> DocumentInfo | None:
        """Return the document with this source, or None (the index is built once, not per lookup)."""
        return self._by_source.get(source)

    def about(self, kommune: str) -> list[DocumentInfo]:
        """Return the documents about the kommune, newest first."""
        docs = [doc for doc in self.documents if kommune in doc.kommuner]
        return sorted(docs, key=lambda d: (-(d.year or 0), d.title))

    def as_dict(self) -> dict[str, Any]:
        """Return the overview as JSON-ready data (the shape `assistant status --json` prints)."""
        return {
            "documents": len(self.documents),
            "chunks": self.chunks,
            "kommuner": self.kommuner,
            "embedder": self.embedder,
            "dimension": self.dimension,
            "store": self.location,
            "sources": [doc.source for doc in self.documents],
        }


def build_catalog(store: ChunkStore) -> Catalog:
    """Return the catalog of the store's documents, sorted by source (reads metadata only, no texts)."""
    docs: dict[str, DocumentInfo] = {}
    for _, _, meta in store.iter_records(include_documents=False):
        source = str(meta.get("source", ""))
        doc = docs.get(source)
        if doc is None:
            doc = docs[source] = DocumentInfo(
                source=source,
                title=str(meta.get("title") or source),
                kommuner=list(meta.get("kommuner") or []),
                year=as_year(meta.get("year")),
                doc_type=str(meta.get("doc_type") or ""),
                publisher=str(meta.get("publisher") or ""),
                path=str(meta.get("path") or ""),
                content_hash=str(meta.get("content_hash") or ""),
            )
        doc.chunks += 1
    documents = [docs[s] for s in sorted(docs)]
    return Catalog(documents, store.count(), store.embedder_name, store.dim, store.location())
