"""Stage 4, parse: composed Markdown becomes a neutral `Document`.

markdown-it-py does the parsing (CommonMark plus tables, raw HTML off). One
extra inline rule reads citation markers `[^fact-id]`; citations are numbered in
order of first use, and citing the same fact again reuses its number. A block
attribute line (mdit-py-plugins' `attrs_block`, `{.timeline}` alone on the line
before a table) says what kind of table follows; its class is the only
attribute read.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.attrs import attrs_block_plugin

from .document import (
    LONG_PASSAGE,
    TABLE_KINDS,
    Block,
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
    Note,
    NoteContent,
    Paragraph,
    Rule,
    Strong,
    Table,
    Text,
)
from .errors import BriefingError
from .load.model import LINK_SCHEMES

_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def _citation_rule(state, silent: bool) -> bool:
    if not state.src.startswith("[^", state.pos):
        return False
    end = state.src.find("]", state.pos + 2)
    key = state.src[state.pos + 2:end] if end > 0 else ""
    if not _KEY.fullmatch(key):
        return False
    if not silent:
        state.push("citation", "", 0).meta = {"key": key}
    state.pos = end + 1
    return True


def make_parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False}).enable("table").use(attrs_block_plugin)
    parser.inline.ruler.before("link", "citation", _citation_rule)
    parser.validateLink = lambda url: True  # type: ignore[method-assign]  # every link reaches the builder, which refuses those it must (`_link`)
    return parser


MAX_BLOCKS = 100_000  # headings, paragraphs, list items, table cells... of one brief
MAX_TABLE_ROWS = 10_000
MAX_CODE_LINES = 10_000


def check_layout_bounds(tokens, source: str) -> None:
    """What a composed brief may hold before layout, whose time grows faster than
    the text: rows of a table, lines of a code block, blocks of the brief."""
    blocks = rows = 0
    for token in tokens:
        if token.type == "table_open":
            rows = 0
        elif token.type == "tr_open":
            rows += 1
            if rows > MAX_TABLE_ROWS:
                raise BriefingError(f"a table of the brief has more than {MAX_TABLE_ROWS:,} rows; split it or show fewer",
                                    file=source)
        elif token.type in ("fence", "code_block") and token.content.count("\n") > MAX_CODE_LINES:
            raise BriefingError(f"a code block of the brief has more than {MAX_CODE_LINES:,} lines", file=source)
        if token.nesting == 1 or token.type in ("fence", "code_block", "hr"):
            blocks += 1
            if blocks > MAX_BLOCKS:
                raise BriefingError(f"the brief has more than {MAX_BLOCKS:,} blocks (paragraphs, list items, table cells…); "
                                    "the template writes too much to lay out", file=source)


_NOTE_ANCHOR = re.compile(r"^#note-[1-9][0-9]{0,5}$")  # the evidence notes: the anchors every format defines


def parse_markdown(markdown: str, meta: Meta, notes: dict[str, NoteContent], source: str = "<template>") -> Document:
    """Turn Markdown into a `Document`; `notes` holds what each citation key leads to."""
    builder = _Builder(notes, source, by_sources=meta.evidence == "brief",
                       calls_before_punctuation=meta.language.split("-")[0] in CALLS_BEFORE_PUNCTUATION)
    tokens = make_parser().parse(markdown)
    check_layout_bounds(tokens, source)
    blocks = builder.blocks(tokens, 0, None)[0]
    if meta.numbered:
        blocks = _number(blocks)
    for url, line in builder.note_links:
        if int(url[len("#note-"):]) > len(builder.numbers):
            raise template_error(f"a link goes to '{url}', but the brief has {len(builder.numbers)} evidence notes",
                                 source, line, [f"]({url})", url])
    ordered = sorted(builder.numbers.items(), key=lambda item: item[1])
    return Document(meta, tuple(blocks), _refer_back(tuple(Note(number, key, notes[key]) for key, number in ordered)))




def _refer_back(notes: tuple[Note, ...]) -> tuple[Note, ...]:
    """Mark each long passage an earlier note already gives (same source, same
    words), so an evidence list prints it once and refers to it after."""
    first: dict[tuple[str, str], int] = {}
    marked = []
    for note in notes:
        entries = []
        for entry in note.content.entries:
            quoted_at = tuple(_first_note(first, entry.source, passage, note.number) for passage in entry.passages)
            entries.append(replace(entry, quoted_at=quoted_at) if any(quoted_at) else entry)
        marked.append(replace(note, content=replace(note.content, entries=tuple(entries))))
    return tuple(marked)


def _first_note(first: dict[tuple[str, str], int], source: str, passage: str, number: int) -> int | None:
    """The earlier note that gives this long passage of `source`, or None (and this note is now its first)."""
    if len(passage) < LONG_PASSAGE:
        return None
    seen = first.setdefault((source, passage), number)
    return None if seen == number else seen


def template_error(message: str, source: str, markdown_line: int | None, literals: list[str],
                   patterns: tuple[re.Pattern, ...] = ()) -> BriefingError:
    """An error in the Markdown a template wrote, at the template's line: the first line of the
    template's body that holds one of `literals` (or matches one of `patterns`) as the mistake is
    written there; else the template, saying which line of the Markdown holds it."""
    try:
        text = Path(source).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, ValueError):
        text = ""
    lines = text.splitlines()
    body = next((number for number, line in enumerate(lines, 1) if "---#}" in line), 0)  # after the front matter
    for literal in literals:
        for number, line in enumerate(lines[body:], body + 1):
            if literal in line:
                return BriefingError(message, file=source, line=number)
    for pattern in patterns:
        for number, line in enumerate(lines[body:], body + 1):
            if pattern.search(line):
                return BriefingError(message, file=source, line=number)
    where = f" (in the Markdown the template wrote, line {markdown_line})" if markdown_line else ""
    return BriefingError(message + where, file=source)


class _Builder:
    def __init__(self, notes: dict[str, NoteContent], source: str, by_sources: bool = False,
                 calls_before_punctuation: bool = False):
        self.notes = notes
        self.source = source
        self.calls_before_punctuation = calls_before_punctuation
        # a brief note is its sources alone: two facts with the same sources share one note
        self.by_sources = by_sources
        self.first_cited: dict[str, str] = {}  # a brief note's text → the key first cited with it
        self.numbers: dict[str, int] = {}
        self.note_links: list[tuple[str, int | None]] = []  # links to #note-N (and their line), checked once every note is numbered
        self.line: int | None = None  # the line of the Markdown being read, for errors

    def blocks(self, tokens: list[Token], index: int, closing: str | None) -> tuple[list[Block], int]:
        """Read blocks from `index` until the token type `closing`; return them and the next index."""
        blocks: list[Block] = []
        while index < len(tokens):
            token = tokens[index]
            if token.type == closing:
                return blocks, index + 1
            if token.type == "heading_open":
                blocks.append(Heading(int(token.tag[1]), self.inlines(tokens[index + 1])))
                index += 3
            elif token.type == "paragraph_open":
                blocks.append(Paragraph(self.inlines(tokens[index + 1])))
                index += 3
            elif token.type in ("bullet_list_open", "ordered_list_open"):
                listing, index = self.list_block(tokens, index)
                blocks.append(listing)
            elif token.type == "table_open":
                table, index = self.table(tokens, index)
                blocks.append(table)
            elif token.type == "hr":
                blocks.append(Rule())
                index += 1
            elif token.type in ("fence", "code_block"):
                blocks.append(Paragraph((Code(token.content.rstrip("\n")),)))
                index += 1
            else:  # blockquote_open/close and the like: keep their contents, drop the frame
                index += 1
        return blocks, index

    def list_block(self, tokens: list[Token], index: int) -> tuple[ListBlock, int]:
        opening = tokens[index]
        closing = opening.type.replace("_open", "_close")
        items = []
        index += 1
        while tokens[index].type != closing:
            item, index = self.blocks(tokens, index + 1, "list_item_close")
            items.append(tuple(item))
        start = int(opening.attrGet("start") or 1)
        return ListBlock(opening.type.startswith("ordered"), tuple(items), start), index + 1

    def table(self, tokens: list[Token], index: int) -> tuple[Table, int]:
        classes = str(tokens[index].attrGet("class") or "").split()
        kind = next((name for name in classes if name in TABLE_KINDS), None)
        header: list = []
        rows: list = []
        row: list = []
        in_head = False
        while tokens[index].type != "table_close":
            token = tokens[index]
            if token.type == "thead_open":
                in_head = True
            elif token.type == "thead_close":
                in_head = False
            elif token.type == "tr_open":
                row = []
            elif token.type == "tr_close":
                (header if in_head else rows).append(tuple(row))
            elif token.type == "inline":
                row.append(self.inlines(token))
            index += 1
        return Table(header[0] if header else (), tuple(rows), kind), index + 1

    def inlines(self, token: Token) -> tuple[Inline, ...]:
        self.line = token.map[0] + 1 if token.map else self.line
        result, _ = self._inline_run(token.children or [], 0, None)
        return tuple(result)

    def _inline_run(self, tokens: list[Token], index: int, closing: str | None) -> tuple[list[Inline], int]:
        run: list[Inline] = []
        while index < len(tokens):
            token = tokens[index]
            kind = token.type
            index += 1
            if kind == closing:
                break
            if kind == "text":
                run.append(Text(token.content))
            elif kind == "softbreak":
                run.append(Text(" "))
            elif kind == "hardbreak":
                run.append(LineBreak())
            elif kind == "code_inline":
                run.append(Code(token.content))
            elif kind == "image":
                run.append(Text(token.content))
            elif kind == "citation":
                run.append(Citation(self.number_of(token.meta["key"])))
            elif kind in ("strong_open", "em_open", "link_open"):
                children, index = self._inline_run(tokens, index, kind.replace("_open", "_close"))
                if kind == "strong_open":
                    run.append(Strong(tuple(children)))
                elif kind == "em_open":
                    run.append(Emphasis(tuple(children)))
                else:
                    run.append(self._link(str(token.attrGet("href") or ""), tuple(children)))
        run = _merge_text(run)
        return (_calls_before_punctuation(run) if self.calls_before_punctuation else run), index

    def _link(self, url: str, children: tuple[Inline, ...]) -> Link:
        """A link of the allowed schemes only: any other (javascript:, file:, smb:)
        would pass into both formats as a live link."""
        if not url.lower().startswith(LINK_SCHEMES) and not url.startswith("#"):
            shown = url if len(url) <= 80 else url[:80] + "…"
            raise template_error(f"a link goes to http://, https://, mailto: or #anchor, not '{shown}'", self.source,
                                 self.line, [f"]({url}", url])
        if url.startswith("#") and _NOTE_ANCHOR.match(url):
            self.note_links.append((url, self.line))
        elif url.startswith("#"):
            shown = url if len(url) <= 80 else url[:80] + "…"
            raise template_error(f"a link goes to '{shown}', which is no heading of the brief nor an anchor every format has; "
                                 "link to an evidence note as #note-1, #note-2…", self.source, self.line, [f"]({url})", url])
        return Link(url, children)

    def number_of(self, key: str) -> int:
        if key not in self.notes:
            raise template_error(f"the template cites '{key}', which is not a fact of this dossier", self.source, self.line,
                                 [f"[^{key}]"], (re.compile(rf"cite\(.*['\"]{re.escape(key)}['\"]"),))
        if self.by_sources:
            key = self.first_cited.setdefault(self.notes[key].short, key)
        return self.numbers.setdefault(key, len(self.numbers) + 1)


# Languages whose typography sets a note call before the punctuation it follows: « civil¹. », not « civil.¹ »
CALLS_BEFORE_PUNCTUATION = frozenset({"fr"})
_CLOSING_PUNCTUATION = re.compile(r"[\u00a0\u202f]?[.,;:!?…]+$")


def _calls_before_punctuation(run: list[Inline]) -> list[Inline]:
    """The citations that follow a text's closing punctuation moved before it (with
    the no-break space French sets before ; : ! ?): « civil.¹ » → « civil¹. »."""
    result: list[Inline] = []
    index = 0
    while index < len(run):
        inline = run[index]
        end = index + 1
        while end < len(run) and isinstance(run[end], Citation):
            end += 1
        punctuation = _CLOSING_PUNCTUATION.search(inline.text) if isinstance(inline, Text) and end > index + 1 else None
        if isinstance(inline, Text) and punctuation and punctuation.start() > 0:
            result += [Text(inline.text[:punctuation.start()]), *run[index + 1:end], Text(punctuation[0])]
            index = end
            continue
        result.append(inline)
        index += 1
    return _merge_text(result)


def _merge_text(run: list[Inline]) -> list[Inline]:
    merged: list[Inline] = []
    for inline in run:
        if isinstance(inline, Text) and merged and isinstance(merged[-1], Text):
            merged[-1] = Text(merged[-1].text + inline.text)
        else:
            merged.append(inline)
    return merged


def _number(blocks: list[Block]) -> list[Block]:
    """Number level-2 headings 1, 2, … and the paragraphs under them 1.1, 1.2, …"""
    numbered: list[Block] = []
    section = 0
    paragraph = 0
    for block in blocks:
        if isinstance(block, Heading) and block.level == 2:
            section += 1
            paragraph = 0
            block = Heading(block.level, block.children, str(section))
        elif isinstance(block, Heading) and block.level == 1:
            section = 0
        elif isinstance(block, Paragraph) and section:
            paragraph += 1
            block = Paragraph(block.children, f"{section}.{paragraph}")
        numbered.append(block)
    return numbered
