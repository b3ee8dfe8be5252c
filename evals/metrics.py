"""Evaluation metrics: pure, deterministic functions over strings and per-item rows (no models).

Every per-item score aggregates by its mean. Text matching is NFC- and whitespace-normalised;
gold answers must match on word boundaries (so the gold "ti" is not found inside "tiden").
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

KS = (1, 3, 5, 10)
CITATION_MARKER = re.compile(r"\[\s*\d+(?:\s*[,;-]\s*\d+)*\s*\]")
PUNCTUATION = set(string.punctuation) | {"«", "»", "“", "”", "„", "‘", "’", "–", "—", "…", "·", "•"}


def fold(text: str) -> str:
    """Return NFC text with runs of whitespace folded to one space and the ends stripped."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text or "")).strip()


def normalise_answer(text: str) -> str:
    """Return text in NFC, lowercased, without citation markers [n] and punctuation, whitespace folded."""
    text = CITATION_MARKER.sub(" ", unicodedata.normalize("NFC", text or "")).lower()
    text = "".join(" " if ch in PUNCTUATION or unicodedata.category(ch).startswith("P") else ch for ch in text)
    return fold(text)


def _contains_words(haystack: str, needle: str) -> bool:
    """Return True when the normalised needle occurs in the normalised haystack on word boundaries."""
    return bool(needle) and f" {needle} " in f" {haystack} "


def answer_contains(prediction: str, golds: Sequence[str], refused: bool = False) -> float:
    """Return 1.0 when a normalised gold occurs in the normalised prediction (refusal when golds are empty), else 0.0."""
    norm_golds = [g for g in (normalise_answer(g) for g in golds) if g]
    if not norm_golds:
        return 1.0 if refused else 0.0
    if refused:
        return 0.0
    pred = normalise_answer(prediction)
    return 1.0 if any(_contains_words(pred, g) for g in norm_golds) else 0.0


def exact_match(prediction: str, golds: Sequence[str], refused: bool = False) -> float:
    """Return 1.0 when the normalised prediction equals a normalised gold (refusal when golds are empty), else 0.0."""
    norm_golds = [g for g in (normalise_answer(g) for g in golds) if g]
    if not norm_golds:
        return 1.0 if refused else 0.0
    return 0.0 if refused else float(normalise_answer(prediction) in norm_golds)


def _f1(prediction_tokens: list[str], gold_tokens: list[str]) -> float:
    """Return the SQuAD token F1 of two token lists."""
    common = Counter(prediction_tokens) & Counter(gold_tokens)
    same = sum(common.values())
    if same == 0:
        return 0.0
    precision = same / len(prediction_tokens)
    recall = same / len(gold_tokens)
    return 2 * precision * recall / (precision + recall)


def token_f1(prediction: str, golds: Sequence[str], refused: bool = False) -> float:
    """Return the best SQuAD-style token F1 of the prediction against the golds (refusal scores when golds are empty)."""
    gold_tokens = [t for t in (normalise_answer(g).split() for g in golds) if t]
    if not gold_tokens:
        return 1.0 if refused else 0.0
    if refused:
        return 0.0
    pred_tokens = normalise_answer(prediction).split()
    return max(_f1(pred_tokens, g) for g in gold_tokens)


def _supports(passage: str, answers: Sequence[str], evidence: str | None) -> bool:
    """Return True when the passage contains the evidence quote or a gold answer (whitespace-normalised, any case)."""
    body = fold(passage).casefold()
    quote = fold(evidence or "").casefold()
    if quote and quote in body:
        return True
    padded = f" {normalise_answer(passage)} "
    return any(g and f" {g} " in padded for g in (normalise_answer(a) for a in answers))


def retrieval_hits(passages: Sequence[str], answers: Sequence[str], evidence: str | None) -> int | None:
    """Return the 1-based rank of the first passage holding the evidence or a gold answer, or None."""
    for rank, text in enumerate(passages, start=1):
        if _supports(text, answers, evidence):
            return rank
    return None


def hit_at_k(rank: int | None, k: int) -> float:
    """Return 1.0 when the rank is within the first k, else 0.0."""
    return 1.0 if rank is not None and 1 <= rank <= k else 0.0


def reciprocal_rank(rank: int | None) -> float:
    """Return 1/rank, or 0.0 when there was no hit."""
    return 1.0 / rank if rank is not None and rank >= 1 else 0.0


def citation_precision(cited_passages: Sequence[str], answers: Sequence[str], evidence: str | None) -> float | None:
    """Return the share of distinct cited passages holding the evidence or a gold answer; None when nothing was cited."""
    distinct = list(dict.fromkeys(fold(p) for p in cited_passages))
    if not distinct:
        return None
    return sum(1 for p in distinct if _supports(p, answers, evidence)) / len(distinct)


def refusal_confusion(items: Iterable[tuple[bool, bool]]) -> dict[str, Any]:
    """Return counts and the precision and recall of refusing, with unanswerable items as the positive class.

    precision = refusals on unanswerable items / all refusals; recall = refusals on unanswerable items /
    all unanswerable items; None where the denominator is 0.
    """
    tp = fp = fn = tn = 0
    for answerable, refused in items:
        if refused and not answerable:
            tp += 1
        elif refused and answerable:
            fp += 1
        elif not answerable:
            fn += 1
        else:
            tn += 1
    return {
        "refused_unanswerable": tp,
        "refused_answerable": fp,
        "answered_unanswerable": fn,
        "answered_answerable": tn,
        "precision": tp / (tp + fp) if tp + fp else None,
        "recall": tp / (tp + fn) if tp + fn else None,
    }


def percentile(values: Sequence[float], q: float) -> float | None:
    """Return the q-th percentile (0..100, linear interpolation) of the values, or None when there are none."""
    ordered = sorted(float(v) for v in values)
    if not ordered:
        return None
    if not 0 <= q <= 100:
        raise ValueError(f"percentile must be within 0..100, got {q}")
    pos = (len(ordered) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def _mean(values: Iterable[float | None]) -> float | None:
    """Return the mean of the values that are not None, or None when there are none."""
    kept = [float(v) for v in values if v is not None]
    return sum(kept) / len(kept) if kept else None


def summarise(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Return a pipeline's aggregate metrics from its per-item rows.

    A row needs ``answerable``, ``refused``, ``rank`` (retrieval hit rank or None), ``answer_contains``,
    ``token_f1``, ``citation_precision`` (None when nothing was cited) and ``latency`` (seconds).
    Retrieval figures are over answerable items; answer figures over all items.
    """
    answerable = [r for r in rows if r["answerable"]]
    out: dict[str, Any] = {"items": len(rows), "answerable": len(answerable)}
    for k in KS:
        out[f"hit@{k}"] = _mean(hit_at_k(r.get("rank"), k) for r in answerable)
    out["mrr"] = _mean(reciprocal_rank(r.get("rank")) for r in answerable)
    out["answer_accuracy"] = _mean(r.get("answer_contains") for r in rows)
    out["token_f1"] = _mean(r.get("token_f1") for r in rows)
    out["citation_precision"] = _mean(r.get("citation_precision") for r in rows)
    confusion = refusal_confusion((bool(r["answerable"]), bool(r["refused"])) for r in rows)
    out["refusal_precision"] = confusion["precision"]
    out["refusal_recall"] = confusion["recall"]
    out["refusal_counts"] = {key: value for key, value in confusion.items() if key not in ("precision", "recall")}
    latencies = [r["latency"] for r in rows if r.get("latency") is not None]
    out["latency_p50"] = percentile(latencies, 50)
    out["latency_p95"] = percentile(latencies, 95)
    out["answerable_refused"] = sum(1 for r in answerable if r["refused"])
    # shown, not refused, and wrong: the worst outcome, kept apart from refusals
    out["answered_wrongly"] = sum(1 for r in answerable if not r["refused"] and not r.get("answer_contains"))
    out["answered_wrongly_share"] = out["answered_wrongly"] / len(answerable) if answerable else None
    for key in ("language", "asks"):
        if any(key in r for r in rows):
            out[f"by_{key}"] = breakdown(rows, key)
    return out


def breakdown(rows: Sequence[Mapping[str, Any]], key: str) -> dict[str, dict[str, int]]:
    """Return per value of `key` (language, question kind) the answerable items, those answered right, refused and
    answered wrongly (shown and wrong)."""
    out: dict[str, dict[str, int]] = {}
    for r in rows:
        if not r["answerable"]:
            continue
        cell = out.setdefault(str(r.get(key, "?")), {"answerable": 0, "right": 0, "refused": 0, "wrong": 0})
        cell["answerable"] += 1
        cell["right"] += int(bool(r.get("answer_contains")))
        cell["refused"] += int(bool(r["refused"]))
        cell["wrong"] += int(not r["refused"] and not r.get("answer_contains"))
    return dict(sorted(out.items()))
