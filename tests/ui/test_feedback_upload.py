"""Feedback records and upload checks: the logic around the widgets."""

import json
import re
from pathlib import Path

import pytest

from assistant.core.models import Answer, Chunk, Citation
from ingest.load import SUPPORTED_SUFFIXES
from ui.feedback import append_feedback, feedback_record, read_feedback
from ui.upload import UploadRejected, check_upload, safe_name


def answer() -> Answer:
    chunk = Chunk("c", "Senteret finansieres av NTNU.", "fn.txt", "FN-senteret", None, "", 0, 10)
    return Answer("Hvem betaler?", "NTNU [1].", [Citation(1, chunk, "Senteret finansieres av NTNU.")], False, "extractive", [chunk])


def test_feedback_is_appended_as_json_lines_and_the_latest_per_answer_wins(tmp_path):
    path = tmp_path / "sub" / "feedback.jsonl"
    append_feedback(path, feedback_record("a1", answer(), 1))
    append_feedback(path, feedback_record("a2", answer(), 0))
    append_feedback(path, feedback_record("a1", answer(), 1, "  Bra kilde  "))
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 3
    assert lines[0]["rating"] == "opp" and lines[1]["rating"] == "ned"
    assert lines[0]["question"] == "Hvem betaler?" and lines[0]["citations"][0]["source"] == "fn.txt"
    assert lines[0]["time"].endswith("+00:00")
    own = ("answer_id", "time", "rating", "comment")  # what feedback adds to the answer's shared dict
    assert {k: v for k, v in lines[0].items() if k not in own} == answer().to_dict()
    latest = read_feedback(path)
    assert [r["answer_id"] for r in latest] == ["a1", "a2"]
    assert latest[0]["comment"] == "Bra kilde"


def test_safe_name_strips_folders_and_odd_characters_but_keeps_norwegian_letters():
    assert safe_name("../../etc/passwd") == "passwd"
    assert safe_name("C:\\Users\\x\\Bærekraft Frøya 2024.pdf") == "Bærekraft Frøya 2024.pdf"
    assert safe_name("rapport<>|?.pdf") == "rapport.pdf"
    assert safe_name("...") == "dokument"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("rapport.docx", b"x", "filtypen .docx støttes ikke"),
        ("rapport", b"x", "filtypen (ingen) støttes ikke"),
        ("tom.pdf", b"", "filen er tom"),
        ("stor.txt", b"x" * (1024 * 1024 + 1), "største tillatte størrelse er 1 MB"),
    ],
)
def test_check_upload_refuses_with_a_reason(name, data, message):
    with pytest.raises(UploadRejected, match=re.escape(message)):
        check_upload(name, data, max_mb=1)


def test_check_upload_accepts_what_ingestion_loads_up_to_the_size_limit():
    for name in ("a.pdf", "b.TXT", "c.md", "d.html", "e.htm"):
        assert check_upload(name, b"innhold", max_mb=1) is None  # accepted: no UploadRejected
        assert Path(name).suffix.lower() in SUPPORTED_SUFFIXES  # and ingestion has a loader for it
    assert check_upload("full.txt", b"x" * 1024 * 1024, max_mb=1) is None  # exactly the limit is allowed
    with pytest.raises(UploadRejected):
        check_upload("full.txt", b"x" * (1024 * 1024 + 1), max_mb=1)  # one byte more is not
