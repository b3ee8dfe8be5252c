"""A damaged store in the app: both pages say what happened and what to do, in Norwegian, never a stack trace."""

from __future__ import annotations

import pytest

from tests.damaged import QUESTION, SQLITE, build_big, id_map_gone, ingest_small, truncate_sqlite
from tests.marks import slow_except
from tests.ui.markdown import literal
from tests.ui.test_app import app_for

ADVICE = "Kjør `assistant ingest --reindex`: det flytter det skadde lageret til side og bygger et nytt fra originalfilene."


def _says_damaged(at, settings, meaning: str) -> None:
    """Assert the page shows the store's damage as an error with what to do, and no exception."""
    assert not at.exception, at.exception
    errors = [literal(e.value) for e in at.error]
    assert any(f"Dokumentlageret i {settings.store_dir()} er skadet: {meaning}" in e and ADVICE in e
               for e in errors), errors


# slow: a cut and a garbled file (~1.5 s each under load); the quick set keeps a truncated database and another
# Chroma version's, and tests/index/test_damaged_store.py names all four quick from the CLI
@pytest.mark.parametrize("damage", slow_except(SQLITE, quick=["sqlite-truncated", "other-version-hash"]))
def test_both_pages_name_a_damaged_database_on_start(monkeypatch, settings, e5, damage):
    ingest_small(settings, e5)
    SQLITE[damage](settings)
    at = app_for(monkeypatch, settings)
    meaning = "databasen er skrevet av en annen Chroma-versjon" if damage.startswith("other") else "databasefilen"
    _says_damaged(at, settings, meaning)
    assert "og 3 av dem finnes i" in literal(at.error[0].value) or "Alle finnes ennå" in literal(at.error[0].value)
    at.switch_page("status_page.py").run()
    _says_damaged(at, settings, meaning)


# slow: quick cover: the pages naming damage stay quick in test_both_pages_name_a_damaged_database_on_start; a lost id map quick in tests/index/test_damaged_store.py
@pytest.mark.slow
def test_a_vector_index_that_lost_its_id_map_is_named_not_answered_from(monkeypatch, settings, e5):
    build_big(settings, e5)
    id_map_gone(settings)  # Chroma would answer from 100 of the 1100 passages without a word
    at = app_for(monkeypatch, settings)
    _says_damaged(at, settings, "vektorindeksen er ødelagt")
    assert "Lageret holdt 3 filer (lest fra lagerets metadata). Alle finnes ennå, så ingenting går tapt." in literal(
        at.error[0].value)


def test_a_store_damaged_while_the_app_runs_is_named_when_asked(monkeypatch, settings, e5):
    ingest_small(settings, e5)
    at = app_for(monkeypatch, settings)
    assert not at.error
    truncate_sqlite(settings)
    at.chat_input[0].set_value(QUESTION).run()
    _says_damaged(at, settings, "databasefilen chroma.sqlite3 er ødelagt")
    assert not at.session_state["turns"]  # no answer recorded from a store that failed
    at.switch_page("status_page.py").run()
    _says_damaged(at, settings, "databasefilen chroma.sqlite3 er ødelagt")
