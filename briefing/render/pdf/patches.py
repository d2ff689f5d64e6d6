"""What the PDF renderer changes in reportlab, only while a PDF renders.

reportlab keeps some behaviour in module globals that it offers no parameter
for. `reportlab_patched` replaces them for the length of one render and puts
every one back when it ends, so a program that uses reportlab for its own
PDFs meets reportlab as it was:

- three fixes: the ToUnicode map of characters beyond U+FFFF is written as
  UTF-16, as the PDF standard asks (copy, search and text extraction of emoji
  and other astral characters), and a glyph that shaping chose and the font
  maps no character to (reportlab gives it a private-use code) maps back to
  the text it was shaped from; shaped text whose first glyph is raised (a
  Hebrew point alone) no longer fails;
- one setting: compressed streams without ASCII85 armour (a quarter smaller,
  for email);
- three speed-ups, each measured on large briefs, with and without
  reportlab's optional C accelerator (see benchmarks/README.md): numbers
  formatted once and then looked up (only where reportlab formats them in
  Python), words measured straight from the widths our faces remember, and
  neighbouring fragments compared in one step (faster than reportlab's
  comparison in Python, and than its C accelerator's, which looks each
  attribute up by name); the comparison also keeps apart pieces of
  right-to-left text at different embedding levels (rtl.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from .fonts import Family


@contextmanager
def reportlab_patched(family: Family) -> Iterator[None]:
    """reportlab as this renderer needs it, inside the block only."""
    from reportlab import rl_config
    from reportlab.lib import colors, rl_accel
    from reportlab.pdfbase import pdfdoc, pdfmetrics, ttfonts
    from reportlab.pdfgen import canvas, textobject
    from reportlab.platypus import flowables, paragraph, tables

    with ExitStack() as patches:
        patches.enter_context(_replaced(ttfonts, "makeToUnicodeCMap", _text_cmap(family, ttfonts.makeToUnicodeCMap)))
        patches.enter_context(_replaced(textobject.PDFTextObject, "setRise", _rise_first(textobject.PDFTextObject.setRise)))
        patches.enter_context(_replaced(rl_config, "useA85", 0))
        if "fp_str" in rl_accel._py_funcs:  # reportlab formats numbers in Python
            remembered = _remembering(textobject.fp_str)
            for module in (textobject, canvas, pdfdoc, flowables, tables, colors):
                patches.enter_context(_replaced(module, "fp_str", remembered))
        patches.enter_context(_replaced(paragraph, "stringWidth", _measured_by(family, pdfmetrics.stringWidth)))
        patches.enter_context(_replaced(paragraph, "sameFrag", _same_fragment))
        yield


@contextmanager
def _replaced(owner: Any, name: str, value: Any) -> Iterator[None]:
    saved = getattr(owner, name)
    setattr(owner, name, value)
    try:
        yield
    finally:
        setattr(owner, name, saved)


def _text_cmap(family: Family, original: Callable[..., str]) -> Callable[..., str]:
    """reportlab maps glyphs back to text with four hex digits, so U+1F600
    comes out as <1F600>, which readers take for U+1F60 or reject; the
    standard wants UTF-16BE: <D83DDE00>. A glyph HarfBuzz chose that the
    font maps no character to (an N'Ko letter joined) has a private-use
    code, for which the text it stands for is known (`MeasuredFont.shaped_text`).
    Those entries are rewritten."""
    faces = {font.face.name.decode("latin-1"): font for font in family.faces.values()}

    def make_cmap(fontname, subset):
        font = faces.get(fontname.split("+", 1)[-1])
        shaped_text = font.shaped_text if font is not None else {}

        def utf16(match: re.Match) -> str:
            code = int(match[2], 16)
            return f"{match[1]} <{shaped_text.get(code, chr(code)).encode('utf-16-be').hex().upper()}>"
        return re.sub(r"^(<[0-9A-F]+>) <([0-9A-F]{5,6}|E[0-9A-F]{3}|F[0-8][0-9A-F]{2})>$", utf16,
                      original(fontname, subset), flags=re.M)
    return make_cmap


def _rise_first(original: Callable[..., None]) -> Callable[..., None]:
    """reportlab's `setRise` looks at the operator written before it, and
    shaped text whose first glyph is raised has none yet: give it an empty one."""
    def set_rise(self, rise):
        if not self._code:
            self._code.append("")
        return original(self, rise)
    return set_rise


def _remembering(original: Callable[..., str]) -> Callable[..., str]:
    """reportlab writes every coordinate, size and colour through `fp_str`; a
    brief repeats a few thousand distinct values a hundred thousand times, so
    each is formatted once, for the length of the render."""
    formatted: dict[tuple, str] = {}

    def fp_str(*numbers):
        try:
            return formatted[numbers]
        except KeyError:
            text = formatted[numbers] = original(*numbers)
            return text
        except TypeError:  # a list of numbers: not a key
            return original(*numbers)
    return fp_str


def _measured_by(family: Family, original: Callable[..., float]) -> Callable[..., float]:
    """Paragraphs measure every word through `pdfmetrics.stringWidth`, which
    looks the font up by name each time: our faces are measured directly, from
    the widths they remember."""
    faces = family.faces

    def string_width(text, font_name, size, encoding="utf8"):
        face = faces.get(font_name)
        return original(text, font_name, size, encoding) if face is None else face.stringWidth(text, size)
    return string_width


# reportlab's attributes, and the embedding level of a piece of right-to-left text (rtl.py)
_SAME_WHEN_EQUAL = ("fontName", "fontSize", "textColor", "rise", "us_lines", "link", "backColor", "nobr", "bidi_level")


def _same_fragment(f, g) -> bool:
    """reportlab's `sameFrag`: whether two neighbouring fragments draw as one run."""
    f, g = f.__dict__, g.__dict__
    if "cbDefn" in f or "lineBreak" in f or "cbDefn" in g or "lineBreak" in g:
        return False
    return tuple(map(f.get, _SAME_WHEN_EQUAL)) == tuple(map(g.get, _SAME_WHEN_EQUAL))
