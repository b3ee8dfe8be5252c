"""Kommunestatus: residents pick their kommune and see what the documents hold and say, in plain Norwegian."""

from __future__ import annotations

from collections import Counter
from typing import Any

import streamlit as st

from assistant.core.kommuner import load_register
from assistant.core.readability import CITIZEN_TARGET, band, lix
from assistant.services.kommunestatus import (
    PLAIN_STYLE,
    not_ingested,
    suggested_questions,
    supported_text,
)
from ui import goals, render, services, widgets

NORWEGIAN_ORDER = str.maketrans({"æ": "{", "ø": "|", "å": "}"})  # sort Æ Ø Å after Z, in that order


@st.cache_data
def kommune_choices() -> dict[str, str]:
    """Return label -> kommune name for every kommune in the register, in Norwegian alphabetical order.

    Two names are shared by two kommuner (Herøy, Våler); their labels carry the fylke.
    """
    register = load_register()
    shared = {name for name, n in Counter(k.name for k in register).items() if n > 1}
    labels = {(f"{k.name} ({k.fylke})" if k.name in shared else k.name): k.name for k in register}
    return dict(sorted(labels.items(), key=lambda item: item[0].lower().translate(NORWEGIAN_ORDER)))


def documents(kommune: str, catalog: Any, mentions: Any) -> bool:
    """Show the documents ingested about the kommune and those named but not ingested; return True if any ingested."""
    docs = catalog.about(kommune)
    st.subheader("Dokumenter vi har lest", anchor=False)
    if docs:  # one Markdown list, so screen readers hear one list of n items, not n lists of one item
        items = []
        for doc in docs:
            kind = f", {doc.doc_type}" if doc.doc_type else ""
            items.append(f"- **{render.md(doc.title)}** ({render.md(doc.year or 'år ukjent')}{render.md(kind)})")
        st.markdown("\n".join(items))
    else:
        st.info(f"Vi har ingen dokumenter om {render.md(kommune)} ennå.")
    missing = not_ingested(kommune, mentions, catalog)
    if missing:
        st.subheader("Finnes, men er ikke lagt inn ennå", anchor=False)
        items = []
        for m in missing:
            named_in = catalog.get(m.source)
            where = f" (nevnt i «{render.md(named_in.title)}»)" if named_in else ""
            items.append(f"- {render.md(m.title)} finnes, men er ikke lagt inn ennå{where}.")
        st.markdown("\n".join(items))
    return bool(docs)


def readability(score: float) -> None:
    """Show the LIX of a text for residents, against the target."""
    verdict = "innenfor målet" if score <= CITIZEN_TARGET else "over målet"
    st.caption(f"Lesbarhet: LIX {score:.0f} ({band(score)}; {verdict} på {CITIZEN_TARGET} eller lavere).")


def cited(text: str, answer: Any, catalog: Any, key: str) -> None:
    """Show cited sentences and the citations they use."""
    st.markdown(render.md(text))
    used = {n for n in range(1, 100) if f"[{n}]" in text}
    for c in answer.citations:
        if c.n in used:
            widgets.citation(c, catalog, f"{key}-{c.n}")


SOURCE_LABEL = {"dokumentlisten": "listen over dokumenter", "bærekraftsmålene": "bærekraftsmålene under"}


def summary(kommune: str, assistant: Any, catalog: Any) -> None:
    """Offer the residents' summary on demand: plain sentences with their source, then the documents' own words."""
    st.subheader("Kort oppsummering", anchor=False)
    key = f"summary-{kommune}-{assistant.retriever.store.generation()}"
    if key not in st.session_state:
        if st.button("Lag en kort oppsummering", key=f"btn-{key}"):
            with st.spinner("Leser dokumentene …"), services.lock():
                st.session_state[key] = services.app().resident_summary(kommune)
        else:
            st.caption("Oppsummeringen lages fra dokumentene når du ber om den. Hver setning viser hvor den kommer fra.")
            return
    result = st.session_state[key]
    items = []
    for fact in result.facts:  # one list: a screen reader hears how many sentences there are
        where = SOURCE_LABEL.get(fact.source)
        items.append(f"- {render.md(fact.text)}" + (f" *(Kilde: {where}.)*" if where else ""))
    st.markdown("\n".join(items))
    readability(result.lix)
    if result.quotes:
        st.markdown("**Fra dokumentene:**")
        st.markdown("\n".join(f"- [{q.n}] «{render.md(q.shown)}»" + (" *(skrevet enklere)*" if q.plain else "")
                              for q in result.quotes))
        for q in result.quotes:
            widgets.citation(q.citation, catalog, f"{key}-{q.n}")


def questions(kommune: str, assistant: Any, catalog: Any) -> None:
    """Show questions the documents can answer about the kommune; a click answers in plain language."""
    key = f"questions-{kommune}-{assistant.retriever.store.generation()}"
    if key not in st.session_state:
        with services.lock():
            st.session_state[key] = suggested_questions(kommune, services.quoting())
    suggested = st.session_state[key]
    if not suggested:
        return
    st.subheader("Spørsmål du kan stille", anchor=False)
    for i, question in enumerate(suggested):
        if st.button(render.md(question), key=f"{key}-{i}"):
            with st.spinner("Finner svaret …"), services.lock():
                answer = assistant.ask(question, filters={"kommune": kommune}, style=PLAIN_STYLE)
            st.session_state[f"{key}-answer"] = (question, answer)
    if f"{key}-answer" in st.session_state:
        question, answer = st.session_state[f"{key}-answer"]
        text, _ = supported_text(answer)
        st.markdown(f"**{render.md(question)}**")
        if not text:
            st.info("Dokumentene svarer ikke sikkert på dette.")
            return
        cited(text, answer, catalog, f"{key}-a")
        readability(lix(text))


def main() -> None:
    """Render the Kommunestatus page."""
    widgets.style()
    s, assistant, catalog = services.page_setup()
    with services.store_errors():  # a store damaged while the app runs: what to do, not a traceback
        page(s, assistant, catalog)


def page(s: Any, assistant: Any, catalog: Any) -> None:
    """Render the page's content: the kommune chosen, its documents, summary, questions and goals."""
    mentions = services.mentions(s)
    st.title("Kommunestatus", anchor=False)
    st.write("Hvordan går det med bærekraftsarbeidet i kommunen din? Velg kommune, så ser du hva dokumentene sier.")
    choices = kommune_choices()
    label = st.selectbox(
        "Kommune", list(choices), index=None, placeholder="Skriv navnet på kommunen", key="kommune",
        help="Du kan skrive de første bokstavene og velge fra listen.",
    )
    kommune = choices.get(label or "")
    if not kommune:
        if catalog.kommuner:
            st.caption("Kommuner med dokumenter: " + render.md(", ".join(catalog.kommuner)))
        return
    if documents(kommune, catalog, mentions):
        # the summary and the questions first: a keyboard user reaches them before the 17 goals' controls
        summary(kommune, assistant, catalog)
        questions(kommune, assistant, catalog)
        goals.grid(kommune)
    st.caption(f"Svarene lages av {render.backend_label(assistant.backend.name)} og viser bare det dokumentene sier.")


main()
