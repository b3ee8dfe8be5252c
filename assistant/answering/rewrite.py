"""Follow-up questions made standalone by rule: no model call, so a follow-up costs no extra seconds.

A question asked after others is a follow-up when it points back: it opens as one ("Og i Frøya?",
"Hva med nynorsk?", "What about them?"), has a pronoun for a person or a group ("Hva snakket han
om?"), ends on a word that points back ("Hvem finansierer det?", "Hvor mange jobber der?"), is a
question word alone ("Hvorfor?"), or is a fragment that opens with a preposition and asks nothing
("I Frøya?"). The cues are every language pack's (assistant/core/languages) whatever language the
question is detected in: detection is unsure on questions this short. "det", "den" and "de" inside a
question are no cue: nearly every Norwegian question has one ("Finnes det en rapport for Frøya?").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.core.languages import alternation, union
from assistant.llm.base import Message


def _follow_up_pattern() -> re.Pattern[str]:
    """Return the union of every pack's follow-up cues as one pattern."""
    starts, words, ends = (alternation(union(f"follow_up_{part}")) for part in ("starts", "words", "ends"))
    asks, prepositions = alternation(union("question_words")), alternation(union("prepositions"))
    return re.compile(rf"^\W*{starts}\b|\b{words}\b|\b{ends}\W*$|^\W*{asks}\W*$|^\W*{prepositions}\s(?!.*\b{asks}\b)",
                      re.IGNORECASE)


FOLLOW_UP = _follow_up_pattern()


def is_follow_up(question: str) -> bool:
    """Return True when the question points back to the conversation before it (a pack's follow-up cue)."""
    return bool(FOLLOW_UP.search(question.strip()))


def rule_rewrite(question: str, history: Sequence[Message]) -> str:
    """Return the question made standalone by adding the last user question when it reads as a follow-up.

    "Hvor mange jobber der?" after "Hvem leder sekretariatet til FN-senteret?" becomes "Hvor mange
    jobber der? (Hvem leder sekretariatet til FN-senteret?)": one query about both for retrieval, the
    question asked first for the reader. A question without a cue stays as asked, however short.
    """
    previous = [m["content"] for m in history if m["role"] == "user"]
    if not previous:
        return question
    if is_follow_up(question):
        return f"{question.strip()} ({previous[-1].strip()})"
    return question
