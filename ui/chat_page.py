"""Staff chat: questions answered from the documents, streamed, with sources, feedback and uploads."""

from __future__ import annotations

import time
import uuid
from typing import Any

import streamlit as st

from assistant.core.goals import BY_NUMBER
from assistant.core.models import Answer
from ui import render, services, widgets
from ui.background import BackgroundIngester
from ui.feedback import append_feedback, feedback_record
from ui.upload import ALLOWED, start_upload_job

RECENT_SECONDS = 15 * 60  # a session opened this soon after the app's own upload job ended is still told of it


def sidebar_filters(catalog: Any) -> dict[str, Any]:
    """Show the filters and return them as retrieval filters (None where 'Alle')."""
    st.sidebar.header("Avgrens søket", anchor=False)
    kommune = st.sidebar.selectbox("Kommune", catalog.kommuner, index=None, placeholder="Alle kommuner")
    year = st.sidebar.selectbox("År", catalog.years, index=None, placeholder="Alle år")
    titles = {doc.source: doc.label() for doc in catalog.documents}
    source = st.sidebar.selectbox(
        "Dokument", list(titles), index=None, placeholder="Alle dokumenter", format_func=lambda s: titles.get(s, s)
    )
    goal = st.sidebar.selectbox(
        "Bærekraftsmål", list(BY_NUMBER), index=None, placeholder="Alle mål", format_func=lambda n: BY_NUMBER[n].label
    )
    return {"kommune": kommune, "year": year, "source": source, "goal": goal}


def sidebar_status(catalog: Any, assistant: Any) -> None:
    """Show corpus figures, the components in use, fallback notes and the new-conversation button."""
    st.sidebar.header("Dokumentlageret", anchor=False)
    st.sidebar.markdown(
        f"**{len(catalog.documents)}** dokumenter · **{catalog.chunks}** tekstbiter · **{len(catalog.kommuner)}** kommuner"
    )
    st.sidebar.caption(
        render.md(f"Embedder: {catalog.embedder} · Lager: {catalog.location} · "
                  f"Svarer med: {render.backend_label(assistant.backend.name)}")
    )
    for note in assistant.notes:
        st.sidebar.info(render.md(f"{note} – bruker {render.backend_label(assistant.backend.name)} i stedet."))
    if st.sidebar.button("Ny samtale", use_container_width=True):
        st.session_state["turns"] = []
        st.rerun()


def sidebar_upload(settings: Any, assistant: Any) -> None:
    """Let staff add documents; bad files get a reason and leave everything else as it was.

    The files are ingested by a background job (ui.upload.start_upload_job) in a child process at the
    lowest CPU priority (ui.background), so questions in this and other sessions are answered meanwhile;
    its progress is polled by a fragment every second.
    """
    with st.sidebar.expander("Legg til dokumenter"):
        with st.form("upload", clear_on_submit=True, border=False):
            files = st.file_uploader(
                f"PDF, txt, md eller html (høyst {settings.max_file_mb} MB per fil)",
                type=[s.lstrip(".") for s in ALLOWED],
                accept_multiple_files=True,
            )
            submitted = st.form_submit_button("Legg inn")
        job = st.session_state.get("upload_job")
        if submitted and files and not (job and not job.finished):
            st.session_state["upload_job"] = start_upload_job(
                [(f.name, f.getvalue()) for f in files], BackgroundIngester(settings), services.ingest_lock(),
                settings.uploads_dir(), settings.max_file_mb,
            )
            st.session_state.pop("upload_outcomes", None)
        if st.session_state.get("upload_job") is not None:
            upload_progress()
        for ok, message in st.session_state.get("upload_outcomes", []):
            (st.success if ok else st.error)(render.md(message))


def sidebar_resumed(settings: Any) -> None:
    """Say what the app does with uploads a crash left waiting: it ingests them on start, in the background."""
    if services.resume_job(settings) is None:
        return
    with st.sidebar:
        resume_progress()
    outcomes = st.session_state.get("resume_outcomes")
    if outcomes:
        st.sidebar.info("Opplastinger som ble liggende igjen da appen stoppet:")
        for ok, message in outcomes:
            (st.sidebar.success if ok else st.sidebar.error)(render.md(message))


@st.fragment(run_every=1.0)
def resume_progress() -> None:
    """Show the progress of the app's job for waiting uploads; when it is done, keep its outcomes and refresh."""
    job = services.resume_job()
    if job is None or "resume_outcomes" in st.session_state:
        return
    if not job.finished:
        st.session_state["resume_seen"] = True
        if job.intro:
            st.info(render.md(job.intro))
        st.progress(job.share, text=job.text)
        return
    seen = st.session_state.get("resume_seen", False)
    recent = job.ended is not None and time.monotonic() - job.ended < RECENT_SECONDS
    st.session_state["resume_outcomes"] = [(o.ok, o.message) for o in job.outcomes] if seen or recent else []
    if seen:
        st.rerun()  # the whole page: the catalog and filters now hold the documents


@st.fragment(run_every=1.0)
def upload_progress() -> None:
    """Show the running upload job's progress; when it is done, keep its outcomes and refresh the page."""
    job = st.session_state.get("upload_job")
    if job is None:
        return
    if not job.finished:
        st.progress(job.share, text=job.text)
        return
    st.session_state["upload_outcomes"] = [(o.ok, o.message) for o in job.outcomes]
    st.session_state["upload_job"] = None
    st.rerun()  # the whole page: the catalog and filters now hold the new documents


def history(turns: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Return the conversation as chat messages for follow-up rewriting."""
    messages: list[dict[str, str]] = []
    for turn in turns:
        messages += [{"role": "user", "content": turn["question"]}, {"role": "assistant", "content": turn["answer"].text}]
    return messages


def save_rating(turn: dict[str, Any], key: str) -> None:
    """Write the thumbs rating of a turn to the feedback file."""
    s = services.settings()
    rating = st.session_state.get(key)
    append_feedback(s.feedback_file(), feedback_record(turn["id"], turn["answer"], rating))
    turn["rated"] = True


def feedback(turn: dict[str, Any]) -> None:
    """Show thumbs up/down and an optional comment under an answer; both are written for evaluators."""
    key = f"fb-{turn['id']}"
    st.feedback("thumbs", key=key, on_change=save_rating, args=(turn, key))
    if not turn.get("rated"):
        return
    if turn.get("commented"):
        st.caption("Takk for tilbakemeldingen!")
        return
    with st.form(f"comment-{turn['id']}", border=False):
        comment = st.text_input("Kommentar (valgfritt)", key=f"c-{turn['id']}")
        if st.form_submit_button("Send kommentar") and comment.strip():
            s = services.settings()
            record = feedback_record(turn["id"], turn["answer"], st.session_state.get(key), comment)
            append_feedback(s.feedback_file(), record)
            turn["commented"] = True
            st.rerun()


def show_turn(turn: dict[str, Any], catalog: Any) -> None:
    """Show a finished question and answer."""
    with st.chat_message("user"):
        st.text(turn["question"])
    with st.chat_message("assistant"):
        widgets.answer(turn["answer"], catalog, turn["id"])
        st.caption(widgets.timings(turn["answer"]))
        feedback(turn)


def ask(question: str, assistant: Any, catalog: Any, filters: dict[str, Any], turns: list[dict[str, Any]]) -> None:
    """Stream the answer to the question: sources first, then the text; falls back to quoting if the model fails."""
    with st.chat_message("user"):
        st.text(question)
    with st.chat_message("assistant"):
        st.caption(f"Svarer med {render.backend_label(assistant.backend.name)} …")
        sources = st.empty()
        text = st.empty()
        result: dict[str, Answer] = {}

        def found(passages: list) -> None:
            with sources.container():
                widgets.sources_found(passages, catalog)

        def pieces(bot: Any):
            for item in bot.stream(question, history(turns), filters, on_retrieved=found):
                if isinstance(item, Answer):
                    result["answer"] = item
                else:
                    yield render.md(item)  # the model may echo a title: no Markdown from it

        with services.lock(), text.container():  # a model that fails mid-answer: the stages quote instead
            st.write_stream(pieces(assistant))
    if "answer" not in result:  # the store failed mid-search: services.store_errors shows what to do
        return
    turns.append({"id": uuid.uuid4().hex[:12], "question": question, "answer": result["answer"]})
    st.rerun()


def main() -> None:
    """Render the chat page."""
    widgets.style()
    s, assistant, catalog = services.page_setup()
    st.title("Bærekraftsassistenten", anchor=False)
    st.caption("Spør om kommunenes bærekraftsarbeid. Svarene bygger bare på dokumentene, med kilder og sidetall.")
    filters = sidebar_filters(catalog)
    sidebar_status(catalog, assistant)
    sidebar_resumed(s)
    sidebar_upload(s, assistant)
    if not catalog.documents:
        st.warning("Dokumentlageret er tomt. Kjør `assistant ingest`, eller legg til dokumenter i sidepanelet.")
    turns: list[dict[str, Any]] = st.session_state.setdefault("turns", [])
    for turn in turns:
        show_turn(turn, catalog)
    question = st.chat_input("Still et spørsmål om dokumentene")
    if question and question.strip():
        with services.store_errors():  # a store damaged while the app runs: what to do, not a traceback
            ask(question.strip(), assistant, catalog, filters, turns)


main()
