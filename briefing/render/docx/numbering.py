"""Word's own numbering, in the part `/word/numbering.xml`.

A brief with numbered paragraphs gets one multilevel list linked to two styles:
level 1 to Heading 1 ("2"), level 2 to Numbered Paragraph ("2.3"). The numbers
are Word's, not typed text, so a paragraph inserted in Word (or LibreOffice)
renumbers the ones after it. An ordered list of the body is a list of its own
(a new `w:num`, restarted at its first number), on the List Number style.
"""

from __future__ import annotations

from docx.oxml.ns import qn
from lxml import etree

INDENT = 567  # 1 cm, in twentieths of a point: the number's column
LEVELS = 9  # Word's lists have nine levels


def _sub(parent, tag: str, **attributes):
    return etree.SubElement(parent, qn(tag), {qn(f"w:{k}"): str(v) for k, v in attributes.items()})


class Numbering:
    def __init__(self, word):
        self.root = word.part.numbering_part.element
        self.styles = word.styles.element
        ids = [int(a.get(qn("w:abstractNumId"))) for a in self.root.iterchildren(qn("w:abstractNum"))]
        self.next_abstract = 1 + max(ids, default=-1)
        nums = [int(n.get(qn("w:numId"))) for n in self.root.iterchildren(qn("w:num"))]
        self.next_num = 1 + max(nums, default=0)
        self.ordered: int | None = None  # the abstract list every ordered list of the body is an instance of

    def _abstract(self, name: str, levels) -> int:
        """A multilevel list definition; `levels` gives (text, style id or None, left indent) per level."""
        abstract_id = self.next_abstract
        self.next_abstract += 1
        abstract = etree.Element(qn("w:abstractNum"), {qn("w:abstractNumId"): str(abstract_id)})
        _sub(abstract, "w:nsid", val=f"{0x42524600 + abstract_id:08X}")  # fixed, so equal inputs give equal bytes
        _sub(abstract, "w:multiLevelType", val="multilevel")
        _sub(abstract, "w:name", val=name)
        for level, (text, style, left) in enumerate(levels):
            lvl = _sub(abstract, "w:lvl", ilvl=level)
            _sub(lvl, "w:start", val=1)
            _sub(lvl, "w:numFmt", val="decimal")
            if style:
                _sub(lvl, "w:pStyle", val=style)
            _sub(lvl, "w:suff", val="tab")
            _sub(lvl, "w:lvlText", val=text)
            _sub(lvl, "w:lvlJc", val="left")
            properties = _sub(lvl, "w:pPr")
            _sub(_sub(properties, "w:tabs"), "w:tab", val="num", pos=left)
            _sub(properties, "w:ind", left=left, hanging=INDENT)
        # every abstractNum comes before the first num (the schema's order)
        first_num = next(self.root.iterchildren(qn("w:num")), None)
        if first_num is None:
            self.root.append(abstract)
        else:
            first_num.addprevious(abstract)
        return abstract_id

    def _num(self, abstract_id: int, start: int | None = None) -> int:
        num_id = self.next_num
        self.next_num += 1
        num = _sub(self.root, "w:num", numId=num_id)
        _sub(num, "w:abstractNumId", val=abstract_id)
        if start is not None:
            override = _sub(num, "w:lvlOverride", ilvl=0)
            _sub(override, "w:startOverride", val=start)
        return num_id

    def number_paragraphs(self, heading_style: str, paragraph_style: str) -> int:
        """Link the section headings (1, 2 …) and the numbered paragraphs (1.1, 1.2 …) to one list."""
        texts = [".".join(f"%{n + 1}" for n in range(level + 1)) for level in range(LEVELS)]
        styles = [heading_style, paragraph_style] + [None] * (LEVELS - 2)
        abstract_id = self._abstract("Brief paragraphs", [
            (text, style, INDENT * max(level, 1)) for level, (text, style) in enumerate(zip(texts, styles))])
        num_id = self._num(abstract_id)
        for level, style_id in enumerate((heading_style, paragraph_style)):
            self._link_style(style_id, num_id, level)
        return num_id

    def ordered_list(self, start: int) -> int:
        """A new list for one ordered list of the body, starting at `start`."""
        if self.ordered is None:
            self.ordered = self._abstract("Brief ordered list", [
                (f"%{level + 1}.", None, INDENT * (level + 1)) for level in range(LEVELS)])
        return self._num(self.ordered, start)

    def _link_style(self, style_id: str, num_id: int, level: int) -> None:
        for style in self.styles.iterchildren(qn("w:style")):
            if style.get(qn("w:styleId")) == style_id:
                break
        else:
            return
        properties = style.get_or_add_pPr()
        old = properties.find(qn("w:numPr"))
        if old is not None:
            properties.remove(old)
        numbering = properties._add_numPr()
        _sub(numbering, "w:ilvl", val=level)
        _sub(numbering, "w:numId", val=num_id)


def paragraph_numbering(p, num_id: int, level: int = 0) -> None:
    """Number paragraph `p` (a w:p whose w:pPr holds only its style) in list `num_id`; 0 takes it out of any list."""
    properties = p.find(qn("w:pPr"))
    numbering = etree.Element(qn("w:numPr"))
    properties.find(qn("w:pStyle")).addnext(numbering)
    _sub(numbering, "w:ilvl", val=level)
    _sub(numbering, "w:numId", val=num_id)
