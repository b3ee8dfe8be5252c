"""The app as `assistant app` serves it: ui/app.py plus one route for the cited PDFs (`streamlit run ui/server.py`).

Streamlit serves static files only from `static/` next to the main script, which would mean copying every
cited PDF into the checkout. Instead /dokumenter/<token>.pdf streams the original file from where the store
recorded it (ui/render.published_pdf makes the token), so a PDF opens at the cited page (#page=N).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route

from ui import render


async def document(request: Request) -> Response:
    """Return a cited PDF inline, or 404 when no page of this process has cited it."""
    path = render.published_file(request.path_params["name"])
    if path is None:
        return PlainTextResponse("Dokumentet finnes ikke.", status_code=404)
    return FileResponse(path, media_type="application/pdf", filename=path.name, content_disposition_type="inline")


app = st.App(Path(__file__).with_name("app.py"), routes=[Route(f"/{render.DOCUMENT_ROUTE}/{{name}}", document)])
