"""`briefing quote`: find the passage of a source that a half-remembered fragment means.

An analyst types a few words as they remember them, without accents, in any
case, with the punctuation wrong. Both the fragment and the source are folded
the same way (compatibility decomposition, combining marks dropped, case
folded, punctuation and symbols turned into spaces, runs of spaces collapsed),
and each folded character keeps the offset of the original character it came
from. Windows of whole words around the fragment's length are scored with
rapidfuzz; the best ones that do not overlap are returned as original text,
ready to paste as evidence: `briefing check` locates them exactly.

The work is bounded whatever the text and the fragment: in a text too long to
score every window (`MAX_WINDOWS`), only the windows around the places that
share the most words, and pairs of words, with the fragment are scored (those
places are found in one pass over the text, as an index would), with lengths
at most `MAX_SPREAD` words either side of the fragment's.
"""

from __future__ import annotations

import heapq
import re
import unicodedata
from array import array
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import BriefingError


@dataclass(frozen=True)
class Passage:
    text: str  # the source's own words, line breaks made spaces: paste this as the quote
    start: int  # character span in the source text
    end: int
    line: int  # 1-based line and column of the start
    column: int
    score: float  # 0..100, how closely the folded passage matches the folded fragment


@dataclass(frozen=True)
class Folded:
    """Folded text; `origins[i]` is the offset in the original of folded character i."""

    text: str
    origins: Sequence[int]
    ends: Sequence[int]  # offset just past the original character folded character i came from


def fold(text: str) -> Folded:
    chars: list[str] = []
    origins = array("q")  # a machine word for each character: a text of a million takes 8 MB, not 36
    ends = array("q")
    for offset, char in enumerate(text):
        for piece in unicodedata.normalize("NFKD", char):
            if unicodedata.combining(piece):
                continue
            for folded in piece.casefold():
                if not folded.isalnum():
                    folded = " "
                if folded == " " and (not chars or chars[-1] == " "):
                    continue
                chars.append(folded)
                origins.append(offset)
                ends.append(offset + 1)
    if chars and chars[-1] == " ":
        chars.pop(), origins.pop(), ends.pop()
    return Folded("".join(chars), origins, ends)


CLOSE_ENOUGH = 50.0  # below this a passage is not worth pasting as evidence
MAX_WINDOWS = 150_000  # windows scored in a text; past that, those around the `PLACES` that share the most
PLACES = 64
MAX_SPREAD = 16  # and then words a passage may have more or fewer than the fragment (else a quarter of them)


def find_passages(source_text: str, fragment: str, limit: int = 3, min_score: float = CLOSE_ENOUGH,
                  within: float = 25.0, language: str = "en") -> list[Passage]:
    """The `limit` passages of `source_text` closest to `fragment`, best first.

    The best passage is always given, so the user learns what comes closest;
    the others only when they are plausible too: scoring at least `min_score`
    and no more than `within` below the best. A passage runs across no more
    sentence ends (found by the segmenter of `coverage`, so "U.S." ends none)
    than the fragment holds."""
    from bisect import bisect_left, bisect_right

    from rapidfuzz import fuzz, process

    from .coverage import sentence_starts

    wanted = fold(fragment).text
    if not wanted:
        raise BriefingError("the fragment has no letters or digits to look for")
    folded = fold(source_text)
    words = [match.span() for match in re.finditer(r"\S+", folded.text)]
    if not words:
        return []
    size = len(wanted.split())
    spread = max(2, size // 4)
    lengths = range(max(1, size - spread), size + spread + 1)
    if len(words) * len(lengths) <= MAX_WINDOWS:
        firsts: range | list[int] = range(len(words))
    else:  # too many windows to score them all: those around the likely places, of lengths closer to the fragment's
        spread = min(spread, MAX_SPREAD)
        lengths = range(max(1, size - spread), size + spread + 1)
        places = likely_places([folded.text[start:end] for start, end in words], wanted.split(), PLACES)
        firsts = sorted({first for place in places for first in range(max(0, place - spread), place + spread + 1)})
    windows = [(first, first + length - 1) for length in lengths for first in firsts
               if first + length <= len(words)]  # (first word, last word), inclusive
    starts = sentence_starts(source_text, language)[1:]
    crossings = max(0, len(sentence_starts(fragment, language)) - 1)
    if starts:
        def crossed(window: tuple[int, int]) -> int:
            begin, end = folded.origins[words[window[0]][0]], folded.ends[words[window[1]][1] - 1]
            return bisect_left(starts, end) - bisect_right(starts, begin)

        windows = [window for window in windows if crossed(window) <= crossings]
    if not windows:
        windows = [(0, len(words) - 1)]
    candidates = [folded.text[words[first][0]:words[last][1]] for first, last in windows]
    scores = [0.0] * len(candidates)
    for _, score, index in process.extract(wanted, candidates, scorer=fuzz.ratio, limit=None):
        scores[index] = score
    # best score first; among equals, the length closest to the fragment's, then the earliest
    order = sorted(range(len(windows)), key=lambda i: (-scores[i], abs(windows[i][1] - windows[i][0] + 1 - size), windows[i][0]))
    chosen: list[int] = []
    for index in order:
        first, last = windows[index]
        if chosen and (scores[index] < min_score or scores[index] < scores[chosen[0]] - within):
            break
        if all(last < windows[other][0] or windows[other][1] < first for other in chosen):
            chosen.append(index)
            if len(chosen) == limit:
                break
    return [_passage(source_text, folded, words, windows[i], float(scores[i])) for i in chosen]


def likely_places(words: list[str], wanted: list[str], count: int) -> list[int]:
    """The first words of the `count` windows of `len(wanted)` words that share the most with
    `wanted`: its words, and its pairs of words in order (so the same words in the same order
    come first), counted as each window slides along the text, in one pass."""
    size = len(wanted)
    singles, pairs = Counter(wanted), Counter(zip(wanted, wanted[1:]))
    in_window: Counter = Counter()
    shared = 0

    def move(key, step: int, want: Counter) -> int:  # a word or pair enters (+1) or leaves (-1) the window
        if key not in want:
            return 0
        before = min(in_window[key], want[key])
        in_window[key] += step
        return min(in_window[key], want[key]) - before

    scores: list[tuple[int, int]] = []
    for last, word in enumerate(words):
        shared += move(word, 1, singles) + (move((words[last - 1], word), 1, pairs) if last else 0)
        first = last - size + 1
        if first > 0:
            shared += move(words[first - 1], -1, singles) + move((words[first - 1], words[first]), -1, pairs)
        if first >= 0:
            scores.append((shared, -first))
    return [-negative for _, negative in heapq.nlargest(count, scores)] or [0]


def _passage(source_text: str, folded: Folded, words, window: tuple[int, int], score: float) -> Passage:
    start = folded.origins[words[window[0]][0]]
    end = folded.ends[words[window[1]][1] - 1]
    text = re.sub(r"\s*\n\s*", " ", source_text[start:end])
    line = source_text.count("\n", 0, start) + 1
    column = start - (source_text.rfind("\n", 0, start) + 1) + 1
    return Passage(text, start, end, line, column, round(score, 1))
