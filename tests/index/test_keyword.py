"""BM25 keyword index: Norwegian stemming, filters, persistence and generation stamps."""

import json

import pytest

from assistant.core.text import fold, stem_tokens, tokenize
from assistant.index.keyword import META_FILE, KeywordIndex

RECORDS = [
    ("a", "Kommunene i Trøndelag samarbeider om bærekraftsrapporter.", {"kommuner": [], "year": 2024, "source": "n.txt", "doc_type": "nettside"}),
    ("b", "Trondheim kommune finansierer FN-senteret over kommunebudsjettet.", {"kommuner": ["Trondheim"], "year": 2022, "source": "fn.txt", "doc_type": "nettside"}),
    ("c", "Stad kommune var vertskap for samlingen om sirkulærøkonomi.", {"kommuner": ["Stad"], "year": 2021, "source": "stad.txt", "doc_type": "rapport"}),
]


def test_tokenize_stems_norwegian_and_drops_stopwords():
    tokens = tokenize(["Kommunene og kommunen har rapportene"])[0]
    assert "og" not in tokens and "har" not in tokens
    assert tokens[0] == tokens[1]  # kommunene / kommunen share a stem
    assert tokenize(["rapport"])[0][0] == tokens[-1]


def test_search_ranks_filters_and_persists(tmp_path):
    index = KeywordIndex(tmp_path / "bm25")
    index.build(RECORDS, generation=7)
    assert index.search("Hvem finansierer FN-senteret?", 3)[0][0] == "b"
    assert [i for i, _ in index.search("kommunen", 3, {"kommune": "Stad"})] == ["c"]
    assert index.search("kommune", 3, {"year": 2024})[0][0] == "a"
    assert index.search("zzzukjentord", 3) == []
    assert index.kommuner() == {"Trondheim", "Stad"}

    loaded = KeywordIndex(tmp_path / "bm25")
    assert loaded.load() and loaded.generation == 7
    assert loaded.search("sirkulærøkonomi", 1)[0][0] == "c"


def test_title_and_heading_are_indexed(tmp_path):
    index = KeywordIndex(tmp_path / "bm25")
    index.build([("x", "Teksten sier lite.", {"title": "Klimaplan for Malvik", "heading": "Transport"})], 1)
    assert index.search("Malvik transport", 1)[0][0] == "x"


def test_empty_and_missing_index(tmp_path):
    index = KeywordIndex(tmp_path / "none")
    assert index.load() is False
    index.build([], generation=3)
    assert index.search("noe", 5) == []
    again = KeywordIndex(tmp_path / "none")
    assert again.load() and again.generation == 3


def test_bm25s_logs_at_the_applications_level_not_its_own_debug(tmp_path, caplog):
    import logging

    from assistant.core.text import tokenize
    from assistant.index.keyword import KeywordIndex

    tokenize(["noe tekst"])
    assert logging.getLogger("bm25s").level == logging.NOTSET  # bm25s set DEBUG on import; we put it back
    with caplog.at_level(logging.WARNING):
        KeywordIndex(tmp_path / "bm25").build([("a", "Trondheim kommune", {"source": "a.txt"})], 1)
    assert not [r for r in caplog.records if r.name.startswith("bm25s")]


@pytest.mark.parametrize(("typed", "written"), [
    ("kommunedirektor", "Kommunedirektør"), ("baerekraft", "bærekraft"), ("Trondelag", "Trøndelag"),
    ("sirkulaerokonomi", "sirkulærøkonomi"), ("fylkeskommunen", "fylkeskommunen"), ("Alesund", "Ålesund"),
    ("gronn omstilling", "grønn omstilling"), ("Geneve", "Genève"),
])
def test_a_word_typed_without_ae_o_a_is_the_same_token(typed, written):
    assert tokenize([typed])[0] == tokenize([written])[0]
    assert stem_tokens(typed) == stem_tokens(written)


def test_folding_keeps_different_words_apart():
    assert fold("æøåäöéü") == "aeoaaoeu"
    assert tokenize(["kommune"])[0] != tokenize(["fylke"])[0]
    assert tokenize(["Tronderlag"])[0] != tokenize(["Trøndelag"])[0]  # a different spelling stays different


def test_a_name_read_without_its_letter_is_found(tmp_path):
    index = KeywordIndex(tmp_path / "bm25")
    index.build(RECORDS + [("d", "MORTEN WOLDEN Kommunedirektor i Trondheim", {"kommuner": ["Trondheim"]})], 1)
    assert index.search("Hvem er kommunedirektør?", 1)[0][0] == "d"
    assert index.search("baerekraftsrapporter", 1)[0][0] == "a"


def test_an_index_made_by_another_tokenizer_is_rebuilt_not_used(tmp_path):
    index = KeywordIndex(tmp_path / "bm25")
    index.build(RECORDS, generation=2)
    meta = tmp_path / "bm25" / META_FILE
    data = json.loads(meta.read_text(encoding="utf-8"))
    assert KeywordIndex(tmp_path / "bm25").load()
    del data["tokenizer"]  # as written before folding
    meta.write_text(json.dumps(data), encoding="utf-8")
    assert KeywordIndex(tmp_path / "bm25").load() is False
