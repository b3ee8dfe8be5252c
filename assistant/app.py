"""The composition root: `App(settings)` builds every part once, lazily, and is the only place that wires backends.

The CLI, the Streamlit app, Kommunestatus, the eval runner, the baselines and every benchmark take
their parts from an `App`, so every figure is measured on what users run. Nothing else constructs a
store, a keyword index, an embedder or an answer backend (tests aside), and below the entry points
nothing else reads the settings: each part takes a small frozen slice built here (`store_config`,
`ingest_config`, `retrieval_config`, `answer_config`) or plain parameters.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from assistant.answering.evidence import candidates, renumber
from assistant.answering.pipeline import AnswerConfig, Assistant
from assistant.answering.readers import ExtractiveReader, LLMReader, Reader
from assistant.answering.retrieve import Mode, RetrievalConfig, Retriever, Searcher
from assistant.answering.support import SupportScorer, SupportWeights
from assistant.core.models import Chunk
from assistant.core.settings import Settings, get_settings
from assistant.index.cache import CachingEmbedder
from assistant.index.embed import E5Embedder, Embedder, EmbedderUnavailable, SentenceTransformerEmbedder
from assistant.index.keyword import KeywordIndex
from assistant.index.scorer import SHIPPED, SentenceScorer
from assistant.index.store import ChunkStore, EmbedderMismatch, StoreConfig, StoreDamaged, set_aside_if_damaged
from assistant.llm.base import ChatModel, LLMUnavailable
from assistant.llm.gguf import resolve_model
from assistant.llm.llamacpp import LlamaCppChat
from assistant.llm.ollama import OllamaChat
from assistant.llm.translate import Translator, find_translator
from assistant.services.catalog import Catalog, DocumentInfo, build_catalog
from assistant.services.goals import GoalStatus, goal_overview
from assistant.services.kommunestatus import Mention, find_mentions, not_ingested
from assistant.services.resident_summary import ResidentSummary, summarize_for_residents
from ingest.pipeline import IngestConfig, Ingester

log = logging.getLogger(__name__)

LLM_CHOICES = ("auto", "ollama", "llamacpp", "extractive")
# What `auto` tries, in order: the user's Ollama, else quoting (measured ahead of the embedded 1.5B on dev).
AUTO_ORDER = ("ollama", "extractive")

# Embedded models stay loaded for the life of the process, whichever App asked first (1 GB each).
_CHAT_MODELS: dict[tuple, ChatModel] = {}
_CHAT_LOCK = threading.Lock()


def answer_config(settings: Settings) -> AnswerConfig:
    """Return what the answer stages read of the settings (the one place they are read for answering)."""
    s = settings
    return AnswerConfig(k=s.k, history_turns=s.history_turns, reader_sentences=s.reader_sentences,
                        answer_threshold=s.answer_threshold, answer_threshold_en=s.answer_threshold_en,
                        support_threshold=s.support_threshold, support_threshold_en=s.support_threshold_en,
                        claim_margin=s.claim_margin)


def retrieval_config(settings: Settings) -> RetrievalConfig:
    """Return what retrieval reads of the settings."""
    s = settings
    return RetrievalConfig(k=s.k, candidates=s.candidates, vector_weight=s.vector_weight, bm25_weight=s.bm25_weight,
                           rrf_k=s.rrf_k, kommune_boost=s.kommune_boost)


def store_config(settings: Settings) -> StoreConfig:
    """Return what the store reads of the settings: where it lives, its collection, the folders its files came from."""
    s = settings
    return StoreConfig(chroma_host=s.chroma_host, chroma_port=s.chroma_port, collection=s.collection,
                       store_dir=s.store_dir(), keyword_root=s.keyword_dir().parent, corpus_dir=s.corpus_dir,
                       uploads_dir=s.uploads_dir())


def ingest_config(settings: Settings) -> IngestConfig:
    """Return what ingestion reads of the settings: passage size, goal calibration, the corpus, the size limit."""
    s = settings
    return IngestConfig(chunk_tokens=s.chunk_tokens, chunk_overlap=s.chunk_overlap, goal_threshold=s.goal_threshold,
                        goal_margin=s.goal_margin, corpus_dir=s.corpus_dir, max_file_mb=s.max_file_mb)


def make_embedder(settings: Settings) -> Embedder:
    """Return the embedder the settings name, loading its model now."""
    if settings.embedder == "e5":
        return E5Embedder(batch_size=settings.embed_batch, threads=settings.embed_threads)
    if settings.embedder == "sentence-transformers":
        return SentenceTransformerEmbedder(settings.st_model, batch_size=settings.embed_batch)
    raise EmbedderUnavailable(f"unknown embedder {settings.embedder!r} (use e5 or sentence-transformers)")


def make_ollama(settings: Settings) -> OllamaChat:
    """Return the Ollama chat model the settings name (not yet checked; call `.check()`)."""
    return OllamaChat(
        settings.ollama_host, settings.ollama_model, num_ctx=settings.llm_context, deadline=settings.llm_timeout
    )


def make_llamacpp(settings: Settings) -> LlamaCppChat:
    """Return the embedded llama.cpp model the settings name (a registry name or a GGUF path), loaded now."""
    path = resolve_model(settings.llamacpp_model, settings.models_dir())
    return LlamaCppChat(path, n_ctx=settings.llm_context, threads=settings.llm_threads, deadline=settings.llm_timeout)


@dataclass(frozen=True)
class Variant:
    """Which assistant to build: the product's (defaults) or a variant a benchmark compares against."""

    llm: str | None = None  # None = settings.llm
    mode: Mode = "hybrid"  # retrieval mode
    gated: bool = True  # refuse before reading when the evidence is below the calibrated floor


class App:
    """Every part of the assistant, built from one Settings object on first use and then shared."""

    def __init__(self, settings: Settings | None = None, embedder: Embedder | None = None) -> None:
        self.settings = settings or get_settings()
        self._given_embedder = embedder
        self._assistants: dict[Variant, Assistant] = {}
        self._backends: dict[str, tuple[Reader, list[str]]] = {}
        self._summaries: dict[tuple[str, str, int], ResidentSummary] = {}  # (kommune, backend, store generation)
        self._lock = threading.RLock()

    def with_settings(self, **overrides: object) -> App:
        """Return an App over changed settings that shares this one's embedder (e.g. an evaluation store)."""
        return App(self.settings.model_copy(update=overrides), self.embedder)

    # --- index layer ---

    @cached_property
    def embedder(self) -> Embedder:
        """Return the configured embedder, its model loaded (shared with apps made by `with_settings`)."""
        return self._given_embedder or make_embedder(self.settings)

    @cached_property
    def sentence_embedder(self) -> CachingEmbedder:
        """Return the embedder the answer stages use: the same model, recently seen sentences cached."""
        return CachingEmbedder(self.embedder, self.settings.vector_cache_items)

    @cached_property
    def store(self) -> ChunkStore:
        """Return the chunk store for the embedder (EmbedderMismatch when another embedder built it)."""
        return ChunkStore(store_config(self.settings), self.embedder.name, self.embedder.dim)

    def existing_store(self) -> ChunkStore | None:
        """Return the store as built, without loading an embedder (for `status`), or None when there is none."""
        return ChunkStore.open_existing(store_config(self.settings))

    def set_aside_damaged(self) -> tuple[StoreDamaged, Path] | None:
        """Before `ingest --reindex`: move a damaged embedded store aside; return what was wrong and where it went."""
        return set_aside_if_damaged(store_config(self.settings))

    @cached_property
    def keyword(self) -> KeywordIndex:
        """Return the keyword index, loaded from disk when one was persisted."""
        index = KeywordIndex(self.settings.keyword_dir())
        index.load()
        return index

    @cached_property
    def retriever(self) -> Retriever:
        """Return the hybrid retriever over the store and the keyword index (query vectors cached for the scorer)."""
        return Retriever(retrieval_config(self.settings), self.store, self.keyword, self.sentence_embedder)

    @cached_property
    def scorer(self) -> SupportScorer:
        """Return the support scorer with the calibrated weights and the corpus IDF of the keyword index."""
        s = self.settings
        weights = SupportWeights(s.support_lexical_weight, s.support_semantic_weight, s.support_cue_weight,
                                 s.support_threshold, s.support_embed_top, s.scorer_shortlist,
                                 weak_overlap=s.support_weak_overlap, weak_embed_factor=s.support_weak_embed_factor,
                                 lead_in_words=s.support_lead_in_words)
        return SupportScorer(weights, self.sentence_embedder, self.keyword.idf, self.sentence_scorer)

    @cached_property
    def sentence_scorer(self) -> SentenceScorer | None:
        """Return the trained answer-sentence scorer (its model file built on first use), or None when it is off."""
        if self.settings.sentence_scorer == "off":
            return None
        return SentenceScorer(self.settings.scorer_weights or SHIPPED, cache_dir=self.settings.models_dir())

    def ingester(self, reindex: bool = False) -> Ingester:
        """Return the ingester over this app's store; with `reindex`, a store of another embedder is dropped first."""
        if reindex and "store" not in self.__dict__:
            try:
                self.store  # noqa: B018 - opening it is the check
            except EmbedderMismatch:
                ChunkStore.drop(store_config(self.settings))
        return Ingester(ingest_config(self.settings), self.store, self.keyword, self.embedder)

    def catalog(self) -> Catalog:
        """Return the catalog of the ingested documents."""
        return build_catalog(self.store)

    # --- answering ---

    def chat_model(self, name: str) -> ChatModel:
        """Return the chat model `ollama` or `llamacpp` (LLMUnavailable with what to do when it cannot be used)."""
        if name == "ollama":

            chat = make_ollama(self.settings)
            chat.check()
            return chat
        if name == "llamacpp":

            s = self.settings
            key = (s.llamacpp_model, str(s.models_dir()), s.llm_context, s.llm_threads)
            with _CHAT_LOCK:
                if key not in _CHAT_MODELS:
                    _CHAT_MODELS[key] = make_llamacpp(s)
                return _CHAT_MODELS[key]
        raise LLMUnavailable(f"ukjent backend {name!r} (bruk {', '.join(LLM_CHOICES)})")

    def backend(self, llm: str | None = None) -> tuple[Reader, list[str]]:
        """Return the reader `llm` (or settings.llm) asks for and notes on any fallback taken.

        `auto` takes Ollama when it answers with the model (a model the user chose and runs), else quoting:
        on the dev set quoting is ahead of the embedded 1.5B (README, "Evaluation"), so the embedded model
        answers only when chosen (`llamacpp`). An explicit choice that cannot be used raises LLMUnavailable.
        """
        choice = llm or self.settings.llm
        with self._lock:
            if choice in self._backends:
                return self._backends[choice]
            notes: list[str] = []
            order = list(AUTO_ORDER) if choice == "auto" else [choice]
            for name in order:
                if name == "extractive":
                    config, trained = answer_config(self.settings), self.sentence_scorer is not None
                    found: Reader = ExtractiveReader(self.sentence_embedder, min_support=config.gate_floor("nb", trained),
                                                     max_sentences=self.settings.quote_sentences,
                                                     plain_margin=self.settings.plain_margin,
                                                     margin=config.quote_margin(trained))
                    break
                try:
                    chat = self.chat_model(name)
                except LLMUnavailable as exc:
                    if choice != "auto":
                        raise
                    notes.append(str(exc))
                    log.info("backend %s unavailable: %s", name, exc)
                    continue
                s = self.settings
                found = LLMReader(chat, self.sentence_embedder, s.reader_tokens, s.temperature, s.reader_cited)
                break
            else:  # pragma: no cover - extractive always is
                raise LLMUnavailable("no answer backend available")
            self._backends[choice] = (found, notes)
            return found, notes

    def quote(self, question: str, passages: Sequence[Chunk]) -> str:
        """Return the extractive reader's quote for the question from any passages (the naive baseline's quoting)."""
        ranked = self.scorer.rank(question, candidates(passages, len(passages)))
        reader, _ = self.backend("extractive")  # the product's extractive reader, built once
        return " ".join(claim.text for claim in reader.read(question, renumber(ranked), "nb"))

    def translator(self) -> Translator | None:
        """Return the bokmål-nynorsk translator when one is configured and installed."""
        return find_translator(self.settings.translator)

    def assistant(self, llm: str | None = None, *, mode: Mode = "hybrid", gated: bool = True) -> Assistant:
        """Return the assistant users get (defaults), or a benchmark's variant of it; each built once."""
        variant = Variant(llm or self.settings.llm, mode, gated)
        with self._lock:
            if variant not in self._assistants:
                backend, notes = self.backend(variant.llm)
                retriever = self.retriever if mode == "hybrid" else self.retriever.with_mode(mode)
                translator = self.translator() if backend.generative else None
                config = answer_config(self.settings)
                self._assistants[variant] = Assistant(config, retriever, backend, self.scorer, notes, translator,
                                                      gated=gated, quoter=self.backend("extractive")[0])
            return self._assistants[variant]

    def assistant_over(self, searcher: Searcher, llm: str | None = None, *, gated: bool = True) -> Assistant:
        """Return the product's answer stages over another searcher (the reader benchmark gives the gold passage)."""
        backend, notes = self.backend(llm)
        translator = self.translator() if backend.generative else None
        return Assistant(answer_config(self.settings), searcher, backend, self.scorer, notes, translator, gated=gated,
                         quoter=self.backend("extractive")[0])

    def kommune_facts(self, kommune: str) -> tuple[list[DocumentInfo], list[Mention], list[GoalStatus]]:
        """Return what Kommunestatus knows of a kommune: its documents, reports named but not ingested, its goals."""
        catalog = self.catalog()
        documents = catalog.about(kommune)
        missing = not_ingested(kommune, find_mentions(self.store.iter_records()), catalog)
        goals = goal_overview(self.store, self.sentence_embedder, kommune) if documents else []
        return documents, missing, goals

    def resident_summary(self, kommune: str, llm: str | None = None) -> ResidentSummary:
        """Return the residents' summary of a kommune: plain sentences, then quotes (made plainer by a model, if any).

        A summary depends only on the documents and the backend, so it is made once per kommune, backend and
        store generation and then shared by every session (a change to the store makes it again).
        `seconds` is the time it took to make, facts included.
        """
        started = time.perf_counter()
        reader, _ = self.backend(llm)
        key = (kommune, reader.name, self.store.generation())
        with self._lock:
            if key in self._summaries:
                return self._summaries[key]
        documents, missing, goals = self.kommune_facts(kommune)
        made = summarize_for_residents(kommune, documents, missing, goals, self.quoting(), reader.chat,
                                       self.settings.summary_shortlist)
        made.seconds = time.perf_counter() - started
        with self._lock:
            self._summaries = {k: v for k, v in self._summaries.items() if k[2] == key[2]}  # older stores' go
            self._summaries[key] = made
        return made

    def quoting(self, *, mode: Mode = "hybrid", gated: bool = True) -> Assistant:
        """Return the assistant over the same retriever that answers by quoting (the fallback when a model fails)."""
        return self.assistant("extractive", mode=mode, gated=gated)
