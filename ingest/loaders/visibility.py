"""Which parts of an HTML page a sighted reader never sees, judged by the page's own CSS (`ingest.loaders.css`).

Hidden with everything inside it: the `hidden` attribute; display:none; opacity under 0.1; off-screen
positioning (absolute, fixed or relative, with left, right or top at -500 px or further, or -100 % or further);
a text-indent of -500 px or further (the image-replacement trick); a clip or clip-path that leaves no area
(rect(0 0 0 0), inset(50%), circle(0)).
Hidden, an element's own text, which a descendant may undo as in a browser: visibility:hidden or collapse,
color:transparent, a font size under 4 pt (the same limit as for PDF; font:0/0 included), and a zero width or
height (no padding) on a box with overflow hidden or clip, which a fixed descendant escapes (and an absolute one,
when no positioned box stands between them), as in a browser.

Screen-reader-only text (the "sr-only"/"visually-hidden" patterns: clipped to nothing, or moved off-screen) is
dropped too, by decision. The classic sr-only technique *is* the off-screen positioning that hides text from
sighted readers, so keeping clip-based sr-only would let the same text through by another trick; and a quote
must be something an editor can find on the page. Such text is mostly labels ("åpnes i nytt vindu"), so
little is lost. What a reader can reveal with a click (closed <details>, tabs marked up without CSS) is kept.

The page is read as it stands in the file, without running its scripts; but <html> and <body> themselves are never
judged hidden: pages that fade in or unhide themselves with a script (body{opacity:0} until a class is added) hide
them until then, and a page that shows nothing at all is not what anyone publishes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ingest.loaders.base import count_chars
from ingest.loaders.css import BASE_FONT_PX, cascade, length_px

MIN_TEXT_PT = 4.0  # text set smaller than this is not read by anyone (PDF uses the same limit)
MIN_TEXT_PX = MIN_TEXT_PT * 96 / 72
FAR_OFF_PX = -500.0  # positioned this far left, right or up, an element is off the screen
MIN_OPACITY = 0.1
# Elements whose text is not page text (counting hidden characters skips them).
NOT_TEXT = frozenset({"script", "style", "noscript", "template", "head", "title", "svg", "math", "object", "iframe"})
# Elements that are boxes by default (width and height apply); anything else is inline unless CSS says otherwise.
_BOXES = frozenset({
    "address", "article", "aside", "blockquote", "body", "dd", "details", "dialog", "div", "dl", "dt", "fieldset",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "html", "li",
    "main", "nav", "ol", "p", "pre", "section", "summary", "table", "ul", "img", "button", "input", "select",
    "textarea", "caption", "td", "th", "tr", "tbody", "thead", "tfoot", "iframe", "video", "canvas",
})
_FONT_KEYWORDS = {"xx-small": 9.0, "x-small": 10.0, "small": 13.0, "medium": 16.0, "large": 18.0, "x-large": 24.0,
                  "xx-large": 32.0, "xxx-large": 48.0}
_ROOTS = frozenset({"html", "body"})  # never judged hidden (see the module's docstring)
_PADDING = ("padding", "padding-top", "padding-right", "padding-bottom", "padding-left")


@dataclass(frozen=True)
class _Inherited:
    """The inherited properties that decide whether an element's own text shows."""

    visible: bool = True
    font_px: float = BASE_FONT_PX
    transparent: bool = False
    clipped: bool = False  # inside a zero-size box that clips its overflow
    absolute_escapes: bool = False  # ... and no positioned box stands between it and here

    @property
    def shows_text(self) -> bool:
        """Return True when text in this state can be seen."""
        return self.visible and not self.transparent and not self.clipped and self.font_px >= MIN_TEXT_PX


def find_hidden(tree, skip: set) -> tuple[list, int]:  # tree: selectolax LexborHTMLParser
    """Return the nodes (elements and text) a reader never sees, outermost only, and their character count.

    Subtrees under a node in `skip` (boilerplate removed anyway) are neither judged nor counted.
    """
    styles = cascade(tree)
    removals: list = []
    chars = 0
    stack = [(tree.root, _Inherited())] if tree.root is not None else []
    while stack:
        node, parent = stack.pop()
        if node in skip:
            continue
        is_root = node.tag in _ROOTS
        style = {} if is_root else styles.get(node, {})
        if not is_root and ("hidden" in node.attributes or hides_box(style)):
            removals.append(node)
            chars += text_chars(node)
            continue
        state = _inherit(parent, style, clips_to_nothing(node.tag or "", style))
        for child in node.iter(include_text=True):
            tag = child.tag or ""
            if tag == "-text":
                if not state.shows_text and (child.text_content or "").strip():
                    removals.append(child)
                    chars += count_chars(child.text_content or "")
            elif not tag.startswith(("-", "!")):
                stack.append((child, state))
    return removals, chars


def text_chars(node) -> int:
    """Return how many characters (white space not counted) of page text a subtree holds."""
    total, stack = 0, [node]
    while stack:
        for child in stack.pop().iter(include_text=True):
            tag = child.tag or ""
            if tag == "-text":
                total += count_chars(child.text_content or "")
            elif tag not in NOT_TEXT and not tag.startswith(("-", "!")):
                stack.append(child)
    return total


def hides_box(style: dict[str, str]) -> bool:
    """Return True when an element's computed style hides it with all it holds."""
    if style.get("display") == "none":
        return True
    opacity = _number(style.get("opacity", ""))
    if opacity is not None and opacity < MIN_OPACITY:
        return True
    positioned = style.get("position") in ("absolute", "fixed")
    moved = positioned or style.get("position") in ("relative", "sticky")
    if moved and any(_far_off(style.get(name, "")) for name in ("left", "right", "top")):
        return True
    if _far_off(style.get("text-indent", "")):
        return True
    return (positioned and _clip_empty(style.get("clip", ""))) or _clip_path_empty(style.get("clip-path", ""))


def clips_to_nothing(tag: str, style: dict[str, str]) -> bool:
    """Return True for a box of zero width or height (no padding) that clips its overflow."""
    overflow = " ".join(style.get(name, "") for name in ("overflow", "overflow-x", "overflow-y"))
    if not re.search(r"\b(?:hidden|clip)\b", overflow) or _padded(style):
        return False
    if not _is_box(tag, style, style.get("position") in ("absolute", "fixed")):
        return False
    return any(length_px(style.get(name, "x"), percent_of=100.0) == 0
               for name in ("width", "height", "max-width", "max-height"))


def _is_box(tag: str, style: dict[str, str], positioned: bool) -> bool:
    """Return True when width and height apply to the element (not an inline box)."""
    display = style.get("display", "")
    if positioned or style.get("float") in ("left", "right", "inline-start", "inline-end"):
        return True
    if display:
        return display not in ("inline", "contents")
    return tag in _BOXES


def _padded(style: dict[str, str]) -> bool:
    """Return True when any padding is declared that is not zero (a zero-height box may still show its padding)."""
    return any(any(length_px(part, percent_of=1.0) != 0 for part in style.get(name, "0").split()) for name in _PADDING)


def _far_off(value: str) -> bool:
    """Return True for an offset that moves an element off the screen (-500 px or further, -100 % or further)."""
    value = value.strip()
    if value.endswith("%"):
        number = _number(value[:-1])
        return number is not None and number <= -100
    px = length_px(value)
    return px is not None and px <= FAR_OFF_PX


def _clip_empty(value: str) -> bool:
    """Return True for clip: rect(...) that leaves no area (bottom <= top or right <= left)."""
    match = re.fullmatch(r"rect\((.*)\)", value.strip())
    if not match:
        return False
    sides = [length_px(part) for part in re.split(r"[\s,]+", match.group(1).strip())]
    if len(sides) != 4:
        return False
    top, right, bottom, left = sides
    return (top is not None and bottom is not None and bottom <= top) or (
        left is not None and right is not None and right <= left)


def _clip_path_empty(value: str) -> bool:
    """Return True for clip-path: inset(50%) or more, or a circle or ellipse of radius 0."""
    value = value.strip()
    inset = re.match(r"inset\(\s*([\d.]+)%", value)
    if inset:
        return float(inset.group(1)) >= 50
    return bool(re.match(r"(?:circle|ellipse)\(\s*0(?:px|%)?(?:\s+0(?:px|%)?)?\s*(?:\)|at\b)", value))


def _inherit(parent: _Inherited, style: dict[str, str], clips: bool) -> _Inherited:
    """Return the inherited state of an element from its parent's and its own computed style."""
    state = parent
    position = style.get("position", "static")
    if state.clipped and (position == "fixed" or (position == "absolute" and state.absolute_escapes)):
        state = replace(state, clipped=False)  # laid out outside the clipping box
    if clips:
        state = replace(state, clipped=True, absolute_escapes=position == "static")
    elif state.clipped and position != "static":
        state = replace(state, absolute_escapes=False)
    visibility = style.get("visibility", "")
    if visibility in ("hidden", "collapse", "visible", "initial"):
        state = replace(state, visible=visibility in ("visible", "initial"))
    size = style.get("font-size") or _font_shorthand_size(style.get("font", ""))
    if size:
        state = replace(state, font_px=font_size_px(size, parent.font_px))
    color = style.get("color", "")
    if color and color not in ("inherit", "unset", "currentcolor", "revert"):
        state = replace(state, transparent=color == "transparent" or _alpha_zero(color))
    return state


def font_size_px(value: str, parent_px: float) -> float:
    """Return a computed font size in px (keywords, lengths, em and % of the parent's); unknown keeps the parent's."""
    value = value.strip()
    if value in _FONT_KEYWORDS:
        return _FONT_KEYWORDS[value]
    if value == "initial":
        return BASE_FONT_PX
    if value == "smaller":
        return parent_px / 1.2
    if value == "larger":
        return parent_px * 1.2
    if value.endswith("rem"):
        number = _number(value[:-3])
        return parent_px if number is None else number * BASE_FONT_PX
    px = length_px(value, percent_of=parent_px, em=parent_px)
    return parent_px if px is None or px < 0 else px


def _font_shorthand_size(value: str) -> str:
    """Return the font size named in a `font` shorthand ("bold 0/0 a" -> "0"), or ''."""
    for token in value.split():
        size = token.split("/")[0]
        if size in _FONT_KEYWORDS or length_px(size, percent_of=1.0) is not None:
            return size
    return ""


def _alpha_zero(color: str) -> bool:
    """Return True for a colour with zero alpha: rgba(0,0,0,0), rgb(0 0 0 / 0), #0000, #rrggbb00."""
    if re.fullmatch(r"#(?:[0-9a-f]{3}0|[0-9a-f]{6}00)", color):
        return True
    match = re.fullmatch(r"(?:rgba?|hsla?)\((.*)[,/]\s*([\d.]+)(%?)\s*\)", color)
    return bool(match) and float(match.group(2)) == 0


def _number(value: str) -> float | None:
    """Return a plain number (or a percentage as a fraction), or None."""
    value = value.strip()
    try:
        return float(value[:-1]) / 100 if value.endswith("%") else float(value)
    except ValueError:
        return None

