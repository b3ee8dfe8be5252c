"""`assistant eval compare A B` on two hand-made result folders: deltas, a better item and a worse item."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT


def _row(id_: str, rank, contains: float, refused: bool = False, answerable: bool = True, latency: float = 0.1,
         citation_precision=1.0) -> dict:
    """Return a hand-made result row of the ours pipeline."""
    return {"id": id_, "pipeline": "ours", "question": f"Spørsmål {id_}?", "answerable": answerable,
            "refused": refused, "rank": rank, "answer_contains": contains, "token_f1": contains,
            "citation_precision": citation_precision, "latency": latency}


def _write(folder: Path, rows: list[dict]) -> Path:
    """Return the folder after writing the rows as its results.jsonl."""
    folder.mkdir(parents=True)
    (folder / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return folder


@pytest.fixture
def runs(tmp_path) -> tuple[Path, Path]:
    """Return run A and run B: q1 got better, q2 got worse, q3 stayed, u1 (unanswerable) now refused."""
    a = _write(tmp_path / "A", [
        _row("q1", 6, 0.0, citation_precision=0.0),
        _row("q2", 1, 1.0),
        _row("q3", 2, 1.0),
        _row("u1", None, 0.0, answerable=False, citation_precision=None),
        _row("only-a", 1, 1.0),
    ])
    b = _write(tmp_path / "B", [
        _row("q1", 1, 1.0, latency=0.2),
        _row("q2", None, 0.0, refused=True, citation_precision=None),
        _row("q3", 2, 1.0),
        _row("u1", None, 1.0, refused=True, answerable=False, citation_precision=None),
    ])
    return a, b


def test_compare_runs_lists_better_and_worse_items_and_deltas(runs):
    from evals.compare import compare_runs, render

    c = compare_runs(*runs)
    verdicts = {i.id: i.verdict for i in c.items}
    assert verdicts == {"q1": "better", "q2": "worse", "u1": "better"}
    q1 = next(i for i in c.items if i.id == "q1")
    assert ("rank 6→1", 1) in q1.changes and ("answer ✗→✓", 1) in q1.changes
    q2 = next(i for i in c.items if i.id == "q2")
    assert ("rank 1→–", -1) in q2.changes and ("now refuses", -1) in q2.changes
    assert c.only_a == 1 and c.only_b == 0

    a, b, delta = c.metrics["ours"]["hit@1"]
    assert (a, b) == (1 / 3, 1 / 3) and delta == 0  # q1 gained rank 1, q2 lost it
    a, b, delta = c.metrics["ours"]["answer_accuracy"]
    assert (a, b) == (0.5, 0.75) and delta == pytest.approx(0.25)

    text = render(c)
    assert "## Better (2)" in text and "## Worse (1)" in text
    assert "ours `q2` Spørsmål q2?: rank 1→–, answer ✓→✗, now refuses" in text
    assert "| answer_accuracy | 0.500 | 0.750 | +0.250 ▲ |" in text
    assert "| latency_p50 |" in text and "▼" in text  # slower is worse
    assert "Only in A: 1 rows" in text


def test_assistant_eval_compare_command(runs, tmp_path):
    from typer.testing import CliRunner

    from assistant.cli.main import app

    out = tmp_path / "compare.md"
    result = CliRunner().invoke(app, ["eval", "compare", str(runs[0]), str(runs[1]), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "## Worse (1)" in result.output and "q2" in result.output
    assert out.read_text(encoding="utf-8") in result.output


def test_python_dash_m_evals_compare(runs):
    done = subprocess.run([sys.executable, "-m", "evals", "compare", str(runs[0]), str(runs[1])], cwd=ROOT,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False)
    assert done.returncode == 0, done.stderr
    assert "## Better (2)" in done.stdout


def test_compare_of_a_folder_without_results_fails_clearly(runs, tmp_path):
    from evals.compare import main

    assert main([str(runs[0]), str(tmp_path / "empty")]) == 2
