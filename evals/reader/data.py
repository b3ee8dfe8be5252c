"""Training groups from NorQuAD: each question with the product's own evidence sentences of its passage.

A passage is cut into sentences by the product's `candidates` (the same lead-ins, bullets and
"Label: value" lines the reader sees), and a sentence is a positive when it holds a gold answer
(the benchmarks' `answer_contains`). A group is the question, its positives, sentences of the same
passage that do not hold the answer (hard negatives) and one sentence of another passage.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

from assistant.answering.evidence import candidates
from assistant.core.models import Chunk
from assistant.index.scorer import PAIR_SEPARATOR, pair_text, split_pair
from evals.metrics import answer_contains


@dataclass
class Group:
    """One question with the pair texts of its passage's sentences and which of them hold the answer."""

    question: str
    texts: list[str]
    positive: list[bool]


def passage_chunk(source: str, text: str) -> Chunk:
    """Return a NorQuAD context as one passage (its first line is its title), as `evals.bench_reader` does."""
    title = text.strip().split("\n", 1)[0][:200]
    return Chunk(id=source, text=text, source=source, title=title, page=None, heading="", start=0, end=len(text))


def load_groups(path: Path) -> list[Group]:
    """Return a group per answerable question whose answer stands in one of its passage's sentences."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))["data"]
    groups = []
    for a, article in enumerate(data):
        for p, paragraph in enumerate(article["paragraphs"]):
            evidence = candidates([passage_chunk(f"{a}-{p}", paragraph["context"])])
            for qa in paragraph["qas"]:
                golds = [x["text"] for x in qa.get("answers", []) if x.get("text")]
                if qa.get("is_impossible") or not golds or not evidence:
                    continue
                texts = [pair_text(qa["question"], e.text, e.context) for e in evidence]
                positive = [bool(answer_contains(e.text, golds)) for e in evidence]
                groups.append(Group(qa["question"], texts, positive))
    return groups


def sample(group: Group, others: list[Group], rng: random.Random, negatives: int = 6) -> tuple[list[str], list[bool]]:
    """Return up to two positives, `negatives` hard negatives and one sentence of another passage."""
    pos = [t for t, p in zip(group.texts, group.positive, strict=True) if p]
    neg = [t for t, p in zip(group.texts, group.positive, strict=True) if not p]
    chosen = rng.sample(pos, min(2, len(pos))) + rng.sample(neg, min(negatives, len(neg)))
    other = rng.choice(others)
    _, sentence = split_pair(rng.choice(other.texts))
    chosen.append(f"{group.question.strip()}{PAIR_SEPARATOR}{sentence}")
    labels = [True] * min(2, len(pos)) + [False] * (len(chosen) - min(2, len(pos)))
    return chosen, labels
