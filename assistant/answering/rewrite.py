"""Follow-up questions made standalone by rule: no model call, so a follow-up costs no extra seconds."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.llm.base import Message

FOLLOW_UP = re.compile(
    r"^(og|men|enn|hva med|kva med|and|what about)\b|\b(det|den|dette|denne|de|dei|deira|deres|dem|it|they|them|that|"
    r"this|its|their|der|dit|her|hit)\b",
    re.IGNORECASE,
)


def rule_rewrite(question: str, history: Sequence[Message]) -> str:
    """Return the question made standalone by adding the last user question when it reads as a follow-up.

    A question reads as a follow-up when it points back ("det", "dei", "them", "og ...") or is short
    (at most 8 words): "Hvor mange personer jobber i sekretariatet?" after "Hvem leder sekretariatet
    til FN-senteret?" becomes "Hvor mange personer jobber i sekretariatet? (Hvem leder sekretariatet
    til FN-senteret?)": one query about both for retrieval, the question asked first for the reader.
    """
    previous = [m["content"] for m in history if m["role"] == "user"]
    if not previous:
        return question
    if FOLLOW_UP.search(question) or len(question.split()) <= 8:
        return f"{question.strip()} ({previous[-1].strip()})"
    return question
