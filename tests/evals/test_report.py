"""report.md and its PNG plots, from hand-made rows."""

from __future__ import annotations

from evals.metrics import summarise
from evals.report import LATENCY_PNG, RECALL_PNG, write_report

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _rows(pipeline: str, ranks, latency: float) -> list[dict]:
    """Return hand-made result rows: answerable items with the given hit ranks, plus one unanswerable refusal."""
    rows = [{"id": f"q{i}", "pipeline": pipeline, "answerable": True, "refused": False, "rank": rank,
             "answer_contains": 1.0 if rank == 1 else 0.0, "token_f1": 0.5, "citation_precision": 1.0 if rank else 0.0,
             "latency": latency * (i + 1)} for i, rank in enumerate(ranks)]
    rows.append({"id": "u", "pipeline": pipeline, "answerable": False, "refused": True, "rank": None,
                 "answer_contains": 1.0, "token_f1": 1.0, "citation_precision": None, "latency": latency})
    return rows


def test_report_has_a_row_per_pipeline_and_non_empty_plots(tmp_path):
    rows = _rows("ours", [1, 2, 1, None], 0.05) + _rows("naive", [4, None, 1, 7], 0.5)
    summary = {"dataset": "tiny.jsonl", "items": 5, "llm": "extractive", "k": 10, "corpus": "corpus",
               "pipelines": {p: summarise([r for r in rows if r["pipeline"] == p]) for p in ("ours", "naive")}}
    path = write_report(tmp_path, summary, rows)

    text = path.read_text(encoding="utf-8")
    assert path.name == "report.md"
    header = next(line for line in text.splitlines() if line.startswith("| pipeline"))
    for column in ("hit@1", "hit@3", "hit@5", "hit@10", "MRR", "answer acc.", "token F1", "citation prec.",
                   "refusal P", "refusal R", "latency p50", "latency p95"):
        assert column in header
    ours = next(line for line in text.splitlines() if line.startswith("| ours |"))
    assert "| 0.500 | 0.750 | 0.750 | 0.750 |" in ours  # hit@1/3/5/10 over the 4 answerable items
    assert "1.000 | 1.000 |" in ours  # refusal precision and recall
    assert f"]({RECALL_PNG})" in text and f"]({LATENCY_PNG})" in text
    assert "LLM-judged" not in text  # no judge section unless judged
    for name in (RECALL_PNG, LATENCY_PNG):
        data = (tmp_path / name).read_bytes()
        assert data.startswith(PNG_MAGIC) and len(data) > 5_000


def test_report_shows_the_judge_apart_and_survives_missing_values(tmp_path):
    summary = {"dataset": "d.jsonl", "items": 1, "llm": "llamacpp", "k": 10,
               "pipelines": {"bm25": summarise([{"answerable": False, "refused": False, "rank": None,
                                                  "answer_contains": 0.0, "token_f1": 0.0,
                                                  "citation_precision": None, "latency": None}])},
               "judge": {"pipelines": {"bm25": {"judged": 0, "unparseable": 0, "faithfulness": None, "model": None}},
                         "note": "Not judged: no LLM backend is available."}}
    text = write_report(tmp_path, summary, []).read_text(encoding="utf-8")
    assert "| bm25 | 1 | – |" in text
    assert "## LLM-judged faithfulness" in text and "Not judged" in text
    assert (tmp_path / LATENCY_PNG).read_bytes().startswith(PNG_MAGIC)
