"""The reference document whose styles every DOCX brief uses: what a brief
takes from one (`style_parts`), and how the shipped one is made.

`templates/reference.docx` is made by this script and shipped; a user restyles
it in Word (fonts, sizes, spacing) and every brief follows. Run again with
`python -m briefing.render.docx.reference templates/reference.docx`.

A dossier may bring its own, and a dossier is someone else's input: a Word
file can carry macros, embedded files, custom XML, an attached template or
links to files on other machines, which Word fetches when the file opens. A
brief takes only what a style reference is for, and nothing that points
outside the file.
"""

from __future__ import annotations

import functools
import io
import posixpath
import re
import sys
import zipfile
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from lxml import etree

from ...errors import BriefingError
from ...load.paths import MAX_FILE_BYTES
from ...load.unpacking import TooLarge, read_part

# What a brief takes from a reference document, besides the page setup of its main document:
# each part by the type of its relationship from the main document, and the content type it is written as.
STYLE_PARTS = {RT.STYLES: CT.WML_STYLES, RT.NUMBERING: CT.WML_NUMBERING, RT.THEME: CT.OFC_THEME,
               RT.FONT_TABLE: CT.WML_FONT_TABLE, RT.SETTINGS: CT.WML_SETTINGS}
# What a brief keeps of a reference document's settings and numbering definitions: the elements known
# to be layout, by their WordprocessingML names, and nothing else (anything Word may learn to act on
# later included). Left out on purpose, among others: an attached template (and the restyling from it
# on opening), a mail merge's data source and query, a schema, a transform to save through, a password
# to edit, tracked changes and how they show, document variables, shape defaults (VML that may name an
# image elsewhere), and different even-page headers (the brief's marking is in its one header).
KEPT_SETTINGS = frozenset({
    "zoom", "defaultTabStop", "autoHyphenation", "consecutiveHyphenLimit", "hyphenationZone", "doNotHyphenateCaps",
    "characterSpacingControl", "noPunctuationKerning", "strictFirstAndLastChars", "noLineBreaksAfter",
    "noLineBreaksBefore", "mirrorMargins", "gutterAtTop", "alignBordersAndEdges", "bordersDoNotSurroundHeader",
    "bordersDoNotSurroundFooter", "drawingGridHorizontalSpacing", "drawingGridVerticalSpacing",
    "displayHorizontalDrawingGridEvery", "displayVerticalDrawingGridEvery", "doNotUseMarginsForDrawingGridOrigin",
    "drawingGridHorizontalOrigin", "drawingGridVerticalOrigin", "defaultTableStyle", "footnotePr", "endnotePr",
    "compat", "themeFontLang", "clrSchemeMapping", "decimalSymbol", "listSeparator"})
# The list definitions and the lists; a picture bullet (`numPicBullet`, a VML image) goes, and with
# it the levels' references to one.
KEPT_NUMBERING = frozenset({"abstractNum", "num"})
DROPPED_NUMBERING = frozenset({"lvlPicBulletId"})
# Attribute values that look like addresses and are names: the owner of Word's compatibility
# settings (`w:compatSetting w:uri`), never fetched.
NAMES_NOT_LINKS = frozenset({"http://schemas.microsoft.com/office/word"})
# An attribute value that names a place: a scheme (http:, file:, mailto:, a drive C:), a host (//host),
# a file share (\\server).
_LINK = re.compile(r"^\s*(?:[A-Za-z][A-Za-z0-9+.-]*:\S|//|\\\\)")
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"  # r:id, r:embed, r:link…
_CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
_WORD = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def style_parts(reference: Path) -> bytes:
    """A new Word package holding only what a brief takes from `reference`: the
    page setup of its main document, and its styles, numbering definitions,
    theme, fonts table and settings. Every other part goes (macros, custom XML,
    embedded files and fonts, headers and footers, which the brief writes
    itself, comments, properties), every relationship but the main document's
    to those parts, every element that referred to one that went (an
    attached template, a linked or embedded image, a hyperlink) or that names
    a place in an attribute (a picture bullet's image, a path on a file
    share), and of the settings and numbering all but their known layout."""
    return _style_parts(reference.read_bytes(), reference)


@functools.lru_cache(maxsize=8)  # every brief of a build, and of a `watch`, takes the same reference: made once
def _style_parts(data: bytes, reference: Path) -> bytes:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            main = next((target for kind, target in _relationships(package, "", reference)
                         if kind == RT.OFFICE_DOCUMENT and target), None)
            if main is None:
                raise KeyError("no main document")
            kept: dict[str, str] = {}  # relationship type → part name
            for kind, target in _relationships(package, main, reference):
                if kind in STYLE_PARTS and target is not None:
                    kept.setdefault(kind, target)
            parts = {main: _page_setup(_read(package, main, reference))}
            parts |= {name: _unlinked(_read(package, name, reference), kind) for kind, name in kept.items()}
    except (zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError) as error:
        raise BriefingError("the reference document is not a Word document (.docx): save it from Word or LibreOffice "
                            f"as .docx ({type(error).__name__})", file=reference) from None
    types = etree.Element(f"{{{_CONTENT_TYPES}}}Types", nsmap={None: _CONTENT_TYPES})
    etree.SubElement(types, f"{{{_CONTENT_TYPES}}}Default", Extension="rels",
                     ContentType="application/vnd.openxmlformats-package.relationships+xml")
    etree.SubElement(types, f"{{{_CONTENT_TYPES}}}Default", Extension="xml", ContentType="application/xml")
    for name, content_type in [(main, CT.WML_DOCUMENT_MAIN)] + [(name, STYLE_PARTS[kind]) for kind, name in kept.items()]:
        etree.SubElement(types, f"{{{_CONTENT_TYPES}}}Override", PartName="/" + name, ContentType=content_type)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as package:  # read at once, never stored: not compressed
        package.writestr("[Content_Types].xml", etree.tostring(types, xml_declaration=True, encoding="UTF-8"))
        package.writestr("_rels/.rels", _relationships_xml([(RT.OFFICE_DOCUMENT, main)]))
        package.writestr(_rels_name(main), _relationships_xml(
            [(kind, posixpath.relpath(name, posixpath.dirname(main))) for kind, name in kept.items()]))
        for name, data in parts.items():
            package.writestr(name, data)
    return out.getvalue()


def _read(package: zipfile.ZipFile, name: str, reference: Path) -> bytes:
    """A part of the package, refused past 64 MB unpacked (`load.unpacking`: whatever size the zip declares)."""
    try:
        return read_part(package, name)
    except TooLarge:
        raise BriefingError(f"the part '{name}' of the reference document unpacks to more than "
                            f"{MAX_FILE_BYTES // 1_000_000} MB; save the document again from Word or LibreOffice",
                            file=reference) from None


def _rels_name(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def _relationships(package: zipfile.ZipFile, part: str, reference: Path) -> list[tuple[str, str | None]]:
    """(type, part name) of each relationship of `part` ("" for the package); None for a target outside it."""
    name = _rels_name(part) if part else "_rels/.rels"
    if name not in package.namelist():
        return []
    root = etree.fromstring(_read(package, name, reference), _PARSER)
    found: list[tuple[str, str | None]] = []
    for rel in root.iter(f"{{{_RELS}}}Relationship"):
        target = rel.get("Target", "")
        if rel.get("TargetMode") == "External":
            found.append((rel.get("Type", ""), None))
            continue
        name = posixpath.normpath(target.lstrip("/") if target.startswith("/") else
                                  posixpath.join(posixpath.dirname(part), target))
        found.append((rel.get("Type", ""), None if name.startswith("..") else name))
    return found


def _relationships_xml(relationships: list[tuple[str, str]]) -> bytes:
    root = etree.Element(f"{{{_RELS}}}Relationships", nsmap={None: _RELS})
    for number, (kind, target) in enumerate(relationships, 1):
        etree.SubElement(root, f"{{{_RELS}}}Relationship", Id=f"rId{number}", Type=kind, Target=target)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _page_setup(data: bytes) -> bytes:
    """The main document with nothing but its page setup: the body's last section properties
    (page size, margins, columns), without the header, footer and printer settings they name
    (the brief writes its own header and footer, the marking on every page)."""
    root = etree.fromstring(data, _PARSER)
    body = root.find(qn("w:body"))
    section = body.find(qn("w:sectPr")) if body is not None else None
    for child in list(root):
        root.remove(child)
    body = etree.SubElement(root, qn("w:body"))
    if section is not None:
        body.append(section)
        for first_page in section.findall(qn("w:titlePg")):
            section.remove(first_page)
    return _unlinked(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


def _unlinked(data: bytes, kind: str = "") -> bytes:
    """A part without what points outside it: every element with an `r:` attribute (the package
    holds no relationship of theirs now) or an attribute whose value is an address or a path
    (`_LINK`), every processing instruction and comment; and for the settings and the numbering
    definitions (`kind`), only the elements kept of them (`KEPT_SETTINGS`, `KEPT_NUMBERING`)."""
    root = etree.fromstring(data, _PARSER)
    doomed = [node for node in root.iter() if not isinstance(node.tag, str) or _links(node)] + _not_kept(root, kind)
    outside = root.getprevious() is not None or root.getnext() is not None  # a comment or instruction around it
    if not doomed and not outside and not root.getroottree().docinfo.doctype:  # as it was: nothing to take out
        return data
    for node in doomed:
        parent = node.getparent()
        if parent is not None:
            parent.remove(node)
    for name in _links(root):  # the part itself stays, without them
        del root.attrib[name]
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _links(element) -> list[str]:
    """The attributes of `element` that name a relationship, or a place outside the file."""
    return [name for name, value in element.attrib.items()
            if name.startswith(f"{{{_R}}}") or (_LINK.match(value) and value not in NAMES_NOT_LINKS)]


def _not_kept(root, kind: str) -> list:
    """The elements of the settings or numbering part that a brief does not keep: those not named
    at the top, and inside those it keeps, any of another vocabulary or in `DROPPED_NUMBERING`."""
    kept = {RT.SETTINGS: KEPT_SETTINGS, RT.NUMBERING: KEPT_NUMBERING}.get(kind)
    if kept is None:
        return []
    not_kept = [child for child in root if _word_name(child) not in kept]
    inside = [element for child in root if _word_name(child) in kept for element in child.iterdescendants()]
    return not_kept + [element for element in inside if _word_name(element) in (None, *DROPPED_NUMBERING)]


def _word_name(element) -> str | None:
    """'zoom' for `w:zoom`; None for an element of another vocabulary, a comment or a processing instruction."""
    if not isinstance(element.tag, str):
        return None
    name = etree.QName(element)
    return name.localname if name.namespace == _WORD else None


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
