"""Tests for ingest.manifest on the real corpus manifest and on broken manifests in tmp_path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.load import load_document
from ingest.manifest import DOC_TYPES, REQUIRED_KEYS, ManifestError, load_manifest

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


def _entry(**overrides: object) -> dict:
    """Return a valid manifest entry for 'a.txt', with overrides."""
    entry = {
        "file": "a.txt",
        "title": "Bærekraftsrapport Frøya 2024",
        "kommuner": ["Frøya"],
        "fylke": "Trøndelag",
        "year": 2024,
        "doc_type": "bærekraftsrapport",
        "publisher": "Frøya kommune",
        "source": "test",
    }
    entry.update(overrides)
    return entry


def _write(root: Path, entries: object) -> Path:
    """Return the manifest path after writing entries (and a.txt) under root."""
    (root / "a.txt").write_text("Tekst om Frøya.", encoding="utf-8")
    path = root / "manifest.json"
    path.write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
    return path


def test_real_corpus_manifest_loads_and_covers_every_document() -> None:
    manifest = load_manifest(CORPUS)
    ingested = sorted(
        p.relative_to(CORPUS).as_posix()
        for p in CORPUS.rglob("*")
        if p.is_file()
        and not any(part.startswith(("_", ".")) for part in p.relative_to(CORPUS).parts)
        and p.name not in ("manifest.json", "README.md")
    )
    assert sorted(manifest) == ingested
    assert len(manifest) == 4
    for entry in manifest.values():
        assert set(REQUIRED_KEYS) <= set(entry)
        assert entry["doc_type"] in DOC_TYPES
        load_document(CORPUS / entry["file"], entry["file"])  # every listed file loads
    stad = manifest["stad-kortreist-kvalitet-samling-2021.txt"]
    assert stad["year"] == 2021 and "20021" in stad["notes"]
    assert manifest["trondelag-baerekraftsnettverket-2024.txt"]["kommuner"] == []
    pdf = manifest["trondheim-samfunnsplan-orientering-2022.pdf"]
    assert pdf["doc_type"] == "presentasjon" and pdf["kommuner"] == ["Trondheim"]


def test_valid_manifest_maps_posix_path_to_entry(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.md").write_text("# B", encoding="utf-8")
    _write(tmp_path, [_entry(), _entry(file="sub/b.md", kommuner=[], doc_type="plan", notes="regional")])
    manifest = load_manifest(tmp_path)
    assert list(manifest) == ["a.txt", "sub/b.md"]
    assert manifest["sub/b.md"]["notes"] == "regional"
    assert manifest["a.txt"]["year"] == 2024


def test_no_manifest_gives_empty_dict(tmp_path: Path) -> None:
    assert load_manifest(tmp_path) == {}


def _error(tmp_path: Path, entries: object) -> str:
    """Return the ManifestError message for the given entries."""
    path = _write(tmp_path, entries)
    with pytest.raises(ManifestError) as info:
        load_manifest(tmp_path)
    assert isinstance(info.value, ValueError)
    assert str(path) in str(info.value)
    return str(info.value)


def test_missing_file_raises(tmp_path: Path) -> None:
    message = _error(tmp_path, [_entry(), _entry(file="finnes-ikke.pdf")])
    assert "entry 1" in message and "finnes-ikke.pdf" in message and "does not exist" in message


def test_missing_file_can_be_skipped_with_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    _write(tmp_path, [_entry(), _entry(file="slettet.pdf")])
    assert list(load_manifest(tmp_path, require_files=False)) == ["a.txt"]
    assert "slettet.pdf" in caplog.text
    _write(tmp_path, [_entry(doc_type="brosjyre")])
    with pytest.raises(ManifestError, match="brosjyre"):
        load_manifest(tmp_path, require_files=False)


def test_bad_doc_type_raises(tmp_path: Path) -> None:
    message = _error(tmp_path, [_entry(doc_type="brosjyre")])
    assert "entry 0" in message and "'brosjyre'" in message and "doc_type" in message


def test_missing_key_raises(tmp_path: Path) -> None:
    entry = _entry()
    del entry["publisher"]
    assert "publisher" in _error(tmp_path, [entry])


@pytest.mark.parametrize("year", ["2024", 2024.0, True, None])
def test_year_must_be_int(tmp_path: Path, year: object) -> None:
    assert "'year' must be an integer" in _error(tmp_path, [_entry(year=year)])


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        ({"file": "a.txt"}, "expected a JSON list"),
        ([_entry(kommuner="Frøya")], "'kommuner' must be a list"),
        ([_entry(), _entry()], "listed twice"),
        ([_entry(file="../a.txt")], "relative"),
        ([_entry(file="_src/a.txt")], "skips"),
        (["a.txt"], "expected an object"),
    ],
)
def test_other_problems_raise(tmp_path: Path, entries: object, expected: str) -> None:
    (tmp_path / "_src").mkdir()
    (tmp_path / "_src" / "a.txt").write_text("x", encoding="utf-8")
    assert expected in _error(tmp_path, entries)


def test_invalid_json_raises(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text("[{", encoding="utf-8")
    with pytest.raises(ManifestError, match="manifest.json"):
        load_manifest(tmp_path)
