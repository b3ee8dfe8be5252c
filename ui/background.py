"""Ingestion in a child process at the lowest CPU priority, so that uploads never slow the app's answers.

An upload ingested in a thread of the app's own process competes with every question for the two cores
and for Python's GIL: answers took about twice as long while a 1 MB upload was being read in
(`python -m evals.bench_deploy`). The child runs the product's own ingester (`App(settings).ingester()`)
under SCHED_IDLE (nice 19 where that is not available), so the kernel gives it only the CPU that
answering leaves. The app sees what it wrote on its next search, as for `assistant ingest` run beside it
(the store's write generation).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue as queues
from collections.abc import Callable, Sequence
from pathlib import Path

from assistant.app import App
from assistant.core.settings import Settings
from ingest.pipeline import IngestReport

log = logging.getLogger(__name__)

POLL_SECONDS = 1.0


class IngestFailed(RuntimeError):
    """The child process stopped before it reported; the message says how."""


def lowest_priority() -> str:
    """Put this process at the lowest CPU priority the system allows; return which one it got."""
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        return "SCHED_IDLE"
    except (AttributeError, OSError):
        try:
            os.nice(19)
            return "nice 19"
        except OSError:
            return "normal"


def _child(settings: Settings, paths: list[Path], reindex: bool, messages: multiprocessing.Queue) -> None:
    """Ingest the paths with the product's ingester, sending progress and the report (or the error) back."""
    log.info("upload ingestion at %s priority", lowest_priority())
    try:
        report = App(settings).ingester(reindex).ingest(
            paths, reindex=reindex, progress=False, on_file=lambda *args: messages.put(("file", args))
        )
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which shows it to the user
        messages.put(("error", f"{type(exc).__name__}: {exc}"))
        raise
    messages.put(("done", report))


class BackgroundIngester:
    """An ingester with the interface of `ingest.pipeline.Ingester` whose work runs in a low-priority child process."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def ingest(
        self,
        paths: Sequence[Path],
        reindex: bool = False,
        progress: bool = False,
        on_file: Callable[[int, int, str], None] | None = None,
    ) -> IngestReport:
        """Return the report of ingesting the paths in a child process; IngestFailed when the child fails or dies.

        `progress` is accepted for the Ingester's interface; the child draws no progress bar. `on_file` is
        called in this process after each file, as the Ingester does.
        """
        context = multiprocessing.get_context("spawn")  # a fresh interpreter: no threads or locks inherited
        messages = context.Queue()
        child = context.Process(target=_child, args=(self.settings, list(paths), reindex, messages),
                                name="assistant-ingest", daemon=True)
        child.start()
        try:
            while True:
                try:
                    kind, payload = messages.get(timeout=POLL_SECONDS)
                except queues.Empty:
                    if not child.is_alive():
                        raise IngestFailed(f"innlesingen stoppet uventet (prosessen endte med kode {child.exitcode})")
                    continue
                if kind == "file" and on_file is not None:
                    on_file(*payload)
                elif kind == "error":
                    raise IngestFailed(payload)
                elif kind == "done":
                    return payload
        finally:
            child.join(timeout=30)
            if child.is_alive():
                child.kill()
