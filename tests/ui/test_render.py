"""HTML helpers of the UI: highlighting, unsupported sentences, escaping, labels."""

import pytest

from assistant.core.models import Answer, Chunk, Citation
from assistant.services.catalog import DocumentInfo
from tests.ui.markdown import leaks, literal
from ui import render


def chunk(text: str, page: int | None = 3) -> Chunk:
    return Chunk("c1", text, "plan.pdf", "Samfunnsplan", page, "", 0, len(text), {"kommuner": ["Trondheim"], "year": 2022})


def test_highlight_marks_the_quote_across_whitespace_and_escapes_html():
    passage = "Innledning.\n• Senteret får   penger\nfra NTNU. <script>alert(1)</script>"
    out = render.highlight(passage, "Senteret får penger fra NTNU.")
    assert '<mark class="quote">Senteret får   penger\nfra NTNU.</mark>' in out
    assert "<script>" not in out and "&lt;script&gt;" in out


def test_highlight_without_a_match_is_the_escaped_passage():
    assert render.highlight("a < b", "finnes ikke") == "a &lt; b"


def test_answer_html_marks_only_unsupported_sentences():
    text = "Byen har 200 000 innbyggere [1]. Månen er av ost [2]."
    unsupported = ["Månen er av ost."]  # listed without its marker, as the verification reports it
    out = render.answer_html(Answer("q", text, [], False, "x", [], unsupported=unsupported))
    assert out.count('class="unsupported"') == 1
    assert '<span class="unsupported" title="Kildene bekrefter ikke denne setningen">Månen er av ost [2].</span>' in out
    assert out.startswith("Byen har 200 000 innbyggere [1].")


def test_where_and_citation_heading_name_title_kommune_year_page_and_support():
    c = Citation(2, chunk("tekst"), "tekst", supported=False)
    assert render.where(c.chunk) == "Samfunnsplan · Trondheim · 2022 · s. 3"
    assert render.citation_heading(c).startswith("[2] Samfunnsplan · Trondheim · 2022 · s. 3")
    assert "ikke bekreftet" in render.citation_heading(c)
    assert "s." not in render.where(chunk("tekst", page=None))


def test_published_pdf_links_to_the_page_without_copying(tmp_path):
    from tests.conftest import ROOT

    static = ROOT / "ui" / "static"
    before = sorted(p.relative_to(static) for p in static.rglob("*"))
    pdf = tmp_path / "plan.pdf"
    pdf.write_bytes(b"%PDF-1.4 test")
    doc = DocumentInfo("plan.pdf", "Plan", path=str(pdf), content_hash="ab" * 32)
    link = render.published_pdf(doc, 7)
    name, _, anchor = link.partition("#")
    assert name.startswith("dokumenter/") and anchor == "page=7"
    assert render.published_file(name.removeprefix("dokumenter/")) == pdf.resolve()
    assert render.published_file("0" * 32 + ".pdf") is None  # only files a page has cited are served
    assert sorted(p.relative_to(static) for p in static.rglob("*")) == before  # nothing written into the checkout
    txt = DocumentInfo("a.txt", "A", path=str(pdf), content_hash="cd" * 32)
    assert render.published_pdf(txt, 1) is None
    gone = DocumentInfo("b.pdf", "B", path=str(tmp_path / "gone.pdf"), content_hash="ef" * 32)
    assert render.published_pdf(gone, 1) is None


def test_two_data_dirs_do_not_share_published_files(tmp_path):
    links = []
    for store in ("a", "b"):  # the same file uploaded into two data dirs
        upload = tmp_path / store / "uploads" / "opplastet" / "plan.pdf"
        upload.parent.mkdir(parents=True)
        upload.write_bytes(b"%PDF-1.4 " + store.encode())
        links.append(render.published_pdf(DocumentInfo("plan.pdf", "Plan", path=str(upload), content_hash="ab" * 32), None))
    assert links[0] != links[1]
    served = [render.published_file(link.removeprefix("dokumenter/")) for link in links]
    assert served == [(tmp_path / s / "uploads" / "opplastet" / "plan.pdf").resolve() for s in ("a", "b")]


def test_backend_label_is_norwegian():
    assert render.backend_label("extractive") == "utdrag (uten språkmodell)"
    assert render.backend_label("llamacpp:qwen2.5-coder-1.5b-instruct-q4_k_m") == "innebygd språkmodell qwen2.5-coder-1.5b-instruct-q4_k_m"
    assert render.backend_label("ollama:qwen2.5:1.5b") == "Ollama-modellen qwen2.5:1.5b"
    assert render.backend_label("annen") == "språkmodell annen"


HOSTILE = [
    "![x](http://127.0.0.1:9/p.png)",
    "![](http://127.0.0.1:9/p.png 'tittel')",
    "[klikk her](http://evil.example/) og [ref][1]\n\n[1]: http://evil.example/ref.png",
    "<img src=http://127.0.0.1:9/q.png>",
    "<a href='http://evil.example'>lenke</a>",
    "<script>alert(1)</script>",
    "<http://evil.example/auto> og www.evil.example og http://evil.example/naken og post@evil.example",
    "**fet** og __fet__ og *kursiv* og _kursiv_ og ~~strek~~",
    "# Overskrift",
    "Tittel\n===",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    "> sitat\n- punkt\n1. nummer",
    "$E = mc^2$ og $$x$$",
    ":smile: :+1: :material/home: :red[rød tekst] :blue-background[blå]",
    "`kode` og ```blokk```",
    "Bodø kommune: 12,5 % (2024) – «sitat» & &amp; &lt;b&gt; \\*",
    "[1] Samfunnsplan · Trondheim · 2022 · s. 3",
    "a\\",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_md_shows_document_text_literally(text):
    escaped = render.md(text)
    assert leaks(escaped) == [], escaped
    assert literal(escaped) == " ".join(text.split())


@pytest.mark.parametrize("text", HOSTILE)
def test_md_of_pieces_joins_into_md_of_the_whole(text):
    # a streamed answer is escaped piece by piece; st.write_stream renders the joined pieces
    for cut in range(len(text) + 1):
        assert render.md(text[:cut]) + render.md(text[cut:]) == render.md(text)


def test_md_leaves_letters_digits_and_space_alone():
    assert render.md("Bærekraft i Bodø 2024 – sånn går det") == "Bærekraft i Bodø 2024 – sånn går det"


def test_highlight_marks_each_line_of_a_list_quoted_as_one_unit():
    passage = "Trondheimspanelet\nPanelutvelgelse: 4000 SMS-er\nAnnet <b>\nRespons fra innbyggerne: 370 ville delta\nSlutt."
    out = render.highlight(passage, "Panelutvelgelse: 4000 SMS-er; Respons fra innbyggerne: 370 ville delta")
    assert out.count('<mark class="quote">') == 2 and "Annet &lt;b&gt;" in out
    assert '<mark class="quote">Respons fra innbyggerne: 370 ville delta</mark>' in out
    one = render.highlight(passage, "Panelutvelgelse: 4000 SMS-er; finnes ikke")
    assert one.count("<mark") == 1
