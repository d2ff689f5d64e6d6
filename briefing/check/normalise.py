"""Text normalisation for quote matching, with a map back to the original text.

A quote typed by an analyst may differ from the article in invisible ways:
Unicode composition, runs of spaces or line breaks, ’ against ', « » against ".
Both sides are normalised the same way; a map from normalised positions to
offsets in the original text gives the quote's span in the source.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass

_APOSTROPHES = "\u2019\u2018\u02bc\u2032\u0060\u00b4"
_OPENING_QUOTES = "\u00ab\u201c\u201e\u2039"
_CLOSING_QUOTES = "\u00bb\u201d\u201f\u203a"
_REPLACEMENTS = {
    **{c: "'" for c in _APOSTROPHES},
    **{c: '"' for c in _OPENING_QUOTES + _CLOSING_QUOTES},
    "\u2026": "...",
}
# Whatever the fast path must rewrite in place: any whitespace but a lone plain
# space, a plain space next to a guillemet (« Je » matches "Je"), and … → ...
# The other replacements are one character for one: they are made on the whole
# text at once (`_one_for_one`) without breaking it into runs.
# (The lookahead lets the scan pass over letters at one test instead of seven.)
_SPECIAL = re.compile(
    r"(?=[\s\u2026])(?:\s{2,}|[^\S ]|(?<=[" + _OPENING_QUOTES + r"]) | (?=[" + _CLOSING_QUOTES + r"])|^ | $|\u2026)"
)
_ONE_FOR_ONE = [(c, r) for c, r in _REPLACEMENTS.items() if len(r) == 1]


def _one_for_one(text: str) -> str:
    for char, replacement in _ONE_FOR_ONE:  # str.replace scans in C, far faster than str.translate
        if char in text:
            text = text.replace(char, replacement)
    return text


@dataclass(frozen=True)
class Normalised:
    """Normalised text, and runs mapping it back: run j starts at `starts[j]` in
    the normalised text and at `origins[j]` in the original, covering `lengths[j]`
    original characters (a replacement such as … → ... maps to one character)."""

    text: str
    starts: tuple[int, ...]
    origins: tuple[int, ...]
    lengths: tuple[int, ...]

    def offset(self, index: int) -> int:
        run = bisect_right(self.starts, index) - 1
        return self.origins[run] + min(index - self.starts[run], self.lengths[run] - 1)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of normalised characters start..end (end exclusive)."""
        return self.offset(start), self.offset(end - 1) + 1


class _Builder:
    def __init__(self):
        self.parts: list[str] = []
        self.size = 0
        self.starts: list[int] = []
        self.origins: list[int] = []
        self.lengths: list[int] = []

    def add(self, text: str, origin: int, length: int) -> None:
        if not text:
            return
        self.parts.append(text)
        self.starts.append(self.size)
        self.origins.append(origin)
        self.lengths.append(length)
        self.size += len(text)

    def build(self) -> Normalised:
        return Normalised("".join(self.parts), tuple(self.starts), tuple(self.origins), tuple(self.lengths))


def normalise(text: str) -> Normalised:
    if not unicodedata.is_normalized("NFC", text):
        return _normalise_slowly(text)
    out = _Builder()
    done = 0
    translated = _one_for_one(text)
    for match in _SPECIAL.finditer(text):
        start, end = match.span()
        out.add(translated[done:start], done, start - done)
        done = end
        replacement = _replacement(text, start, end)
        out.add(replacement, start, 1)
    out.add(translated[done:], done, len(text) - done)
    return out.build()


def _replacement(text: str, start: int, end: int) -> str:
    """What a match of `_SPECIAL` becomes: "..." for …; for whitespace, one space
    between words, nothing at either end or next to a guillemet."""
    if text[start] == "\u2026":
        return "..."
    if start > 0 and end < len(text) and text[start - 1] not in _OPENING_QUOTES and text[end] not in _CLOSING_QUOTES:
        return " "
    return ""


def _clusters(text: str):
    """Yield (offset, cluster): a character with the combining marks that follow it."""
    start = 0
    for index in range(1, len(text) + 1):
        if index == len(text) or not unicodedata.combining(text[index]):
            yield start, text[start:index]
            start = index


def _normalise_slowly(text: str) -> Normalised:
    """Cluster by cluster, composing each base character with its marks."""
    out = _Builder()
    pending_space = None
    previous = ""
    for offset, cluster in _clusters(text):
        if cluster.isspace():
            if out.size and pending_space is None:
                pending_space = offset
            continue
        if pending_space is not None and cluster[0] not in _CLOSING_QUOTES and previous not in _OPENING_QUOTES:
            out.add(" ", pending_space, 1)
        pending_space = None
        composed = "".join(_REPLACEMENTS.get(c, c) for c in unicodedata.normalize("NFC", cluster))
        out.add(composed, offset, len(cluster))
        previous = cluster[0]
    return out.build()


def normalise_quote(quote: str) -> str:
    """The normalised text alone: no map back is needed for a quote."""
    if not unicodedata.is_normalized("NFC", quote):
        return _normalise_slowly(quote).text
    return _one_for_one(_SPECIAL.sub(lambda match: _replacement(quote, *match.span()), quote))
