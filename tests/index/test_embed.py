"""Both embedding backends with their real, bundled models (no hub)."""

import numpy as np
import pytest

from assistant.index.embed import Embedder, SentenceTransformerEmbedder


def test_e5_real_vectors_prefixes_and_semantics(e5):
    assert isinstance(e5, Embedder)
    assert e5.dim == 384 and e5.max_tokens == 512
    passages = e5.embed_passages(
        ["Senteret finansieres over kommunebudsjettet.", "Barnehagebarn diskuterte samfunnsdilemma.", "Fotball er gøy."]
    )
    assert passages.shape == (3, 384) and passages.dtype == np.float32
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-3)
    query = e5.embed_query("Hvem betaler for FN-senteret?")
    assert int(np.argmax(passages @ query)) == 0
    # nynorsk and English questions land on the same passage
    assert int(np.argmax(passages @ e5.embed_query("Kven betalar for FN-senteret?"))) == 0
    assert int(np.argmax(passages @ e5.embed_query("Who pays for the UN centre?"))) == 0
    # batching gives the same vectors as one call
    assert np.allclose(e5.embed_passages(["Fotball er gøy."])[0], passages[2], atol=1e-5)
    assert e5.count_tokens("Bærekraft") > 2


@pytest.mark.slow
def test_sentence_transformers_bundled_minilm_offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    model = SentenceTransformerEmbedder("all-MiniLM-L6-v2", batch_size=8)
    assert model.dim == 384 and model.max_tokens == 256
    assert model.name == "sentence-transformers/all-MiniLM-L6-v2"
    vecs = model.embed_passages(["The UN centre is funded by the municipal budget.", "Kids played football."])
    assert vecs.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-3)
    assert int(np.argmax(vecs @ model.embed_query("Who funds the UN centre?"))) == 0
    assert model.count_tokens("hello world") == 4  # [CLS] hello world [SEP]


@pytest.mark.slow  # ingests the whole corpus (or loads torch): 8-25 s
def test_unknown_local_model_fails_clearly(tmp_path):
    from assistant.index.embed import EmbedderUnavailable

    with pytest.raises(EmbedderUnavailable, match="offline"):
        SentenceTransformerEmbedder(str(tmp_path / "no-such-model"))
