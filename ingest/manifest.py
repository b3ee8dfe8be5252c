"""The corpus manifest: one JSON entry per document with its title, kommuner, year, type and source."""

from __future__ import annotations

import json
import logging
from pathlib import Path, PurePosixPath
from typing import Any

log = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.json"
DOC_TYPES: frozenset[str] = frozenset({"bærekraftsrapport", "plan", "presentasjon", "rapport", "nettside", "annet"})
REQUIRED_KEYS: tuple[str, ...] = ("file", "title", "kommuner", "fylke", "year", "doc_type", "publisher", "source")
OPTIONAL_KEYS: tuple[str, ...] = ("notes",)  # other extra keys are kept as they are, for later stages
_STRING_KEYS = ("file", "title", "fylke", "doc_type", "publisher", "source")


class ManifestError(ValueError):
    """A manifest.json that cannot be used: its message names the file, the entry and the problem."""


class _MissingFile(ManifestError):
    """An entry whose file does not exist."""


def load_manifest(root: Path, require_files: bool = True) -> dict[str, dict[str, Any]]:
    """Return the manifest under ``root`` as {relative POSIX path: entry}; {} when there is no manifest.json.

    With ``require_files=False`` an entry whose file is gone is logged and left out instead of raising
    (for an ingest run after a file was deleted but before the manifest was edited); every other
    problem still raises ManifestError.
    """
    path = Path(root) / MANIFEST_NAME
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ManifestError(f"{path}: cannot be read as JSON ({exc})") from exc
    if not isinstance(data, list):
        raise ManifestError(f"{path}: expected a JSON list of entries, got {type(data).__name__}")
    entries: dict[str, dict[str, Any]] = {}
    for index, entry in enumerate(data):
        try:
            key = _validate(path, index, entry)
        except _MissingFile as exc:
            if require_files:
                raise
            log.warning("%s", exc)
            continue
        if key in entries:
            raise ManifestError(f"{path}: entry {index} ({key!r}): file listed twice")
        entries[key] = dict(entry)
    return entries


def _validate(path: Path, index: int, entry: Any) -> str:
    """Return the entry's normalised file key, raising ManifestError on the first problem found."""
    def fail(problem: str, kind: type[ManifestError] = ManifestError) -> ManifestError:
        label = f"entry {index}"
        if isinstance(entry, dict) and isinstance(entry.get("file"), str):
            label += f" ({entry['file']!r})"
        return kind(f"{path}: {label}: {problem}")

    if not isinstance(entry, dict):
        raise fail(f"expected an object, got {type(entry).__name__}")
    missing = [k for k in REQUIRED_KEYS if k not in entry]
    if missing:
        raise fail(f"missing required key(s): {', '.join(missing)}")
    for k in _STRING_KEYS:
        if not isinstance(entry[k], str) or not entry[k].strip():
            raise fail(f"{k!r} must be a non-empty string")
    if "notes" in entry and not isinstance(entry["notes"], str):
        raise fail("'notes' must be a string")
    if not isinstance(entry["kommuner"], list) or not all(isinstance(k, str) and k.strip() for k in entry["kommuner"]):
        raise fail("'kommuner' must be a list of kommune names ([] for regional documents)")
    if isinstance(entry["year"], bool) or not isinstance(entry["year"], int):
        raise fail(f"'year' must be an integer, got {entry['year']!r}")
    if entry["doc_type"] not in DOC_TYPES:
        raise fail(f"'doc_type' {entry['doc_type']!r} is not one of {', '.join(sorted(DOC_TYPES))}")

    rel = PurePosixPath(entry["file"].replace("\\", "/"))
    if rel.is_absolute() or ".." in rel.parts or not rel.parts:
        raise fail("'file' must be a path relative to the corpus folder")
    if any(part.startswith((".", "_")) for part in rel.parts) or rel.as_posix() == MANIFEST_NAME:
        raise fail("'file' is in a path that ingestion skips (a part starting with '_' or '.')")
    if not (path.parent / rel).is_file():
        raise fail(f"file does not exist: {path.parent / rel}", _MissingFile)
    return rel.as_posix()
