"""Documents added from the UI: checked, saved beside (never inside) the corpus, and ingested."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.load import LoadError, load_document
from ingest.pipeline import prepare

if TYPE_CHECKING:
    from ingest.pipeline import Ingester, IngestReport

ALLOWED = (".pdf", ".txt", ".md", ".html", ".htm")
FOLDER = "opplastet"  # uploads are ingested from data_dir/uploads, so their sources read "opplastet/<file>"


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
    """Return a file name safe to store: no folders, no control characters, æøå kept."""
    name = unicodedata.normalize("NFC", Path(name.replace("\\", "/")).name)
    name = re.sub(r"[^\w.\- ]+", "_", name).strip(" .")
    return name or "dokument"


def check_upload(name: str, data: bytes, max_mb: int) -> None:
    """Raise UploadRejected when the file's type, size or emptiness makes it unusable."""
    suffix = Path(name).suffix.lower()
    if suffix not in ALLOWED:
        raise UploadRejected(f"{name}: filtypen {suffix or '(ingen)'} støttes ikke. Bruk PDF, txt, md eller html.")
    if not data:
        raise UploadRejected(f"{name}: filen er tom.")
    if len(data) > max_mb * 1024 * 1024:
        raise UploadRejected(f"{name}: filen er {len(data) / 1024 / 1024:.1f} MB; største tillatte størrelse er {max_mb} MB.")


def _validate_document(path: Path, source: str) -> None:
    """Raise UploadRejected unless the file loads and keeps some text after cleaning."""
    try:
        doc = prepare(load_document(path, source))
    except LoadError as exc:
        raise UploadRejected(f"{path.name}: {exc.reason}") from exc
    if not any(page.text.strip() for page in doc.pages):
        raise UploadRejected(f"{path.name}: ingen tekst å hente ut (skannet PDF uten tekstlag?).")


def add_uploads(
    files: list[tuple[str, bytes]],
    ingester: Ingester,
    on_progress: Callable[[float, str], None] = lambda *_: None,
) -> tuple[list[UploadOutcome], IngestReport | None]:
    """Return what became of each (name, bytes) upload after checking, saving and ingesting the good ones.

    A bad file is refused before it is stored, so it never replaces a good file of the same name and
    nothing already ingested is touched.
    """
    root = ingester.settings.uploads_dir()
    incoming = root / ".incoming"  # discover() skips dot-folders
    incoming.mkdir(parents=True, exist_ok=True)
    outcomes: list[UploadOutcome] = []
    accepted: dict[str, str] = {}
    for i, (raw_name, data) in enumerate(files):
        name = safe_name(raw_name)
        on_progress(0.3 * i / max(len(files), 1), f"Sjekker {name} …")
        tmp = incoming / name
        try:
            check_upload(name, data, ingester.settings.max_file_mb)
            tmp.write_bytes(data)
            _validate_document(tmp, f"{FOLDER}/{name}")
        except UploadRejected as exc:
            outcomes.append(UploadOutcome(name, False, str(exc)))
            tmp.unlink(missing_ok=True)
            continue
        target = root / FOLDER / name
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp.replace(target)
        accepted[f"{FOLDER}/{name}"] = name
    if not accepted:
        return outcomes, None

    def progressed(done: int, total: int, source: str) -> None:
        on_progress(0.3 + 0.6 * done / max(total, 1), f"Leser inn {source} ({done}/{total}) …")

    report = ingester.ingest([root], progress=False, on_file=progressed)
    on_progress(1.0, "Ferdig")
    skipped = dict(report.skipped)
    for source, name in accepted.items():
        if source in skipped:
            outcomes.append(UploadOutcome(name, False, f"{name}: {skipped[source]}"))
        elif source in report.file_chunks:
            chunks = report.file_chunks[source]
            outcomes.append(UploadOutcome(name, True, f"{name} er lagt inn ({chunks} tekstbiter).", chunks))
        else:
            outcomes.append(UploadOutcome(name, True, f"{name} var allerede lagt inn uendret."))
    return outcomes, report
