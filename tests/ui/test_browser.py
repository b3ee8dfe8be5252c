"""End to end in a real browser: Debian's Chromium, driven by Playwright, against `streamlit run ui/app.py`."""

from __future__ import annotations

import os
import re
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.conftest import ROOT, free_port
from tests.procs import serving

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [pytest.mark.browser, pytest.mark.slow]
LOCAL = {"127.0.0.1", "localhost"}


@contextmanager
def running_app(settings, log_dir: Path, **env: str) -> Iterator[str]:
    """Yield the URL of `streamlit run ui/app.py` on a free loopback port, stopped afterwards."""
    port = free_port()
    log_path = log_dir / "streamlit.log"
    env = {
        **os.environ,
        "ASSISTANT_DATA_DIR": str(settings.data_dir),
        "ASSISTANT_CORPUS_DIR": str(settings.corpus_dir),
        "ASSISTANT_LLM": "extractive",
        "ANONYMIZED_TELEMETRY": "False",
        "HF_HUB_OFFLINE": "1",
        **env,
    }
    url = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
                return response.status == 200
        except OSError:
            return False

    streamlit = Path(sys.executable).parent / "streamlit"
    command = [str(streamlit), "run", "ui/app.py", "--server.port", str(port), "--server.address", "127.0.0.1"]
    with serving(command, ready, log_path, "streamlit", env=env, cwd=ROOT):
        yield url


@pytest.fixture(scope="module")
def app_url(corpus_settings, tmp_path_factory):
    """Yield the URL of the app over the real corpus, answering by quoting (extractive)."""
    with running_app(corpus_settings, tmp_path_factory.mktemp("streamlit")) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    """Yield a headless Debian Chromium launched by Playwright (no browser downloads)."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("CI must run the browser tests: `make test` installs Debian chromium (as root)")
        pytest.skip("Debian chromium is not installed (/usr/bin/chromium); `make test` installs it as root")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"],
        )
        yield browser
        browser.close()


def open_page(browser, url: str, requests: list[str], width: int = 1280, height: int = 900):
    """Return a new page recording every request it makes."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale="nb-NO")
    page = context.new_page()
    page.on("request", lambda request: requests.append(request.url))
    page.set_default_timeout(120_000)
    page.goto(url)
    return page


def assert_only_local(requests: list[str]) -> None:
    outside = [u for u in requests if urlparse(u).scheme in ("http", "https", "ws", "wss") and urlparse(u).hostname not in LOCAL]
    assert requests and not outside, f"requests left the machine: {outside}"


def test_ask_see_streamed_answer_and_source_then_kommunestatus(browser, app_url, tmp_path):
    requests: list[str] = []
    page = open_page(browser, app_url, requests)
    box = page.get_by_placeholder("Still et spørsmål om dokumentene")
    box.fill("Hvilke satsingsområder har samfunnsplanen i Trondheim?")
    box.press("Enter")
    page.get_by_text("Kilder", exact=True).wait_for()
    answer = page.locator(".answer").first
    assert re.search(r"\[1\]", answer.inner_text())
    source = page.locator("[data-testid='stChatMessage'] [data-testid='stExpander'] summary").first
    label = source.inner_text()
    assert "Orientering om samfunnsplanen" in label and re.search(r"s\. \d+", label)
    assert page.locator("mark.quote").first.is_visible()  # the supporting sentence is marked in the passage
    pdf = page.get_by_role("link", name=re.compile("Åpne PDF-en på side"))
    href = pdf.first.get_attribute("href")
    with urllib.request.urlopen(f"{app_url}/{href.split('#')[0]}") as response:  # the cited file is served locally
        assert response.headers["Content-Type"] == "application/pdf" and response.read(5) == b"%PDF-"
    page.screenshot(path=str(tmp_path / "chat.png"), full_page=True)

    page.get_by_role("link", name="Kommunestatus").click()
    page.get_by_text("Hvordan går det med bærekraftsarbeidet").wait_for()
    page.get_by_role("combobox", name="Kommune").click()
    page.keyboard.type("Trondh")
    page.get_by_role("option", name="Trondheim").click()
    page.get_by_text("Orientering om samfunnsplanen – Kommunale råd januar 2022").wait_for()
    page.get_by_text("Bærekraftsrapport Trondheim 2024 finnes, men er ikke lagt inn ennå").wait_for()
    page.screenshot(path=str(tmp_path / "kommunestatus.png"), full_page=True)
    assert (tmp_path / "chat.png").stat().st_size > 10_000 and (tmp_path / "kommunestatus.png").stat().st_size > 10_000
    assert_only_local(requests)


def test_phone_width_and_keyboard(browser, app_url, tmp_path):
    requests: list[str] = []
    page = open_page(browser, app_url, requests, width=390, height=844)
    box = page.get_by_placeholder("Still et spørsmål om dokumentene")
    box.wait_for()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"page is {overflow}px wider than a phone screen"
    for _ in range(40):  # the question box is reachable with Tab alone
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.placeholder") == "Still et spørsmål om dokumentene":
            break
    else:
        pytest.fail("the question box could not be reached with the keyboard")
    page.keyboard.type("Hva er U4SSC?")
    page.keyboard.press("Enter")
    page.get_by_text("Kilder", exact=True).wait_for()
    assert page.locator(".answer").first.is_visible()
    page.screenshot(path=str(tmp_path / "phone.png"), full_page=True)
    assert_only_local(requests)


def test_sources_show_before_a_real_model_answers(browser, corpus_settings, model_05b_path, tmp_path):
    requests: list[str] = []
    env = {"ASSISTANT_LLM": "llamacpp", "ASSISTANT_LLAMACPP_MODEL": str(model_05b_path)}
    with running_app(corpus_settings, tmp_path, **env) as url:
        page = open_page(browser, url, requests)
        box = page.get_by_placeholder("Still et spørsmål om dokumentene")
        box.fill("Hvem finansierer FN-senteret i Trondheim?")
        box.press("Enter")
        found = page.get_by_text(re.compile(r"Fant \d+ utdrag – svaret skrives"))
        found.wait_for()
        assert page.locator(".answer").count() == 0  # the sources are up while the model is still writing
        page.screenshot(path=str(tmp_path / "while-writing.png"))
        page.get_by_text(re.compile(r"^Svart av innebygd språkmodell qwen2\.5-coder-0\.5b")).wait_for(timeout=300_000)
        assert page.locator(".answer").first.inner_text().strip()
        page.screenshot(path=str(tmp_path / "answered.png"), full_page=True)
    assert_only_local(requests)
