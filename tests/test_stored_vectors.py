"""The corpus fixture's saved e5 vectors are e5's own vectors, and a changed text or model is embedded again."""

from __future__ import annotations

import numpy as np

from tests.stored_vectors import StoredVectors

TEXTS = ["Trondheim kommune skal kutte utslippene.", "Kva gjer kommunen med avfall?", "Malvik bygger sykkelvei."]


def test_saved_vectors_are_the_models_own_and_are_read_back_in_the_next_session(e5, tmp_path):
    first = StoredVectors(e5, tmp_path, key="m1")
    live = e5.embed_passages(TEXTS)
    assert np.allclose(first.embed_passages(TEXTS), live, atol=1e-6) and first.embedded == 3
    again = StoredVectors(e5, tmp_path, key="m1")  # a new session: read from disk, nothing embedded
    assert np.allclose(again.embed_passages(TEXTS[::-1]), live[::-1], atol=1e-6)
    assert (again.read, again.embedded) == (3, 0)


def test_a_changed_text_or_another_model_is_embedded_by_the_model(e5, tmp_path):
    StoredVectors(e5, tmp_path, key="m1").embed_passages(TEXTS)
    changed = [TEXTS[0], TEXTS[1] + " ", "Helt ny tekst om Frøya."]
    same_model = StoredVectors(e5, tmp_path, key="m1")
    assert np.allclose(same_model.embed_passages(changed), e5.embed_passages(changed), atol=1e-6)
    assert (same_model.read, same_model.embedded) == (1, 2)
    other_model = StoredVectors(e5, tmp_path, key="m2")
    other_model.embed_passages(TEXTS)
    assert (other_model.read, other_model.embedded) == (0, 3)
    assert other_model.embed_passages([]).shape == (0, e5.dim)


def test_queries_and_token_counts_are_always_the_models(e5, tmp_path):
    stored = StoredVectors(e5, tmp_path, key="m1")
    assert np.allclose(stored.embed_query(TEXTS[1]), e5.embed_query(TEXTS[1]), atol=1e-6)
    assert [stored.count_tokens(t) for t in TEXTS] == [e5.count_tokens(t) for t in TEXTS]
    assert (stored.name, stored.dim, stored.max_tokens) == (e5.name, e5.dim, e5.max_tokens)
