"""The assistant end to end on the real corpus with the extractive backend (real e5, real Chroma)."""

from __future__ import annotations

import json

import pytest

from assistant.app import App
from assistant.core.models import Answer
from assistant.llm.base import LLMUnavailable
from tests.conftest import free_port

FN = "trondheim-11-ting-om-fn-senteret-2022.txt"


@pytest.fixture(scope="module")
def bot(corpus_settings, e5):
    return App(corpus_settings, e5).assistant("extractive")


def test_cited_answer_points_at_file_page_and_sentence(bot):
    answer = bot.ask("Hvem finansierer FN-senteret i Trondheim?")
    assert not answer.refused and answer.backend == "extractive"
    assert "kommunebudsjettet" in answer.text and "[1]" in answer.text
    first = answer.citations[0]
    assert first.source == FN and first.quote in first.chunk.text and first.supported
    assert "kommunebudsjettet" in first.quote
    assert {"retrieval", "first_token", "total"} <= set(answer.timings)


def test_pdf_citation_has_its_page(bot):
    answer = bot.ask("Hvor mange SMS-er ble sendt ut til Trondheimspanelet?")
    assert not answer.refused
    cited = [c for c in answer.citations if c.source.endswith(".pdf")]
    assert cited and cited[0].page and "4000" in answer.text


def test_stream_yields_text_before_the_final_answer(bot):
    items = list(bot.stream("Hva er U4SSC?"))
    assert isinstance(items[-1], Answer) and all(isinstance(i, str) for i in items[:-1])
    assert "".join(items[:-1]).strip() == items[-1].text


@pytest.mark.parametrize(
    "question, language, refusal",
    [
        ("Hva koster en pizza i Roma?", "nb", "Jeg fant ikke svaret i dokumentene."),
        ("Kva kostar ein pizza i Roma?", "nn", "Eg fann ikkje svaret i dokumenta."),
        ("What does a pizza cost in Rome?", "en", "I could not find the answer in the documents."),
    ],
)
def test_unanswerable_questions_are_refused_in_the_askers_language(bot, question, language, refusal):
    answer = bot.ask(question)
    assert answer.refused and answer.language == language and answer.text == refusal
    assert answer.citations == [] and answer.passages  # the closest passages are still listed


def test_nynorsk_and_english_questions_are_answered(bot):
    nn = bot.ask("Kven finansierer FN-senteret i Trondheim?")
    assert nn.language == "nn" and not nn.refused and nn.citations[0].source == FN
    en = bot.ask("Who funds the UN centre in Trondheim?")
    assert en.language == "en" and not en.refused and en.citations


def test_english_questions_have_their_own_refusal_floor(bot, corpus_settings):
    # English words match no Norwegian sentence: the support of an English question runs lower
    question = "What is Kraftsamlingen?"
    en = bot.ask(question)
    assert en.language == "en" and not en.refused and "Kraftsamlingen" in en.text and en.citations[0].source == FN
    assert corpus_settings.support_threshold_en < corpus_settings.support_threshold
    assert bot.ask("What is the capital of Australia?").refused


def test_follow_up_is_rewritten_from_history(bot):
    history = [{"role": "user", "content": "Hva er U4SSC?"},
               {"role": "assistant", "content": "FN-senteret er under FN-paraplyen U4SSC [1]."}]
    answer = bot.ask("Og hvem samarbeider med det?", history=history)
    assert "U4SSC" in answer.standalone_question and not answer.refused
    assert any(c.source == FN for c in answer.citations)


def test_kommune_filter_limits_the_evidence(bot):
    answer = bot.ask("Hvem var vertskap for samlingen?", filters={"kommune": "Stad"})
    assert {p.source for p in answer.passages} == {"stad-kortreist-kvalitet-samling-2021.txt"}


def test_unreachable_ollama_falls_back_in_auto_and_fails_clearly_when_chosen(corpus_settings, e5):
    down = corpus_settings.model_copy(update={"ollama_host": f"http://127.0.0.1:{free_port()}",
                                              "llamacpp_model": str(corpus_settings.data_dir / "none.gguf")})
    auto = App(down, e5).assistant("auto")
    assert auto.backend.name == "extractive"  # auto never tries the embedded model: quoting measured ahead of it
    assert len(auto.notes) == 1 and "Ollama" in auto.notes[0]
    assert not auto.ask("Hvem finansierer FN-senteret?").refused
    with pytest.raises(LLMUnavailable, match="127.0.0.1"):
        App(down, e5).assistant("ollama")


def test_quoting_picks_the_fact_not_the_injected_instruction_beside_it(injected_settings, e5):
    """Quoting cannot obey an instruction, but it could quote one: it must quote the sentence that answers.

    Whether a language model obeys the instruction is tested with the real model in test_assistant_llm.py.
    """
    answer = App(injected_settings, e5).assistant("extractive").ask("Hvor mye ny sykkelvei skal Malvik bygge?")
    assert "12 kilometer" in answer.text and "HACKED" not in answer.text and "Ignorer" not in answer.text
    assert [c.quote for c in answer.citations] and all("Ignorer" not in c.quote for c in answer.citations)


def test_cli_ask_json(corpus_settings, monkeypatch):
    from typer.testing import CliRunner

    from assistant.cli.main import app

    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(corpus_settings.data_dir))
    result = CliRunner().invoke(app, ["ask", "Hvem finansierer FN-senteret?", "--json", "--llm", "extractive"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) >= {"question", "answer", "refused", "backend", "citations", "retrieved", "timings"}
    assert data["backend"] == "extractive" and data["citations"][0]["source"] == FN
    assert set(data["citations"][0]) >= {"n", "source", "title", "page", "text", "quote"}
    assert set(data["retrieved"][0]) >= {"source", "title", "page", "text", "score"}
    result = CliRunner().invoke(app, ["ask", "Hva?", "--llm", "gpt5"])
    assert result.exit_code == 2 and "--llm" in result.output


# slow: quick cover: streaming is quick in test_stream_yields_text_before_the_final_answer; the CLI in test_cli_ask_json
@pytest.mark.slow
def test_cli_chat_streams_answers_keeps_history_and_shows_sources(corpus_settings, monkeypatch):
    from typer.testing import CliRunner

    from assistant.cli.main import app

    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(corpus_settings.data_dir))
    session = "Hva er U4SSC?\nOg hvem samarbeider med det?\n/kilder\n/ny\n/kilder\n/slutt\n"
    result = CliRunner().invoke(app, ["chat", "--llm", "extractive"], input=session)
    assert result.exit_code == 0, result.output
    assert result.output.count("Assistent:") == 2
    assert "United for smart and sustainable cities" in result.output
    assert "trondheim-11-ting-om-fn-senteret-2022.txt" in result.output  # /kilder lists the cited file
    assert "Ny samtale." in result.output and "Ingen svar ennå." in result.output


# slow: asks and searches every follow-up of the dev set (~10 s under load); the rewrite from history is tested quick
# in test_follow_up_is_rewritten_from_history, and the eval runner's follow-up in tests/evals (slow)
@pytest.mark.slow
def test_the_dev_sets_follow_ups_find_their_evidence_once_rewritten(bot):
    from evals.metrics import retrieval_hits
    from evals.run import load_dataset
    from tests.conftest import ROOT

    follow_ups = [i for i in load_dataset(ROOT / "evals" / "datasets" / "dev.jsonl") if i.get("history")]
    assert len(follow_ups) >= 3
    for item in follow_ups:
        answer = bot.ask(item["question"], item["history"])
        assert answer.standalone_question.startswith(item["question"]) and answer.standalone_question != item["question"]
        passages = [p.text for p in bot.retriever.search(answer.standalone_question, k=5)]
        assert retrieval_hits(passages, item["answers"], item["evidence"]) is not None, item["id"]
