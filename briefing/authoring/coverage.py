"""How much of each source the facts cite: sentence by sentence.

A curated dossier should leave no factual sentence of its sources unused. This
module splits every source text into sentences and marks each one cited when
the span of any located quote (see `briefing.check.LocatedQuote`) overlaps it.

* a line break always ends a sentence (an extracted text holds one paragraph
  a line);
* within a line, sentences are found by pysbd, the rule-based segmenter of
  the "Golden Rules", in the source's language (English where pysbd has no
  rules for it): "U.S.", "M. Dupont" or "3 Jan. 2025" do not end a sentence;
* a line longer than `MAX_PIECE` characters is given to pysbd in pieces of
  at most that many, cut after a sentence end where there is one, else at a
  space, and a piece that holds none of the marks that end a sentence in its
  language (`.`, `!`, `?`, `…` in most) is taken as one sentence without
  asking pysbd: pysbd's time grows with the square of what it is given, and a
  text of a million characters without a full stop would never be done;
* a piece holding no letter or digit (a list bullet "-", a stray "»") is not
  a sentence;
* **page furniture** is a line that is one short piece (at most 12 words) and
  does not end as a sentence ends (with '.', '!', '?' or '…', a closing quote
  or bracket allowed after it): a headline, a byline, a date alone, a
  navigation link, a signature. It is listed apart and not counted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import NamedTuple

from ..check import CheckedDossier

_LINE = re.compile(r"[^\r\n]+")
_WORD = re.compile(r"\w")
_SENTENCE_END = re.compile(r"[.!?…][\"'»”’)\]]*$")
_CUT = re.compile(r"[.!?…][\"'»”’)\]]*\s+|\s+")  # after a sentence end, else at a space
FURNITURE_WORDS = 12
MAX_PIECE = 10_000  # characters pysbd segments at once (the longest line of the default dossier has 869)
MAX_COVERED = 1_000_000  # characters of a source that coverage segments (pysbd takes seconds a megabyte): a book


class Sentence(NamedTuple):
    """One sentence of a source: its text, its character span, whether a quote covers it."""

    text: str
    start: int
    end: int
    cited: bool
    furniture: bool = False


@dataclass(frozen=True)
class SourceCoverage:
    source_id: str
    sentences: list[Sentence] = field(default_factory=list)
    cited_count: int = 0
    total: int = 0
    share: float = 0.0  # cited_count / total, 0.0 for a source without sentences
    furniture: list[Sentence] = field(default_factory=list)  # headlines, bylines, dates alone: not counted
    counted: int | None = None  # the characters counted, of a text longer than `MAX_COVERED`; None: all of it

    @property
    def uncited(self) -> list[Sentence]:
        return [sentence for sentence in self.sentences if not sentence.cited]


@cache
def segmenter(language: str = "en"):
    """One pysbd segmenter per language, made once (making one compiles its rules)."""
    import pysbd
    from pysbd.languages import LANGUAGE_CODES

    code = (language or "en").split("-")[0].lower()
    return pysbd.Segmenter(language=code if code in LANGUAGE_CODES else "en", clean=False)


def split_sentences(text: str, language: str = "en") -> list[tuple[str, int, int]]:
    """The sentences of `text` as (sentence, start, end), spans into `text`."""
    return [(piece, start, end) for piece, start, end, _ in segment(text, language)]


def segment(text: str, language: str = "en") -> list[tuple[str, int, int, bool]]:
    """(sentence, start, end, is page furniture) for each sentence of `text`, in order."""
    found = []
    for line in _LINE.finditer(text):
        body = line.group()
        pieces = [(stripped, line.start() + at, line.start() + end)
                  for stripped, at, end in _found_in_order(body, _sentences(body, language) if body.strip() else [], 0)
                  if _WORD.search(stripped)]
        furniture = len(pieces) == 1 and len(pieces[0][0].split()) <= FURNITURE_WORDS \
            and not _SENTENCE_END.search(pieces[0][0])
        found += [(piece, start, end, furniture) for piece, start, end in pieces]
    return found


@cache
def sentence_ends(language: str = "en") -> re.Pattern:
    """The marks that end a sentence in `language`, as pysbd's rules for it give them."""
    marks = "".join(segmenter(language).language_module.Punctuations) + "…"
    return re.compile(f"[{re.escape(marks)}]")


def _sentences(line: str, language: str) -> list[str]:
    """What pysbd makes of `line`, a long one in pieces (see the module's docstring)."""
    split = segmenter(language).segment
    if len(line) <= MAX_PIECE:
        return split(line)
    ends = sentence_ends(language)
    return [sentence for piece in _pieces(line) for sentence in (split(piece) if ends.search(piece) else [piece])]


def _pieces(line: str) -> list[str]:
    """`line` in consecutive pieces of at most `MAX_PIECE` characters, each cut after the last
    sentence end it holds, else after its last space (else where the limit falls)."""
    pieces, start = [], 0
    while len(line) - start > MAX_PIECE:
        cuts = list(_CUT.finditer(line, start, start + MAX_PIECE))
        ends = [cut for cut in cuts if not cut.group().isspace()]
        cut = (ends or cuts)[-1].end() if cuts else start + MAX_PIECE
        pieces.append(line[start:cut])
        start = cut
    return pieces + [line[start:]]


def sentence_starts(text: str, language: str = "en") -> list[int]:
    """Where each sentence of `text` starts after one that ends as a sentence ends: the places a
    passage found by `quote` does not run across (a line break alone, in hard-wrapped text, is none)."""
    starts = [start for _, start, _, _ in segment(text, language)]
    return starts[:1] + [start for start in starts[1:] if _SENTENCE_END.search(text[max(0, start - 12):start].rstrip())]


def sentence_starts_within(text: str, spans: list[tuple[int, int]], language: str = "en") -> list[int]:
    """The starts of `sentence_starts(text)` that lie in a line the `spans` (each a (start, end) of
    `text`) touch, sorted: only those lines, and of a long line only the pieces a span touches, are
    segmented, so that `quote` can look for a passage in a long text without segmenting all of it.
    The first start of the text is kept or not (it starts no passage's inside)."""
    from bisect import bisect_right

    merged: list[list[int]] = []
    for begin, end in sorted(spans):
        if merged and begin <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([begin, end])
    lefts = [begin for begin, _ in merged]

    def touched(begin: int, end: int) -> bool:  # whether [begin, end) meets a span
        at = bisect_right(lefts, end) - 1  # the last span starting before `end`... or at it
        return at >= 0 and merged[at][1] >= begin

    found: set[int] = set()
    seen: set[int] = set()  # lines already segmented, by start
    for begin, end in merged:
        line_start = max(text.rfind("\n", 0, begin), text.rfind("\r", 0, begin)) + 1
        for line in _LINE.finditer(text, line_start):
            if line.start() > end:
                break
            if line.start() in seen:
                continue
            seen.add(line.start())
            body = line.group()
            if not body.strip():
                continue
            pieces = [(0, body)] if len(body) <= MAX_PIECE else _pieces_at(body)
            for offset, piece in pieces:
                if not touched(line.start() + offset, line.start() + offset + len(piece)):
                    continue
                parts = segmenter(language).segment(piece) if len(pieces) == 1 or sentence_ends(language).search(piece) \
                    else [piece]
                found.update(line.start() + at for stripped, at, _ in _found_in_order(body, parts, offset)
                             if _WORD.search(stripped))
    return sorted(start for start in found if _SENTENCE_END.search(text[max(0, start - 12):start].rstrip()))


def _pieces_at(line: str) -> list[tuple[int, str]]:
    """`_pieces(line)`, each with its offset in `line`."""
    pieces, at = [], 0
    for piece in _pieces(line):
        pieces.append((at, piece))
        at += len(piece)
    return pieces


def source_coverage(checked: CheckedDossier) -> list[SourceCoverage]:
    """For each source of the dossier, in order: which sentences the facts cite."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for fact in checked.facts:
        for quote in fact.evidence:
            spans.setdefault(quote.source.id, []).append((quote.start, quote.end))
    result = []
    for source in checked.dossier.sources:
        quoted = spans.get(source.id, [])
        counted = covered_length(source.text)
        every = [
            Sentence(text, start, end, any(q_start < end and start < q_end for q_start, q_end in quoted), furniture)
            for text, start, end, furniture in segment(source.text[:counted], source.meta.language)
        ]
        sentences = [sentence for sentence in every if not sentence.furniture]
        cited = sum(sentence.cited for sentence in sentences)
        total = len(sentences)
        result.append(SourceCoverage(source.id, sentences, cited, total, cited / total if total else 0.0,
                                     [sentence for sentence in every if sentence.furniture],
                                     counted if counted < len(source.text) else None))
    return result


def covered_length(text: str) -> int:
    """How much of `text` coverage counts: all of it, up to `MAX_COVERED` characters; of a longer
    one, up to a line break in the last `MAX_PIECE` characters before that, else (in a long line)
    a sentence end there, else a space."""
    if len(text) <= MAX_COVERED:
        return len(text)
    line = text.rfind("\n", MAX_COVERED - MAX_PIECE, MAX_COVERED + 1)
    if line >= 0:
        return line + 1
    cuts = list(_CUT.finditer(text, max(0, MAX_COVERED - MAX_PIECE), MAX_COVERED))
    ends = [cut for cut in cuts if not cut.group().isspace()]
    return (ends or cuts)[-1].end() if cuts else MAX_COVERED


def _found_in_order(body: str, parts, cursor: int):
    """Each part's text, stripped, with its span in `body`, looked for in order from `cursor`
    (a part the segmenter changed, and so not found as it is, is left out)."""
    for part in parts:
        stripped = part.strip()
        at = body.find(stripped, cursor) if stripped else -1
        if at < 0:
            continue
        cursor = at + len(stripped)
        yield stripped, at, cursor
