"""Real server processes for tests: started, waited for until ready, and always stopped."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def serving(
    command: Sequence[str], ready: Callable[[], bool], log_path: Path, what: str,
    env: dict[str, str] | None = None, cwd: Path | None = None, timeout: float = 90,
) -> Iterator[subprocess.Popen]:
    """Yield the started process once `ready()` is true; fail the test with its log if it dies or times out."""
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(list(command), stdout=log, stderr=subprocess.STDOUT, env=env, cwd=cwd)
        try:
            deadline = time.monotonic() + timeout
            while not ready():
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"{what} did not start: {log_path.read_text(errors='replace')}")
                time.sleep(0.2)
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
