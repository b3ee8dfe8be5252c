"""The app's shared, cached resources: settings, the assistant (built once per process), catalog and mentions.

Also the job that, once per process, ingests the uploads a crash left waiting in the upload folder.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import streamlit as st

from assistant.answering.pipeline import Assistant
from assistant.app import App
from assistant.core.settings import Settings, get_settings
from assistant.index.embed import EmbedderUnavailable
from assistant.index.store import EmbedderMismatch, StoreDamaged, StoreError
from assistant.llm.base import LLMUnavailable
from assistant.services.kommunestatus import find_mentions
from assistant.services.uploads import unfinished_checks, waiting_uploads
from ui import render
from ui.background import AnswerLock, BackgroundIngester
from ui.upload import UploadJob, start_resume_job

if TYPE_CHECKING:
    from assistant.answering.pipeline import Assistant
    from assistant.core.settings import Settings
    from assistant.services.catalog import Catalog
    from assistant.services.kommunestatus import Mention

log = logging.getLogger(__name__)


class AppError(RuntimeError):
    """A problem the user can act on, worded for them (shown instead of a traceback)."""


def settings() -> Settings:
    """Return the settings from the environment (cheap; built on each rerun so tests can change them)."""
    return get_settings()


def _key(s: Settings) -> str:
    return s.model_dump_json()


@st.cache_resource(show_spinner="Laster inn dokumentlageret og språkmodellen …")
def _app(key: str) -> App:
    """Return the composition root for the settings, its assistant built (once per process and settings)."""
    application = App(Settings.model_validate_json(key))
    try:
        application.assistant()
    except EmbedderMismatch as exc:
        raise AppError(f"Dokumentlageret ble bygd med en annen embedder. Kjør `assistant ingest --reindex`. ({exc})") from exc
    except StoreDamaged as exc:  # the same words as the command line; file names in it are shown as written
        raise AppError(render.md(str(exc))) from exc
    except StoreError as exc:
        raise AppError(f"Får ikke åpnet dokumentlageret: {exc}") from exc
    except EmbedderUnavailable as exc:
        raise AppError(f"Embedding-modellen kan ikke lastes: {exc}") from exc
    except LLMUnavailable as exc:
        raise AppError(f"Språkmodellen kan ikke brukes: {exc}. Sett ASSISTANT_LLM=auto for å falle tilbake.") from exc
    return application


def app(s: Settings | None = None) -> App:
    """Return the process-wide composition root for the settings; AppError with advice when it cannot be built."""
    return _app(_key(s or settings()))


def assistant(s: Settings | None = None) -> Assistant:
    """Return the process-wide assistant for the settings; AppError with advice when it cannot be built."""
    return app(s).assistant()


@st.cache_resource
def lock() -> AnswerLock:
    """Return the lock that serialises model calls across browser sessions; holding it pauses upload children."""
    return AnswerLock()


@st.cache_resource
def ingest_lock() -> threading.Lock:
    """Return the lock that serialises writes to the store by upload jobs across browser sessions."""
    return threading.Lock()


@st.cache_resource(max_entries=4)
def _catalog(key: str, generation: int) -> Catalog:

    return _app(key).catalog()


def catalog(s: Settings | None = None) -> Catalog:
    """Return the catalog of ingested documents, rebuilt whenever the store changes."""
    key = _key(s or settings())
    return _catalog(key, _app(key).store.generation())


@st.cache_resource(max_entries=4)
def _mentions(key: str, generation: int) -> dict[str, list[Mention]]:

    return find_mentions(_app(key).store.iter_records())


def mentions(s: Settings | None = None) -> dict[str, list[Mention]]:
    """Return the documents the corpus names, by kommune, recomputed whenever the store changes."""
    key = _key(s or settings())
    return _mentions(key, _app(key).store.generation())


def page_setup() -> tuple[Settings, Assistant, Catalog]:
    """Return settings, assistant and catalog for a page, or show what to do and stop the page's run.

    The first page run of the process also starts ingesting the uploads a crash left waiting (`resume_job`).
    """
    s = settings()
    try:
        bot, found = assistant(s), catalog(s)
        resume_job(s)
    except (AppError, StoreError) as exc:
        st.error(str(exc) if isinstance(exc, AppError) else render.md(str(exc)), icon="⚠️")
        st.stop()
        raise  # st.stop() ends the run; this line only tells type checkers so
    return s, bot, found


@contextmanager
def store_errors() -> Iterator[None]:
    """Show a store that fails while a page runs (damaged, server gone) as what to do, never as a traceback."""
    try:
        yield
    except StoreError as exc:
        st.error(render.md(str(exc)), icon="⚠️")


@st.cache_resource(show_spinner=False)
def _resume(key: str) -> UploadJob | None:
    s = Settings.model_validate_json(key)
    try:
        waiting = waiting_uploads(s.uploads_dir(), _app(key).store.source_states())
        leftovers = unfinished_checks(s.uploads_dir())
    except OSError:  # an upload folder that cannot be read: the page works on, `assistant status` tells more
        log.exception("cannot look for uploads waiting in %s", s.uploads_dir())
        return None
    if not waiting and not leftovers:
        return None
    return start_resume_job(waiting, leftovers, BackgroundIngester(s), ingest_lock(), s.uploads_dir())


def resume_job(s: Settings | None = None) -> UploadJob | None:
    """Return the job ingesting the uploads a crash left waiting, started on the process's first call; None if none."""
    return _resume(_key(s or settings()))


def quoting(s: Settings | None = None) -> Assistant:
    """Return an assistant over the same retriever that answers by quoting (the fallback when a model fails)."""
    return app(s).quoting()
