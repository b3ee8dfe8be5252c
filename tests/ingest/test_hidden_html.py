"""HTML text hidden by the page's own stylesheet is not ingested, and how much was left out is counted (issue 19).

Every case is a real page parsed by the real loader: the visible "4 kilometer" must stay, the hidden
"987 kilometer sykkelvei" (21 characters without spaces) must go, and `hidden_chars` must say 21.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.load import LoadError, load_document
from ingest.loaders.base import count_chars
from ingest.loaders.css import media_applies, specificity

SHOWN = "4 kilometer"
HIDDEN = "987 kilometer sykkelvei"
P_SHOWN = f"<p>{SHOWN}</p>"
P_HIDDEN = f'<p class="x">{HIDDEN}</p>'


def load(tmp_path: Path, css: str, body: str, head_extra: str = ""):
    """Return the Document of a page with `css` in a <style> in its head and `body` as its body."""
    path = tmp_path / "side.html"
    page = (f"<!DOCTYPE html><html lang='no'><head><title>Sykkelveier</title>{head_extra}"
            f"<style>{css}</style></head><body>{body}</body></html>")
    path.write_text(page, encoding="utf-8")
    return load_document(path, "side.html")


# (stylesheet, body): the body holds "4 kilometer" visibly and "987 kilometer sykkelvei" hidden by the stylesheet.
HIDDEN_BY_STYLESHEET = {
    "class display:none": (".x{display:none}", P_SHOWN + P_HIDDEN),
    "class visibility:hidden": (".x{visibility:hidden}", P_SHOWN + P_HIDDEN),
    "class visibility:collapse": (".x{visibility:collapse}", P_SHOWN + P_HIDDEN),
    "absolute left -9999px": (".x{position:absolute; left:-9999px}", P_SHOWN + P_HIDDEN),
    "fixed top -10000px": (".x{position:fixed;top:-10000px}", P_SHOWN + P_HIDDEN),
    "absolute right -200em": (".x{position:absolute;right:-200em}", P_SHOWN + P_HIDDEN),
    "absolute left -100%": (".x{position:absolute;left:-100%}", P_SHOWN + P_HIDDEN),
    "relative left -9999px": (".x{position:relative;left:-9999px}", P_SHOWN + P_HIDDEN),
    "id selector": ("#tall{display:none}", P_SHOWN + f'<p id="tall">{HIDDEN}</p>'),
    "descendant selector": (".boks p{display:none}", P_SHOWN + f'<div class="boks"><div><p>{HIDDEN}</p></div></div>'),
    "child selector": ("div > .x{display:none}", P_SHOWN + f"<div>{P_HIDDEN}</div>"),
    "adjacent sibling": ("h2 + p{display:none}", f"{P_SHOWN}<h2>Tall</h2><p>{HIDDEN}</p>"),
    "nth-of-type": ("p:nth-of-type(2){display:none}", f"{P_SHOWN}<p>{HIDDEN}</p>"),
    "not()": ("p:not(.synlig){display:none}", f'<p class="synlig">{SHOWN}</p><p>{HIDDEN}</p>'),
    "attribute selector": ("[data-skjult]{display:none}", P_SHOWN + f"<p data-skjult>{HIDDEN}</p>"),
    "attribute value": ('[data-rolle="fyll"]{visibility:hidden}', P_SHOWN + f'<p data-rolle="fyll">{HIDDEN}</p>'),
    "multiple selectors in one rule": (".a, .x, .b{display:none}", P_SHOWN + P_HIDDEN),
    "selector list with :is()": (":is(.a, .x){display:none}", P_SHOWN + P_HIDDEN),
    "upper-case property and value": (".x{DISPLAY: NONE}", P_SHOWN + P_HIDDEN),
    "comments in the stylesheet": ("/* skjul */ .x{ /* her */ display:none }", P_SHOWN + P_HIDDEN),
    "!important beats a later rule": (".x{display:none !important} .x{display:block}", P_SHOWN + P_HIDDEN),
    "!important beats inline style": (".x{display:none!important}",
                                      P_SHOWN + f'<p class="x" style="display:block">{HIDDEN}</p>'),
    "higher specificity beats a later rule": ("p#t.x{display:none} .x{display:block}",
                                              P_SHOWN + f'<p id="t" class="x">{HIDDEN}</p>'),
    "later rule of equal specificity wins": (".x{display:block} .x{display:none}", P_SHOWN + P_HIDDEN),
    "whole subtree under display:none": (
        ".x{display:none}", P_SHOWN + '<div class="x"><p>987 kilometer</p><p style="display:block">sykkelvei</p></div>'),
    "zero height, overflow hidden": (".x{height:0;overflow:hidden}", P_SHOWN + f'<div class="x">{HIDDEN}</div>'),
    "zero width, overflow hidden": (".x{width:0px;overflow:hidden}", P_SHOWN + f'<div class="x">{HIDDEN}</div>'),
    "max-height 0, overflow-y clip": (".x{max-height:0;overflow-y:clip}", P_SHOWN + f'<div class="x">{HIDDEN}</div>'),
    "absolute child of a positioned zero-size box": (".x{position:relative;width:0;overflow:hidden} .x p{position:absolute}",
                                                     P_SHOWN + f'<div class="x"><p>{HIDDEN}</p></div>'),
    "font-size 0": (".x{font-size:0}", P_SHOWN + P_HIDDEN),
    "font-size 1px": (".x{font-size:1px}", P_SHOWN + P_HIDDEN),
    "font-size 2pt": (".x{font-size:2pt}", P_SHOWN + P_HIDDEN),
    "font shorthand 0/0": (".x{font:0/0 a}", P_SHOWN + P_HIDDEN),
    "relative font size under 4 pt": (".boks{font-size:10px} .boks .x{font-size:.3em}",
                                      P_SHOWN + f'<div class="boks">{P_HIDDEN}</div>'),
    "opacity 0": (".x{opacity:0}", P_SHOWN + P_HIDDEN),
    "color transparent": (".x{color:transparent}", P_SHOWN + P_HIDDEN),
    "color with zero alpha": (".x{color:rgba(0, 0, 0, 0)}", P_SHOWN + P_HIDDEN),
    "text-indent -9999px": (".x{text-indent:-9999px}", P_SHOWN + P_HIDDEN),
    "sr-only clip rect": (".x{position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;"
                          "clip:rect(0,0,0,0);white-space:nowrap;border:0}", P_SHOWN + P_HIDDEN),
    "visually-hidden clip-path": (".x{position:absolute;clip-path:inset(50%)}", P_SHOWN + P_HIDDEN),
    "@media screen": ("@media screen{.x{display:none}}", P_SHOWN + P_HIDDEN),
    "@media min-width a desktop meets": ("@media screen and (min-width: 768px){.x{display:none}}", P_SHOWN + P_HIDDEN),
    "@media not print": ("@media not print{.x{display:none}}", P_SHOWN + P_HIDDEN),
    "CSS nesting": (".boks{color:black; .x{display:none}}", P_SHOWN + f'<div class="boks">{P_HIDDEN}</div>'),
    "CSS nesting with &": (".x{color:black; &.skjult{visibility:hidden}}", P_SHOWN + f'<p class="x skjult">{HIDDEN}</p>'),
    "@media nested in a rule": (".x{@media screen{display:none}}", P_SHOWN + P_HIDDEN),
    "@supports": ("@supports (display:grid){.x{display:none}}", P_SHOWN + P_HIDDEN),
    "an unparsable selector does not stop the rest": (
        "a:visited{color:red} p:ukjent-pseudo(2){display:block} .x::before{content:'x'} .x{display:none}",
        P_SHOWN + P_HIDDEN),
    "unclosed last rule": (".x{display:none", P_SHOWN + P_HIDDEN),
    "hidden table row": ("tr.x{visibility:collapse}",
                         f'<table><tr><td>{SHOWN}</td></tr><tr class="x"><td>{HIDDEN}</td></tr></table>'),
    "nested inline text": (".x{visibility:hidden}",
                           P_SHOWN + '<p class="x">987 <b>kilometer</b> <i>sykkel<span>vei</span></i></p>'),
}


@pytest.mark.parametrize(("css", "body"), list(HIDDEN_BY_STYLESHEET.values()), ids=list(HIDDEN_BY_STYLESHEET))
def test_text_hidden_by_the_stylesheet_is_not_ingested(tmp_path: Path, css: str, body: str) -> None:
    doc = load(tmp_path, css, body)
    text = doc.pages[0].text
    assert SHOWN in text
    assert "987" not in text and "sykkel" not in text, text
    assert doc.hidden_chars == count_chars(HIDDEN) == 21


# (stylesheet, body): "987 kilometer sykkelvei" is on screen after all and must be kept.
SHOWN_DESPITE_STYLESHEET = {
    "later rule overrides": (".x{display:none} .x{display:block}", P_SHOWN + P_HIDDEN),
    "id beats a later class rule": ("#v{display:block} .x{display:none}", P_SHOWN + f'<p id="v" class="x">{HIDDEN}</p>'),
    "inline style beats a normal rule": (".x{display:none}", P_SHOWN + f'<p class="x" style="display:block">{HIDDEN}</p>'),
    ":where() counts nothing": (".boks .x{display:block} :where(.boks) .x{display:none}",
                                P_SHOWN + f'<div class="boks">{P_HIDDEN}</div>'),
    "@media print": ("@media print{.x{display:none}}", P_SHOWN + P_HIDDEN),
    "@media for phones": ("@media (max-width: 600px){.x{display:none}}", P_SHOWN + P_HIDDEN),
    "@media range for phones": ("@media (width < 600px){.x{display:none}}", P_SHOWN + P_HIDDEN),
    "@media we cannot judge": ("@media (prefers-reduced-data: reduce){.x{display:none}}", P_SHOWN + P_HIDDEN),
    ":hover is not the state a page opens in": (".x:hover{display:none}", P_SHOWN + P_HIDDEN),
    ":focus is not either": (".x:focus{visibility:hidden}", P_SHOWN + P_HIDDEN),
    "a pseudo-element rule is not about the element": (".x::before{display:none} .x:after{display:none}",
                                                       P_SHOWN + P_HIDDEN),
    "a value that does not hide": (".x{display:none-ish}", P_SHOWN + P_HIDDEN),
    "a rule for another class": (".y{display:none}", P_SHOWN + P_HIDDEN),
    "a descendant undoes visibility:hidden": (".x{visibility:hidden} .x span{visibility:visible}",
                                              P_SHOWN + f'<p class="x"><span>{HIDDEN}</span></p>'),
    "font-size 0 reset by the children": (".rad{font-size:0} .rad .x{font-size:16px}",
                                          P_SHOWN + f'<div class="rad">{P_HIDDEN}</div>'),
    "small but readable font": (".x{font-size:9px}", P_SHOWN + P_HIDDEN),
    "a transparent colour undone by a child": (".x{color:transparent} .x b{color:#000}",
                                               P_SHOWN + f'<p class="x"><b>{HIDDEN}</b></p>'),
    "zero width without overflow hidden": (".x{width:0}", P_SHOWN + f'<div class="x">{HIDDEN}</div>'),
    "zero height with padding (aspect-ratio box)": (".x{height:0;padding-bottom:56%;overflow:hidden}",
                                                    P_SHOWN + f'<div class="x">{HIDDEN}</div>'),
    "a fixed child escapes a zero-size box (an off-canvas menu)": (
        ".overlay{position:fixed;width:0;overflow-x:hidden} #meny{position:fixed;top:0;width:220px}",
        P_SHOWN + f'<div class="overlay"><div id="meny">{HIDDEN}</div></div>'),
    "an absolute child escapes a static zero-size box": (".x{height:0;overflow:hidden} .x p{position:absolute}",
                                                         P_SHOWN + f'<div class="x"><p>{HIDDEN}</p></div>'),
    "width does not apply to an inline span": ("span.x{width:0;overflow:hidden}",
                                               P_SHOWN + f'<p><span class="x">{HIDDEN}</span></p>'),
    "a small negative offset": (".x{position:absolute;left:-20px}", P_SHOWN + P_HIDDEN),
    "an offset without positioning": (".x{left:-9999px}", P_SHOWN + P_HIDDEN),
    "clip without absolute positioning": (".x{clip:rect(0 0 0 0)}", P_SHOWN + P_HIDDEN),
    "half opacity": (".x{opacity:.5}", P_SHOWN + P_HIDDEN),
    "nested under a state the page is not in": (".boks:hover{.x{display:none}}",
                                                P_SHOWN + f'<div class="boks">{P_HIDDEN}</div>'),
    "a page that fades in with a script": ("body{opacity:0} body.lastet{opacity:1}", P_SHOWN + P_HIDDEN),
    "a page that unhides itself with a script": ("html{visibility:hidden} html.klar{visibility:visible}",
                                                 P_SHOWN + P_HIDDEN),
    "a custom property is not display": (".x{--display:none}", P_SHOWN + P_HIDDEN),
}


@pytest.mark.parametrize(("css", "body"), list(SHOWN_DESPITE_STYLESHEET.values()), ids=list(SHOWN_DESPITE_STYLESHEET))
def test_text_on_screen_is_kept(tmp_path: Path, css: str, body: str) -> None:
    doc = load(tmp_path, css, body)
    assert SHOWN in doc.pages[0].text and HIDDEN in doc.pages[0].text
    assert doc.hidden_chars == 0


def test_a_print_stylesheet_and_a_non_css_style_element_are_not_applied(tmp_path: Path) -> None:
    extra = '<style media="print">.x{display:none}</style><style type="text/x-mal">.x{display:none}</style>'
    doc = load(tmp_path, "", P_SHOWN + P_HIDDEN, head_extra=extra)
    assert HIDDEN in doc.pages[0].text and doc.hidden_chars == 0


def test_a_style_element_in_the_body_applies_to_the_whole_page(tmp_path: Path) -> None:
    doc = load(tmp_path, "", P_SHOWN + P_HIDDEN + "<style>.x{display:none}</style>")
    assert "987" not in doc.pages[0].text and doc.hidden_chars == 21


def test_issue_page_quotes_only_the_visible_figure(tmp_path: Path) -> None:
    css = ".a{display:none} .b{visibility:hidden} .c{position:absolute; left:-9999px}"
    body = ("<h1>Sykkelveier i kommunen</h1><p>Kommunen har 4 kilometer sykkelvei.</p>"
            '<p class="a">Kommunen har 987 kilometer sykkelvei.</p><p class="b">Kommunen har 987 kilometer sykkelvei.</p>'
            '<p class="c">Kommunen har 987 kilometer sykkelvei.</p>')
    doc = load(tmp_path, css, body)
    assert doc.pages[0].text == "Sykkelveier i kommunen\n\nKommunen har 4 kilometer sykkelvei."
    assert doc.hidden_chars == 3 * count_chars("Kommunen har 987 kilometer sykkelvei.")


def test_hidden_headings_give_no_heading_hints_or_title(tmp_path: Path) -> None:
    path = tmp_path / "side.html"
    path.write_text("<html><head><style>.skjult{display:none}</style></head><body><h1 class='skjult'>Falsk tittel</h1>"
                    "<h2>Synlig overskrift</h2><p>Tekst.</p></body></html>", encoding="utf-8")
    doc = load_document(path, "side.html")
    assert doc.pages[0].heading_hints == ["Synlig overskrift"] and doc.title == "Synlig overskrift"


def test_only_page_text_is_counted_and_boilerplate_is_not_hidden_text(tmp_path: Path) -> None:
    body = (f"<nav>Meny Hjem Kontakt</nav><script>var tall = 987;</script>{P_SHOWN}"
            f'<div hidden><script>skjultSkript()</script><p>{HIDDEN}</p></div><footer>Bunntekst</footer>')
    doc = load(tmp_path, "", body)
    assert doc.pages[0].text == SHOWN
    assert doc.hidden_chars == 21  # the script inside the hidden block and the menu are not counted


def test_inline_hiding_is_counted_too(tmp_path: Path) -> None:
    body = f'{P_SHOWN}<p style="display:none">{HIDDEN}</p><span style="visibility:hidden">12 tegn her.</span>'
    doc = load(tmp_path, "", body)
    assert doc.pages[0].text == SHOWN and doc.hidden_chars == 21 + count_chars("12 tegn her.")


def test_a_page_whose_text_is_all_hidden_says_so(tmp_path: Path) -> None:
    with pytest.raises(LoadError) as info:
        load(tmp_path, "body *{display:none}", P_HIDDEN)
    assert "skjult" in info.value.reason and "21 tegn" in info.value.reason


def test_a_page_without_any_stylesheet_counts_nothing(tmp_path: Path) -> None:
    doc = load(tmp_path, "", P_SHOWN + P_HIDDEN)
    assert doc.hidden_chars == 0 and HIDDEN in doc.pages[0].text


def test_a_large_stylesheet_on_a_large_page_applies_every_rule(tmp_path: Path) -> None:
    css = "".join(f".k{i} .e{i} > p:first-child{{display:{'none' if i % 2 else 'block'}}}\n"
                  f"@media (max-width:{i}px){{.m{i}{{visibility:hidden}}}}\n" for i in range(1500))
    body = P_SHOWN + "".join(f'<div class="k{i}"><div class="e{i}"><p>Avsnitt {i}.</p></div></div>' for i in range(1500))
    doc = load(tmp_path, css, body)  # its speed is for a benchmark, not a test
    assert "Avsnitt 0." in doc.pages[0].text and "Avsnitt 1." not in doc.pages[0].text
    assert "Avsnitt 1498." in doc.pages[0].text and "Avsnitt 1499." not in doc.pages[0].text


@pytest.mark.parametrize(("query", "applies"), [
    ("", True), ("screen", True), ("all", True), ("print", False), ("speech", False), ("not print", True),
    ("only screen and (min-width: 1024px)", True), ("screen and (max-width: 767px)", False),
    ("(min-width: 40em)", True), ("(max-width: 40em)", False), ("print, screen and (orientation: landscape)", True),
    ("(orientation: portrait)", False), ("(width >= 600px)", True), ("(width < 600px)", False),
    ("(prefers-color-scheme: dark)", False), ("(min-resolution: 2dppx)", False), ("not screen and (max-width: 600px)", True),
])
def test_media_queries_are_judged_for_a_desktop_screen(query: str, applies: bool) -> None:
    assert media_applies(query) is applies


@pytest.mark.parametrize(("selector", "expected"), [
    ("p", (0, 0, 1)), (".x", (0, 1, 0)), ("#a", (1, 0, 0)), ("div > p.x", (0, 1, 2)), ("p#a.x.y[data-z]", (1, 3, 1)),
    (":where(#a) .x", (0, 1, 0)), ("li:nth-child(2n+1 of .x)", (0, 2, 1)), ("a:not(.b)", (0, 1, 1)), ("*", (0, 0, 0)),
])
def test_specificity(selector: str, expected: tuple[int, int, int]) -> None:
    assert specificity(selector) == expected
