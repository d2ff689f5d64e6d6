"""Render a `Document` as DOCX with python-docx, in Word's native terms.

Styles come from a reference document (`templates/reference.docx`), referred
to by name, so a user restyles every brief in Word. Citations are native
footnotes; links are real hyperlinks; the header and footer carry the marking
and a PAGE field. The body is built at the XML level: python-docx looks styles
up by scanning all of them on every call, which dominates large briefs.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from functools import cache
from pathlib import Path

import docx
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml.ns import qn
from lxml import etree

from ...document import (
    Citation,
    Code,
    Document,
    Emphasis,
    Heading,
    LineBreak,
    Link,
    ListBlock,
    Meta,
    Paragraph,
    Rule,
    Strong,
    Table,
    Text,
    human_date,
    plain_text,
)
from ...errors import BriefingError, build_time, source_date_epoch
from ..typography import bind_units
from .footnotes import Footnotes, footnotes_read_as_xml

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_PRESERVE = "{http://www.w3.org/XML/1998/namespace}space"
SHADE = "D9D9D9"


def render_docx(document: Document, path: Path, reference: Path) -> None:
    data = _docx_bytes(document, reference)
    path.write_bytes(_stable_zip(data))


def _open_reference(reference: Path):
    """The reference document whose styles a brief takes; one a dossier gives may be anything."""
    from docx.opc.exceptions import PackageNotFoundError

    try:
        with footnotes_read_as_xml():
            return docx.Document(str(reference))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as error:
        raise BriefingError("the reference document is not a Word document (.docx): save it from Word or LibreOffice "
                            f"as .docx ({type(error).__name__})", file=reference) from None
    except Exception as error:  # a zip whose parts are not those of a document (lxml, python-docx)
        if type(error).__module__.split(".")[0] in ("lxml", "docx"):
            raise BriefingError("the reference document is not a Word document (.docx): save it from Word or "
                                "LibreOffice as .docx", file=reference) from None
        raise


def _docx_bytes(document: Document, reference: Path) -> bytes:
    word = _open_reference(reference)
    _Writer(word, document).write()
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def _xml_text(text: str) -> str:
    return _XML_INVALID.sub("", text)


@cache
def _name(prefixed: str) -> str:
    """'w:p' → '{namespace}p'; remembered, since a large brief asks for a few names a million times."""
    return qn(prefixed)


def _sub(parent, tag: str, **attributes):
    return etree.SubElement(parent, _name(tag), {_name(k.replace("_", ":", 1)): str(v) for k, v in attributes.items()})


class _Writer:
    def __init__(self, word, document: Document):
        self.word = word
        self.document = document
        self.style_ids = {style.name: style.style_id for style in word.styles}
        self.body = word.element.body
        self.footnotes = Footnotes(word, self.style("Footnote Text"), self.style("Footnote Reference"))
        self.links: dict[tuple[int, str], str] = {}  # (part, URL) → relationship id
        self.next_rel: dict[int, int] = {}  # part → the number of its next relationship id

    def style(self, name: str) -> str:
        return self.style_ids.get(name, self.style_ids.get("Normal", "Normal"))

    def write(self) -> None:
        section_properties = self.body.find(qn("w:sectPr"))
        for child in list(self.body):
            self.body.remove(child)
        meta = self.document.meta
        self.title_block(meta)
        if meta.table_of_contents:
            self.table_of_contents()
        for block in self.document.blocks:
            self.block(block)
        self.notes()
        if section_properties is not None:
            self.body.append(section_properties)
        self.header_and_footer(meta)
        self.properties(meta)

    # paragraphs and runs -------------------------------------------------------

    def paragraph(self, style: str, parent=None):
        p = _sub(self.body if parent is None else parent, "w:p")
        _sub(_sub(p, "w:pPr"), "w:pStyle", w_val=self.style(style))
        return p

    def run(self, parent, text: str, bold=False, italic=False, style: str | None = None):
        r = _sub(parent, "w:r")
        if bold or italic or style:
            properties = _sub(r, "w:rPr")
            if style:
                _sub(properties, "w:rStyle", w_val=self.style(style))
            if bold:
                _sub(properties, "w:b")
            if italic:
                _sub(properties, "w:i")
        t = _sub(r, "w:t")
        t.set(_PRESERVE, "preserve")
        t.text = _xml_text(bind_units(text))
        return r

    def inlines(self, parent, inlines, bold=False, italic=False) -> None:
        previous = None
        for inline in inlines:
            if isinstance(inline, Citation) and isinstance(previous, Citation):
                self.run(parent, ",", style="Footnote Reference")  # 3,4 rather than 34
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
        for index, entry in enumerate(content.entries):
            if index:
                self.run(note, " ")
            self.descriptor(note, entry, self.footnotes.part)
            self.run(note, ": ")
            self.run(note, " ".join(entry.quote.split()), italic=True)
            self.run(note, f" [{entry.language}].")
        self.run(note, " " + content.support)

    def descriptor(self, parent, entry, part=None) -> None:
        """A source descriptor: its name in bold, its URL a live link."""
        self.run(parent, entry.source, bold=True)
        before, found, after = entry.descriptor.partition(entry.url) if entry.url else (entry.descriptor, "", "")
        self.run(parent, " — " + before)
        if found:
            self.hyperlink(parent, Link(entry.url, (Text(entry.url),)), part)
            self.run(parent, after)

    # blocks --------------------------------------------------------------------

    def block(self, block, list_depth: int = 0) -> None:
        if isinstance(block, Heading):
            level = min(max(block.level - 1, 1), 3)
            p = self.paragraph(f"Heading {level}")
            if block.number:
                self.run(p, f"{block.number}  ")
            self.inlines(p, block.children)
        elif isinstance(block, Paragraph):
            if block.number:
                p = self.paragraph("Numbered Paragraph")
                self.run(p, f"{block.number}\t")
            else:
                p = self.paragraph("Normal")
            self.inlines(p, block.children)
        elif isinstance(block, ListBlock):
            self.list_block(block, list_depth)
        elif isinstance(block, Table):
            self.table(block)
        elif isinstance(block, Rule):
            self.paragraph("Normal")

    def list_block(self, block: ListBlock, depth: int) -> None:
        bullet = "List Bullet" if depth == 0 else f"List Bullet {min(depth + 1, 3)}"
        for index, item in enumerate(block.items):
            for position, child in enumerate(item):
                if isinstance(child, Paragraph) and position == 0:
                    if block.ordered:
                        p = self.paragraph("Numbered Paragraph")
                        self.run(p, f"{block.start + index}.\t")
                    else:
                        p = self.paragraph(bullet)
                    self.inlines(p, child.children)
                else:
                    self.block(child, depth + 1)

    def table(self, block: Table, widths: list[float] | None = None, style: str = "Table Grid") -> None:
        tbl = _sub(self.body, "w:tbl")
        properties = _sub(tbl, "w:tblPr")
        _sub(properties, "w:tblStyle", w_val=self.style(style))
        _sub(properties, "w:tblW", w_w="5000", w_type="pct")
        columns = max([len(block.header)] + [len(row) for row in block.rows])
        grid = _sub(tbl, "w:tblGrid")
        total = 9300  # twentieths of a point across the text width
        shares = widths or _column_shares(block, columns)
        for share in shares:
            _sub(grid, "w:gridCol", w_w=int(total * share))
        rows = ([(block.header, True)] if block.header else []) + [(row, False) for row in block.rows]
        for cells, is_header in rows:
            tr = _sub(tbl, "w:tr")
            if is_header:
                _sub(_sub(tr, "w:trPr"), "w:tblHeader")
            for index in range(columns):
                tc = _sub(tr, "w:tc")
                cell_properties = _sub(tc, "w:tcPr")
                _sub(cell_properties, "w:tcW", w_w=int(total * shares[index]), w_type="dxa")
                if is_header:
                    _sub(cell_properties, "w:shd", w_val="clear", w_color="auto", w_fill=SHADE)
                p = self.paragraph("Table Text", tc)
                self.inlines(p, cells[index] if index < len(cells) else (), bold=is_header)
        self.paragraph("Normal")

    def title_block(self, meta: Meta) -> None:
        if meta.organisation != "unknown":
            self.run(self.paragraph("Brief Organisation"), meta.organisation.upper())
        self.run(self.paragraph("Brief Type"), meta.doc_type.upper())
        self.run(self.paragraph("Title"), meta.title)
        if meta.subject != "unknown":
            self.run(self.paragraph("Subtitle"), meta.subject)
        fields = [("Date", human_date(meta.date)), ("Reference", meta.reference), ("Audience", meta.audience),
                  ("Prepared by", meta.author), ("Status", meta.status.capitalize()), ("Handling", meta.marking)]
        rows = tuple(
            (((Strong((Text(a),)),)), (Text(b),), (Strong((Text(c),)),), (Text(d),))
            for (a, b), (c, d) in zip(fields[0::2], fields[1::2])
        )
        self.table(Table((), rows), widths=[0.15, 0.35, 0.15, 0.35])

    def table_of_contents(self) -> None:
        self.run(self.paragraph("TOC Heading"), "Contents")
        p = self.paragraph("Normal")
        self.field(p, 'TOC \\o "1-3" \\h \\z \\u', "The table of contents is filled in when the document is opened in Word "
                   "(in LibreOffice: Tools ▸ Update ▸ Update All).")
        settings = self.word.settings.element
        if settings.find(qn("w:updateFields")) is None:
            _sub(settings, "w:updateFields", w_val="true")

    def field(self, p, instruction: str, placeholder: str) -> None:
        _sub(_sub(p, "w:r"), "w:fldChar", w_fldCharType="begin")
        code = _sub(_sub(p, "w:r"), "w:instrText")
        code.set(_PRESERVE, "preserve")
        code.text = f" {instruction} "
        _sub(_sub(p, "w:r"), "w:fldChar", w_fldCharType="separate")
        self.run(p, placeholder)
        _sub(_sub(p, "w:r"), "w:fldChar", w_fldCharType="end")

    def notes(self) -> None:
        notes = self.document.notes
        if not notes or self.document.meta.evidence != "full":
            return
        self.run(self.paragraph("Heading 1"), "Sources and evidence")
        for note in notes:
            p = self.paragraph("Evidence Claim")
            _sub(p, "w:bookmarkStart", w_id=20000 + note.number, w_name=f"note-{note.number}")
            self.run(p, f"{note.number}.\t{note.content.claim}")
            _sub(p, "w:bookmarkEnd", w_id=20000 + note.number)
            self.run(self.paragraph("Evidence Source"), note.content.support)
            for entry in note.content.entries:
                self.descriptor(self.paragraph("Evidence Source"), entry)
                self.run(self.paragraph("Evidence Quote"), f"{' '.join(entry.quote.split())} [{entry.language}]", italic=True)

    # page furniture and properties ----------------------------------------------

    def header_and_footer(self, meta: Meta) -> None:
        section = self.word.sections[0]
        header = section.header.paragraphs[0]
        header.text = _xml_text(meta.marking)
        header.style = self.word.styles["Header"]
        footer = section.footer.paragraphs[0]
        footer.style = self.word.styles["Footer"]
        p = footer._p
        left = " · ".join(v for v in (meta.reference, human_date(meta.date)) if v != "unknown")
        self.run(p, f"{left} · Page " if left else "Page ")
        self.field(p, "PAGE", "1")
        self.run(p, " of ")
        self.field(p, "NUMPAGES", "1")
        self.run(section.footer.add_paragraph(style=self.word.styles["Footer"])._p, meta.marking, bold=True)

    def properties(self, meta: Meta) -> None:
        core = self.word.core_properties
        core.title, core.subject, core.author = _property(meta.title), _property(meta.subject), _property(meta.author)
        core.keywords = _property(", ".join(meta.keywords))
        core.category = _property(meta.doc_type)
        core.comments = _property(f"{meta.marking}. Audience: {meta.audience}.")
        core.last_modified_by = meta.generator
        core.revision = 1
        core.created = core.modified = _build_time()
        core.language = meta.language


def _property(text: str) -> str:
    """Word's document properties hold at most 255 characters (the body keeps the whole text)."""
    text = _xml_text(text)
    return text if len(text) <= 255 else text[:254] + "…"


def _column_shares(block: Table, columns: int) -> list[float]:
    lengths = [1] * columns
    for row in (block.header, *block.rows):
        for index, cell in enumerate(row):
            lengths[index] = max(lengths[index], min(len(plain_text(cell)), 60) + 6)
    total = sum(lengths)
    return [length / total for length in lengths]


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
