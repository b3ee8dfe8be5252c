"""The `assistant` command line: ingest, search, status, ask, chat and app, each a thin call into the library."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
from collections.abc import Callable
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.logging import RichHandler
from rich.markup import escape
from rich.table import Table

from assistant.app import LLM_CHOICES, App
from assistant.cli import serve
from assistant.cli.kommune import kommune as kommune_command
from assistant.cli.models import models_app
from assistant.cli.output import (  # the exit statuses are part of the command line's interface
    EXIT_ERROR,
    EXIT_SERVER,
    EXIT_SKIPPED,
    chroma_server,
    console,
    err,
    fail,
    print_sources,
    stream_to_console,
)
from assistant.core.access import hash_password, is_loopback
from assistant.core.kommuner import lookup
from assistant.core.settings import get_settings
from assistant.index.embed import EmbedderUnavailable
from assistant.index.store import EmbedderMismatch, StoreError
from assistant.llm.base import LLMUnavailable
from assistant.services.catalog import build_catalog
from assistant.services.uploads import default_targets, describe, waiting_uploads
from ingest.manifest import ManifestError

app = typer.Typer(
    help="Bærekraftsassistenten: spør kommunale bærekraftsdokumenter, med kilder. "
    "Local, private retrieval over Norwegian municipal sustainability documents.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _app() -> App:
    """Return the composition root over settings from the environment (built on demand, never at import)."""
    return App(get_settings())


def _setup_logging(verbose: bool) -> None:
    """Send warnings (or everything, when verbose) to stderr through rich."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(message)s",
        handlers=[RichHandler(console=err, show_path=False, show_time=False)],
    )
    logging.getLogger("pypdf").setLevel(logging.ERROR)


@app.callback()
def _main(verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log what happens.")] = False) -> None:
    """Bærekraftsassistenten."""
    _setup_logging(verbose)


@app.command()
def ingest(
    paths: Annotated[
        Optional[list[Path]],
        typer.Argument(help="Files or folders to ingest (default: ASSISTANT_CORPUS_DIR and the app's upload folder)."),
    ] = None,
    reindex: Annotated[bool, typer.Option("--reindex", help="Drop the store and rebuild it from the files.")] = False,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Show a progress bar.")] = True,
) -> None:
    """Ingest documents: unchanged files are skipped, changed ones replaced, removed ones deleted.

    Without paths, the corpus folder and the app's upload folder (data/uploads, when there is one) are read,
    so an upload the app did not finish is ingested too. `--reindex` also rebuilds a damaged store: it is
    moved aside and built anew from the files.
    Exit status: 0 when every file was ingested or unchanged, 1 when some file was skipped, 2 on errors,
    3 when the Chroma server (ASSISTANT_CHROMA_HOST) cannot be reached or went away (run ingest again
    once it is up: it completes what is missing).
    """
    application = _app()
    targets = list(paths or default_targets(application.settings.corpus_dir, application.settings.uploads_dir()))
    for target in targets:
        if not target.exists():
            fail(f"finner ikke {target}")
    resume = "; kjør `assistant ingest` igjen når den er oppe, så fullføres det som mangler"
    try:
        with chroma_server(application.settings, resume):
            if reindex:
                _set_aside_if_damaged(application)
            report = application.ingester(reindex=reindex).ingest(targets, reindex=reindex, progress=progress)
            store = application.store
            count, location = store.count(), store.location()
    except (EmbedderMismatch, StoreError, EmbedderUnavailable, ManifestError) as exc:
        fail(str(exc))
        return
    for label, items in (
        ("Nye", report.added),
        ("Oppdatert", report.updated),
        ("Uendret", report.unchanged),
        ("Fjernet", report.removed),
    ):
        if items:
            console.print(f"[bold]{label}[/] ({len(items)}): " + escape(", ".join(items)), highlight=False)
    for source, reason in report.skipped:
        err.print(f"[yellow]Hoppet over[/] {escape(source)}: {escape(reason)}", highlight=False)
    console.print(
        f"{report.chunks} biter skrevet på {report.seconds:.1f} s; lager: {count} biter i {location}",
        markup=False, highlight=False,
    )
    if not report.ok:
        raise typer.Exit(EXIT_SKIPPED)


def _set_aside_if_damaged(application: App) -> None:
    """Before a reindex: move a damaged store aside and say so, with what can be known of its files."""
    found = application.set_aside_damaged()
    if found is None:
        return
    damage, moved_to = found
    err.print(f"[yellow]Lageret var skadet:[/] {escape(damage.what)}. Det er flyttet til {escape(str(moved_to))} "
              "(slett mappen når det nye lageret virker), og et nytt bygges fra filene.", highlight=False)
    if damage.files:
        err.print(escape(damage.files), highlight=False)


@app.command()
def search(
    question: Annotated[str, typer.Argument(help="The question, in any Norwegian or English.")],
    kommune: Annotated[Optional[str], typer.Option(help="Only documents about this kommune.")] = None,
    year: Annotated[Optional[int], typer.Option(help="Only documents from this year.")] = None,
    source: Annotated[Optional[str], typer.Option(help="Only this source file.")] = None,
    doc_type: Annotated[Optional[str], typer.Option("--type", help="Only this document type.")] = None,
    k: Annotated[Optional[int], typer.Option("--k", help="How many passages (default ASSISTANT_K).")] = None,
    mode: Annotated[str, typer.Option(help="hybrid, vector or bm25.")] = "hybrid",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON passages.")] = False,
) -> None:
    """Search the ingested documents and print the best passages with file, page and score.

    Exit status: 0 ok, 2 error (empty store, unknown kommune, ...), 3 the Chroma server cannot be reached or went away.
    """
    if mode not in ("hybrid", "vector", "bm25"):
        fail("--mode må være hybrid, vector eller bm25")
    kommune = _kommune_filter(kommune)
    application = _app()
    try:
        with chroma_server(application.settings):
            retriever = application.retriever
            if retriever.store.count() == 0:
                fail("lageret er tomt: kjør `assistant ingest` først")
            passages = retriever.search(
                question, k=k, filters={"kommune": kommune, "year": year, "source": source, "doc_type": doc_type},
                mode=mode,  # type: ignore[arg-type]
            )
    except EmbedderUnavailable as exc:
        fail(str(exc))
        return
    if as_json:
        typer.echo(json.dumps([p.to_dict() for p in passages], ensure_ascii=False, indent=2))
        return
    if not passages:
        console.print("Fant ingen passasjer.")
    for rank, p in enumerate(passages, start=1):
        where = f"{p.source}" + (f", side {p.page}" if p.page else "") + (f" · {p.heading}" if p.heading else "")
        console.print(f"[bold cyan]\\[{rank}][/] [bold]{escape(p.title)}[/] ({escape(where)}) score {p.score:.4f}",
                      highlight=False)
        console.print(p.text.strip(), highlight=False, markup=False)
        console.print()


def _assistant(llm: str | None, application: App | None = None):
    """Return the assistant for the CLI, or exit with a message the user can act on."""
    if llm is not None and llm not in LLM_CHOICES:
        fail(f"--llm må være en av {', '.join(LLM_CHOICES)}")
    application = application or _app()
    try:
        bot = application.assistant(llm)
    except (EmbedderUnavailable, LLMUnavailable) as exc:
        fail(str(exc))
        raise  # unreachable
    if bot.retriever.store.count() == 0:
        fail("lageret er tomt: kjør `assistant ingest` først")
    for note in bot.notes:
        err.print(f"[dim]{escape(note)}[/]", highlight=False)
    return bot


def _kommune_filter(kommune: str | None) -> str | None:
    """Return the register name of a kommune given in any accepted form, or exit with a message."""
    if not kommune:
        return None

    found = lookup(kommune)
    if found is None:
        fail(f"«{kommune}» er ikke en kommune jeg kjenner (kommuneregisteret 2024)")
    return found.name


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question (bokmål, nynorsk or English).")],
    llm: Annotated[Optional[str], typer.Option(help="auto, ollama, llamacpp or extractive (default ASSISTANT_LLM).")] = None,
    kommune: Annotated[Optional[str], typer.Option(help="Only documents about this kommune.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")] = False,
) -> None:
    """Answer a question from the documents, with numbered citations to file and page.

    A language model that fails or passes ASSISTANT_LLM_TIMEOUT mid-answer is replaced by quoting.
    Exit status: 0 answered (or refused), 2 error, 3 the Chroma server cannot be reached or went away.
    """
    filters = {"kommune": _kommune_filter(kommune)}
    application = _app()
    with chroma_server(application.settings):
        bot = _assistant(llm, application)
        # a model that fails mid-answer is replaced by quoting inside the answer stages (Answer.notes says so)
        answer = bot.ask(question, filters=filters) if as_json else stream_to_console(bot, question, (), filters)
    if as_json:
        typer.echo(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
        return
    print_sources(answer)
    console.print(f"[dim]Svar fra {escape(answer.backend)} på {answer.timings.get('total', 0):.1f} s[/]")


@app.command()
def chat(
    llm: Annotated[Optional[str], typer.Option(help="auto, ollama, llamacpp or extractive (default ASSISTANT_LLM).")] = None,
    kommune: Annotated[Optional[str], typer.Option(help="Only documents about this kommune.")] = None,
) -> None:
    """Talk with the assistant in the terminal: /kilder shows the sources, /ny starts over, /slutt ends."""
    filters = {"kommune": _kommune_filter(kommune)}
    application = _app()
    with chroma_server(application.settings):
        bot = _assistant(llm, application)
    console.print(f"[bold]Bærekraftsassistenten[/] ({escape(bot.backend.name)}). Skriv et spørsmål; /kilder, /ny, /slutt.")
    with chroma_server(application.settings):  # a store that fails mid-conversation: a message, not a traceback
        _converse(bot, filters)


def _converse(bot, filters: dict) -> None:
    """Run the terminal conversation until /slutt or end of input."""
    history: list[dict] = []
    last = None
    while True:
        try:
            question = console.input("[bold green]Du:[/] ").strip()
        except (EOFError, KeyboardInterrupt):
            console.print()
            return
        if not question:
            continue
        if question in ("/slutt", "/exit", "/quit"):
            return
        if question == "/ny":
            history, last = [], None
            console.print("[dim]Ny samtale.[/]")
            continue
        if question == "/kilder":
            if last is None:
                console.print("[dim]Ingen svar ennå.[/]")
            else:
                print_sources(last)
            continue
        console.print("[bold blue]Assistent:[/] ", end="")
        last = stream_to_console(bot, question, history, filters)  # a failing model: quoting stands in
        for note in last.notes:
            console.print(f"  [yellow]{escape(note)}[/]", highlight=False)
        history += [{"role": "user", "content": question}, {"role": "assistant", "content": last.text}]


@app.command()
def status(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Show what is ingested: documents, chunks, kommuner, embedder, where the store lives, and uploads waiting.

    Exit status: 0 ok, 2 no store yet or a damaged one, 3 the Chroma server cannot be reached or went away.
    """
    application = _app()
    settings = application.settings
    with chroma_server(settings):
        store = application.existing_store()
        if store is None:
            waiting = waiting_uploads(settings.uploads_dir(), {})
            fail(f"ingen lager i {settings.store_dir()}: kjør `assistant ingest` først"
                  + (f" ({len(waiting)} opplastede filer venter: {describe(waiting)})" if waiting else ""))
            return
        catalog = build_catalog(store)
        waiting = waiting_uploads(settings.uploads_dir(), store.source_states())
    info = {**catalog.as_dict(), "keyword_index": str(settings.keyword_dir()),
            "waiting": [{"source": w.source, "path": str(w.path), "why": w.why} for w in waiting]}
    if as_json:
        typer.echo(json.dumps(info, ensure_ascii=False, indent=2))
        return
    table = Table(show_header=False, box=None)
    for key, label in (("documents", "Dokumenter"), ("chunks", "Biter"), ("embedder", "Embedder"), ("store", "Lager")):
        table.add_row(label, escape(str(info[key])))
    table.add_row("Kommuner", escape(", ".join(catalog.kommuner)) or "–")
    console.print(table, highlight=False)
    for doc in catalog.documents:
        console.print(f"  • {escape(doc.title)} [dim]({escape(doc.source)}, {doc.year or 'år ukjent'})[/]", highlight=False)
    if waiting:
        console.print(f"[bold yellow]Venter på innlesing[/] ({len(waiting)}), i {escape(str(settings.uploads_dir()))}; "
                      "kjør `assistant ingest`, eller start appen:", highlight=False)
        for w in waiting:
            console.print(f"  • {escape(w.source)} [dim]({escape(w.why)})[/]", highlight=False)


@app.command("app")
def run_app(
    address: Annotated[str, typer.Option(help="Address to listen on; beyond loopback, staff pages need sign-in.")] = "localhost",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8501,
) -> None:
    """Start the web app (Streamlit) from any folder: no usage statistics, nothing loaded from outside the machine.

    ASSISTANT_MODE=public serves Kommunestatus only. Staff pages need sign-in when the address is not loopback
    or a sign-in is configured (ASSISTANT_OIDC_*, ASSISTANT_STAFF_PASSWORD_HASH). Stops on Ctrl+C.
    """
    settings = get_settings()
    signs_in = settings.oidc_configured() or bool(settings.staff_password_hash.get_secret_value())
    if settings.mode == "staff" and not is_loopback(address) and not signs_in:
        fail(f"{address} er ikke loopback, og ingen innlogging er satt opp for ansattsidene: sett ASSISTANT_MODE=public, "
              "ASSISTANT_OIDC_METADATA_URL/_CLIENT_ID/_CLIENT_SECRET, eller ASSISTANT_STAFF_PASSWORD_HASH "
              "(`assistant staff-password`)")
    with serve.temp_folder() as folder:
        secrets_file = serve.write_secrets(settings, port, Path(folder)) if settings.oidc_configured() else None
        command = serve.command(settings, address, port, secrets_file)
        proc = subprocess.Popen(command, env=serve.environment(settings, dict(os.environ)))
        # Stop Streamlit with us (and so remove the secrets) on SIGTERM too, not only on Ctrl+C.
        signal.signal(signal.SIGTERM, _interrupt)
        try:
            code = proc.wait()
        except KeyboardInterrupt:
            proc.terminate()
            try:
                code = proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                code = proc.wait()
    raise typer.Exit(0 if code in (0, -signal.SIGTERM) else code)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


@app.command("staff-password")
def staff_password() -> None:
    """Make the hash for ASSISTANT_STAFF_PASSWORD_HASH (the staff sign-in of a single-machine install)."""
    password = typer.prompt("Passord for ansatte", hide_input=True, confirmation_prompt=True)
    if len(password) < 10:
        fail("passordet må ha minst 10 tegn")
    typer.echo(hash_password(password))


app.command("kommune")(kommune_command)


def _register_subcommands() -> None:
    """Attach the command groups that live in their own modules, and those other packages register.

    `evals` adds `eval` through the entry-point group `assistant.commands` (pyproject.toml), so the
    CLI finds it without importing the benchmarks: the entry points load only when their command runs.
    """
    app.add_typer(models_app, name="models", help="List and assemble the embedded GGUF models.")
    for entry in entry_points(group="assistant.commands"):
        app.command(entry.name, context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
                    help=f"Run `{entry.name}` (from {entry.value.split(':')[0]}); `assistant {entry.name} --help` "
                    "lists its options.", add_help_option=False)(_plugin(entry))


def _plugin(entry: EntryPoint) -> Callable[[typer.Context], None]:
    """Return a command that loads the entry point when it runs and hands it the remaining arguments."""
    def run(ctx: typer.Context) -> None:
        raise typer.Exit(entry.load()(ctx.args))

    run.__name__ = entry.name
    return run


_register_subcommands()


def main() -> None:
    """Run the command line."""
    app()


if __name__ == "__main__":
    main()
