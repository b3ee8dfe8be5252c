"""Text in a PDF that a reader cannot see, blanked before pypdf extracts it (a content-stream visitor).

Hidden: invisible render modes (3 Tr, 7 Tr); text under 4 pt once the font size is scaled by the text and
transformation matrices; text whose origin lies off the page; and text drawn in the colour of what lies beneath it:
the page itself (white) or the last filled shape under it (so white text on a green banner stays, black text on a
black box does not). Images and shadings under text count as an unknown background, so text on them stays.
Colours are read from the Device spaces (g, rg, k and sc/scn with 1, 3 or 4 components); a one-component
colour in any other space (Separation, Indexed) is unknown and never hides. Not detected: transparency (ExtGState),
text painted over later by a shape, and text outside a clipping path.

pypdf reads a form XObject with a fresh matrix; `HiddenTextBlanker.after` (the `visitor_operand_after`) sees where
a form ends, so that its text and shapes are placed on the page through the form's /Matrix and the caller's cm.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from ingest.loaders.visibility import MIN_TEXT_PT

Colour = tuple[float, float, float] | None  # RGB 0..1; None when unknown
Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in default user space

WHITE: Colour = (1.0, 1.0, 1.0)
COLOUR_TOLERANCE = 0.06  # channels this close count as the same colour (text at 0.95 grey on white is unreadable)
FAR_LEFT_EMS = 20  # a line starting this many font sizes left of the page shows nothing
_TEXT_SHOWING = (b"Tj", b"TJ", b"'", b'"')
_FILLING = (b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*")
_DEVICE_SPACES = {"/DeviceGray": 1, "/DeviceRGB": 3, "/DeviceCMYK": 4, "/G": 1, "/RGB": 3, "/CMYK": 4}


@dataclass(frozen=True)
class _State:
    """The part of the graphics state that decides whether text shows (saved by q, restored by Q)."""

    fill: Colour = (0.0, 0.0, 0.0)
    stroke: Colour = (0.0, 0.0, 0.0)
    fill_space: str = "/DeviceGray"
    stroke_space: str = "/DeviceGray"
    render: int = 0
    font_size: float = 12.0


def device_colour(values: list, space: str = "") -> Colour:
    """Return numbers as RGB: 1 grey, 3 RGB or 4 CMYK components; None for anything else (names, patterns)."""
    try:
        numbers = [float(v) for v in values]
    except (TypeError, ValueError):
        return None
    if len(numbers) == 1 and (not space or _DEVICE_SPACES.get(space) == 1):
        return (numbers[0],) * 3
    if len(numbers) == 3:
        return (numbers[0], numbers[1], numbers[2])
    if len(numbers) == 4:
        c, m, y, k = numbers
        return ((1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k))
    return None


def same_colour(a: Colour, b: Colour) -> bool:
    """Return True when two known colours are too close to tell apart."""
    return a is not None and b is not None and max(abs(x - y) for x, y in zip(a, b)) <= COLOUR_TOLERANCE


IDENTITY = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]


def _mult(m: list[float], n: list[float]) -> list[float]:
    """Return the PDF matrix product m x n (m applied first)."""
    return [m[0] * n[0] + m[1] * n[2], m[0] * n[1] + m[1] * n[3], m[2] * n[0] + m[3] * n[2],
            m[2] * n[1] + m[3] * n[3], m[4] * n[0] + m[5] * n[2] + n[4], m[4] * n[1] + m[5] * n[3] + n[5]]


def _apply(matrix: list[float], x: float, y: float) -> tuple[float, float]:
    """Return the point (x, y) transformed by a PDF matrix [a b c d e f]."""
    a, b, c, d, e, f = matrix
    return a * x + c * y + e, b * x + d * y + f


@dataclass
class _Caller:
    """What to go back to when pypdf has read a form XObject: the Do's operands and the caller's state."""

    do: list
    form: list[float]
    state: _State
    saved: list[_State]
    xobjects: object


class HiddenTextBlanker:
    """pypdf `visitor_operand_before` that empties the strings of text-showing operators a reader cannot see.

    pypdf passes the operands it is about to process, so an emptied string is never extracted and never reaches
    the text visitor. `blanked` counts the operators emptied.
    """

    def __init__(self, page_box: Box, xobjects=None) -> None:  # xobjects: the page's /XObject resources
        self.page_box = page_box
        self.xobjects = xobjects
        self.state = _State()
        self._saved: list[_State] = []
        self._regions: list[tuple[Box, Colour]] = []  # filled shapes and images, in painting order
        self._path: list[tuple[float, float]] = []
        self._form = IDENTITY  # form space to page space while pypdf reads a form XObject
        self._callers: list[_Caller] = []  # one per form XObject being read, innermost last
        self.blanked = 0

    def __call__(self, operator: bytes, operands: list, cm: list[float], tm: list[float]) -> None:
        """Follow the graphics state; blank the operands of a text-showing operator that shows nothing."""
        try:
            cm = _mult(cm, self._form)
            if operator in _TEXT_SHOWING:
                if self.hidden(cm, tm):
                    self._blank(operator, operands)
            elif operator == b"Do" and self._xobject_type(operands[0]) == "/Form":
                self._enter_form(self.xobjects[operands[0]].get_object(), operands, cm)
            else:
                self._follow(operator, operands, cm)
        except (TypeError, ValueError, IndexError, KeyError, AttributeError):
            pass  # malformed operands: pypdf copes with them on its own, and the text stays

    def after(self, operator: bytes, operands: list, cm: list[float], tm: list[float]) -> None:
        """pypdf `visitor_operand_after`: when a form XObject has been read, go back to its caller's state."""
        if operator == b"Do" and self._callers and self._callers[-1].do is operands:
            caller = self._callers.pop()
            self._form, self.state, self._saved = caller.form, caller.state, caller.saved
            self.xobjects = caller.xobjects

    def _enter_form(self, form, operands: list, cm: list[float]) -> None:
        """Remember the caller's state and place the form's content through its /Matrix and the current cm."""
        self._callers.append(_Caller(operands, self._form, self.state, self._saved, self.xobjects))
        matrix = [float(v) for v in form.get("/Matrix", IDENTITY)][:6]
        self._form = _mult(matrix if len(matrix) == 6 else IDENTITY, cm)
        self._saved = []
        resources = form.get("/Resources")
        resources = resources.get_object() if resources is not None else None
        xobjects = resources.get("/XObject") if resources is not None else None
        self.xobjects = xobjects.get_object() if xobjects is not None else None

    def hidden(self, cm: list[float], tm: list[float]) -> bool:
        """Return True when text shown now would not be seen (render mode, size, position or colour)."""
        state = self.state
        if state.render in (3, 7):
            return True
        c = tm[2] * cm[0] + tm[3] * cm[2]
        d = tm[2] * cm[1] + tm[3] * cm[3]
        size = abs(state.font_size) * math.hypot(c, d)
        if size < MIN_TEXT_PT:
            return True
        x, y = _apply(cm, tm[4], tm[5])
        x0, y0, x1, y1 = self.page_box
        if x >= x1 or y > y1 or y + 0.75 * size <= y0 or x < x0 - FAR_LEFT_EMS * size:
            return True
        background = self._background(x, y)
        shown = []
        if state.render in (0, 2, 4, 6):
            shown.append(state.fill)
        if state.render in (1, 2, 5, 6):
            shown.append(state.stroke)
        return bool(shown) and all(same_colour(colour, background) for colour in shown)

    def _background(self, x: float, y: float) -> Colour:
        """Return the colour beneath a point: the topmost painted region holding it, else the white page."""
        for (bx0, by0, bx1, by1), colour in reversed(self._regions):
            if bx0 - 0.5 <= x <= bx1 + 0.5 and by0 - 0.5 <= y <= by1 + 0.5:
                return colour
        return WHITE

    def _blank(self, operator: bytes, operands: list) -> None:
        """Empty the text operands in place, keeping their types as pypdf expects them."""
        from pypdf.generic import ArrayObject

        if operator == b"TJ":
            operands[0] = ArrayObject()
        elif operator == b'"':
            operands[2] = b""
        else:
            operands[0] = b""
        self.blanked += 1

    def _follow(self, operator: bytes, operands: list, cm: list[float]) -> None:
        """Update colour, render mode, font size, saved states and painted regions for one operator."""
        state = self.state
        if operator == b"q":
            self._saved.append(state)
        elif operator == b"Q":
            self.state = self._saved.pop() if self._saved else _State()
        elif operator in (b"g", b"rg", b"k"):
            self.state = replace(state, fill=device_colour(operands), fill_space=_space_of(operator))
        elif operator in (b"G", b"RG", b"K"):
            self.state = replace(state, stroke=device_colour(operands), stroke_space=_space_of(operator))
        elif operator == b"cs":
            space = str(operands[0])
            self.state = replace(state, fill_space=space, fill=(0.0,) * 3 if space in _DEVICE_SPACES else None)
        elif operator == b"CS":
            space = str(operands[0])
            self.state = replace(state, stroke_space=space, stroke=(0.0,) * 3 if space in _DEVICE_SPACES else None)
        elif operator in (b"sc", b"scn"):
            self.state = replace(state, fill=device_colour(operands, state.fill_space))
        elif operator in (b"SC", b"SCN"):
            self.state = replace(state, stroke=device_colour(operands, state.stroke_space))
        elif operator == b"Tr":
            self.state = replace(state, render=int(operands[0]))
        elif operator == b"Tf":
            self.state = replace(state, font_size=float(operands[1]))
        elif operator in (b"m", b"l", b"c", b"v", b"y"):
            numbers = [float(v) for v in operands]
            self._path.extend(_apply(cm, numbers[i], numbers[i + 1]) for i in range(0, len(numbers) - 1, 2))
        elif operator == b"re":
            x, y, w, h = (float(v) for v in operands[:4])
            self._path.extend(_apply(cm, px, py) for px, py in ((x, y), (x + w, y), (x, y + h), (x + w, y + h)))
        elif operator in _FILLING:
            self._paint(state.fill)
        elif operator in (b"S", b"s", b"n"):
            self._path = []
        elif operator == b"sh":
            self._regions.append((self.page_box, None))
        elif operator == b"INLINE IMAGE" or (operator == b"Do" and self._xobject_type(operands[0]) == "/Image"):
            corners = [_apply(cm, px, py) for px, py in ((0, 0), (1, 0), (0, 1), (1, 1))]
            self._regions.append((_bbox(corners), None))

    def _paint(self, colour: Colour) -> None:
        """Record the current path as a region filled with `colour`, and start a new path."""
        if self._path:
            self._regions.append((_bbox(self._path), colour))
        self._path = []

    def _xobject_type(self, name) -> str:
        """Return the /Subtype of a named XObject ("/Image", "/Form"), or '' when it cannot be found."""
        try:
            return str(self.xobjects[name].get_object().get("/Subtype", "")) if self.xobjects is not None else ""
        except (KeyError, AttributeError, TypeError):
            return ""


def _space_of(operator: bytes) -> str:
    """Return the colour space a Device colour operator sets."""
    return {b"g": "/DeviceGray", b"G": "/DeviceGray", b"rg": "/DeviceRGB", b"RG": "/DeviceRGB"}.get(
        operator, "/DeviceCMYK")


def _bbox(points: list[tuple[float, float]]) -> Box:
    """Return the bounding box of points."""
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)
