"""The answer stages' thresholds are Settings, and reach their parts through the composition root (issue 17)."""

from __future__ import annotations

from assistant.answering.readers import LLMReader, answer_schema
from assistant.answering.support import SupportWeights, embedded_text
from assistant.app import App
from assistant.core.models import Chunk, Evidence
from assistant.core.settings import Settings
from tests.fakes import HashEmbedder


def test_the_defaults_are_the_constants_they_replaced():
    s, w = Settings(), SupportWeights()
    assert (s.support_weak_overlap, s.support_weak_embed_factor, s.support_lead_in_words) == (0.3, 3, 8)
    assert (w.weak_overlap, w.weak_embed_factor, w.lead_in_words) == (0.3, 3, 8)
    assert (s.quote_sentences, s.reader_cited) == (2, 3)
    assert answer_schema(4)["properties"]["sentences"]["maxItems"] == 3


def test_the_thresholds_reach_the_scorer_and_the_readers(settings):
    changed = settings.model_copy(update={"support_weak_overlap": 0.5, "support_weak_embed_factor": 2,
                                          "support_lead_in_words": 4, "quote_sentences": 1, "reader_cited": 2,
                                          "sentence_scorer": "off"})
    app = App(changed, HashEmbedder())
    weights = app.scorer.weights
    assert (weights.weak_overlap, weights.weak_embed_factor, weights.lead_in_words) == (0.5, 2, 4)
    reader, _ = app.backend("extractive")
    assert reader.max_sentences == 1  # type: ignore[attr-defined]
    assert answer_schema(5, LLMReader(chat=None, cited=2).cited)["properties"]["sentences"]["maxItems"] == 2  # type: ignore[arg-type]


def test_a_short_sentence_is_embedded_with_its_lead_in_up_to_the_word_limit():
    chunk = Chunk(id="c", text="", source="s.txt", title="T", page=None, heading="", start=0, end=0)
    short = Evidence(id=1, text="Erling Skakkes gate 14", chunk=chunk, position=0, context="Kontakt FN-senteret:")
    assert embedded_text(short, 8) == "Kontakt FN-senteret: Erling Skakkes gate 14"
    assert embedded_text(short, 3) == "Erling Skakkes gate 14"
