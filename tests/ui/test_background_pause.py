"""An upload child steps aside while a question is answered: the switch, the child's pause, and a real child."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

from tests.conftest import ROOT
from ui.background import GO_ON, PAUSE, AnswerLock, BackgroundIngester, Pause, PauseSwitch, PausingEmbedder


class _Recorder:
    """An embedder that records the batches it is given."""

    name, dim, max_tokens = "fake", 3, 512

    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    def embed_passages(self, texts):
        self.batches.append(list(texts))
        return np.array([[len(t), i, 1.0] for i, t in enumerate(texts)], dtype=np.float32).reshape(len(texts), 3)


@pytest.mark.parametrize("count, step, batches", [(0, 2, 0), (1, 2, 1), (2, 2, 1), (5, 2, 3), (5, 1, 5), (7, 3, 3)])
def test_the_pausing_embedder_embeds_in_small_batches_in_order(count, step, batches):
    inner = _Recorder()
    texts = [f"tekst {'x' * i}" for i in range(count)]
    vectors = PausingEmbedder(inner, Pause(), step).embed_passages(texts)
    assert len(inner.batches) == batches and [t for b in inner.batches for t in b] == texts
    assert vectors.shape == (count, 3) and list(vectors[:, 0]) == [len(t) for t in texts]


def test_the_pausing_embedder_passes_everything_else_through():
    embedder = PausingEmbedder(_Recorder(), Pause())
    assert (embedder.name, embedder.dim, embedder.max_tokens) == ("fake", 3, 512)


@pytest.fixture
def handlers():
    """Restore the test process's own SIGUSR1/SIGUSR2 handlers afterwards."""
    saved = signal.getsignal(PAUSE), signal.getsignal(GO_ON)
    yield
    signal.signal(PAUSE, saved[0])
    signal.signal(GO_ON, saved[1])


def test_a_pause_waits_between_batches_until_told_to_go_on(handlers):
    pause = Pause(max_pause=30)
    pause.install()
    os.kill(os.getpid(), PAUSE)
    assert pause.paused
    threading.Timer(0.3, lambda: os.kill(os.getpid(), GO_ON)).start()
    inner = _Recorder()
    started = time.monotonic()
    PausingEmbedder(inner, pause, 1).embed_passages(["a", "b"])
    assert 0.25 < time.monotonic() - started < 10 and len(inner.batches) == 2 and not pause.paused
    assert pause.waited >= 0.25


@pytest.mark.parametrize("limit", [0.1, 0.3])
def test_a_pause_never_outlasts_its_limit(handlers, limit):
    pause = Pause(max_pause=limit)
    pause.install()
    os.kill(os.getpid(), PAUSE)
    started = time.monotonic()
    pause.wait()  # nobody says go on
    assert limit <= time.monotonic() - started < limit + 2


def test_an_unpaused_child_does_not_wait(handlers):
    pause = Pause(max_pause=30)
    pause.install()
    os.kill(os.getpid(), PAUSE)
    os.kill(os.getpid(), GO_ON)
    started = time.monotonic()
    pause.wait()
    assert time.monotonic() - started < 0.05 and pause.waited == 0


SLEEPER = r"""
import json, sys, time
from ui.background import Pause
pause = Pause(max_pause=60)
pause.install()
print("ready", flush=True)
for line in sys.stdin:
    time.sleep(0.2)  # a signal sent just before is handled by now
    print(json.dumps(pause.paused), flush=True)
"""


# slow: quick cover: the pause itself is quick in test_a_pause_waits_between_batches_until_told_to_go_on and test_the_answer_lock_serialises_answers_and_holds_the_switch
@pytest.mark.slow
def test_the_switch_pauses_every_child_while_any_question_runs_and_only_then():
    switch = PauseSwitch()
    children = [subprocess.Popen([sys.executable, "-c", SLEEPER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                 text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}) for _ in range(2)]

    def paused() -> list[bool]:
        states = []
        for child in children:
            child.stdin.write("?\n")
            child.stdin.flush()
            states.append(child.stdout.readline().strip() == "true")
        return states

    try:
        for child in children:
            assert child.stdout.readline().strip() == "ready"
        switch.add(children[0].pid)
        assert paused() == [False, False]
        switch.hold()  # one question
        switch.hold()  # a second, at the same time
        assert paused() == [True, False]  # the second child is not registered yet
        switch.add(children[1].pid)  # a child that starts during a question pauses at once
        assert paused() == [True, True]
        switch.release()
        assert paused() == [True, True]  # one question is still being answered
        switch.release()
        assert paused() == [False, False]
        switch.remove(children[0].pid)
        switch.hold()
        assert paused() == [False, True]  # a child that ended is never signalled
        switch.release()
    finally:
        for child in children:
            child.stdin.close()
            child.wait(timeout=30)


def test_the_answer_lock_serialises_answers_and_holds_the_switch():
    switch = PauseSwitch()
    lock = AnswerLock(switch)
    order = []

    def answer(name: str) -> None:
        with lock:
            order.append(f"{name} in")
            time.sleep(0.1)
            order.append(f"{name} out")

    threads = [threading.Thread(target=answer, args=(n,)) for n in "ab"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert order in (["a in", "a out", "b in", "b out"], ["b in", "b out", "a in", "a out"])
    assert switch._busy == 0  # noqa: SLF001 - released after both


def _cpu_seconds(pid: int) -> float:
    """Return the user and system CPU time a process has used so far."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.mark.slow  # a child process that loads e5 and ingests
def test_a_real_upload_child_uses_no_cpu_while_a_question_holds_the_lock(settings, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    for i in range(12):  # several passages each, so there is embedding to pause
        (folder / f"plan-{i}.txt").write_text(
            f"Plan {i}\n\n" + " ".join(f"Selbu kommune vil bygge {j + i} kilometer gangvei i del {j} av planen." for j in range(120)),
            encoding="utf-8")
    switch = PauseSwitch()
    lock = AnswerLock(switch)
    ingester = BackgroundIngester(settings, switch)
    result = {}
    worker = threading.Thread(target=lambda: result.update(report=ingester.ingest([folder])))
    worker.start()
    deadline = time.monotonic() + 300
    while not switch._children and time.monotonic() < deadline:  # noqa: SLF001 - the child is ready
        time.sleep(0.05)
    pid = next(iter(switch._children))  # noqa: SLF001
    busy = 0.0
    while busy < 0.3 and time.monotonic() < deadline:  # the model is loaded and the child is working
        before = _cpu_seconds(pid)
        time.sleep(0.5)
        busy = _cpu_seconds(pid) - before
    assert busy >= 0.3, "the child never got to work"
    with lock:
        time.sleep(2)  # the child reaches its next safe point
        before = _cpu_seconds(pid)
        time.sleep(3)
        used = _cpu_seconds(pid) - before
    assert used < 0.3, f"the child used {used:.2f} s of CPU while paused"
    worker.join(timeout=600)  # and it goes on when the question is answered
    report = result["report"]
    assert sorted(report.added) == sorted(f"plan-{i}.txt" for i in range(12)) and not report.skipped
