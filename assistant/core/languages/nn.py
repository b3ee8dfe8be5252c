"""Nynorsk (nn): questions from the kommuner that write it; its answers pivot through bokmål (Apertium)."""

from __future__ import annotations

from assistant.core.languages.pack import LanguagePack

NN = LanguagePack(
    code="nn",
    lingua="NYNORSK",
    stopwords="STOPWORDS_NORWEGIAN",  # bm25s has one Norwegian list; it holds the nynorsk forms too
    instruction="Skriv svaret på nynorsk.",
    markers=frozenset({
        "kven", "kva", "korleis", "kvifor", "kvar", "kor", "ikkje", "eg", "dei", "frå", "vere", "vore", "mykje",
        "noko", "nokon", "berre", "desse", "då", "òg", "ein", "eit", "sjølv", "meir",
    }),
    function_words=frozenset(),  # a Norwegian question's words are the documents' words: none is left out
    asks={
        "phone": (r"\btelefon\w*", r"\bringe\b", r"\bring\b"),
        "email": (r"\be-?post\w*", r"\bnettside\w*", r"\badresse på nett"),
        "percent": (r"\bprosent\w*", r"\bandel\w*"),
        "number": (r"\bkor mange\b", r"\bkor mykje\b", r"\bkor stor\w*\b", r"\bkor lang\w*\b"),
        "time": (r"\bnår\b", r"\bkva tid\b", r"\bkva år\b", r"\bkor lenge\b"),
        "address": (r"\badresse\w*", r"\bpostadresse\w*", r"\bbesøksadresse\w*"),
        "place": (r"\bkvar (?:ligg|er|finn|held)\b",),
        "name": (r"\bkven\b", r"\bkva heiter\b"),
    },
    number_words=(
        "ein", "eitt", "to", "tre", "fire", "fem", "seks", "sju", "åtte", "ni", "ti", "elleve", "tolv", "femten",
        "tjue", "tretti", "førti", "femti", "hundre", "tusen", r"million\w*", r"milliard\w*", "dusin", "halvparten",
    ),
    percent_words=(r"prosent\w*",),
    month_abbreviations=("jan", "feb", "mar", "apr", "mai", "jun", "jul", "aug", "sep", "okt", "nov", "des"),
    # the bokmål pack's words nynorsk writes alike (nynorsk's own "hausten", "veke" were never cues)
    time_words=(
        "januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober", "november",
        "desember", "våren", "år",
    ),
    street_suffixes=("gata", "gate", "vegen", "veg", "plass"),
    address_suffixes=("allé",),
    postbox_words=("postboks",),
    institution_words=(
        r"kommune\w*", r"fylke\w*", r"bystyre\w*", r"departement\w*", r"senter\w*", r"sekretariat\w*", r"råd\w*",
        r"direktør\w*", r"universitet\w*", r"organisasjon\w*", r"selskap\w*", r"stiftelse\w*", r"nettverk\w*",
    ),
    follow_up_starts=("og", "men", "enn", "kva med"),
    follow_up_words=("han", "ho", "honom", "henne", "hennar", "deim", "deira"),
    follow_up_ends=("det", "den", "dette", "denne", "desse", "dei", "der", "dit", "her", "hit", "då"),
    question_words=("kva", "kven", "kvar", "kor", "korleis", "kvifor", "når"),
    prepositions=("i", "på", "for", "om", "frå", "til", "hos"),
)
