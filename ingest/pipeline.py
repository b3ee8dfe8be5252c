"""Incremental ingestion: find files, load, clean, annotate, chunk, embed and store them safely.

Safety rests on the store describing itself: every chunk carries its file's content hash and the
file's chunk count, so a file is "done" only when all of its chunks of its current version are present.
An ingest killed halfway leaves complete files untouched and a partial file that the next run redoes;
the keyword index is stamped with the store generation it was built from and is rebuilt when stale.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.core.files import file_sha256
from assistant.core.models import Chunk, Document
from ingest.chunk import chunk_document, embedding_text
from ingest.clean import clean_document
from ingest.goals import GoalAssigner
from ingest.load import LoadError, load_document
from ingest.manifest import load_manifest
from ingest.meta import document_meta
from ingest.progress import progress_bar

if TYPE_CHECKING:
    from assistant.index.embed import Embedder
    from assistant.index.keyword import KeywordIndex
    from assistant.index.protocol import SourceState, VersionedStore

log = logging.getLogger(__name__)

# Files in the top of an ingest folder that document the corpus rather than belong to it.
NOT_DOCUMENTS = {"manifest.json", "README.md"}
FLUSH_CHUNKS = 256  # chunks embedded and written together, across files
LARGE_FILE_MB = 1  # files this large are named on the progress bar while they are chunked and embedded


@dataclass(frozen=True)
class IngestConfig:
    """What ingestion reads of the settings; the composition root builds it (assistant.app.ingest_config)."""

    chunk_tokens: int  # passage size in embedder tokens
    chunk_overlap: int  # overlap of neighbouring passages, in embedder tokens
    goal_threshold: float  # least e5 cosine of a passage and a bærekraftsmål's description
    goal_margin: float  # a goal found by similarity lies within this of the passage's best goal
    corpus_dir: Path  # a file given under it is named as in the corpus
    max_file_mb: int  # larger files are skipped, with the reason


@dataclass
class FileTask:
    """One file to ingest: the folder it was found in, its path, and its source name."""

    root: Path
    path: Path
    source: str  # the name it is stored and cited under (unique across roots; see `unique_sources`)
    name: str = ""  # its path relative to the root (the manifest's key); the source unless renamed

    def __post_init__(self) -> None:
        self.name = self.name or self.source


@dataclass
class IngestReport:
    """What an ingest run did, file by file."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    file_chunks: dict[str, int] = field(default_factory=dict)  # passages written per added or updated file
    hidden: dict[str, int] = field(default_factory=dict)  # characters of hidden text left out, per file that had any
    chunks: int = 0
    seconds: float = 0.0
    keyword_rebuilt: bool = False

    @property
    def ok(self) -> bool:
        """Return True when no file had to be skipped."""
        return not self.skipped


def discover(paths: Sequence[Path], corpus_dir: Path | None = None) -> list[FileTask]:
    """Return the files to ingest under the given files and folders, in a stable order."""
    tasks: list[FileTask] = []
    for given in paths:
        given = Path(given)
        if given.is_dir():
            for path in sorted(p for p in given.rglob("*") if p.is_file()):
                rel = path.relative_to(given)
                if any(part.startswith((".", "_")) for part in rel.parts) or str(rel) in NOT_DOCUMENTS:
                    continue
                tasks.append(FileTask(given, path, rel.as_posix()))
        else:
            root = given.parent
            if corpus_dir is not None and given.resolve().is_relative_to(Path(corpus_dir).resolve()):
                root = Path(corpus_dir)
            tasks.append(FileTask(root, given, given.resolve().relative_to(root.resolve()).as_posix()))
    return tasks


def unique_sources(tasks: Sequence[FileTask], states: Mapping[str, SourceState]) -> list[FileTask]:
    """Return the tasks with source names that each name one file.

    Two folders can both hold "rapport.pdf". A name already held by another file (earlier in this run,
    or in the store by a file that still exists) gets its root folder's name in front
    ("b/rapport.pdf"; with a digest of the root if that is taken too), so neither replaces the other.
    The same file keeps the same name on every run. A stored name whose file is gone passes to the new
    file (a moved folder replaces its old copies instead of doubling them).
    """
    owner = {source: state.path for source, state in states.items() if state.path and Path(state.path).is_file()}
    out = []
    for task in tasks:
        path = str(task.path.resolve())
        source = task.source
        if owner.get(source, path) != path:
            root = task.root.resolve()
            source = f"{root.name}/{task.name}"
            if owner.get(source, path) != path:
                source = f"{root.name}-{hashlib.sha1(str(root).encode()).hexdigest()[:8]}/{task.name}"
            log.warning("%s has the same name as %s; stored as %s", path, owner[task.source], source)
        owner[source] = path
        out.append(FileTask(task.root, task.path, source, task.name))
    return out


def too_large(path: Path, max_mb: int) -> str:
    """Return why the file is too large to ingest (in Norwegian), or '' when it is within `max_mb`."""
    size = path.stat().st_size
    if size <= max_mb * 1024 * 1024:
        return ""
    return (f"filen er {size / 1024 / 1024:.1f} MB; største tillatte størrelse er {max_mb} MB "
            "(ASSISTANT_MAX_FILE_MB)")


def prepare(doc: Document, entry: dict | None = None) -> Document:
    """Return the document cleaned and annotated with its metadata (the manifest entry wins)."""
    doc = clean_document(doc)
    if entry and entry.get("title"):
        doc.title = str(entry["title"])
    text = "\n\n".join(page.text for page in doc.pages)
    doc.meta = {**document_meta(doc.title, text, doc.path.suffix.lower(), entry), **doc.meta}
    return doc


class Indexer:
    """Embeds and writes prepared documents to the store in batches, replacing older versions."""

    def __init__(self, config: IngestConfig, store: VersionedStore, embedder: Embedder) -> None:
        self.config = config
        self.store = store
        self.embedder = embedder
        self._pending: list[tuple[Document, list[Chunk], bool]] = []
        self._bumped = False
        self.chunks_written = 0
        self.goals = GoalAssigner(embedder, config.goal_threshold, config.goal_margin)

    def add(self, doc: Document, replaces: bool = True) -> int:
        """Queue a prepared document, flushing when enough chunks wait; return its chunk count.

        `replaces=False` promises the store holds nothing of this source yet, which saves a lookup.
        """
        embedder = self.embedder
        chunks = chunk_document(
            doc,
            embedder.count_tokens,
            self.config.chunk_tokens,
            self.config.chunk_overlap,
            embedder.max_tokens,
        )
        self._pending.append((doc, chunks, replaces))
        if sum(len(c) for _, c, _ in self._pending) >= FLUSH_CHUNKS:
            self.flush()
        return len(chunks)

    @property
    def changed(self) -> bool:
        """Return True once this run has written to the store."""
        return self._bumped

    def mark_changing(self) -> None:
        """Bump the store generation once, before the first write of this run."""
        if not self._bumped:
            self.store.bump_generation()
            self._bumped = True

    def flush(self) -> None:
        """Embed and write every queued document, then drop the chunks of their older versions."""
        if not self._pending:
            return
        all_chunks = [chunk for _, chunks, _ in self._pending for chunk in chunks]
        texts = [embedding_text(c) for c in all_chunks]
        vectors = self.embedder.embed_passages(texts)
        self.goals.annotate(all_chunks, texts, vectors)  # `goals` metadata: bærekraftsmål named or close in meaning
        self.mark_changing()
        replacing = {doc.source: doc.content_hash for doc, _, replaces in self._pending if replaces}
        self.store.begin_replace(replacing)  # a kill from here on never leaves two versions searchable
        self.store.upsert(all_chunks, vectors)
        for doc, chunks, replaces in self._pending:
            if not replaces:
                continue
            keep = {c.id for c in chunks}
            stale = self.store.ids_of_source(doc.source)
            self.store.delete_ids([i for i in stale if i not in keep])
        self.store.end_replace(replacing)
        self.chunks_written += len(all_chunks)
        log.info("wrote %d chunks of %d files", len(all_chunks), len(self._pending))
        self._pending.clear()

    def finish(self) -> None:
        """Write what is queued; if this run wrote, bump the generation once more, now that every write is in.

        A reader that followed the store during the run (a question asked during an upload) rebuilt its
        keyword index and reopened its vector index at the first bump, from a store still being written.
        Without the second bump it would keep that partial view until some later run, never finding the
        rest of the documents this run added.
        """
        self.flush()
        if self._bumped:
            self.store.bump_generation()

    def delete_source(self, source: str) -> None:
        """Remove every chunk of a source file."""
        self.mark_changing()
        self.store.delete_source(source)
        self.store.end_replace([source])


def ingest_paths(
    paths: Sequence[Path],
    config: IngestConfig,
    store: VersionedStore,
    keyword: KeywordIndex,
    embedder: Embedder,
    reindex: bool = False,
    progress: bool = True,
    on_file: Callable[[int, int, str], None] | None = None,
    preloaded: Mapping[Path, Document] | None = None,
) -> IngestReport:
    """Return the report of ingesting the given files and folders into the store and keyword index.

    `preloaded` maps resolved paths to documents already loaded and prepared (an upload is loaded once,
    when it is checked): they are indexed as they are, not loaded again.

    With `reindex`, everything is written to a store built aside, which replaces the old one only when
    complete (the keyword index is then rebuilt into a temporary folder and moved into place), so a
    reindex that fails or is killed leaves the old store answering.

    `on_file(done, total, source)` is called after each file (for progress shown elsewhere, e.g. the UI).
    """
    started = time.perf_counter()
    report = IngestReport()
    live = store
    if reindex:  # built aside while the old store keeps answering; switched to only when complete
        store = live.rebuild_aside()
    states = store.source_states()
    tasks = unique_sources(discover(paths, config.corpus_dir), states)
    manifests: dict[Path, dict[str, dict]] = {}
    indexer = Indexer(config, store, embedder)

    with progress_bar(progress, len(tasks)) as bar:

        def update(advance: int = 0, chunks: int = 0) -> None:  # each file ends with exactly one call
            bar(advance=advance, chunks=chunks, now="")
            if on_file is not None:
                on_file(done, len(tasks), task.source)

        for done, task in enumerate(tasks, start=1):
            if task.root not in manifests:
                manifests[task.root] = load_manifest(task.root, require_files=False) if task.root.is_dir() else {}
            try:
                too_big = too_large(task.path, config.max_file_mb)
                if too_big:
                    raise LoadError(task.path, too_big)
                digest = file_sha256(task.path)
                state = states.get(task.source)
                if state and state.content_hash == digest and state.complete:
                    report.unchanged.append(task.source)
                    update(advance=1)
                    continue
                ready = (preloaded or {}).get(task.path.resolve())
                doc = ready or load_document(task.path, task.source)
            except LoadError as exc:
                reason = exc.reason
            except OSError as exc:
                reason = f"kan ikke lese filen ({exc.strerror or exc})"
            else:
                doc = ready or prepare(doc, manifests[task.root].get(task.name))
                reason = "" if any(page.text.strip() for page in doc.pages) else "ingen tekst igjen etter rensing"
            if reason:
                report.skipped.append((task.source, reason))
                log.warning("skipped %s: %s", task.path, reason)
                update(advance=1)
                continue
            doc.meta.update(root=str(task.root.resolve()), path=str(task.path.resolve()))
            size_mb = task.path.stat().st_size / 1024 / 1024
            if size_mb >= LARGE_FILE_MB:  # chunking and embedding take a while: say which file
                bar(now=f"deler opp og leser inn {task.source} ({size_mb:.0f} MB) …")
            n = indexer.add(doc, replaces=task.source in states)
            (report.updated if task.source in states else report.added).append(task.source)
            report.file_chunks[task.source] = n
            if doc.hidden_chars:  # an editor should know: text a reader never sees was left out
                report.hidden[task.source] = doc.hidden_chars
                log.warning("%s: skjult tekst utelatt: %d tegn", task.source, doc.hidden_chars)
            update(advance=1, chunks=n)
        indexer.flush()

    seen = {t.source for t in tasks}
    dir_roots = {str(Path(p).resolve()) for p in paths if Path(p).is_dir()}
    for source, state in states.items():
        if source not in seen and state.root in dir_roots:
            indexer.delete_source(source)
            report.removed.append(source)
    indexer.finish()

    report.chunks = indexer.chunks_written
    if reindex:
        live.adopt(store)
        store = live
    generation = store.generation()
    if indexer.changed or reindex or not keyword.load() or keyword.generation != generation:
        keyword.build(store.iter_records(), generation)
        report.keyword_rebuilt = True
    report.seconds = time.perf_counter() - started
    return report


def index_documents(
    docs: Iterable[Document],
    config: IngestConfig,
    store: VersionedStore,
    keyword: KeywordIndex,
    embedder: Embedder,
    progress: bool = False,
    total: int = 0,
) -> int:
    """Return how many chunks were written for in-memory documents (benchmarks); the keyword index is rebuilt."""
    indexer = Indexer(config, store, embedder)
    with progress_bar(progress, total) if total else nullcontext(lambda **_: None) as update:
        for doc in docs:
            n = indexer.add(doc)
            update(advance=1, chunks=n)
        indexer.finish()
    keyword.build(store.iter_records(), store.generation())
    return indexer.chunks_written


class Ingester:
    """Ingestion over one store, keyword index and embedder, as the composition root wires them."""

    def __init__(self, config: IngestConfig, store: VersionedStore, keyword: KeywordIndex, embedder: Embedder) -> None:
        self.config = config
        self.store = store
        self.keyword = keyword
        self.embedder = embedder

    def ingest(
        self,
        paths: Sequence[Path],
        reindex: bool = False,
        progress: bool = True,
        on_file: Callable[[int, int, str], None] | None = None,
        preloaded: Mapping[Path, Document] | None = None,
    ) -> IngestReport:
        """Return the report of ingesting the files and folders (see `ingest_paths`)."""
        return ingest_paths(paths, self.config, self.store, self.keyword, self.embedder, reindex, progress, on_file,
                            preloaded)

    def index_documents(self, docs: Iterable[Document], progress: bool = False, total: int = 0) -> int:
        """Return how many chunks were written for in-memory documents (see `index_documents`)."""
        return index_documents(docs, self.config, self.store, self.keyword, self.embedder, progress, total)
