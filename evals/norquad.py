"""NorQuAD (CC0, SQuAD format) as a retrieval corpus: contexts become documents, questions become items.

`python -m evals.norquad --split test --out DIR` writes the contexts of both splits as DIR/corpus/ and
the split's questions as DIR/norquad-test.jsonl, for `assistant eval --corpus DIR/corpus`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from assistant.core.models import Document, Page

DEFAULT_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "norquad"
SPLITS = ("validation", "test")


@dataclass
class QAItem:
    """One NorQuAD question with its gold answers and the source of its context."""

    id: str
    question: str
    answers: list[str]
    source: str


def norquad_dir() -> Path:
    """Return the NorQuAD folder (../shared/data/norquad beside the project, or $NORQUAD_DIR)."""
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


def context_file(split: str, article: int, paragraph: int) -> str:
    """Return the corpus-relative file name of one NorQuAD context."""
    return f"{split}/{article:04d}-{paragraph}.txt"


def write_corpus(corpus_dir: Path, splits: tuple[str, ...] = SPLITS, folder: Path | None = None) -> int:
    """Return how many context files the corpus folder holds after writing every context of the splits as .txt."""
    count = 0
    for split in splits:
        data = json.loads(((folder or norquad_dir()) / f"{split}.json").read_text(encoding="utf-8"))["data"]
        for a, article in enumerate(data):
            for p, paragraph in enumerate(article["paragraphs"]):
                path = Path(corpus_dir) / context_file(split, a, p)
                path.parent.mkdir(parents=True, exist_ok=True)
                text = paragraph["context"].strip() + "\n"
                if not path.exists() or path.read_text(encoding="utf-8") != text:
                    path.write_text(text, encoding="utf-8")
                count += 1
    return count


def dataset_items(split: str, folder: Path | None = None) -> list[dict]:
    """Return the split's answerable questions in the evaluation dataset format (evals/README.md)."""
    _, items = load_split(split, folder)
    return [
        {"id": f"norquad-{split}-{item.id}", "question": item.question, "answers": item.answers, "answerable": True,
         "evidence": None, "tags": ["norquad"], "context": item.source.removeprefix("norquad/")}
        for item in items
    ]


def main(argv: list[str] | None = None) -> int:
    """Write a NorQuAD corpus folder and one split's dataset for `assistant eval --corpus`; return the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m evals.norquad",
        description="Write NorQuAD as OUT/corpus/ (the contexts of both splits, as .txt files) and "
        "OUT/norquad-SPLIT.jsonl (the split's questions), for `assistant eval --corpus OUT/corpus`.",
    )
    parser.add_argument("--split", choices=SPLITS, default="test", help="whose questions go into the dataset")
    parser.add_argument("--out", type=Path, required=True, help="folder to write into")
    parser.add_argument("--source", type=Path, help="folder holding validation.json and test.json (default: "
                        "../shared/data/norquad or $NORQUAD_DIR)")
    args = parser.parse_args(argv)
    files = write_corpus(args.out / "corpus", folder=args.source)
    items = dataset_items(args.split, args.source)
    dataset = args.out / f"norquad-{args.split}.jsonl"
    dataset.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items), encoding="utf-8")
    print(f"{files} contexts in {args.out / 'corpus'}; {len(items)} questions in {dataset}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
