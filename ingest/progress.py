"""The progress bar of an ingest run in the terminal: files done, files and passages per second, the file at work."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)


@contextmanager
def progress_bar(enabled: bool, total: int) -> Iterator[Callable[..., None]]:
    """Yield an update(advance=..., chunks=..., now=...) function drawing a rich progress bar.

    It shows files done, files and chunks per second, and `now`: what a large file is going through.
    """
    if not enabled or total == 0:
        yield lambda **_: None
        return

    started = time.perf_counter()
    with Progress(
        TextColumn("[bold]Ingest"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rates]}"),
        TimeElapsedColumn(),
        TextColumn("{task.fields[now]}"),
        transient=False,
    ) as bar:
        task = bar.add_task("ingest", total=total, rates="", now="")
        done = {"files": 0, "chunks": 0}

        def update(advance: int = 0, chunks: int = 0, now: str = "") -> None:
            done["files"] += advance
            done["chunks"] += chunks
            elapsed = max(time.perf_counter() - started, 1e-6)
            rates = f"{done['files'] / elapsed:.1f} filer/s · {done['chunks'] / elapsed:.1f} biter/s"
            bar.update(task, advance=advance, rates=rates, now=now)

        yield update
