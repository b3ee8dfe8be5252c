"""The reading design on many hand-made cases: evidence, the support score, the gate, the readers, verification.

The support score is checked with the real e5 model (cosine) and on its word and cue parts alone; the
readers and the pipeline logic around a model use a scripted chat model (the real models are tested in
test_assistant_llm.py).
"""

from __future__ import annotations

import json

import pytest

from assistant.answering.evidence import candidates, renumber
from assistant.answering.pipeline import Assistant, plain
from assistant.answering.readers import (
    ExtractiveReader,
    JsonAnswerStream,
    LLMReader,
    answer_schema,
    evidence_block,
    reader_messages,
)
from assistant.answering.rewrite import rule_rewrite
from assistant.answering.support import (
    SupportScorer,
    SupportWeights,
    answers,
    asks_for,
    cue,
    holds,
)
from assistant.app import answer_config
from assistant.core.models import Answer, Chunk, Evidence
from assistant.core.settings import get_settings
from assistant.llm.base import LLMUnavailable
from tests.fakes import quoter

FN = Chunk("fn-1", "Hva er FN-senteret?\nFN-senteret i Trondheim skal rapportere tilbake til FN i Geneve. "
           "Dette sekretariatet består for tiden av ti personer. Senteret finansieres over kommunebudsjettet.\n"
           "Hvordan kommer du i kontakt med FN-senteret?\nErling Skakkes gate 14\nTelefon +47 72 54 00 00\n"
           "Sekretariatsleder: Kristian Mjøen", "fn.txt", "11 ting om FN-senteret", None, "", 0, 300,
           {"kommune": "Trondheim"})
PLAN = Chunk("plan-3", "Trondheimspanelet\nPanelutvelgelse: 4000 SMS-er ble sendt ut\nRespons fra innbyggerne: 370 ville "
             "delta\n50 personer ble trukket ut. Vi holdt 50 framtidsverksteder med ansatte og ledere, og 15 000 "
             "ansatte var involvert.", "plan.pdf", "Samfunnsplan", 3, "Medvirkning", 0, 200, {"kommune": "Trondheim"})
BUS = Chunk("by-1", "I Trondheim skal det være lett å leve miljøvennlig. Trondheim er en Smartby.", "by.txt", "Byen",
            None, "", 0, 80, {})


def evidence(*chunks: Chunk) -> list[Evidence]:
    return candidates(list(chunks))


# --- evidence -----------------------------------------------------------------------------------


def test_candidates_are_sentences_with_their_lead_in_and_the_sentence_before():
    ev = evidence(FN)
    texts = [e.text for e in ev]
    assert "Hva er FN-senteret?" not in texts and "Hvordan kommer du i kontakt med FN-senteret?" not in texts
    address = next(e for e in ev if e.text == "Erling Skakkes gate 14")
    assert address.context == "Hvordan kommer du i kontakt med FN-senteret?"
    budget = next(e for e in ev if e.text.startswith("Senteret finansieres"))
    assert budget.before.startswith("Dette sekretariatet") and budget.context == "Hva er FN-senteret?"
    assert [e.id for e in ev] == list(range(1, len(ev) + 1))
    assert "Sekretariatsleder: Kristian Mjøen" in texts  # a "Label: value" line is a sentence


def test_candidates_drop_repeats_titles_and_one_word_lines():
    chunk = Chunk("c", "Samfunnsplan\nTiltak\nTiltak: Flere sykkelveier.\nTiltak: Flere sykkelveier.\n• Grønne tak på skolene",
                  "s.txt", "Samfunnsplan", None, "", 0, 90, {})
    # the two list lines, then the two as one unit (a list question is answered by the list)
    assert [e.text for e in evidence(chunk)] == ["Tiltak: Flere sykkelveier.", "Grønne tak på skolene",
                                                 "Tiltak: Flere sykkelveier; Grønne tak på skolene"]
    assert [e.id for e in renumber(list(reversed(evidence(chunk))))] == [1, 2, 3]


# --- what a question asks for -------------------------------------------------------------------


@pytest.mark.parametrize("question, kind", [
    ("Hvem finansierer FN-senteret?", "name"), ("Kven leiar sekretariatet?", "name"), ("Who funds it?", "name"),
    ("Hvor mange personer jobber der?", "number"), ("Kor mange ansatte er det?", "number"),
    ("How many people work there?", "number"), ("Hvor mye koster billetten?", "number"),
    ("Når åpnet senteret?", "time"), ("Kva tid vart planen vedteken?", "time"), ("When did it open?", "time"),
    ("Hva er telefonnummeret til FN-senteret?", "phone"), ("What is the phone number?", "phone"),
    ("Hvor ligger FN-senteret?", "place"), ("Hva er adressen til senteret?", "address"),
    ("Hva er andelen fornybar energi?", "percent"), ("Hva heter prosjektet?", "name"),
    ("Hva er Kraftsamlingen?", None), ("Hvorfor ble møtet digitalt?", None),
])
def test_asks_for(question, kind):
    assert asks_for(question) == kind


@pytest.mark.parametrize("kind, text, expected", [
    ("number", "Sekretariatet består av ti personer.", True), ("number", "370 ville delta", True),
    ("number", "Øverste ledelse er bystyret.", False), ("phone", "Telefon +47 72 54 00 00", True),
    ("phone", "I 2022 ble 50 personer trukket ut.", False), ("time", "Senteret åpnet i 2019.", True),
    ("time", "7. juni var Stad vertskap.", True), ("time", "Senteret finansieres over budsjettet.", False),
    ("address", "Erling Skakkes gate 14", True), ("address", "Postboks 2300, 7004 Trondheim", True),
    ("address", "FN-senteret i Trondheim skal rapportere.", False), ("percent", "Andelen er 25 %.", True), ("percent", "Andelen økte.", False),
    ("name", "Sekretariatet ledes av Kristian Mjøen.", True), ("name", "det skjer i morgen.", False),
])
def test_holds(kind, text, expected):
    assert holds(kind, text) is expected


def test_cue_for_questions_and_claims():
    ev = {e.text: e for e in evidence(FN, PLAN)}
    ten = ev["Dette sekretariatet består for tiden av ti personer."]
    assert cue("Hvor mange personer jobber i sekretariatet?", ten, "question") == 1.0
    assert cue("Hvem finansierer senteret?", ev["Senteret finansieres over kommunebudsjettet."], "question") == 1.0
    plain_words = Evidence(1, "det skjer hver uke i sentrum.", FN, 0)
    assert cue("Hvem finansierer senteret?", plain_words, "question") == -1.0
    assert cue("Hva er FN-senteret?", ten, "question") == 0.0
    workshops = next(e for t, e in ev.items() if "framtidsverksteder" in t)
    assert cue("Det ble holdt 50 framtidsverksteder.", workshops, "claim") == 0.0
    assert cue("Det ble holdt 15 000 framtidsverksteder.", ev["50 personer ble trukket ut."], "claim") == -1.0
    assert cue("The mayor of Tromsø is Kristian Mjøen.", ev["Sekretariatsleder: Kristian Mjøen"], "claim") == -1.0
    assert cue("Sekretariatsleder er Kristian Mjøen.", ev["Sekretariatsleder: Kristian Mjøen"], "claim") == 0.0


# --- the support score with the real e5 model ----------------------------------------------------


@pytest.fixture(scope="module")
def scorer(e5):
    return SupportScorer(SupportWeights(1.0, 1.0, 0.2, threshold=1.0, embed_top=10), e5)


@pytest.mark.parametrize("question, expected", [
    ("Hvem finansierer FN-senteret?", "Senteret finansieres over kommunebudsjettet."),
    ("Hvor mange personer består sekretariatet av?", "Dette sekretariatet består for tiden av ti personer."),
    ("Hva er telefonnummeret til FN-senteret?", "Telefon +47 72 54 00 00"),
    ("Hva er adressen til FN-senteret?", "Erling Skakkes gate 14"),
    ("Hvem er sekretariatsleder?", "Sekretariatsleder: Kristian Mjøen"),
    ("Hvor mange innbyggere ville delta i Trondheimspanelet?", "Respons fra innbyggerne: 370 ville delta"),
    ("Hvor mange framtidsverksteder ble holdt med ansatte og ledere?", "Vi holdt 50 framtidsverksteder"),
])
def test_the_best_supported_sentence_answers(scorer, question, expected):
    ranked = scorer.rank(question, evidence(FN, PLAN, BUS))
    # the best is the sentence, or a list unit that holds it as one of its lines
    assert expected.rstrip(".") in ranked[0].text, [(round(e.support, 3), e.text) for e in ranked[:3]]
    assert all(a.support >= b.support for a, b in zip(ranked, ranked[1:]))


def test_questions_the_documents_cannot_answer_score_lower_than_those_they_can(scorer):
    ev = evidence(FN, PLAN, BUS)
    answerable = [scorer.rank(q, ev)[0].support for q in (
        "Hvem finansierer FN-senteret?", "Hvor mange personer består sekretariatet av?",
        "Hva er telefonnummeret til FN-senteret?")]
    unanswerable = [scorer.rank(q, ev)[0].support for q in (
        "Hva koster en bussbillett i Trondheim?", "Når åpnet FN-senteret i Trondheim?",
        "Hvem er ordfører i Tromsø?")]
    assert min(answerable) > max(unanswerable), (answerable, unanswerable)


def test_claims_are_backed_only_by_sentences_that_say_them(scorer):
    ev = {e.text: e for e in evidence(FN, PLAN)}
    workshops = next(e for t, e in ev.items() if "framtidsverksteder" in t)
    assert scorer.backs("Det ble holdt 50 framtidsverksteder med ansatte og ledere.", [workshops])[0]
    assert not scorer.backs("Det ble holdt 15 000 framtidsverksteder.", [ev["50 personer ble trukket ut."]])[0]
    ten = ev["Dette sekretariatet består for tiden av ti personer."]
    assert scorer.backs("Sekretariatet består av ti personer.", [ten])[0]
    assert not scorer.backs("Sekretariatet består av 11 personer.", [ten])[0]
    ok, best, _ = scorer.backs("Senteret finansieres over kommunebudsjettet.",
                               [ten, ev["Senteret finansieres over kommunebudsjettet."]])
    assert ok and best.text.startswith("Senteret finansieres")
    assert scorer.backs("Anything.", []) == (False, None, 0.0)


@pytest.mark.parametrize("question, claim, expected", [
    ("Finnes det en bærekraftsrapport for Frøya?", "Ja, det finnes en bærekraftsrapport for Frøya.", False),  # echo
    ("Finnes det en bærekraftsrapport for Frøya?", "Ja, Bærekraftsrapport Frøya 2024.", True),
    ("Når var nettverkssamlingen i Stad?", "Stad var vertskap for den femte nettverkssamlinga.", False),  # no date
    ("Når var nettverkssamlingen i Stad?", "Nettverkssamlingen i Stad var 7. juni 2021.", True),
    ("Hvilke norske byer samarbeider FN-senteret med?", "FN-senteret samarbeider med flere norske byer.", False),
    ("Hvilke norske byer samarbeider FN-senteret med?", "FN-senteret samarbeider med Asker, Bodø og Bærum.", True),
    ("Hva er adressen til FN-senteret?", "Trondheim kommune fikk tillit fra FN.", False),  # no address
    ("Hva er adressen til FN-senteret?", "FN-senteret ligger i Erling Skakkes gate 14.", True),
    ("Hvor mange personer jobber i sekretariatet?", "Sekretariatet består av personer fra kommunen.", False),
    ("Hvor mange personer jobber i sekretariatet?", "Sekretariatet består av ti personer.", True),
    ("Hvem leder sekretariatet?", "Det er en leder.", False),
    ("Hvem leder sekretariatet?", "Kristian Mjøen leder sekretariatet.", True),
    ("Hvilken kommune ligger Frøya i?", "Frøya ligger i Trøndelag.", True),  # a name after the first word
    ("Who funds the UN centre in Trondheim?", "The centre is funded over the municipal budget.", True),
    ("Kva er telefonnummeret til FN-senteret?", "Telefonnummeret står på nettsida.", False),
    ("Kva er telefonnummeret til FN-senteret?", "Telefon +47 72 54 00 00.", True),
    ("Hva er Kraftsamlingen?", "Kraftsamlingen er et arrangement for ledere.", True),  # asks for no kind
    ("Hva er Kraftsamlingen?", "Kraftsamlingen er Kraftsamlingen.", False),
])
def test_a_claim_answers_when_it_adds_what_the_question_asks_for(question, claim, expected):
    assert answers(question, claim) is expected


# --- the readers -------------------------------------------------------------------------------


class ScriptedChat:
    """A chat model stand-in replying with fixed text in pieces (logic around a model; real models elsewhere)."""

    name = "scripted:chat"
    context_window = 4096

    def __init__(self, reply: str, piece: int = 7) -> None:
        self.reply, self.piece, self.calls = reply, piece, []

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def stream(self, messages, *, max_tokens=512, temperature=0.0, seed=0, schema=None):
        self.calls.append({"messages": messages, "schema": schema})
        for i in range(0, len(self.reply), self.piece):
            yield self.reply[i : i + self.piece]


@pytest.mark.parametrize("piece", [1, 3, 7, 50])
def test_json_answer_stream_reads_ids_and_answer_in_any_pieces(piece):
    reply = json.dumps({"sentences": [2, 3], "answer": "Senteret har «ti» personer.\nDet er \\\"lite\\\". Ja"},
                       ensure_ascii=piece % 2 == 0)
    stream = JsonAnswerStream()
    seen = []
    for i in range(0, len(reply), piece):
        stream.feed(reply[i : i + piece])
        seen.append(stream.answer()[0])
    assert stream.ids() == [2, 3]
    assert stream.answer() == ("Senteret har «ti» personer.\nDet er \\\"lite\\\". Ja", True)
    assert all(b.startswith(a) for a, b in zip(seen, seen[1:]))  # the text only grows


def test_llm_reader_yields_each_finished_sentence_with_the_ids_chosen_first():
    ev = renumber(evidence(FN))
    chat = ScriptedChat(json.dumps({"sentences": [3, 99, 3], "answer": "Senteret finansieres over kommunebudsjettet. "
                                    "Sekretariatet har ti personer."}))
    claims = list(LLMReader(chat).read("Hvem finansierer senteret?", ev, "nb", style="Skriv enkelt."))
    assert [c.text for c in claims] == ["Senteret finansieres over kommunebudsjettet.", "Sekretariatet har ti personer."]
    assert all(c.ids == [3] for c in claims)  # ids that point nowhere are dropped, repeats collapsed
    call = chat.calls[0]
    assert call["schema"] == answer_schema(len(ev)) and "Skriv enkelt." in call["messages"][-1]["content"]
    assert call["messages"][0]["content"] == reader_messages("x", [], "en")[0]["content"]  # fixed system prompt


def test_prompt_numbers_sentences_under_their_document_and_lead_in():
    block = evidence_block(renumber(evidence(FN, PLAN)))
    assert block.splitlines()[0] == "Dokument: 11 ting om FN-senteret"
    assert "[4] (Hvordan kommer du i kontakt med FN-senteret?) Erling Skakkes gate 14" in block
    assert "Dokument: Samfunnsplan, side 3" in block


def test_extractive_reader_quotes_the_best_two_in_reading_order():
    ev = renumber(evidence(FN))
    for i, e in enumerate(ev):
        e.support = 2.0 - i * 0.1
    ev = [ev[2], ev[1]] + ev[3:]
    claims = list(ExtractiveReader(min_support=1.5).read("q", ev, "nb"))
    assert [c.ids[0] for c in claims] == [2, 3] and all(c.quoted for c in claims)
    ev[1].support = 1.0  # under the gate: only the best is quoted
    assert len(list(ExtractiveReader(min_support=1.5).read("q", ev, "nb"))) == 1


def test_extractive_reader_quotes_the_plainest_sentence_that_carries_the_answer_for_residents():
    hard = Chunk("h", "", "a.txt", "Plan", None, "", 0, 0)
    ev = renumber([
        Evidence(1, "Kommunedirektørens klimastrategiske handlingsprogram forutsetter en utslippsreduksjon på "
                    "førti prosent innen 2030.", hard, 0, support=3.5),
        Evidence(2, "Kommunen skal kutte utslippene med 40 prosent innen 2030.", hard, 1, support=3.4),
        Evidence(3, "Vi har en plan.", hard, 2, support=2.0),  # plainest, but under the gate
    ])
    reader = ExtractiveReader(min_support=3.0, max_sentences=1, plain_margin=0.2)
    assert [c.ids for c in reader.read("q", ev, "nb", style="Skriv enkelt.")] == [[2]]  # plainer, within the margin
    assert [c.ids for c in reader.read("q", ev, "nb")] == [[1]]  # staff: the best supported
    assert [c.ids for c in ExtractiveReader(min_support=3.0, max_sentences=1, plain_margin=0.05)
            .read("q", ev, "nb", style="Skriv enkelt.")] == [[1]]  # outside the margin: the best stays
    wide = ExtractiveReader(min_support=3.0, max_sentences=1, plain_margin=5.0)
    assert [c.ids for c in wide.read("q", ev, "nb", style="x")] == [[2]]  # never under the gate, however wide


# --- the pipeline: gate, verify, fall back, never withdraw -------------------------------------


class StaticRetriever:
    def __init__(self, passages):
        self.passages, self.store, self.embedder = passages, None, None

    def search(self, query, k=None, filters=None, mode=None):
        return list(self.passages)


def make_assistant(reply: str, scorer, threshold: float = 1.0) -> Assistant:
    config = answer_config(get_settings(support_threshold=threshold, support_threshold_en=threshold))
    return Assistant(config, StaticRetriever([FN, PLAN, BUS]), LLMReader(ScriptedChat(reply)), scorer,
                     quoter=quoter(config, scorer))


def run(bot: Assistant, question: str) -> tuple[list[str], Answer]:
    items = list(bot.stream(question))
    return items[:-1], items[-1]


def test_a_verified_claim_is_shown_cited_to_the_sentence_that_backs_it(scorer):
    bot = make_assistant(json.dumps({"sentences": [1, 2, 3, 4, 5, 6], "answer": "Senteret finansieres over "
                                     "kommunebudsjettet."}), scorer)
    pieces, answer = run(bot, "Hvem finansierer FN-senteret?")
    assert not answer.refused and answer.text == "".join(pieces) == "Senteret finansieres over kommunebudsjettet [1]."
    assert answer.citations[0].quote == "Senteret finansieres over kommunebudsjettet." and not answer.notes


@pytest.mark.parametrize("reply", [
    {"sentences": [1, 2, 3], "answer": "Det ble holdt framtidsverksteder med ansatte og ledere."},  # no number
    {"sentences": [1, 2, 3], "answer": "15 000 framtidsverksteder ble holdt."},  # a number no sentence has so
    {"sentences": [], "answer": ""},  # the model declines
    {"sentences": [1, 2, 3], "answer": "The mayor of Tromsø is Ola Fake."},  # a name nothing backs
])
def test_an_unbacked_or_declined_reading_falls_back_to_quoting_and_says_so(scorer, reply):
    bot = make_assistant(json.dumps(reply), scorer)
    pieces, answer = run(bot, "Hvor mange framtidsverksteder ble holdt med ansatte og ledere?")
    assert not answer.refused and "50 framtidsverksteder" in answer.text and "".join(pieces) == answer.text
    assert "15 000 framtidsverksteder" not in "".join(pieces) and "Ola Fake" not in answer.text
    assert answer.notes and "Språkmodellen" in answer.notes[-1]
    if reply["answer"]:
        assert answer.unsupported == [reply["answer"]]


class FailingChat(ScriptedChat):
    """A model that sends `upto` characters of its reply, then fails (a timeout, a dropped server)."""

    def __init__(self, reply: str, upto: int) -> None:
        super().__init__(reply, piece=5)
        self.upto = upto

    def stream(self, messages, **kwargs):
        sent = 0
        for piece in super().stream(messages, **kwargs):
            if sent >= self.upto:
                raise LLMUnavailable("språkmodellen ble ikke ferdig med svaret innen 180 s (ASSISTANT_LLM_TIMEOUT)")
            sent += len(piece)
            yield piece


@pytest.mark.parametrize("upto", [0, 10, 40, 75, 95])
def test_a_model_that_fails_mid_answer_keeps_what_was_verified_and_quotes_otherwise(scorer, upto):
    reply = json.dumps({"sentences": [1, 2, 3], "answer": "Senteret finansieres over kommunebudsjettet. "
                        "Sekretariatet har ti personer."}, ensure_ascii=False)
    config = answer_config(get_settings(support_threshold=1.0, support_threshold_en=1.0))
    bot = Assistant(config, StaticRetriever([FN, PLAN, BUS]), LLMReader(FailingChat(reply, upto)), scorer,
                    quoter=quoter(config, scorer))
    pieces, answer = run(bot, "Hvem finansierer FN-senteret?")
    assert not answer.refused and answer.text == "".join(pieces) and answer.citations  # never an error, never empty
    assert "kommunebudsjettet" in answer.text  # either the model's verified sentence or the quote of it
    assert any("feilet" in n and "ASSISTANT_LLM_TIMEOUT" in n for n in answer.notes)
    assert not any("klarte ikke" in n for n in answer.notes)  # one note: the failure, not "could not phrase"


def test_the_gate_refuses_before_reading_when_nothing_supports_the_question(scorer):
    chat_reply = json.dumps({"sentences": [1], "answer": "Trondheim er en Smartby."})
    ev = evidence(FN, PLAN, BUS)
    answerable = scorer.rank("Hvem finansierer FN-senteret?", ev)[0].support
    unanswerable = scorer.rank("Hva koster en bussbillett i Trondheim?", ev)[0].support
    bot = make_assistant(chat_reply, scorer, threshold=(answerable + unanswerable) / 2)
    pieces, answer = run(bot, "Hva koster en bussbillett i Trondheim?")
    assert answer.refused and pieces == ["Jeg fant ikke svaret i dokumentene."] and not answer.citations
    assert bot.reader.chat.calls == []  # the model was never asked
    english = run(bot, "What does a bus ticket cost in Trondheim?")[1]
    assert english.refused and english.text == "I could not find the answer in the documents."
    assert not run(bot, "Hvem finansierer FN-senteret?")[1].refused


def test_bracketed_numbers_in_documents_never_become_citations():
    assert plain("Se kilde [2] og [13].") == "Se kilde (2) og (13)."
    assert plain("Ingen [a] endring") == "Ingen [a] endring"


def test_rule_rewrite_joins_follow_ups_only():
    history = [{"role": "user", "content": "Hvem leder sekretariatet til FN-senteret?"},
               {"role": "assistant", "content": "Kristian Mjøen [1]."}]
    assert rule_rewrite("Hvor mange personer jobber der?", history) == (
        "Hvor mange personer jobber der? (Hvem leder sekretariatet til FN-senteret?)")
    assert rule_rewrite("Og hva med Stad?", history).startswith("Og hva med Stad? (")
    long = "Hvilke barrierer for sirkulærøkonomi ble nevnt i gruppearbeidet på samlingen i Stad kommune?"
    assert rule_rewrite(long, history) == long and rule_rewrite("Hvem?", []) == "Hvem?"
