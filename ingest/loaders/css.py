"""What a page's own CSS says about each element: its <style> rules and inline styles, cascaded (tinycss2 parses).

The page is read as a desktop browser shows it when it opens: a screen 1280 px wide and 800 px high. Media
queries are judged against that (print-only rules do not apply; a query we cannot judge does not apply either).
External stylesheets (<link>) are not fetched. A selector selectolax cannot match (pseudo-elements, states such
as :hover that a page is not in when it opens, syntax lexbor lacks) is skipped, never fatal.

Only the properties that can hide text are kept (`PROPERTIES`); `ingest.loaders.visibility` decides what they hide.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import tinycss2

VIEWPORT = (1280.0, 800.0)  # width, height in CSS px
BASE_FONT_PX = 16.0
PROPERTIES = frozenset({
    "display", "visibility", "opacity", "color", "font-size", "font", "width", "height", "max-width", "max-height",
    "overflow", "overflow-x", "overflow-y", "position", "left", "right", "top", "text-indent", "clip", "clip-path",
    "float", "padding", "padding-top", "padding-right", "padding-bottom", "padding-left",
})
# Rules about a moment the page is not in when it opens, or about generated boxes rather than the element.
_UNMATCHABLE = re.compile(
    r"::|:(?:before|after|first-line|first-letter|hover|focus|focus-within|focus-visible|active|visited|target"
    r"|target-within|drop|current|past|future|playing|paused|user-invalid|user-valid)\b",
    re.IGNORECASE,
)
_UNITS_PX = {"px": 1.0, "pt": 96 / 72, "pc": 16.0, "in": 96.0, "cm": 96 / 2.54, "mm": 96 / 25.4, "q": 96 / 101.6,
             "em": BASE_FONT_PX, "rem": BASE_FONT_PX, "ex": BASE_FONT_PX / 2, "ch": BASE_FONT_PX / 2,
             "vw": VIEWPORT[0] / 100, "vh": VIEWPORT[1] / 100, "": 1.0}
_LENGTH = re.compile(r"^([+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)([a-z%]*)$")

Key = tuple[bool, bool, tuple[int, int, int], int]  # (important, inline, specificity, source order): larger wins


@dataclass
class Rule:
    """One selector of a style rule with the declarations it sets (name, lower-cased value, !important)."""

    selector: str
    specificity: tuple[int, int, int]
    declarations: list[tuple[str, str, bool]]
    order: int


def declarations(css: str | list) -> list[tuple[str, str, bool]]:
    """Return the (name, value, important) declarations of a declaration block that can hide text."""
    return _declarations(_blocks(css))


def _blocks(css: str | list) -> list:
    """Return the items of a block's contents: declarations and nested rules."""
    return tinycss2.parse_blocks_contents(css, skip_comments=True, skip_whitespace=True)


def _declarations(items: list) -> list[tuple[str, str, bool]]:
    """Return the declarations among parsed items that set a property that can hide text."""
    return [(item.lower_name, " ".join(tinycss2.serialize(item.value).split()).lower(), bool(item.important))
            for item in items if item.type == "declaration" and item.lower_name in PROPERTIES]


def stylesheet_rules(css: str, start: int = 0) -> list[Rule]:
    """Return the rules of a stylesheet that apply on a desktop screen and set a property that can hide text."""
    rules: list[Rule] = []
    _collect(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True), rules, start)
    return rules


def _collect(items: Iterable, rules: list[Rule], start: int, parents: tuple[str, ...] = ()) -> None:
    """Append to `rules` the declarations of `parents` among `items` and the rules in them, nested ones included.

    At-rules are descended into: @media when it holds for a desktop screen, and @supports, @layer, @container.
    """
    items = list(items)
    found = _declarations(items)
    for selector in parents if found else ():
        rules.append(Rule(selector, specificity(selector), found, start + len(rules)))
    for item in items:
        if item.type == "qualified-rule":
            selectors = tuple(_nest(selector, parents) for selector in _split_selectors(item.prelude))
            _collect(_blocks(item.content), rules, start, selectors)
        elif item.type == "at-rule" and item.content is not None:
            keyword = item.lower_at_keyword
            if keyword == "media" and not media_applies(tinycss2.serialize(item.prelude)):
                continue
            if keyword in ("media", "supports", "layer", "container", "scope", "document"):
                inner = (_blocks(item.content) if parents
                         else tinycss2.parse_rule_list(item.content, skip_comments=True, skip_whitespace=True))
                _collect(inner, rules, start, parents)


def _nest(selector: str, parents: tuple[str, ...]) -> str:
    """Return a nested rule's selector made absolute: `&` stands for the parent rule's selectors."""
    if not parents:
        return selector
    parent = f":is({', '.join(parents)})"
    return selector.replace("&", parent) if "&" in selector else f"{parent} {selector}"


def _split_selectors(prelude: list) -> list[str]:
    """Return the selectors of a selector list, split at its top-level commas."""
    selectors, current = [], []
    for token in [*prelude, None]:
        if token is None or (token.type == "literal" and token.value == ","):
            selector = " ".join(tinycss2.serialize(current).split())
            if selector:
                selectors.append(selector)
            current = []
        else:
            current.append(token)
    return selectors


def matchable(selector: str) -> bool:
    """Return False for selectors about pseudo-elements or user states (hover, focus, ...), which never hide text."""
    return not _UNMATCHABLE.search(selector)


def specificity(selector: str) -> tuple[int, int, int]:
    """Return a selector's (ids, classes-attributes-pseudo-classes, types) specificity (:where counts nothing)."""
    s = re.sub(r"\"[^\"]*\"|'[^']*'", "", selector)
    s = re.sub(r":where\((?:[^()]|\([^()]*\))*\)", "", s, flags=re.IGNORECASE)
    s = re.sub(r":(nth-[\w-]+)\(([^()]*)\)", lambda m: " " + m.group(2).partition(" of ")[2] + " :nth", s)
    attributes = len(re.findall(r"\[[^\]]*\]", s))
    s = re.sub(r"\[[^\]]*\]", "", s)
    ids = len(re.findall(r"#[\w-]+", s))
    classes = len(re.findall(r"\.[\w-]+", s))
    pseudo = [p for p in re.findall(r"(?<!:):([\w-]+)", s) if p.lower() not in ("not", "is", "has", "where")]
    types = len(re.findall(r"(?:^|[\s>+~(,|])([a-zA-Z][\w-]*)", re.sub(r"[.#:][\w-]+", " ", s)))
    return ids, classes + attributes + len(pseudo), types


def media_applies(query: str) -> bool:
    """Return True when a media query list holds for a desktop screen (1280 x 800 px) that is not printing."""
    query = " ".join(query.split()).lower()
    if not query:
        return True
    return any(_one_query_applies(part.strip()) for part in _split_top(query))


def _split_top(text: str) -> list[str]:
    """Return text split at commas outside parentheses."""
    parts, depth, current = [], 0, ""
    for ch in text:
        depth += (ch == "(") - (ch == ")")
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    return [*parts, current]


def _one_query_applies(query: str) -> bool:
    """Return whether one media query (no commas) holds for the desktop screen; False when it cannot be judged."""
    negate = query.startswith("not ")
    query = query.removeprefix("not ").removeprefix("only ").strip()
    if query.startswith("("):
        media_type, conditions = "all", query
    else:
        media_type, _, conditions = query.partition(" and ")
    if media_type.strip() not in ("all", "screen"):  # print, speech, tv, ...
        holds = False
    else:
        results = [_feature_holds(feature.strip()) for feature in re.findall(r"\(([^()]*)\)", conditions)]
        if None in results:
            return False
        holds = all(results)
    return holds != negate


_FEATURES = {"orientation": "landscape", "prefers-color-scheme": "light", "prefers-reduced-motion": "no-preference",
             "hover": "hover", "any-hover": "hover", "pointer": "fine", "any-pointer": "fine", "scan": "progressive",
             "prefers-contrast": "no-preference", "forced-colors": "none", "update": "fast"}


def _feature_holds(feature: str) -> bool | None:
    """Return whether one media feature holds for the desktop screen, or None when it cannot be judged."""
    name, colon, value = (part.strip() for part in feature.partition(":"))
    if not colon:
        match = re.fullmatch(r"(width|height)\s*(<=|>=|<|>|=)\s*(\S+)", name)
        if match:
            size = VIEWPORT[match.group(1) == "height"]
            limit = length_px(match.group(3))
            if limit is None:
                return None
            results = {"<=": size <= limit, ">=": size >= limit, "<": size < limit, ">": size > limit, "=": size == limit}
            return results[match.group(2)]
        return name in ("color", "hover", "any-hover", "pointer", "any-pointer") or None
    for prefix, compare in (("min-", lambda a, b: a >= b), ("max-", lambda a, b: a <= b)):
        if name in (prefix + "width", prefix + "height", prefix + "device-width", prefix + "device-height"):
            limit = length_px(value)
            return None if limit is None else compare(VIEWPORT["height" in name], limit)
    return value == _FEATURES[name] if name in _FEATURES else None


def length_px(value: str, percent_of: float | None = None, em: float = BASE_FONT_PX) -> float | None:
    """Return a CSS length in px (em relative to `em`, % of `percent_of`), or None when it is not a plain length."""
    match = _LENGTH.match(value.strip().lower())
    if not match:
        return None
    number, unit = float(match.group(1)), match.group(2)
    if unit == "%":
        return None if percent_of is None else number * percent_of / 100
    if unit == "em":
        return number * em
    if unit not in _UNITS_PX or (unit == "" and number != 0):  # only 0 may go without a unit
        return None
    return number * _UNITS_PX[unit]


def cascade(tree) -> dict:  # tree: selectolax LexborHTMLParser -> {node: {property: value}}
    """Return for each element the winning value of each property that can hide text, from <style> and style=""."""
    rules: list[Rule] = []
    for style in tree.css("style"):
        kind = (style.attributes.get("type") or "text/css").strip().lower()
        if kind not in ("text/css", "") or not media_applies(style.attributes.get("media") or ""):
            continue
        rules.extend(stylesheet_rules(style.text(deep=True) or "", start=len(rules)))
    won: dict = {}  # node -> {property: (key, value)}

    def apply(node, found: list[tuple[str, str, bool]], inline: bool, spec: tuple[int, int, int], order: int) -> None:
        slot = won.setdefault(node, {})
        for name, value, important in found:
            key: Key = (important, inline, spec, order)
            if name not in slot or key >= slot[name][0]:
                slot[name] = (key, value)

    for rule in rules:
        if not matchable(rule.selector):
            continue
        try:
            nodes = tree.css(rule.selector)
        except Exception:  # selectolax cannot parse every selector a stylesheet may hold: that rule is skipped
            continue
        for node in nodes:
            apply(node, rule.declarations, False, rule.specificity, rule.order)
    for order, node in enumerate(tree.css("[style]"), start=len(rules)):
        found = declarations(node.attributes.get("style") or "")
        if found:
            apply(node, found, True, (0, 0, 0), order)
    return {node: {name: value for name, (_, value) in slot.items()} for node, slot in won.items()}
