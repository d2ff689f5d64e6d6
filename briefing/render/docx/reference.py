"""Make the reference document whose styles every DOCX brief uses.

`templates/reference.docx` is made by this script and shipped; a user restyles
it in Word (fonts, sizes, spacing) and every brief follows. Run again with
`python -m briefing.render.docx.reference templates/reference.docx`.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

BLACK = RGBColor(0, 0, 0)
BODY_FONT = "DejaVu Sans"  # the PDF's face too: one text family across both formats
_FONT_SLOTS = ("ascii", "hAnsi", "cs", "eastAsia")


def _set_family(rpr, name: str = BODY_FONT) -> None:
    """Name `name` for every script in a run-properties element, and drop the
    theme's fonts (Calibri, Cambria), which Word would otherwise prefer."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    for attribute in list(fonts.attrib):
        if attribute.endswith("Theme") or attribute.endswith("theme"):
            del fonts.attrib[attribute]
    for slot in _FONT_SLOTS:
        fonts.set(qn(f"w:{slot}"), name)


def _one_family(document) -> None:
    """Every style, the document defaults and the theme name one family."""
    root = document.styles.element
    for rpr in root.iter(qn("w:rPr")):
        if rpr.find(qn("w:rFonts")) is not None or rpr.getparent().tag == qn("w:rPrDefault"):
            _set_family(rpr)
    for part in document.part.package.iter_parts():
        if part.partname.endswith("theme1.xml"):
            part._blob = re.sub(rb'(<a:(?:latin|ea|cs) typeface=")[^"]*(")', rb"\g<1>" + BODY_FONT.encode() + rb"\g<2>",
                                part.blob)


def _font(style, size=None, bold=None, italic=None, name=BODY_FONT):
    style.font.name = name
    style.font.color.rgb = BLACK
    properties = style.element.rPr
    for spaced in properties.findall(qn("w:spacing")) if properties is not None else ():
        properties.remove(spaced)  # letter-spacing (Word's Subtitle has some): the PDF sets none
    if size:
        style.font.size = Pt(size)
    if bold is not None:
        style.font.bold = bold
    if italic is not None:
        style.font.italic = italic


def _spacing(style, before=0, after=6, line=1.15, keep_next=False, left=None, hanging=None):
    pf = style.paragraph_format
    pf.space_before, pf.space_after, pf.line_spacing = Pt(before), Pt(after), line
    pf.keep_with_next = keep_next
    if left is not None:
        pf.left_indent = Cm(left)
    if hanging is not None:
        pf.first_line_indent = Cm(-hanging)


def _add(styles, name, kind=WD_STYLE_TYPE.PARAGRAPH, base="Normal"):
    style = styles[name] if name in [s.name for s in styles] else styles.add_style(name, kind)
    if kind == WD_STYLE_TYPE.PARAGRAPH and base:
        style.base_style = styles[base]
    return style


def _light_rules(table_style) -> None:
    """Tables ruled like a printed brief: a rule above and below, hairlines
    between rows, no vertical lines."""
    borders = table_style.element.find(qn("w:tblPr")).find(qn("w:tblBorders"))
    rules = {"top": ("single", "8"), "bottom": ("single", "8"), "insideH": ("single", "2"),
             "left": ("nil", "0"), "right": ("nil", "0"), "insideV": ("nil", "0")}
    for side, (kind, size) in rules.items():
        border = borders.find(qn(f"w:{side}"))
        border.set(qn("w:val"), kind)
        border.set(qn("w:sz"), size)
    margins = table_style.element.find(qn("w:tblPr")).find(qn("w:tblCellMar"))
    for side in ("top", "bottom"):
        margins.find(qn(f"w:{side}")).set(qn("w:w"), "40")


def make_reference(path: Path) -> None:
    document = Document()
    styles = document.styles
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.3))
    section.header_distance = section.footer_distance = Cm(1.1)

    _font(styles["Normal"], 10)
    _spacing(styles["Normal"], after=6, line=1.25)
    _font(styles["Title"], 17, bold=True)
    title_properties = styles["Title"].element.pPr
    for border in title_properties.findall(qn("w:pBdr")) if title_properties is not None else []:
        title_properties.remove(border)  # the default template underlines titles in colour
    _spacing(styles["Title"], after=4, line=1.0)
    _font(styles["Subtitle"], 11, italic=True)
    _spacing(styles["Subtitle"], after=8)
    for level, size in ((1, 13), (2, 11.5), (3, 10.5)):
        heading = styles[f"Heading {level}"]
        _font(heading, size, bold=True, italic=False)
        _spacing(heading, before=12 if level < 3 else 8, after=3, line=1.1, keep_next=True)
    for name in ("List Bullet", "List Number"):
        _font(styles[name], 10)
        _spacing(styles[name], after=4, line=1.25)
    _font(styles["Header"], 8, bold=True)
    _font(styles["Footer"], 8)
    for name in ("Header", "Footer"):
        styles[name].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER

    organisation = _add(styles, "Brief Organisation")
    _font(organisation, 9)
    _spacing(organisation, after=0)
    doc_type = _add(styles, "Brief Type")
    _font(doc_type, 9, bold=True)
    _spacing(doc_type, after=8)
    fields = _add(styles, "Brief Field")
    _font(fields, 9)
    _spacing(fields, after=0, line=1.0)
    numbered = _add(styles, "Numbered Paragraph")  # numbered by Word (numbering.xml), when the brief is
    _spacing(numbered, after=6, line=1.25, left=1.0, hanging=1.0)
    numbered.paragraph_format.tab_stops.add_tab_stop(Cm(1.0))
    footnote = _add(styles, "Footnote Text")
    _font(footnote, 8.5)
    _spacing(footnote, after=2, line=1.05)
    cell = _add(styles, "Table Text")
    _font(cell, 9)
    _spacing(cell, after=0, line=1.1)
    contents = _add(styles, "toc 1")  # Word's own name: its TOC field fills this style
    _font(contents, 10)
    _spacing(contents, after=2, line=1.15, left=1.0, hanging=1.0)
    contents.paragraph_format.tab_stops.add_tab_stop(Cm(1.0))
    reference = _add(styles, "Footnote Reference", WD_STYLE_TYPE.CHARACTER)
    reference.font.superscript = True
    link = _add(styles, "Hyperlink", WD_STYLE_TYPE.CHARACTER)
    link.font.underline = True
    _light_rules(styles["Table Grid"])
    _one_family(document)
    document.core_properties.author = ""
    document.core_properties.title = "briefing reference styles"
    document.save(str(path))


if __name__ == "__main__":
    make_reference(Path(sys.argv[1] if len(sys.argv) > 1 else "templates/reference.docx"))
