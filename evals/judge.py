"""Optional LLM-judged faithfulness: does the answer say only what its cited passages say?

Reported beside the deterministic metrics, never instead of them: a small local model is a weak
judge. Verdicts go to their own file (``judge.jsonl``), so judging resumes on its own and a run
judged later leaves ``results.jsonl`` untouched.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evals.jsonl import read_rows

if TYPE_CHECKING:
    from assistant.llm.base import ChatModel

JUDGE_FILE = "judge.jsonl"
PASSAGE_CHARS = 1500  # each cited passage is cut to this for the judge's prompt
JUDGE_PROMPT = (
    "You check answers for faithfulness. Below are source passages and an answer written from them.\n\n"
    "Passages:\n{passages}\n\nAnswer:\n{answer}\n\n"
    "Is every statement in the answer supported by the passages? Reply with one word: YES or NO."
)
YES = re.compile(r"^\W*(yes|ja|true)\b", re.IGNORECASE)
NO = re.compile(r"^\W*(no|nei|false)\b", re.IGNORECASE)


def parse_verdict(text: str) -> bool | None:
    """Return True for a YES/JA reply, False for NO/NEI, None when the reply is neither."""
    if YES.search(text):
        return True
    if NO.search(text):
        return False
    return None


def judge_messages(answer: str, passages: Sequence[str]) -> list[dict[str, str]]:
    """Return the chat messages asking whether the answer is supported by the passages."""
    blocks = "\n\n".join(f"[{n}] {p.strip()[:PASSAGE_CHARS]}" for n, p in enumerate(passages, start=1))
    return [{"role": "user", "content": JUDGE_PROMPT.format(passages=blocks, answer=answer.strip())}]


def judgeable(row: Mapping[str, Any]) -> bool:
    """Return True for a row with an answer and cited passages (refusals have nothing to judge)."""
    return not row.get("refused") and bool(row.get("citations")) and bool(str(row.get("answer", "")).strip())


def judge_row(chat: ChatModel, row: Mapping[str, Any]) -> dict[str, Any]:
    """Return the judge's verdict on one result row: id, pipeline, supported (True/False/None), reply, model."""
    passages = list(dict.fromkeys(c["text"] for c in row["citations"]))
    reply = "".join(chat.stream(judge_messages(row["answer"], passages), max_tokens=4, temperature=0.0)).strip()
    return {"id": row["id"], "pipeline": row["pipeline"], "supported": parse_verdict(reply), "reply": reply,
            "model": chat.name}


def read_verdicts(out_dir: Path) -> dict[tuple[str, str], dict[str, Any]]:
    """Return the verdicts already in out_dir/judge.jsonl by (id, pipeline)."""
    return {(v["id"], v["pipeline"]): v for v in read_rows(Path(out_dir) / JUDGE_FILE)}


def pending(rows: Iterable[Mapping[str, Any]], verdicts: Mapping[tuple[str, str], Any]) -> list[Mapping[str, Any]]:
    """Return the judgeable rows that have no verdict yet."""
    return [r for r in rows if judgeable(r) and (r["id"], r["pipeline"]) not in verdicts]


def summarise(verdicts: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Return the judged count, the unparseable count and faithfulness (share judged supported) of some verdicts."""
    verdicts = list(verdicts)
    parsed = [v["supported"] for v in verdicts if v.get("supported") is not None]
    return {
        "judged": len(verdicts),
        "unparseable": len(verdicts) - len(parsed),
        "faithfulness": sum(1 for s in parsed if s) / len(parsed) if parsed else None,
        "model": next((v.get("model") for v in verdicts), None),
    }
