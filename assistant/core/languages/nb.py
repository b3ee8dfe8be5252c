"""Bokmål (nb): the language of most questions and of the documents."""

from __future__ import annotations

from assistant.core.languages.pack import LanguagePack

NB = LanguagePack(
    code="nb",
    lingua="BOKMAL",
    stopwords="STOPWORDS_NORWEGIAN",
    instruction="Skriv svaret på bokmål.",
    markers=frozenset({
        "hvem", "hva", "hvordan", "hvorfor", "hvor", "ikke", "jeg", "de", "fra", "være", "mye", "noe", "noen", "bare",
        "mer",
    }),
    function_words=frozenset(),  # a Norwegian question's words are the documents' words: none is left out
    asks={
        "phone": (r"\btelefon\w*", r"\bringe\b", r"\bring\b"),
        "email": (r"\be-?post\w*", r"\bnettside\w*", r"\badresse på nett"),
        "percent": (r"\bprosent\w*", r"\bandel\w*"),
        "number": (r"\bhvor mange\b", r"\bhvor mye\b", r"\bantall\b", r"\bhvor stor\w*\b", r"\bhvor lang\w*\b"),
        "time": (r"\bnår\b", r"\bhvilket år\b", r"\bhvor lenge\b"),
        "address": (r"\badresse\w*", r"\bpostadresse\w*", r"\bbesøksadresse\w*"),
        "place": (r"\bhvor (?:ligger|er|finner|holder)\b",),
        "name": (r"\bhvem\b", r"\bhva heter\b", r"\bhvilke?n?(?: \w+)? (?:organisasjon|kommune|aktør|partner|by|byer|"
                 r"firma|selskap|kunnskapsmiljø)\w*"),
    },
    number_words=(
        "en", "ett", "to", "tre", "fire", "fem", "seks", "sju", "syv", "åtte", "ni", "ti", "elleve", "tolv", "femten",
        "tjue", "tretti", "førti", "femti", "hundre", "tusen", r"million\w*", r"milliard\w*", "dusin", "halvparten",
        r"flertall\w*",
    ),
    percent_words=(r"prosent\w*",),
    month_abbreviations=("jan", "feb", "mar", "apr", "mai", "jun", "jul", "aug", "sep", "okt", "nov", "des"),
    time_words=(
        "januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober", "november",
        "desember", "våren", "høsten", "sommeren", "vinteren", "år", "uke", "måned",
    ),
    street_suffixes=("gata", "gaten", "veien", "vegen", "gate", "vei", "veg", "plass"),
    address_suffixes=("allé",),
    postbox_words=("postboks",),
    institution_words=(
        r"kommune\w*", r"fylke\w*", r"bystyre\w*", r"departement\w*", r"senter\w*", r"sekretariat\w*", r"råd\w*",
        r"utvalg\w*", r"direktør\w*", r"leder\w*", r"ordfører\w*", r"universitet\w*", r"organisasjon\w*",
        r"selskap\w*", r"stiftelse\w*", r"forening\w*", r"nettverk\w*",
    ),
    follow_up_starts=("og", "men", "enn", "hva med"),
    follow_up_words=("han", "hun", "ham", "henne", "hennes", "dem", "deres"),
    follow_up_ends=("det", "den", "dette", "denne", "disse", "de", "der", "dit", "her", "hit", "da"),
    question_words=("hva", "hvem", "hvor", "hvordan", "hvorfor", "når", "hvilken", "hvilket", "hvilke"),
    prepositions=("i", "på", "for", "om", "fra", "til", "hos"),
)
