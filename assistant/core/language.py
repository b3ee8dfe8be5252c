"""Which written standard a question is in: bokmål (nb), nynorsk (nn) or English (en)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

# Words that only nynorsk uses; they settle the close calls lingua leaves on short questions.
NYNORSK_MARKERS = {
    "kven", "kva", "korleis", "kvifor", "kvar", "kor", "ikkje", "eg", "dei", "frå", "vere", "vore",
    "mykje", "noko", "nokon", "berre", "desse", "då", "òg", "ein", "eit", "sjølv", "meir",
}
ENGLISH_MARKERS = {"who", "what", "how", "why", "when", "where", "which", "the", "is", "are", "does", "do", "of", "in", "and"}
# Words an English question is built of that say nothing about which Norwegian sentence answers it
ENGLISH_FUNCTION_WORDS = ENGLISH_MARKERS | {
    "a", "an", "to", "for", "on", "at", "with", "was", "were", "has", "have", "had", "did", "be", "been", "going",
    "will", "there", "their", "its", "it", "this", "that", "these", "those", "from", "about", "many", "much",
}
BOKMAL_MARKERS = {"hvem", "hva", "hvordan", "hvorfor", "hvor", "ikke", "jeg", "de", "fra", "være", "mye", "noe", "noen", "bare", "mer"}


@lru_cache(maxsize=1)
def _detector() -> Any:
    """Return a lingua detector restricted to bokmål, nynorsk and English."""
    from lingua import Language, LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(Language.BOKMAL, Language.NYNORSK, Language.ENGLISH).build()


def detect_language(text: str) -> str:
    """Return "nb", "nn" or "en" for the text; bokmål when unsure."""
    words = set(re.findall(r"\w+", text.lower()))
    if not words:
        return "nb"
    # proper nouns (kommune names, "FN-senteret") say little about the language; judge the other words
    plain = " ".join(w for i, w in enumerate(text.split()) if i == 0 or not w[:1].isupper()) or text
    confidences = {v.language.name: v.value for v in _detector().compute_language_confidence_values(plain)}
    english, bokmal, nynorsk = (confidences.get(k, 0.0) for k in ("ENGLISH", "BOKMAL", "NYNORSK"))
    english_votes = len(words & ENGLISH_MARKERS) - len(words & (BOKMAL_MARKERS | NYNORSK_MARKERS))
    if english > max(bokmal, nynorsk) or english_votes >= 2:
        return "en"
    nn_votes = len(words & NYNORSK_MARKERS) - len(words & BOKMAL_MARKERS)
    if nn_votes > 0 and nynorsk >= 0.3:
        return "nn"
    if nn_votes < 0:
        return "nb"
    return "nn" if nynorsk > bokmal else "nb"


def content_words(question: str) -> str:
    """Return an English question without its function words ("What is Kraftsamlingen?" -> "Kraftsamlingen?")."""
    kept = [w for w in question.split() if re.sub(r"\W", "", w).lower() not in ENGLISH_FUNCTION_WORDS]
    return " ".join(kept) or question
