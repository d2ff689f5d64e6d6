"""Right-to-left and joined scripts in the PDF: Hebrew, Arabic.

reportlab breaks a paragraph into lines in the order its text is stored, and
draws each line from left to right. A paragraph that holds right-to-left text
takes three more steps:

1. `split_by_level`, before its lines are broken: the Unicode bidirectional
   algorithm gives each character of the paragraph its embedding level (even:
   left to right, odd: right to left), and each fragment is cut where the level
   changes, and where an italic face lacks an Arabic letter (that piece is set
   upright, fonts.py).
2. reportlab breaks the lines as usual, in logical order (an Arabic word is
   measured joined, fonts.py), so the first words are on the first line.
3. `visual_lines`, when the paragraph is drawn: the pieces of each line are
   put in visual order (rule L2 of the algorithm), and each right-to-left piece
   is shaped by HarfBuzz through reportlab (`shapeFragWord`), which joins the
   Arabic letters, reverses the piece and mirrors its brackets.

The lines stay in logical order in between, so that a paragraph that runs over
a page is split where its text is, and each part is drawn in visual order.

reportlab's own right-to-left support needs rlbidi, which is not on PyPI, and
orders only paragraphs of one style; python-bidi returns a reordered string,
not the levels that say where each styled piece goes. fpdf2's bidi module
implements the algorithm (UAX #9, bracket pairs included) and gives the levels.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import reduce
from itertools import groupby
from operator import add
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .fonts import Family

# The blocks of right-to-left scripts (letters, their marks and digits): a text without any needs none of this
RIGHT_TO_LEFT = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefe\U00010800-\U00010fff\U0001e800-\U0001efff]")


def has_right_to_left(text: str) -> bool:
    return RIGHT_TO_LEFT.search(text) is not None


def is_right_to_left(text: str) -> bool:
    """Whether `text` is mostly right-to-left: more letters of right-to-left
    scripts than of left-to-right ones. Such a paragraph reads from the right."""
    kinds = Counter(map(unicodedata.bidirectional, text))
    return kinds["R"] + kinds["AL"] > kinds["L"]


def embedding_levels(text: str, rtl: bool) -> list[int]:
    """The embedding level of each character of the paragraph `text`, whose
    base direction is right-to-left if `rtl`."""
    from fpdf.bidi import BidiParagraph
    from fpdf.enums import TextDirection

    levels = [int(rtl)] * len(text)
    paragraph = BidiParagraph(text, TextDirection.RTL if rtl else TextDirection.LTR, preserve_bn_chars=True)
    for char in paragraph.get_characters():
        levels[char.character_index] = char.embedding_level
    return levels


def _text_of(frag) -> str:
    return "" if hasattr(frag, "cbDefn") else getattr(frag, "text", "")


def split_by_level(frags: list, rtl: bool, family: Family) -> list:
    """reportlab's fragments of a paragraph, cut so that each piece has one
    embedding level (its `bidi_level`), in a face that draws all its letters."""
    texts = [_text_of(frag) for frag in frags]
    levels = embedding_levels("".join(texts), rtl)
    pieces, start = [], 0
    for frag, text in zip(frags, texts):
        if not text:
            pieces.append(frag)
            continue
        end = 0
        for level, run in groupby(levels[start:start + len(text)]):
            begin, end = end, end + len(list(run))
            piece = text[begin:end]
            pieces.append(frag.clone(text=piece, bidi_level=level, fontName=family.face_for(frag.fontName, piece)))
        start += len(text)
    return pieces


def visual_lines(lines, base: int):
    """A copy of a paragraph's broken lines (reportlab's `ParaLines`), each
    line's pieces in visual order and shaped; `base` is the paragraph's level."""
    from reportlab.platypus.paragraph import FragLine, ParaLines

    if lines.kind == 0:  # one fragment, the words of each line plain strings: as fragments, the way kind 1 has them
        broken = [FragLine(extraSpace=extra, wordCount=len(words), lineBreak=False, maxWidth=0, fontSize=lines.fontSize,
                           ascent=lines.ascent, descent=lines.descent, words=[lines.clone(text=" ".join(words))])
                  for extra, words in lines.lines]
    else:
        broken = lines.lines
    return ParaLines(kind=1, lines=[line.clone(words=_visual_words(line.words, base)) for line in broken])


def visual_string(text: str, font_name: str, size: float, family: Family) -> str:
    """One line of text drawn by the canvas (a page's marking), in visual order and shaped."""
    if not has_right_to_left(text):
        return text
    from reportlab.lib.abag import ABag

    rtl = is_right_to_left(text)
    pieces = split_by_level([ABag(fontName=font_name, fontSize=size, text=text)], rtl, family)
    return reduce(add, (piece.text for piece in _visual_words(pieces, int(rtl))), "")  # keeps reportlab's shaped strings


def _visual_words(words: list, base: int) -> list:
    """The fragments of one line, in the order they are drawn from the left."""
    pieces: list[list] = []  # [fragment, text, level]; None for spaces and anchors, resolved below
    for frag in words:
        text = _text_of(frag)
        core = text.strip(" ")  # reportlab joins the words of a line with plain spaces
        if not core:
            pieces.append([frag, text, None])
            continue
        lead, trail = len(text) - len(text.lstrip(" ")), len(text) - len(text.rstrip(" "))
        if lead:
            pieces.append([frag, text[:lead], None])
        pieces.append([frag, core, getattr(frag, "bidi_level", base)])
        if trail:
            pieces.append([frag, text[len(text) - trail:], None])
    _level_spaces(pieces, base)
    return [_drawn(*pieces[index]) for index in _visual_order([piece[2] for piece in pieces])]


def _level_spaces(pieces: list[list], base: int) -> None:
    """A space between two pieces takes the lower of their levels (rules N1
    and N2: right to left only between right-to-left text), and the
    paragraph's at the end of the line (rule L1)."""
    for index, piece in enumerate(pieces):
        if piece[2] is None:
            before = next((p[2] for p in reversed(pieces[:index]) if p[2] is not None), base)
            after = next((p[2] for p in pieces[index + 1:] if p[2] is not None), base)
            piece[2] = min(before, after)


def _visual_order(levels: list[int]) -> list[int]:
    """Rule L2: from the highest level down to the lowest odd one, reverse
    every run of pieces at that level or higher. The indices, left to right."""
    order = list(range(len(levels)))
    odd = [level for level in levels if level % 2]
    for level in range(max(levels, default=0), min(odd, default=1 << 30) - 1, -1):
        index = 0
        while index < len(order):
            if levels[order[index]] < level:
                index += 1
                continue
            end = index
            while end < len(order) and levels[order[end]] >= level:
                end += 1
            order[index:end] = order[index:end][::-1]
            index = end
    return order


def _drawn(frag, text: str, level: int):
    """The fragment that draws `text`, shaped right to left at an odd level."""
    if hasattr(frag, "cbDefn"):
        return frag
    if level % 2 and text.strip(" "):
        text = _shaped_right_to_left(frag, text)
    return frag.clone(text=text)


# The pairs of Unicode's mirrored characters that text of a brief holds (BidiMirroring.txt)
_MIRRORED = str.maketrans("()<>[]{}«»‹›", ")(><][}{»«›‹")


_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u0870-\u08ff\ufb50-\ufdff\ufe70-\ufefe]")


def _shaped_right_to_left(frag, text: str) -> str:
    """`text` as HarfBuzz shapes it right to left: glyphs in visual order
    (reportlab's `ShapedStr`), letters joined, brackets mirrored. HarfBuzz
    shapes one script at a time, so Arabic and Hebrew are shaped apart, the
    later on the left."""
    return reduce(add, (_shaped_run(frag, run) for run in reversed(_script_runs(text))), "")


def _script_runs(text: str) -> list[str]:
    """`text` cut where its letters pass from Arabic to another script, or
    back; spaces, digits and punctuation stay with the letters before them."""
    runs: list[str] = []
    arabic = None  # whether the letters of the last run are Arabic
    for char in text:
        if unicodedata.bidirectional(char) in ("R", "AL", "NSM"):  # a letter or its mark
            is_arabic = _ARABIC.match(char) is not None
            if arabic is not None and is_arabic != arabic:
                runs.append("")
            arabic = is_arabic
        if not runs:
            runs.append("")
        runs[-1] += char
    return runs


def _shaped_run(frag, text: str) -> str:
    """One script's run: HarfBuzz takes the direction from the script, so a
    run without a right-to-left letter (a closing bracket alone) is reversed
    and mirrored here."""
    from reportlab.pdfbase.pdfmetrics import getFont
    from reportlab.pdfbase.ttfonts import shapeFragWord

    if not any(unicodedata.bidirectional(char) in ("R", "AL") for char in text):
        return text[::-1].translate(_MIRRORED)
    shaped = shapeFragWord([0, (frag, text)])[1][1]
    _remember_private_glyphs(getFont(frag.fontName), text, shaped)
    return shaped


def _remember_private_glyphs(font, text: str, shaped) -> None:
    """reportlab draws a glyph the font maps no character to by a private-use
    code; the text of its cluster is kept on the font, for the PDF's map from
    glyphs back to text (patches.py)."""
    data = getattr(shaped, "__shapeData__", None)
    if data is None or not hasattr(font, "shaped_text"):
        return
    starts = sorted({glyph.cluster for glyph in data}) + [len(text)]
    for char, glyph in zip(shaped, data):
        if "\ue000" <= char <= "\uf8ff" and ord(char) not in font.shaped_text:
            end = starts[starts.index(glyph.cluster) + 1]
            font.shaped_text[ord(char)] = text[glyph.cluster:end]
