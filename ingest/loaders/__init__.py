"""One loader per file format, chosen by suffix: each turns a file's bytes into a title and pages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ingest.loaders.base import Loaded
from ingest.loaders.html import load_html
from ingest.loaders.pdf import load_pdf
from ingest.loaders.text import load_md, load_txt

Loader = Callable[[Path, bytes], Loaded]

LOADERS: dict[str, Loader] = {
    ".pdf": load_pdf,
    ".txt": load_txt,
    ".md": load_md,
    ".html": load_html,
    ".htm": load_html,
}
