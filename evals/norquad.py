"""NorQuAD (CC0, SQuAD format) as a retrieval corpus: contexts become documents, questions become items."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from assistant.models import Document, Page

DEFAULT_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "norquad"


@dataclass
class QAItem:
    """One NorQuAD question with its gold answers and the source of its context."""

    id: str
    question: str
    answers: list[str]
    source: str


def norquad_dir() -> Path:
    """Return the NorQuAD folder (../shared/data/norquad beside the project, or $NORQUAD_DIR)."""
    import os

    return Path(os.environ.get("NORQUAD_DIR", DEFAULT_DIR))


def load_split(split: str, folder: Path | None = None) -> tuple[list[Document], list[QAItem]]:
    """Return the split's contexts as documents and its answerable questions as items."""
    path = (folder or norquad_dir()) / f"{split}.json"
    data = json.loads(path.read_text(encoding="utf-8"))["data"]
    docs: list[Document] = []
    items: list[QAItem] = []
    for a, article in enumerate(data):
        for p, paragraph in enumerate(article["paragraphs"]):
            context = paragraph["context"]
            source = f"norquad/{split}/{a:04d}-{p}.txt"
            title = context.strip().split("\n", 1)[0][:200]
            docs.append(
                Document(
                    source=source,
                    path=Path(source),
                    title=title,
                    pages=[Page(None, context)],
                    content_hash=hashlib.sha256(context.encode()).hexdigest(),
                )
            )
            for qa in paragraph["qas"]:
                answers = [ans["text"] for ans in qa.get("answers", []) if ans.get("text")]
                if qa.get("is_impossible") or not answers:
                    continue
                items.append(QAItem(str(qa["id"]), qa["question"], answers, source))
    return docs, items
