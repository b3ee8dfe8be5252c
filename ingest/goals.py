"""Goal stage: which of FN's 17 bærekraftsmål a passage is about, stored as its `goals` metadata.

Two sources, joined:
- explicit mentions: "bærekraftsmål 11", "FNs bærekraftsmål nr. 3", "SDG 13", "delmål 11.2", a goal's
  official name ("Livet i havet"), and a bare "mål 17" when the passage speaks of bærekraft/FN/SDG;
  numbers outside 1..17, amounts ("målet er 11 prosent", "mål 2030") and counts ("17 mål") are not goals;
- e5 similarity of the passage's vector to each goal's description (assistant/core/goals.py): a goal
  counts when its similarity is at least `ASSISTANT_GOAL_THRESHOLD` and within `ASSISTANT_GOAL_MARGIN`
  of the passage's best goal (both calibrated by `python -m evals.calibrate_goals`). e5 similarities
  lie in a narrow band (0.78-0.91 on the labelled set), so a threshold alone marks a passage with
  many goals; the margin keeps the goals the passage is most about.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from assistant.core.goals import GOALS

if TYPE_CHECKING:
    from assistant.core.models import Chunk
    from assistant.index.embed import Embedder

_N = r"(?<![\d.,])(1[0-7]|[1-9])(?:\.(?:\d{1,2}|[a-c](?!\w)))?(?!\d|[.,]\d)"
_LIST = rf"{_N}(?:\s*(?:,|og|og/eller|&|/|and|og\s+mål)\s*{_N})*"
_UNIT = r"(?!\s*(?:%|prosent|kr\b|kroner|år\b|tonn|km|mill|mrd|milliard|timer|dager|uker|meter|m2|kvm))"
_NO = r"(?:\s*(?:nr\.?|nummer|no\.?))?\s*"
# Qualified forms: always a goal.
_QUALIFIED = re.compile(
    rf"(?:(?<!\w)(?:FN-?s?\s+|FN-)?(?:bærekraft|berekraft)s?-?mål(?:et|ene|a)?|(?<!\w)FN-?s?\s+mål(?:et|ene|a)?"
    rf"|(?<!\w)SDGs?|(?<!\w)(?:del|under)mål(?:et)?(?=\s+\d+\.)){_NO}(?P<list>{_LIST}){_UNIT}",
    re.IGNORECASE,
)
# Bare "mål 17" (or "mål nr. 3"): a goal only where the passage speaks of bærekraft, FN or SDG, and not
# a plan's own heading ("Mål 1: Et enkelt tjenestetilbud").
_BARE = re.compile(rf"(?<!\w)mål(?:ene)?{_NO}(?P<list>{_LIST}){_UNIT}(?!\s*:)", re.IGNORECASE)
_CONTEXT = re.compile(r"bærekraft|berekraft|(?<!\w)FN(?!\w)|FN-|(?<!\w)SDG|agenda\s+2030", re.IGNORECASE)
_NUMBER = re.compile(_N)
_NAMES = [
    (g.number, re.compile(r"(?<!\w)" + r"\s+".join(map(re.escape, g.name.split())) + r"(?!\w)", re.IGNORECASE))
    for g in GOALS
]
_GOAL_VECTORS: dict[str, np.ndarray] = {}


def explicit_goals(text: str) -> set[int]:
    """Return the goals the text names by number or by official name."""
    found: set[int] = set()
    spans: list[tuple[int, int]] = []
    for match in _QUALIFIED.finditer(text):
        found.update(int(n) for n in _NUMBER.findall(match.group("list")))
        spans.append(match.span())
    if _CONTEXT.search(text):
        for match in _BARE.finditer(text):
            if not any(s <= match.start() < e for s, e in spans):
                found.update(int(n) for n in _NUMBER.findall(match.group("list")))
    for number, pattern in _NAMES:
        if pattern.search(text):
            found.add(number)
    return found


def goal_vectors(embedder: Embedder) -> np.ndarray:
    """Return the (17, dim) e5 vectors of the goal descriptions, as queries, computed once per embedder."""
    if embedder.name not in _GOAL_VECTORS:
        _GOAL_VECTORS[embedder.name] = np.stack(
            [embedder.embed_query(f"{g.name}. {g.description}") for g in GOALS]
        ).astype(np.float32)
    return _GOAL_VECTORS[embedder.name]


def similar_goals(similarities: np.ndarray, threshold: float, margin: float) -> set[int]:
    """Return the goals (similarities given in goal order) at or above the threshold and within margin of the best."""
    sims = np.asarray(similarities, dtype=np.float32)
    if not sims.size:
        return set()
    keep = (sims >= threshold) & (sims >= sims.max() - margin)
    return {GOALS[i].number for i in np.flatnonzero(keep)}


def assign_goals(text: str, similarities: np.ndarray, threshold: float, margin: float) -> list[int]:
    """Return the goals of a passage: those it names, and those its vector is close enough to, ascending."""
    return sorted(explicit_goals(text) | similar_goals(similarities, threshold, margin))


class GoalAssigner:
    """Sets `goals` (ascending goal numbers) on passages from their text and their e5 vectors."""

    def __init__(self, embedder: Embedder, threshold: float, margin: float) -> None:
        self.embedder = embedder
        self.threshold = threshold
        self.margin = margin

    def similarities(self, vectors: np.ndarray) -> np.ndarray:
        """Return the (n, 17) cosine similarities of normalised passage vectors to the goal descriptions."""
        return np.asarray(vectors, dtype=np.float32) @ goal_vectors(self.embedder).T

    def annotate(self, chunks: Sequence[Chunk], texts: Sequence[str], vectors: np.ndarray) -> None:
        """Set each chunk's `goals` metadata from its embedded text and vector (same order)."""
        if not len(chunks):
            return
        for chunk, text, sims in zip(chunks, texts, self.similarities(vectors)):
            chunk.meta["goals"] = assign_goals(text, sims, self.threshold, self.margin)
