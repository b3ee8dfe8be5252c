"""Calibrate the support score on the dev set: its weights, then the gate's threshold per standard.

For every dev question the product's own retrieval runs (App over a fresh ingest of corpus/), the
sentences of its passages get the three features of the support score (word overlap, e5 similarity,
answer-type cue). Then, offline:
1. weights: each (semantic, cue) pair on a grid (lexical weight 1) gets, per standard, the gate threshold
   that maximises the answer accuracy of the extractive reader over all questions (answerable: the two
   best-supported sentences hold a gold answer and the gate passes; unanswerable: the gate refuses);
   the pair with the best accuracy wins;
2. the chosen thresholds are printed with refusal precision and recall and the share of answerable
   questions refused;
3. the residents' plain margin: how much support a plainer sentence (lower LIX) may give up and still
   be quoted, the widest margin that costs at most 0.02 answer accuracy.
Prints the sweep and the values to put in Settings (ASSISTANT_SUPPORT_*, ASSISTANT_PLAIN_MARGIN).
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

from assistant.answering.evidence import candidates
from assistant.answering.readers import quote_text
from assistant.answering.rewrite import rule_rewrite
from assistant.app import App
from assistant.core.language import detect_language
from assistant.core.readability import lix
from assistant.core.settings import get_settings
from evals.metrics import answer_contains

ROOT = Path(__file__).resolve().parent.parent
SEMANTIC = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0)
CUE = (0.0, 0.05, 0.1, 0.2, 0.3, 0.5)
PLAIN_MARGINS = (0.0, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0)


def collect(app: App, items: list[dict]) -> list[dict]:
    """Return, per item, the feature rows of its candidate sentences and which of them hold a gold answer."""
    rows = []
    for item in items:
        question = rule_rewrite(item["question"], item.get("history", []))
        passages = app.retriever.search(question, k=app.settings.k, filters=item.get("filters"))
        evidence = candidates(passages, app.settings.k)
        features = app.scorer.features(question, evidence) if evidence else np.zeros((0, 3))
        gold = [bool(answer_contains(quote_text(e), item.get("answers", []))) for e in evidence]
        # the extractive reader quotes the best two: a pair holding the answer counts for both
        rows_text = [quote_text(e) for e in evidence]
        rows.append({"id": item["id"], "answerable": bool(item["answerable"]), "features": features, "gold": gold,
                     "texts": rows_text, "answers": item.get("answers", []),
                     "english": detect_language(item["question"]) == "en"})
    return rows


def best_scores(rows: list[dict], weights: np.ndarray) -> list[tuple[float, bool, bool, bool]]:
    """Return per item (best support, its sentence holds a gold answer, answerable, english)."""
    out = []
    for r in rows:
        if not len(r["features"]):
            out.append((float("-inf"), False, r["answerable"], r["english"]))
            continue
        scores = r["features"] @ weights
        top = np.argsort(-scores)[:2]
        quoted = " ".join(r["texts"][i] for i in top)
        out.append((float(scores[top[0]]), bool(answer_contains(quoted, r["answers"])), r["answerable"], r["english"]))
    return out


def outcome(scored: list[tuple[float, bool, bool, bool]], t: float) -> dict[str, float]:
    """Return accuracy, refusal precision and recall, and the share of answerable refused at threshold t."""
    answerable = [s for s in scored if s[2]]
    unanswerable = [s for s in scored if not s[2]]
    refused_ok = sum(1 for s in unanswerable if s[0] < t)
    refused_bad = sum(1 for s in answerable if s[0] < t)
    right = refused_ok + sum(1 for s in answerable if s[0] >= t and s[1])
    return {"accuracy": right / max(len(scored), 1),
            "precision": refused_ok / (refused_ok + refused_bad) if refused_ok + refused_bad else 0.0,
            "recall": refused_ok / len(unanswerable) if unanswerable else 0.0,
            "answerable_refused": refused_bad / max(len(answerable), 1)}


def choose_threshold(scored: list[tuple[float, bool, bool, bool]]) -> tuple[float, dict]:
    """Return the threshold with the best answer accuracy (ties: the lower threshold) and its outcome."""
    best = (float("-inf"), outcome(scored, float("-inf")))
    for t in sorted({round(s[0], 3) for s in scored if np.isfinite(s[0])}):
        stats = outcome(scored, t - 0.0005)
        if stats["accuracy"] > best[1]["accuracy"]:
            best = (t - 0.0005, stats)
    return best


def plain_outcome(rows: list[dict], weights: np.ndarray, thresholds: tuple[float, float], margin: float
                  ) -> tuple[float, float]:
    """Return the answer accuracy and median LIX of the residents' quotes at a plain margin.

    Over the answerable questions the gate lets through, the extractive reader quotes the two plainest
    sentences (lowest LIX) among those within `margin` of the best support, as ExtractiveReader does
    with a style.
    """
    right, scores = 0, []
    passed = 0
    for r in rows:
        if not r["answerable"] or not len(r["features"]):
            continue
        support = r["features"] @ weights
        order = list(np.argsort(-support))
        gate = thresholds[1] if r["english"] else thresholds[0]
        if support[order[0]] < gate:
            continue
        passed += 1
        floor = max(gate, support[order[0]] - margin)
        near = [i for i in order if support[i] >= floor] or order[:1]
        pick = sorted(near, key=lambda i: lix(r["texts"][i]))[:2] if margin > 0 else order[:2]
        pick = [i for n, i in enumerate(pick) if n == 0 or support[i] >= gate]
        quoted = " ".join(r["texts"][i] for i in pick)
        right += bool(answer_contains(quoted, r["answers"]))
        scores.append(lix(quoted))
    return right / max(passed, 1), float(np.median(scores)) if scores else 0.0


def main(argv: list[str] | None = None) -> int:
    """Run the calibration and print the figures; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", type=Path, default=ROOT / "evals" / "datasets" / "dev.jsonl")
    args = parser.parse_args(argv)
    items = [json.loads(line) for line in args.dataset.read_text(encoding="utf-8").splitlines() if line.strip()]
    with tempfile.TemporaryDirectory(prefix="calibrate-support-") as tmp:
        app = App(get_settings(data_dir=Path(tmp), corpus_dir=ROOT / "corpus"))
        app.ingester().ingest([ROOT / "corpus"], progress=False)
        rows = collect(app, items)
    answerable = [r for r in rows if r["answerable"]]
    print(f"{len(rows)} items, {len(answerable)} answerable; sentences with a gold answer among the candidates: "
          f"{sum(any(r['gold']) for r in answerable)}/{len(answerable)}")
    results = []
    for semantic, cue in itertools.product(SEMANTIC, CUE):
        scored = best_scores(rows, np.array([1.0, semantic, cue]))
        picks = [choose_threshold([s for s in scored if s[3] == english]) for english in (False, True)]
        right = sum(p[1]["accuracy"] * sum(1 for s in scored if s[3] == english)
                    for p, english in zip(picks, (False, True)))
        results.append((right / len(scored), semantic, cue, picks))
    results.sort(key=lambda r: (-r[0], r[1], r[2]))
    print("\nanswer accuracy of the extractive reader at the best thresholds, by weights (lexical 1):")
    for share, semantic, cue, _ in results[:12]:
        print(f"  semantic {semantic:4.2f}  cue {cue:4.2f}  -> {share:.3f}")
    share, semantic, cue, picks = results[0]
    print(f"\nchosen: ASSISTANT_SUPPORT_SEMANTIC_WEIGHT={semantic} ASSISTANT_SUPPORT_CUE_WEIGHT={cue} (accuracy {share:.3f})")
    for (threshold, stats), label, setting in zip(picks, ("Norwegian", "English"),
                                                  ("ASSISTANT_SUPPORT_THRESHOLD", "ASSISTANT_SUPPORT_THRESHOLD_EN")):
        print(f"{label}: {setting}={threshold:.3f}  " + "  ".join(f"{k} {v:.3f}" for k, v in stats.items()))

    weights = np.array([1.0, semantic, cue])
    thresholds = (picks[0][0], picks[1][0])
    print("\nresidents' quotes (answerable questions through the gate): plainest within a margin of the best support")
    outcomes = [(margin, *plain_outcome(rows, weights, thresholds, margin)) for margin in PLAIN_MARGINS]
    for margin, accuracy, median in outcomes:
        print(f"  margin {margin:4.2f}  accuracy {accuracy:.3f}  median LIX {median:5.1f}")
    floor = outcomes[0][1] - 0.02  # give up at most one question in fifty for plainer quotes
    margin = max(m for m, accuracy, _ in outcomes if accuracy >= floor)
    print(f"chosen: ASSISTANT_PLAIN_MARGIN={margin} (the widest margin losing at most 0.02 accuracy)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
