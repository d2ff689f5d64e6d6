"""Native Word footnotes, which python-docx has no API for.

A footnote lives in the part `/word/footnotes.xml`, related to the main
document; the body holds a `<w:footnoteReference w:id=N/>` run where the
superscript number appears. Word numbers footnotes itself, in document order.
A second citation of the same note is a NOTEREF field to a bookmark around the
first reference, so the number repeats without a second footnote.

A note is the short form (source, grade, quote) and is kept on one page where
Word can.
"""

from __future__ import annotations

from docx.opc.constants import CONTENT_TYPE, RELATIONSHIP_TYPE
from docx.opc.packuri import PackURI
from docx.opc.part import XmlPart
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from lxml import etree

_EMPTY_FOOTNOTES = (
    f"<w:footnotes {nsdecls('w')}>"
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
    "<w:r><w:separator/></w:r></w:p></w:footnote>"
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
    "<w:r><w:continuationSeparator/></w:r></w:p></w:footnote>"
    "</w:footnotes>"
)


class Footnotes:
    """The footnotes part of one document, and the runs that refer to it."""

    def __init__(self, document, text_style: str, reference_style: str):
        self.text_style = text_style
        self.reference_style = reference_style
        part = document.part  # a reference document's footnotes are not taken (`reference.style_parts`)
        self.part = XmlPart(PackURI("/word/footnotes.xml"), CONTENT_TYPE.WML_FOOTNOTES,
                            parse_xml(_EMPTY_FOOTNOTES), part.package)
        part.relate_to(self.part, RELATIONSHIP_TYPE.FOOTNOTES)
        self.root = self.part.element
        self.next_id = 1 + max((int(n.get(qn("w:id"))) for n in self.root.iterchildren(qn("w:footnote"))), default=0)
        self.first_reference: dict[int, str] = {}

    def reference(self, paragraph, number: int):
        """Add the reference for note `number` at the end of `paragraph`;
        return the footnote's paragraph to fill, or None when the note exists."""
        if number in self.first_reference:
            self._repeat(paragraph, number)
            return None
        footnote_id = self.next_id
        self.next_id += 1
        bookmark = f"_RefNote{number}"
        self.first_reference[number] = bookmark
        etree.SubElement(paragraph, qn("w:bookmarkStart"), {qn("w:id"): str(10000 + number), qn("w:name"): bookmark})
        run = etree.SubElement(paragraph, qn("w:r"))
        self._style(run)
        etree.SubElement(run, qn("w:footnoteReference"), {qn("w:id"): str(footnote_id)})
        etree.SubElement(paragraph, qn("w:bookmarkEnd"), {qn("w:id"): str(10000 + number)})

        note = etree.SubElement(self.root, qn("w:footnote"), {qn("w:id"): str(footnote_id)})
        body = etree.SubElement(note, qn("w:p"))
        properties = etree.SubElement(body, qn("w:pPr"))
        etree.SubElement(properties, qn("w:pStyle"), {qn("w:val"): self.text_style})
        etree.SubElement(properties, qn("w:keepLines"))  # a note is not split across pages where Word can avoid it
        mark = etree.SubElement(body, qn("w:r"))
        self._style(mark)
        etree.SubElement(mark, qn("w:footnoteRef"))
        space = etree.SubElement(body, qn("w:r"))
        etree.SubElement(space, qn("w:t"), {"{http://www.w3.org/XML/1998/namespace}space": "preserve"}).text = " "
        return body

    def _repeat(self, paragraph, number: int) -> None:
        field = etree.SubElement(paragraph, qn("w:fldSimple"), {qn("w:instr"): f" NOTEREF {self.first_reference[number]} \\f \\h "})
        run = etree.SubElement(field, qn("w:r"))
        self._style(run)
        etree.SubElement(run, qn("w:t")).text = str(number)

    def _style(self, run) -> None:
        properties = etree.SubElement(run, qn("w:rPr"))
        etree.SubElement(properties, qn("w:rStyle"), {qn("w:val"): self.reference_style})
