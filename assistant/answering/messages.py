"""What the assistant says about an answer, in bokmål (nb), nynorsk (nn) and English (en): all such text in one place.

Each message maps a language to its text; `{error}` is filled in where a part failed. The translation
messages are only ever shown with a nynorsk question (the pivot through bokmål runs for nynorsk alone);
their bokmål and English texts keep every message complete in all three languages.
"""

from __future__ import annotations

from collections.abc import Mapping

LANGUAGES = ("nb", "nn", "en")

# The gate found no sentence that answers the question: said instead of an answer.
NOT_FOUND = {
    "nb": "Jeg fant ikke svaret i dokumentene.",
    "nn": "Eg fann ikkje svaret i dokumenta.",
    "en": "I could not find the answer in the documents.",
}
# The model said nothing the documents confirm (or declined): the best sentences are quoted instead.
FALLBACK_NOTE = {
    "nb": "Språkmodellen klarte ikke å formulere et svar som dokumentene bekrefter; "
          "her er setningene fra dokumentene som svarer best.",
    "nn": "Språkmodellen klarte ikkje å formulere eit svar som dokumenta stadfestar; "
          "her er setningane frå dokumenta som svarar best.",
    "en": "The language model could not phrase an answer the documents confirm; "
          "here are the document sentences that answer best.",
}
# The model failed or passed its deadline: what it had said and verified stays, or the best sentences are quoted.
FAILED_NOTE = {
    "nb": "Språkmodellen feilet ({error}); svaret er setningene fra dokumentene som svarer best.",
    "nn": "Språkmodellen feila ({error}); svaret er setningane frå dokumenta som svarar best.",
    "en": "The language model failed ({error}); the answer is the document sentences that answer best.",
}
# The model answered in bokmål and each sentence was machine-translated to nynorsk.
TRANSLATED = {
    "nb": "Skrevet på bokmål av språkmodellen og maskinoversatt til nynorsk med Apertium.",
    "nn": "Skrive på bokmål av språkmodellen og maskinomsett til nynorsk med Apertium.",
    "en": "Written in bokmål by the language model and machine-translated to nynorsk with Apertium.",
}
# The question could not be translated to bokmål: the model was asked in nynorsk.
QUESTION_NOT_TRANSLATED = {
    "nb": "Oversettelsen feilet ({error}); språkmodellen fikk spørsmålet på nynorsk.",
    "nn": "Omsetjinga feila ({error}); språkmodellen fekk spørsmålet på nynorsk.",
    "en": "The translation failed ({error}); the language model got the question in nynorsk.",
}
# A sentence of the answer could not be translated to nynorsk: the verified bokmål is shown.
ANSWER_NOT_TRANSLATED = {
    "nb": "Oversettelsen til nynorsk feilet ({error}); svaret står på bokmål.",
    "nn": "Omsetjinga til nynorsk feila ({error}); svaret står på bokmål.",
    "en": "The translation to nynorsk failed ({error}); the answer is in bokmål.",
}
MESSAGES: dict[str, dict[str, str]] = {
    "not_found": NOT_FOUND,
    "fallback": FALLBACK_NOTE,
    "failed": FAILED_NOTE,
    "translated": TRANSLATED,
    "question_not_translated": QUESTION_NOT_TRANSLATED,
    "answer_not_translated": ANSWER_NOT_TRANSLATED,
}
TRANSLATED_NOTE = TRANSLATED["nn"]  # the note a nynorsk answer carries (the name other modules import)


def say(message: Mapping[str, str], language: str, **fields: object) -> str:
    """Return the message in the language ("nb", "nn" or "en"), with its `{error}` and other fields filled in."""
    text = message[language]
    return text.format(**fields) if fields else text
