"""Render a `Document` as DOCX with python-docx, in Word's native terms.

Styles come from a reference document (`templates/reference.docx`), referred
to by name, so a user restyles every brief in Word; nothing else of it is
taken (`reference.style_parts`). Citations are native
footnotes; links are real hyperlinks; the header and footer carry the marking
and a PAGE field; a chronology has the PDF's figure above it, as a picture
(pdf/picture.py). The body is built at the XML level: python-docx looks styles
up by scanning all of them on every call, which dominates large briefs.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Mapping
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml.ns import qn
from docx.shared import Twips
from lxml import etree

from ...document import (
    LONG_PASSAGE,
    Citation,
    Code,
    Document,
    Emphasis,
    Heading,
    Inline,
    LineBreak,
    Link,
    ListBlock,
    Meta,
    NoteContent,
    NoteEntry,
    Paragraph,
    Rule,
    Strong,
    Table,
    Text,
    fold_spaces,
    plain_text,
    quote_marks,
    referred_run,
    referred_to,
    title_block_grid,
    title_block_lines,
)
from ...errors import BriefingError, build_time, source_date_epoch
from ..tables import WHOLE_TABLE, events_description, first_rows, share_widths
from ..typography import bind_units
from .embedded import embed_family
from .fonts import FAMILY, text_width
from .footnotes import Footnotes
from .numbering import Numbering, paragraph_numbering
from .page import settle_page_setup
from .reference import style_parts

if TYPE_CHECKING:
    from collections.abc import Callable

    from .. import Picture

    Pictures = Callable[[], tuple[Picture | None, ...]]  # the chronology figures, drawn elsewhere

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# the blocks of right-to-left scripts: a text without any is one run, as it always was
_RIGHT_TO_LEFT = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefe\U00010800-\U00010fff\U0001e800-\U0001efff]")
# what follows w:bidi in a paragraph's properties (the schema's order)
_AFTER_BIDI = frozenset(qn(f"w:{tag}") for tag in (
    "adjustRightInd", "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc",
    "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange"))
_PRESERVE = "{http://www.w3.org/XML/1998/namespace}space"
SHADE = "D9D9D9"
TABLE_SIZE = 9  # points: the Table Text style of the reference document
CELL_PADDING = 2 * 108 + 40  # twips: Word's cell margins, left and right, and a little room
EMU_PER_POINT = 12700
SHORT_TABLE = 15  # rows: a table this short is kept on one page
NOTE_SIZE = 8.5  # points: the Footnote Text style of the reference document
LINE_SPACING = 1.2  # a line's height, in sizes of its type, about
ROW_PADDING = 2 * 60  # twips: a row's cell margins and rule, about
FOOTNOTE_LIMIT = 500  # characters: a footnote is the short form (source, grade, quote), not the whole entry


def render_docx(document: Document, path: Path, reference: Path, pictures: Pictures | None = None) -> None:
    """Write `document` as a DOCX with the styles of `reference`. `pictures`, where
    given, gives the chronology figures already drawn (`pdf.picture.timeline_pictures`)."""
    data = _docx_bytes(document, reference, pictures)
    path.write_bytes(_stable_zip(data))


def _open_reference(reference: Path):
    """The reference document whose styles a brief takes (only those: `style_parts`); one a dossier
    gives may be anything."""
    from docx.opc.exceptions import PackageNotFoundError

    try:
        return docx.Document(io.BytesIO(style_parts(reference)))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as error:
        raise BriefingError("the reference document is not a Word document (.docx): save it from Word or LibreOffice "
                            f"as .docx ({type(error).__name__})", file=reference) from None
    except Exception as error:  # a zip whose parts are not those of a document (lxml, python-docx)
        if type(error).__module__.split(".")[0] in ("lxml", "docx"):
            raise BriefingError("the reference document is not a Word document (.docx): save it from Word or "
                                "LibreOffice as .docx", file=reference) from None
        raise


def _docx_bytes(document: Document, reference: Path, pictures: Pictures | None = None) -> bytes:
    word = _open_reference(reference)
    width, height = settle_page_setup(word, reference)
    _Writer(word, document, width, height, pictures).write()
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def _xml_text(text: str) -> str:
    return _XML_INVALID.sub("", text)


def _direction_pieces(text: str) -> list[tuple[str, bool]]:
    """`text` cut into (piece, right-to-left) stretches: a right-to-left one
    runs from a Hebrew or Arabic letter to the last such letter (or its mark)
    before a left-to-right letter, or to the end, digits, spaces and
    punctuation included: as one types Arabic in Word."""
    stretches: list[tuple[int, int]] = []
    begin = end = None
    for index, char in enumerate(text):
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL") or (kind == "NSM" and begin is not None):
            begin = index if begin is None else begin
            end = index + 1
        elif kind == "L" and begin is not None and end is not None:
            stretches.append((begin, end))
            begin = None
    if begin is not None:
        stretches.append((begin, len(text)))
    pieces, position = [], 0
    for begin, end in stretches:
        if position < begin:
            pieces.append((text[position:begin], False))
        pieces.append((text[begin:end], True))
        position = end
    if position < len(text):
        pieces.append((text[position:], False))
    return pieces


def _mostly_right_to_left(text: str) -> bool:
    """More letters of right-to-left scripts than of left-to-right ones (the PDF's rule too)."""
    kinds = [unicodedata.bidirectional(char) for char in text]
    return kinds.count("R") + kinds.count("AL") > kinds.count("L")


def _set_bidi(p) -> None:
    """Mark paragraph `p` right-to-left (`w:bidi`): it reads from the right."""
    properties = p.find(_name("w:pPr"))
    if properties is None:
        properties = p.makeelement(_name("w:pPr"), {})
        p.insert(0, properties)
    bidi = properties.makeelement(_name("w:bidi"), {})
    following = next((child for child in properties if child.tag in _AFTER_BIDI), None)
    if following is None:
        properties.append(bidi)
    else:
        following.addprevious(bidi)


def _complex_fonts(word) -> dict[str, tuple[int | None, bool]]:
    """Paragraph style id → (size in half-points, bold), through the styles
    each is based on: what its complex-script text should take."""
    fonts = {}
    for style in word.styles:
        if style.type != WD_STYLE_TYPE.PARAGRAPH:
            continue
        size = bold = None
        base = style
        while base is not None and (size is None or bold is None):
            size = base.font.size if size is None else size
            bold = base.font.bold if bold is None else bold
            base = base.base_style
        fonts[style.style_id] = (round(size.pt * 2) if size is not None else None, bool(bold))
    return fonts


@cache
def _name(prefixed: str) -> str:
    """'w:p' → '{namespace}p'; remembered, since a large brief asks for a few names a million times."""
    return qn(prefixed)


def _sub(parent, tag: str, **attributes):
    return etree.SubElement(parent, _name(tag), {_name(k.replace("_", ":", 1)): str(v) for k, v in attributes.items()})


def _alias_styles(word, names: tuple[tuple[str, str], ...]) -> None:
    """Give the reference document's own styles their name in the brief's
    language too, as Word's aliases ("Numbered Paragraph,Paragraphe numéroté"):
    a desk finds them by either name, and a reference document keeps working."""
    styles = {style.name: style for style in word.styles}
    for name, local in names:
        if name in styles and local != name:
            element = styles[name].element
            for old in element.findall(qn("w:aliases")):
                element.remove(old)
            aliases = element.makeelement(qn("w:aliases"), {qn("w:val"): local.replace(",", " ")})
            element.find(qn("w:name")).addnext(aliases)


class _Writer:
    def __init__(self, word, document: Document, width: int, height: int, pictures: Pictures | None = None):
        self.word = word
        self.document = document
        self.style_ids = {style.name: style.style_id for style in word.styles}
        _alias_styles(word, document.meta.labels.style_names)
        self.body = word.element.body
        self.footnotes = Footnotes(word, self.style("Footnote Text"), self.style("Footnote Reference"))
        self.links: dict[tuple[int, str], str] = {}  # (part, URL) → relationship id
        self.next_rel: dict[int, int] = {}  # part → the number of its next relationship id
        self.numbering = Numbering(word)
        self.numbered = document.meta.numbered
        if self.numbered:
            self.numbering.number_paragraphs(self.style("Heading 1"), self.style("Numbered Paragraph"))
        self.rule = False  # a thematic break is waiting for the next paragraph
        self.toc_anchors: dict[int, str] = {}  # a heading (by id) → the bookmark its TOC entry links to
        self.next_bookmark = 30000
        self.figures = 0  # numbered as the PDF numbers them
        self.timelines = 0  # the chronologies met, drawn or not
        self.printed: dict[str, int] = {}  # a long passage → the footnote that prints it whole
        self.pictures = pictures
        self.width = width  # twips: the text width of the page (`page.settle_page_setup`)
        self.height = height  # twips: the text height of the page
        self.text_width_emu = width * 635  # EMU
        self.right_to_left: dict[int, etree._Element] = {}  # paragraphs holding right-to-left text, by id
        self.complex_fonts = _complex_fonts(word)

    def style(self, name: str) -> str:
        return self.style_ids.get(name, self.style_ids.get("Normal", "Normal"))

    def write(self) -> None:
        section_properties = self.body.find(qn("w:sectPr"))
        for child in list(self.body):
            self.body.remove(child)
        meta = self.document.meta
        self.title_block(meta)
        contents_due = meta.table_of_contents
        for block in self.document.blocks:
            if contents_due and isinstance(block, Heading):  # after the lines above the first heading (the purpose)
                self.table_of_contents()
                contents_due = False
            self.block(block)
        # the evidence is in the footnotes, each the short form: no second copy at the end
        if section_properties is not None:
            self.body.append(section_properties)
        self.header_and_footer(meta)
        self.properties(meta)
        if _uses_family(self.word, FAMILY):  # a dossier's reference document may set another typeface
            embed_family(self.word, FAMILY)
        settings = self.word.settings.element
        for ask in settings.findall(qn("w:updateFields")):  # Word would ask to update fields on opening
            settings.remove(ask)
        for p in self.right_to_left.values():
            if _mostly_right_to_left("".join(t.text or "" for t in p.iter(_name("w:t")))):
                _set_bidi(p)

    # paragraphs and runs -------------------------------------------------------

    def run(self, parent, text: str, bold=False, italic=False, style: str | None = None) -> None:
        """A run of `text`. Its right-to-left stretches (Hebrew, Arabic) are
        runs of their own, marked right-to-left (`w:rtl`) in the complex-script
        font, size and weight, which Word and LibreOffice set right to left."""
        text = _xml_text(bind_units(text))
        if not _RIGHT_TO_LEFT.search(text):
            self._run(parent, text, bold, italic, style)
            return
        p = parent if parent.tag == _name("w:p") else parent.getparent()  # a hyperlink's paragraph
        self.right_to_left[id(p)] = p
        for piece, rtl in _direction_pieces(text):
            self._run(parent, piece, bold, italic, style, self._complex_font(p, bold) if rtl else None)

    def _run(self, parent, text: str, bold, italic, style, complex_font: tuple[int | None, bool] | None = None) -> None:
        r = _sub(parent, "w:r")
        if bold or italic or style or complex_font:
            properties = _sub(r, "w:rPr")  # children in the schema's order
            if style:
                _sub(properties, "w:rStyle", w_val=self.style(style))
            if complex_font:
                _sub(properties, "w:rFonts", w_cs=FAMILY)
            if bold:
                _sub(properties, "w:b")
            if complex_font and complex_font[1]:
                _sub(properties, "w:bCs")
            if italic:
                _sub(properties, "w:i")  # no w:iCs: Arabic and Hebrew stay upright, as in the PDF
            if complex_font and complex_font[0]:
                _sub(properties, "w:szCs", w_val=complex_font[0])
            if complex_font:
                _sub(properties, "w:rtl")
        for index, piece in enumerate(text.split("\t")):  # a tab is Word's own element, not a character
            if index:
                _sub(r, "w:tab")
            if piece or index == 0:
                t = _sub(r, "w:t")
                t.set(_PRESERVE, "preserve")
                t.text = piece

    def _complex_font(self, p, bold: bool) -> tuple[int | None, bool]:
        """The size (half-points) and weight right-to-left text takes in
        paragraph `p`: its style's, which styles give the Latin text only."""
        style = p.find(f"{_name('w:pPr')}/{_name('w:pStyle')}")
        size, style_bold = self.complex_fonts.get(style.get(_name("w:val")) if style is not None else "", (None, False))
        return size, bold or style_bold

    def inlines(self, parent, inlines, bold=False, italic=False) -> None:
        previous = None
        for inline in _sorted_citations(inlines):
            if isinstance(inline, Citation) and isinstance(previous, Citation):
                self.run(parent, ",\u00a0", style="Footnote Reference")  # "3, 4" rather than "34", as the PDF sets them
            previous = inline
            if isinstance(inline, (Text, Code)):
                self.run(parent, inline.text, bold, italic)
            elif isinstance(inline, Strong):
                self.inlines(parent, inline.children, True, italic)
            elif isinstance(inline, Emphasis):
                self.inlines(parent, inline.children, bold, True)
            elif isinstance(inline, Link):
                self.hyperlink(parent, inline)
            elif isinstance(inline, Citation):
                self.citation(parent, inline.number)
            elif isinstance(inline, LineBreak):
                _sub(_sub(parent, "w:r"), "w:br")

    def hyperlink(self, parent, link: Link, part=None) -> None:
        """A link; `part` is the package part holding `parent` (a footnote's is not the body's)."""
        if link.url.startswith("#"):
            element = _sub(parent, "w:hyperlink", w_anchor=link.url[1:])
        else:
            rel = self.relationship(part or self.word.part, link.url)
            element = _sub(parent, "w:hyperlink", r_id=rel)
        self.run(element, plain_text(link.children), style="Hyperlink")

    def relationship(self, part, url: str) -> str:
        """The id of a link from `part` to `url`, made once. python-docx's own
        `relate_to` looks through every relationship of the part, twice, for
        each new one: thousands of sources made that quadratic."""
        key = (id(part), url)
        if key not in self.links:
            rels = part.rels
            number = self.next_rel.get(id(part)) or 1 + max(
                (int(rid[3:]) for rid in rels if rid.startswith("rId") and rid[3:].isdigit()), default=0)
            while f"rId{number}" in rels:
                number += 1
            rels.add_relationship(RELATIONSHIP_TYPE.HYPERLINK, url, f"rId{number}", is_external=True)
            self.next_rel[id(part)] = number + 1
            self.links[key] = f"rId{number}"
        return self.links[key]

    def citation(self, parent, number: int) -> None:
        note = self.footnotes.reference(parent, number)
        if note is None:
            return
        content = self.document.notes[number - 1].content
        if self.document.meta.evidence == "brief":  # a one-page note: who says it, not the quotes
            self.run(note, content.short + ".")
            return
        pieces = footnote_pieces(content, self.document.meta, self.printed)
        written = fold_spaces(plain_text(pieces))
        for entry in content.entries:  # a long passage printed whole here is referred to by later notes
            for passage in entry.passages:
                if len(passage) >= LONG_PASSAGE and fold_spaces(passage) in written:
                    self.printed.setdefault(fold_spaces(passage), number)
        for piece in pieces:
            if isinstance(piece, Citation):  # a footnote printed earlier, by a field Word renumbers
                self.field(note, f"NOTEREF {self.footnotes.first_reference[piece.number]} \\h", str(piece.number))
            elif isinstance(piece, Link):
                self.hyperlink(note, piece, self.footnotes.part)
            elif isinstance(piece, Strong):
                self.run(note, plain_text(piece.children), bold=True)
            elif isinstance(piece, Emphasis):
                self.run(note, plain_text(piece.children), italic=True)
            elif isinstance(piece, Text):
                self.run(note, piece.text)

    # blocks --------------------------------------------------------------------

    def block(self, block, list_depth: int = 0) -> None:
        if isinstance(block, Heading):
            level = min(max(block.level - 1, 1), 3)
            p = self.paragraph(f"Heading {level}")
            if self.numbered and level == 1 and not block.number:
                paragraph_numbering(p, 0)  # a heading the brief leaves unnumbered: out of the list
            anchor = self.toc_anchors.get(id(block))
            if anchor:
                _sub(p, "w:bookmarkStart", w_id=self.next_bookmark, w_name=anchor)
            self.inlines(p, block.children)
            if anchor:
                _sub(p, "w:bookmarkEnd", w_id=self.next_bookmark)
                self.next_bookmark += 1
        elif isinstance(block, Paragraph):
            numbered = bool(block.number) and self.numbered
            p = self.paragraph("Numbered Paragraph" if numbered else "Normal")  # Word numbers it, by its style
            self.inlines(p, block.children)
        elif isinstance(block, ListBlock):
            self.list_block(block, list_depth)
        elif isinstance(block, Table):
            if block.kind == "timeline":
                self.timeline_figure(block)
            self.table(block)
        elif isinstance(block, Rule):
            self.rule = True

    def timeline_figure(self, block: Table) -> None:
        """The figure the PDF draws above a chronology, above its table: the
        caption in Word's Caption style, numbered by a SEQ field as Word numbers
        figures, then the PDF's drawing as a picture the text's width wide, the
        events in words for a reader who cannot see it; both kept with the table."""

        width = self.text_width_emu
        index, self.timelines = self.timelines, self.timelines + 1
        drawn = self.pictures() if self.pictures is not None else ()
        if index < len(drawn):
            picture = drawn[index]
        else:
            from ..pdf.picture import timeline_picture  # reportlab, only for a figure drawn here

            picture = timeline_picture(self.document, block)  # the PDF's width, as the worker draws it
        if picture is None:
            return
        self.figures += 1
        caption = self.paragraph("Caption")
        _keep_with_next(caption)
        before, numbered, after = (self.document.meta.labels.timeline_figure % {"number": "\0"}).partition("\0")
        if before:
            self.run(caption, before)
        if numbered:
            self.field(caption, "SEQ Figure \\* ARABIC", str(self.figures))
        if after:
            self.run(caption, after)
        p = self.paragraph("Normal")
        _keep_with_next(p, picture=True)
        height = round(picture.height * width / picture.width)  # shown the text's width, however wide it was drawn
        inline = self.word.part.new_pic_inline(io.BytesIO(picture.png), width, height)
        inline.docPr.set("descr", _xml_text(events_description(block, self.document.meta.labels.colon)))
        _sub(_sub(p, "w:r"), "w:drawing").append(inline)

    def paragraph(self, style: str, parent=None):
        p = _sub(self.body if parent is None else parent, "w:p")
        properties = _sub(p, "w:pPr")
        _sub(properties, "w:pStyle", w_val=self.style(style))
        if parent is None:
            if self.rule:  # a thematic break: a rule above the paragraph after it, not an empty paragraph
                _sub(_sub(properties, "w:pBdr"), "w:top", w_val="single", w_sz="4", w_space="6", w_color="auto")
                self.rule = False
            previous = p.getprevious()
            if previous is not None and previous.tag == _name("w:tbl") and not style.startswith("Heading"):
                _sub(properties, "w:spacing", w_before="160")  # room after a table, which has no spacing of its own
        return p

    def list_block(self, block: ListBlock, depth: int) -> None:
        bullet = "List Bullet" if depth == 0 else f"List Bullet {min(depth + 1, 3)}"
        num_id = self.numbering.ordered_list(block.start) if block.ordered else None
        for item in block.items:
            for position, child in enumerate(item):
                if isinstance(child, Paragraph) and position == 0:
                    if num_id is not None:
                        p = self.paragraph("List Number")
                        paragraph_numbering(p, num_id, min(depth, 8))
                    else:
                        p = self.paragraph(bullet)
                    self.inlines(p, child.children)
                else:
                    self.block(child, depth + 1)

    def table(self, block: Table, widths: list[int] | None = None, style: str = "Table Grid") -> None:
        """A table with fixed column widths set from its content, so that no word
        breaks inside a column; its header row repeats on every page."""
        if self.body[-1].tag == _name("w:tbl") if len(self.body) else False:
            self.paragraph("Normal")  # two tables in a row would merge into one
        columns = max([len(block.header)] + [len(row) for row in block.rows])
        widths = widths or column_widths(block, columns, self.width)
        tbl = _sub(self.body, "w:tbl")
        properties = _sub(tbl, "w:tblPr")
        _sub(properties, "w:tblStyle", w_val=self.style(style))
        _sub(properties, "w:tblW", w_w=sum(widths), w_type="dxa")
        _sub(properties, "w:tblLayout", w_type="fixed")
        grid = _sub(tbl, "w:tblGrid")
        for width in widths:
            _sub(grid, "w:gridCol", w_w=width)
        rows = ([(block.header, True)] if block.header else []) + [(row, False) for row in block.rows]
        notes_before = len(self.footnotes.root)
        row_paragraphs = []
        for cells, is_header in rows:
            tr = _sub(tbl, "w:tr")
            row_properties = _sub(tr, "w:trPr")
            _sub(row_properties, "w:cantSplit")
            if is_header:
                _sub(row_properties, "w:tblHeader")
            paragraphs = []
            for index in range(columns):
                tc = _sub(tr, "w:tc")
                cell_properties = _sub(tc, "w:tcPr")
                _sub(cell_properties, "w:tcW", w_w=widths[index], w_type="dxa")
                if is_header:
                    _sub(cell_properties, "w:shd", w_val="clear", w_color="auto", w_fill=SHADE)
                p = self.paragraph("Table Text", tc)
                self.inlines(p, cells[index] if index < len(cells) else (), bold=is_header)
                paragraphs.append(p)
            row_paragraphs.append(paragraphs)
        # a short table stays on one page unless moving it whole, with the footnotes its cells call,
        # could leave a third of a page blank: Word, unlike the PDF, cannot know where the page ends,
        # and the footnotes of the accords' cells make that table most of a page; a header always
        # stays with the first rows (`first_rows`); a chronology goes on after its figure
        notes = list(self.footnotes.root)[notes_before:]
        kept = block.kind != "timeline" and len(rows) <= SHORT_TABLE and (  # measured only where it may decide
            _table_height(tbl, widths) + _notes_height(notes, self.width) <= self.height / 3)
        header_rows = sum(is_header for _cells, is_header in rows)
        start = header_rows + first_rows(len(rows) - header_rows)  # the rows kept together at the top
        # a table that breaks leaves no row alone overleaf: its last two rows stay together; but
        # one of `WHOLE_TABLE` rows (an accord a row, each with its notes) breaks where the page ends
        last_two = len(block.rows) > WHOLE_TABLE
        for row_index, paragraphs in enumerate(row_paragraphs[:-1]):
            if kept or row_index < start - 1 or last_two and row_index == len(rows) - 2:
                for p in paragraphs:
                    _keep_with_next(p)

    def title_block(self, meta: Meta) -> None:
        organisation = meta.organisation.upper() if meta.organisation != "unknown" else ""
        if meta.title_block == "compact":  # one line: "SAHEL DESK · BRIEFING NOTE", as in the PDF
            line = self.paragraph("Brief Type")
            if organisation:
                self.run(line, organisation + " · ")
            self.run(line, meta.doc_type.upper())
        else:
            if organisation:
                self.run(self.paragraph("Brief Organisation"), organisation)
            self.run(self.paragraph("Brief Type"), meta.doc_type.upper())
        self.run(self.paragraph("Title"), meta.title)
        if meta.subject != "unknown":
            self.run(self.paragraph("Subtitle"), meta.subject)
        if meta.title_block == "compact":  # a line of pairs, one cell: "Date 24 June 2025 · Reference …"
            lines: list[list[Inline]] = [[] for _ in title_block_lines(meta)]
            for pieces, line in zip(lines, title_block_lines(meta)):
                for index, (name, text) in enumerate(line):
                    pieces += [Text(" · ")] if index else []
                    pieces += [Strong((Text(name),)), Text(" " + text)]
            if lines:
                self.table(Table((), tuple((tuple(pieces),) for pieces in lines)), widths=[self.width])
            return
        grid = title_block_grid(meta)  # the fields read down the columns, as in the PDF
        if not grid:
            return
        empty: tuple[Inline, ...] = ()
        rows = tuple(tuple(cell for pair in row for cell in (((Strong((Text(pair[0]),)),), (Text(pair[1]),)) if pair
                                                            else (empty, empty)))
                     for row in grid)
        labels = max(_twips(text_width(pair[0], TABLE_SIZE, True)) for row in grid for pair in row if pair) + CELL_PADDING
        value = (self.width - 2 * labels) // 2
        self.table(Table((), rows), widths=[labels, value, labels, self.width - 2 * labels - value])

    def table_of_contents(self) -> None:
        """A TOC field whose result is already the list of sections, linked to
        them, so nothing is left to update (and Word asks nothing) on opening;
        the entries have no page numbers (`\\n`), which an update keeps so."""
        headings = [b for b in self.document.blocks if isinstance(b, Heading) and min(max(b.level - 1, 1), 3) == 1]
        if not headings:
            return
        title = self.paragraph("TOC Heading")
        if self.numbered:
            paragraph_numbering(title, 0)  # its style is based on Heading 1's, which is numbered
        self.run(title, self.document.meta.labels.contents)
        for index, heading in enumerate(headings):
            p = self.paragraph("toc 1")
            if index == 0:
                _sub(_sub(p, "w:r"), "w:fldChar", w_fldCharType="begin")
                code = _sub(_sub(p, "w:r"), "w:instrText")
                code.set(_PRESERVE, "preserve")
                code.text = ' TOC \\o "1-1" \\h \\z \\n \\u '
                _sub(_sub(p, "w:r"), "w:fldChar", w_fldCharType="separate")
            link = _sub(p, "w:hyperlink", w_anchor=f"_Toc{index + 1:04d}", w_history="1")
            label = f"{heading.number}\t" if heading.number and self.numbered else ""
            self.run(link, label + plain_text(heading.children))
            self.toc_anchors[id(heading)] = f"_Toc{index + 1:04d}"
            if index == len(headings) - 1:
                _sub(_sub(p, "w:r"), "w:fldChar", w_fldCharType="end")

    def field(self, p, instruction: str, placeholder: str) -> None:
        _sub(_sub(p, "w:r"), "w:fldChar", w_fldCharType="begin")
        code = _sub(_sub(p, "w:r"), "w:instrText")
        code.set(_PRESERVE, "preserve")
        code.text = f" {instruction} "
        _sub(_sub(p, "w:r"), "w:fldChar", w_fldCharType="separate")
        self.run(p, placeholder)
        _sub(_sub(p, "w:r"), "w:fldChar", w_fldCharType="end")

    # page furniture and properties ----------------------------------------------

    def header_and_footer(self, meta: Meta) -> None:
        """As the PDF has them: the first page's header is the marking; the
        others' the reference, the marking and the date; every footer the
        reference and date at the left, "Page X of Y" at the right, and the
        marking under them."""
        section = self.word.sections[0]
        section.different_first_page_header_footer = True
        reference = meta.reference if meta.reference != "unknown" else ""
        date = meta.date_text if meta.date != "unknown" else ""
        first = section.first_page_header.paragraphs[0]
        first.style = self.word.styles["Header"]
        self.run(first._p, meta.marking, bold=True)
        header = self._tabbed(section.header.paragraphs[0], "Header")
        self.run(header._p, reference + "\t")
        self.run(header._p, meta.marking, bold=True)
        self.run(header._p, "\t" + date)
        for footer in (section.first_page_footer, section.footer):
            self.footer(footer, meta, " · ".join(v for v in (reference, date) if v))

    def _tabbed(self, paragraph, style: str, centre: bool = True):
        """A header or footer line in parts: left, centred (when `centre`), right;
        the style's own tab stops cleared, so only these count."""
        paragraph.style = self.word.styles[style]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
        stops = paragraph.paragraph_format.tab_stops
        for stop in self.word.styles[style].paragraph_format.tab_stops:
            stops.add_tab_stop(stop.position, WD_TAB_ALIGNMENT.CLEAR)
        if centre:
            stops.add_tab_stop(Twips(self.width // 2), WD_TAB_ALIGNMENT.CENTER)
        stops.add_tab_stop(Twips(self.width), WD_TAB_ALIGNMENT.RIGHT)
        return paragraph

    def footer(self, footer, meta: Meta, left: str) -> None:
        p = self._tabbed(footer.paragraphs[0], "Footer", centre=False)._p
        before, _, rest = meta.labels.page_of.partition("%(page)s")
        between, _, after = rest.partition("%(pages)s")
        self.run(p, f"{left}\t{before}")
        self.field(p, "PAGE", "1")
        self.run(p, between)
        self.field(p, "NUMPAGES", "1")
        if after:
            self.run(p, after)
        self.run(footer.add_paragraph(style=self.word.styles["Footer"])._p, meta.marking, bold=True)

    def properties(self, meta: Meta) -> None:
        core = self.word.core_properties
        core.title, core.subject, core.author = _property(meta.title), _property(meta.subject), _property(meta.author)
        core.keywords = _property(", ".join(meta.keywords))
        core.category = _property(meta.doc_type)
        core.comments = _property(f"{meta.marking}. {meta.labels.audience}{meta.labels.colon}{meta.audience}.")
        core.last_modified_by = meta.author if meta.author != "unknown" else ""  # the desk, not the software
        core.revision = 1
        core.created = core.modified = _build_time()
        core.language = meta.language
        self.text_language(meta.language)

    def text_language(self, language: str) -> None:
        """The language Word checks spelling and hyphenates in: the brief's, in the
        default run properties every style inherits."""
        styles = self.word.styles.element
        defaults = styles.find(qn("w:docDefaults"))
        if defaults is None:
            defaults = _sub(styles, "w:docDefaults")
            styles.remove(defaults)
            styles.insert(0, defaults)
        run_defaults = defaults.find(qn("w:rPrDefault"))
        if run_defaults is None:
            run_defaults = _sub(defaults, "w:rPrDefault")
        properties = run_defaults.find(qn("w:rPr"))
        if properties is None:
            properties = _sub(run_defaults, "w:rPr")
        lang = properties.find(qn("w:lang"))
        if lang is None:
            lang = _sub(properties, "w:lang")
        lang.set(qn("w:val"), language)


def _uses_family(word, family: str) -> bool:
    """Whether the document's styles set `family` (the brief's typeface)."""
    return any(fonts.get(qn(f"w:{slot}")) == family for fonts in word.styles.element.iter(qn("w:rFonts"))
               for slot in ("ascii", "hAnsi"))


def _keep_with_next(p, picture: bool = False) -> None:
    """Keep paragraph `p` on the page of the next (`w:keepNext`). A `picture`'s
    paragraph is single-spaced (spaced 1.25, a line would be a quarter taller
    than its picture), with the PDF's 10 points before the table."""
    properties = p.find(_name("w:pPr"))
    properties.find(_name("w:pStyle")).addnext(properties.makeelement(_name("w:keepNext"), {}))
    if picture:
        spacing = properties.find(_name("w:spacing"))
        if spacing is None:
            spacing = _sub(properties, "w:spacing")  # after the style and any border, as the schema orders them
        spacing.set(_name("w:after"), "200")
        spacing.set(_name("w:line"), "240")
        spacing.set(_name("w:lineRule"), "auto")


def _lines(text: str, size: float, width: int) -> int:
    """The lines `text` takes at `size` points in `width` twips, about (words are not weighed one by one)."""
    return max(1, -(-_twips(text_width(text, size)) // max(width, 1)))


def _paragraph_text(p) -> str:
    return "".join(t.text or "" for t in p.iter(_name("w:t")))


def _table_height(tbl, widths: list[int]) -> int:
    """The height of a written table in twips, about: each row as tall as its fullest cell."""
    line = _twips(TABLE_SIZE * LINE_SPACING)
    height = 0
    for tr in tbl.iterchildren(_name("w:tr")):
        cells = list(tr.iterchildren(_name("w:tc")))
        height += ROW_PADDING + line * max(
            sum(_lines(_paragraph_text(p), TABLE_SIZE, width - CELL_PADDING) for p in tc.iterchildren(_name("w:p")))
            for tc, width in zip(cells, widths))
    return height


def _notes_height(notes, width: int) -> int:
    """The height in twips, about, of the footnotes `notes` at the foot of a page `width` twips wide."""
    line = _twips(NOTE_SIZE * LINE_SPACING)
    return sum(line * _lines(_paragraph_text(p), NOTE_SIZE, width) for note in notes for p in note.iter(_name("w:p")))


def _property(text: str) -> str:
    """Word's document properties hold at most 255 characters (the body keeps the whole text)."""
    text = _xml_text(text)
    return text if len(text) <= 255 else text[:254] + "…"


def _twips(points: float) -> int:
    return int(points * 20 + 0.999)


def column_widths(block: Table, columns: int, width: int) -> list[int]:
    """Column widths in twips: the text width shared among the columns (see
    `share_widths`), measured in bold, as a header is set, and filling the text
    width exactly."""
    widths = share_widths((block.header, *block.rows), columns, width,
                          lambda piece: _twips(text_width(piece, TABLE_SIZE, True)) + CELL_PADDING)
    result = [int(w) for w in widths]
    result[-1] += width - sum(result)  # the columns fill the text width exactly
    return result


def _grade(entry, content: NoteContent) -> str:
    """A source's reliability grade (A–F), as the note gives it."""
    if entry.grade:
        return entry.grade
    found = re.search(r"\breliability ([A-F])\b", entry.descriptor) or re.search(
        r"(?:^|; )" + re.escape(entry.source) + r"\b[^;]*\(([A-F])\)", content.short)
    return found.group(1) if found else ""


def footnote_pieces(content: NoteContent, meta: Meta, printed: Mapping[str, int] | None = None,
                    limit: int = FOOTNOTE_LIMIT) -> list[Inline]:
    """A footnote in its short form, as inlines: each source once, by name (a
    link to its URL), with its grade and its quotes, then the credibility. The
    source's full descriptor is in the brief's list of sources, once. The quotes
    are those that carry the claim: those that give its numbers, dates, names
    and quoted words (`NoteEntry.carries`), and the one that gives most of its
    other words (in the quote or its translation), and, for a source they show
    by a fragment or not at all, its passage that adds most of the claim,
    always, each with its translation
    where the fact has one (a reader who does not read the quote's language
    needs it), even past `limit`; then, while the note fits in `limit`
    characters, each that gives more of them, then the others in order. No
    quote is cut. A
    long passage an earlier footnote prints whole (`printed`: passage → its
    number) is referred to ("(see note 4)"), as the PDF's evidence does."""
    printed = printed or {}
    support = content.brief_support or content.support
    groups: dict[str, tuple[NoteEntry, list[tuple[str, str | None]]]] = {}
    carrying: list[tuple[str, tuple[str, str | None]]] = []  # the passages that give the claim's terms and quoted words
    for entry in content.entries:
        group = groups.setdefault(entry.source, (entry, []))
        passages = entry.passages or (entry.quote,)
        for index, passage in enumerate(passages):
            quote = (fold_spaces(passage), entry.translations[index] if index < len(entry.translations) else None)
            if quote not in group[1]:
                group[1].append(quote)
            if index < len(entry.carries) and entry.carries[index] and (entry.source, quote) not in carrying:
                carrying.append((entry.source, quote))
    grades = {name: _grade(entry, content) for name, (entry, _) in groups.items()}
    chosen: dict[str, list[tuple[str, str | None]]] = {name: [] for name in groups}

    def pieces() -> list[Inline]:
        out: list[Inline] = []
        for name, (entry, _) in groups.items():
            grade = f" ({grades[name]})" if grades[name] else ""
            out.append(Link(entry.url, (Text(name),)) if entry.url else Strong((Text(name),)))
            out.append(Text(grade + meta.labels.colon))
            earlier = [printed.get(quote) if len(quote) >= LONG_PASSAGE else None for quote, _ in chosen[name]]
            for index, (quote, translation) in enumerate(chosen[name]):
                if earlier[index] is not None:  # "(see note 4)", the numbers cross-references Word keeps true
                    if index == 0 or earlier[index - 1] is None:  # once for a run of such passages
                        pieces = referred_to(referred_run(earlier, index), meta.labels, notes=True)
                        out += [Text(" " if index else "")]
                        out += [Citation(piece) if isinstance(piece, int) else Text(piece) for piece in pieces]
                    continue
                opening, closing = quote_marks(quote, entry.language)
                out.append(Text((" " if index else "") + opening))
                out.append(Emphasis((Text(quote),)))
                out.append(Text(closing))
                if translation:
                    marks = quote_marks(translation, meta.language)
                    out.append(Text(" " + meta.labels.translation % {"text": f"{marks[0]}{translation}{marks[1]}"}))
            out.append(Text(" "))
        out.append(Text("— " + support))  # after the quotes, as the PDF's evidence sets it after the claim
        return out

    # The passages that carry the claim's numbers, dates, names and quoted words are always given,
    # whatever their length, and the one that gives most of its other words, and for a source they
    # show by a fragment or not at all, the passage that adds most of the claim, so that every source
    # the note names shows what it says of it; then the others that say more of it, while the note
    # fits in `limit`.
    claim_words = _words(content.claim)
    candidates = [(name, quote) for name, (_, quotes) in groups.items() for quote in quotes]
    said: set[str] = set()  # the claim's words the chosen passages give

    def take(candidate) -> None:
        name, quote = candidate
        chosen[name].append(quote)
        candidates.remove(candidate)
        said.update((_words(quote[0]) | _words(quote[1] or "")) & claim_words)

    def gain(candidate) -> tuple[int, int]:
        words = (_words(candidate[1][0]) | _words(candidate[1][1] or "")) & claim_words
        return len(words - said), -len(candidate[1][0])

    def words_of(quote) -> set[str]:
        return (_words(quote[0]) | _words(quote[1] or "")) & claim_words

    for candidate in carrying:
        take(candidate)
    if candidates:
        take(max(candidates, key=gain))
    for name in groups:  # each source gives the passage that adds most of the claim to what it shows, if any adds enough
        own_words = set().union(*(words_of(quote) for quote in chosen[name]))
        own = [candidate for candidate in candidates if candidate[0] == name]
        best = max(own, key=lambda c: (len(words_of(c[1]) - own_words), -len(c[1][0])), default=None)
        # a passage an earlier note prints shows no words here: "(see note 3)" alone is not shown
        shown = [quote for quote in chosen[name] if len(quote[0]) < LONG_PASSAGE or quote[0] not in printed]
        fragment = sum(len(quote[0]) for quote in shown) < LONG_PASSAGE
        adds = len(words_of(best[1]) - own_words) if best else 0
        short = best is not None and len(best[1][0]) < LONG_PASSAGE
        if best and (not shown or adds >= (1 if fragment or short else SAYS_MORE)):
            take(best)
        for candidate in [c for c in candidates if c[0] == name]:  # a passage an earlier note prints costs a reference
            if len(candidate[1][0]) >= LONG_PASSAGE and candidate[1][0] in printed and words_of(candidate[1]) - said:
                take(candidate)
    while candidates:  # then the rest, most telling first, while they fit
        best = max(candidates, key=gain) if gain(max(candidates, key=gain))[0] else candidates[0]
        take(best)
        if len(plain_text(pieces())) > limit:
            chosen[best[0]].pop()
    for name, (_, quotes) in groups.items():  # each source's passages in the order it gives them
        chosen[name].sort(key=quotes.index)
    return pieces()


SAYS_MORE = 4  # words of the claim a source's further passage must add to be given past the limit


def _words(text: str) -> set[str]:
    """The words of `text` that say something (of four letters or more, and numbers), in lower case."""
    return {word.lower() for word in re.findall(r"\w{4,}|\d+", text)}


def _build_time() -> datetime:
    return build_time().replace(tzinfo=None)


def _stable_zip(data: bytes) -> bytes:
    """Rewrite the package with fixed entry times, so equal inputs give equal bytes."""
    fixed = source_date_epoch()
    stamp = max(fixed.timetuple()[:6] if fixed else (1980, 1, 1, 0, 0, 0), (1980, 1, 1, 0, 0, 0))
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


def _sorted_citations(inlines):
    """The inlines, each run of citations side by side in ascending order and
    once each ("3,7,44,45", not "44,45,3,7"). Word numbers footnotes in the
    order of their first reference, as the notes are numbered, so a run keeps
    every first reference it holds; a range ("44–46") would drop the middle one."""
    run: list[Citation] = []
    for inline in inlines:
        if isinstance(inline, Citation):
            run.append(inline)
            continue
        yield from sorted({citation.number: citation for citation in run}.values(), key=lambda c: c.number)
        run = []
        yield inline
    yield from sorted({citation.number: citation for citation in run}.values(), key=lambda c: c.number)
