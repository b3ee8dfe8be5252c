"""Calibrate the refusal threshold on the dev set: the e5 similarity of the best passage, answerable vs not.

Prints each question's evidence score, the threshold that best separates answerable from
unanswerable questions (balanced accuracy), and the floor: the highest threshold that refuses no
answerable question. The default ASSISTANT_REFUSAL_THRESHOLD sits just below that floor, so retrieval
refuses only clearly off-topic questions and the backend (LLM or extractive) judges the rest.
Only the dev set is used; the benchmark test splits never are.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from assistant.answering.pipeline import evidence, rule_rewrite
from assistant.app import App
from assistant.core.language import detect_language
from assistant.core.settings import get_settings

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    """Run the calibration and print the figures; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", type=Path, default=ROOT / "evals" / "datasets" / "dev.jsonl")
    args = parser.parse_args(argv)


    items = [json.loads(line) for line in args.dataset.read_text(encoding="utf-8").splitlines() if line.strip()]
    with tempfile.TemporaryDirectory(prefix="calibrate-") as tmp:
        settings = get_settings(data_dir=Path(tmp), corpus_dir=ROOT / "corpus")
        app = App(settings)
        app.ingester().ingest([ROOT / "corpus"], progress=False)
        retriever = app.retriever
        scored = []
        for item in items:
            question = rule_rewrite(item["question"], item.get("history", []))
            score = evidence(retriever.search(question, filters=item.get("filters")))
            standard = "English" if detect_language(item["question"]) == "en" else "Norwegian"
            scored.append((score, bool(item["answerable"]), item["id"], item["question"], standard))
    scored.sort()
    for score, answerable, item_id, question, _ in scored:
        print(f"{score:.3f} {'svar ' if answerable else 'AVVIS'} {item_id} {question}")
    best = (0.0, 0.0)
    positives = sum(1 for s in scored if s[1])
    negatives = len(scored) - positives
    for threshold in sorted({round(s[0], 3) for s in scored}):
        refused_right = sum(1 for s in scored if not s[1] and s[0] < threshold) / max(negatives, 1)
        answered_right = sum(1 for s in scored if s[1] and s[0] >= threshold) / max(positives, 1)
        balanced = (refused_right + answered_right) / 2
        if balanced > best[1]:
            best = (threshold, balanced)
    print(f"\nbest separating threshold {best[0]:.3f} (balanced accuracy {best[1]:.3f}; {positives} answerable, {negatives} not)")
    # e5 scores an English question against Norwegian passages lower: each standard gets its own floor
    for standard, setting in (("Norwegian", "ASSISTANT_REFUSAL_THRESHOLD"), ("English", "ASSISTANT_REFUSAL_THRESHOLD_EN")):
        group = [s for s in scored if s[4] == standard]
        if not any(s[1] for s in group):
            continue
        floor = min(s[0] for s in group if s[1])
        unanswerable = [s for s in group if not s[1]]
        caught = sum(1 for s in unanswerable if s[0] < floor)
        print(f"{standard} floor ({setting}): {floor:.3f} is the lowest answerable score; a threshold just below it "
              f"refuses {caught}/{len(unanswerable)} unanswerable questions before generation and no answerable one "
              "(the backend judges the rest)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
