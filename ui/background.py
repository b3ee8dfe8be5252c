"""Ingestion in a child process at the lowest CPU priority, so that an upload takes only the CPU answering leaves.

An upload ingested in a thread of the app's own process competes with every question for the two cores
and for Python's GIL. The child runs the product's own ingester (`App(settings).ingester()`) under
SCHED_IDLE (nice 19 where that is not available), and a crash or kill there leaves the app running. The
app sees what the child wrote on its next search, as for `assistant ingest` run beside it (the store's
write generation). `python -m evals.bench_deploy` measures questions asked during an upload: p95
1.37 s with the thread, 1.02 s with the child; the median (about 0.9 s against 0.4 s without an upload)
did not move, so most of what remains is not the ingesting CPU (see the README, "The running app").
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from pydantic import SecretStr

from assistant.app import App
from assistant.core.settings import Settings
from ingest.pipeline import IngestReport

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent  # the checkout, so the child imports the same code


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

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
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
        secrets = {name for name, field in Settings.model_fields.items() if field.annotation is SecretStr}
        job = {"settings": self.settings.model_dump(mode="json", exclude=secrets), "paths": [str(p) for p in paths], "reindex": reindex}
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
                if "file" in message and on_file is not None:
                    on_file(*message["file"])
                elif "error" in message:
                    raise IngestFailed(message["error"])
                elif "done" in message:
                    report = message["done"]
                    report["skipped"] = [tuple(item) for item in report["skipped"]]
                    return IngestReport(**report)
            raise IngestFailed(f"innlesingen stoppet uventet (prosessen endte med kode {child.wait()})")
        finally:
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
            self.process = None


def main() -> None:
    """The child: read the job from stdin, ingest at the lowest priority, write progress and the report as JSON lines."""
    out = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)  # whatever the libraries print goes to stderr, never into the messages

    def send(**message: object) -> None:
        out.write(json.dumps(message, ensure_ascii=False) + "\n")

    logging.basicConfig(level=logging.WARNING, format="upload-ingest: %(message)s")
    lowest_priority()  # before the model loads, so its threads inherit the priority
    job = json.loads(sys.stdin.read())
    try:
        settings = Settings.model_validate(job["settings"])  # without the secrets: ingestion needs none
        report = App(settings).ingester(job["reindex"]).ingest(
            [Path(p) for p in job["paths"]], reindex=job["reindex"], progress=False,
            on_file=lambda done, total, source: send(file=[done, total, source]),
        )
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which shows it to the user
        log.exception("upload ingestion failed")
        send(error=f"{type(exc).__name__}: {exc}")
        sys.exit(1)
    send(done=dataclasses.asdict(report))


if __name__ == "__main__":
    main()
