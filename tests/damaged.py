"""Real Chroma stores for the damaged-store tests, and the damage done to them as a crash or a careless hand would.

`ingest_small` ingests three real files (the vector index lives in Chroma's log); `build_big` writes 1100
passages, so that Chroma writes its vector index to disk (from 1000 on) and that index can be damaged.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from assistant.app import App, store_config
from assistant.core.files import file_sha256
from assistant.core.models import Chunk
from assistant.core.settings import Settings
from assistant.index.chroma import forget_system
from assistant.index.keyword import KeywordIndex
from assistant.index.store import ChunkStore

DOCS = {
    "fn.txt": "FN-senteret i Trondheim\n\nTrondheim kommune finansierer FN-senteret over kommunebudsjettet. "
    "Senteret har ti ansatte og holder til i sentrum.\n",
    "stad.txt": "Samling på Stad\n\nStad kommune var vertskap for samlingen om sirkulærøkonomi i 2021. "
    "Femti deltakere kom fra hele fylket.\n",
    "tiltak.txt": "Klimatiltak i Rennebu\n\nRennebu kommune planter tolv hektar skog som klimatiltak i 2024.\n",
}
QUESTION = "Hvem finansierer FN-senteret?"
BIG = 1100  # passages: Chroma writes a vector index to disk from 1000 on (below, it lives in Chroma's log)


def corpus(folder: Path) -> Path:
    """Write the three documents into the folder and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in DOCS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def closed(settings: Settings) -> Settings:
    """Let the next client read the store from disk, as a new process does (not from this process's Chroma)."""
    forget_system(settings.store_dir())
    return settings


def ingest_small(settings: Settings, e5: Any) -> Settings:
    """Return the settings of a store ingested from three real files (its vector index lives in Chroma's log)."""
    corpus(settings.corpus_dir)
    report = App(settings, e5).ingester().ingest([settings.corpus_dir], progress=False)
    assert report.ok and len(report.added) == 3
    return closed(settings)


def build_big(settings: Settings, e5: Any) -> Settings:
    """Return the settings of a store of 1100 passages of three real files, whose vector index is on disk.

    The vectors are random (embedding 1100 passages would take minutes); files, metadata and keyword
    index are as an ingest leaves them.
    """
    corpus(settings.corpus_dir)
    store = ChunkStore(store_config(settings), e5.name, e5.dim)
    names = sorted(DOCS)
    counts = {name: len(range(i, BIG, len(names))) for i, name in enumerate(names)}
    chunks = []
    for i in range(BIG):
        name = names[i % len(names)]
        path = settings.corpus_dir / name
        meta = {"content_hash": file_sha256(path), "n_chunks": counts[name], "root": str(settings.corpus_dir.resolve()),
                "path": str(path.resolve()), "kommuner": [], "year": 2024}
        chunks.append(Chunk(f"{name}-{i}", f"{DOCS[name]} (del {i})", name, name, None, "", 0, 10, meta))
    vectors = np.random.default_rng(7).normal(size=(BIG, e5.dim)).astype(np.float32)
    store.bump_generation()
    store.upsert(chunks, vectors / np.linalg.norm(vectors, axis=1, keepdims=True))
    KeywordIndex(settings.keyword_dir()).build(store.iter_records(), store.generation())
    return closed(settings)


def segment(settings: Settings) -> Path:
    """Return the folder of the collection's vector index."""
    (folder,) = [p for p in settings.store_dir().iterdir() if p.is_dir()]
    return folder


def garble(path: Path) -> None:
    path.write_bytes(np.random.default_rng(3).bytes(path.stat().st_size))


def truncate_sqlite(s: Settings) -> None:
    with (s.store_dir() / "chroma.sqlite3").open("r+b") as f:
        f.truncate(8192)  # as `truncate -s 8192` in the issue


def _garble_sqlite(s: Settings) -> None:
    garble(s.store_dir() / "chroma.sqlite3")


def _migrations(s: Settings, sql: str) -> None:
    with sqlite3.connect(s.store_dir() / "chroma.sqlite3") as db:
        db.execute(sql)


def _changed_migration(s: Settings) -> None:  # a migration of another Chroma version under the same number
    _migrations(s, "UPDATE migrations SET hash = '0000' WHERE dir = 'sysdb' AND version = 10")


def _older_schema(s: Settings) -> None:  # the table says an older Chroma wrote it, the schema is newer
    _migrations(s, "DELETE FROM migrations WHERE dir = 'sysdb' AND version = 10")


def _level0(s: Settings) -> None:  # Chroma read it as it was and died of SIGSEGV
    garble(segment(s) / "data_level0.bin")


def header(s: Settings) -> None:
    garble(segment(s) / "header.bin")


def _level0_cut(s: Settings) -> None:
    path = segment(s) / "data_level0.bin"
    path.write_bytes(path.read_bytes()[:5000])


def _links(s: Settings) -> None:
    garble(segment(s) / "link_lists.bin")


def _id_map(s: Settings) -> None:
    garble(segment(s) / "index_metadata.pickle")


def id_map_gone(s: Settings) -> None:  # Chroma answered from 100 of 1100 passages, silently
    (segment(s) / "index_metadata.pickle").unlink()


def _index_gone(s: Settings) -> None:  # the same: the index is made anew from what is left in Chroma's log
    shutil.rmtree(segment(s))


SQLITE: dict[str, Callable[[Settings], None]] = {
    "sqlite-truncated": truncate_sqlite, "sqlite-garbage": _garble_sqlite,
    "other-version-hash": _changed_migration, "other-version-schema": _older_schema,
}
SEGMENT: dict[str, Callable[[Settings], None]] = {
    "header-garbage": header, "level0-garbage": _level0, "level0-cut": _level0_cut, "links-garbage": _links,
    "id-map-garbage": _id_map, "id-map-gone": id_map_gone, "index-folder-gone": _index_gone,
}
