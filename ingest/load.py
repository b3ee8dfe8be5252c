"""Loading: one file in, one Document out, its pages kept apart (pypdf for PDF, selectolax for HTML)."""

from __future__ import annotations

import codecs
import hashlib
import io
import logging
import re
import unicodedata
from collections import Counter
from pathlib import Path

from assistant.core.models import Document, Page

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES: frozenset[str] = frozenset({".pdf", ".txt", ".md", ".html", ".htm"})

# A PDF line whose font is this much larger than the document's body text is a heading hint.
PDF_HEADING_RATIO = 1.25
MAX_TITLE_CHARS = 150
# Metadata titles that office tools fill in by themselves: not a title anyone chose.
_JUNK_PDF_TITLE = re.compile(
    r"^(?:(?:microsoft )?(?:word|powerpoint|excel) - .*|untitled.*|uten tittel|dokument\d*|document\d*"
    r"|.*\.(?:docx?|pptx?|xlsx?|pdf|indd|odt|rtf))$",
    re.IGNORECASE,
)


class LoadError(Exception):
    """A file that cannot be loaded; ``reason`` is a short human reason (Norwegian)."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path.name}: {reason}")


def load_document(path: Path, source: str) -> Document:
    """Return the file as a Document: PDF pages with 1-based numbers, other formats as one page."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise LoadError(path, f"filtypen støttes ikke ({suffix or 'ingen filendelse'})")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LoadError(path, f"kan ikke lese filen ({exc.strerror or exc})") from exc
    if not data.strip():
        raise LoadError(path, "tom fil")

    if suffix == ".pdf":
        title, pages = _load_pdf(path, data)
    elif suffix in (".html", ".htm"):
        title, pages = _load_html(path, data)
    else:
        text = _decode_text(path, data)
        if suffix == ".md":
            text, hints = markdown_to_text(text)
        else:
            hints = []
        title = (hints[0] if hints else "") or _first_heading_like_line(text) or path.stem
        pages = [Page(number=None, text=text, heading_hints=hints)]

    pages = [
        Page(number=p.number, text=_nfc(p.text), heading_hints=[_nfc(h) for h in p.heading_hints])
        for p in pages
    ]
    return Document(
        source=source,
        path=path,
        title=_nfc(" ".join(title.split())) or path.stem,
        pages=pages,
        content_hash=hashlib.sha256(data).hexdigest(),
    )


def _nfc(text: str) -> str:
    """Return text in Unicode NFC."""
    return unicodedata.normalize("NFC", text)


def _first_heading_like_line(text: str) -> str:
    """Return the first non-empty line when it looks like a title (short, not a sentence), else ''."""
    for line in text.splitlines():
        line = " ".join(line.split())
        if not line:
            continue
        looks_like_title = (
            len(line) <= MAX_TITLE_CHARS
            and any(ch.isalpha() for ch in line)
            and not line.endswith((".", ",", ";", ":"))
            and not line.startswith(("•", "-", "*", "–"))
        )
        return line if looks_like_title else ""
    return ""


# ---------------------------------------------------------------- plain text and Markdown


def _decode_text(path: Path, data: bytes) -> str:
    """Return the text of a .txt/.md file: UTF-8 (BOM optional), UTF-16 with BOM, else cp1252 with a warning."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise LoadError(path, "ikke dekodbar tekst (ugyldig UTF-16)") from exc
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            if b"\x00" in data:
                raise LoadError(path, "ikke dekodbar tekst (binærfil?)") from None
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                raise LoadError(path, "ikke dekodbar tekst (verken UTF-8 eller cp1252)") from None
            if _has_control_chars(text):
                raise LoadError(path, "ikke dekodbar tekst (binærfil?)")
            log.warning("%s: ikke gyldig UTF-8, lest som cp1252 (Windows-1252)", path.name)
    if "\x00" in text or _has_control_chars(text):
        raise LoadError(path, "ikke dekodbar tekst (binærfil?)")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise LoadError(path, "tom fil")
    return text


def _has_control_chars(text: str) -> bool:
    """Return True when the text has control characters other than tab, newline, CR and form feed."""
    return any(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f" for ch in text)


_MD_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_MD_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_MD_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_MD_RULE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_MD_INLINE = (
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # image -> alt text
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # [text](url) -> text
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),  # [text][ref] -> text
    (re.compile(r"<(https?://[^>\s]+)>"), r"\1"),  # <http://...> -> url
    (re.compile(r"`([^`\n]+)`"), r"\1"),  # `code`
    (re.compile(r"(\*\*|__)(?=\S)((?:(?!\1)[^\n]|\n(?!\n))+?)(?<=\S)\1"), r"\2"),  # **bold** / __bold__
    (re.compile(r"~~(?=\S)((?:[^~\n]|\n(?!\n))+?)(?<=\S)~~"), r"\1"),  # ~~strike~~
    (re.compile(r"(?<![\w*])\*(?=[^\s*])((?:[^*\n]|\n(?!\n))+?)(?<=[^\s*])\*(?![\w*])"), r"\1"),  # *em*
    (re.compile(r"(?<![\w_])_(?=[^\s_])((?:[^_\n]|\n(?!\n))+?)(?<=[^\s_])_(?![\w_])"), r"\1"),  # _em_
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!~|])"), r"\1"),  # backslash escapes
)
_MD_REF_DEF = re.compile(r"^ {0,3}\[[^\]]+\]:\s+\S+.*$")


def markdown_inline_to_text(text: str) -> str:
    """Return text with inline Markdown (emphasis, links, images, code, escapes) reduced to its words."""
    for pattern, repl in _MD_INLINE:
        text = pattern.sub(repl, text)
    return text


def markdown_to_text(text: str) -> tuple[str, list[str]]:
    """Return Markdown as plain text and its heading texts (ATX '#' and setext headings)."""
    out: list[str] = []
    hints: list[str] = []
    in_fence = False
    for line in text.split("\n"):
        if _MD_FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            out.append(line)
            continue
        if _MD_REF_DEF.match(line):
            continue
        atx = _MD_ATX.match(line)
        if atx:
            heading = markdown_inline_to_text((atx.group(2) or "").strip())
            if heading:
                hints.append(heading)
            out.append(heading)
            continue
        setext = _MD_SETEXT.match(line)
        previous = out[-1].strip() if out else ""
        if setext and previous and not previous.startswith(("-", "*", "+", "•", ">")) and not _MD_RULE.match(out[-1]):
            hints.append(markdown_inline_to_text(previous))
            continue
        if _MD_RULE.match(line):
            out.append("")
            continue
        out.append(line)
    plain = markdown_inline_to_text("\n".join(out))
    return plain, [" ".join(h.split()) for h in hints if h.strip()]


# ---------------------------------------------------------------- HTML

_HTML_DROP = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form", "svg", "button",
              "template", "iframe", "object", "canvas", "select", "head")
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


def _load_html(path: Path, data: bytes) -> tuple[str, list[Page]]:
    """Return the title and the single page of an HTML file, boilerplate elements removed."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(data, encoding=True)  # BOM, then <meta charset>, else UTF-8
    title_node = tree.css_first("title")
    title = " ".join(title_node.text().split()) if title_node else ""
    for selector in (*_HTML_DROP, '[role="navigation"]', '[aria-hidden="true" i]', "[hidden]"):
        for node in tree.css(selector):
            node.decompose()
    _drop_styled_hidden(tree)
    root = tree.body or tree.root
    hints = [" ".join(n.text().split()) for n in root.css(",".join(_HEADING_TAGS))] if root else []
    hints = [h for h in hints if h]
    if not title:
        h1 = root.css_first("h1") if root else None
        title = " ".join(h1.text().split()) if h1 else ""
    text = _html_text(root) if root else ""
    if not text.strip():
        raise LoadError(path, "ingen tekst i HTML-filen")
    title = title or _first_heading_like_line(text) or path.stem
    return title, [Page(number=None, text=text, heading_hints=hints)]


def _style_says(style: str, prop: str, values: frozenset[str]) -> str | None:
    """Return the last value of `prop` in an inline style if it is one of `values` (else None), case-blind."""
    found = None
    for declaration in style.split(";"):
        name, sep, value = declaration.partition(":")
        if sep and name.strip().lower() == prop:
            found = value.lower().replace("!important", "").strip()
    return found if found in values else None


_VISIBILITY = frozenset({"hidden", "collapse", "visible"})


def _drop_styled_hidden(tree) -> None:  # tree: selectolax LexborHTMLParser
    """Remove what an inline style hides from a reader: `display:none` with all it holds, and the text of
    `visibility:hidden` (or collapse) elements, except inside a descendant that sets `visibility:visible` again.
    """
    styled = list(tree.css("[style]"))
    for node in styled:
        if _style_says(node.attributes.get("style") or "", "display", frozenset({"none"})):
            node.decompose()
    for node in tree.css("[style]"):
        if _style_says(node.attributes.get("style") or "", "visibility", _VISIBILITY) in ("hidden", "collapse"):
            _hide_text(node)


def _hide_text(node) -> None:
    """Remove the text under an invisible node, keeping subtrees that declare themselves visible."""
    for child in list(node.iter(include_text=True)):
        if child.tag == "-text":
            child.decompose()
        elif not (child.tag or "").startswith(("-", "!")):
            shown = _style_says(child.attributes.get("style") or "", "visibility", _VISIBILITY)
            if shown != "visible":
                _hide_text(child)


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


# ---------------------------------------------------------------- PDF


def _load_pdf(path: Path, data: bytes) -> tuple[str, list[Page]]:
    """Return the title and text pages of a PDF; pages without text are left out, numbers stay true."""
    from pypdf import PasswordType, PdfReader
    from pypdf.errors import DependencyError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise LoadError(path, "kryptert PDF (krever passord)")
        n_pages = len(reader.pages)
    except LoadError:
        raise
    except DependencyError as exc:
        raise LoadError(path, f"kryptert PDF (mangler støtte for krypteringen: {exc})") from exc
    except Exception as exc:  # pypdf raises many kinds on broken files; all mean the same to the user
        raise LoadError(path, f"ødelagt PDF ({_short(exc)})") from exc

    pages: list[Page] = []
    lines_by_page: list[list[tuple[str, float]]] = []
    failures: list[str] = []
    for index in range(n_pages):
        lines: list[tuple[str, float]] = []
        try:
            text = reader.pages[index].extract_text(visitor_text=_LineCollector(lines)) or ""
        except Exception as exc:
            failures.append(f"side {index + 1}: {_short(exc)}")
            log.warning("%s: kunne ikke hente tekst fra side %d: %s", path.name, index + 1, _short(exc))
            continue
        if text.strip():
            pages.append(Page(number=index + 1, text=text))
            lines_by_page.append(lines)
    if not pages:
        if failures:
            raise LoadError(path, f"ødelagt PDF ({failures[0]})")
        raise LoadError(path, "ingen uttrekkbar tekst (skannet PDF?)")

    for page, hints in zip(pages, _pdf_heading_hints(lines_by_page)):
        page.heading_hints = hints
    title = _pdf_metadata_title(reader)
    if not title:
        first_hints = next((p.heading_hints for p in pages if p.heading_hints), [])
        title = (first_hints[0] if first_hints and len(first_hints[0]) <= MAX_TITLE_CHARS else "")
    title = title or _first_heading_like_line(pages[0].text) or path.stem
    return title, pages


def _short(exc: BaseException) -> str:
    """Return a one-line description of an exception."""
    message = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {message}"[:160] if message else type(exc).__name__


def _pdf_metadata_title(reader) -> str:
    """Return the PDF's metadata title, or '' when it has none (or it is unreadable)."""
    try:
        meta = reader.metadata
        title = meta.title if meta else None
    except Exception:  # broken metadata must not cost us the text
        return ""
    title = " ".join(str(title).split()) if title else ""
    return "" if _JUNK_PDF_TITLE.match(title) else title


class _LineCollector:
    """pypdf text visitor that gathers (line text, font size) pairs, one per baseline."""

    def __init__(self, lines: list[tuple[str, float]]) -> None:
        self.lines = lines
        self._y: float | None = None

    def __call__(self, text: str, cm: list[float], tm: list[float], font_dict, font_size: float) -> None:
        """Record a text run: a new baseline starts a new line; the line keeps its largest font size."""
        if not text:
            return
        # Combined text-to-device matrix: only its vertical scale and baseline are needed.
        d = tm[2] * cm[1] + tm[3] * cm[3]
        c = tm[2] * cm[0] + tm[3] * cm[2]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        size = abs(font_size) * ((c * c + d * d) ** 0.5 or 1.0)
        for i, piece in enumerate(text.split("\n")):
            new_line = i > 0 or self._y is None or abs(y - self._y) > 1.0 or not self.lines
            if new_line:
                self.lines.append(("", 0.0))
            line, line_size = self.lines[-1]
            self.lines[-1] = (line + piece, max(line_size, size) if piece.strip() else line_size)
        self._y = y


def _pdf_heading_hints(lines_by_page: list[list[tuple[str, float]]]) -> list[list[str]]:
    """Return per page the texts set clearly larger than the document's body font (consecutive lines joined)."""
    weight: Counter[float] = Counter()
    for lines in lines_by_page:
        for text, size in lines:
            if size > 0:
                weight[round(size, 1)] += len(text.strip())
    if not weight:
        return [[] for _ in lines_by_page]
    body = weight.most_common(1)[0][0]
    result: list[list[str]] = []
    for lines in lines_by_page:
        hints: list[str] = []
        run: list[str] = []
        for text, size in [*lines, ("", 0.0)]:
            text = " ".join(text.split())
            if not text:
                continue
            if size >= body * PDF_HEADING_RATIO:
                run.append(text)
                continue
            if run:
                joined = " ".join(run)
                if len(joined) <= MAX_TITLE_CHARS and any(ch.isalpha() for ch in joined):
                    hints.append(joined)
                run = []
        result.append(hints)
    return result
