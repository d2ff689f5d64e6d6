"""Finding a quote in its source, and saying where it is when it is not.

A quote is compared with the source after normalisation (see `normalise`) and
keeps its character span in the original text.
"""

from __future__ import annotations

import unicodedata

from ..errors import BriefingError
from ..load import Source
from .credibility import LocatedQuote
from .normalise import Normalised, normalise_quote


def find_quote(quote: str, source: Source, text: Normalised) -> tuple[int, int] | None:
    """The character span of `quote` in `source` (whose normalised text is `text`), or None."""
    wanted = normalise_quote(quote).strip()
    position = text.text.find(wanted)
    if position < 0:
        return None
    start, end = text.span(position, position + len(wanted))
    while end < len(source.text) and unicodedata.combining(source.text[end]):
        end += 1  # a composed last letter ("å" for "a" + ring) keeps its marks
    return start, end


def locate_quote(quote: str, source: Source, text: Normalised, all_texts: dict[str, Normalised]) -> LocatedQuote:
    """Find `quote` in `source`; if absent, say where it is instead, or what is closest."""
    span = find_quote(quote, source, text)
    if span is not None:
        return LocatedQuote(source, quote, *span)
    wanted = normalise_quote(quote).strip()
    elsewhere = [other for other, other_text in all_texts.items() if other != source.id and wanted in other_text.text]
    if elsewhere:
        raise BriefingError(f"quote not in source '{source.id}' but found in '{', '.join(elsewhere)}': fix the source id")
    typed, printed = _around_first_difference(" ".join(quote.split()), closest_passage(wanted, source, text))
    raise BriefingError(f"quote not found in source '{source.id}': «{typed}»; closest passage: «{printed}»")


def _around_first_difference(typed: str, printed: str, limit: int = 160) -> tuple[str, str]:
    """Both texts whole when short; when long, the stretch around where they
    first differ, so a typo near the end of a long quote can be seen."""
    if max(len(typed), len(printed)) <= limit:
        return typed, printed
    a, b = normalise_quote(typed), normalise_quote(printed)
    first = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    start = max(0, first - limit // 2)
    def window(text: str) -> str:
        piece = text[start:start + limit]
        return ("…" if start else "") + piece + ("…" if start + limit < len(text) else "")
    return window(a), window(b)


def closest_passage(wanted: str, source: Source, text: Normalised) -> str:
    from rapidfuzz import fuzz

    match = fuzz.partial_ratio_alignment(wanted, text.text)
    if match is None or match.dest_end <= match.dest_start:
        return _short(source.text)
    start, end = text.span(match.dest_start, match.dest_end)
    original = source.text
    while start > 0 and original[start - 1].isalnum():  # whole words, not a cut "homologu"
        start -= 1
    while end < len(original) and original[end].isalnum():
        end += 1
    return " ".join(original[start:end].split())


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
