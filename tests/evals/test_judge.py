"""LLM-judged faithfulness: verdict parsing and bookkeeping (a scripted chat), and the real 0.5B model end to end."""

from __future__ import annotations

import json

import pytest

from assistant.app import App


class ScriptedChat:
    """A chat model that replies from a list, recording the prompts it was given (unit tests only)."""

    name = "scripted"
    context_window = 4096

    def __init__(self, replies):
        self.replies = list(replies)
        self.prompts = []

    def count_tokens(self, text):
        return len(text.split())

    def stream(self, messages, *, max_tokens=512, temperature=0.0, seed=0):
        self.prompts.append(messages[-1]["content"])
        yield self.replies.pop(0)


@pytest.mark.parametrize("reply, verdict", [
    ("YES", True), ("Yes.", True), ("ja", True), ("NO", False), ("Nei, ikke helt", False), ("Maybe", None), ("", None),
])
def test_parse_verdict(reply, verdict):
    from evals.judge import parse_verdict

    assert parse_verdict(reply) is verdict


def test_judge_row_shows_the_cited_passages_once_and_records_the_verdict():
    from evals.judge import judge_row

    chat = ScriptedChat(["NO"])
    row = {"id": "q1", "pipeline": "ours", "answer": "Malvik bygger 12 km sykkelvei [1].",
           "citations": [{"text": "Malvik skal bygge 12 kilometer."}, {"text": "Malvik skal bygge 12 kilometer."}]}
    verdict = judge_row(chat, row)
    assert verdict == {"id": "q1", "pipeline": "ours", "supported": False, "reply": "NO", "model": "scripted"}
    assert chat.prompts[0].count("Malvik skal bygge 12 kilometer.") == 1
    assert "Malvik bygger 12 km sykkelvei [1]." in chat.prompts[0]


def test_refusals_and_uncited_answers_are_not_judged():
    from evals.judge import judgeable, pending

    rows = [{"id": "a", "pipeline": "ours", "refused": True, "answer": "Jeg fant ikke svaret.", "citations": []},
            {"id": "b", "pipeline": "ours", "refused": False, "answer": "Svar.", "citations": []},
            {"id": "c", "pipeline": "ours", "refused": False, "answer": "Svar [1].", "citations": [{"text": "x"}]},
            {"id": "d", "pipeline": "ours", "refused": False, "answer": "Svar [1].", "citations": [{"text": "x"}]}]
    assert [judgeable(r) for r in rows] == [False, False, True, True]
    assert [r["id"] for r in pending(rows, {("d", "ours"): {}})] == ["c"]


def test_summarise_keeps_unparseable_replies_out_of_the_share():
    from evals.judge import summarise

    s = summarise([{"supported": True, "model": "m"}, {"supported": False}, {"supported": None}, {"supported": True}])
    assert s == {"judged": 4, "unparseable": 1, "faithfulness": pytest.approx(2 / 3), "model": "m"}
    assert summarise([])["faithfulness"] is None


def test_run_eval_judges_pending_rows_once_and_reports_apart(tmp_path, monkeypatch):
    import evals.run as run

    dataset = tmp_path / "d.jsonl"
    dataset.write_text(json.dumps({"id": "q1", "question": "?", "answers": ["12"], "answerable": True,
                                   "evidence": None}) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    row = {"id": "q1", "pipeline": "ours", "answerable": True, "refused": False, "rank": 1, "answer": "12 [1].",
           "citations": [{"text": "Det er 12."}], "answer_contains": 1.0, "token_f1": 1.0,
           "citation_precision": 1.0, "latency": 0.1}
    (out / "results.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")
    chat = ScriptedChat(["YES"])
    monkeypatch.setattr(run, "prepare_run", lambda *a, **kw: run.Run(app=None, bots={}))
    monkeypatch.setattr(run, "judge_chat", lambda app, bots: (chat, ""))

    summary = run.run_eval(dataset, out, pipelines=("ours",), judge=True, app=object(), progress=False)
    assert summary["asked"] == 0
    assert summary["judge"]["pipelines"]["ours"] == {"judged": 1, "unparseable": 0, "faithfulness": 1.0,
                                                    "model": "scripted"}
    assert summary["pipelines"]["ours"]["answer_accuracy"] == 1.0  # deterministic metrics stay as they are
    assert "faithfulness" not in summary["pipelines"]["ours"]
    assert "LLM-judged faithfulness" in (out / "report.md").read_text(encoding="utf-8")

    again = run.run_eval(dataset, out, pipelines=("ours",), judge=True, app=object(), progress=False)
    assert chat.replies == [] and len((out / "judge.jsonl").read_text().splitlines()) == 1  # judged once
    assert again["judge"] == summary["judge"]


@pytest.mark.slow
def test_llamacpp_answers_and_judges_two_items_with_the_small_model(corpus_settings, model_05b_path, tmp_path):
    """`--llm llamacpp --judge` on 2 dev items with the real Qwen2.5-Coder 0.5B: answers, naive included, and verdicts."""
    from evals.run import run_eval
    from tests.evals.test_run import DEV

    settings = corpus_settings.model_copy(update={"llamacpp_model": str(model_05b_path), "llm_context": 2048,
                                                  "reader_tokens": 96})
    out = tmp_path / "out"
    summary = run_eval(DEV, out, pipelines=("ours", "naive"), llm="llamacpp", k=10, limit=2, app=App(settings),
                       judge=True, progress=False)
    rows = [json.loads(line) for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 4 and all(r["answer"] for r in rows)
    assert {r["backend"] for r in rows} == {"llamacpp:qwen2.5-coder-0.5b-instruct-q4_k_m",
                                            "naive+llamacpp:qwen2.5-coder-0.5b-instruct-q4_k_m"}
    verdicts = [json.loads(line) for line in (out / "judge.jsonl").read_text(encoding="utf-8").splitlines()]
    judged = [r for r in rows if not r["refused"] and r["citations"]]
    assert len(verdicts) == len(judged) >= 1
    assert all(v["model"].startswith("llamacpp:qwen2.5-coder-0.5b") for v in verdicts)
    from evals.judge import parse_verdict

    for v in verdicts:  # each verdict is what the model's own reply says, read by the one parser
        assert v["reply"].strip() and v["supported"] == parse_verdict(v["reply"])
    judged_summary = summary["judge"]["pipelines"]
    assert sum(j["judged"] for j in judged_summary.values()) == len(verdicts)
    for p in ("ours", "naive"):
        assert summary["judge"]["pipelines"][p]["judged"] == sum(1 for r in judged if r["pipeline"] == p)
