"""What the command line prints: the consoles, errors with their exit status, answers and passages.

The JSON forms of answers and passages are `Answer.to_dict()` and `Chunk.to_dict()` (shared with evals and feedback).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.markup import escape

from assistant.core.models import Answer
from assistant.core.settings import Settings
from assistant.index.store import StoreError

console = Console()
err = Console(stderr=True)

EXIT_SKIPPED, EXIT_ERROR, EXIT_SERVER = 1, 2, 3


def fail(message: str, code: int = 2) -> None:
    """Print an error the user can act on and exit with the code (the message is printed as written, never as markup)."""
    err.print(f"[bold red]Feil:[/] {escape(message)}", highlight=False)
    raise typer.Exit(code)


def reachable(host: str, port: int) -> bool:
    """Return True when something accepts a TCP connection at host:port within a second."""
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


def connection_lost(exc: BaseException) -> bool:
    """Return True when the exception (or one it came from) is a broken or refused network connection."""
    import httpx

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, (httpx.TransportError, ConnectionError)):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def server_gone(settings: Settings, doing: str) -> None:
    """Exit with status 3 and say that the Chroma server does not answer, and what to do."""
    where = f"{settings.chroma_host}:{settings.chroma_port}"
    fail(
        f"Chroma-serveren på {where} svarer ikke{doing}. Start den igjen (`chroma run --path DIR --port "
        f"{settings.chroma_port}`) og kjør kommandoen på nytt, eller fjern ASSISTANT_CHROMA_HOST for å bruke "
        "det innebygde lageret.",
        EXIT_SERVER,
    )


@contextmanager
def chroma_server(settings: Settings, doing: str = "") -> Iterator[None]:
    """Turn a Chroma server that cannot be reached, or goes away mid-command, into a message and exit status 3.

    Any other store error (a damaged store, another embedder's store) becomes its message and exit status 2.
    """
    try:
        yield
    except typer.Exit:
        raise
    except StoreError as exc:
        if settings.chroma_host and (connection_lost(exc) or not reachable(settings.chroma_host, settings.chroma_port)):
            server_gone(settings, doing)
        fail(str(exc))
    except Exception as exc:
        if settings.chroma_host and connection_lost(exc):
            server_gone(settings, " lenger (forbindelsen brøt)" + doing)
        raise


def print_sources(answer) -> None:
    """Print the citations of an answer, or the closest passages of a refusal."""
    if answer.refused:
        if answer.passages:
            console.print("[bold]Det nærmeste jeg fant:[/]")
        for p in answer.passages[:3]:
            where = f", side {p.page}" if p.page else ""
            console.print(f"  • {escape(p.title)}{where}: [dim]{escape(p.text.strip()[:200])}…[/]", highlight=False)
        return
    for c in answer.citations:
        where = f", side {c.page}" if c.page else ""
        mark = "" if c.supported else " [red](ikke bekreftet av kilden)[/]"
        console.print(f"  [bold cyan]\\[{c.n}][/] {escape(c.chunk.title)}{where} ({escape(c.source)}){mark}", highlight=False)
        console.print(f"      «{c.quote}»", style="dim", highlight=False, markup=False)
    for sentence in answer.unsupported:  # what the model said that no source backs: never part of the answer
        console.print(f"  [red]Holdt tilbake, uten støtte i kildene:[/] {escape(sentence)}", highlight=False)
    for note in answer.notes:
        console.print(f"  [yellow]{escape(note)}[/]", highlight=False)
    if answer.translation:
        console.print(f"  [dim]{escape(answer.translation)}[/]", highlight=False)


def stream_to_console(bot, question: str, history, filters) -> object:
    """Print the answer as it streams and return the final Answer."""
    final = None
    for item in bot.stream(question, history, filters):
        if isinstance(item, Answer):
            final = item
        else:
            console.print(item, end="", highlight=False, markup=False)
    console.print()
    return final

