"""Streamlit pieces both pages use: an answer with its citations, a refusal, sources found so far.

Text from documents reaches Markdown (labels, captions, st.markdown) only through `render.md`, and HTML
(st.html) only through `html.escape` in `render`.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

from ui import render

if TYPE_CHECKING:
    from assistant.core.models import Answer, Chunk, Citation
    from assistant.services.catalog import Catalog


def style() -> None:
    """Add the page's small stylesheet (highlights and unsupported-sentence marks)."""
    st.html(render.CSS)


def _read(path: Path) -> bytes:
    return path.read_bytes()


def original_file(chunk: Chunk, catalog: Catalog, key: str) -> None:
    """Offer the cited document's original file: download, and a PDF opened at the page where the browser can."""
    doc = catalog.get(chunk.source)
    path = doc.file() if doc is not None else None
    if doc is None or path is None:
        st.caption("Originalfilen finnes ikke lenger på disken.")
        return
    link = render.published_pdf(doc, chunk.page)
    if link:
        page = f" på side {chunk.page}" if chunk.page else ""
        st.markdown(f'<a href="{link}" target="_blank" rel="noopener">Åpne PDF-en{page}</a>', unsafe_allow_html=True)
    st.download_button(
        "Last ned originalfilen",
        data=partial(_read, path),
        file_name=path.name,
        mime=mimetypes.guess_type(path.name)[0] or "application/octet-stream",
        key=f"dl-{key}",
        on_click="ignore",
    )


def citation(c: Citation, catalog: Catalog, key: str, expanded: bool = False) -> None:
    """Show one citation: where it is, the passage with the supporting sentence marked, the original file."""
    doc = catalog.get(c.source)
    with st.expander(render.md(render.citation_heading(c, doc)), expanded=expanded):
        if not c.supported:
            st.caption("⚠ Setningen som viser hit, ble ikke bekreftet av dette utdraget.")
        st.html(f'<div class="passage">{render.highlight(c.chunk.text, c.quote)}</div>')
        original_file(c.chunk, catalog, key)


def answer(a: Answer, catalog: Catalog, key: str) -> None:
    """Show an answer (or a refusal) with its citations, numbered as in the text."""
    if a.refused:
        refusal(a, catalog, key)
        return
    st.html(f'<div class="answer">{render.answer_html(a)}</div>')
    for note in a.notes:  # the model failed, or could not phrase what the documents confirm: quoting stood in
        st.caption(f"ℹ {render.md(note)}")
    if a.unsupported and any(s.strip() and s.strip() in a.text for s in a.unsupported):
        st.caption("⚠ Markerte setninger kunne ikke bekreftes av kildene. Les dem med forsiktighet.")
    if a.translation:
        st.caption(render.md(a.translation))
    if a.citations:
        st.markdown("**Kilder**")
        for i, c in enumerate(a.citations):
            citation(c, catalog, f"{key}-{c.n}", expanded=i == 0)


def refusal(a: Answer, catalog: Catalog, key: str) -> None:
    """Show a refusal so it cannot be mistaken for an answer, with the closest passages."""
    st.warning(a.text, icon="🔎")
    if a.passages:
        st.markdown("**Det nærmeste jeg fant:**")
        for i, p in enumerate(a.passages[:3], start=1):
            with st.expander(render.md(render.where(p, catalog.get(p.source)))):
                st.html(f'<div class="passage">{render.highlight(p.text, "")}</div>')
                original_file(p, catalog, f"{key}-near{i}")


def sources_found(passages: Sequence[Chunk], catalog: Catalog) -> None:
    """Show the passages retrieval found, before the answer is written."""
    st.caption(f"Fant {len(passages)} utdrag – svaret skrives …" if passages else "Fant ingen utdrag.")
    if passages:  # one numbered list, not one list per passage
        st.markdown("\n".join(f"{i}. {render.md(render.where(p, catalog.get(p.source)))}" for i, p in enumerate(passages, start=1)))


def timings(a: Answer) -> str:
    """Return the caption under an answer: who answered and how long it took."""
    t = a.timings
    parts = [f"Svart av {render.backend_label(a.backend)}"]
    if "retrieval" in t:
        parts.append(f"søk {t['retrieval']:.2f} s")
    if "first_token" in t:
        parts.append(f"første ord {t['first_token']:.1f} s")
    if "total" in t:
        parts.append(f"totalt {t['total']:.1f} s")
    return " · ".join(parts)
