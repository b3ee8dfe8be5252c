"""Which written standard a question is in: bokmål (nb), nynorsk (nn) or English (en)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from assistant.core.languages import PACKS

# Detection's two design constants, set by hand on the questions of tests/core/test_languages.py:
ENGLISH_VOTES = 2  # English marker words (less Norwegian ones) that make a question English whatever lingua says
NYNORSK_CONFIDENCE = 0.3  # lingua's least nynorsk confidence for a question whose marker words lean nynorsk


@lru_cache(maxsize=1)
def _detector() -> Any:
    """Return a lingua detector restricted to the packs' languages (bokmål, nynorsk and English)."""
    from lingua import Language, LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(*(getattr(Language, p.lingua) for p in PACKS.values())).build()


def detect_language(text: str) -> str:
    """Return "nb", "nn" or "en" for the text; bokmål when unsure."""
    words = set(re.findall(r"\w+", text.lower()))
    if not words:
        return "nb"
    # proper nouns (kommune names, "FN-senteret") say little about the language; judge the other words
    plain = " ".join(w for i, w in enumerate(text.split()) if i == 0 or not w[:1].isupper()) or text
    confidences = {v.language.name: v.value for v in _detector().compute_language_confidence_values(plain)}
    nb, nn, en = PACKS["nb"], PACKS["nn"], PACKS["en"]
    english, bokmal, nynorsk = (confidences.get(p.lingua, 0.0) for p in (en, nb, nn))
    english_votes = len(words & en.markers) - len(words & (nb.markers | nn.markers))
    if english > max(bokmal, nynorsk) or english_votes >= ENGLISH_VOTES:
        return "en"
    nn_votes = len(words & nn.markers) - len(words & nb.markers)
    if nn_votes > 0 and nynorsk >= NYNORSK_CONFIDENCE:
        return "nn"
    if nn_votes < 0:
        return "nb"
    return "nn" if nynorsk > bokmal else "nb"


def content_words(question: str) -> str:
    """Return an English question without its function words ("What is Kraftsamlingen?" -> "Kraftsamlingen?")."""
    kept = [w for w in question.split() if re.sub(r"\W", "", w).lower() not in PACKS["en"].function_words]
    return " ".join(kept) or question
