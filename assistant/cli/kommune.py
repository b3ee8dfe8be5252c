"""`assistant kommune NAVN`: the Kommunestatus page on the command line, for staff who write reports and for scripts."""

from __future__ import annotations

import difflib
import json
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape

from assistant.app import App
from assistant.core.kommuner import load_register, lookup
from assistant.core.settings import get_settings

console = Console()
err = Console(stderr=True)


def nearest(name: str, n: int = 3) -> list[str]:
    """Return the register's kommuner whose names are closest to `name` (for a name it does not know)."""
    names = [k.name for k in load_register()]
    found = difflib.get_close_matches(name.strip().title(), names, n=n, cutoff=0.5)
    return found or difflib.get_close_matches(name.strip().title(), names, n=n, cutoff=0.3)


def status_data(app: App, kommune: str, summary: bool, llm: str | None) -> dict:
    """Return what Kommunestatus shows for the kommune as JSON-ready data."""
    documents, missing, goals = app.kommune_facts(kommune)
    data = {
        "kommune": kommune,
        "documents": [{"title": d.title, "year": d.year, "type": d.doc_type, "source": d.source} for d in documents],
        "missing": [{"title": m.title, "year": m.year, "named_in": m.source, "page": m.page} for m in missing],
        "goals": [{"number": g.goal.number, "name": g.goal.name, "passages": g.passages,
                   "sentence": g.evidence.sentence, "source": g.evidence.source, "page": g.evidence.page}
                  for g in goals if g.evidence is not None],
    }
    if summary:
        data["summary"] = app.resident_summary(kommune, llm).to_dict()
    return data


def print_status(data: dict) -> None:
    """Print the status as a resident's page reads: documents, missing reports, summary, goals."""
    console.print(f"[bold]Kommunestatus: {escape(data['kommune'])}[/]")
    console.print("\n[bold]Dokumenter[/]")
    for d in data["documents"] or [{"title": "Ingen dokumenter ennå.", "year": None}]:
        console.print(f"  • {escape(d['title'])}" + (f" ({d['year']})" if d.get("year") else ""), highlight=False)
    if data["missing"]:
        console.print("\n[bold]Finnes, men er ikke lest inn[/]")
        for m in data["missing"]:
            console.print(f"  • {escape(m['title'])} (nevnt i {escape(m['named_in'])})", highlight=False)
    if "summary" in data:
        s = data["summary"]
        console.print(f"\n[bold]Oppsummering[/] (LIX {s['lix']}, lengste setning {s['longest_sentence_words']} ord)")
        for f in s["plain"]:
            console.print(f"  {escape(f['text'])}  [dim]({escape(f['source'])})[/]", highlight=False)
        if s["quotes"]:
            console.print("  Fra dokumentene:")
            for q in s["quotes"]:
                where = f"{q['title']}" + (f", side {q['page']}" if q["page"] else "")
                marked = "skrevet enklere; " if q["plain"] else ""  # as the page marks it
                console.print(f"  [{q['n']}] {escape(q['plain'] or q['text'])}  [dim]({marked}{escape(where)})[/]",
                              highlight=False)
                if q["plain"]:  # staff also see the document's own words
                    console.print(f"      [dim]I dokumentet: «{escape(q['text'])}»[/]", highlight=False)
    console.print("\n[bold]Bærekraftsmål dokumentene omtaler[/]")
    for g in data["goals"] or [{"number": "–", "name": "ingen ennå", "sentence": ""}]:
        console.print(f"  {g['number']} {escape(g['name'])}: {escape(g['sentence'])}", highlight=False)


def kommune(
    name: Annotated[str, typer.Argument(help="The kommune, as people write it (Trondheim, Heim, Frøya, Kautokeino ...).")],
    summary: Annotated[bool, typer.Option("--summary", help="Also make the residents' summary (plain sentences, quotes).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
    llm: Annotated[Optional[str], typer.Option(help="Backend that may make quotes plainer: auto, ollama, llamacpp, extractive.")] = None,
) -> None:
    """Show a kommune's status as Kommunestatus does: documents, missing reports, summary (--summary), goals.

    Exit status: 0 ok, 2 an unknown kommune (the nearest names are suggested) or another error.
    """
    found = lookup(name)
    if found is None:
        close = nearest(name)
        hint = f" Mente du {', '.join(close)}?" if close else ""
        err.print(f"[bold red]Feil:[/] «{escape(name)}» er ikke en kommune jeg kjenner (kommuneregisteret 2024).{hint}",
                  highlight=False)
        raise typer.Exit(2)
    data = status_data(App(get_settings()), found.name, summary, llm)
    if as_json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print_status(data)
