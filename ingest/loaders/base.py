"""What every loader shares: the error it raises, what it returns, and how a title is guessed from text."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from assistant.core.models import Page

# One logger for all loading, so that callers (and tests) configure it by the name they import from.
log = logging.getLogger("ingest.load")

MAX_TITLE_CHARS = 150


class LoadError(Exception):
    """A file that cannot be loaded; ``reason`` is a short human reason (Norwegian)."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path.name}: {reason}")


@dataclass
class Loaded:
    """What a format's loader read from a file: its title, its pages, and how much hidden text it left out."""

    title: str
    pages: list[Page]
    hidden_chars: int = 0  # characters (not counting white space) a reader never sees, dropped by the loader


def count_chars(text: str) -> int:
    """Return how many characters the text has, white space not counted (the unit of `hidden_chars`)."""
    return sum(1 for ch in text if not ch.isspace())


def first_heading_like_line(text: str) -> str:
    """Return the first non-empty line when it looks like a title (short, not a sentence), else ''."""
    for line in text.splitlines():
        line = " ".join(line.split())
        if not line:
            continue
        looks_like_title = (
            len(line) <= MAX_TITLE_CHARS
            and any(ch.isalpha() for ch in line)
            and not line.endswith((".", ",", ";", ":"))
            and not line.startswith(("•", "-", "*", "–"))
        )
        return line if looks_like_title else ""
    return ""


def short(exc: BaseException) -> str:
    """Return a one-line description of an exception."""
    message = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {message}"[:160] if message else type(exc).__name__
