"""An ingest run says, per file, how much hidden text it left out (report and log), so an editor can see it."""

from __future__ import annotations

import dataclasses
import json
import logging
from pathlib import Path

import pytest

from ingest.pipeline import IngestReport
from tests.fakes import memory_app
from tests.pdfs import write_pdf

PAGE = """<!DOCTYPE html><html lang="no"><head><title>Sykkelveier</title>
<style>.x{display:none} #y{position:absolute; left:-9999px}</style></head>
<body><h1>Sykkelveier i Malvik</h1><p>Kommunen har 4 kilometer sykkelvei.</p>
<p class="x">Kommunen har 987 kilometer sykkelvei.</p><p id="y">987 km</p></body></html>"""


def test_ingest_reports_hidden_text_per_file(settings, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from fpdf import FPDF

    folder = tmp_path / "dokumenter"
    folder.mkdir()
    (folder / "sykkel.html").write_text(PAGE, encoding="utf-8")
    pdf = FPDF(format="A4")
    pdf.set_font("Helvetica", size=12)
    pdf.add_page()
    pdf.cell(0, 8, "Andelen fornybar energi er 6 prosent.", new_x="LMARGIN", new_y="NEXT")
    with pdf.local_context(text_color=(255, 255, 255)):
        pdf.cell(0, 8, "Andelen er 88 prosent.", new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(folder / "energi.pdf"))
    write_pdf(folder / "ren.pdf", ["Ingen skjult tekst her, bare vanlig tekst om klima."])

    application = memory_app(settings)  # the report is logic: the in-memory store and embedder will do
    with caplog.at_level(logging.WARNING, logger="ingest.pipeline"):
        report = application.ingester().ingest([folder], progress=False)
    assert report.ok and sorted(report.added) == ["energi.pdf", "ren.pdf", "sykkel.html"]
    # Characters without spaces: "Kommunen har 987 kilometer sykkelvei." 33, "987 km" 5, "Andelen er 88 prosent." 19.
    assert report.hidden == {"sykkel.html": 38, "energi.pdf": 19}
    messages = [r.getMessage() for r in caplog.records if r.name == "ingest.pipeline"]
    assert "sykkel.html: skjult tekst utelatt: 38 tegn" in messages
    assert "energi.pdf: skjult tekst utelatt: 19 tegn" in messages
    assert not any(m.startswith("ren.pdf") for m in messages)
    passages = application.retriever.search("Hvor mange kilometer sykkelvei har kommunen?", k=5)
    assert passages and all("987" not in p.text for p in passages)
    assert any("4 kilometer" in p.text for p in passages)

    again = application.ingester().ingest([folder], progress=False)  # unchanged files are not read again
    assert again.hidden == {} and sorted(again.unchanged) == ["energi.pdf", "ren.pdf", "sykkel.html"]


def test_the_report_survives_the_json_trip_of_the_background_job() -> None:
    report = IngestReport(added=["a.html"], hidden={"a.html": 12})
    message = json.loads(json.dumps(dataclasses.asdict(report)))
    message["skipped"] = [tuple(item) for item in message["skipped"]]  # as ui.background does
    assert IngestReport(**message).hidden == {"a.html": 12}
