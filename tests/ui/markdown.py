"""What Markdown makes of a string, for tests that document text is shown literally (markdown-it-py, CommonMark).

markdown-it-py renders CommonMark plus GFM tables and strikethrough here; Streamlit's renderer adds GFM
autolinks, math, emoji shortcodes and directives, which `leaks` checks by the source text instead.
"""

from __future__ import annotations

import html
import re

from markdown_it import MarkdownIt

_MD = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
MARKUP_TAGS = re.compile(r"<(?!/?p>|br\s*/?>)[a-z!/][^>]*>", re.I)  # paragraphs and line breaks aside
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
ZWSP = "\u200b"


def to_html(markdown: str) -> str:
    """Return the HTML CommonMark makes of the Markdown."""
    return _MD.render(markdown)


def literal(markdown: str) -> str:
    """Return the text a reader sees: the rendered HTML without tags and zero-width spaces, whitespace squashed."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", to_html(markdown))).replace(ZWSP, "")
    return " ".join(text.split())


def leaks(markdown: str, allowed: tuple[str, ...] = ()) -> list[str]:
    """Return what in the Markdown would render as more than text (empty when it is all literal text).

    `allowed` names tags the page itself uses (e.g. "strong" for its own bold); document text must
    still read literally (see `literal`).
    """
    found = [t for t in MARKUP_TAGS.findall(to_html(markdown)) if t.strip("</>").split()[0].lower() not in allowed]
    source = _ESCAPE.sub("\x00", markdown)  # an escaped character is literal and breaks any construct around it
    for pattern, what in (
        (r"https?://|www\.|\w@\w", "autolink"),  # GFM autolink literals
        (r"\$", "math"),
        (r":[a-z-]+\[", "directive"),
    ):
        if re.search(pattern, source, re.I):
            found.append(what)
    text = html.unescape(re.sub(r"<[^>]+>", "", to_html(markdown)))  # emoji and icons are replaced in the text
    if re.search(r":[\w+-]+:|:material/[\w-]+:", text):
        found.append("emoji or icon shortcode")
    return found
