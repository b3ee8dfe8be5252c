"""The app's shared, cached resources: settings, the assistant (built once per process), catalog and mentions."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import streamlit as st

if TYPE_CHECKING:
    from assistant.answer import Assistant
    from assistant.catalog import Catalog
    from assistant.kommunestatus import Mention
    from assistant.settings import Settings


class AppError(RuntimeError):
    """A problem the user can act on, worded for them (shown instead of a traceback)."""


def settings() -> Settings:
    """Return the settings from the environment (cheap; built on each rerun so tests can change them)."""
    from assistant.settings import get_settings

    return get_settings()


def _key(s: Settings) -> str:
    return s.model_dump_json()


@st.cache_resource(show_spinner="Laster inn dokumentlageret og språkmodellen …")
def _assistant(key: str) -> Assistant:
    from assistant.build import build_assistant
    from assistant.embed import EmbedderUnavailable
    from assistant.llm import LLMUnavailable
    from assistant.settings import Settings
    from assistant.store import EmbedderMismatch, StoreError

    s = Settings.model_validate_json(key)
    try:
        return build_assistant(s)
    except EmbedderMismatch as exc:
        raise AppError(f"Dokumentlageret ble bygd med en annen embedder. Kjør `assistant ingest --reindex`. ({exc})") from exc
    except StoreError as exc:
        raise AppError(f"Får ikke åpnet dokumentlageret: {exc}") from exc
    except EmbedderUnavailable as exc:
        raise AppError(f"Embedding-modellen kan ikke lastes: {exc}") from exc
    except LLMUnavailable as exc:
        raise AppError(f"Språkmodellen kan ikke brukes: {exc}. Sett ASSISTANT_LLM=auto for å falle tilbake.") from exc


def assistant(s: Settings | None = None) -> Assistant:
    """Return the process-wide assistant for the settings; AppError with advice when it cannot be built."""
    return _assistant(_key(s or settings()))


@st.cache_resource
def lock() -> threading.Lock:
    """Return the lock that serialises model calls and ingestion across browser sessions."""
    return threading.Lock()


@st.cache_resource(max_entries=4)
def _catalog(key: str, generation: int) -> Catalog:
    from assistant.catalog import build_catalog

    return build_catalog(_assistant(key).retriever.store)


def catalog(s: Settings | None = None) -> Catalog:
    """Return the catalog of ingested documents, rebuilt whenever the store changes."""
    key = _key(s or settings())
    return _catalog(key, _assistant(key).retriever.store.generation())


@st.cache_resource(max_entries=4)
def _mentions(key: str, generation: int) -> dict[str, list[Mention]]:
    from assistant.kommunestatus import find_mentions

    return find_mentions(_assistant(key).retriever.store.iter_records())


def mentions(s: Settings | None = None) -> dict[str, list[Mention]]:
    """Return the documents the corpus names, by kommune, recomputed whenever the store changes."""
    key = _key(s or settings())
    return _mentions(key, _assistant(key).retriever.store.generation())


def page_setup() -> tuple[Settings, Assistant, Catalog]:
    """Return settings, assistant and catalog for a page, or show what to do and stop the page's run."""
    s = settings()
    try:
        return s, assistant(s), catalog(s)
    except AppError as exc:
        st.error(str(exc), icon="⚠️")
        st.stop()
        raise  # st.stop() ends the run; this line only tells type checkers so


@st.cache_resource(max_entries=4)
def _quoting(key: str) -> Assistant:
    from assistant.answer import Assistant
    from assistant.backends import ExtractiveBackend

    bot = _assistant(key)
    return Assistant(bot.settings, bot.retriever, ExtractiveBackend(bot.retriever.embedder), bot.notes)


def quoting(bot: Assistant) -> Assistant:
    """Return an assistant over the same retriever that answers by quoting (the fallback when a model fails)."""
    return _quoting(_key(bot.settings))
