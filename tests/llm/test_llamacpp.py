"""The embedded llama.cpp backend with the real GGUF models (no mocks): loading, streaming, limits, errors."""

from __future__ import annotations

import time

import pytest

from assistant.llm.base import ChatModel, LLMUnavailable
from assistant.llm.gguf import MODELS, file_sha256

QUESTION = [
    {"role": "system", "content": "Du er en hjelpsom assistent. Svar kort på norsk bokmål."},
    {"role": "user", "content": "Hva heter hovedstaden i Norge?"},
]


@pytest.fixture(scope="module")
def chat_15b(model_15b_path):
    """Return the 1.5B model loaded once for this module."""
    from assistant.llm.llamacpp import LlamaCppChat

    chat = LlamaCppChat(model_15b_path, n_ctx=2048)
    yield chat
    chat.close()


@pytest.mark.slow
def test_pinned_sha256_matches_the_assembled_files(model_15b_path, model_05b_path):
    for name, path in (("qwen2.5-coder-1.5b", model_15b_path), ("qwen2.5-coder-0.5b", model_05b_path)):
        assert path.stat().st_size == MODELS[name].size
        assert file_sha256(path) == MODELS[name].sha256


@pytest.mark.slow
def test_15b_streams_a_norwegian_answer_deterministically(chat_15b):
    assert isinstance(chat_15b, ChatModel)
    assert chat_15b.name == "llamacpp:qwen2.5-coder-1.5b-instruct-q4_k_m" and chat_15b.context_window == 2048
    arrivals: list[float] = []
    pieces = []
    for piece in chat_15b.stream(QUESTION, max_tokens=24):
        arrivals.append(time.perf_counter())
        pieces.append(piece)
    text = "".join(pieces)
    assert "Oslo" in text
    assert len(pieces) > 1 and arrivals[-1] > arrivals[0]  # pieces arrive one by one, not as one block
    timing = chat_15b.last_timing
    assert 20 < timing["prompt_tokens"] < 60 and timing["ttft_s"] > 0 and timing["total_s"] >= timing["ttft_s"]
    again = "".join(chat_15b.stream(QUESTION, max_tokens=24))
    assert again == text  # temperature 0: the same answer every time


@pytest.mark.slow
def test_15b_respects_max_tokens(chat_15b):
    story = [{"role": "user", "content": "Skriv en lang fortelling om en kommune som kutter utslipp."}]
    text = "".join(chat_15b.stream(story, max_tokens=5))
    assert text and chat_15b.count_tokens(text) <= 6
    assert chat_15b.last_timing["decode_tokens"] <= 4  # one-token steps after the first token


@pytest.mark.slow
def test_15b_reuses_the_shared_system_prefix(chat_15b):
    system = {"role": "system", "content": "Du er en hjelpsom assistent for kommunale bærekraftsdokumenter. " * 10}
    budget = [system, {"role": "user", "content": "Hva er et klimabudsjett?"}]
    first = "".join(chat_15b.stream(budget, max_tokens=6))
    "".join(chat_15b.stream([system, {"role": "user", "content": "Hva er bærekraft?"}], max_tokens=2))
    timing = chat_15b.last_timing
    # the long system message is not evaluated again for the next question (KV cache prefix)
    assert timing["prompt_tokens"] > 120 and timing["prompt_eval_tokens"] < 40
    "".join(chat_15b.stream([{"role": "system", "content": "Svar kort."}, budget[1]], max_tokens=2))
    again = "".join(chat_15b.stream(budget, max_tokens=6))
    # after another prompt in between, the RAM state cache restores it, with the same answer
    assert chat_15b.last_timing["prompt_eval_tokens"] < 40 and again == first


@pytest.mark.slow
def test_15b_count_tokens_is_plausible(chat_15b):
    assert chat_15b.count_tokens("") == 0
    assert 4 <= chat_15b.count_tokens("Hva heter hovedstaden i Norge?") <= 15
    assert chat_15b.count_tokens("<|im_start|>") == 1  # special tokens are recognised
    sentence = "Trondheim kommune har vedtatt en klimaplan. "
    one = chat_15b.count_tokens(sentence)
    assert 5 <= one <= 20
    assert abs(chat_15b.count_tokens(sentence * 50) - 50 * one) <= 50


@pytest.mark.slow
def test_05b_through_the_settings_factory(tmp_path, model_05b_path):
    from assistant.core.settings import get_settings
    from assistant.app import make_llamacpp

    data_dir = model_05b_path.parent.parent
    settings = get_settings(data_dir=data_dir, llamacpp_model="qwen2.5-coder-0.5b", llm_context=1024)
    chat = make_llamacpp(settings)
    try:
        assert chat.name == f"llamacpp:{model_05b_path.stem}" and chat.context_window == 1024
        pieces = list(chat.stream(QUESTION, max_tokens=8))
        assert len(pieces) > 1 and "".join(pieces).strip()
    finally:
        chat.close()


def test_factory_says_how_to_assemble(tmp_path):
    from assistant.core.settings import get_settings
    from assistant.app import make_llamacpp

    with pytest.raises(LLMUnavailable, match="assistant models assemble qwen2.5-coder-1.5b"):
        make_llamacpp(get_settings(data_dir=tmp_path))


@pytest.mark.parametrize("magic", [b"GGUF", b""])
def test_corrupt_model_file_is_refused_clearly(tmp_path, magic):
    import random

    from assistant.llm.llamacpp import LlamaCppChat

    path = tmp_path / "broken.gguf"
    path.write_bytes(magic + random.Random(1).randbytes(2**20))
    with pytest.raises(LLMUnavailable) as info:
        LlamaCppChat(path)
    message = str(info.value)
    assert str(path) in message
    assert ("could not load" in message) if magic else ("is not a GGUF model file" in message)
