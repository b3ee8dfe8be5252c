"""HTML: the text a reader of the page sees (selectolax), boilerplate and hidden elements removed."""

from __future__ import annotations

import re
from pathlib import Path

from assistant.core.models import Page
from ingest.loaders.base import LoadError, Loaded, first_heading_like_line, log
from ingest.loaders.visibility import find_hidden

# Boilerplate: removed, but not counted as hidden text (a reader sees a menu; it is just not content).
_HTML_DROP = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form", "svg", "button",
              "template", "iframe", "object", "canvas", "select", "head")
_BOILERPLATE = (*_HTML_DROP, '[role="navigation"]', '[aria-hidden="true" i]')
_HTML_BLOCK = frozenset({
    "p", "div", "section", "article", "main", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5",
    "h6", "table", "thead", "tbody", "tfoot", "tr", "caption", "blockquote", "pre", "figure", "figcaption",
    "address", "hr", "details", "summary", "fieldset", "body", "html",
})
_HTML_PARAGRAPH = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "dl", "blockquote",
                             "pre", "figure", "section", "article", "main", "hr"})
_HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_WS = re.compile(r"[ \t\n\r\f]+")
# Break markers while walking the tree: block edges merge (the strongest wins), <br> always counts.
_LINE, _PARA, _BR = "\x01", "\x02", "\x03"
_BREAKS = re.compile(r"[ \t]*[\x01\x02][\x01\x02 \t]*")


def load_html(path: Path, data: bytes) -> Loaded:
    """Return the title and the single page of an HTML file: what a reader sees, without boilerplate."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(data, encoding=True)  # BOM, then <meta charset>, else UTF-8
    title_node = tree.css_first("title")
    title = " ".join(title_node.text().split()) if title_node else ""
    # Judged on the whole page first (selectors such as `nav + p` need it), then removed, then boilerplate.
    skip = {node for selector in _BOILERPLATE for node in tree.css(selector)}
    hidden, hidden_chars = find_hidden(tree, skip)
    skip.clear()  # nodes inside removed subtrees are freed: never touch them again
    for node in hidden:
        node.decompose()
    for selector in _BOILERPLATE:
        for node in tree.css(selector):
            node.decompose()
    root = tree.body or tree.root
    hints = [" ".join(n.text().split()) for n in root.css(",".join(_HEADING_TAGS))] if root else []
    hints = [h for h in hints if h]
    if not title:
        h1 = root.css_first("h1") if root else None
        title = " ".join(h1.text().split()) if h1 else ""
    text = _html_text(root) if root else ""
    if not text.strip():
        hidden_note = f" (all tekst er skjult for leseren: {hidden_chars} tegn)" if hidden_chars else ""
        raise LoadError(path, "ingen tekst i HTML-filen" + hidden_note)
    title = title or first_heading_like_line(text) or path.stem
    return Loaded(title, [Page(number=None, text=text, heading_hints=hints)], hidden_chars)


def _html_text(root) -> str:  # root: selectolax LexborNode
    """Return the visible text of an HTML subtree with block elements as line and paragraph breaks."""
    parts: list[str] = []
    # Iterative depth-first walk of (node, entering) pairs: no recursion limit on deeply nested pages.
    stack = [(root, True)]
    pre_depth = 0
    while stack:
        node, entering = stack.pop()
        tag = node.tag or ""
        if tag == "-text":
            raw = node.text_content or ""
            parts.append(raw.replace("\n", _BR) if pre_depth else _WS.sub(" ", raw))
            continue
        if tag.startswith(("-", "!")):  # comments, doctype
            continue
        if entering:
            if tag == "br":
                parts.append(_BR)
                continue
            if tag in ("td", "th") and _has_prev_cell(node):
                parts.append(" | ")
            if tag in _HTML_BLOCK:
                parts.append(_PARA if tag in _HTML_PARAGRAPH else _LINE)
            if tag == "li":
                parts.append("• ")
            if tag == "pre":
                pre_depth += 1
            stack.append((node, False))
            stack.extend((child, True) for child in reversed(list(node.iter(include_text=True))))
        else:
            if tag == "pre":
                pre_depth -= 1
            if tag in _HTML_BLOCK:
                parts.append(_PARA if tag in _HTML_PARAGRAPH else _LINE)
    text = _BREAKS.sub(lambda m: "\n\n" if _PARA in m.group() else "\n", "".join(parts))
    return _tidy_lines(text.replace(_BR, "\n"))


def _has_prev_cell(node) -> bool:
    """Return True when a table cell has an earlier sibling cell in its row."""
    prev = node.prev
    while prev is not None:
        if prev.tag in ("td", "th"):
            return True
        prev = prev.prev
    return False


def _tidy_lines(text: str) -> str:
    """Return text with each line stripped, runs of spaces collapsed and at most one blank line in a row."""
    lines = [re.sub(r"[ \t]{2,}", " ", line).strip() for line in text.split("\n")]
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip("\n")
