"""The HTML of a `Document`: semantic elements, one stylesheet, no script.

Every text that reaches the page goes through `escape` (html.escape, quotes
included), whether it lands in an element or an attribute; the only text
written into the stylesheet (the marking and the footer line, for the printed
page's margins) goes through `css_string`, which leaves no character that
could end a string or the `<style>` element. A link is written only for the
schemes the parse stage allows (http, https, mailto, #fragment); any other URL
stays text, should a `Document` come from elsewhere.
"""

from __future__ import annotations

import base64
import html
import re
from functools import lru_cache
from pathlib import Path

from ...document import (
    Citation,
    Code,
    Document,
    Emphasis,
    Heading,
    LineBreak,
    Link,
    ListBlock,
    Note,
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
    title_block_rows,
)
from ..tables import events_description
from ..typography import bind_units

SAFE_SCHEMES = ("http://", "https://", "mailto:")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")
_SLUG = re.compile(r"[^\w]+")
COLUMN = (21 - 2 * 2.2) / 2.54 * 72  # points: the width of the text on screen and on paper (brief.css)


def escape(text: str) -> str:
    """The one escaping function: text as element content or attribute value."""
    return html.escape(text, quote=True)


def css_string(text: str) -> str:
    """`text` as a CSS string: every character but letters, digits and spaces
    as a hexadecimal escape, so nothing can close the string or the style."""
    escaped = "".join(c if (c.isascii() and c.isalnum()) or c == " " else f"\\{ord(c):x} " for c in text)
    return f'"{escaped}"'


def safe_href(url: str) -> str | None:
    """The URL as an `href`, or None for a scheme a brief does not link to."""
    url = url.strip()
    if url.startswith("#") or url.lower().startswith(SAFE_SCHEMES):
        return url
    return None


def language(code: str) -> str | None:
    """A language tag for `lang`, or None when the dossier says 'unknown' (or no tag)."""
    return code if code != "unknown" and _LANGUAGE.match(code) else None


@lru_cache(maxsize=64)
def right_to_left(code: str) -> bool:
    """Whether the language `code` is written from right to left (CLDR, through Babel)."""
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(code.replace("-", "_")).character_order == "right-to-left"
    except (UnknownLocaleError, ValueError):
        return False


@lru_cache(maxsize=1)
def stylesheet() -> str:
    return Path(__file__).with_name("brief.css").read_text(encoding="utf-8")


def render_html(document: Document) -> str:
    return _Writer(document).write()


class _Writer:
    def __init__(self, document: Document):
        self.document = document
        self.meta = document.meta
        levels = [block.level for block in document.blocks if isinstance(block, Heading)]
        self.shift = 2 - min(levels, default=2)  # the title is the one <h1>; the brief's headings start at <h2>
        self.ids: set[str] = {"contents", "evidence", "main"} | {f"note-{note.number}" for note in document.notes}
        self.cited: set[int] = set()  # notes whose first citation has its id
        self.headings: list[tuple[int, str, str]] = []  # (level, id, label), for the contents
        self.figures = 0  # numbered as the PDF numbers them

    def write(self) -> str:
        meta = self.meta
        body = "".join(self.block(block) for block in self.document.blocks)
        notes = self.notes()
        contents = self.contents() if meta.table_of_contents else ""
        lang = language(meta.language) or "en"
        head = [
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{escape(meta.title)}</title>",
        ]
        for name, value in (("author", meta.author), ("description", meta.subject),
                            ("keywords", ", ".join(meta.keywords)), ("generator", meta.generator)):
            if value and value != "unknown":
                head.append(f'<meta name="{name}" content="{escape(value)}">')
        marking = escape(meta.marking)
        return (
            f'<!DOCTYPE html>\n<html lang="{escape(lang)}">\n<head>\n' + "\n".join(head) + "\n"
            f"<style>\n{stylesheet()}{self.page_css()}</style>\n</head>\n<body>\n"
            f'<header class="marking marking-top"><p>{marking}</p></header>\n'
            f'<main id="main">\n{self.title_block()}{contents}{body}{notes}</main>\n'
            f'<footer class="page-foot"><p class="footer-line">{escape(self.footer_line())}</p>'
            f'<p class="marking">{marking}</p></footer>\n'
            "</body>\n</html>\n"
        )

    def footer_line(self) -> str:
        date = self.meta.date_text if self.meta.date != "unknown" else "unknown"
        return " · ".join(value for value in (self.meta.reference, date) if value != "unknown")

    def page_css(self) -> str:
        """The printed page's margins: marking top and bottom, reference and date, "Page X of Y"."""
        meta = self.meta
        reference = meta.reference if meta.reference != "unknown" else ""
        date = meta.date_text if meta.date != "unknown" else ""
        before, _, rest = meta.labels.page_of.partition("%(page)s")
        between, _, after = rest.partition("%(pages)s")
        return (
            "@page {\n"
            f"  @top-center {{ content: {css_string(meta.marking)}; }}\n"
            f"  @bottom-center {{ content: {css_string(meta.marking)}; }}\n"
            f"  @top-left {{ content: {css_string(reference)}; }}\n"
            f"  @top-right {{ content: {css_string(date)}; }}\n"
            f"  @bottom-left {{ content: {css_string(self.footer_line())}; }}\n"
            f"  @bottom-right {{ content: {css_string(before)} counter(page) {css_string(between)} counter(pages) "
            f"{css_string(after)}; }}\n"
            "}\n"
            '@page :first { @top-left { content: ""; } @top-right { content: ""; } }\n'
        )

    def title_block(self) -> str:
        meta = self.meta
        parts = ['<header class="title-block">\n']
        if meta.organisation != "unknown":
            parts.append(f'<p class="organisation">{escape(meta.organisation)}</p>\n')
        parts.append(f'<p class="doc-type">{escape(meta.doc_type)}</p>\n')
        parts.append(f"<h1>{escape(meta.title)}</h1>\n")
        if meta.subject != "unknown":
            parts.append(f'<p class="subject">{escape(meta.subject)}</p>\n')
        fields = title_block_rows(meta)
        parts.append('<dl class="fields">\n')
        parts += [f"<div><dt>{escape(name)}</dt><dd>{escape(value)}</dd></div>\n" for name, value in fields]
        parts.append("</dl>\n</header>\n")
        return "".join(parts)

    def contents(self) -> str:
        items = "".join(f'<li class="level-{level}"><a href="#{escape(anchor)}">{escape(label)}</a></li>\n'
                        for level, anchor, label in self.headings if level <= 3)
        title = escape(self.meta.labels.contents)
        return f'<nav class="contents" aria-labelledby="contents"><h2 id="contents">{title}</h2>\n<ol>\n{items}</ol>\n</nav>\n'

    # Blocks ------------------------------------------------------------------

    def block(self, block) -> str:
        if isinstance(block, Heading):
            return self.heading(block)
        if isinstance(block, Paragraph):
            if block.number:
                anchor = self.unique_id(f"para-{block.number}")
                return (f'<p class="numbered" id="{escape(anchor)}"><span class="number">{escape(block.number)}</span> '
                        f"{self.inlines(block.children)}</p>\n")
            return f"<p>{self.inlines(block.children)}</p>\n"
        if isinstance(block, ListBlock):
            return self.list_block(block)
        if isinstance(block, Table):
            return (self.timeline_figure(block) if block.kind == "timeline" else "") + self.table(block)
        if isinstance(block, Rule):
            return "<hr>\n"
        return ""

    def heading(self, heading: Heading) -> str:
        level = min(heading.level + self.shift, 6)
        title = plain_text(heading.children)
        anchor = self.unique_id(_SLUG.sub("-", title.lower()).strip("-") or "section")
        label = f"{heading.number} {title}" if heading.number else title
        self.headings.append((level, anchor, label))
        number = f'<span class="number">{escape(heading.number)}</span> ' if heading.number else ""
        return f'<h{level} id="{escape(anchor)}">{number}{self.inlines(heading.children)}</h{level}>\n'

    def list_block(self, block: ListBlock) -> str:
        tag = "ol" if block.ordered else "ul"
        start = f' start="{block.start}"' if block.ordered and block.start != 1 else ""
        items = []
        for item in block.items:
            if len(item) == 1 and isinstance(item[0], Paragraph) and not item[0].number:
                items.append(f"<li>{self.inlines(item[0].children)}</li>\n")  # a tight item: no <p> inside
            else:
                items.append(f"<li>{''.join(self.block(child) for child in item)}</li>\n")
        return f"<{tag}{start}>\n{''.join(items)}</{tag}>\n"

    def timeline_figure(self, block: Table) -> str:
        """The figure the PDF draws above a chronology, under the PDF's caption:
        a picture of the PDF's drawing, in the page (a data: address, which the
        preview's content policy allows for images), the events in words as its
        alternative text."""
        from ..pdf.picture import timeline_picture

        picture = timeline_picture(self.document, block, COLUMN)
        if picture is None:
            return ""
        self.figures += 1
        caption = escape(self.meta.labels.timeline_figure % {"number": self.figures})
        source = "data:image/png;base64," + base64.b64encode(picture.png).decode("ascii")
        width, height = round(picture.width * 4 / 3), round(picture.height * 4 / 3)  # points → CSS pixels
        return (f'<figure class="timeline"><figcaption>{caption}</figcaption>\n'
                f'<img src="{source}" width="{width}" height="{height}" '
                f'alt="{escape(events_description(block, self.meta.labels.colon))}"></figure>\n')

    def table(self, block: Table) -> str:
        columns = max([len(block.header)] + [len(row) for row in block.rows])
        short = len(block.rows) + (1 if block.header else 0) <= 3  # kept on one page, as the PDF does
        keep = ' class="keep"' if short else ""
        parts = [f'<div class="table"><table{keep}>\n']
        if block.header:
            cells = list(block.header) + [()] * (columns - len(block.header))
            parts.append("<thead><tr>" + "".join(f'<th scope="col">{self.inlines(cell)}</th>' for cell in cells)
                         + "</tr></thead>\n")
        parts.append("<tbody>\n")
        for row in block.rows:
            cells = list(row) + [()] * (columns - len(row))
            parts.append("<tr>" + "".join(f"<td>{self.inlines(cell)}</td>" for cell in cells) + "</tr>\n")
        parts.append("</tbody>\n</table></div>\n")
        return "".join(parts)

    # Inlines -----------------------------------------------------------------

    def inlines(self, inlines) -> str:
        out = []
        previous = None
        for inline in inlines:
            if isinstance(inline, Citation) and isinstance(previous, Citation):
                out.append('<sup class="cite-sep">,</sup>')  # 3,4 rather than 34
            previous = inline
            out.append(self.inline(inline))
        return "".join(out)

    def inline(self, inline) -> str:
        if isinstance(inline, Text):
            return escape(bind_units(inline.text))
        if isinstance(inline, Code):
            return f"<code>{escape(inline.text)}</code>"
        if isinstance(inline, Strong):
            return f"<strong>{self.inlines(inline.children)}</strong>"
        if isinstance(inline, Emphasis):
            return f"<em>{self.inlines(inline.children)}</em>"
        if isinstance(inline, Link):
            href = safe_href(inline.url)
            children = self.inlines(inline.children)
            return f'<a href="{escape(href)}">{children}</a>' if href is not None else children
        if isinstance(inline, Citation):
            number = inline.number
            anchor = ""
            if number not in self.cited:  # the evidence entry links back to the first citation
                self.cited.add(number)
                anchor = f' id="cite-{number}"'
            label = escape(self.meta.labels.evidence_number % {"number": number})
            return f'<sup class="cite"><a href="#note-{number}"{anchor} aria-label="{label}">{number}</a></sup>'
        if isinstance(inline, LineBreak):
            return "<br>"
        return ""

    def unique_id(self, wanted: str) -> str:
        anchor, count = wanted, 1
        while anchor in self.ids:
            count += 1
            anchor = f"{wanted}-{count}"
        self.ids.add(anchor)
        return anchor

    # The evidence ------------------------------------------------------------

    def notes(self) -> str:
        notes = self.document.notes
        if not notes:
            return ""
        heading = escape(self.meta.labels.sources_and_evidence)
        if self.meta.evidence == "brief":
            items = "".join(f'<li id="note-{note.number}" value="{note.number}">{escape(note.content.short)}'
                            f"{self.back_link(note)}</li>\n" for note in notes)
            return f'<section class="evidence brief" aria-label="{heading}">\n<ol class="notes">\n{items}</ol>\n</section>\n'
        items = "".join(self.note(note) for note in notes)
        return (f'<section class="evidence" aria-labelledby="evidence">\n<h2 id="evidence">{heading}</h2>\n'
                f'<ol class="notes">\n{items}</ol>\n</section>\n')

    def note(self, note: Note) -> str:
        content = note.content
        parts = [f'<li id="note-{note.number}" value="{note.number}">\n',
                 f'<p class="claim">{escape(bind_units(content.claim))}{self.back_link(note)}</p>\n']
        if content.support:
            parts.append(f'<p class="support">{escape(content.support)}</p>\n')
        for entry in content.entries:
            details = escape(entry.descriptor)
            href = safe_href(entry.url) if entry.url else None
            if entry.url and href is not None:
                details = details.replace(escape(entry.url), f'<a href="{escape(href)}">{escape(entry.url)}</a>', 1)
            lang = language(entry.language)
            quote_lang = f' lang="{escape(lang)}"' if lang else ""
            # a passage in Arabic or Hebrew reads from the right, the quotation marks around it outside
            quote_dir = ' dir="rtl"' if lang and right_to_left(lang) else ""
            passages = entry.passages or (entry.quote,)
            translations = entry.translations or (None,) * len(passages)
            quoted = []
            earlier_ones = entry.quoted_at or (None,) * len(passages)
            for index, (passage, translation, earlier) in enumerate(zip(passages, translations, earlier_ones)):
                if earlier:  # printed whole in earlier entries: one reference to them for a run of such passages
                    if index == 0 or not earlier_ones[index - 1]:
                        pieces = referred_to(referred_run(earlier_ones, index), self.meta.labels)
                        quoted.append("".join(f'<a href="#note-{piece}">{piece}</a>' if isinstance(piece, int)
                                              else escape(piece) for piece in pieces))
                    continue
                opening, closing = quote_marks(passage, entry.language)
                quoted.append(f"{opening}<span{quote_lang}{quote_dir}>{escape(fold_spaces(passage))}</span>{closing}"
                              + (f' <span class="translation">{escape(self.translated(translation))}</span>' if translation else ""))
            grade = f" ({escape(entry.grade)})" if entry.grade else ""
            parts.append(f'<div class="entry"><p class="source"><strong>{escape(entry.source)}</strong>{grade}'
                         f'{" — " + details if entry.url else ""}</p>\n'
                         f'<blockquote class="quote"><p>{" ".join(quoted)}</p></blockquote></div>\n')
        parts.append("</li>\n")
        return "".join(parts)

    def translated(self, translation: str) -> str:
        opening, closing = quote_marks(translation, self.meta.language)
        return self.meta.labels.translation % {"text": f"{opening}{translation}{closing}"}

    def back_link(self, note: Note) -> str:
        if note.number not in self.cited:
            return ""
        label = escape(self.meta.labels.back_to_citation % {"number": note.number})
        return f' <a class="back" href="#cite-{note.number}" aria-label="{label}">↩</a>'

