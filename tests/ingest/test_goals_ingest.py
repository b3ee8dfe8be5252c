"""Goal assignment: explicit mentions (and false friends), similarity with threshold and margin, end to end."""

import numpy as np
import pytest

from ingest.goals import assign_goals, explicit_goals, similar_goals

NAMED = [
    ("Trondheim oppfyller mål 17 som handler om samarbeid for å nå mål i FN-arbeidet.", {17}),
    ("Tiltaket bidrar til bærekraftsmål 11.", {11}),
    ("Tiltaket bidrar til bærekraftmål 11 i planen.", {11}),
    ("Dette støtter FNs bærekraftsmål nr. 3.", {3}),
    ("Dette støtter FNs bærekraftsmål nummer 3 om helse.", {3}),
    ("Kommunen rapporterer på SDG 13.", {13}),
    ("Kommunen rapporterer på SDG13 og SDG 14.", {13, 14}),
    ("Vi følger opp delmål 11.2 om transport.", {11}),
    ("Vi følger opp delmål 4.a om skolebygg.", {4}),
    ("Bærekraftsmålene 14 og 15 er viktige her.", {14, 15}),
    ("Bærekraftsmål 3, 4 og 5 prioriteres.", {3, 4, 5}),
    ("Bærekraftsmål 10: Mindre ulikhet er prioritert.", {10}),
    ("Berekraftsmål 6 om reint vatn er viktig.", {6}),
    ("FNs mål 16 handler om institusjoner.", {16}),
    ("Kommunen vil bidra til Stoppe klimaendringene og Livet på land.", {13, 15}),
    ("Samarbeid for å nå målene er kjernen i nettverket.", {17}),
    ("Ren energi til alle krever mer solkraft.", {7}),
    ("Mål 5 og mål 10 i bærekraftsarbeidet henger sammen.", {5, 10}),
]
FALSE_FRIENDS = [
    "Kommunens mål 2030 er å kutte utslippene i FNs ånd.",
    "Kommunestyret vedtok 17 mål for bærekraft i samfunnsplanen.",
    "Målet er 11 prosent økning i sykkelturer, et bærekraftig mål.",
    "Bærekraftsmål 3 prosent av budsjettet?",  # an amount, not a goal
    "Alle de 17 bærekraftsmålene er med i rapporten.",
    "Mål 1: Et enkelt tjenestetilbud. Bærekraft er viktig.",  # a plan's own numbered goal
    "Vi jobber med mål 3 i handlingsplanen.",  # bare «mål 3» without bærekraft, FN or SDG nearby
    "Bærekraftsmål 18 finnes ikke.",
    "1. Mål for miljømessig bærekraft: En klimasmart by",
    "Budsjettet ga et resultat på 1,7 prosent; mål 2,5 prosent, i tråd med bærekraft.",
    "Agenda 2030 og bærekraftsmålene gir retning.",
]


@pytest.mark.parametrize("text, goals", NAMED)
def test_explicit_mentions_are_found(text, goals):
    assert explicit_goals(text) == goals


@pytest.mark.parametrize("text", FALSE_FRIENDS)
def test_false_friends_are_not_goals(text):
    assert explicit_goals(text) == set()


def test_similarity_needs_the_threshold_and_the_margin():
    sims = np.full(17, 0.80, dtype=np.float32)
    sims[12], sims[10], sims[2] = 0.88, 0.877, 0.86  # 13 best, 11 close behind, 3 further
    assert similar_goals(sims, 0.855, 0.005) == {13, 11}
    assert similar_goals(sims, 0.855, 1.0) == {13, 11, 3}
    assert similar_goals(sims, 0.89, 1.0) == set()
    assert assign_goals("Dette gjelder SDG 14.", sims, 0.89, 0.005) == [14]


HAV = (
    "Havplan for Kystby\n\nKommunen arbeider med bærekraftsmål 14 Livet i havet. Ryddeaksjonen fjernet to tonn plast "
    "fra strendene, og et nytt marint verneområde skal sikre tareskog og gyteområder for torsk i fjorden.\n"
)
SKOLE = (
    "Skoleplan for Kystby\n\nSkolene følger opp FNs bærekraftsmål nr. 4 om god utdanning. Frafallet i videregående "
    "skole skal ned, og alle lærere får tilbud om videreutdanning. Barnehagene styrker språkarbeidet.\n"
)


@pytest.fixture
def goal_store(settings, e5, tmp_path):
    from assistant.app import App

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "havplan.txt").write_text(HAV, encoding="utf-8")
    (folder / "skoleplan.txt").write_text(SKOLE, encoding="utf-8")
    app = App(settings, e5)
    assert app.ingester().ingest([folder], progress=False).ok
    return app


def test_goals_are_stored_and_filter_vector_keyword_and_hybrid_search(goal_store):
    app = goal_store
    records = {meta["source"]: meta for _, _, meta in app.store.iter_records()}
    assert 14 in records["havplan.txt"]["goals"] and 4 in records["skoleplan.txt"]["goals"]
    assert 14 not in records["skoleplan.txt"].get("goals", []) and 4 not in records["havplan.txt"].get("goals", [])
    chunk = next(iter(app.store.get([next(iter(app.store.iter_records()))[0]]).values()))
    assert isinstance(chunk.meta["goals"], list)

    vector = app.store.query(app.embedder.embed_query("plan for kommunen"), 10, {"goal": 14})
    assert vector and {c.source for c in vector} == {"havplan.txt"}
    assert {c.source for c in app.store.query(app.embedder.embed_query("plan"), 10, {"goal": 4})} == {"skoleplan.txt"}
    assert app.store.query(app.embedder.embed_query("plan"), 10, {"goal": 1}) == []

    keyword_ids = [i for i, _ in app.keyword.search("Kystby plan kommunen skolene", 10, {"goal": 4})]
    by_id = app.store.get(keyword_ids)
    assert keyword_ids and {by_id[i].source for i in keyword_ids} == {"skoleplan.txt"}
    assert app.keyword.search("Kystby", 10, {"goal": 2}) == []

    hybrid = app.retriever.search("Hva gjør Kystby?", filters={"goal": 14})
    assert hybrid and {c.source for c in hybrid} == {"havplan.txt"}
