"""Bærekraftsassistenten in the browser: `assistant app` (what `make run` ends with) serves this script.

ASSISTANT_MODE=public serves Kommunestatus only; staff mode adds the staff chat (uploads, feedback), behind
sign-in when the app listens beyond loopback or a sign-in is configured (ui/auth.py).
"""

from functools import partial
from pathlib import Path

import streamlit as st

from ui import auth, services

HERE = Path(__file__).parent

st.set_page_config(page_title="Bærekraftsassistenten", page_icon=str(HERE / "static" / "icon.png"), layout="centered")
# The text is Norwegian (bokmål), but Streamlit's index.html says lang="en" and has no setting for it (WCAG 3.1.1):
# screen readers would read Norwegian with English pronunciation. Our own fixed script, no user input.
st.html("<script>document.documentElement.lang = 'nb';</script>", unsafe_allow_javascript=True)
settings = services.settings()
status = partial(st.Page, HERE / "status_page.py", title="Kommunestatus", url_path="kommunestatus")
if settings.mode == "public":
    pages = [status(default=True)]  # residents only: the staff pages do not exist in this app
elif auth.required(settings) and not auth.signed_in():

    def sign_in() -> None:
        auth.sign_in_page(settings)

    pages = [st.Page(sign_in, title="Logg inn for ansatte", url_path="logg-inn", default=True), status()]
else:
    pages = [st.Page(HERE / "chat_page.py", title="Chat for ansatte", default=True), status()]
    if auth.required(settings):
        auth.sign_out_button()
page = st.navigation(pages)
page.run()
