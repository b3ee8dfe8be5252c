"""Calibrate the answer stages on the dev set: shortlist, gates, claim margin and the residents' plain margin.

`python -m evals.calibrate_support [--dataset evals/datasets/dev.jsonl]`

For every dev question the product's own retrieval runs (App over a fresh ingest of corpus/), and
every sentence of its passages gets the cheap support (word overlap and e5 similarity, the Settings
weights) and the trained scorer's logit. Then, offline:
1. shortlist: the trained scorer reads the N sentences with the best cheap support (and every list
   unit, as the product does); the smallest N
   whose answer accuracy is within 0.01 of reading them all;
2. gates, per standard (Norwegian, English): the threshold on the best sentence's trained score that
   maximises the extractive reader's answer accuracy over all questions (answerable: the two
   best sentences hold a gold answer and the gate passes; unanswerable: the gate refuses);
3. claim margin: how far under the best sentence the sentence backing a model's claim may score, the
   smallest margin that keeps, for 95 % of the answerable questions the gate passes, the best-ranked
   sentence holding the gold answer among the reader's sentences;
4. the residents' plain margin: how much score a plainer sentence (lower LIX) may give up and still
   be quoted, the widest margin that costs at most 0.02 answer accuracy.
Prints the sweeps and the values to put in Settings (ASSISTANT_SCORER_SHORTLIST, ASSISTANT_ANSWER_THRESHOLD,
ASSISTANT_ANSWER_THRESHOLD_EN, ASSISTANT_CLAIM_MARGIN, ASSISTANT_PLAIN_MARGIN).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

from assistant.answering.evidence import candidates
from assistant.answering.readers import quote_text
from assistant.answering.rewrite import rule_rewrite
from assistant.answering.support import place_below, shortlist_order
from assistant.app import App
from assistant.core.language import detect_language
from assistant.core.readability import lix
from assistant.core.settings import get_settings
from evals.metrics import answer_contains

ROOT = Path(__file__).resolve().parent.parent
SHORTLISTS = (4, 8, 12, 16, 24, 32, 1000)
PLAIN_MARGINS = (0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0)


def collect(app: App, items: list[dict]) -> list[dict]:
    """Return, per item, its candidates' cheap support, trained scores and which of them hold a gold answer."""
    rows = []
    scorer, learned = app.scorer, app.sentence_scorer
    for item in items:
        question = rule_rewrite(item["question"], item.get("history", []))
        passages = app.retriever.search(question, k=app.settings.k, filters=item.get("filters"))
        evidence = candidates(passages, app.settings.k)
        cheap = scorer.combine(scorer.features(question, evidence)) if evidence else np.zeros(0)
        trained = np.array(learned.scores(question, [e.text for e in evidence], [e.context for e in evidence])
                           if evidence and learned is not None else cheap)
        texts = [quote_text(e) for e in evidence]
        rows.append({"id": item["id"], "answerable": bool(item["answerable"]), "cheap": cheap, "trained": trained,
                     "texts": texts, "answers": item.get("answers", []), "units": [bool(e.items) for e in evidence],
                     "gold": [bool(answer_contains(t, item.get("answers", []))) for t in texts],
                     "english": detect_language(item["question"]) == "en"})
    return rows


def ranked(row: dict, shortlist: int) -> np.ndarray:
    """Return the item's scores as the product ranks them: trained on the cheap shortlist, the rest below."""
    cheap, trained = row["cheap"], row["trained"]
    if not len(cheap):
        return cheap
    order = shortlist_order(cheap, row["units"], shortlist)
    return place_below(cheap, order, trained[order])


def best_scores(rows: list[dict], shortlist: int, margin: float = float("inf")) -> list[tuple[float, bool, bool, bool]]:
    """Return per item (best score, the quoted sentences hold a gold answer, answerable, english).

    The quote is the best two sentences; with a `margin`, the second only when it scores within it of
    the best, as `ExtractiveReader(margin=claim_margin)` quotes.
    """
    out = []
    for r in rows:
        scores = ranked(r, shortlist)
        if not len(scores):
            out.append((float("-inf"), False, r["answerable"], r["english"]))
            continue
        best, *second = np.argsort(-scores, kind="stable")[:2]
        top = [best] + [i for i in second if scores[i] >= scores[best] - margin]
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
            "answerable_refused": refused_bad / max(len(answerable), 1),
            "answered_wrongly": sum(1 for s in answerable if s[0] >= t and not s[1]) / max(len(answerable), 1)}


def choose_threshold(scored: list[tuple[float, bool, bool, bool]]) -> tuple[float, dict]:
    """Return the threshold with the best answer accuracy (ties: the midpoint of the best run) and its outcome."""
    values = sorted({round(s[0], 3) for s in scored if np.isfinite(s[0])})
    cuts = [values[0] - 0.5] + [(a + b) / 2 for a, b in zip(values, values[1:])] + [values[-1] + 0.5] if values else [0.0]
    stats = [(t, outcome(scored, t)) for t in cuts]
    top = max(s["accuracy"] for _, s in stats)
    best = [(t, s) for t, s in stats if s["accuracy"] == top]
    return best[len(best) // 2]


def claim_margin(rows: list[dict], shortlist: int, gates: tuple[float, float], reader_sentences: int) -> float:
    """Return the 95th percentile gap between the best sentence and the best one holding the gold answer."""
    gaps = []
    for r in rows:
        scores = ranked(r, shortlist)
        if not r["answerable"] or not len(scores) or scores.max() < gates[r["english"]]:
            continue
        order = list(np.argsort(-scores, kind="stable")[:reader_sentences])
        golden = [i for i in order if r["gold"][i]]
        if golden:
            gaps.append(float(scores[order[0]] - scores[golden[0]]))
    return round(float(np.percentile(gaps, 95)), 2) if gaps else 0.0


def plain_outcome(rows: list[dict], shortlist: int, gates: tuple[float, float], margin: float) -> tuple[float, float]:
    """Return the answer accuracy and median LIX of the residents' quotes at a plain margin (as ExtractiveReader)."""
    right, lixes, passed = 0, [], 0
    for r in rows:
        scores = ranked(r, shortlist)
        if not r["answerable"] or not len(scores):
            continue
        order = list(np.argsort(-scores, kind="stable"))
        gate = gates[r["english"]]
        if scores[order[0]] < gate:
            continue
        passed += 1
        floor = max(gate, scores[order[0]] - margin)
        near = [i for i in order if scores[i] >= floor] or order[:1]
        pick = sorted(near, key=lambda i: lix(r["texts"][i]))[:2] if margin > 0 else order[:2]
        pick = [i for n, i in enumerate(pick) if n == 0 or scores[i] >= gate]
        quoted = " ".join(r["texts"][i] for i in pick)
        right += bool(answer_contains(quoted, r["answers"]))
        lixes.append(lix(quoted))
    return right / max(passed, 1), float(np.median(lixes)) if lixes else 0.0


def main(argv: list[str] | None = None) -> int:
    """Run the calibration and print the figures; return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m evals.calibrate_support", description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", type=Path, default=ROOT / "evals" / "datasets" / "dev.jsonl")
    args = parser.parse_args(argv)
    items = [json.loads(line) for line in args.dataset.read_text(encoding="utf-8").splitlines() if line.strip()]
    base = get_settings()
    with tempfile.TemporaryDirectory(prefix="calibrate-support-") as tmp:
        app = App(base.model_copy(update={"data_dir": Path(tmp), "corpus_dir": ROOT / "corpus", "chroma_host": ""}))
        app.ingester().ingest([ROOT / "corpus"], progress=False)
        rows = collect(app, items)
    answerable = [r for r in rows if r["answerable"]]
    print(f"{len(rows)} items, {len(answerable)} answerable; a gold answer among the candidates: "
          f"{sum(any(r['gold']) for r in answerable)}/{len(answerable)}")

    def accuracy(shortlist: int) -> tuple[float, list]:
        scored = best_scores(rows, shortlist)
        picks = [choose_threshold([s for s in scored if s[3] == english]) for english in (False, True)]
        right = sum(p[1]["accuracy"] * sum(1 for s in scored if s[3] == english) for p, english in zip(picks, (False, True)))
        return right / len(scored), picks

    print("\nshortlist read by the trained scorer -> extractive answer accuracy at the best gates:")
    sweep = {n: accuracy(n) for n in SHORTLISTS}
    for n, (share, _) in sweep.items():
        print(f"  {n:5d}  {share:.3f}")
    shortlist = min(n for n, (share, _) in sweep.items() if share >= sweep[max(SHORTLISTS)][0] - 0.01)
    share, picks = sweep[shortlist]
    print(f"chosen: ASSISTANT_SCORER_SHORTLIST={shortlist} (accuracy {share:.3f})")
    for (threshold, stats), label, setting in zip(picks, ("Norwegian", "English"),
                                                  ("ASSISTANT_ANSWER_THRESHOLD", "ASSISTANT_ANSWER_THRESHOLD_EN")):
        print(f"{label}: {setting}={threshold:.3f}  " + "  ".join(f"{k} {v:.3f}" for k, v in stats.items()))
    gates = (picks[0][0], picks[1][0])
    margin = claim_margin(rows, shortlist, gates, get_settings().reader_sentences)
    print(f"chosen: ASSISTANT_CLAIM_MARGIN={margin} (95 % of the gold sentences the reader sees lie within it)")
    quoted = best_scores(rows, shortlist, margin)
    at_gates = [outcome([s for s in quoted if s[3] == english], gate) for english, gate in ((False, gates[0]), (True, gates[1]))]
    counts = [sum(1 for s in quoted if s[3] == english) for english in (False, True)]
    print(f"as the product quotes (a second sentence only within the claim margin): accuracy "
          f"{sum(o['accuracy'] * n for o, n in zip(at_gates, counts)) / len(quoted):.3f} "
          f"(Norwegian {at_gates[0]['accuracy']:.3f}, English {at_gates[1]['accuracy']:.3f})")

    print("\nresidents' quotes (answerable questions through the gate): plainest within a margin of the best score")
    outcomes = [(m, *plain_outcome(rows, shortlist, gates, m)) for m in PLAIN_MARGINS]
    for m, acc, median in outcomes:
        print(f"  margin {m:4.2f}  accuracy {acc:.3f}  median LIX {median:5.1f}")
    floor = outcomes[0][1] - 0.02  # give up at most one question in fifty for plainer quotes
    plain = max(m for m, acc, _ in outcomes if acc >= floor)
    print(f"chosen: ASSISTANT_PLAIN_MARGIN={plain} (the widest margin losing at most 0.02 accuracy)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
