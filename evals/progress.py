"""A rich progress bar with ETA for long evaluation steps; silent when stderr is not a terminal."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

if TYPE_CHECKING:
    from rich.console import Console


@contextmanager
def progress_bar(
    total: int, description: str, enabled: bool | None = None, console: Console | None = None
) -> Iterator[Callable[..., None]]:
    """Yield an advance(n=1, current="") function that moves a bar of `total` steps (a no-op when disabled).

    `enabled=None` shows the bar only when the console (default: stderr) is a terminal, so CI logs and
    pipes stay clean.
    """
    if console is None:

        console = Console(stderr=True)
    if enabled is None:
        enabled = console.is_terminal
    if not enabled or total <= 0:
        yield lambda n=1, current="": None
        return

    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        TextColumn("[dim]{task.fields[current]}"),
        console=console,
    ) as bar:
        task = bar.add_task(description, total=total, current="")

        def advance(n: int = 1, current: str = "") -> None:
            bar.update(task, advance=n, current=current)

        yield advance
