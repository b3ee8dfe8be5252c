"""What the assistant knows of one language, in one frozen `LanguagePack`: the words its rules read.

A pack holds words and regex fragments only; the patterns that use them are assembled where they are
used (answering/support.py, answering/rewrite.py, core/language.py, core/text.py). It holds no
threshold: every threshold is in Settings (the per-language gates as `answer_threshold` and
`answer_threshold_en`). It names no message either: what the assistant says about an answer (not
found, the notes) stays with the answer stages in answering/messages.py, in nb, nn and en side by side.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

# The kinds of answer a question may ask for, in the order they are tried: the first kind that matches wins.
ASK_KINDS = ("phone", "email", "percent", "number", "time", "address", "place", "name")


@dataclass(frozen=True)
class LanguagePack:
    """One language's words: markers for detection, question cues, number words, follow-up cues, stop words.

    Fields named `..._words`, `asks`, `follow_up_...` hold regex fragments (matched case-insensitively
    unless said otherwise); `markers` and `function_words` hold plain lower-case words.
    """

    code: str  # "nb", "nn" or "en"
    lingua: str  # the lingua `Language` member detection asks about (BOKMAL, NYNORSK, ENGLISH)
    stopwords: str  # the name of the list in `bm25s.stopwords` (loaded on first use)
    instruction: str  # what the LLM reader is told about the answer's language
    markers: frozenset[str]  # words only this language uses: they settle detection's close calls
    function_words: frozenset[str]  # words a question is built of that say nothing about its answer
    # what a question asks for: kind (ASK_KINDS) -> the cues that ask for it
    asks: Mapping[str, tuple[str, ...]]
    # words that make a text hold an answer of a kind (answering/support.py `holds`)
    number_words: tuple[str, ...]  # a count written out ("ti personer")
    percent_words: tuple[str, ...]  # a share ("prosent")
    month_abbreviations: tuple[str, ...]  # after a day number ("14. okt")
    time_words: tuple[str, ...]  # a word that begins a time (months, seasons, units)
    street_suffixes: tuple[str, ...]  # a word ending so names a street (a place; an address with a number)
    address_suffixes: tuple[str, ...]  # further street endings an address has before its number
    postbox_words: tuple[str, ...]  # before a post box number
    institution_words: tuple[str, ...]  # a word that names an organisation (matched as written, not folded)
    # follow-up cues (answering/rewrite.py): a question with one of them points back to the conversation
    follow_up_starts: tuple[str, ...]  # opening words ("og ...", "what about ...")
    follow_up_words: tuple[str, ...]  # pronouns that point back wherever they stand ("han", "them")
    follow_up_ends: tuple[str, ...]  # words that point back when they end the question ("det?", "der?")
    question_words: tuple[str, ...]  # a question word alone ("Hvorfor?") is a follow-up
    prepositions: tuple[str, ...]  # a fragment opening with one and holding no question word ("I Frøya?")

    def __post_init__(self) -> None:
        """Freeze the cue mapping and check that it names every kind of answer, in no other."""
        if set(self.asks) != set(ASK_KINDS):
            raise ValueError(f"{self.code}: asks must name exactly {ASK_KINDS}, not {tuple(self.asks)}")
        object.__setattr__(self, "asks", MappingProxyType({kind: tuple(self.asks[kind]) for kind in ASK_KINDS}))

