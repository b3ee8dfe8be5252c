"""The evaluation runner on a 5-item slice of the dev set, extractive backend, real corpus; resumable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.app import App
from tests.conftest import ROOT

DEV = ROOT / "evals" / "datasets" / "dev.jsonl"
SLICE = ("dev-001", "dev-003", "dev-055", "dev-060", "dev-065")  # plain, number, two unanswerable, follow-up
PIPELINES = ("ours", "bm25", "vector")


@pytest.fixture
def dataset(tmp_path) -> Path:
    """Return a dataset file holding the 5 chosen dev items."""
    lines = [line for line in DEV.read_text(encoding="utf-8").splitlines()
             if line.strip() and json.loads(line)["id"] in SLICE]
    assert len(lines) == len(SLICE)
    path = tmp_path / "slice.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.slow
def test_run_eval_writes_rows_and_summary_and_resumes(dataset, tmp_path, corpus_settings):
    from evals.run import run_eval

    out = tmp_path / "out"
    summary = run_eval(dataset, out, pipelines=PIPELINES, llm="extractive", k=10, app=App(corpus_settings))

    rows = [json.loads(line) for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted((r["id"], r["pipeline"]) for r in rows) == sorted((i, p) for i in SLICE for p in PIPELINES)
    for row in rows:
        for key in ("question", "answer", "refused", "citations", "retrieved", "latency", "rank", "hit@1",
                    "hit@10", "rr", "answer_contains", "token_f1", "citation_precision"):
            assert key in row, key
        assert len(row["retrieved"]) <= 10
        if row["pipeline"] != "bm25":  # BM25 may find no passage sharing a word with the question
            assert row["retrieved"]
        for passage in row["retrieved"]:
            assert {"source", "page", "text", "score"} <= passage.keys()
        for citation in row["citations"]:
            assert {"source", "page", "text"} <= citation.keys()
        assert row["latency"] > 0

    by = {(r["id"], r["pipeline"]): r for r in rows}
    ours = by[("dev-001", "ours")]
    assert ours["rank"] is not None and ours["rank"] <= 3
    assert not ours["refused"] and ours["answer_contains"] == 1.0
    assert ours["citations"] and ours["citation_precision"] > 0
    assert by[("dev-003", "ours")]["citation_precision"] == 1.0
    assert by[("dev-055", "ours")]["refused"]  # pizza in Roma is not in the documents
    assert by[("dev-055", "ours")]["answer_contains"] == 1.0
    assert by[("dev-055", "ours")]["rank"] is None
    assert "U4SSC" in by[("dev-065", "ours")]["standalone_question"]  # the follow-up was made standalone
    assert by[("dev-001", "bm25")]["rank"] is not None  # keyword retrieval finds the exact wording

    assert summary["items"] == 5 and summary["asked"] == 15
    assert set(summary["pipelines"]) == set(PIPELINES)
    s = summary["pipelines"]["ours"]
    assert s["items"] == 5 and s["answerable"] == 3
    assert s["hit@1"] <= s["hit@3"] <= s["hit@5"] <= s["hit@10"]
    assert s["latency_p50"] is not None and s["latency_p50"] <= s["latency_p95"]
    assert json.loads((out / "summary.json").read_text(encoding="utf-8")) == summary

    # resume: nothing is asked again, nothing is added
    before = (out / "results.jsonl").read_text(encoding="utf-8")
    again = run_eval(dataset, out, pipelines=PIPELINES, llm="extractive", k=10, app=App(corpus_settings))
    assert (out / "results.jsonl").read_text(encoding="utf-8") == before
    assert again["asked"] == 0
    assert again["pipelines"] == summary["pipelines"]


def test_run_eval_resumes_after_a_torn_line_without_asking(dataset, tmp_path, monkeypatch):
    import evals.run as run

    out = tmp_path / "out"
    out.mkdir()
    items = run.load_dataset(dataset)
    rows = [{"id": i["id"], "pipeline": "bm25", "answerable": i["answerable"], "refused": False, "rank": None,
             "answer_contains": 0.0, "token_f1": 0.0, "citation_precision": None, "latency": 1.0} for i in items]
    text = "".join(json.dumps(r) + "\n" for r in rows) + '{"id": "torn'
    (out / "results.jsonl").write_text(text, encoding="utf-8")
    monkeypatch.setattr(run, "make_bots", lambda *a, **kw: pytest.fail("nothing should be asked"))

    summary = run.run_eval(dataset, out, pipelines=("bm25",), app=object())
    assert summary["asked"] == 0
    assert summary["pipelines"]["bm25"]["items"] == 5
    assert summary["pipelines"]["bm25"]["latency_p50"] == 1.0


def test_run_eval_rejects_unknown_pipeline(dataset, tmp_path):
    from evals.run import run_eval

    with pytest.raises(ValueError, match="unknown pipeline"):
        run_eval(dataset, tmp_path / "out", pipelines=("ours", "grep"), app=object())


@pytest.mark.slow  # a second evaluation over the corpus store (5-8 s); quick keeps `assistant eval` of the same run
def test_command_line_prints_the_summary(corpus_settings, tmp_path, monkeypatch, capsys):
    from evals.cli import main

    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(corpus_settings.data_dir))
    assert main(["--dataset", str(DEV), "--out", str(tmp_path / "out"), "--limit", "2", "--pipelines", "ours"]) == 0
    printed = capsys.readouterr().out
    assert "2 items, llm extractive, asked now 2" in printed
    assert [line.split()[0] for line in printed.splitlines() if line.startswith(("ours", "naive"))] == ["ours"]
    assert printed.splitlines()[-1] == f"report: {tmp_path / 'out' / 'report.md'}"
    assert (tmp_path / "out" / "summary.json").exists() and (tmp_path / "out" / "report.md").exists()


# slow: quick cover: the evaluation is quick in test_run_eval_resumes_after_a_torn_line_without_asking and `python -m evals --help`
@pytest.mark.slow
def test_assistant_eval_command_runs_the_same_evaluation(corpus_settings, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from assistant.cli.main import app

    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(corpus_settings.data_dir))
    out = tmp_path / "cli-out"
    args = ["eval", "--dataset", str(DEV), "--out", str(out), "--limit", "2", "--pipeline", "ours,bm25"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "asked now 4" in result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert set(summary["pipelines"]) == {"ours", "bm25"} and summary["items"] == 2
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 0 and "asked now 0" in again.output  # resumed: nothing asked twice


def test_python_dash_m_evals_has_help():
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "evals", "--help"], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "--dataset" in done.stdout
