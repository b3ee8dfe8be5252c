"""Answer feedback for evaluators: one JSON line per rating or comment, appended to a local file."""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.core.models import Answer

RATINGS = {0: "ned", 1: "opp"}  # st.feedback("thumbs") gives 0 for thumbs down, 1 for thumbs up


def feedback_record(answer_id: str, answer: Answer, rating: int | None, comment: str = "") -> dict[str, Any]:
    """Return the JSON record of feedback on an answer: id, time, rating, comment and the answer's own dict."""
    return {
        "answer_id": answer_id,
        "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "rating": RATINGS.get(rating) if rating is not None else None,
        "comment": comment.strip(),
        **answer.to_dict(),  # the answer as `ask --json` prints it: what the evaluator rated, with its sources
    }


def append_feedback(path: Path, record: dict[str, Any]) -> None:
    """Append the record as one JSON line and sync it to disk (the latest line per answer_id wins)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def read_feedback(path: Path) -> list[dict[str, Any]]:
    """Return the feedback records, the latest per answer_id, in the order they were first given."""
    if not path.exists():
        return []
    latest: dict[str, dict[str, Any]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            latest[record["answer_id"]] = {**latest.get(record["answer_id"], {}), **record}
    return list(latest.values())
