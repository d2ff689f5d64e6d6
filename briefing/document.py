"""The neutral document every renderer draws: blocks, inlines, notes, metadata.

It knows nothing of facts or templates, and nothing of DOCX or PDF. A renderer
maps it onto its format's native features.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

# Inlines ---------------------------------------------------------------------

@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Strong:
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Emphasis:
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Code:
    text: str


@dataclass(frozen=True)
class Link:
    url: str
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Citation:
    """A reference to note `number` (numbers follow the order of first use)."""

    number: int


@dataclass(frozen=True)
class LineBreak:
    pass


Inline = Text | Strong | Emphasis | Code | Link | Citation | LineBreak


# Blocks ----------------------------------------------------------------------

@dataclass(frozen=True)
class Heading:
    level: int
    children: tuple[Inline, ...]
    number: str | None = None  # "2" in a brief with numbered paragraphs


@dataclass(frozen=True)
class Paragraph:
    children: tuple[Inline, ...]
    number: str | None = None  # "2.3": a reader can say "see paragraph 2.3"


@dataclass(frozen=True)
class ListBlock:
    ordered: bool
    items: tuple[tuple[Block, ...], ...]
    start: int = 1


TABLE_KINDS = ("timeline",)  # the kinds of table a template may mark (`{.timeline}` on the line before it)


@dataclass(frozen=True)
class Table:
    header: tuple[tuple[Inline, ...], ...]
    rows: tuple[tuple[tuple[Inline, ...], ...], ...]
    # what the table is, where a renderer may show more than its cells: "timeline", dated events in
    # date order (first column the date, second the event), which the PDF also draws as a figure
    kind: str | None = None


@dataclass(frozen=True)
class Rule:
    pass


Block = Heading | Paragraph | ListBlock | Table | Rule


# Notes and metadata ----------------------------------------------------------

LONG_PASSAGE = 120  # characters: a passage this long is printed whole once in a brief's evidence, then referred to


@dataclass(frozen=True)
class NoteEntry:
    """One piece of evidence: who says it, and the verbatim words."""

    source: str  # the source's name, set first and in bold
    descriptor: str  # its grade, briefly ("reliability B"): the sources list describes it in full
    quote: str  # the passages, each in « », as one text
    language: str = "unknown"
    url: str | None = None
    grade: str = ""  # the source's reliability grade, A–F
    passages: tuple[str, ...] = ()  # the verbatim passages this source gives, in order
    translations: tuple[str | None, ...] = ()  # the analyst's translation of each passage, where the dossier gives one
    # for each passage, the earlier note that prints it whole (an evidence list refers to it), or None
    quoted_at: tuple[int | None, ...] = ()
    carries: tuple[bool, ...] = ()  # for each passage, whether it gives a term or quoted words of the claim (compose.carrying)


@dataclass(frozen=True)
class NoteContent:
    """What a citation leads to: the claim, how well it is backed, the evidence."""

    claim: str
    support: str  # who backs it and how well: "APA (B), Médard Clobechi (C): credibility 1, confirmed by 2 independent sources."
    entries: tuple[NoteEntry, ...]  # one per source, in order of first quote
    short: str  # one line for compact evidence lists: "APA (B); Médard Clobechi (C)"
    brief_support: str = ""  # the credibility alone, for a footnote: "Credibility 1 (confirmed by another independent source)."


@dataclass(frozen=True)
class Note:
    number: int
    key: str
    content: NoteContent


@dataclass(frozen=True)
class Labels:
    """The fixed words a renderer prints, in the brief's language (compose
    translates them; the English ones are the messages). `%(name)s` marks
    where a value goes."""

    date: str = "Date"
    reference: str = "Reference"
    audience: str = "Audience"
    prepared_by: str = "Prepared by"
    status: str = "Status"
    marking: str = "Marking"
    status_value: str = "Draft"  # the brief's status, as the title block prints it
    contents: str = "Contents"
    evidence: str = "Evidence"
    sources_and_evidence: str = "Sources and evidence"
    page_of: str = "Page %(page)s of %(pages)s"
    translation: str = "(translation: %(text)s)"
    evidence_number: str = "evidence %(number)s"  # a citation, read aloud
    back_to_citation: str = "back to citation %(number)s"
    made_for: str = "%(doc_type)s for: %(audience)s"  # the line under a mailed brief's title
    attached: str = "Attached"
    timeline_figure: str = "Figure %(number)s. The dated events of the table below, evenly spaced (not to scale)"
    colon: str = ": "  # after a label or a source's name: "\u00a0: " in French
    quoted_at: str = "(see evidence %(number)s)"  # a long passage an earlier evidence entry prints
    quoted_in_note: str = "(see note %(number)s)"  # a long passage an earlier footnote prints
    quoted_at_several: str = "(see evidence %(numbers)s)"  # a run of such passages, printed by several entries
    quoted_in_notes: str = "(see notes %(numbers)s)"
    # how the brief's language lists items (CLDR): two, then the start, middle and end of a longer list
    list_patterns: tuple[str, str, str, str] = ("{0} and {1}", "{0}, {1}", "{0}, {1}", "{0}, and {1}")
    # the reference document's own styles (English name → the name Word also shows, in the brief's language)
    style_names: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Meta:
    title: str
    subject: str = "unknown"
    doc_type: str = "Briefing note"
    organisation: str = "unknown"
    author: str = "unknown"
    date: str = "unknown"
    reference: str = "unknown"
    status: str = "draft"
    marking: str = "UNCLASSIFIED"
    audience: str = "unknown"
    keywords: tuple[str, ...] = ()
    language: str = "en"  # the brief's
    date_text: str = "unknown"  # the date as the title block prints it: "23 June 2025"
    labels: Labels = field(default_factory=Labels)
    template: str = ""
    evidence: str = "full"  # "full": claim, source and quote; "brief": one line per note
    numbered: bool = False
    table_of_contents: bool = False
    page_budget: int | None = None
    title_block: str = "full"  # "compact": organisation and type on one line, the fields three abreast
    budget_where: tuple[str, int | None] = ("", None)  # the template file and the line that set `page_budget`
    generator: str = "briefing"


def referred_run(earlier: Sequence[int | None], start: int) -> list[int]:
    """The entries (or footnotes) that print the run of passages from `start` on, each
    once: a note refers to them at once, "(see evidence 4 and 41)"."""
    run = []
    for number in earlier[start:]:
        if number is None:
            break
        run.append(number)
    return list(dict.fromkeys(run))


def referred_to(numbers: list[int], labels: Labels, notes: bool = False) -> list[str | int]:
    """'(see evidence 4)', '(see evidence 4 and 41)' ('(see notes …)' in footnotes), as the
    texts and the numbers, for a renderer to make each number a link to what it numbers."""
    if len(numbers) == 1:
        label = (labels.quoted_in_note if notes else labels.quoted_at) % {"number": "\0"}
    else:
        label = (labels.quoted_in_notes if notes else labels.quoted_at_several) % {"numbers": "\0"}
    before, _, after = label.partition("\0")
    return [before, *listed(numbers, labels.list_patterns), after]


def listed(items: list, patterns: tuple[str, str, str, str]) -> list:
    """`items` as the brief's language lists them ("4 and 41", "4, 12, and 41"; « 4 et 41 »):
    the texts between them and the items themselves, in order, for a renderer to set
    each item as it needs (a link, a cross-reference)."""
    two, start, middle, end = patterns
    marks = [f"\0{index}\0" for index in range(len(items))]
    if len(marks) <= 1:
        text = "".join(marks)
    elif len(marks) == 2:
        text = two.format(*marks)
    else:
        text = end.format(*marks[-2:])
        for mark in reversed(marks[1:-2]):
            text = middle.format(mark, text)
        text = start.format(marks[0], text)
    pieces = re.split("\0(\\d+)\0", text)
    return [items[int(piece)] if position % 2 else piece for position, piece in enumerate(pieces)
            if piece or position % 2]


def title_block_rows(meta: Meta) -> list[tuple[str, str]]:
    """The title block's (label, value) rows, in the order every format prints
    them; a value that is not known is left out rather than printed "unknown"."""
    words = meta.labels
    rows = [(words.date, meta.date_text if meta.date != "unknown" else "unknown"), (words.reference, meta.reference),
            (words.audience, meta.audience), (words.prepared_by, meta.author), (words.status, words.status_value)]
    return [(label, value) for label, value in rows if value.lower() != "unknown"]


def title_block_grid(meta: Meta) -> list[list[tuple[str, str] | None]]:
    """The title block's fields set out as every format prints them: rows of
    two (label, value) pairs, read down the columns, None where a column ends
    short."""
    fields = title_block_rows(meta)
    down = -(-len(fields) // 2)
    columns = [fields[:down], fields[down:]]
    return [[column[row] if row < len(column) else None for column in columns] for row in range(down)]


def title_block_lines(meta: Meta) -> list[list[tuple[str, str]]]:
    """A compact title block's fields: two lines of (label, value) pairs run
    together, the date, reference and status, then the audience and author."""
    fields = title_block_rows(meta)
    first = {meta.labels.date, meta.labels.reference, meta.labels.status}
    lines = [[pair for pair in fields if pair[0] in first], [pair for pair in fields if pair[0] not in first]]
    return [line for line in lines if line]


def page_label(meta: Meta, page: int | str, pages: str = "") -> str:
    """'Page 3 of 8'; with `pages` left empty, the words before the total ('Page 3 of ')."""
    pattern = meta.labels.page_of
    before, found, after = pattern.partition("%(pages)s")
    return (before % {"page": page}) + (pages + after if pages else "") if found else pattern % {"page": page}


@dataclass(frozen=True)
class Document:
    meta: Meta
    blocks: tuple[Block, ...]
    notes: tuple[Note, ...] = field(default=())


_BREAKING_SPACES = re.compile(r"[^\S\u00a0\u202f\u2007\u2060]+")  # every white space but the no-break ones


def unbreakable_pieces(text: str) -> list[str]:
    """The pieces a line may not break inside: words, and the words a no-break space binds ("23 June 2025")."""
    return [piece for piece in _BREAKING_SPACES.split(text) if piece]


def fold_spaces(text: str) -> str:
    """Runs of white space as one space, ends trimmed; a no-break space (French
    typography, a number and its unit) stays what it is."""
    return _BREAKING_SPACES.sub(" ", text).strip()


def plain_text(inlines) -> str:
    """The characters of a run of inlines, without markup (citations dropped)."""
    parts = []
    for inline in inlines:
        if isinstance(inline, (Text, Code)):
            parts.append(inline.text)
        elif isinstance(inline, (Strong, Emphasis, Link)):
            parts.append(plain_text(inline.children))
        elif isinstance(inline, LineBreak):
            parts.append(" ")
    return "".join(parts)


def quote_marks(passage: str, language: str) -> tuple[str, str]:
    """The marks set around a quoted passage of `language`: « » (with no-break
    spaces) for a French one, whatever it quotes inside (French sets « » at
    every level); “ ” for another, or ‘ ’ when the passage holds “ ” itself
    (it quotes someone), so a reader sees where it begins and ends. One that is
    wholly a quotation in marks of its own gets none more. The passage itself
    stays verbatim."""
    text = passage.strip()
    if len(text) > 1 and (text[0], text[-1]) in (("«", "»"), ("“", "”"), ("‘", "’")):
        return "", ""
    if language.split("-")[0] == "fr":
        return "«\u00a0", "\u00a0»"
    return ("‘", "’") if "“" in passage else ("“", "”")
