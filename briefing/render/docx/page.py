"""The page a DOCX brief is laid out on: the page setup of the reference document, checked.

A reference document comes from someone else and may say anything of its page: no size, no
margins, a size that is not a length, margins wider than the page. A length it leaves out is
A4's, with margins of 2.5 cm; one that is not a length, a negative side margin, and a page that
leaves less than 5 cm for the text are refused, naming the file.
"""

from __future__ import annotations

import re
from pathlib import Path

from docx.oxml.ns import qn

from ...errors import BriefingError

TWIPS_PER_CM = 1440 / 2.54
MIN_TEXT = round(5 * TWIPS_PER_CM)  # twips: the narrowest text a brief's tables and title block fit in
MAX_PAGE = 22 * 1440  # twips: Word's largest page, 22 inches
A4_WIDTH, A4_HEIGHT, MARGIN, DISTANCE = 11906, 16838, round(2.5 * TWIPS_PER_CM), 708

# (element, attribute, what it is, its length when the reference leaves it out, may be negative)
LENGTHS = (("pgSz", "w", "the page width", A4_WIDTH, False), ("pgSz", "h", "the page height", A4_HEIGHT, False),
           ("pgMar", "left", "the left margin", MARGIN, False), ("pgMar", "right", "the right margin", MARGIN, False),
           ("pgMar", "top", "the top margin", MARGIN, True), ("pgMar", "bottom", "the bottom margin", MARGIN, True),
           ("pgMar", "header", "the header's distance", DISTANCE, False),
           ("pgMar", "footer", "the footer's distance", DISTANCE, False), ("pgMar", "gutter", "the gutter", 0, False))
# A length as WordprocessingML writes it: twips, or a number and a unit (ST_UniversalMeasure).
_LENGTH = re.compile(r"^(-?\d{1,12}(?:\.\d{1,6})?)(mm|cm|in|pt|pc|pi)?$")
_TWIPS_PER = {None: 1, "mm": TWIPS_PER_CM / 10, "cm": TWIPS_PER_CM, "in": 1440, "pt": 20, "pc": 240, "pi": 240}


def settle_page_setup(word, reference: Path) -> tuple[int, int]:
    """Give the opened reference document (python-docx) a whole page setup, each length in twips,
    and return the width and height of its text in twips."""
    section = word.element.body.get_or_add_sectPr()
    lengths: dict[tuple[str, str], int] = {}
    for tag, name, what, default, signed in LENGTHS:
        element = section.find(qn(f"w:{tag}"))
        if element is None:
            element = section.makeelement(qn(f"w:{tag}"), {})
            _insert(section, element, tag)
        raw = element.get(qn(f"w:{name}"))
        length = default if raw is None else _twips(raw, what, reference)
        if length < 0 and not signed:
            raise _refused(f": {what} is {_cm(length)} cm; a {'margin' if 'margin' in what else 'length'} is 0 or more",
                           reference)
        if abs(length) > MAX_PAGE:
            raise _refused(f": {what} is {_cm(length)} cm; a page of Word is at most {_cm(MAX_PAGE)} cm", reference)
        element.set(qn(f"w:{name}"), str(length))
        lengths[tag, name] = length
    width = lengths["pgSz", "w"] - lengths["pgMar", "left"] - lengths["pgMar", "right"] - lengths["pgMar", "gutter"]
    height = lengths["pgSz", "h"] - abs(lengths["pgMar", "top"]) - abs(lengths["pgMar", "bottom"])
    for size, what in ((width, "width"), (height, "height")):
        if size < MIN_TEXT:
            raise _refused(f" leaves a text {what} of {_cm(size)} cm; a brief needs at least {_cm(MIN_TEXT)} cm", reference)
    return width, height


def _twips(raw: str, what: str, reference: Path) -> int:
    found = _LENGTH.match(raw.strip())
    if found is None:
        shown = raw if len(raw) <= 20 else raw[:20] + "…"
        raise _refused(f": {what} is '{shown}', not a length", reference)
    return round(float(found[1]) * _TWIPS_PER[found[2]])


def _insert(section, element, tag: str) -> None:
    """`w:pgSz` and `w:pgMar` in the schema's order: after the header and footer references and the
    footnote and endnote settings, the size before the margins."""
    before = {"pgSz": ("pgMar", "paperSrc", "pgBorders", "lnNumType", "pgNumType", "cols", "formProt", "vAlign",
                       "noEndnote", "titlePg", "textDirection", "bidi", "rtlGutter", "docGrid", "printerSettings",
                       "sectPrChange"),
              "pgMar": ("paperSrc", "pgBorders", "lnNumType", "pgNumType", "cols", "formProt", "vAlign", "noEndnote",
                        "titlePg", "textDirection", "bidi", "rtlGutter", "docGrid", "printerSettings", "sectPrChange")}
    following = next((child for child in section if child.tag in {qn(f"w:{name}") for name in before[tag]}), None)
    if following is None:
        section.append(element)
    else:
        following.addprevious(element)


def _cm(twips: int) -> str:
    return f"{twips / TWIPS_PER_CM:.2f}".rstrip("0").rstrip(".")


def _refused(problem: str, reference: Path) -> BriefingError:
    return BriefingError(f"the page setup of the reference document{problem}; set the page in Word or LibreOffice "
                         "(Layout › Page Setup) and save it again", file=reference)
