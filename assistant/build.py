"""The composition root: wires settings into embedder, store, keyword index and retriever."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assistant.answer import Assistant
    from assistant.embed import Embedder
    from assistant.keyword import KeywordIndex
    from assistant.retrieve import Retriever
    from assistant.settings import Settings
    from assistant.store import ChunkStore


def build_embedder(settings: Settings) -> Embedder:
    """Return the configured embedder with its model loaded."""
    from assistant.embed import make_embedder

    return make_embedder(settings)


def build_store(settings: Settings, embedder: Embedder) -> ChunkStore:
    """Return the chunk store for the embedder (refusing a store built by another embedder)."""
    from assistant.store import ChunkStore

    return ChunkStore(settings, embedder.name, embedder.dim)


def build_keyword_index(settings: Settings) -> KeywordIndex:
    """Return the keyword index, loaded from disk when one was persisted."""
    from assistant.keyword import KeywordIndex

    index = KeywordIndex(settings.keyword_dir())
    index.load()
    return index


def build_retriever(settings: Settings, embedder: Embedder | None = None) -> Retriever:
    """Return a ready hybrid retriever over the configured store."""
    from assistant.retrieve import Retriever

    embedder = embedder or build_embedder(settings)
    return Retriever(settings, build_store(settings, embedder), build_keyword_index(settings), embedder)



def build_assistant(settings: Settings, llm: str | None = None, embedder: Embedder | None = None) -> Assistant:
    """Return the assistant: retriever plus the answer backend `llm` (or settings.llm), with fallback notes."""
    from assistant.answer import Assistant
    from assistant.backends import make_backend
    from assistant.translate import find_translator

    retriever = build_retriever(settings, embedder)
    backend, notes = make_backend(settings, llm, retriever.embedder)
    translator = find_translator(settings.translator) if backend.name != "extractive" else None
    return Assistant(settings, retriever, backend, notes, translator)
