"""The support calibration's own arithmetic: how the product's quote is scored at the gates and the margin."""

from __future__ import annotations

import math

import numpy as np
import pytest

from evals.calibrate_support import best_scores, choose_threshold, outcome


def _row(trained, texts, answers=("gull",), answerable=True, english=False):
    n = len(trained)
    return {"answerable": answerable, "english": english, "cheap": np.linspace(1.0, 0.1, n),
            "trained": np.array(trained, dtype=float), "units": [False] * n, "texts": list(texts),
            "answers": list(answers), "gold": [any(a in t for a in answers) for t in texts]}


@pytest.mark.parametrize("trained, margin, right", [
    ([3.0, 1.0, 2.5], math.inf, True),   # the gold is second: quoted without a margin
    ([3.0, 1.0, 2.5], 0.6, True),        # within the margin
    ([3.0, 1.0, 2.5], 0.4, False),       # the second is left out
    ([2.5, 1.0, 3.0], 0.0, True),        # the gold is best: the margin never matters
    ([3.0, 2.9, 1.0], math.inf, False),  # the gold is third
])
def test_the_quote_holds_the_gold_as_the_product_quotes(trained, margin, right):
    row = _row(trained, ["a x", "b", "c gull"])
    (best, holds, answerable, english), = best_scores([row], 24, margin)
    assert best == max(trained) and holds is right and answerable and not english


def test_an_item_without_candidates_is_refused_by_any_gate():
    row = _row([], [])
    (best, holds, _, _), = best_scores([row], 24)
    assert best == float("-inf") and not holds


@pytest.mark.parametrize("t, accuracy, refused", [(0.0, 0.25, 0.0), (2.0, 0.5, 0.5), (9.0, 0.5, 1.0)])
def test_outcome_counts_refusals_and_right_answers(t, accuracy, refused):
    scored = [(3.0, True, True, False), (1.0, False, True, False), (1.5, False, False, False), (4.0, False, False, False)]
    o = outcome(scored, t)
    assert o["accuracy"] == accuracy and o["answerable_refused"] == refused


def test_the_chosen_threshold_is_among_the_best():
    scored = [(3.0, True, True, False), (2.0, True, True, False), (1.0, False, False, False), (0.5, False, False, False)]
    t, stats = choose_threshold(scored)
    assert 1.0 < t < 2.0 and stats["accuracy"] == 1.0
