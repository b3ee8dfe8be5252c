"""The upload folder as a durable queue: what the app accepted stays there until the store holds it.

The app saves an accepted upload in `data/uploads/opplastet/` before it ingests it, so a crash (even
`kill -9`) between the two leaves the file in the folder. Such a file is "waiting": the store lacks
it, holds only part of it, or holds another version. The app ingests waiting files when it starts,
`assistant ingest` reads the upload folder with the corpus, and `assistant status` lists them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.core.files import file_sha256
from ingest.pipeline import discover, unique_sources

if TYPE_CHECKING:
    from assistant.index.protocol import SourceState

UPLOAD_FOLDER = "opplastet"  # under data_dir/uploads, so the sources of uploads read "opplastet/<file>"
CHECK_FOLDER = ".incoming"  # uploads being checked, not yet accepted (ingestion skips dot-folders)


@dataclass(frozen=True)
class Waiting:
    """An uploaded file the store does not hold as it is: its source name, its path, and why it waits."""

    source: str
    path: Path
    why: str

    @property
    def name(self) -> str:
        """Return the file's name."""
        return self.path.name


def upload_targets(uploads_dir: Path) -> list[Path]:
    """Return the upload folder to ingest alongside the corpus (the folder holding `opplastet/`), or [] when none."""
    return [uploads_dir] if (uploads_dir / UPLOAD_FOLDER).is_dir() else []


def default_targets(corpus_dir: Path, uploads_dir: Path) -> list[Path]:
    """Return what `assistant ingest` reads when given no paths: the corpus folder, and the upload folder if there is one."""
    return [corpus_dir, *upload_targets(uploads_dir)]


def waiting_uploads(uploads_dir: Path, states: Mapping[str, SourceState]) -> list[Waiting]:
    """Return the files in the upload folder that the store (its per-file `states`) does not hold as they are.

    Source names are given as ingestion gives them (`unique_sources`), and a file the store knows by
    its path under another name counts as held.
    """
    targets = upload_targets(uploads_dir)
    if not targets:
        return []
    by_path = {state.path: state for state in states.values() if state.path}
    waiting = []
    for task in unique_sources(discover(targets), states):
        state = states.get(task.source) or by_path.get(str(task.path.resolve()))
        if state is None:
            why = "ikke lagt inn"
        elif not state.complete:
            why = "bare delvis lagt inn"
        elif state.content_hash != file_sha256(task.path):
            why = "en nyere versjon er ikke lagt inn"
        else:
            continue
        waiting.append(Waiting(task.source, task.path, why))
    return waiting


def unfinished_checks(uploads_dir: Path) -> list[Path]:
    """Return the files a crash left in the check folder before they were accepted (they were never stored)."""
    folder = uploads_dir / CHECK_FOLDER
    return sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []


def describe(waiting: list[Waiting]) -> str:
    """Return the waiting files as one line for people: "opplastet/a.pdf (ikke lagt inn), …"."""
    return ", ".join(f"{w.source} ({w.why})" for w in waiting)
