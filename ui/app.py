"""Bærekraftsassistenten in the browser: `streamlit run ui/app.py` (what `make run` ends with)."""

from pathlib import Path

import streamlit as st

HERE = Path(__file__).parent

st.set_page_config(page_title="Bærekraftsassistenten", page_icon=str(HERE / "static" / "icon.png"), layout="centered")
page = st.navigation(
    [
        st.Page(HERE / "chat_page.py", title="Chat for ansatte", default=True),
        st.Page(HERE / "status_page.py", title="Kommunestatus", url_path="kommunestatus"),
    ]
)
page.run()
