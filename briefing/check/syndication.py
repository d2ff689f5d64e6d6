"""Syndication: two sources that share most of their text are one source.

The rule: two texts "share most of their text" when at least 60 % of the word
5-grams (shingles) of the shorter one also occur in the other. Shingles are
taken over the normalised text (see `normalise`: composition, whitespace,
quotes and apostrophes), case folded, so wire copy re-typed with other quotes
or line breaks still matches, and a copy cut short or with a paragraph added
still matches (containment of the shorter, not Jaccard, which a long addition
would dilute). Word shingles rather than rapidfuzz: an edit ratio between two
whole articles is quadratic in their length and compares one pair at a time,
where shingles can be indexed.

Comparing every pair of 2,000 articles is two million comparisons, so the
candidates come from an index instead:

- each text is sampled by content: the shingles starting at an *anchor*, a
  pair of words whose CRC-32s add up to a multiple of `SAMPLE`, so two copies
  sample the same shingles and the shared share of the samples estimates the
  shared share of the texts (a pair rather than one word, so that a frequent
  word does not decide the sample alone); CRC-32, not Python's `hash`, so the
  same dossier always gives the same warnings;
- the index maps a sampled shingle to the first `POSTINGS` sources holding
  it: a phrase every article repeats does not make every pair a candidate
  (with more copies than that of one text, each later copy is still paired
  with the first ones);
- a pair whose samples share at least half the required share is a
  candidate, and is then measured exactly on all its shingles;
- texts too short to sample reliably have all their shingles indexed, and
  every text is looked up in that index.
"""

from __future__ import annotations

import re
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain
from operator import add

from ..errors import BriefingWarning
from ..load import Source

SHARE = 0.6  # of the shorter text's shingles, found in the other
WORDS = 5  # words per shingle
SAMPLE = 8  # one anchor word in this many (by CRC-32)
POSTINGS = 8  # sources kept per sampled shingle
MIN_WORDS = 200  # a shorter text is too short to sample: its shingles are all indexed

_ANCHOR = re.compile(b"[\\x00%c]" % SAMPLE)  # two residues that add up to 0 or SAMPLE
Shingle = str  # the words joined by spaces: a str, unlike a tuple, adds nothing for the cyclic collector to walk


@dataclass(frozen=True)
class SharedText:
    """Texts `first` and `second` (indexes, first < second) share `share` of the shorter one's shingles."""

    first: int
    second: int
    share: float


def shingles(text: str) -> set[Shingle]:
    """The word 5-grams of a normalised text, case folded."""
    return _shingles(text.casefold().split())


def _shingles(words: list[str]) -> set[Shingle]:
    return {" ".join(words[k:k + WORDS]) for k in range(len(words) - WORDS + 1)}


def shared_share(a: set[Shingle], b: set[Shingle]) -> float:
    """The share of the smaller set found in the other (0 when either is empty)."""
    smaller = min(len(a), len(b))
    return len(a & b) / smaller if smaller else 0.0


class _Texts:
    """Words, samples and (when needed) shingles of each text."""

    def __init__(self, texts: Sequence[str]):
        self.words = [text.casefold().split() for text in texts]
        residues: dict[str, int] = {}  # a word's CRC-32 modulo SAMPLE
        self.samples: list[set[Shingle]] = []
        for words in self.words:
            if len(words) < MIN_WORDS:
                self.samples.append(set())
                continue
            numbers = [residues[w] if w in residues else residues.setdefault(w, zlib.crc32(w.encode("utf-8")) % SAMPLE)
                       for w in words[:len(words) - WORDS + 2]]
            sums = bytes(map(add, numbers, numbers[1:]))  # scanned by `re` in C: a Python test per word is slower
            self.samples.append({" ".join(words[k:k + WORDS]) for k in (m.start() for m in _ANCHOR.finditer(sums))})
        self._shingles: dict[int, set[Shingle]] = {}

    def shingles(self, index: int) -> set[Shingle]:
        if index not in self._shingles:
            self._shingles[index] = _shingles(self.words[index])
        return self._shingles[index]


def find_shared_texts(texts: Sequence[str]) -> list[SharedText]:
    """Every pair of `texts` (normalised) that share at least `SHARE` of the
    shorter one's shingles, in order of the second text, then the first."""
    data = _Texts(texts)
    found: dict[tuple[int, int], float] = {}
    index: dict[Shingle, list[int]] = {}
    sizes = [len(sample) for sample in data.samples]
    floor = SHARE / 2 * min((size for size in sizes if size), default=0)
    for second, sample in enumerate(data.samples):
        counts = Counter(chain.from_iterable([index[s] for s in sample if s in index]))
        for first, count in counts.items():
            if count >= floor and count >= SHARE / 2 * min(sizes[second], sizes[first]):
                _measure(data, first, second, found)
        for shingle in sample:
            holders = index.setdefault(shingle, [])
            if len(holders) < POSTINGS:
                holders.append(second)
    _compare_short_texts(data, found)
    return [SharedText(first, second, share) for (first, second), share in
            sorted(found.items(), key=lambda item: (item[0][1], item[0][0]))]


def _compare_short_texts(data: _Texts, found: dict) -> None:
    """Texts too short to sample, found through an index of all their
    shingles; every other text is looked up in it at the words that start
    one of them."""
    short = [i for i, words in enumerate(data.words) if WORDS <= len(words) < MIN_WORDS]
    if not short:
        return
    index: dict[Shingle, list[int]] = {}
    for i in short:
        for shingle in data.shingles(i):
            holders = index.setdefault(shingle, [])
            if len(holders) < POSTINGS:
                holders.append(i)
    starts = {shingle.split(" ", 1)[0] for shingle in index}
    for j, words in enumerate(data.words):
        found_in_j = (" ".join(words[k:k + WORDS]) for k, word in enumerate(words[:len(words) - WORDS + 1]) if word in starts)
        counts = Counter(chain.from_iterable([index[s] for s in set(found_in_j) if s in index]))
        for i, count in counts.items():
            pair = (min(i, j), max(i, j))
            if i != j and pair not in found and count >= SHARE / 2 * min(len(data.shingles(i)), len(data.shingles(j))):
                _measure(data, *pair, found)


def _measure(data: _Texts, first: int, second: int, found: dict) -> None:
    share = shared_share(data.shingles(first), data.shingles(second))
    if share >= SHARE:
        found[(first, second)] = share


def check_syndication(sources: Sequence[Source], texts: Sequence[str]) -> list[BriefingWarning]:
    """A warning for each pair of sources that share most of their text
    (`texts`: their normalised texts, in order) without a common `origin`."""
    warnings = []
    for pair in find_shared_texts(texts):
        first, second = sources[pair.first].meta, sources[pair.second].meta
        if first.origin is not None and first.origin == second.origin:
            continue
        origin = "no common 'origin'" if first.origin or second.origin else "no 'origin'"
        warnings.append(BriefingWarning(
            f"sources '{first.id}' and '{second.id}' share {percent(pair.share)} of their text but {origin}; "
            "if one copies the other, give both the same origin: so they count once",
            second.where.file, second.where.line))
    return warnings


def percent(share: float) -> str:
    """87 %: rounded down, so a share just under the rule is never shown as meeting it."""
    return f"{int(share * 100)} %"
