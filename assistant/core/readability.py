"""Readability of answers for residents: LIX, the Scandinavian readability index."""

from __future__ import annotations

from assistant.core.text import has_words, strip_markers

# LIX bands as used for Norwegian and Swedish texts (Björnsson): under 30 very easy ... over 60 very hard.
BANDS = ((30, "svært lett"), (40, "lett"), (50, "middels"), (60, "vanskelig"))
CITIZEN_TARGET = 40


def lix(text: str) -> float:
    """Return the LIX of the text (citation markers removed); 0.0 for a text without words."""
    import textstat

    if not has_words(text):
        return 0.0
    return float(textstat.lix(strip_markers(text)))  # strip_markers also collapses whitespace


def band(score: float) -> str:
    """Return the plain-Norwegian name of the LIX band the score falls in."""
    for limit, name in BANDS:
        if score < limit:
            return name
    return "svært vanskelig"
