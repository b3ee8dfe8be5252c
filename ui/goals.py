"""Kommunestatus: the 17 bærekraftsmål as a grid, each saying whether the kommune's documents speak of it.

The grid is plain HTML: a heading, then a list of 17 items, each a goal's number, name and colour
(text at WCAG AA contrast). A goal the documents speak of is a native <details>: its summary is
reachable by Tab and opens with Enter or a click, showing the best sentence with document title
and page. What the grid shows is computed by assistant/services/goals.py; this module only renders it.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import streamlit as st

from assistant.services.goals import PASSAGES_PER_GOAL, GoalStatus, goal_overview
from ui import services

CSS = """<style>
ul.goal-grid { list-style: none; padding: 0; margin: 0 0 1rem 0;
  display: grid; grid-template-columns: repeat(auto-fill, minmax(10.5rem, 1fr)); gap: .5rem; }
ul.goal-grid > li { margin: 0; padding: .55rem .6rem; border-radius: .35rem; min-height: 6.5rem; }
ul.goal-grid h3 { font-size: .95rem; line-height: 1.25; margin: 0 0 .35rem 0; padding: 0; color: inherit; display: inline; }
ul.goal-grid .goal-number { font-size: 1.3rem; font-weight: 700; display: block; }
ul.goal-grid .goal-state { display: block; font-size: .85rem; margin-top: .35rem; }
ul.goal-grid summary { cursor: pointer; }
ul.goal-grid summary:focus-visible { outline: 3px solid currentColor; outline-offset: 2px; }
ul.goal-grid .goal-quote { background: #FFFFFF; color: #1A1A1A; border-radius: .25rem; padding: .45rem .5rem;
  margin: .45rem 0 0 0; font-size: .85rem; }
ul.goal-grid .goal-quote blockquote { margin: 0 0 .3rem 0; padding: 0; border: 0; font-style: italic; }
ul.goal-grid .goal-quote p { margin: 0; }
</style>"""


def where(status: GoalStatus) -> str:
    """Return "«title», s. 4" for the goal's best sentence ("" when there is none)."""
    ev = status.evidence
    if ev is None:
        return ""
    page = f", s. {ev.page}" if ev.page else ""
    return f"«{ev.title or ev.source}»{page}"


def state(status: GoalStatus) -> str:
    """Return what the documents say about the goal, in words (never by colour alone)."""
    if not status.covered:
        return "Ingen omtale i dokumentene"
    n = status.passages
    many = f"{n} eller flere" if n >= PASSAGES_PER_GOAL else str(n)
    return f"Omtalt i {many} {'tekstbit' if n == 1 else 'tekstbiter'} – vis sitat"


def grid_html(kommune: str, statuses: Sequence[GoalStatus]) -> str:
    """Return the grid of goals as an HTML list, each goal with its state and, if covered, its cited sentence."""
    items = []
    for status in statuses:
        g = status.goal
        heading = f'<h3><span class="goal-number" aria-hidden="true">{g.number}</span>{html.escape(g.label)}</h3>'
        colours = f"background:{g.colour};color:{g.text_colour}"
        text = html.escape(state(status))
        if status.covered:
            ev = status.evidence
            body = (
                f'<details><summary>{heading}<span class="goal-state">{text}</span></summary>'
                f'<div class="goal-quote"><blockquote>«{html.escape(ev.sentence)}»</blockquote>'
                f"<p>{html.escape(where(status))}</p></div></details>"
            )
            items.append(f'<li class="goal covered" style="{colours}">{body}</li>')
        else:
            items.append(f'<li class="goal" style="{colours}">{heading}<span class="goal-state">{text}</span></li>')
    label = html.escape(f"De 17 bærekraftsmålene i dokumentene om {kommune}")
    return f'<ul class="goal-grid" aria-label="{label}">{"".join(items)}</ul>'


def grid(kommune: str) -> None:
    """Show the 17 goals for the kommune (computed once per kommune and store generation)."""
    app = services.app()
    key = f"goals-{kommune}-{app.store.generation()}"
    if key not in st.session_state:
        with st.spinner("Ser etter bærekraftsmålene i dokumentene …"), services.lock():
            st.session_state[key] = goal_overview(app.store, app.sentence_embedder, kommune)
    statuses = st.session_state[key]
    st.subheader("Bærekraftsmålene", anchor=False)
    covered = sum(1 for s in statuses if s.covered)
    st.write(
        f"Dokumentene om {kommune} sier noe om {covered} av FNs 17 bærekraftsmål. "
        "Velg et mål for å se hva de sier, med kilde."
    )
    st.html(CSS)
    st.html(grid_html(kommune, statuses))
