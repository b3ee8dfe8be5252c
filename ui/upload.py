"""Documents added from the UI: checked, saved beside (never inside) the corpus, and ingested."""

from __future__ import annotations

import logging
import re
import threading
import time
import unicodedata
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.services.uploads import CHECK_FOLDER, UPLOAD_FOLDER, Waiting
from ingest.load import LoadError, load_document
from ingest.pipeline import prepare

if TYPE_CHECKING:
    from assistant.core.models import Document
    from ingest.pipeline import Ingester, IngestReport
    from ui.background import BackgroundIngester

log = logging.getLogger(__name__)

ALLOWED = (".pdf", ".txt", ".md", ".html", ".htm")
FOLDER = UPLOAD_FOLDER  # uploads are ingested from data_dir/uploads, so their sources read "opplastet/<file>"


class UploadRejected(ValueError):
    """An upload that was refused, with the reason in the user's words."""


@dataclass
class UploadOutcome:
    """What became of one uploaded file."""

    name: str
    ok: bool
    message: str
    chunks: int = 0


def safe_name(name: str) -> str:
    """Return a file name safe to store: no folders, no control characters, æøå kept.

    It never starts with `_` or `.`: ingestion skips such names (private and hidden files), so
    "(Kopi) rapport.pdf" becomes "Kopi_ rapport.pdf", not "_Kopi_ rapport.pdf".
    """
    name = unicodedata.normalize("NFC", Path(name.replace("\\", "/")).name)
    name = re.sub(r"_{2,}", "_", re.sub(r"[^\w.\- ]+", "_", name)).strip(" ")
    suffix = re.search(r"\.\w{1,5}$", name)
    suffix = suffix.group(0) if suffix else ""
    stem = name[: len(name) - len(suffix)].strip("_. -")[:150].rstrip("_. -")  # file systems allow 255 bytes
    return (stem or "dokument") + suffix.lower() if suffix else (stem or "dokument")


def unique_name(name: str, taken: set[str]) -> str:
    """Return the name, numbered ("plan-2.txt") when another file of the same upload has it; record it as taken."""
    stem, suffix = Path(name).stem, Path(name).suffix
    candidate, n = name, 1
    while candidate.casefold() in taken:
        n += 1
        candidate = f"{stem}-{n}{suffix}"
    taken.add(candidate.casefold())
    return candidate


def check_upload(name: str, data: bytes, max_mb: int) -> None:
    """Raise UploadRejected when the file's type, size or emptiness makes it unusable."""
    suffix = Path(name).suffix.lower()
    if suffix not in ALLOWED:
        raise UploadRejected(f"{name}: filtypen {suffix or '(ingen)'} støttes ikke. Bruk PDF, txt, md eller html.")
    if not data:
        raise UploadRejected(f"{name}: filen er tom.")
    if len(data) > max_mb * 1024 * 1024:
        raise UploadRejected(f"{name}: filen er {len(data) / 1024 / 1024:.1f} MB; største tillatte størrelse er {max_mb} MB.")


def load_checked(path: Path, source: str) -> Document:
    """Return the upload loaded and cleaned (the one load it gets); UploadRejected when it has no usable text."""
    try:
        doc = prepare(load_document(path, source))
    except LoadError as exc:
        raise UploadRejected(f"{path.name}: {exc.reason}") from exc
    if not any(page.text.strip() for page in doc.pages):
        raise UploadRejected(f"{path.name}: ingen tekst å hente ut (skannet PDF uten tekstlag?).")
    return doc


def ingest_uploads(
    ingester: Ingester, names: Sequence[str], root: Path, on_file: Callable[[int, int, str], None] | None = None,
) -> tuple[list[UploadOutcome], IngestReport | None]:
    """Return what became of the files waiting in the check folder: each loaded once, the good ones placed and ingested.

    Runs in the process that ingests (the app's upload child, or this one for an in-process Ingester): a
    file that does not load is refused and removed before it is placed, so it never replaces a good file
    of the same name; the documents that load are handed to the ingester as loaded, not read again.
    """
    outcomes: list[UploadOutcome] = []
    accepted: dict[str, str] = {}
    loaded: dict[Path, Document] = {}
    for name in names:
        tmp, source = root / CHECK_FOLDER / name, f"{FOLDER}/{name}"
        try:
            doc = load_checked(tmp, source)
        except UploadRejected as exc:
            outcomes.append(UploadOutcome(name, False, str(exc)))
            tmp.unlink(missing_ok=True)
            continue
        target = root / FOLDER / name
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp.replace(target)
        doc.path = target
        loaded[target.resolve()] = doc
        accepted[source] = name
    if not accepted:
        return outcomes, None
    report = ingester.ingest([root], progress=False, on_file=on_file, preloaded=loaded)
    return outcomes + outcomes_of(accepted, report), report


def add_uploads(
    files: list[tuple[str, bytes]],
    ingester: Ingester | BackgroundIngester,
    root: Path,
    max_mb: int,
    on_progress: Callable[[float, str], None] = lambda *_: None,
) -> tuple[list[UploadOutcome], IngestReport | None]:
    """Return what became of each (name, bytes) upload after checking, saving and ingesting the good ones.

    Here only the file's type, size and emptiness are checked before it is saved in the check folder of
    the upload folder `root`; loading it is the ingesting process's work (`ingest_uploads`: in the app,
    the background child), so a file is read once, never in the app's own process.
    """
    incoming = root / CHECK_FOLDER  # discover() skips dot-folders
    incoming.mkdir(parents=True, exist_ok=True)
    outcomes: list[UploadOutcome] = []
    saved: list[str] = []
    taken: set[str] = set()
    for raw_name, data in files:
        name = unique_name(safe_name(raw_name), taken)
        try:
            check_upload(name, data, max_mb)
        except UploadRejected as exc:
            outcomes.append(UploadOutcome(name, False, str(exc)))
            continue
        (incoming / name).write_bytes(data)
        saved.append(name)
    if not saved:
        return outcomes, None

    def progressed(done: int, total: int, source: str) -> None:
        on_progress(0.05 + 0.9 * done / max(total, 1), f"Leser inn {source} ({done}/{total}) …")

    on_progress(0.05, f"Sjekker og leser inn {len(saved)} fil{'er' if len(saved) > 1 else ''} …")  # shown while it runs
    run = getattr(ingester, "ingest_uploads", None)  # a BackgroundIngester does it in its child
    found, report = run(saved, root, progressed) if run else ingest_uploads(ingester, saved, root, progressed)
    on_progress(1.0, "Ferdig")
    return outcomes + found, report


def outcomes_of(accepted: dict[str, str], report: IngestReport) -> list[UploadOutcome]:
    """Return what the ingest run did with each accepted file (source -> name); never "done" for one it did not see."""
    skipped = dict(report.skipped)
    outcomes = []
    for source, name in accepted.items():
        if source in skipped:
            outcomes.append(UploadOutcome(name, False, f"{name}: {skipped[source]}"))
        elif source in report.file_chunks:
            chunks = report.file_chunks[source]
            outcomes.append(UploadOutcome(name, True, f"{name} er lagt inn ({chunks} tekstbiter).", chunks))
        elif source in report.unchanged:
            outcomes.append(UploadOutcome(name, True, f"{name} var allerede lagt inn uendret."))
        else:  # never claim a file is in when the run did not see it
            outcomes.append(UploadOutcome(name, False, f"{name} ble lagret, men ikke lagt inn. Den ligger i "
                                                       "opplastingsmappen og legges inn neste gang appen starter, "
                                                       "eller med `assistant ingest`."))
    return outcomes


def resume_uploads(
    waiting: list[Waiting],
    leftovers: list[Path],
    ingester: Ingester | BackgroundIngester,
    root: Path,
    on_progress: Callable[[float, str], None] = lambda *_: None,
) -> list[UploadOutcome]:
    """Return what became of the uploads a crash left behind: the waiting ones ingested, unchecked leftovers removed.

    A waiting file was accepted and saved but not (fully) ingested; the upload folder is ingested as an
    upload does. A leftover was still being checked, so it was never accepted: it is removed and named.
    """
    outcomes = []
    for path in leftovers:
        path.unlink(missing_ok=True)
        outcomes.append(UploadOutcome(path.name, False, f"{path.name} ble ikke ferdig sjekket før appen stoppet, "
                                                        "og er ikke lagret. Last den opp igjen."))
    if not waiting:
        return outcomes

    def progressed(done: int, total: int, source: str) -> None:
        on_progress(0.05 + 0.9 * done / max(total, 1), f"Leser inn {source} ({done}/{total}) …")

    on_progress(0.05, f"Leser inn {len(waiting)} fil{'er' if len(waiting) > 1 else ''} …")
    report = ingester.ingest([root], progress=False, on_file=progressed)
    on_progress(1.0, "Ferdig")
    return outcomes + outcomes_of({w.source: w.name for w in waiting}, report)


@dataclass
class UploadJob:
    """Uploads being checked and ingested in a background thread, with progress the page polls."""

    names: list[str]
    share: float = 0.0
    text: str = "Venter på tur …"
    outcomes: list[UploadOutcome] = field(default_factory=list)
    finished: bool = False
    started: float = field(default_factory=time.monotonic)
    thread: threading.Thread | None = None
    intro: str = ""  # what the job is doing, for a job the app started itself
    ended: float | None = None  # time.monotonic() when it finished

    def progress(self, share: float, text: str) -> None:
        """Record how far the job has come (called from the job's thread)."""
        self.share, self.text = min(max(share, 0.0), 1.0), text


def start_upload_job(
    files: list[tuple[str, bytes]], ingester: Ingester | BackgroundIngester, ingest_lock: AbstractContextManager,
    root: Path, max_mb: int,
) -> UploadJob:
    """Return a started job that checks, saves and ingests the uploads in a thread of its own.

    Ingestion never holds the lock that answers take, so questions are answered while it runs (the app
    passes a BackgroundIngester, whose low-priority child process leaves the CPU to answering);
    writes to the store are serialised by `ingest_lock` (one ingest job at a time per process).
    A failure is reported on the job, never as a success, and changes nothing already ingested.
    """
    job = UploadJob([safe_name(name) for name, _ in files])
    return _run(job, lambda: add_uploads(files, ingester, root, max_mb, job.progress)[0], ingest_lock)


def start_resume_job(
    waiting: list[Waiting], leftovers: list[Path], ingester: Ingester | BackgroundIngester,
    ingest_lock: AbstractContextManager, root: Path,
) -> UploadJob:
    """Return a started job that ingests the uploads a crash left waiting (see `resume_uploads`), as an upload job."""
    names = [w.name for w in waiting]
    intro = (f"Fant {len(names)} opplastet{'e' if len(names) > 1 else ''} fil{'er' if len(names) > 1 else ''} som "
             f"ikke ble lagt inn før appen stoppet: {', '.join(names)}. Legger {'dem' if len(names) > 1 else 'den'} "
             "inn nå." if names else "")
    job = UploadJob(names, intro=intro)
    return _run(job, lambda: resume_uploads(waiting, leftovers, ingester, root, job.progress), ingest_lock)


def _run(job: UploadJob, work: Callable[[], list[UploadOutcome]], ingest_lock: AbstractContextManager) -> UploadJob:
    """Start the job's work in a thread of its own under the ingest lock; a failure is reported on the job."""

    def run() -> None:
        try:
            with ingest_lock:
                job.outcomes = work()
        except Exception as exc:  # noqa: BLE001 - shown to the user instead of a traceback
            log.exception("upload ingestion failed")
            done = {o.name for o in job.outcomes}
            job.outcomes += [
                UploadOutcome(name, False, f"{name} ble ikke lagt inn: innlesingen stoppet ({exc}). "
                                           "Det som var lagt inn fra før, er uendret.")
                for name in job.names if name not in done
            ]
        finally:
            job.ended = time.monotonic()
            job.finished = True

    job.thread = threading.Thread(target=run, name="upload-ingest", daemon=True)
    job.thread.start()
    return job
