"""The `naive` baseline: the LangChain RAG tutorial recipe over the same corpus, embedder and LLM.

Recipe: the documents loaded as the product loads them (one LangChain Document per page),
``RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200, add_start_index=True)``,
a Chroma vector store (langchain-chroma, default settings), vector-only top 4, all four passages
stuffed into the tutorial's prompt (LangChain hub ``rlm/rag-prompt``). No history, no filters, no
refusal gate and no citation check: its sources are the four passages it was given. With the
extractive backend the "answer" is the best-matching sentences of those four passages.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.answering.readers import NOT_FOUND
from assistant.core.files import file_sha256
from assistant.core.language import detect_language
from assistant.core.models import Answer, Chunk, Citation
from ingest.load import LoadError, load_document
from ingest.manifest import load_manifest
from ingest.pipeline import discover, prepare

if TYPE_CHECKING:
    from langchain_chroma import Chroma
    from langchain_core.documents import Document as LCDocument

    from assistant.answering.readers import Reader
    from assistant.core.settings import Settings
    from assistant.index.embed import Embedder

log = logging.getLogger(__name__)

CHUNK_SIZE = 1000
CHUNK_OVERLAP = 200
TOP_K = 4
COLLECTION = "naive"
FINGERPRINT = "fingerprint.json"
VERSION = 1  # bump when the way the index is built changes
ADD_BATCH = 64
# The prompt of the LangChain RAG tutorial (hub: rlm/rag-prompt), word for word.
RAG_PROMPT = (
    "You are an assistant for question-answering tasks. Use the following pieces of retrieved context to "
    "answer the question. If you don't know the answer, just say that you don't know. Use three sentences "
    "maximum and keep the answer concise.\nQuestion: {question} \nContext: {context} \nAnswer:"
)
# The model's own words for "I don't know", in English and Norwegian; only short answers count.
DONT_KNOW = re.compile(
    r"\b(?:don'?t|do not|does not|doesn'?t) know\b|\bvet ikke\b|\bveit ikkje\b|\bvet ikkje\b|"
    r"fant ikke svaret|fann ikkje svaret|could not find the answer|not (?:mentioned|provided|found) in the",
    re.IGNORECASE,
)
DONT_KNOW_MAX_WORDS = 30


def _langchain_embeddings(embedder: Embedder) -> Any:
    """Return a LangChain Embeddings object over the product's embedder (same model, same prefixes)."""
    from langchain_core.embeddings import Embeddings

    class ProductEmbeddings(Embeddings):
        """LangChain's Embeddings interface on top of assistant.embed.Embedder."""

        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            """Return passage vectors as lists."""
            return embedder.embed_passages(texts).tolist()

        def embed_query(self, text: str) -> list[float]:
            """Return the query vector as a list."""
            return embedder.embed_query(text).tolist()

    return ProductEmbeddings()


def corpus_files(corpus_dir: Path) -> list[tuple[str, Path]]:
    """Return (source, path) of the files the product would ingest from the folder, in a stable order."""
    return [(task.source, task.path) for task in discover([Path(corpus_dir)])]


def fingerprint(corpus_dir: Path, embedder_name: str) -> str:
    """Return a digest of the corpus files' contents, the splitter settings and the embedder."""
    digest = hashlib.sha256(f"{VERSION}|{CHUNK_SIZE}|{CHUNK_OVERLAP}|{embedder_name}".encode())
    for source, path in corpus_files(corpus_dir):
        digest.update(f"\n{source}\t{file_sha256(path)}".encode())
    return digest.hexdigest()


def load_pages(corpus_dir: Path) -> list[LCDocument]:
    """Return one LangChain Document per page, loaded and cleaned by the product's own loaders."""
    from langchain_core.documents import Document as LCDocument


    manifest = load_manifest(Path(corpus_dir), require_files=False)
    pages: list[LCDocument] = []
    for source, path in corpus_files(corpus_dir):
        try:
            doc = prepare(load_document(path, source), manifest.get(source))
        except LoadError as exc:
            log.warning("naive: skipped %s: %s", source, exc.reason)
            continue
        for page in doc.pages:
            if page.text.strip():
                pages.append(LCDocument(page_content=page.text,
                                        metadata={"source": source, "title": doc.title, "page": page.number or 0}))
    return pages


def split_pages(pages: Sequence[LCDocument]) -> list[LCDocument]:
    """Return the tutorial's 1000-character chunks (200 overlap) of the pages, each with its start index."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP, add_start_index=True)
    return splitter.split_documents(list(pages))


def _chunk_id(doc: LCDocument, i: int) -> str:
    """Return a stable id for the i-th split of the corpus."""
    key = f"{doc.metadata['source']}|{doc.metadata['page']}|{doc.metadata['start_index']}|{i}"
    return hashlib.sha1(key.encode()).hexdigest()


def _client(index_dir: Path) -> Any:
    """Return an embedded Chroma client for the index folder, telemetry off."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    index_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(index_dir / "chroma"), settings=ChromaSettings(anonymized_telemetry=False))


def open_index(
    corpus_dir: Path,
    index_dir: Path,
    embedder: Embedder,
    progress: Callable[[int, str], Any] | None = None,
) -> Chroma:
    """Return the naive Chroma index of the corpus, built now unless one of the same corpus and embedder exists.

    `progress(total, description)` returns a context manager yielding advance(n) (see evals.progress).
    """
    from langchain_chroma import Chroma

    index_dir = Path(index_dir)
    wanted = fingerprint(corpus_dir, embedder.name)
    stamp = index_dir / FINGERPRINT
    embeddings = _langchain_embeddings(embedder)
    client = _client(index_dir)
    exists = COLLECTION in [c.name for c in client.list_collections()]
    if exists and stamp.exists():
        recorded = json.loads(stamp.read_text(encoding="utf-8"))
        store = Chroma(COLLECTION, embeddings, client=client)
        if recorded.get("fingerprint") == wanted and store._collection.count() == recorded.get("chunks"):
            return store
        log.info("naive index in %s is stale; rebuilding", index_dir)
    stamp.unlink(missing_ok=True)
    if exists:
        client.delete_collection(COLLECTION)  # no half-built or stale collection survives
    store = Chroma(COLLECTION, embeddings, client=client)
    started = time.perf_counter()
    splits = split_pages(load_pages(corpus_dir))
    ids = [_chunk_id(doc, i) for i, doc in enumerate(splits)]
    bar = progress(len(splits), "Naive index") if progress else nullcontext(lambda n=1, current="": None)
    with bar as advance:
        for at in range(0, len(splits), ADD_BATCH):
            batch = splits[at : at + ADD_BATCH]
            store.add_documents(batch, ids=ids[at : at + ADD_BATCH])
            advance(len(batch))
    stamp.write_text(json.dumps({"fingerprint": wanted, "chunks": len(splits), "corpus": str(Path(corpus_dir).resolve()),
                                 "embedder": embedder.name, "seconds": round(time.perf_counter() - started, 1)}),
                     encoding="utf-8")
    return store


def to_chunk(doc: LCDocument, score: float = 0.0) -> Chunk:
    """Return the product's Chunk for a LangChain search result."""
    meta = doc.metadata
    start = int(meta.get("start_index", 0))
    return Chunk(
        id=str(doc.id or ""),
        text=doc.page_content,
        source=str(meta.get("source", "")),
        title=str(meta.get("title", "")),
        page=int(meta["page"]) if meta.get("page") else None,
        heading="",
        start=start,
        end=start + len(doc.page_content),
        score=score,
    )


class NaiveRetriever:
    """Vector-only search in the naive index; filters and modes are ignored, as in the tutorial."""

    def __init__(self, store: Chroma, embedder: Embedder) -> None:
        self.store = store
        self.embedder = embedder

    def search(self, query: str, k: int | None = None, filters: dict[str, Any] | None = None, mode: str = "vector") -> list[Chunk]:
        """Return the k nearest chunks, best first, scored by cosine similarity."""
        found = self.store.similarity_search_with_score(query, k=k or TOP_K)
        # e5 vectors are unit length and Chroma's l2 distance is squared, so cosine = 1 - d / 2
        return [to_chunk(doc, 1.0 - float(distance) / 2) for doc, distance in found]


def says_dont_know(text: str) -> bool:
    """Return True when a short answer says, in its own words, that it does not know."""
    return len(text.split()) <= DONT_KNOW_MAX_WORDS and bool(DONT_KNOW.search(text))


class NaiveRAG:
    """The tutorial pipeline behind the Assistant's ask() shape, so the runner scores it the same way."""

    def __init__(
        self, settings: Settings, retriever: NaiveRetriever, backend: Reader, quoting: Callable[[str, Sequence[Chunk]], str]
    ) -> None:
        self.settings = settings
        self.retriever = retriever
        self.backend = backend
        self.quoting = quoting  # quotes from its TOP_K passages when the backend is no language model (App.quote)

    def _generate(self, question: str, passages: Sequence[Chunk]) -> str:
        """Return the answer text: the LLM on the stuffed tutorial prompt, or the best extractive sentences."""
        chat = self.backend.chat
        if chat is None:  # the extractive backend: quote the best sentences of all four passages
            return self.quoting(question, passages).strip() or NOT_FOUND[detect_language(question)]
        context = "\n\n".join(p.text for p in passages)
        messages = [{"role": "user", "content": RAG_PROMPT.format(question=question, context=context)}]
        return "".join(chat.stream(messages, max_tokens=self.settings.reader_tokens * 2,
                                   temperature=self.settings.temperature)).strip()

    def ask(self, question: str, history: Sequence[Any] = (), filters: dict[str, Any] | None = None) -> Answer:
        """Return the answer to the question alone (history and filters are not part of the recipe)."""
        started = time.perf_counter()
        passages = self.retriever.search(question, k=TOP_K)
        retrieved = time.perf_counter()
        text = self._generate(question, passages)
        refused = text in NOT_FOUND.values() or says_dont_know(text)
        # its sources are the passages it was given; nothing checks them (supported=None: not verified)
        citations = [] if refused else [Citation(n, p, "", None) for n, p in enumerate(passages, start=1)]  # type: ignore[arg-type]
        timings = {"retrieval": retrieved - started, "total": time.perf_counter() - started}
        return Answer(question, text, citations, refused, f"naive+{self.backend.name}", list(passages),
                      standalone_question=question, timings=timings)
