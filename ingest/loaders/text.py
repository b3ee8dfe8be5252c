"""Plain text and Markdown: decoded carefully (UTF-8, UTF-16 with BOM, else cp1252), one unpaged page."""

from __future__ import annotations

import codecs
import re
import unicodedata
from pathlib import Path

from assistant.core.models import Page
from ingest.loaders.base import LoadError, Loaded, first_heading_like_line, log


def load_txt(path: Path, data: bytes) -> Loaded:
    """Return a plain text file as one page, titled by its first heading-like line."""
    text = decode_text(path, data)
    return Loaded(first_heading_like_line(text) or path.stem, [Page(number=None, text=text)])


def load_md(path: Path, data: bytes) -> Loaded:
    """Return a Markdown file as one page of plain text with its headings as hints."""
    text, hints = markdown_to_text(decode_text(path, data))
    title = (hints[0] if hints else "") or first_heading_like_line(text) or path.stem
    return Loaded(title, [Page(number=None, text=text, heading_hints=hints)])


def decode_text(path: Path, data: bytes) -> str:
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
