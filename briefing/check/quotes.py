"""Finding a quote in its source, and saying where it is when it is not.

A quote is compared with the source after normalisation (see `normalise`) and
keeps its character span in the original text.
"""

from __future__ import annotations

import re
import unicodedata

from ..errors import BriefingError
from ..load import Source
from .credibility import LocatedQuote
from .normalise import Normalised, normalise_quote

ELISION = re.compile(r"\s*\[(?:…|\.\.\.)\]\s*")  # "[…]" or "[...]" joins passages of one source
MIN_WORDS = 3  # a quote, and each passage of an elided quote, has at least this many words
MAX_GAP = 400  # characters of the source text at most between two passages of an elided quote
_WORD = re.compile(r"[^\W_]+")
_HYPHENS = "-\u2010\u2011"


def find_quote(quote: str, source: Source, text: Normalised) -> tuple[tuple[int, int], ...] | None:
    """The character spans of `quote` in `source` (whose normalised text is
    `text`): one span, or one per passage of an elided quote; None if absent.
    Each passage starts and ends on a word boundary of the source."""
    spans: list[tuple[int, int]] = []
    after = 0  # passages come in order, each after the one before
    for part in quote_parts(quote):
        wanted = normalise_quote(part).strip()
        position = _find_on_boundaries(text.text, wanted, after)
        if position is None or (spans and position - after > MAX_GAP):
            return None
        after = position + len(wanted)
        start, end = text.span(position, after)
        while end < len(source.text) and unicodedata.combining(source.text[end]):
            end += 1  # a composed last letter ("å" for "a" + ring) keeps its marks
        spans.append((start, end))
    return tuple(spans)


def quote_parts(quote: str) -> list[str]:
    """The passages of a quote: one, or those an elision mark joins."""
    if "[" not in quote:
        return [quote.strip()]
    return ELISION.split(quote.strip())


def _find_on_boundaries(text: str, wanted: str, start: int = 0) -> int | None:
    """The first position from `start` where `wanted` occurs as whole words:
    neither its first nor its last character continues a word of `text` (a
    hyphen inside a word, as in "non-ingérence", belongs to the word; an
    apostrophe ends an elided article, as in "l'insécurité")."""
    position = text.find(wanted, start)
    while position >= 0:
        if _is_boundary(text, position) and _is_boundary(text, position + len(wanted)):
            return position
        position = text.find(wanted, position + 1)
    return None


def _is_boundary(text: str, index: int) -> bool:
    """Whether a word may start or end between text[index - 1] and text[index]."""
    if index <= 0 or index >= len(text):
        return True
    return not (_word_character(text, index - 1) and _word_character(text, index))


def _word_character(text: str, index: int) -> bool:
    char = text[index]
    if char.isalnum() or unicodedata.combining(char):
        return True
    if char in _HYPHENS:  # a hyphen between two letters joins one word
        return 0 < index < len(text) - 1 and text[index - 1].isalnum() and text[index + 1].isalnum()
    return False


def quote_problem(quote: str) -> str | None:
    """What makes a quote unusable before it is even looked for, or None."""
    invisible = invisible_characters(quote)
    if invisible:
        return f"the quote holds {invisible}: retype it without them"
    parts = quote_parts(quote)
    if any(not part.strip() for part in parts):
        return "an elision mark '[…]' stands between two passages of the quote, not at its start or end"
    for part in parts:
        if len(part) > 40 and part.count(" ") >= 2 * MIN_WORDS:  # long enough, and surely words: the common case
            continue
        words = len(_WORD.findall(part))
        if words < MIN_WORDS:
            which = f"the passage «{part.strip()}»" if len(parts) > 1 else "the quote"
            return (f"{which} has {words} word{'s' if words != 1 else ''}; a quote has at least {MIN_WORDS} "
                    "words, enough to show what the source says")
    return None


def invisible_characters(text: str) -> str | None:
    """The invisible characters of `text` (zero-width, soft hyphen, direction
    marks and other format characters), named by code point, or None."""
    if text.isprintable():  # no format character is printable: the common case, at once
        return None
    found = dict.fromkeys(c for c in text if unicodedata.category(c) == "Cf")
    if not found:
        return None
    return ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, 'format character')}" for c in found)


def locate_quote(quote: str, source: Source, text: Normalised, all_texts: dict[str, Normalised]) -> LocatedQuote:
    """Find `quote` in `source`; if absent, say where it is instead, or what is closest."""
    problem = quote_problem(quote)
    if problem:
        raise BriefingError(problem)
    spans = find_quote(quote, source, text)
    if spans is not None:
        return LocatedQuote(source, quote, spans[0][0], spans[-1][1], spans)
    parts = quote_parts(quote)
    if len(parts) > 1:
        raise BriefingError(_elision_problem(parts, source, text))
    wanted = normalise_quote(quote).strip()
    inside_word = _find_on_boundaries(text.text, wanted) is None and wanted in text.text
    if inside_word:
        found = text.text.index(wanted)
        start, end = text.span(found, found + len(wanted))
        whole = _whole_words(source.text, start, end)
        raise BriefingError(f"quote found in source '{source.id}' only inside a word: «{' '.join(quote.split())}» "
                            f"is part of «{whole}»; quote whole words")
    elsewhere = [other for other, other_text in all_texts.items()
                 if other != source.id and _find_on_boundaries(other_text.text, wanted) is not None]
    if elsewhere:
        raise BriefingError(f"quote not in source '{source.id}' but found in '{', '.join(elsewhere)}': fix the source id")
    typed, printed = _around_first_difference(" ".join(quote.split()), closest_passage(wanted, source, text))
    raise BriefingError(f"quote not found in source '{source.id}': «{typed}»; closest passage: «{printed}»")


def _elision_problem(parts: list[str], source: Source, text: Normalised) -> str:
    """Which passage of an elided quote is missing, out of order, or too far from the one before."""
    after = 0
    for number, part in enumerate(parts, 1):
        wanted = normalise_quote(part).strip()
        position = _find_on_boundaries(text.text, wanted, after)
        if position is None:
            earlier = _find_on_boundaries(text.text, wanted)
            if earlier is not None:
                return f"passage {number} of the elided quote comes before passage {number - 1} in source '{source.id}': keep them in order"
            return f"passage {number} of the elided quote is not in source '{source.id}': «{' '.join(part.split())}»"
        if number > 1 and position - after > MAX_GAP:
            return (f"passage {number} of the elided quote is {position - after} characters after the one before in source "
                    f"'{source.id}'; an elision joins passages at most {MAX_GAP} characters apart: quote them separately")
        after = position + len(wanted)
    return f"the elided quote is not in source '{source.id}'"


def _whole_words(text: str, start: int, end: int) -> str:
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] in _HYPHENS):
        start -= 1
    while end < len(text) and (text[end].isalnum() or text[end] in _HYPHENS):
        end += 1
    return " ".join(text[start:end].split())


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
