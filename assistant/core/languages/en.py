"""English (en): questions about Norwegian documents, answered in English by an LLM reader."""

from __future__ import annotations

from assistant.core.languages.pack import LanguagePack

_MARKERS = frozenset({
    "who", "what", "how", "why", "when", "where", "which", "the", "is", "are", "does", "do", "of", "in", "and",
})

EN = LanguagePack(
    code="en",
    lingua="ENGLISH",
    stopwords="STOPWORDS_EN_PLUS",
    instruction="Write the answer in English, translating the facts from the Norwegian sentences.",
    markers=_MARKERS,
    # the words an English question is built of that say nothing about which Norwegian sentence answers it
    function_words=_MARKERS | {
        "a", "an", "to", "for", "on", "at", "with", "was", "were", "has", "have", "had", "did", "be", "been", "going",
        "will", "there", "their", "its", "it", "this", "that", "these", "those", "from", "about", "many", "much",
    },
    asks={
        "phone": (r"\bphone\b",),
        "email": (r"\be-?mail\b", r"\bwebsite\b"),
        "percent": (r"\bpercent\w*", r"\bshare of\b"),
        "number": (r"\bhow many\b", r"\bhow much\b", r"\bhow (?:big|large|long)\b"),
        "time": (r"\bwhen\b", r"\bwhat year\b"),
        "address": (r"\baddress\b",),
        "place": (r"\bwhere\b",),
        "name": (r"\bwho\b", r"\bwhat is the name\b",
                 r"\bwhich (?:\w+ )?(?:organi[sz]ation|municipalit|partner|cit|institution)\w*"),
    },
    number_words=("one", "two", "three", "ten", "hundred", "thousand"),
    percent_words=("percent",),
    # The documents are Norwegian: their dates, streets and post boxes are in the Norwegian packs' words.
    month_abbreviations=(),
    time_words=(),
    street_suffixes=(),
    address_suffixes=(),
    postbox_words=(),
    institution_words=(
        r"municipal\w*", r"council\w*", "county", "government", "ministry", "university", "centre", "center",
        "secretariat", "department", r"organi[sz]ation\w*", "company", "foundation", "network",
    ),
    follow_up_starts=("and", "but", "what about", "how about"),
    follow_up_words=("he", "she", "him", "his", "they", "them", "their", "theirs", "its"),
    follow_up_ends=("it", "this", "that", "these", "those", "there", "then", "her"),
    question_words=("what", "who", "where", "how", "why", "when", "which"),
    prepositions=("in", "on", "at", "for", "about", "from"),
)
