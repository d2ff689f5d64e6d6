"""The PDF's typeface: DejaVu Sans, shipped inside the package.

DejaVu Sans covers Latin, Greek and Cyrillic (and typographic quotes, dashes,
№, €) in four faces, under a licence that allows redistribution; shipping it in
the wheel means `pip install` alone gives a machine everything the PDF needs.
reportlab embeds only the glyphs a document uses (subsetting).

Its upright faces also draw Hebrew and the Arabic of Arabic and Persian, with
the joined letter forms; the obliques have the Hebrew but no Arabic, so an
Arabic letter in italics is drawn upright (Arabic has no italic tradition).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from ...errors import BriefingError
from .rtl import RIGHT_TO_LEFT

FONT_DIR = Path(__file__).resolve().parent / "dejavu"
FAMILY = "BriefSans"
FACES = {
    FAMILY: "DejaVuSans.ttf",
    f"{FAMILY}-Bold": "DejaVuSans-Bold.ttf",
    f"{FAMILY}-Italic": "DejaVuSans-Oblique.ttf",
    f"{FAMILY}-BoldItalic": "DejaVuSans-BoldOblique.ttf",
}


class MeasuredFont(TTFont):
    """A face that remembers the width of every string it has measured, and
    encodes most strings in one step.

    Line breaking measures word by word, and a long brief repeats the same
    words thousands of times; reportlab sums glyph widths afresh each time.
    Drawing encodes each line character by character (`splitString`).

    A word of joined script (Arabic) is measured as HarfBuzz shapes it: its
    joined forms are a third narrower than the letters side by side."""

    def __init__(self, name: str, filename: str):
        super().__init__(name, filename)
        self._units: dict[str, float] = {}  # width at size 1000, i.e. in glyph units
        # private-use code → text: glyphs shaping chose that the font maps no character to (rtl.py, patches.py)
        self.shaped_text: dict[int, str] = {}
        # reportlab looks these up on the font first and falls back, through an exception, to the face
        self.ascent, self.descent = self.face.ascent, self.face.descent

    def stringWidth(self, text, size, encoding="utf8"):
        units = self._units.get(text)
        if units is None:
            if not isinstance(text, str):
                text = text.decode(encoding or "utf8")
            if len(self._units) > 1_000_000:  # a long-running process: start afresh rather than grow
                self._units.clear()
            if _JOINED.search(text):
                units = self._units[text] = self._shaped_units(text)
            else:
                widths, default = self.face.charWidths, self.face.defaultWidth
                units = self._units[text] = sum([widths.get(ord(char), default) for char in text])
        return 0.001 * size * units  # reportlab's own arithmetic, so lines break where they did

    def _shaped_units(self, text: str) -> float:
        """The advance of `text` as reportlab's `shapeFragWord` sets it (same features)."""
        import uharfbuzz

        buffer = uharfbuzz.Buffer()
        buffer.add_str(str(text))  # not a subclass (reportlab's shaped strings)
        buffer.guess_segment_properties()
        uharfbuzz.shape(self.hbFont(), buffer, {"kern": True, "liga": True, "dlig": True})
        return self.pdfScale(sum(position.x_advance for position in buffer.glyph_positions))

    def splitString(self, text, doc, encoding="utf-8"):
        """reportlab's encoding of `text` for the document `doc`: (subset, bytes)
        runs. Once every character of a string has its code in the first subset
        (most strings, after the first pages), that is one `str.translate`."""
        state = self.state.get(doc)
        if state is not None and text and isinstance(text, str):
            if len(state.assignments) != getattr(state, "briefing_known_count", -1):
                _learn_codes(state)
            if state.briefing_known.issuperset(text):
                return [(0, text.translate(state.briefing_codes).encode("latin-1"))]
        return super().splitString(text, doc, encoding)


def _learn_codes(state) -> None:
    """The characters of a font's subsetting `state` that have a code in the
    first subset, as a `str.translate` table (no-break space draws as a space,
    as reportlab has it)."""
    codes = {char: chr(code) for char, code in state.assignments.items() if code < 256}
    if 32 in codes:
        codes[0xA0] = codes[32]
    # kept on reportlab's own state object, so they go with the document; named apart from its attributes
    state.briefing_codes, state.briefing_known = codes, {chr(char) for char in codes}
    state.briefing_known_count = len(state.assignments)


# Arabic letters and marks, Hebrew points: what HarfBuzz joins or places (presentation forms are already joined)
_JOINED = re.compile("[\u0591-\u05c7\u0600-\u06ff\u0750-\u077f\u0870-\u08ff]")
UPRIGHT = {f"{FAMILY}-Italic": FAMILY, f"{FAMILY}-BoldItalic": f"{FAMILY}-Bold"}  # where italics find right-to-left letters


@dataclass(frozen=True)
class Family:
    faces: dict[str, MeasuredFont]  # by the name reportlab knows each face by
    covered: frozenset[int]  # the code points all four faces draw, right-to-left letters of italics upright

    def face_for(self, name: str, text: str) -> str:
        """The face that draws `text` for the face `name`: itself, or where
        italics lack a right-to-left letter of it, the upright face of its weight."""
        upright = UPRIGHT.get(name)
        if upright:
            drawn = self.faces[name].face.charToGlyph
            if any(ord(char) not in drawn for char in RIGHT_TO_LEFT.findall(text)):
                return upright
        return name


@lru_cache(maxsize=1)
def register_fonts() -> Family:
    """Register the family with reportlab (once: its registry is by name)."""
    drawn: dict[str, set[int]] = {}
    registered: dict[str, MeasuredFont] = {}
    for name, filename in FACES.items():
        path = FONT_DIR / filename
        if not path.is_file():
            raise BriefingError(f"font file missing: {path}; reinstall briefing (pip install --force-reinstall briefing)")
        font = registered[name] = MeasuredFont(name, str(path))
        pdfmetrics.registerFont(font)
        drawn[name] = set(font.face.charToGlyph)
    for italic, upright in UPRIGHT.items():
        drawn[italic] |= {code for code in drawn[upright] - drawn[italic] if RIGHT_TO_LEFT.match(chr(code))}
    addMapping(FAMILY, 0, 0, FAMILY)
    addMapping(FAMILY, 1, 0, f"{FAMILY}-Bold")
    addMapping(FAMILY, 0, 1, f"{FAMILY}-Italic")
    addMapping(FAMILY, 1, 1, f"{FAMILY}-BoldItalic")
    return Family(registered, frozenset(set.intersection(*drawn.values())))


def is_invisible(char: str) -> bool:
    """Control and format characters (zero-width, direction marks) draw nothing."""
    return unicodedata.category(char) in ("Cc", "Cf") or char in "\n\r\t"


def check_glyphs(texts, covered: frozenset[int]) -> None:
    """Fail, naming the character and where it occurs, rather than draw a blank box."""
    for where, text in texts:
        # each distinct character once: a brief repeats few characters many times
        missing = [c for c in set(text) if ord(c) not in covered and not is_invisible(c) and not c.isspace()]
        if missing:
            char = min(missing, key=text.index)  # the first one in the text
            name = unicodedata.name(char, "unnamed character")
            raise BriefingError(
                f"the PDF font has no glyph for U+{ord(char):04X} {name} ({char!r}) in {where}: «{_around(text, char)}»;"
                " remove or replace that character",
                char=char,  # lets the build point at the dossier line that holds it
            )


def _around(text: str, char: str) -> str:
    index = text.index(char)
    return " ".join(text[max(0, index - 30): index + 30].split())
