"""The embedded model's answer deadline (ASSISTANT_LLM_TIMEOUT): real 0.5B model, a deadline it cannot keep."""

from __future__ import annotations

import pytest

from assistant.llm.base import LLMUnavailable

pytestmark = pytest.mark.slow


def test_an_answer_past_the_deadline_raises_llm_unavailable(model_05b_path):
    from assistant.llm.llamacpp import LlamaCppChat

    chat = LlamaCppChat(model_05b_path, n_ctx=1024, threads=2, deadline=0.001)
    try:
        with pytest.raises(LLMUnavailable, match=r"innen 0.001 s \(ASSISTANT_LLM_TIMEOUT\)"):
            list(chat.stream([{"role": "user", "content": "Skriv et langt dikt om Trondheim."}], max_tokens=64))
        chat.deadline = None  # the lock is free again and the model still answers
        assert "".join(chat.stream([{"role": "user", "content": "Si hei."}], max_tokens=4))
    finally:
        chat.close()
