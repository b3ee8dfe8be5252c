"""Ingestion in a child process at the lowest CPU priority, so that an upload takes only the CPU answering leaves.

An upload ingested in a thread of the app's own process competes with every question for the two cores
and for Python's GIL. The child runs the product's own ingester (`App(settings).ingester()`) under
SCHED_IDLE (nice 19 where that is not available), and a crash or kill there leaves the app running. The
app sees what the child wrote on its next search, as for `assistant ingest` run beside it (the store's
write generation). `python -m evals.bench_deploy` measures questions asked during an upload: p95
1.37 s with the thread, 1.02 s with the child; the median (about 0.9 s against 0.4 s without an upload)
did not move, so a low priority alone does not keep the child out of a question's way.

So the child also steps aside while a question is answered: `AnswerLock` (the lock every answer in the
app takes) tells each child to pause (SIGUSR1) and to go on (SIGUSR2) when no question is being answered.
The child pauses only at a safe point, between two small embedding batches, where it holds no lock
on the store: a child stopped inside a write would hold the store's sqlite lock (Chroma keeps a
rollback journal), and the question would wait for it. A pause lasts at most `MAX_PAUSE` seconds, and
ends when the app is gone, so a child is never left waiting for a parent that cannot wake it.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from pydantic import SecretStr

from assistant.app import App
from assistant.core.settings import Settings
from ingest.pipeline import IngestReport
from ui.upload import UploadOutcome, ingest_uploads

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent  # the checkout, so the child imports the same code


PAUSE, GO_ON = signal.SIGUSR1, signal.SIGUSR2
MAX_PAUSE = 120.0  # seconds a child waits at most for the app to say "go on" (a long answer with a model)
PAUSE_STEP = 2  # passages embedded between two safe points: at about 3 passages/s, a pause starts within ~0.7 s


class PauseSwitch:
    """The app's side: while any question is being answered, every upload child is told to pause."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._busy = 0
        self._children: set[int] = set()

    def add(self, pid: int) -> None:
        """Register a child that has its signal handlers in place; it pauses at once if a question is running."""
        with self._lock:
            self._children.add(pid)
            if self._busy:
                _signal(pid, PAUSE)

    def remove(self, pid: int) -> None:
        """Forget a child (before it is reaped, so its pid is never signalled after reuse)."""
        with self._lock:
            self._children.discard(pid)

    def hold(self) -> None:
        """A question starts: pause every child if it is the first."""
        with self._lock:
            self._busy += 1
            if self._busy == 1:
                for pid in self._children:
                    _signal(pid, PAUSE)

    def release(self) -> None:
        """A question ends: let the children go on if it was the last."""
        with self._lock:
            self._busy -= 1
            if self._busy == 0:
                for pid in self._children:
                    _signal(pid, GO_ON)


def _signal(pid: int, sig: int) -> None:
    """Send a signal to a child that may have just ended."""
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


UPLOADS = PauseSwitch()  # one per app process: the upload children and the questions being answered


class AnswerLock:
    """The lock that serialises answers in the app; holding it pauses the upload children."""

    def __init__(self, switch: PauseSwitch = UPLOADS) -> None:
        self._lock = threading.Lock()
        self.switch = switch

    def __enter__(self) -> AnswerLock:
        self.switch.hold()
        self._lock.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self._lock.release()
        self.switch.release()


class Pause:
    """The child's side: SIGUSR1 asks it to pause and SIGUSR2 to go on; `wait` is called at its safe points."""

    def __init__(self, max_pause: float = MAX_PAUSE) -> None:
        self.paused = False
        self.max_pause = max_pause
        self.waited = 0.0  # seconds spent paused, for the log

    def install(self) -> None:
        """Put the signal handlers in place (before the parent is told the child is ready)."""
        signal.signal(PAUSE, lambda *_: setattr(self, "paused", True))
        signal.signal(GO_ON, lambda *_: setattr(self, "paused", False))

    def wait(self) -> None:
        """Return when told to go on, after `max_pause` seconds, or when the parent is gone."""
        if not self.paused:
            return
        started = time.monotonic()
        parent = os.getppid()
        while self.paused and time.monotonic() - started < self.max_pause and os.getppid() == parent:
            time.sleep(0.01)
        self.waited += time.monotonic() - started


class PausingEmbedder:
    """An embedder that embeds passages in small batches and waits at its pause between them."""

    def __init__(self, inner: Any, pause: Pause, step: int = PAUSE_STEP) -> None:
        self.inner, self.pause, self.step = inner, pause, step

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Return the inner embedder's passage vectors, pausing between batches of `step` when asked."""
        parts = []
        for start in range(0, len(texts), self.step):
            self.pause.wait()
            parts.append(np.asarray(self.inner.embed_passages(list(texts[start : start + self.step])), dtype=np.float32))
        return np.concatenate(parts) if parts else np.empty((0, self.inner.dim), dtype=np.float32)


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


class BackgroundIngester:
    """An ingester with the interface of `ingest.pipeline.Ingester` whose work runs in a low-priority child process.

    The child is a fresh interpreter (`python -m ui.background`), not a multiprocessing fork or spawn: Streamlit
    swaps `__main__` for the page script while it runs, and spawn would run that script again in the child.
    """

    def __init__(self, settings: Settings, switch: PauseSwitch = UPLOADS) -> None:
        self.settings = settings
        self.switch = switch  # questions in this process pause the child
        self.process: subprocess.Popen | None = None  # the running child, if any

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
        done = self._run({"paths": [str(p) for p in paths], "reindex": reindex}, on_file)
        return report_of(done["report"])

    def ingest_uploads(
        self, names: Sequence[str], root: Path, on_file: Callable[[int, int, str], None] | None = None,
    ) -> tuple[list[UploadOutcome], IngestReport | None]:
        """Return what became of the uploads waiting in `root`'s check folder, loaded once and ingested in the child.

        The child does what `ui.upload.ingest_uploads` does in-process; the app's own process never reads them.
        """
        done = self._run({"uploads": list(names), "root": str(root), "reindex": False}, on_file)
        outcomes = [UploadOutcome(**o) for o in done["outcomes"]]
        return outcomes, report_of(done["report"]) if done["report"] is not None else None

    def _run(self, job: dict[str, Any], on_file: Callable[[int, int, str], None] | None) -> dict[str, Any]:
        """Return the child's "done" message for the job; IngestFailed when the child fails or dies."""
        secrets = {name for name, field in Settings.model_fields.items() if field.annotation is SecretStr}
        job = {"settings": self.settings.model_dump(mode="json", exclude=secrets), **job}
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
        self.process = child = subprocess.Popen(
            [sys.executable, "-m", "ui.background"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            text=True, encoding="utf-8", env=env, cwd=ROOT,
        )
        try:
            child.stdin.write(json.dumps(job))
            child.stdin.close()
            for line in child.stdout:  # one JSON message per line
                message = json.loads(line)
                if "ready" in message:  # its signal handlers are in place: questions may pause it now
                    self.switch.add(child.pid)
                elif "file" in message and on_file is not None:
                    on_file(*message["file"])
                elif "error" in message:
                    raise IngestFailed(message["error"])
                elif "done" in message:
                    return message["done"]
            raise IngestFailed(f"innlesingen stoppet uventet (prosessen endte med kode {child.wait()})")
        finally:
            self.switch.remove(child.pid)
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
            self.process = None


def report_of(data: dict[str, Any]) -> IngestReport:
    """Return the IngestReport a child sent as JSON."""
    return IngestReport(**{**data, "skipped": [tuple(item) for item in data["skipped"]]})


def main() -> None:
    """The child: read the job from stdin, ingest at the lowest priority, write progress and the report as JSON lines."""
    out = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)  # whatever the libraries print goes to stderr, never into the messages

    def send(**message: object) -> None:
        out.write(json.dumps(message, ensure_ascii=False) + "\n")

    logging.basicConfig(level=logging.WARNING, format="upload-ingest: %(message)s")
    lowest_priority()  # before the model loads, so its threads inherit the priority
    pause = Pause()
    pause.install()
    send(ready=True)
    job = json.loads(sys.stdin.read())
    try:
        settings = Settings.model_validate(job["settings"])  # without the secrets: ingestion needs none
        embedder = PausingEmbedder(App(settings).embedder, pause)  # the root's embedder, paused between batches
        ingester = App(settings, embedder).ingester(job["reindex"])
        on_file = lambda done, total, source: send(file=[done, total, source])  # noqa: E731
        if "uploads" in job:  # loaded once, here: checked, placed and ingested
            outcomes, report = ingest_uploads(ingester, job["uploads"], Path(job["root"]), on_file)
        else:
            outcomes, report = [], ingester.ingest([Path(p) for p in job["paths"]], reindex=job["reindex"],
                                                   progress=False, on_file=on_file)
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which shows it to the user
        log.exception("upload ingestion failed")
        send(error=f"{type(exc).__name__}: {exc}")
        sys.exit(1)
    if pause.waited:
        log.info("paused %.1f s for questions", pause.waited)
    send(done={"report": dataclasses.asdict(report) if report is not None else None,
               "outcomes": [dataclasses.asdict(o) for o in outcomes]})


if __name__ == "__main__":
    main()
