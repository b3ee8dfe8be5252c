"""A damaged embedded store, recognised and named: what is wrong, which files it held, what to do.

Chroma reports a damaged `chroma.sqlite3` (cut short, overwritten) or a database of another Chroma
version as an `InternalError` deep in its start-up or in a query; `damage_of` turns those into
`StoreDamaged`, whose message says what happened and to run `assistant ingest --reindex`. Some damage
Chroma does not report at all: a vector index whose files are garbage crashes the process (SIGSEGV),
and one whose folder or id map is gone answers from a fraction of the passages without a word.
`segment_problem` checks the files of the collection's vector index before Chroma reads them.

Which files the store held is read from what is still readable: the store's own metadata (source
and path of every passage), else the keyword index (source names only), else nothing.
"""

from __future__ import annotations

import functools
import inspect
import json
import logging
import re
import sqlite3
import struct
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from assistant.index.chroma import StoreConfig, StoreDamaged, forget_system
from assistant.index.keyword import META_FILE

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])

SQLITE_FILE = "chroma.sqlite3"
# Words of Chroma's errors (lower case) that mean damaged files, each with what it means for people.
_DATABASE = "databasefilen chroma.sqlite3 er ødelagt"
_VERSION = "databasen er skrevet av en annen Chroma-versjon enn den som er installert, eller endret utenfra"
_INDEX = "vektorindeksen er ødelagt"
SIGNS = {
    "database disk image is malformed": _DATABASE,
    "file is not a database": _DATABASE,
    "file is encrypted or is not a database": _DATABASE,
    "inconsistent hash": _VERSION,
    "duplicate column name": _VERSION,
    "no such table": _VERSION,
    "no such column": _VERSION,
    "error loading hnsw index": _INDEX,
    "hnsw segment reader": _INDEX,
    "error deserializing pickle": _INDEX,
    "error finding id": _INDEX,
}
# hnswlib's header.bin as Chroma writes it: version, offsetLevel0, max_elements, cur_element_count,
# size_data_per_element, label_offset, offsetData, maxlevel, enterpoint_node, maxM, maxM0, M, mult, ef_construction.
HEADER = struct.Struct("<I6QiI3QdQ")
MAX_NAMES = 10


def sign_of_damage(exc: BaseException) -> str:
    """Return what a Chroma error (or one it came from) says is damaged, for people, or '' when it is no damage."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        text = str(current).lower()
        for sign, meaning in SIGNS.items():
            if sign in text:
                detail = re.sub(r"^\(code: \d+\) ", "", str(current).split("error returned from database: ")[-1].strip())
                return f"{meaning} ({detail[:200]})"
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return ""


def damage_of(config: StoreConfig, exc: BaseException) -> StoreDamaged | None:
    """Return the StoreDamaged that a Chroma error of an embedded store means, or None when it is not damage."""
    if config.chroma_host or isinstance(exc, StoreDamaged):
        return None
    what = sign_of_damage(exc)
    return damaged(config, what) if what else None


def damaged(config: StoreConfig, what: str) -> StoreDamaged:
    """Return the StoreDamaged for the configured store, saying what is wrong and what can be known of its files."""
    return StoreDamaged(config.store_dir, what, held_files_text(config))


def guarded(method: F) -> F:
    """Return a store method with Chroma's signs of a damaged store raised as StoreDamaged.

    The store gives `_revive()` (reopen after damage: a `--reindex` in another process may have replaced
    the folder meanwhile) and `_raise_damage(exc)` (raise StoreDamaged if the error means damage); other
    errors pass unchanged.
    """
    if inspect.isgeneratorfunction(method):

        @functools.wraps(method)
        def generator(self: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
            try:
                self._revive()
                yield from method(self, *args, **kwargs)
            except Exception as exc:
                self._raise_damage(exc)
                raise

        return generator  # type: ignore[return-value]

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            self._revive()
            return method(self, *args, **kwargs)
        except Exception as exc:
            self._raise_damage(exc)
            raise

    return wrapper  # type: ignore[return-value]


# --- the vector index's files, checked before Chroma reads them ---


def segment_problem(config: StoreConfig, dim: int | None = None, settle: float = 0.5) -> str:
    """Return what is wrong with the files of the collection's vector index, or '' when nothing is found wrong.

    Only an index that Chroma has written to disk is checked (a small one lives in Chroma's log and is
    rebuilt from it). A problem is damage only when it is still there `settle` seconds later with the
    files unchanged: files caught between two writes of another process are read again, and left
    unjudged if they keep changing.
    """
    store_dir = config.store_dir
    try:
        rows = _query(store_dir / SQLITE_FILE, (
            "SELECT s.id, m.seq_id, c.dimension FROM segments s JOIN collections c ON c.id = s.collection "
            "LEFT JOIN max_seq_id m ON m.segment_id = s.id WHERE c.name = ? AND s.scope = 'VECTOR'"),
            (config.collection,))
    except sqlite3.Error:
        return ""  # no database yet, or one Chroma itself reports as damaged
    for segment, flushed, dimension in rows:
        if flushed is None:
            continue
        folder = store_dir / str(segment)
        if not hnsw_problem(folder, dim or dimension):
            continue
        for _ in range(3):  # judged only when the problem stays while the files do not change
            before = _signature(folder)
            time.sleep(settle)
            problem = hnsw_problem(folder, dim or dimension)
            if not problem:
                break
            if _signature(folder) == before:
                return f"{_INDEX} (mappen {folder.name}: {problem})"
    return ""


def hnsw_problem(folder: Path, dim: int | None = None) -> str:
    """Return what is wrong with the hnsw files in the folder (in Norwegian), or '' when they hold together."""
    if not (folder / "header.bin").is_file():
        return "mappen eller header.bin mangler"
    header = (folder / "header.bin").read_bytes()
    if len(header) != HEADER.size:
        return f"header.bin har {len(header)} byte, ikke {HEADER.size}"
    (version, level0, capacity, count, size, label_at, data_at, top, entry, max_m, max_m0, _, _, _) = HEADER.unpack(header)
    if (version != 1 or level0 != 0 or not 0 < max_m0 <= 4096 or not 0 < max_m <= 4096 or data_at != 4 + 4 * max_m0
            or label_at != size - 8 or (dim and size != data_at + 4 * dim + 8) or count > capacity
            or (count and not (0 <= entry < count and top >= 0))):
        return "header.bin er ugyldig"
    if not count:
        return ""
    level0_file = folder / "data_level0.bin"
    if not level0_file.is_file() or level0_file.stat().st_size < count * size:
        return "data_level0.bin mangler eller er for kort"
    rows = np.fromfile(level0_file, dtype=np.uint8, count=count * size).reshape(count, size)
    if _bad_links(rows[:, :data_at], max_m0, count):
        return "data_level0.bin peker utenfor indeksen"
    problem = _upper_levels_problem(folder / "link_lists.bin", count, max_m)
    if problem:
        return problem
    ids = folder / "index_metadata.pickle"
    blob = ids.read_bytes() if ids.is_file() else b""
    if not (blob[:1] == b"\x80" and blob.endswith(b".")):
        return "index_metadata.pickle mangler eller er ødelagt"
    return ""


def _bad_links(lists: np.ndarray, width: int, count: int) -> bool:
    """Return True when a link list (a u32 count, then `width` u32 neighbours) counts or points beyond the index."""
    lists = np.ascontiguousarray(lists)
    counts = lists[:, :2].copy().view("<u2")[:, 0]
    if (counts > width).any():
        return True
    links = lists[:, 4 : 4 + 4 * width].copy().view("<u4")
    return bool((links[np.arange(width)[None, :] < counts[:, None]] >= count).any())


def _upper_levels_problem(path: Path, count: int, max_m: int) -> str:
    """Return what is wrong with link_lists.bin (per element: a u32 byte size, then its upper levels' link lists)."""
    if not path.is_file():
        return "link_lists.bin mangler"
    raw = path.read_bytes()
    block = 4 + 4 * max_m
    position, blocks = 0, []
    for _ in range(count):
        if position + 4 > len(raw):
            return "link_lists.bin er for kort"
        (length,) = struct.unpack_from("<I", raw, position)
        position += 4
        if length % block or position + length > len(raw):
            return "link_lists.bin er ugyldig"
        if length:
            blocks.append(raw[position : position + length])
        position += length
    if position != len(raw):
        return "link_lists.bin har uventede data"
    if blocks and _bad_links(np.frombuffer(b"".join(blocks), dtype=np.uint8).reshape(-1, block), max_m, count):
        return "link_lists.bin peker utenfor indeksen"
    return ""


def _signature(folder: Path) -> tuple:
    """Return the size and modification time of every file in the folder (to tell a writer at work)."""
    try:
        return tuple(sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in folder.iterdir()))
    except OSError:
        return ()


# --- which files the store held ---


def _query(db: Path, sql: str, params: tuple = ()) -> list[tuple]:
    """Return the rows of a query on an sqlite file opened read-only (sqlite3.Error when it cannot be read)."""
    if not db.is_file() or db.stat().st_size == 0:
        raise sqlite3.OperationalError(f"{db} is missing or empty")
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        return connection.execute(sql, params).fetchall()
    finally:
        connection.close()


def held_files(config: StoreConfig) -> tuple[dict[str, str], str] | None:
    """Return the files the store held (source -> path, '' when unknown) and where that was read, or None.

    Read from the store's own metadata when its database still answers, else from the keyword index.
    """
    try:
        rows = _query(config.store_dir / SQLITE_FILE, (
            "SELECT m.id, m.key, m.string_value FROM embedding_metadata m JOIN embeddings e ON e.id = m.id "
            "JOIN segments s ON s.id = e.segment_id JOIN collections c ON c.id = s.collection "
            "WHERE c.name = ? AND m.key IN ('source', 'path')"), (config.collection,))
    except sqlite3.Error:
        rows = None
    if rows:
        by_id: dict[int, dict[str, str]] = {}
        for row_id, key, value in rows:
            by_id.setdefault(row_id, {})[key] = str(value or "")
        files = {meta["source"]: meta.get("path", "") for meta in by_id.values() if meta.get("source")}
        return files, "store"
    try:
        data = json.loads((config.keyword_dir() / META_FILE).read_text(encoding="utf-8"))
        sources = {str(f["source"]) for f in data["filters"] if f.get("source")}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return ({source: "" for source in sources}, "keyword") if sources else None


def held_files_text(config: StoreConfig) -> str:
    """Return, for people, what can be known of the files the damaged store held and which of them are missing."""
    corpus, uploads = config.corpus_dir, config.uploads_dir
    found = held_files(config)
    if found is None:
        return (f"Hvilke filer lageret holdt, kan verken leses fra lageret eller fra søkeindeksen; --reindex leser inn "
                f"det som ligger i {corpus} og {uploads}.")
    files, origin = found
    defaults = [corpus.resolve(), uploads.resolve()]
    missing, elsewhere = [], []
    for source, path in sorted(files.items()):
        candidates = [Path(path)] if path else [corpus / source, uploads / source]
        existing = next((p for p in candidates if p.is_file()), None)
        if existing is None:
            missing.append(source)
        elif not any(existing.resolve().is_relative_to(d) for d in defaults):
            elsewhere.append(str(existing))
    if origin == "store":
        text = f"Lageret holdt {len(files)} filer (lest fra lagerets metadata)."
        if missing:
            text += f" Disse finnes ikke lenger og kommer ikke med: {_names(missing)}."
        if elsewhere:
            text += (f" Disse ligger utenfor {corpus} og {uploads} og må gis med "
                     f"(`assistant ingest --reindex {corpus} {uploads} FIL …`): {_names(elsewhere)}.")
        if not missing and not elsewhere:
            text += " Alle finnes ennå, så ingenting går tapt."
        return text
    text = (f"Selve lageret kan ikke leses; søkeindeksen viser at det holdt {len(files)} filer, "
            f"og {len(files) - len(missing)} av dem finnes i {corpus} eller {uploads}"
            + (", så --reindex får med alle." if not missing else "."))
    if missing:
        text += f" Disse fant jeg ikke der (de kan ligge et annet sted, eller være borte): {_names(missing)}."
    return text


def _names(names: Iterable[str]) -> str:
    """Return the names joined, at most MAX_NAMES of them, with how many more there are."""
    names = list(names)
    shown = ", ".join(names[:MAX_NAMES])
    return shown + (f" og {len(names) - MAX_NAMES} til" if len(names) > MAX_NAMES else "")


def set_aside(store_dir: Path) -> Path:
    """Move the damaged store folder aside (beside it, named with the time) and return where it went."""
    target = store_dir.with_name(f"{store_dir.name}.skadet-{time.strftime('%Y%m%d-%H%M%S')}")
    n = 1
    while target.exists():
        n += 1
        target = target.with_name(f"{store_dir.name}.skadet-{time.strftime('%Y%m%d-%H%M%S')}-{n}")
    forget_system(store_dir)
    store_dir.rename(target)
    log.info("the damaged store %s was moved to %s", store_dir, target)
    return target
