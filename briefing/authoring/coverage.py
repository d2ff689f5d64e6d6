"""How much of each source the facts cite: sentence by sentence.

A curated dossier should leave no factual sentence of its sources unused. This
module splits every source text into sentences and marks each one cited when
the span of any located quote (see `briefing.check.LocatedQuote`) overlaps it.

The sentence rule is deliberately simple, so that a reader can redo it by hand:

* a line break always ends a sentence;
* within a line, a sentence ends after a run of '.', '!' or '?' that is
  followed by whitespace (so "« Je … résultats. »" ends before the closing
  guillemet, and a lone "»" left over is dropped by the next rule);
* leading and trailing whitespace is trimmed, and a piece holding no letter or
  digit (a blank line, a list bullet "-", a stray "»") is not a sentence.

Abbreviations such as "M. Dupont" would be split wrongly; the rule accepts that
in exchange for being predictable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

from ..check import CheckedDossier

_LINE = re.compile(r"[^\r\n]+")
_END = re.compile(r"[.!?]+(?=\s)")
_WORD = re.compile(r"\w")


class Sentence(NamedTuple):
    """One sentence of a source: its text, its character span, whether a quote covers it."""

    text: str
    start: int
    end: int
    cited: bool


@dataclass(frozen=True)
class SourceCoverage:
    source_id: str
    sentences: list[Sentence] = field(default_factory=list)
    cited_count: int = 0
    total: int = 0
    share: float = 0.0  # cited_count / total, 0.0 for a source without sentences

    @property
    def uncited(self) -> list[Sentence]:
        return [sentence for sentence in self.sentences if not sentence.cited]


def split_sentences(text: str) -> list[tuple[str, int, int]]:
    """The sentences of `text` as (sentence, start, end), spans into `text`."""
    sentences = []
    for line in _LINE.finditer(text):
        start = line.start()
        cuts = [match.end() + line.start() for match in _END.finditer(line.group())] + [line.end()]
        for cut in cuts:
            piece = text[start:cut]
            stripped = piece.strip()
            if _WORD.search(stripped):
                left = start + (len(piece) - len(piece.lstrip()))
                sentences.append((stripped, left, left + len(stripped)))
            start = cut
    return sentences


def source_coverage(checked: CheckedDossier) -> list[SourceCoverage]:
    """For each source of the dossier, in order: which sentences the facts cite."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for fact in checked.facts:
        for quote in fact.evidence:
            spans.setdefault(quote.source.id, []).append((quote.start, quote.end))
    result = []
    for source in checked.dossier.sources:
        quoted = spans.get(source.id, [])
        sentences = [
            Sentence(text, start, end, any(q_start < end and start < q_end for q_start, q_end in quoted))
            for text, start, end in split_sentences(source.text)
        ]
        cited = sum(sentence.cited for sentence in sentences)
        total = len(sentences)
        result.append(SourceCoverage(source.id, sentences, cited, total, cited / total if total else 0.0))
    return result
