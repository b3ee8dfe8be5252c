"""The language packs: one frozen `LanguagePack` a language (nb.py, nn.py, en.py), and what reads them all.

Where a rule applies to every question whatever its language (what a question asks for, whether a
text holds that kind of answer, whether a question is a follow-up), it applies the union of the
packs' cues: detection is unsure on short questions ("Når?", "Og i Frøya?") and the documents are
Norwegian whatever the question's language. Where the code already branches on the detected
language (the reader's language instruction, detection itself), it reads that language's pack.
"""

from __future__ import annotations

from functools import lru_cache

from assistant.core.languages.en import EN
from assistant.core.languages.nb import NB
from assistant.core.languages.nn import NN
from assistant.core.languages.pack import ASK_KINDS, LanguagePack

PACKS: dict[str, LanguagePack] = {"nb": NB, "nn": NN, "en": EN}

__all__ = ["ASK_KINDS", "PACKS", "LanguagePack", "alternation", "asked_cues", "pack", "stop_words", "union"]


def pack(code: str) -> LanguagePack:
    """Return the pack of the language "nb", "nn" or "en" (KeyError for any other)."""
    return PACKS[code]


def union(field: str) -> tuple[str, ...]:
    """Return the words (or fragments) every pack lists in the field, in pack order (nb, nn, en), each once."""
    return tuple(dict.fromkeys(w for p in PACKS.values() for w in getattr(p, field)))


def alternation(fragments: tuple[str, ...]) -> str:
    """Return the fragments as one regex group "(?:a|b)"; none gives a group that never matches."""
    return f"(?:{'|'.join(fragments)})" if fragments else "(?!)"


def asked_cues() -> list[tuple[str, str]]:
    """Return (kind, the union of every pack's cues for it as one regex), in ASK_KINDS order."""
    return [(kind, "|".join(dict.fromkeys(c for p in PACKS.values() for c in p.asks[kind]))) for kind in ASK_KINDS]


@lru_cache(maxsize=None)
def stop_words(code: str) -> tuple[str, ...]:
    """Return the language's bm25s stop words (bm25s is imported on first use: it is heavy)."""
    import bm25s.stopwords

    return tuple(getattr(bm25s.stopwords, pack(code).stopwords))
