"""The sentence-vector cache: same vectors as the embedder, each text embedded once, bounded."""

from __future__ import annotations

import numpy as np

from assistant.answering.evidence import candidates
from assistant.answering.support import SupportScorer, SupportWeights
from assistant.core.models import Chunk
from assistant.index.cache import CachingEmbedder, VectorCache


class Counting:
    """Wraps the real e5 embedder and counts the texts it is asked to embed."""

    def __init__(self, inner, name: str | None = None) -> None:
        self.inner, self.name, self.dim = inner, name or inner.name, inner.dim
        self.embedded: list[str] = []

    def embed_passages(self, texts):
        self.embedded.extend(texts)
        return self.inner.embed_passages(texts)

    def embed_query(self, text):
        self.embedded.append(text)
        return self.inner.embed_query(text)


SENTENCES = ["Senteret finansieres over kommunebudsjettet.", "Sekretariatet består av ti personer.",
             "Øverste ledelse er bystyret."]


def test_cached_vectors_are_the_embedders_and_each_text_is_embedded_once(e5):
    cache, counting = VectorCache(), Counting(e5)
    first = cache.passages(counting, SENTENCES)
    assert np.allclose(first, e5.embed_passages(SENTENCES), atol=1e-6)
    again = cache.passages(counting, [SENTENCES[2], SENTENCES[0], "Ny setning.", "Ny setning."])
    assert np.allclose(again[0], first[2]) and np.allclose(again[1], first[0])
    assert counting.embedded == [*SENTENCES, "Ny setning."]
    q = cache.query(counting, "Hvem finansierer senteret?")
    assert np.allclose(cache.query(counting, "Hvem finansierer senteret?"), q)
    assert counting.embedded.count("Hvem finansierer senteret?") == 1 and (cache.hits, cache.misses) == (4, 5)


def test_the_cache_is_bounded_and_keeps_embedders_apart(e5):
    cache = VectorCache(max_items=2)
    a, b = Counting(e5), Counting(e5, name="another-model")
    cache.passages(a, SENTENCES)  # three in, the oldest is evicted
    cache.passages(a, SENTENCES[1:])
    assert a.embedded == SENTENCES
    cache.passages(b, SENTENCES[2:])  # same text, other model: embedded again, never served across
    assert b.embedded == SENTENCES[2:]
    cache.clear()
    cache.passages(a, SENTENCES[2:])
    assert a.embedded == [*SENTENCES, SENTENCES[2]]


def test_ranking_sentences_gives_the_same_scores_from_the_cache(e5):
    caching = CachingEmbedder(e5)
    text = " ".join(SENTENCES)
    evidence = candidates([Chunk("c", text, "s.txt", "T", None, "", 0, len(text), {})])

    def score(embedder):
        return SupportScorer(SupportWeights(), embedder).score("Hvem finansierer senteret?", evidence)

    plain, cold, warm = score(e5), score(caching), score(caching)
    assert cold == warm and int(np.argmax(cold)) == 0
    assert np.allclose(plain, cold, atol=1e-6)
    assert caching.cache.hits >= len(SENTENCES) + 1 and caching.name == e5.name and caching.dim == e5.dim
