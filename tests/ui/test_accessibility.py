"""Universal design (WCAG 2.1 AA, as Norwegian public web solutions must meet) of both pages, in a real browser.

axe-core audits each page in use (a question answered; a kommune chosen and its summary shown); a resident gets
through Kommunestatus and asks a question with the keyboard alone, with the focus visible at every stop; headings and
lists are real ones; text reflows at 320 px and at 200 % zoom. axe-core comes from npm (`make axe`, run by `make test`).
Figures: `pytest -rP tests/ui/test_accessibility.py` prints them (README, "Universal design").
"""

from __future__ import annotations

import json
import os
import re

import pytest

from tests.conftest import ROOT
from tests.ui.test_browser import app_url, assert_only_local, browser, open_page  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.slow]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
QUESTION_BOX = "Still et spørsmål om dokumentene"

RUN_AXE = """async tags => {
  const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return {version: r.testEngine.version, passes: r.passes.length, incomplete: r.incomplete.length,
          violations: r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                              nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary)}))};
}"""
# Streamlit scrolls its own main area, and axe skips text scrolled out of it: audit with every line in the viewport.
CONTENT_HEIGHT = """() => Math.max(...[...document.querySelectorAll('[data-testid=stMain], [data-testid=stSidebarContent], body')]
                                  .map(e => e.scrollHeight))"""
# The focus is visible when the focused element, or the field box it sits in (select, chat input), has an outline.
FOCUS_VISIBLE = """() => {
  for (let e = document.activeElement, i = 0; e && e !== document.body && i < 5; e = e.parentElement, i++) {
    const s = getComputedStyle(e);
    if (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 1) return true;
  }
  return false;
}"""
FOCUSED = """() => { const e = document.activeElement;
  return {tag: e.tagName, role: e.getAttribute('role'), label: e.getAttribute('aria-label'),
          placeholder: e.getAttribute('placeholder'), text: (e.innerText || '').trim().slice(0, 120)}; }"""
# Horizontal scrolling of the page, or of Streamlit's main area (which is what scrolls), in CSS pixels.
OVERFLOW = """() => [document.scrollingElement, document.querySelector('[data-testid=stMain]')]
  .filter(Boolean).map(e => e.scrollWidth - e.clientWidth)"""


@pytest.fixture(scope="module")
def axe_js() -> str:
    """Return axe-core's script, installed from npm by `make axe`; missing fails under CI and skips elsewhere."""
    if not AXE.exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the accessibility audit: {AXE.relative_to(ROOT)} is missing (`make axe`)")
        pytest.skip(f"axe-core is not installed ({AXE.relative_to(ROOT)}); `make axe` installs it with npm")
    return AXE.read_text(encoding="utf-8")


def audit(page, axe_js: str, name: str) -> dict:
    """Run axe-core's WCAG 2.1 A/AA rules on the whole page; print and return the figures."""
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": min(page.evaluate(CONTENT_HEIGHT) + 50, 10_000)})
    try:
        page.wait_for_timeout(300)  # let Streamlit lay out at the new height
        page.add_script_tag(content=axe_js)
        result = page.evaluate(RUN_AXE, WCAG21_AA)
    finally:
        page.set_viewport_size(size)
    impacts = {i: sum(v["impact"] == i for v in result["violations"]) for i in ("critical", "serious", "moderate", "minor")}
    figures = {"page": name, "axe": result["version"], "violations": impacts, "passes": result["passes"],
               "incomplete": result["incomplete"], "rules": {v["id"]: v["impact"] for v in result["violations"]}}
    print("axe-core", json.dumps(figures, ensure_ascii=False))
    result["figures"] = figures
    return result


def answered_chat(page) -> None:
    """Ask a question on the chat page and wait for the answer with its sources."""
    box = page.get_by_placeholder(QUESTION_BOX)
    box.fill("Hvor mange innbyggere ville delta i Trondheimspanelet?")
    box.press("Enter")
    page.get_by_text("Kilder", exact=True).wait_for()
    page.get_by_text(re.compile(r"^Svart av ")).wait_for()


def trondheim_summary(page, base_url: str) -> None:
    """Open Kommunestatus, choose Trondheim, make its summary and wait for the whole page."""
    page.goto(f"{base_url}/kommunestatus")
    page.get_by_role("combobox", name="Kommune").click()
    page.keyboard.type("Trondh")
    page.get_by_role("option", name="Trondheim").click()
    page.get_by_role("button", name="Lag en kort oppsummering").click()
    settled_summary(page)


def settled_summary(page) -> None:
    """Wait until the summary, its readability line and the suggested questions are all shown."""
    page.get_by_text(re.compile(r"^Lesbarhet: LIX")).first.wait_for()
    page.get_by_role("heading", name="Spørsmål du kan stille").wait_for()
    page.get_by_text(re.compile(r"^Svarene lages av")).wait_for()


def assert_no_serious(result: dict) -> None:
    serious = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, json.dumps(serious, ensure_ascii=False, indent=1)


def test_axe_finds_nothing_serious_on_the_answered_chat_page(browser, app_url, axe_js):
    requests: list[str] = []
    page = open_page(browser, app_url, requests)
    answered_chat(page)
    assert page.evaluate("document.documentElement.lang") == "nb"  # axe checks that a lang is set, not which
    assert_no_serious(audit(page, axe_js, "Chat for ansatte"))
    assert_only_local(requests)


def test_axe_finds_nothing_serious_on_kommunestatus_with_a_summary(browser, app_url, axe_js):
    requests: list[str] = []
    page = open_page(browser, app_url, requests)
    trondheim_summary(page, app_url)
    assert page.evaluate("document.documentElement.lang") == "nb"
    assert_no_serious(audit(page, axe_js, "Kommunestatus"))
    assert_only_local(requests)


def focus(page, matches, key: str = "Tab", limit: int = 60) -> dict:
    """Press `key` until the focused element matches; assert that the focus is visible there and return it."""
    for _ in range(limit):
        page.keyboard.press(key)
        focused = page.evaluate(FOCUSED)
        if matches(focused):
            assert page.evaluate(FOCUS_VISIBLE), f"the keyboard focus is not visible on {focused}"
            return focused
    pytest.fail(f"nothing matching was reached with {key} in {limit} presses")


def test_a_resident_uses_kommunestatus_and_asks_with_the_keyboard_alone(browser, app_url):
    requests: list[str] = []
    page = open_page(browser, f"{app_url}/kommunestatus", requests)
    page.get_by_role("combobox", name="Kommune").wait_for()
    assert page.get_by_role("heading", name="Kommunestatus", level=1).is_visible()

    # Choose the kommune: Tab to the field, type the start of the name, arrow keys move in the list, Enter takes it.
    focus(page, lambda f: f["role"] == "combobox" and f["label"] == "Kommune")
    page.keyboard.type("Trondh")
    page.get_by_role("option", name="Trondheim").wait_for()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Dokumenter vi har lest", level=3).wait_for()
    assert "Trondheim" in page.get_by_role("combobox", name="Kommune").aria_snapshot()

    # Headings and lists are real ones: the documents are one list of two items, not two lists.
    # (the 17-goals grid below names the same documents in lists of its own: the first such list is the documents')
    documents = page.get_by_role("list").filter(has_text="11 ting du bør vite om FN-senteret").first
    assert documents.get_by_role("listitem").count() == 2
    assert page.get_by_role("link", name="Link to heading").count() == 0  # no English-named Tab stops

    # Make and read the summary.
    focus(page, lambda f: f["tag"] == "BUTTON" and f["text"] == "Lag en kort oppsummering")
    page.keyboard.press("Enter")
    settled_summary(page)
    for name in ("Kort oppsummering", "Spørsmål du kan stille"):
        assert page.get_by_role("heading", name=name, level=3).is_visible()
    assert page.locator("[data-testid=stMain]").get_by_text(re.compile(r"\[1\]")).first.is_visible()

    # Ask one of the suggested questions.
    question = focus(page, lambda f: f["tag"] == "BUTTON" and f["text"].startswith("Hvordan arbeider Trondheim"))
    page.keyboard.press("Enter")
    page.locator("strong", has_text=question["text"]).wait_for()
    page.get_by_text(re.compile(r"^Lesbarhet: LIX")).nth(1).wait_for()

    # Back up with Shift+Tab to the page list, open the chat and ask in words of one's own.
    focus(page, lambda f: f["tag"] == "A" and f["text"] == "Chat for ansatte", key="Shift+Tab", limit=80)
    page.keyboard.press("Enter")
    page.get_by_placeholder(QUESTION_BOX).wait_for()
    focus(page, lambda f: f["placeholder"] == QUESTION_BOX)
    page.keyboard.type("Hva er U4SSC?")
    page.keyboard.press("Enter")
    page.get_by_text("Kilder", exact=True).wait_for()
    assert page.get_by_role("heading", name="Bærekraftsassistenten", level=1).is_visible()
    assert page.locator(".answer").first.inner_text().strip()
    assert_only_local(requests)


@pytest.mark.parametrize(
    ("width", "height", "scale"),
    [(320, 640, 1), (640, 450, 2)],
    ids=["320px", "200%-zoom"],  # 200 % zoom of a 1280x900 window: a 640x450 CSS-pixel viewport at twice the density
)
def test_text_reflows_without_horizontal_scrolling(browser, app_url, width, height, scale):
    requests: list[str] = []
    context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=scale, locale="nb-NO")
    page = context.new_page()
    page.on("request", lambda request: requests.append(request.url))
    page.set_default_timeout(120_000)
    try:
        page.goto(app_url)
        answered_chat(page)
        assert max(page.evaluate(OVERFLOW)) <= 0, f"the chat page scrolls sideways at {width}px"
        trondheim_summary(page, app_url)
        assert max(page.evaluate(OVERFLOW)) <= 0, f"Kommunestatus scrolls sideways at {width}px"
    finally:
        context.close()
    assert_only_local(requests)
