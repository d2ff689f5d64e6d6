"""Render a `Document` as a PDF with reportlab's platypus.

Native PDF features: an embedded, subset Unicode font; a running header and
footer with the handling marking and "Page X of Y"; bookmarks that mirror the
headings; citations that link to their evidence entry; document information.
A table of dated events (kind "timeline") is also drawn as a figure above it
(timeline.py).
"""

from __future__ import annotations

from collections import deque
from itertools import islice
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors, rl_accel
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.paragraph import cleanBlockQuotedText

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
    Rule,
    Strong,
    Text,
    fold_spaces,
    page_label,
    plain_text,
    quote_marks,
    referred_run,
    referred_to,
    title_block_grid,
    title_block_lines,
)
from ...document import (
    Paragraph as Para,
)
from ...document import (
    Table as TableBlock,
)
from ...errors import BriefingError, source_date_epoch
from ..tables import WHOLE_TABLE, first_rows, share_widths
from ..typography import bind_units
from .fonts import FAMILY, check_glyphs, is_invisible, register_fonts
from .patches import reportlab_patched
from .rtl import has_right_to_left, is_right_to_left, split_by_level, visual_lines, visual_string
from .timeline import TimelineFigure

MARGIN = 2.2 * cm
LONG_CELL = 1000  # characters: a table cell this long may be taller than a page
RULE = colors.Color(0.55, 0.55, 0.55)
SHADE = colors.Color(0.92, 0.92, 0.92)


def _styles() -> dict[str, ParagraphStyle]:
    # no line of a paragraph left alone at the top or the foot of a page
    base = ParagraphStyle("body", fontName=FAMILY, bulletFontName=FAMILY, fontSize=10.5, leading=13.8, spaceAfter=5,
                          allowWidows=0, allowOrphans=0)
    def style(name, **changes):
        return ParagraphStyle(name, parent=base, **changes)
    return {
        "body": base,
        "numbered": style("numbered", leftIndent=1.1 * cm, bulletIndent=0, bulletFontName=FAMILY),
        "bullet": style("bullet", leftIndent=0.55 * cm, bulletIndent=0.1 * cm, spaceAfter=3),
        "h1": style("h1", fontName=f"{FAMILY}-Bold", fontSize=14, leading=18, spaceBefore=10, spaceAfter=6),
        "h2": style("h2", fontName=f"{FAMILY}-Bold", fontSize=12, leading=15, spaceBefore=12, spaceAfter=5),
        "h3": style("h3", fontName=f"{FAMILY}-Bold", fontSize=11, leading=14, spaceBefore=8, spaceAfter=4),
        "cell": style("cell", fontSize=9, leading=11.5, spaceAfter=0),
        "head": style("head", fontName=f"{FAMILY}-Bold", fontSize=9, leading=11.5, spaceAfter=0),
        "org": style("org", fontSize=9, leading=11, textColor=colors.black, spaceAfter=2),
        "doctype": style("doctype", fontName=f"{FAMILY}-Bold", fontSize=9, leading=11, spaceAfter=6),
        "title": style("title", fontName=f"{FAMILY}-Bold", fontSize=17, leading=21, spaceAfter=4),
        "subject": style("subject", fontName=f"{FAMILY}-Italic", fontSize=10.5, leading=13.5, spaceAfter=8),
        "marking": style("marking", fontName=f"{FAMILY}-Bold", fontSize=8, leading=10, alignment=TA_CENTER),
        "note": style("note", fontSize=9, leading=11.5, leftIndent=0.8 * cm, bulletIndent=0, bulletFontSize=9,
                      bulletFontName=f"{FAMILY}-Bold", spaceBefore=5, spaceAfter=1),
        "evidence": style("evidence", fontSize=8.5, leading=10.8, leftIndent=0.8 * cm, spaceAfter=1),
        "brief": style("brief", fontSize=8.5, leading=10.5, leftIndent=0.55 * cm, bulletIndent=0, bulletFontSize=8.5, spaceAfter=0),
        "caption": style("caption", fontName=f"{FAMILY}-Bold", fontSize=8.5, leading=11, spaceAfter=0),
        "event-date": style("event-date", fontName=f"{FAMILY}-Bold", fontSize=7.5, leading=9, alignment=TA_CENTER, spaceAfter=0),
        "event": style("event", fontSize=7.5, leading=9, alignment=TA_CENTER, spaceAfter=0),
    }


class _Paragraph(Paragraph):
    """A paragraph that breaks its lines once per width. Platypus wraps a
    paragraph kept with its neighbours twice at the same width (to measure the
    group, then to place it), and line breaking is most of a large brief's time.

    A paragraph with right-to-left text is drawn in visual order (see rtl.py);
    one mostly right-to-left reads from the right, flush right."""

    _wrapped: tuple[float, tuple[float, float]] | None = None
    bidi_base: int | None = None  # the embedding level of a paragraph with right-to-left text
    frags: list  # reportlab's, declared for the type checker
    blPara: Any

    def __init__(self, text, style, bulletText=None, frags=None):
        super().__init__(text, style, bulletText=bulletText, frags=frags)
        if text is not None and has_right_to_left(text):  # the parts of a split paragraph come split already
            rtl = is_right_to_left("".join(getattr(frag, "text", "") for frag in self.frags))
            self.bidi_base = int(rtl)
            self.frags = split_by_level(self.frags, rtl, register_fonts())
            if rtl and style.alignment == TA_LEFT:
                self.style = ParagraphStyle(f"{style.name}-rtl", parent=style, alignment=TA_RIGHT)

    def wrap(self, availWidth, availHeight):
        if self._wrapped is None or self._wrapped[0] != availWidth or not hasattr(self, "blPara"):  # split() drops it
            self._wrapped = (availWidth, super().wrap(availWidth, availHeight))
        return self._wrapped[1]

    def split(self, availWidth, availHeight):
        parts = super().split(availWidth, availHeight)
        for part in parts:
            part.bidi_base = self.bidi_base
        return parts

    def drawPara(self, debug=0):
        if self.bidi_base is None:
            return super().drawPara(debug)
        logical = self.blPara
        self.blPara = visual_lines(logical, self.bidi_base)
        try:
            return super().drawPara(debug)
        finally:
            self.blPara = logical


class _Bookmark(Flowable):
    """An invisible mark that adds an outline entry where it is drawn."""

    def __init__(self, key: str, title: str, level: int):
        super().__init__()
        self.key, self.title, self.level = key, title, level
        self.width = self.height = 0

    def draw(self):
        self.canv.bookmarkPage(self.key)
        self.canv.addOutlineEntry(self.title, self.key, self.level, closed=self.level > 0)


def markup(inlines) -> str:
    """reportlab paragraph markup for inlines; all text is XML-escaped first."""
    out = []
    for inline in _clustered(inlines):
        if isinstance(inline, _Cluster):
            for text, number in inline.parts:
                out.append(f'<a href="#note-{number}"><super>{text}</super></a>' if number else f"<super>{text}</super>")
        elif isinstance(inline, Text):
            out.append(_text(inline.text))
        elif isinstance(inline, Code):
            out.append(f'<font face="Courier">{_text(inline.text)}</font>')
        elif isinstance(inline, Strong):
            out.append(f"<b>{markup(inline.children)}</b>")
        elif isinstance(inline, Emphasis):
            out.append(f"<i>{markup(inline.children)}</i>")
        elif isinstance(inline, Link):
            out.append(f'<a href="{_href(inline.url)}"><u>{markup(inline.children)}</u></a>')
        elif isinstance(inline, LineBreak):
            out.append("<br/>")
    return "".join(out)


class _Cluster:
    """Citations side by side, sorted and ranged: 5, 38–40."""

    def __init__(self, numbers: list[int]):
        self.parts: list[tuple[str, int | None]] = []
        ordered = sorted(set(numbers))
        runs: list[list[int]] = []
        for number in ordered:
            if runs and number == runs[-1][-1] + 1:
                runs[-1].append(number)
            else:
                runs.append([number])
        for index, run in enumerate(runs):
            if index:
                self.parts.append((",\u00a0", None))  # a cluster is never broken across lines
            if len(run) >= 3:
                self.parts += [(str(run[0]), run[0]), ("\u2013", None), (str(run[-1]), run[-1])]
            else:
                for position, number in enumerate(run):
                    self.parts += ([(",\u00a0", None)] if position else []) + [(str(number), number)]


def _clustered(inlines):
    """The inlines, each run of citations as one `_Cluster`."""
    run: list[int] = []
    for inline in inlines:
        if isinstance(inline, Citation):
            run.append(inline.number)
            continue
        if run:
            yield _Cluster(run)
            run = []
        yield inline
    if run:
        yield _Cluster(run)


def _text(text: str) -> str:
    """Text as paragraph markup: visible characters, units bound, XML-escaped."""
    return escape(_visible(text))


def _href(url: str) -> str:
    """A URL as the value of a paragraph's `href`: characters a URL may not hold
    raw are percent-encoded, then the attribute is XML-escaped (quotes too), so
    a URL can neither close the attribute nor open markup of its own."""
    from urllib.parse import quote

    return escape(quote(url, safe="/:?#[]@!$&'()*+,;=%~-._"), {'"': "&quot;", "'": "&apos;"})


def _visible(text: str) -> str:
    if not text.isprintable():  # rare: only then look for characters that draw nothing
        text = "".join(c for c in text if c.isprintable() or c in "\n\t" or not is_invisible(c))
    return bind_units(text)


class _Builder:
    def __init__(self, document: Document):
        self.document = document
        self.styles = _styles()
        self.story: list[Flowable] = []
        self.headings = 0
        self.outline_level = 0  # the title's
        self.figures = 0
        self._parsed: dict[tuple[str, str], list] = {}  # (markup, style) → reportlab's fragments of it

    def _prototype(self, markup: str, style: ParagraphStyle) -> list:
        """reportlab's fragments of `markup` in `style`, parsed once."""
        key = (markup, style.name)
        if key not in self._parsed:
            self._parsed[key] = _Paragraph(markup, style).frags
        return self._parsed[key]

    def recurring(self, markup: str, style: ParagraphStyle) -> _Paragraph:
        """A paragraph whose markup recurs (a source's line, with each of its
        quotes): reportlab parses it once, and each later paragraph gets a copy."""
        return _Paragraph(markup, style, frags=[_copy(frag) for frag in self._prototype(markup, style)])

    def plain(self, text: str, style: ParagraphStyle) -> _Paragraph:
        """A paragraph of text in one style, given to reportlab as one fragment
        of the style rather than as markup to parse (a large annex has thousands)."""
        (fragment,) = self._prototype("x", style)
        text = _visible(fold_spaces(text))  # spaces folded first: units are then bound by no-break spaces
        return _Paragraph(escape(text), style, frags=[_copy(fragment, text=text)])

    def paragraph(self, inlines, style: ParagraphStyle, bullet: str | None = None) -> _Paragraph:
        """A paragraph of inlines. Parsing markup is most of the time it takes to
        build a large brief's story, so text, bold, italics and citations get
        copies of fragments parsed once (see `_as_parsed`)."""
        text = markup(inlines)
        frags = self._fragments(inlines, style) if _as_parsed(text, style) else None
        return _Paragraph(text, style, bulletText=bullet, frags=frags)

    def _fragments(self, inlines, style: ParagraphStyle) -> list | None:
        """The fragments reportlab's parser makes of `inlines`, or None for
        inlines it must parse itself (links, code, line breaks, nesting)."""
        frags: list = []
        words: list[str] = []  # a run of plain text: one fragment for the parser
        links = 0  # the parser numbers the links of a paragraph

        def end_words() -> None:
            if text := "".join(words):
                frags.append(_copy(self._prototype("x", style)[0], text=text))
            words.clear()

        def add(prototype: str, text: str, **changes) -> None:
            end_words()
            if text:
                frags.append(_copy(self._prototype(prototype, style)[0], text=text, **changes))

        for inline in _clustered(inlines):
            if isinstance(inline, Text):
                words.append(_visible(inline.text))
            elif isinstance(inline, (Strong, Emphasis)) and all(isinstance(child, Text) for child in inline.children):
                tag = "b" if isinstance(inline, Strong) else "i"
                add(f"<{tag}>x</{tag}>", "".join(_visible(child.text) for child in inline.children if isinstance(child, Text)))
            elif isinstance(inline, _Cluster):
                for text, number in inline.parts:
                    if number is None:
                        add("<super>,</super>", text)
                    else:
                        add('<a href="#note-1"><super>1</super></a>', text, link=[(links, f"#note-{number}")])
                        links += 1
            else:
                return None
        end_words()
        return frags

    def note(self, number: int, claim: str, support: str, style: ParagraphStyle) -> _Paragraph:
        """An evidence note's first paragraph: its anchor, the claim, and below it
        in smaller type how well it is supported (fragments copied, as above)."""
        claim, support = _visible(claim), _visible(support)
        text = f'<a name="note-{number}"/>{escape(claim)} — <font size="8.5">{escape(support)}</font>'
        frags = None
        if claim and support and _as_parsed(text, style):
            anchor, first, second = self._prototype('<a name="note-1"/>x — <font size="8.5">y</font>', style)
            frags = [_copy(anchor, cbDefn=anchor.cbDefn.clone(name=f"note-{number}")),
                     _copy(first, text=claim + " — "), _copy(second, text=support)]
        return _Paragraph(text, style, bulletText=f"{number}.", frags=frags)

    def build(self) -> list[Flowable]:
        self.title_block(self.document.meta)
        heading_starts = None  # where a run of headings began in the story
        for block in self.document.blocks:
            start = len(self.story)
            self.block(block, self.styles["body"])
            if isinstance(block, Heading):
                heading_starts = start if heading_starts is None else heading_starts
            elif heading_starts is not None:
                self._keep_with_headings(heading_starts, start)
                heading_starts = None
        self.notes()
        return self.story

    def _keep_with_headings(self, heading_start: int, block_start: int) -> None:
        """Headings move to the next page with the first flowable that follows
        them (a paragraph, a table), so a heading never ends a page."""
        while isinstance(self.story[heading_start], CondPageBreak):
            heading_start += 1  # measured inside a group, it would claim the whole frame
        if block_start < len(self.story):
            first = self.story[block_start]
            rest = []
            if isinstance(first, _Entry):  # a long evidence entry: the heading goes with its first source only
                first, *rest = first._content
            # a KeepTogether measures as infinitely tall, so nesting one would always break the page
            following = list(first._content) if isinstance(first, KeepTogether) else [first]
            group = self.story[heading_start:block_start] + following
            keep = (_HeadingsWithFigure if isinstance(first, TimelineFigure)
                    else _HeadingsWithTable if isinstance(first, Table) else KeepTogether)
            self.story[heading_start:block_start + 1] = [keep(group), *rest]

    def title_block(self, meta: Meta) -> None:
        s = self.styles
        self.story += [_Bookmark("title", meta.title, 0)]
        organisation = _text(meta.organisation.upper()) if meta.organisation != "unknown" else ""
        doc_type = _text(meta.doc_type.upper())
        if meta.title_block == "compact":  # one line: "SAHEL DESK · BRIEFING NOTE"
            self.story.append(_Paragraph(f"{organisation} · {doc_type}" if organisation else doc_type, s["doctype"]))
        else:
            if organisation:
                self.story.append(_Paragraph(organisation, s["org"]))
            self.story.append(_Paragraph(doc_type, s["doctype"]))
        self.story.append(_Paragraph(_text(meta.title), s["title"]))
        if meta.subject != "unknown":
            self.story.append(_Paragraph(_text(meta.subject), s["subject"]))
        width = A4[0] - 2 * MARGIN  # the fields as the DOCX sets them too
        rows: list[list[_Paragraph | str]]
        if meta.title_block == "compact":  # a line of pairs, one cell: "Date 24 June 2025 · Reference …"
            rows = [[_Paragraph(" · ".join(f"<b>{_text(label)}</b> {_text(value)}" for label, value in line), s["cell"])]
                    for line in title_block_lines(meta)]
            widths = [width]
        else:
            rows = [[cell for pair in row for cell in ((_Paragraph(f"<b>{_text(pair[0])}</b>", s["cell"]),
                                                       _Paragraph(_text(pair[1]), s["cell"])) if pair else ("", ""))]
                    for row in title_block_grid(meta)]
            widths = [width * 0.17, width * 0.33] * 2
        table = Table(rows, colWidths=widths)
        table.setStyle(TableStyle([
            ("LINEABOVE", (0, 0), (-1, 0), 1.2, colors.black),
            ("LINEBELOW", (0, -1), (-1, -1), 1.2, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 2.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("FONTNAME", (0, 0), (-1, -1), FAMILY),
        ]))
        self.story += [table, Spacer(1, 8)]

    def block(self, block, style: ParagraphStyle, bullet: str | None = None) -> None:
        if isinstance(block, Heading):
            self.heading(block)
        elif isinstance(block, Para):
            if block.number:
                self.story.append(self.paragraph(block.children, self.styles["numbered"], block.number))
            else:
                self.story.append(self.paragraph(block.children, style, bullet))
        elif isinstance(block, ListBlock):
            self.list_block(block, style)
        elif isinstance(block, TableBlock):
            if block.kind == "timeline" and (figure := self.timeline(block)):
                self.story += [figure, Spacer(1, 10)]
            self.story += [self.table(block), Spacer(1, 6)]
        elif isinstance(block, Rule):
            self.story.append(Spacer(1, 6))

    def heading(self, heading: Heading) -> None:
        level = min(heading.level, 3)
        title = plain_text(heading.children)
        label = f"{heading.number}  " if heading.number else ""
        self.headings += 1
        # An outline may not skip a level: a brief whose first heading is "###" nests it one below the title.
        self.outline_level = min(max(level - 1, 1), self.outline_level + 1)
        self.story += [
            CondPageBreak(3 * cm if level <= 2 else 2 * cm),
            _Bookmark(f"h{self.headings}", label + title, self.outline_level),
            self.paragraph((Text(label), *heading.children), self.styles[f"h{level}"]),
        ]

    def list_block(self, block: ListBlock, style: ParagraphStyle) -> None:
        item_style = ParagraphStyle(f"li{style.leftIndent}", parent=self.styles["bullet"],
                                    leftIndent=style.leftIndent + 0.55 * cm, bulletIndent=style.leftIndent + 0.1 * cm)
        for index, item in enumerate(block.items):
            marker = f"{block.start + index}." if block.ordered else "•"
            for position, child in enumerate(item):
                self.block(child, item_style, marker if position == 0 else None)

    def table(self, block: TableBlock):
        s = self.styles
        rows: list[list[Flowable | str]] = ([[self.paragraph(cell, s["head"]) for cell in block.header]] if block.header else [])
        rows += [[self.paragraph(cell, s["cell"]) for cell in row] for row in block.rows]
        columns = max(len(row) for row in rows)
        rows = [row + [""] * (columns - len(row)) for row in rows]
        # A row moves whole to the next page; one that may be taller than a page (a cell of a
        # thousand characters or more) may be split across pages instead, rather than fail the layout.
        long_cell = any(len(plain_text(cell)) >= LONG_CELL for row in (block.header, *block.rows) for cell in row)
        table = _Table(rows, colWidths=_column_widths(block, columns), repeatRows=1 if block.header else 0,
                       splitInRow=1 if long_cell else 0)
        table.setStyle(TableStyle([
            ("LINEABOVE", (0, 0), (-1, 0), 0.8, colors.black),
            ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
            ("LINEBELOW", (0, 1), (-1, -1), 0.3, RULE),
            ("BACKGROUND", (0, 0), (-1, 0), SHADE if block.header else colors.white),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ("FONTNAME", (0, 0), (-1, -1), FAMILY),
        ]))
        return table  # a table of `WHOLE_TABLE` rows or fewer is kept whole by `_Table.split`

    def timeline(self, block: TableBlock) -> TimelineFigure | None:
        """The figure of a timeline table's events (first column the date, second
        the event, citations left to the table), numbered as the brief's figures
        are; none for fewer than two events, nor one too tall for a page."""
        events = [row for row in block.rows if len(row) >= 2]
        if len(events) < 2:
            return None
        s = self.styles
        dates = [fold_spaces(plain_text(row[0])) for row in events]
        labels = [(self.plain(date, s["event-date"]), self.plain(plain_text(row[1]), s["event"])) for date, row in zip(dates, events)]
        caption = self.plain(self.document.meta.labels.timeline_figure % {"number": self.figures + 1}, s["caption"])
        widest = max(stringWidth(_visible(date), f"{FAMILY}-Bold", s["event-date"].fontSize) for date in dates)
        figure = TimelineFigure(caption, labels, widest)
        frame_width, frame_height = A4[0] - 2 * MARGIN - 12, A4[1] - 2 * MARGIN - 12  # inside the frame's padding
        if figure.wrap(frame_width, frame_height)[1] > frame_height - 3 * cm:  # room for its heading
            return None
        self.figures += 1
        return figure

    def notes(self) -> None:
        notes = self.document.notes
        if not notes:
            return
        s = self.styles
        if self.document.meta.evidence == "brief":
            self.story.append(Spacer(1, 4))
            for note in notes:
                self.story.append(_Paragraph(f'<a name="note-{note.number}"/>{_text(note.content.short + ".")}', s["brief"],
                                            bulletText=str(note.number)))
            return
        heading_start = len(self.story)
        self.heading(Heading(2, (Text(self.document.meta.labels.evidence),)))
        first_note = len(self.story)
        frame = A4[1] - 2 * MARGIN
        for note in notes:
            content = note.content
            entry = [self.note(note.number, content.claim, content.support, s["note"])]
            entry += [_Paragraph(_evidence_markup(item, self.document.meta), s["evidence"]) for item in content.entries]
            # An entry is kept on one page (a source's name never apart from its quote);
            # one taller than a quarter of a page may break between its sources instead.
            self.story.append(KeepTogether(entry) if _estimated_height(content) < frame / 4 else _Entry(entry))
        self._keep_with_headings(heading_start, first_note)


def _estimated_height(content) -> float:
    """About how tall an evidence entry is set (lines of some 95 characters at
    8.5–9 pt), without breaking its lines: wrapping here would be done twice."""
    texts = [content.claim + content.support] + [entry.source + " ".join(entry.passages) +
                                                 " ".join(t or "" for t in entry.translations) for entry in content.entries]
    return sum(len(text) // 95 + 1 for text in texts) * 11.2 + 6


class _HeadingsWithFigure(KeepTogether):
    """Headings kept with the figure that follows them. reportlab measures a
    group without the space before its first heading, which a frame sets below
    other text: a group that fits by less than that space would leave its
    headings behind, since a figure cannot split (a table would, and moves on)."""

    def wrap(self, aW, aH):
        size = super().wrap(aW, aH)
        self._H += next((f.getSpaceBefore() for f in self._content if not isinstance(f, _Bookmark)), 0)
        return size


class _Table(Table):
    """A table that, breaking across pages, leaves no row alone overleaf: it breaks
    before its next-to-last row instead (the DOCX keeps those two rows together too);
    it keeps its `first_rows` together at the foot of a page, or starts overleaf;
    and a table (or the rest of one) of `WHOLE_TABLE` rows or fewer does not break.
    Else the rest of a table broken early would break again in the room left, its
    header printed twice on one page."""

    def split(self, availWidth, availHeight):
        if self.splitInRow:  # a row taller than a page: reportlab's own split
            return super().split(availWidth, availHeight)
        body_rows = len(self._cellvalues) - self.repeatRows
        if body_rows <= WHOLE_TABLE:
            return []
        parts = super().split(availWidth, availHeight)
        if len(parts) != 2:
            return parts
        first, rest = (len(part._cellvalues) - self.repeatRows for part in parts)
        if first < first_rows(body_rows):
            return []  # its first rows alone at the foot of the page: the table starts overleaf
        if rest == 1 and first >= 2:  # its last row alone overleaf: break before the next-to-last
            kept = self.repeatRows + first - 1
            parts = super().split(availWidth, sum(self._rowHeights[:kept]) + 0.01) or parts
        return parts


class _HeadingsWithTable(_HeadingsWithFigure):
    """Headings kept with the table that follows them, measured with the space
    before them (see `_HeadingsWithFigure`: else a table that just fits would
    split). A table taller than a third of a page, but of more than `WHOLE_TABLE`
    rows, is kept by its start only, the header and its first rows (`first_rows`),
    and splits between rows: moved whole to the next page, it could leave more than
    a third of this one blank."""

    def wrap(self, aW, aH):
        size = super().wrap(aW, aH)
        table = self._content[-1]
        if table._height > (A4[1] - 2 * MARGIN) / 3 and len(table._cellvalues) - table.repeatRows > WHOLE_TABLE:
            self._H += sum(table._rowHeights[:1 + first_rows(len(table._rowHeights) - 1)]) - table._height
        return size


class _Entry(KeepTogether):
    """A long evidence entry: its claim kept with its first source, and each
    source's paragraph whole; it breaks only between sources."""

    def __init__(self, flowables):
        first = KeepTogether(flowables[:2])
        super().__init__([first, *[KeepTogether([f]) for f in flowables[2:]]])

    def split(self, aW, aH):
        # The claim and its first source as KeepTogether splits them: laid here when
        # they fit, else after a frame break; a flowable handed back must fit where it
        # is laid, which a KeepTogether (measured as infinitely tall) never does.
        first, *rest = self._content
        first.wrapOn(self.canv, aW, aH)
        return first.splitOn(self.canv, aW, aH) + rest


def _evidence_markup(entry, meta: Meta) -> str:
    """'APA (B): « … » (translation: “…”) « … »': the source by name and grade;
    it is described once, in the sources list."""
    name = f"<b>{_text(entry.source)}</b>"
    if entry.url:
        name = f'<a href="{_href(entry.url)}"><u>{name}</u></a>'
    parts = [name + _text(meta.labels.colon)]
    passages = entry.passages or (entry.quote,)
    translations = entry.translations or (None,) * len(passages)
    quoted_at: tuple[int | None, ...] = entry.quoted_at or (None,) * len(passages)
    for index, (passage, translation, earlier) in enumerate(zip(passages, translations, quoted_at)):
        if earlier:  # printed whole in earlier entries: one reference to them for a run of such passages
            if index == 0 or not quoted_at[index - 1]:
                pieces = referred_to(referred_run(quoted_at, index), meta.labels)  # "(see evidence 4 and 41)"
                parts.append((" " if index else "") + "".join(
                    f'<a href="#note-{piece}">{piece}</a>' if isinstance(piece, int) else _text(piece) for piece in pieces))
            continue
        opening, closing = quote_marks(passage, entry.language)
        parts.append((" " if index else "") + f"<i>{opening}{_text(passage)}{closing}</i>")
        if translation:
            opening, closing = quote_marks(translation, meta.language)
            parts.append(" " + _text(meta.labels.translation % {"text": f"{opening}{translation}{closing}"}))
    return "".join(parts)


def _as_parsed(markup: str, style: ParagraphStyle) -> bool:
    """Whether the parser would take the texts of `markup` as they are: it
    cleans spaces (one between words, none at either end), starts a new
    fragment at each escaped character, and applies a style's text transform."""
    return "&" not in markup and not style.textTransform and markup == cleanBlockQuotedText(markup)


def _copy(fragment, **changes):
    """A fragment of its own: reportlab's clone() would share its lists of
    links and underlines (the only lists a fragment holds)."""
    attributes = vars(fragment)
    for name in ("link", "us_lines"):
        if name in attributes and name not in changes:
            changes[name] = list(attributes[name])
    return fragment.clone(**changes)


def _column_widths(block: TableBlock, columns: int) -> list[float]:
    """The text width shared among the columns (see `share_widths`), measured in
    the bold face a cell may use."""
    width = A4[0] - 2 * MARGIN
    return share_widths((block.header, *block.rows), columns, width,
                        lambda piece: stringWidth(piece, f"{FAMILY}-Bold", 9) + 13)


TOTAL_PAGES_FORM = "total-pages"


class _Story(deque):
    """The story as platypus consumes it: from the front, a flowable at a time,
    putting the pieces of a split flowable back in front. On a list each of
    those steps moves every flowable behind it, so a long brief would take time
    in the square of its length; on a deque they take constant time. Platypus
    slices only at the front: `story[:n]`, `del story[:n]`, `story[0:0] = pieces`
    (other slices work as well; a step does not)."""

    def __getitem__(self, index):
        if isinstance(index, slice):
            return list(islice(self, *index.indices(len(self))))
        return super().__getitem__(index)

    def __delitem__(self, index):
        if isinstance(index, slice):
            start, stop, _ = index.indices(len(self))
            self.rotate(-start)
            for _ in range(max(stop - start, 0)):
                self.popleft()
            self.rotate(start)
        else:
            super().__delitem__(index)

    def __setitem__(self, index, values):
        if isinstance(index, slice):
            start, stop, _ = index.indices(len(self))
            del self[start:stop]
            self.rotate(-start)
            self.extendleft(reversed(list(values)))
            self.rotate(start)
        else:
            super().__setitem__(index, values)


def _decorate_page(meta: Meta):
    """Marking top and bottom, reference and date, "Page X of Y".

    Y is unknown while pages are drawn, so each page shows a form that the
    canvas fills in once, at the end (see `_Canvas.save`)."""
    family = register_fonts()
    marking = visual_string(meta.marking, f"{FAMILY}-Bold", 7.5, family)
    reference = visual_string(meta.reference if meta.reference != "unknown" else "", FAMILY, 7.5, family)
    date = visual_string(meta.date_text if meta.date != "unknown" else "", FAMILY, 7.5, family)
    footer = visual_string(" · ".join(v for v in (meta.reference, meta.date_text if meta.date != "unknown" else "unknown")
                                      if v != "unknown"), FAMILY, 7.5, family)

    def decorate(canvas: Canvas, doc) -> None:
        canvas.saveState()
        width, height = A4
        page = canvas.getPageNumber()
        canvas.setFont(f"{FAMILY}-Bold", 7.5)
        canvas.drawCentredString(width / 2, height - 1.3 * cm, marking)
        canvas.drawCentredString(width / 2, 0.9 * cm, marking)
        canvas.setFont(FAMILY, 7.5)
        if page > 1:
            canvas.drawString(MARGIN, height - 1.3 * cm, reference)
            canvas.drawRightString(width - MARGIN, height - 1.3 * cm, date)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.4)
        canvas.line(MARGIN, 1.55 * cm, width - MARGIN, 1.55 * cm)
        canvas.drawString(MARGIN, 1.2 * cm, footer)
        label = visual_string(page_label(meta, page), FAMILY, 7.5, family)
        x = width - MARGIN - canvas.stringWidth(label + "000", FAMILY, 7.5)
        canvas.drawString(x, 1.2 * cm, label)
        canvas.translate(x + canvas.stringWidth(label, FAMILY, 7.5), 1.2 * cm)
        canvas.doForm(TOTAL_PAGES_FORM)
        canvas.restoreState()
    return decorate


def _pdf_escape(code: int) -> str:
    """What reportlab's escapePDF makes of one byte of a drawn string."""
    if code < 32 or code >= 127:
        return f"\\{code:03o}"
    return "\\" + chr(code) if chr(code) in "\\()" else chr(code)


_PDF_ESCAPES = {code: _pdf_escape(code) for code in range(256)}


def _escape_by_translation(self, text):
    """reportlab's escapePDF, which loops in Python unless its optional C
    accelerator is installed, as one `str.translate` of the drawn bytes."""
    return (text.decode("latin-1") if isinstance(text, bytes) else text).translate(_PDF_ESCAPES)


class _Canvas(Canvas):
    if "escapePDF" in rl_accel._py_funcs:  # without the C accelerator
        _escape = _escape_by_translation

    def save(self):
        self.beginForm(TOTAL_PAGES_FORM)
        self.setFont(FAMILY, 7.5)
        self.drawString(0, 0, str(self.getPageNumber() - 1))
        self.endForm()
        super().save()


def document_texts(document: Document):
    """Every piece of text the PDF will draw, with a name for where it comes from."""
    meta = document.meta
    yield "the figure caption", meta.labels.timeline_figure
    for name in ("title", "subject", "organisation", "author", "marking", "audience", "reference", "doc_type"):
        yield f"the brief's {name}", getattr(meta, name)

    def walk(blocks):
        for block in blocks:
            if isinstance(block, (Heading, Para)):
                yield "the text", plain_text(block.children)
            elif isinstance(block, ListBlock):
                for item in block.items:
                    yield from walk(item)
            elif isinstance(block, TableBlock):
                for row in (block.header, *block.rows):
                    for cell in row:
                        yield "a table", plain_text(cell)
    yield from walk(document.blocks)
    for note in document.notes:
        yield f"evidence note {note.number}", note.content.claim
        for entry in note.content.entries:
            yield f"evidence note {note.number}", f"{entry.source} {entry.descriptor} {entry.quote}"


def render_pdf(document: Document, path: Path) -> None:
    family = register_fonts()
    check_glyphs(document_texts(document), family.covered)
    meta = document.meta
    with reportlab_patched(family):  # the story too: a figure lays its labels out as it is built (measured as drawn)
        story = _Story(_Builder(document).build())
        pages = _lay_out(story, meta, path)
    if meta.page_budget and pages > meta.page_budget:
        file, line = meta.budget_where
        raise BriefingError(
            f"the '{meta.template}' brief runs to {pages} pages but its template allows {meta.page_budget}: "
            "the type is not shrunk to fit; choose less (fewer headline facts, shorter claims)", file=file or None,
            line=line)


def _lay_out(story: _Story, meta: Meta, path: Path) -> int:
    """Write the PDF of `story`; return its number of pages."""
    reproducible = source_date_epoch() is not None
    pdf = SimpleDocTemplate(
        str(path), pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN, bottomMargin=MARGIN,
        title=meta.title, author=meta.author, subject=meta.subject, keywords=", ".join(meta.keywords),
        creator=meta.generator, producer=meta.generator, invariant=1 if reproducible else 0,
        lang=meta.language, displayDocTitle=1, initialFontName=FAMILY,
    )
    decorate = _decorate_page(meta)
    pdf.build(story, onFirstPage=decorate, onLaterPages=decorate, canvasmaker=_Canvas)
    return pdf.page
