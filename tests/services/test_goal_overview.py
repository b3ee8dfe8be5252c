"""The goal overview for Kommunestatus, on the real corpus."""

from assistant.app import App
from assistant.services.goals import goal_overview


def test_overview_of_trondheim_cites_stored_sentences_and_holtalen_has_none(corpus_settings, e5):
    app = App(corpus_settings, e5)
    overview = goal_overview(app.store, app.embedder, "Trondheim")
    assert [s.goal.number for s in overview] == list(range(1, 18))
    covered = {s.goal.number: s for s in overview if s.covered}
    assert 17 in covered and 0 < len(covered) < 17  # «mål 17 som handler om samarbeid» and FN-senteret
    texts = {meta["source"]: [] for _, _, meta in app.store.iter_records()}
    for _, text, meta in app.store.iter_records():
        texts[meta["source"]].append(text)
    titles = {meta["source"]: meta["title"] for _, _, meta in app.store.iter_records()}
    for status in covered.values():
        ev = status.evidence
        assert status.passages >= 1 and ev.sentence
        squash = " ".join  # sentences are cut with their line breaks made spaces
        assert any(squash(ev.sentence.split()) in squash(t.split()) for t in texts[ev.source]), ev  # a stored sentence
        assert ev.title == titles[ev.source]
        kommuner = [meta.get("kommuner", []) for _, _, meta in app.store.iter_records() if meta["source"] == ev.source]
        assert all("Trondheim" in k for k in kommuner)
    assert not any(s.covered for s in goal_overview(app.store, app.embedder, "Holtålen"))


def test_the_corpus_passage_naming_mal_17_carries_goal_17(corpus_settings, e5):
    app = App(corpus_settings, e5)
    hits = [meta for _, text, meta in app.store.iter_records() if "oppfyller mål 17" in text]
    assert hits and all(17 in meta["goals"] for meta in hits)
