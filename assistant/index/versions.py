"""The store's versions: a write generation, the journal of files being replaced, and the `--reindex` switch.

`Versioned` is the part of `ChunkStore` (assistant/index/store.py) that keeps its own state in the
collection's metadata: it implements `StoreVersions` (assistant/index/protocol.py) but for `source_states`
and `reset`, which ChunkStore implements over its records. It works on the host's `config`, `client`,
`collection`, `embedder_name`, `dim`, `_seen`, `_open()` and `_follow()`, and its public methods raise
StoreDamaged for a damaged store as the host's do.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from assistant.index.damage import guarded, sign_of_damage

if TYPE_CHECKING:
    from typing import Self

    from assistant.index.chroma import StoreConfig
    from assistant.index.protocol import VersionedStore

log = logging.getLogger(__name__)

# Suffixes of the collections a `--reindex` builds aside and the one it replaces, while it switches.
REBUILD_SUFFIX = "__rebuild"
JOURNAL_KEY = "replacing"  # collection metadata: files between a new version's write and the old one's removal
OLD_SUFFIX = "__old"


class Versioned:
    """Generation, replace journal and reindex switch of a Chroma collection (a mixin of ChunkStore)."""

    config: StoreConfig
    client: Any
    collection: Any
    embedder_name: str
    dim: int
    _seen: int


    def _collection_named(self, name: str) -> Any | None:
        """Return the collection of that name, or None when there is none."""
        try:
            return self.client.get_collection(name, embedding_function=None)
        except Exception as exc:  # noqa: BLE001 - chromadb raises NotFoundError or ValueError by version
            if sign_of_damage(exc):
                raise
            return None

    def _recover_switch(self) -> None:
        """Finish or undo a `--reindex` switch that was killed between its renames (see `adopt`)."""
        name = self.config.collection
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

    # --- generation: bumped before every write, so derived indexes can tell they are stale ---

    @guarded
    def generation(self) -> int:
        """Return the write generation recorded in the collection (read afresh: other processes write too)."""
        for attempt in range(6):
            try:
                collection = self.client.get_collection(self.config.collection, embedding_function=None)
                break
            except Exception as exc:  # noqa: BLE001 - a reindex in another process may be switching collections
                if sign_of_damage(exc):
                    raise
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

    @guarded
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

    @guarded
    def begin_replace(self, hashes: Mapping[str, str]) -> None:
        """Record that these files (source -> new content hash) are about to get a new version."""
        if hashes:
            self._journal(lambda journal: journal.update(hashes))

    @guarded
    def end_replace(self, sources: Iterable[str]) -> None:
        """Record that these files hold one version again."""
        sources = set(sources)
        if sources & set(self.replacing()):
            self._journal(lambda journal: [journal.pop(source, None) for source in sources])

    @guarded
    def bump_generation(self) -> int:
        """Return the new generation after marking the store as about to change."""
        self._follow()  # what this process writes lands on the store as it now is
        new = self.generation() + 1
        self._stamp(new)
        self._seen = new
        return new

    @guarded
    def rebuild_aside(self) -> Self:
        """Return an empty store in a collection beside this one (a leftover of a killed rebuild is dropped).

        `ingest --reindex` fills it while this store keeps answering, then `adopt` switches to it.
        """
        name = self.config.collection + REBUILD_SUFFIX
        try:
            self.client.delete_collection(name)
        except Exception:  # noqa: BLE001 - none left over
            pass
        log.info("building the store anew beside the old one, in collection %s", name)
        aside = type(self)(replace(self.config, collection=name), self.embedder_name, self.dim, client=self.client)
        aside._seen = self.generation() + 1  # noqa: SLF001 - same class
        aside._stamp(aside._seen)  # noqa: SLF001
        return aside

    @guarded
    def adopt(self, rebuilt: VersionedStore) -> None:
        """Put a complete store from `rebuild_aside` in this one's place: rename, rename, drop the old.

        A kill between the renames is finished (or undone) by the next open (`_recover_switch`); until
        the switch, this store answers from its old contents.
        """
        if not isinstance(rebuilt, Versioned) or rebuilt.config.collection != self.config.collection + REBUILD_SUFFIX:
            raise ValueError("adopt takes the store that rebuild_aside returned")
        name = self.config.collection
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
