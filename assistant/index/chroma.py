"""Chroma behind the store: the client (embedded or a server, telemetry off), record conversion, errors."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.core.models import Chunk

# Metadata keys that describe the chunk itself; everything else in a Chroma record is document metadata.
_CHUNK_KEYS = ("source", "title", "page", "heading", "start", "end")
_LIST_KEYS = ("kommuner", "mentioned_kommuner", "goals")


@dataclass(frozen=True)
class StoreConfig:
    """What the store reads of the settings; the composition root builds it (assistant.app.store_config)."""

    chroma_host: str  # a Chroma server's host; empty = the embedded store in store_dir
    chroma_port: int  # the server's port
    collection: str  # the Chroma collection
    store_dir: Path  # the embedded store's folder
    keyword_root: Path  # the keyword indexes, a folder per collection (a damaged store's files may be read there)
    corpus_dir: Path  # the folders `--reindex` reads by default, named when a damaged store's files are listed
    uploads_dir: Path

    def keyword_dir(self) -> Path:
        """Return the folder of the collection's keyword index."""
        return self.keyword_root / self.collection


class StoreError(RuntimeError):
    """The vector store cannot be used as configured."""


class EmbedderMismatch(StoreError):
    """The collection was built by another embedder than the one configured."""


class StoreDamaged(StoreError):
    """The embedded store's files are damaged or were written by another Chroma version (message in Norwegian)."""

    def __init__(self, store_dir: Path, what: str, files: str = "") -> None:
        self.store_dir = store_dir
        self.what = what  # what is wrong, for people
        self.files = files  # what can be known of the files it held, and which are missing
        super().__init__(
            f"Dokumentlageret i {store_dir} er skadet: {what}. Kjør `assistant ingest --reindex`: det flytter det "
            "skadde lageret til side og bygger et nytt fra originalfilene." + (f" {files}" if files else "")
        )


def forget_system(path: Path) -> None:
    """Drop Chroma's cached system for an embedded store folder, so the next client reads the folder afresh.

    Chroma caches one system per folder in the process, even one whose start failed (a damaged file):
    without this, every later client of that folder would fail in other, less telling ways.
    """
    from chromadb.api.shared_system_client import SharedSystemClient

    with SharedSystemClient._refcount_lock:
        SharedSystemClient._identifier_to_system.pop(str(path), None)
        SharedSystemClient._identifier_to_refcount.pop(str(path), None)


def chroma_client(config: StoreConfig, fresh: bool = False) -> Any:
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
    if config.chroma_host:
        try:
            return chromadb.HttpClient(host=config.chroma_host, port=config.chroma_port, settings=chroma_settings)
        except Exception as exc:  # connection refused, wrong version, ...
            raise StoreError(
                f"cannot reach the Chroma server at {config.chroma_host}:{config.chroma_port} ({exc}); "
                "start it with `chroma run --path DIR --port N` or unset ASSISTANT_CHROMA_HOST"
            ) from exc
    path = config.store_dir
    path.mkdir(parents=True, exist_ok=True)
    if fresh:
        forget_system(path)
    try:
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    except Exception:
        forget_system(path)  # the failed system stays cached otherwise (see forget_system)
        raise


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
