"""The goal grid on Kommunestatus and the goal filter in the staff chat, with Streamlit's AppTest on the real corpus."""

import re
from pathlib import Path

from assistant.core.goals import AA_CONTRAST, GOALS, contrast_ratio
from assistant.services.goals import GoalEvidence, GoalStatus
from ui.goals import CSS, grid_html

APP = Path(__file__).resolve().parents[2] / "ui" / "app.py"


def test_grid_html_is_a_list_with_headings_and_keyboard_reachable_quotes():
    statuses = [GoalStatus(g, 0, None) for g in GOALS]
    statuses[16] = GoalStatus(GOALS[16], 3, GoalEvidence("Trondheim oppfyller mål 17 <b>.", "11 ting", "a.txt", 4, 0.9))
    page = grid_html("Trondheim", statuses)
    assert page.startswith('<ul class="goal-grid" aria-label="De 17 bærekraftsmålene i dokumentene om Trondheim">')
    assert page.count("<li") == 17 and page.count("<h3>") == 17 and page.count("<details>") == 1
    assert "<summary><h3>" in page and "Omtalt i 3 tekstbiter – vis sitat" in page
    assert "«Trondheim oppfyller mål 17 &lt;b&gt;.»" in page and "«11 ting», s. 4" in page  # escaped, with page
    assert page.count("Ingen omtale i dokumentene") == 16
    assert f"background:{GOALS[6].colour};color:{GOALS[6].text_colour}" in page


def test_the_quote_box_inside_a_tile_meets_aa():
    rule = re.search(r"\.goal-quote \{([^}]*)\}", CSS).group(1)
    background = re.search(r"background: (#[0-9A-Fa-f]{6})", rule).group(1)
    colour = re.search(r"(?<![-\w])color: (#[0-9A-Fa-f]{6})", rule).group(1)
    assert contrast_ratio(background, colour) >= AA_CONTRAST


def test_kommunestatus_grid_and_chat_goal_filter(monkeypatch, corpus_settings):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(corpus_settings.data_dir))
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(corpus_settings.corpus_dir))
    monkeypatch.setenv("ASSISTANT_LLM", "extractive")
    at = AppTest.from_file(str(APP), default_timeout=180)
    at.run()
    assert not at.exception, at.exception

    box = next(s for s in at.sidebar.selectbox if s.label == "Bærekraftsmål")
    assert len(box.options) == 17 and box.options[16] == "17 Samarbeid for å nå målene"
    box.set_value(17).run()
    at.chat_input[0].set_value("Hva gjør kommunen sammen med andre?").run()
    assert not at.exception, at.exception
    answer = at.session_state["turns"][-1]["answer"]
    assert answer.passages and all(17 in p.meta["goals"] for p in answer.passages)

    at.switch_page("status_page.py").run()
    at.selectbox(key="kommune").set_value("Trondheim").run()
    assert not at.exception, at.exception
    assert "Bærekraftsmålene" in [h.value for h in at.subheader]
    grid = next(h.proto.body for h in at.get("html") if "goal-grid" in h.proto.body and "<ul" in h.proto.body)
    assert grid.count("<li") == 17 and "17 Samarbeid for å nå målene" in grid and "<details>" in grid
    assert any("sier noe om" in m.value and "av FNs 17 bærekraftsmål" in m.value for m in at.markdown)
