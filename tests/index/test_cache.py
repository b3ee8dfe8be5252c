"""The sentence-vector cache: same vectors as the embedder, each text embedded once, bounded.

Logic around an embedder, so a deterministic in-memory one stands in for e5 (whose own vectors are
tested in test_embed.py; the app embeds through this cache in every answering test).
"""

from __future__ import annotations

import numpy as np

from assistant.answering.evidence import candidates
from assistant.answering.support import SupportScorer, SupportWeights
from assistant.core.models import Chunk
from assistant.index.cache import CachingEmbedder, VectorCache
from tests.fakes import HashEmbedder


SENTENCES = ["Senteret finansieres over kommunebudsjettet.", "Sekretariatet består av ti personer.",
             "Øverste ledelse er bystyret."]


def test_cached_vectors_are_the_embedders_and_each_text_is_embedded_once():
    cache, counting = VectorCache(), HashEmbedder()
    first = cache.passages(counting, SENTENCES)
    assert np.allclose(first, HashEmbedder().embed_passages(SENTENCES), atol=1e-6)
    again = cache.passages(counting, [SENTENCES[2], SENTENCES[0], "Ny setning.", "Ny setning."])
    assert np.allclose(again[0], first[2]) and np.allclose(again[1], first[0])
    assert counting.embedded == [*SENTENCES, "Ny setning."]
    q = cache.query(counting, "Hvem finansierer senteret?")
    assert np.allclose(cache.query(counting, "Hvem finansierer senteret?"), q)
    assert counting.embedded.count("Hvem finansierer senteret?") == 1 and (cache.hits, cache.misses) == (4, 5)


def test_the_cache_is_bounded_and_keeps_embedders_apart():
    cache = VectorCache(max_items=2)
    a, b = HashEmbedder(), HashEmbedder(name="another-model")
    cache.passages(a, SENTENCES)  # three in, the oldest is evicted
    cache.passages(a, SENTENCES[1:])
    assert a.embedded == SENTENCES
    cache.passages(b, SENTENCES[2:])  # same text, other model: embedded again, never served across
    assert b.embedded == SENTENCES[2:]
    cache.clear()
    cache.passages(a, SENTENCES[2:])
    assert a.embedded == [*SENTENCES, SENTENCES[2]]


def test_ranking_sentences_gives_the_same_scores_from_the_cache():
    model = HashEmbedder()  # stands in for the model: the scores must not depend on the cache, whatever the vectors
    caching = CachingEmbedder(model)
    text = " ".join(SENTENCES)
    evidence = candidates([Chunk("c", text, "s.txt", "T", None, "", 0, len(text), {})])

    def score(embedder):
        return SupportScorer(SupportWeights(), embedder).score("Hvem finansierer senteret?", evidence)

    plain, cold, warm = score(model), score(caching), score(caching)
    assert cold == warm and int(np.argmax(cold)) == 0
    assert np.allclose(plain, cold, atol=1e-6)
    assert caching.cache.hits >= len(SENTENCES) + 1 and caching.name == model.name and caching.dim == model.dim
