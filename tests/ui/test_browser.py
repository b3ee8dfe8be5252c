"""End to end in a real browser: Debian's Chromium, driven by Playwright, against `assistant app` (ui/server.py)."""

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
def running_app(settings, log_dir: Path, port: int | None = None, **env: str) -> Iterator[str]:
    """Yield the URL of `python -m assistant app` on a (free) port, started from a folder outside the checkout."""
    port = port or free_port()
    log_path = log_dir / "streamlit.log"
    cwd = log_dir / "cwd"  # no .streamlit/config.toml here: the command itself must keep everything local
    cwd.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p),
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

    command = [sys.executable, "-m", "assistant", "app", "--port", str(port)]
    with serving(command, ready, log_path, "assistant app", env=env, cwd=cwd):
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
    box.fill("Hvor mange innbyggere ville delta i Trondheimspanelet?")
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


def listening(port: int) -> list[str]:
    """Return the local addresses (hex, as /proc/net/tcp* shows them) of sockets listening on the port."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, _, hex_port = local.rpartition(":")
            if state == "0A" and int(hex_port, 16) == port:
                found.append(address)
    return found


def test_app_command_listens_on_loopback_only_from_any_folder(browser, app_url):
    port = urlparse(app_url).port
    addresses = listening(port)
    loopback = {"0100007F", "00000000000000000000000001000000"}  # 127.0.0.1, ::1
    assert addresses and set(addresses) <= loopback, f"listening on {addresses}"
    requests: list[str] = []
    page = open_page(browser, app_url, requests)
    page.get_by_placeholder("Still et spørsmål om dokumentene").wait_for()
    page.wait_for_load_state("networkidle")
    assert_only_local(requests)  # among them no usage statistics, though started outside the checkout


def test_public_mode_has_no_staff_pages_and_no_upload(browser, corpus_settings, tmp_path):
    requests: list[str] = []
    with running_app(corpus_settings, tmp_path, ASSISTANT_MODE="public") as url:
        page = open_page(browser, url, requests)
        page.get_by_text("Hvordan går det med bærekraftsarbeidet").wait_for()
        assert page.get_by_role("link", name="Chat for ansatte").count() == 0
        page.get_by_role("combobox", name="Kommune").click()
        page.keyboard.type("Trondh")
        page.get_by_role("option", name="Trondheim").click()
        page.get_by_text("Orientering om samfunnsplanen – Kommunale råd januar 2022").wait_for()
        assert page.locator("input[type=file]").count() == 0
        for path in ("/chat_page", "/chat-for-ansatte"):  # the staff page is not served at its address either
            page.goto(url + path)
            page.get_by_text("Hvordan går det med bærekraftsarbeidet").wait_for()
            assert page.get_by_placeholder("Still et spørsmål om dokumentene").count() == 0
            assert page.locator("input[type=file]").count() == 0
        page.screenshot(path=str(tmp_path / "public.png"), full_page=True)
    assert_only_local(requests)


@pytest.fixture
def oidc_provider(tmp_path):
    """Yield the metadata URL of a real OpenID Connect provider (oidc-provider-mock) on loopback."""
    port = free_port()
    metadata = f"http://127.0.0.1:{port}/.well-known/openid-configuration"

    def ready() -> bool:
        try:
            with urllib.request.urlopen(metadata, timeout=1) as response:
                return response.status == 200
        except OSError:
            return False

    command = [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", str(port)]
    with serving(command, ready, tmp_path / "oidc.log", "oidc-provider-mock", timeout=60):
        yield metadata


def test_staff_sign_in_with_openid_connect(browser, corpus_settings, oidc_provider, tmp_path):
    port = free_port()
    env = {"ASSISTANT_OIDC_METADATA_URL": oidc_provider, "ASSISTANT_OIDC_CLIENT_ID": "baerekraftsassistenten",
           "ASSISTANT_OIDC_CLIENT_SECRET": "hemmelig-testnokkel", "ASSISTANT_PUBLIC_URL": f"http://127.0.0.1:{port}"}
    app_requests: list[str] = []
    with running_app(corpus_settings, tmp_path, port, **env) as url:
        context = browser.new_context(locale="nb-NO")
        # The provider's own page links a stylesheet on a CDN: never fetched, and not the app's request.
        context.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/]|localhost[:/])"), lambda route: route.abort())
        page = context.new_page()
        page.set_default_timeout(120_000)
        page.on("request", lambda r: app_requests.append(r.url) if r.frame.url.startswith(url) else None)
        page.goto(url)
        page.get_by_text("Logg inn for ansatte").first.wait_for()
        assert page.get_by_placeholder("Still et spørsmål om dokumentene").count() == 0
        page.get_by_role("button", name="Logg inn med kommunens konto").click()
        page.locator("input[name=sub]").fill("saksbehandler@kommune.no")  # the provider's sign-in form
        page.get_by_role("button", name="Authorize").click()
        page.get_by_placeholder("Still et spørsmål om dokumentene").wait_for()  # back in the app, signed in
        assert page.locator("input[type=file]").count() == 1  # staff may upload
        page.screenshot(path=str(tmp_path / "signed-in.png"), full_page=True)
        page.get_by_role("button", name="Logg ut").click()
        page.get_by_role("button", name="End session").click()  # the provider confirms, then sends us back
        page.get_by_text("Logg inn for ansatte").first.wait_for()
        assert page.get_by_placeholder("Still et spørsmål om dokumentene").count() == 0
        context.close()
    assert_only_local(app_requests)
