"""The 17 bærekraftsmål for one kommune: does any document say something about each goal, and the best sentence.

For each goal, the store is asked for the kommune's passages that carry that goal (`goals` metadata
set at ingest, ingest/goals.py), nearest to the goal's description. The nearest passage is the best;
its sentence to cite is one that names the goal, else the one e5 finds closest to the description.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from assistant.core.goals import GOALS, Goal
from assistant.core.text import has_words, split_sentences
from ingest.goals import explicit_goals, goal_vectors

if TYPE_CHECKING:
    from assistant.index.embed import Embedder
    from assistant.index.protocol import VectorStore

PASSAGES_PER_GOAL = 20  # counted up to this many; "20 eller flere" beyond


@dataclass(frozen=True)
class GoalEvidence:
    """The sentence that best shows what a document says about a goal, and where it stands."""

    sentence: str
    title: str
    source: str
    page: int | None
    score: float  # e5 cosine of the passage to the goal description


@dataclass(frozen=True)
class GoalStatus:
    """What the documents about a kommune say about one goal."""

    goal: Goal
    passages: int  # passages of the kommune carrying the goal (at most PASSAGES_PER_GOAL)
    evidence: GoalEvidence | None

    @property
    def covered(self) -> bool:
        """Return True when some document says something about the goal for this kommune."""
        return self.evidence is not None


def best_sentence(text: str, number: int, vector: np.ndarray, embedder: Embedder) -> str:
    """Return the passage sentence that names goal `number`, else the one closest in e5 meaning to its description."""
    sentences = [s.strip() for s in split_sentences(text) if has_words(s)]
    if not sentences:
        return text.strip()
    naming = [s for s in sentences if number in explicit_goals(s)]
    if naming:
        return naming[0]
    full = [s for s in sentences if len(s.split()) >= 6] or sentences  # headings and slide fragments make poor quotes
    sims = embedder.embed_passages(full) @ np.asarray(vector, dtype=np.float32)
    return full[int(np.argmax(sims))]


def goal_overview(store: VectorStore, embedder: Embedder, kommune: str) -> list[GoalStatus]:
    """Return, for each of the 17 goals in order, what the kommune's documents say about it."""
    vectors = goal_vectors(embedder)
    out = []
    for goal, vector in zip(GOALS, vectors):
        hits = store.query(vector, PASSAGES_PER_GOAL, {"kommune": kommune, "goal": goal.number})
        evidence = None
        if hits:
            best = hits[0]
            sentence = best_sentence(best.text, goal.number, vector, embedder)
            evidence = GoalEvidence(sentence, best.title, best.source, best.page, best.score)
        out.append(GoalStatus(goal, len(hits), evidence))
    return out
