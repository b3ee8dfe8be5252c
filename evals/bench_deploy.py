"""The running app under load, measured in a real browser: questions during an upload, and 4 clients at once.

`python -m evals.bench_deploy [--clients 4] [--upload-mb 2]` (needs the test extras: Playwright and
Debian's /usr/bin/chromium, as `make test` installs them).

It ingests corpus/ into a temporary data dir, starts `python -m assistant app` on loopback (answering
by quoting, so the figures are the app's own and not a model's), and drives headless Chromium:
1. baseline: one client asks the questions one after another, three rounds;
2. concurrent: `--clients` pages ask the questions at the same time (same store as the baseline);
3. during an upload: a second page uploads a text file of up to `--upload-mb` MB (NorQuAD validation
   text, about 1 MB in all) through the staff sidebar, and while its background job ingests it and
   the page shows its progress, another client asks the same questions, round after round, until
   the upload is in. The uploading page runs in a second Chromium at nice 19: an editor uploads from
   their own machine, so their browser's rendering (the progress polled every second) should not
   take the asking client's CPU here (`--uploader-priority same` puts it in the asking browser);
4. after the upload: three rounds once more, over the larger store.
For every question it records the search time the app reports under the answer ("søk X s", measured
in the server) and the time from Enter to the finished answer in the browser, and prints p50/p95 per
phase beside the baseline. Target: a question
during an upload waits no longer than without it (within 20 %).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from assistant.app import App
from assistant.core.settings import get_settings
from evals.metrics import percentile
from evals.norquad import load_split

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
QUESTIONS = [
    "Hvem finansierer FN-senteret i Trondheim?",
    "Hvor mange innbyggere ville delta i Trondheimspanelet?",
    "Hva er adressen til FN-senteret i Trondheim?",
    "Hvor mange personer jobber i sekretariatet til FN-senteret?",
    "Hvilke kunnskapsmiljøer er med i Kortreist Kvalitet?",
    "Når var nettverkssamlingen i Stad?",
]
BOX = "Still et spørsmål om dokumentene"
ROUNDS = 3  # rounds of the questions per phase (the concurrent phase: one round per client)


def free_port() -> int:
    """Return a free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(data_dir: Path, port: int, log: Path) -> subprocess.Popen:
    """Start `python -m assistant app` over the data dir and wait until it answers its health check."""
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(data_dir), "ASSISTANT_CORPUS_DIR": str(ROOT / "corpus"),
           "ASSISTANT_LLM": "extractive", "ANONYMIZED_TELEMETRY": "False", "HF_HUB_OFFLINE": "1",
           "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-m", "assistant", "app", "--port", str(port)], env=env,
                               stdout=log.open("w"), stderr=subprocess.STDOUT, cwd=data_dir)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1) as response:
                if response.status == 200:
                    return process
        except OSError:
            time.sleep(0.5)
    process.kill()
    raise RuntimeError(f"the app did not start; see {log}")


async def ask(page, question: str) -> tuple[float, float]:
    """Return the search time the app reports under the answer ("søk X s") and the seconds from Enter to the answer."""
    captions = page.get_by_text(re.compile(r"^Svart av .* søk [\d.]+ s"))
    before = await captions.count()
    box = page.get_by_placeholder(BOX)
    await box.fill(question)
    started = time.perf_counter()
    await box.press("Enter")
    await captions.nth(before).wait_for()  # the finished turn's caption: who answered, search and total time
    whole = time.perf_counter() - started
    found = float(re.search(r"søk ([\d.]+) s", await captions.nth(before).inner_text()).group(1))
    await page.get_by_placeholder(BOX).wait_for()
    return found, whole


async def client(browser, url: str, questions: list[str]) -> list[tuple[float, float]]:
    """Return the timings of one browser client asking the questions in turn."""
    context = await browser.new_context(locale="nb-NO")
    page = await context.new_page()
    page.set_default_timeout(300_000)
    await page.goto(url)
    await page.get_by_placeholder(BOX).wait_for()
    out = [await ask(page, q) for q in questions]
    await context.close()
    return out


async def upload(browser, url: str, path: Path) -> tuple[object, float]:
    """Start uploading the file through the staff sidebar; return the page and when ingestion began."""
    context = await browser.new_context(locale="nb-NO")
    page = await context.new_page()
    page.set_default_timeout(300_000)
    await page.goto(url)
    await page.get_by_text("Legg til dokumenter").click()
    await page.locator("input[type=file]").set_input_files(str(path))
    await page.get_by_role("button", name="Legg inn").click()
    await page.get_by_text("Leser inn", exact=False).first.wait_for()
    return page, time.perf_counter()


def summary(label: str, timings: list[tuple[float, float]], base: list[tuple[float, float]] | None = None) -> str:
    """Return one line of p50/p95 of search and answer times (with the ratio to the baseline's p50)."""
    found, whole = [t[0] for t in timings], [t[1] for t in timings]
    line = (f"{label:<34} n={len(timings):<3} search p50 {percentile(found, 50):5.2f} s  p95 {percentile(found, 95):5.2f} s"
            f"   answer p50 {percentile(whole, 50):5.2f} s  p95 {percentile(whole, 95):5.2f} s")
    if base:
        ratio = percentile(whole, 50) / max(percentile([t[1] for t in base], 50), 1e-9)
        line += f"   ({ratio:.2f} × baseline)"
    return line


def niced_chromium(folder: Path) -> Path:
    """Return a script that starts Chromium at nice 19 (the uploader's browser: another machine's CPU in real use)."""
    script = folder / "chromium-nice19"
    script.write_text(f'#!/bin/sh\nexec nice -n 19 {CHROMIUM} "$@"\n', encoding="utf-8")
    script.chmod(0o755)
    return script


async def run(url: str, upload_file: Path, clients: int, uploader: Path | None = None) -> None:
    """Drive the three phases and print their figures (the upload from a Chromium at `uploader`, if given)."""
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        args = ["--no-sandbox", "--disable-gpu", "--no-first-run"]
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=args)
        uploading = browser if uploader is None else await p.chromium.launch(executable_path=str(uploader),
                                                                             headless=True, args=args)
        await client(browser, url, QUESTIONS)  # warm-up: models loaded, every question's sentences embedded once
        base = await client(browser, url, QUESTIONS * ROUNDS)
        print(summary("baseline (1 client)", base), flush=True)
        results = await asyncio.gather(*(client(browser, url, QUESTIONS) for _ in range(clients)))
        print(summary(f"{clients} clients at once", [t for r in results for t in r], base), flush=True)

        page, began = await upload(uploading, url, upload_file)
        during: list[tuple[float, float]] = []
        while True:  # rounds of the questions for as long as the upload is being ingested
            during += await client(browser, url, QUESTIONS)
            still = await page.get_by_text("Leser inn", exact=False).count() > 0
            if not still or len(during) >= len(QUESTIONS) * 4 * ROUNDS:
                break
        print(summary("during an upload's ingestion", during, base)
              + ("   (the upload finished during the last round)" if not still else ""), flush=True)
        outcome = page.get_by_text(re.compile(r"er lagt inn|ikke lagt inn|ble ikke"))
        await outcome.first.wait_for()
        print(f"  the upload's ingestion took {time.perf_counter() - began:.0f} s: "
              f"{await outcome.first.inner_text()}", flush=True)
        after = await client(browser, url, QUESTIONS * ROUNDS)
        print(summary("after the upload (larger store)", after, base), flush=True)
        if uploading is not browser:
            await uploading.close()
        await browser.close()


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m evals.bench_deploy", description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--upload-mb", type=float, default=2.0, help="size of the uploaded text file (at most the ~1 MB of NorQuAD validation text)")
    parser.add_argument("--uploader-priority", choices=["nice", "same"], default="nice",
                        help="the uploading page's Chromium at nice 19 (its own machine in real use) or in the asking browser")
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        print("needs Debian's chromium (/usr/bin/chromium); `make test` installs it", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="bench-deploy-") as tmp:
        data = Path(tmp) / "data"
        settings = get_settings(data_dir=data, corpus_dir=ROOT / "corpus").model_copy(update={"data_dir": data})
        App(settings).ingester().ingest([ROOT / "corpus"], progress=False)
        text, size = [], 0
        for doc in load_split("validation")[0]:
            text.append(doc.pages[0].text)
            size += len(text[-1].encode())
            if size >= args.upload_mb * 1024 * 1024:
                break
        upload_file = Path(tmp) / "opplasting.txt"
        upload_file.write_text("Opplastet testdokument\n\n" + "\n\n".join(text), encoding="utf-8")
        print(f"corpus ingested; upload {upload_file.stat().st_size / 1024 / 1024:.1f} MB; "
              f"{len(QUESTIONS)} questions per client, answered by quoting; uploader's browser: "
              + ("nice 19" if args.uploader_priority == "nice" else "the asking browser"))
        uploader = niced_chromium(Path(tmp)) if args.uploader_priority == "nice" else None
        port = free_port()
        app = start_app(data, port, Path(tmp) / "app.log")
        try:
            asyncio.run(run(f"http://127.0.0.1:{port}", upload_file, args.clients, uploader))
        finally:
            app.terminate()
            app.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
