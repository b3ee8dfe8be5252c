"""The Streamlit pages driven by Streamlit's AppTest: real assistant, real e5, real Chroma, extractive answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.pdfs import write_corrupt_pdf, write_pdf
from tests.ui.markdown import leaks, literal

APP = Path(__file__).resolve().parents[2] / "ui" / "app.py"
QUESTION = "Hvem finansierer FN-senteret i Trondheim?"


def app_for(monkeypatch, settings, **env):
    """Return an AppTest of the app whose settings come from the environment, as in production."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(settings.corpus_dir))
    monkeypatch.setenv("ASSISTANT_LLM", "extractive")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    at = AppTest.from_file(str(APP), default_timeout=180)
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def corpus_app(monkeypatch, corpus_settings, tmp_path):
    """Return the app over the ingested real corpus, with feedback written under tmp_path."""
    return app_for(monkeypatch, corpus_settings)


def html_of(block) -> str:
    return "\n".join(h.proto.body for h in block.get("html"))


def button(at, label: str):
    """Return the (form submit) button with the label."""
    return next(b for b in at.button if b.label == label)


def last_answer(at):
    return at.session_state["turns"][-1]["answer"]


def store_figures(settings, embedder) -> str:
    """Return the sidebar's line of figures as counted in the store itself (documents, passages, kommuner)."""
    from assistant.app import App

    store = App(settings, embedder).store
    metas = [meta for _, _, meta in store.iter_records(include_documents=False)]
    sources = {meta["source"] for meta in metas}
    kommuner = {k for meta in metas for k in meta.get("kommuner") or []}
    assert store.count() > len(sources) > 0 and kommuner  # a store that holds the corpus, not an empty one
    return f"**{len(sources)}** dokumenter · **{store.count()}** tekstbiter · **{len(kommuner)}** kommuner"


def test_chat_answers_with_numbered_citations_titles_and_pages(corpus_app, corpus_settings, e5):
    at = corpus_app
    assert at.title[0].value == "Bærekraftsassistenten"
    assert any("utdrag (uten språkmodell)" in literal(c.value) for c in at.caption)  # the backend in use is shown
    assert store_figures(corpus_settings, e5) in [m.value for m in at.sidebar.markdown]
    at.chat_input[0].set_value("Hvor mange innbyggere ville delta i Trondheimspanelet?").run()
    assert not at.exception, at.exception
    user, bot = at.chat_message
    answer = last_answer(at)
    assert not answer.refused and answer.citations
    assert "[1]" in html_of(bot) and '<mark class="quote">' in html_of(bot)
    labels = [literal(e.label) for e in bot.expander]  # labels are Markdown: document text in them is escaped
    assert labels[0].startswith("[1] Orientering om samfunnsplanen") and "Trondheim" in labels[0] and "s. " in labels[0]
    assert any(b.label == "Last ned originalfilen" for b in bot.get("download_button"))
    assert any("Åpne PDF-en på side" in m.value for m in bot.markdown)
    assert any(c.value.startswith("Svart av utdrag") for c in bot.caption)


def test_feedback_thumbs_and_comment_are_written_for_evaluators(corpus_app, corpus_settings):
    at = corpus_app
    path = corpus_settings.feedback_file()
    before = path.read_text(encoding="utf-8").count("\n") if path.exists() else 0
    at.chat_input[0].set_value(QUESTION).run()
    at.feedback[0].set_value(0).run()
    assert not at.exception, at.exception
    at.text_input(key=f"c-{at.session_state['turns'][-1]['id']}").input("Feil kilde")
    button(at, "Send kommentar").click().run()
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()][before:]
    assert lines[0]["rating"] == "ned" and lines[0]["question"] == QUESTION and lines[0]["citations"]
    assert lines[-1]["comment"] == "Feil kilde" and lines[-1]["answer_id"] == lines[0]["answer_id"]
    assert any("Takk for tilbakemeldingen" in c.value for c in at.caption)


# slow: quick cover: the refusal's text and floor are quick in tests/answering/test_assistant.py; the chat page quick in test_chat_answers_with_numbered_citations_titles_and_pages
@pytest.mark.slow
def test_refusal_looks_different_and_lists_the_closest_passages(corpus_app):
    at = corpus_app
    at.chat_input[0].set_value("Hva koster en pizza i Roma?").run()
    answer = last_answer(at)
    assert answer.refused
    bot = at.chat_message[1]
    assert bot.warning and bot.warning[0].value == answer.text
    assert any(m.value == "**Det nærmeste jeg fant:**" for m in bot.markdown)
    assert len(bot.expander) >= 1 and not bot.get("feedback") == []


# slow (~6 s under load): the kommune filter is tested quick in tests/answering/test_assistant.py, the sidebar's goal
# filter in tests/ui/test_goal_grid.py, and "Ny samtale" in test_document_titles_and_text_render_as_literal_text_...
@pytest.mark.slow
def test_filters_keep_answers_inside_the_chosen_kommune_and_new_conversation_clears(corpus_app):
    at = corpus_app
    at.sidebar.selectbox[0].set_value("Stad").run()
    at.chat_input[0].set_value("Hva gjør kommunen med matsvinn?").run()
    answer = last_answer(at)
    assert answer.passages and all("Stad" in p.meta["kommuner"] for p in answer.passages)
    at.sidebar.button[0].click().run()
    assert at.session_state["turns"] == [] and not at.chat_message


# slow: quick cover: the rewrite of a follow-up is quick in tests/answering/test_answer_logic.py; the chat page quick in test_chat_answers_with_numbered_citations_titles_and_pages
@pytest.mark.slow
def test_follow_up_uses_the_conversation(corpus_app):
    at = corpus_app
    at.chat_input[0].set_value("Hva er FN-senteret i Trondheim?").run()
    at.chat_input[0].set_value("Og hvem finansierer det?").run()
    answer = last_answer(at)
    assert "FN-senteret" in answer.standalone_question and len(at.chat_message) == 4


# slow: quick cover: an ingest of good and bad files is quick in tests/ingest (test_limits, test_load) and the upload queue in tests/ui/test_upload_queue.py
@pytest.mark.slow
def test_upload_of_a_good_and_a_bad_file(monkeypatch, settings, tmp_path):
    at = app_for(monkeypatch, settings, ASSISTANT_MAX_FILE_MB="1")
    assert any("Dokumentlageret er tomt" in w.value for w in at.warning)
    good = write_pdf(tmp_path / "g.pdf", ["Sykkelplan for Malvik", "Malvik kommune skal bygge 12 kilometer ny sykkelvei innen 2026."])
    bad = write_corrupt_pdf(tmp_path / "b.pdf")
    at.sidebar.file_uploader[0].set_value([
        ("Sykkelplan Malvik 2024.pdf", good.read_bytes(), "application/pdf"),
        ("ødelagt.pdf", bad.read_bytes(), "application/pdf"),
        ("for-stor.txt", b"x" * (1024 * 1024 + 10), "text/plain"),
    ])
    button(at, "Legg inn").click().run()
    assert not at.exception, at.exception
    job = at.session_state["upload_job"]  # ingested in the background: the page stays usable meanwhile
    job.thread.join(timeout=300)
    at.run()  # what the page's polling fragment does once the job is done
    assert not at.exception, at.exception
    successes = [literal(s.value) for s in at.sidebar.success]
    errors = [literal(e.value) for e in at.sidebar.error]
    assert successes == ["Sykkelplan Malvik 2024.pdf er lagt inn (2 tekstbiter)."]
    assert any(e.startswith("ødelagt.pdf:") for e in errors)
    assert any("største tillatte størrelse er 1 MB" in e for e in errors)
    assert sorted(p.name for p in (settings.uploads_dir() / "opplastet").iterdir()) == ["Sykkelplan Malvik 2024.pdf"]
    assert not list((settings.uploads_dir() / ".incoming").iterdir())  # the bad file was not kept
    at.chat_input[0].set_value("Hvor mange kilometer sykkelvei skal Malvik bygge?").run()
    answer = last_answer(at)
    assert not answer.refused and "12 kilometer" in answer.text
    assert answer.citations[0].source == "opplastet/Sykkelplan Malvik 2024.pdf" and answer.citations[0].page == 2


def test_a_store_built_by_another_embedder_gives_advice_not_a_traceback(monkeypatch, settings):
    from assistant.app import store_config
    from assistant.index.store import ChunkStore

    # creates the collection, stamped with that embedder
    ChunkStore(store_config(settings), "some-other-embedder", 8).count()
    at = app_for(monkeypatch, settings)
    assert at.error and "assistant ingest --reindex" in at.error[0].value
    assert not at.exception


# slow: quick cover: the page is quick for Trondheim in tests/ui/test_goal_grid.py and for Holtålen in tests/ui/test_deploy.py; the summary quick in tests/test_cli_kommune.py
@pytest.mark.slow
def test_kommunestatus_for_trondheim_and_for_a_kommune_without_documents(corpus_app):
    at = corpus_app
    at.switch_page("status_page.py").run()
    assert at.title[0].value == "Kommunestatus"
    box = at.selectbox(key="kommune")
    assert len(box.options) == 357 and box.options.index("Ørland") < box.options.index("Ås")  # Æ Ø Å order
    assert "Herøy (Nordland)" in box.options and "Herøy (Møre og Romsdal)" in box.options
    box.set_value("Trondheim").run()
    text = "\n".join(literal(m.value) for m in at.markdown)
    assert "11 ting du bør vite om FN-senteret (2022, nettside)" in text
    assert "Bærekraftsrapport Trondheim 2024 finnes, men er ikke lagt inn ennå" in text
    questions = [b.label for b in at.button if "Trondheim" in b.label]
    assert questions
    button(at, "Lag en kort oppsummering").click().run()
    assert not at.exception, at.exception
    assert any(c.value.startswith("Lesbarhet: LIX") for c in at.caption)
    assert any("[1]" in literal(m.value) for m in at.markdown)
    button(at, questions[0]).click().run()
    assert any(m.value == f"**{questions[0]}**" for m in at.markdown)

    at.selectbox(key="kommune").set_value("Holtålen").run()
    assert any(i.value == "Vi har ingen dokumenter om Holtålen ennå." for i in at.info)
    assert any("Bærekraftsrapport Holtålen 2023 finnes, men er ikke lagt inn ennå" in literal(m.value) for m in at.markdown)


# slow: quick cover: the fallback is quick in tests/answering/test_assistant.py::test_unreachable_ollama_falls_back_in_auto_and_fails_clearly_when_chosen
@pytest.mark.slow
def test_ollama_down_falls_back_and_says_so(monkeypatch, corpus_settings, tmp_path):
    from tests.conftest import free_port

    at = app_for(
        monkeypatch, corpus_settings, ASSISTANT_LLM="auto", OLLAMA_HOST=f"http://127.0.0.1:{free_port()}",
        ASSISTANT_LLAMACPP_MODEL=str(tmp_path / "finnes-ikke.gguf"),
    )
    notes = [literal(i.value) for i in at.sidebar.info]
    assert any(n.startswith("Ollama svarer ikke") and n.endswith("bruker utdrag (uten språkmodell) i stedet.") for n in notes)
    assert not any("finnes-ikke.gguf" in n for n in notes)  # auto passes from Ollama straight to quoting
    at.chat_input[0].set_value(QUESTION).run()
    assert not at.exception and last_answer(at).backend == "extractive"


HOSTILE_TITLES = [
    "![x](http://127.0.0.1:9/tittel.png)",
    "[klikk](http://evil.example/) <img src=http://127.0.0.1:9/html.png>",
    "**fet** _kursiv_ ~~strek~~ `kode` # ikke overskrift",
    "$E=mc^2$ :smile: :material/home: :red[rød] | a | b |",
    "<http://evil.example/auto> www.evil.example [/] [x]",
]
HOSTILE_TEXT = "Se ![bilde](http://127.0.0.1:9/tekst.png) og **merk** [dette](http://evil.example/)."


def _markdown_values(at) -> list[str]:
    """Return every string the page hands to Markdown: text, captions, alerts, and the labels of expanders and buttons."""
    values = [e.value for kind in ("markdown", "caption", "info", "warning", "success", "error") for e in at.get(kind)]
    values += [e.label for e in at.expander] + [b.label for b in at.button]
    return values


def _assert_literal_only(at) -> str:
    """Assert nothing on the page renders as image, link or other markup; return the page's visible text."""
    values = _markdown_values(at)
    assert not at.get("imgs")  # no st.image either
    for value in values:
        assert leaks(value, allowed=("strong", "ul", "ol", "li")) == [], value  # the page's own bold and lists
    for body in (h.proto.body for h in at.get("html")):
        assert "<img" not in body and "<a " not in body, body  # HTML bodies hold escaped document text only
    return "\n".join(literal(v) for v in values)


@pytest.fixture
def hostile_settings(settings, e5, tmp_path):
    """Return settings of a store whose HTML documents have titles and a sentence written as Markdown and HTML."""
    import html

    from assistant.app import App

    folder = tmp_path / "fiendtlig"
    folder.mkdir()
    for i, title in enumerate(HOSTILE_TITLES):
        body = (f"<p>Malvik kommune skal bygge {10 + i} kilometer ny sykkelvei innen 2026. {html.escape(HOSTILE_TEXT)}</p>"
                f"<p>Sykkelveien nummer {i} skal gå langs fylkesvei 950 i Malvik.</p>")
        (folder / f"dok{i}.html").write_text(
            f"<html><head><title>{html.escape(title)}</title></head><body>{body}</body></html>", encoding="utf-8")
    report = App(settings, e5).ingester().ingest([folder], progress=False)
    assert report.ok and len(report.added) == len(HOSTILE_TITLES), report
    return settings


# slow: quick cover: titles written as they are stay quick in test_sources_found_while_the_answer_is_written_show_titles_literally and tests/test_cli.py
@pytest.mark.slow
def test_document_titles_and_text_render_as_literal_text_never_markup(monkeypatch, hostile_settings):
    at = app_for(monkeypatch, hostile_settings, ASSISTANT_K="10")
    at.chat_input[0].set_value("Hvor mange kilometer sykkelvei skal Malvik bygge?").run()
    assert not at.exception, at.exception
    answer = last_answer(at)
    assert answer.citations or answer.passages
    shown = _assert_literal_only(at)
    for c in answer.citations or answer.passages[:3]:
        title = c.chunk.title if hasattr(c, "chunk") else c.title
        assert title in shown  # the label says the title as written, characters and all

    at.sidebar.button[0].click().run()  # "Ny samtale": the next question stands alone
    at.chat_input[0].set_value("Hva koster en pizza i Roma?").run()  # a refusal lists the closest passages
    assert last_answer(at).refused and last_answer(at).passages
    _assert_literal_only(at)

    at.switch_page("status_page.py").run()
    at.selectbox(key="kommune").set_value("Malvik").run()
    assert not at.exception, at.exception
    shown = _assert_literal_only(at)
    for title in HOSTILE_TITLES:
        assert " ".join(title.split()) in shown


def test_sources_found_while_the_answer_is_written_show_titles_literally(hostile_settings, e5):
    from streamlit.testing.v1 import AppTest

    def script(data_dir: str) -> None:
        from assistant.app import App
        from assistant.core.settings import get_settings
        from ui import widgets

        application = App(get_settings(data_dir=data_dir))
        passages = application.retriever.search("sykkelvei i Malvik", k=10)
        widgets.sources_found(passages, application.catalog())

    at = AppTest.from_function(script, args=(str(hostile_settings.data_dir),), default_timeout=120).run()
    assert not at.exception, at.exception
    shown = _assert_literal_only(at)
    assert at.markdown  # one numbered list of the sources (one list for screen readers)
    for title in HOSTILE_TITLES:
        assert " ".join(title.split()) in shown
