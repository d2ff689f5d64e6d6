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

import functools
import heapq
import re
import unicodedata
from array import array
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import islice

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


@dataclass(frozen=True)
class Words:
    """The words of a folded text (`fold`): `texts[i]` is word i, `starts[i]` and `ends[i]` the
    span of the original characters it came from."""

    texts: list[str]
    starts: Sequence[int]
    ends: Sequence[int]

    def __len__(self) -> int:
        return len(self.texts)


_MARK = "\ue000"  # stands, in a text translated character by character, for a character that folds to more or less than one


@functools.cache
def _fold_char(char: str) -> str:
    """What `fold` makes of one character, spaces not yet collapsed."""
    return "".join(folded if folded.isalnum() else " " for piece in unicodedata.normalize("NFKD", char)
                   if not unicodedata.combining(piece) for folded in piece.casefold())


def fold_words(text: str) -> Words:
    """The words of `fold(text)` with their spans in `text`, made at the speed of `str.translate`:
    each character that folds to one is replaced by it in one pass (a space for punctuation), and
    only a word holding a character that folds to none or to several (a combining mark, 'ß', 'ﬁ')
    is folded again by `fold`, character by character: the same words, the same spans."""
    table = {}
    for char in set(text):
        folded = _fold_char(char)
        table[ord(char)] = folded if len(folded) == 1 else _MARK
    flat = text.translate(table)
    texts: list[str] = []
    starts, ends = array("q"), array("q")
    for match in re.finditer(r"[^ ]+", flat):
        word = match[0]
        if _MARK not in word:
            texts.append(word)
            starts.append(match.start())
            ends.append(match.end())
            continue
        part = fold(text[match.start():match.end()])
        for piece in re.finditer(r"\S+", part.text):
            texts.append(piece[0])
            starts.append(match.start() + part.origins[piece.start()])
            ends.append(match.start() + part.ends[piece.end() - 1])
    return Words(texts, starts, ends)


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

    from .coverage import sentence_starts, sentence_starts_within

    wanted = fold(fragment).text
    if not wanted:
        raise BriefingError("the fragment has no letters or digits to look for")
    words = fold_words(source_text)
    if not len(words):
        return []
    size = len(wanted.split())
    spread = max(2, size // 4)
    lengths = range(max(1, size - spread), size + spread + 1)
    if len(words) * len(lengths) <= MAX_WINDOWS:
        firsts: range | list[int] = range(len(words))
    else:  # too many windows to score them all: those around the likely places, of lengths closer to the fragment's
        spread = min(spread, MAX_SPREAD)
        lengths = range(max(1, size - spread), size + spread + 1)
        places = likely_places(words.texts, wanted.split(), PLACES)
        firsts = sorted({first for place in places for first in range(max(0, place - spread), place + spread + 1)})
    windows = [(first, first + length - 1) for length in lengths for first in firsts
               if first + length <= len(words)]  # (first word, last word), inclusive
    spans = [(words.starts[first], words.ends[last]) for first, last in windows]
    # only the lines (and pieces of a long line) that the windows touch are segmented
    starts = sentence_starts_within(source_text, spans, language)
    crossings = max(0, len(sentence_starts(fragment, language)) - 1)
    if starts:
        windows = [window for window, (begin, end) in zip(windows, spans)
                   if bisect_left(starts, end) - bisect_right(starts, begin) <= crossings]
    if not windows:
        windows = [(0, len(words) - 1)]
    candidates = [" ".join(words.texts[first:last + 1]) for first, last in windows]
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
    return [_passage(source_text, words, windows[i], float(scores[i])) for i in chosen]


def likely_places(words: list[str], wanted: list[str], count: int) -> list[int]:
    """The first words of the `count` windows of `len(wanted)` words that share the most with
    `wanted`: its words, and its pairs of words in order (so the same words in the same order
    come first), counted as each window slides along the text. Only windows that hold one of
    its words can share anything: the window slides only along the stretches of those (an index
    of where the fragment's words are), the others share nothing and rank by their place."""
    size = len(wanted)
    singles, pairs = Counter(wanted), Counter(zip(wanted, wanted[1:]))
    found = [index for index, word in enumerate(words) if word in singles]
    stretches: list[list[int]] = []  # [first, last] first words of windows that hold one of the words
    for index in found:
        first, last = max(0, index - size + 1), min(index, len(words) - size)
        if first > last:
            continue
        if stretches and first <= stretches[-1][1] + 1:
            stretches[-1][1] = max(stretches[-1][1], last)
        else:
            stretches.append([first, last])
    scores: list[tuple[int, int]] = []
    for begin, stop in stretches:
        _slide(words, begin, stop, size, singles, pairs, scores)
    best = heapq.nlargest(count, scores)
    if len(best) < count:  # windows that share nothing, first ones first, as a full pass would rank them
        taken = {-negative for _, negative in best}
        best += islice(((0, -first) for first in range(max(0, len(words) - size + 1)) if first not in taken),
                       count - len(best))
        best = heapq.nlargest(count, best)
    return [-negative for _, negative in best] or [0]


def _slide(words: list[str], begin: int, stop: int, size: int, singles: Counter, pairs: Counter,
           scores: list[tuple[int, int]]) -> None:
    """(shared, -first) of each window of `size` words whose first word is `begin` to `stop`, as it slides."""
    in_window: Counter = Counter()
    shared = 0

    def move(key, step: int, want: Counter) -> int:  # a word or pair enters (+1) or leaves (-1) the window
        if key not in want:
            return 0
        before = min(in_window[key], want[key])
        in_window[key] += step
        return min(in_window[key], want[key]) - before

    for last in range(begin, stop + size):
        word = words[last]
        shared += move(word, 1, singles) + (move((words[last - 1], word), 1, pairs) if last > begin else 0)
        first = last - size + 1
        if first > begin:
            shared += move(words[first - 1], -1, singles) + move((words[first - 1], words[first]), -1, pairs)
        if first >= begin:
            scores.append((shared, -first))


def _passage(source_text: str, words: Words, window: tuple[int, int], score: float) -> Passage:
    start = words.starts[window[0]]
    end = words.ends[window[1]]
    text = re.sub(r"\s*\n\s*", " ", source_text[start:end])
    line = source_text.count("\n", 0, start) + 1
    column = start - (source_text.rfind("\n", 0, start) + 1) + 1
    return Passage(text, start, end, line, column, round(score, 1))
