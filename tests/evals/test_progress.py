"""The evaluation's progress bar: silent without a terminal, harmless when forced on."""

from __future__ import annotations

from evals.progress import progress_bar


def test_progress_is_silent_when_stderr_is_not_a_terminal(capsys):
    with progress_bar(3, "Eval") as advance:
        for i in range(3):
            advance(1, f"ours dev-{i}")
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_forced_progress_without_a_terminal_does_not_break(capsys):
    with progress_bar(2, "Eval", enabled=True) as advance:
        advance(1, "ours dev-1")
        advance(1, "ours dev-2")
    assert "\x1b[" not in capsys.readouterr().err  # rich writes no cursor movement to a non-terminal


def test_progress_shows_count_and_eta_on_a_terminal():
    import io

    from rich.console import Console

    buffer = io.StringIO()
    with progress_bar(4, "Eval", console=Console(file=buffer, force_terminal=True, width=120)) as advance:
        advance(2, "ours dev-002")
    shown = buffer.getvalue()
    assert "Eval" in shown and "2/4" in shown and "ETA" in shown and "ours dev-002" in shown
