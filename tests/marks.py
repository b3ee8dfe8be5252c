"""Parameter lists with slow cases: the quick loop (`-m "not slow"`) keeps a named few, `make test` runs them all."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest


def slow_except(values: Iterable[Any], quick: Iterable[Any]) -> list[Any]:
    """Return the values as parameters, those not in `quick` marked slow."""
    keep = set(quick)
    return [v if v in keep else pytest.param(v, marks=pytest.mark.slow) for v in values]


def diagonal(first: Iterable[Any], second: Iterable[Any]) -> list[Any]:
    """Return every pair of first × second (id "a-b"), all slow but the diagonal, which meets each value once."""
    firsts, seconds = list(first), list(second)
    assert len(firsts) == len(seconds), "a diagonal meets every value only when both sides are as long"
    return [pytest.param(a, b, id=f"{a}-{b}", marks=() if i == j else pytest.mark.slow)
            for i, a in enumerate(firsts) for j, b in enumerate(seconds)]
