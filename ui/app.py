"""Bærekraftsassistenten in the browser: `streamlit run ui/app.py` (what `make run` ends with)."""

from pathlib import Path

import streamlit as st

HERE = Path(__file__).parent

st.set_page_config(page_title="Bærekraftsassistenten", page_icon=str(HERE / "static" / "icon.png"), layout="centered")
# The text is Norwegian (bokmål), but Streamlit's index.html says lang="en" and has no setting for it (WCAG 3.1.1):
# screen readers would read Norwegian with English pronunciation. Our own fixed script, no user input.
st.html("<script>document.documentElement.lang = 'nb';</script>", unsafe_allow_javascript=True)
page = st.navigation(
    [
        st.Page(HERE / "chat_page.py", title="Chat for ansatte", default=True),
        st.Page(HERE / "status_page.py", title="Kommunestatus", url_path="kommunestatus"),
    ]
)
page.run()
