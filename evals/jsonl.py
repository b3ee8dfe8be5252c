"""JSON-lines files that survive interruption: torn last lines are skipped on read and closed before appending."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO


def read_rows(path: Path) -> list[dict[str, Any]]:
    """Return the JSON objects of the file, one per line (a torn last line from an interrupted run is ignored)."""
    path = Path(path)
    if not path.exists():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return rows


def open_append(path: Path) -> TextIO:
    """Return the file opened for appending, after ending a line torn by an interrupted run."""
    path = Path(path)
    if path.exists() and path.stat().st_size:
        with path.open("rb+") as fh:  # only the last byte is read, however long the file
            fh.seek(-1, 2)
            if fh.read(1) != b"\n":
                fh.write(b"\n")
    return path.open("a", encoding="utf-8")


def write_line(fh: TextIO, row: Mapping[str, Any]) -> None:
    """Write one object as a JSON line and flush it to disk's buffer at once."""
    fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    fh.flush()
