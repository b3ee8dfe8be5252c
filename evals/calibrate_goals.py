"""Calibrate the bærekraftsmål assignment on the labelled set, and report precision and recall per goal.

evals/datasets/goals.jsonl holds passages and sentences (from the corpus and written for the set),
each with the goals a careful reader assigns, split into `dev` and `test` halves. The sweep tries
thresholds and margins (ingest/goals.py) on `dev` only and picks the pair with the best micro F1;
the report gives precision and recall per goal, micro and macro averages, on `test`, `dev` and all.

    python -m evals.calibrate_goals            # sweep on dev, then the report at the chosen values
    python -m evals.calibrate_goals --report   # only the report, at ASSISTANT_GOAL_THRESHOLD/_MARGIN
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from assistant.app import App
from assistant.core.goals import GOALS
from assistant.core.settings import get_settings
from ingest.goals import GoalAssigner, assign_goals, explicit_goals

ROOT = Path(__file__).resolve().parent.parent
DATASET = ROOT / "evals" / "datasets" / "goals.jsonl"
THRESHOLDS = [round(0.80 + 0.005 * i, 3) for i in range(21)]
MARGINS = [0.005, 0.01, 0.02, 0.03, 0.05, 1.0]  # 1.0 = no margin: the threshold alone


def load(path: Path) -> list[dict]:
    """Return the labelled items."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def counts(gold: list[set[int]], predicted: list[set[int]]) -> dict[int, tuple[int, int, int]]:
    """Return (true positives, false positives, false negatives) per goal."""
    out = {}
    for g in GOALS:
        n = g.number
        tp = sum(1 for a, b in zip(gold, predicted) if n in a and n in b)
        fp = sum(1 for a, b in zip(gold, predicted) if n not in a and n in b)
        fn = sum(1 for a, b in zip(gold, predicted) if n in a and n not in b)
        out[n] = (tp, fp, fn)
    return out


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Return precision, recall and F1 (0 where undefined)."""
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def micro(c: dict[int, tuple[int, int, int]]) -> tuple[float, float, float]:
    """Return micro-averaged precision, recall and F1."""
    return prf(*(sum(v[i] for v in c.values()) for i in range(3)))


def macro(c: dict[int, tuple[int, int, int]]) -> tuple[float, float, float]:
    """Return precision, recall and F1 averaged over the goals that occur in the gold labels or predictions."""
    rows = [prf(*v) for v in c.values() if v[0] + v[1] + v[2]]
    return tuple(float(np.mean([r[i] for r in rows])) if rows else 0.0 for i in range(3))  # type: ignore[return-value]


def predict(items: list[dict], sims: np.ndarray, threshold: float, margin: float) -> list[set[int]]:
    """Return the goals assigned to each item."""
    return [set(assign_goals(it["text"], s, threshold, margin)) for it, s in zip(items, sims)]


def report(items: list[dict], sims: np.ndarray, threshold: float, margin: float) -> None:
    """Print precision and recall per goal and the averages, for test, dev and all items."""
    print(f"\nthreshold {threshold:.3f}, margin {margin:.3f}")
    for split in ("test", "dev", "all"):
        keep = [i for i, it in enumerate(items) if split == "all" or it["split"] == split]
        part = [items[i] for i in keep]
        gold = [set(it["goals"]) for it in part]
        c = counts(gold, predict(part, sims[keep], threshold, margin))
        print(f"\n{split} ({len(part)} items, {sum(len(g) for g in gold)} gold labels)")
        print("goal                                                  n  pred  prec  recall")
        for g in GOALS:
            tp, fp, fn = c[g.number]
            p, r, _ = prf(tp, fp, fn)
            print(f"{g.label[:52]:52} {tp + fn:3} {tp + fp:5}  {p:.2f}  {r:.2f}")
        mp, mr, mf = micro(c)
        ap, ar, af = macro(c)
        print(f"micro P {mp:.3f} R {mr:.3f} F1 {mf:.3f} | macro P {ap:.3f} R {ar:.3f} F1 {af:.3f}")
    explicit = [set(explicit_goals(it["text"])) for it in items]
    ep, er, _ = micro(counts([set(it["goals"]) for it in items], explicit))
    print(f"\nexplicit mentions alone, all items: micro P {ep:.3f} R {er:.3f}")


def main(argv: list[str] | None = None) -> int:
    """Run the sweep (unless --report) and the report; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", type=Path, default=DATASET)
    parser.add_argument("--report", action="store_true", help="only report, at the configured threshold and margin")
    args = parser.parse_args(argv)

    settings = get_settings()
    items = load(args.dataset)
    app = App(settings)
    assigner = GoalAssigner(app.embedder, settings.goal_threshold, settings.goal_margin)
    sims = assigner.similarities(app.embedder.embed_passages([it["text"] for it in items]))
    if args.report:
        report(items, sims, settings.goal_threshold, settings.goal_margin)
        return 0

    dev = [i for i, it in enumerate(items) if it["split"] == "dev"]
    dev_items, dev_gold = [items[i] for i in dev], [set(items[i]["goals"]) for i in dev]
    print(f"sweep on dev ({len(dev)} items): micro P / R / F1 per threshold (rows) and margin (columns)")
    print("thresh " + " ".join(f"{'m ' + format(m, '.3f'):>17}" for m in MARGINS))
    best = (-1.0, 0.0, 0.0)
    for t in THRESHOLDS:
        cells = []
        for m in MARGINS:
            p, r, f = micro(counts(dev_gold, predict(dev_items, sims[dev], t, m)))
            cells.append(f"{p:.2f}/{r:.2f}/{f:.2f}".rjust(17))
            if f > best[0] + 1e-9:  # ties keep the lower threshold and smaller margin met first
                best = (f, t, m)
        print(f"{t:.3f}  " + " ".join(cells))
    f, t, m = best
    print(f"\nchosen on dev: threshold {t:.3f}, margin {m:.3f} (micro F1 {f:.3f}); "
          f"configured: ASSISTANT_GOAL_THRESHOLD={settings.goal_threshold}, ASSISTANT_GOAL_MARGIN={settings.goal_margin}")
    report(items, sims, t, m)
    return 0


if __name__ == "__main__":
    sys.exit(main())
