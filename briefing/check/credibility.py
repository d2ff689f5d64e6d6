"""Credibility and discrepancies: what the located quotes of a fact amount to.

Credibility is on the Admiralty scale, computed from the evidence, never typed
by hand; two facts that give different values for the same key are a
discrepancy, listed with the sources of each version.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from ..load import Dossier, Source
from ..load.model import UNKNOWN, Fact
from .claims import fold, fold_word

ELISION_MARK = "[…]"


@dataclass(frozen=True)
class LocatedQuote:
    source: Source
    quote: str
    start: int  # character span of the quote in the source text: from its first passage
    end: int  # to the end of its last
    spans: tuple[tuple[int, int], ...] = ()  # each passage's span, when an elision joins several
    origin: str | None = None  # the evidence's own `origin`: a passage shared with another source

    @property
    def passages(self) -> tuple[str, ...]:
        """The quote's passages exactly as the source prints them."""
        return tuple(self.source.text[start:end] for start, end in self.spans or ((self.start, self.end),))

    @property
    def passage(self) -> str:
        """The quote exactly as the source prints it, an elision marked as such."""
        return f" {ELISION_MARK} ".join(self.passages)


@dataclass(frozen=True)
class CheckedFact:
    fact: Fact
    evidence: tuple[LocatedQuote, ...]
    independent_sources: int  # origins among the sources quoted
    credibility: int  # Admiralty 1 (confirmed) .. 6 (cannot be judged)
    reason: str = ""  # why this credibility, in words a reader uses
    confirming_sources: int = 0  # independent sources that can be judged (graded A–E)
    disputed: bool = False  # another fact gives another value for its key
    attributed_to: tuple[str, ...] = ()  # the sources the claim itself names ("APA reports that…")
    point_attributed_to: tuple[str, ...] = ()  # those its key-point form names

    @property
    def id(self) -> str:
        return self.fact.id


@dataclass(frozen=True)
class Version:
    value: str
    facts: tuple[CheckedFact, ...]


@dataclass(frozen=True)
class Discrepancy:
    key: str
    label: str
    versions: tuple[Version, ...]


CREDIBILITY = {
    1: "confirmed by another independent source",
    2: "probably true",
    3: "possibly true",
    4: "doubtful",
    5: "improbable",
    6: "truth cannot be judged",
}


BEST_SOURCE_CREDIBILITY = {"A": 2, "B": 2, "C": 3, "D": 4, "E": 4, "F": 6}  # a fact's credibility from its best source's grade


def disputed_keys(facts) -> set[str]:
    values = defaultdict(set)
    for fact in facts:
        if fact.key is not None:
            values[fact.key].add(_comparable(fact.value))
    return {key for key, seen in values.items() if len(seen) > 1}


def _comparable(value: str | None) -> str:
    return " ".join((value or "").casefold().split())


def grade(fact: Fact, quotes: tuple[LocatedQuote, ...], disputed: bool) -> CheckedFact:
    """Credibility on the Admiralty scale, computed, never typed by hand:

    - 1 (confirmed) when two or more independent sources that can be judged
      back the fact: sources sharing an `origin` count once, and so do quotes
      whose evidence names one `origin` (two reports worded alike); a source
      graded F (cannot be judged) confirms nothing;
    - otherwise from the best source's reliability: A/B → 2, C → 3, D/E → 4, F → 6;
    - a fact whose key another fact gives another value for is at best 3, and
      says so;
    - a claim that names its source ("APA reports that…") states what that
      source reports: the grade is the report's, and the reason says it is
      attributed.
    """
    sources = [quote.source for quote in quotes]
    origin_of = _origins(quotes)
    origins = set(origin_of.values())
    judged = {origin_of[source.id] for source in sources if source.meta.reliability != "F"}
    best = min(source.meta.reliability for source in sources)
    credibility = BEST_SOURCE_CREDIBILITY[best]
    if len(judged) >= 2:
        credibility = 1
        reason = f"confirmed by {len(judged)} independent sources"
    elif len(origins) >= 2:
        reason = f"{len(origins)} independent sources, of which {len(judged) or 'none'} can be judged"
    else:
        reason = "one source" if len({source.id for source in sources}) == 1 else f"{len({s.id for s in sources})} sources of one origin"
    if disputed and credibility < 3:
        credibility = 3
        reason += "; rated 3 at best because the sources disagree on this point (see the discrepancies)"
    elif disputed:
        reason += "; the sources disagree on this point (see the discrepancies)"
    attributed = _attributed_to(fact.claim, sources)
    if attributed:
        reason = f"reported as {', '.join(attributed)}’s account; {reason}"
    point_attributed = _attributed_to(fact.point, sources) if fact.point else attributed
    return CheckedFact(fact, quotes, len(origins), credibility, reason, len(judged), disputed, attributed,
                       point_attributed)


def _origins(quotes: tuple[LocatedQuote, ...]) -> dict[str, str]:
    """Each source's origin within one fact: its own `origin` (or itself), and
    sources whose quotes name one evidence `origin` (passages worded alike)
    joined into one: whatever else each quotes, they no longer confirm each other."""
    origin_of = {quote.source.id: quote.source.meta.origin or quote.source.id for quote in quotes}
    for shared in {quote.origin for quote in quotes if quote.origin}:
        tied = {origin_of[quote.source.id] for quote in quotes if quote.origin == shared}
        origin_of = {source: (shared if origin in tied else origin) for source, origin in origin_of.items()}
    return origin_of


_GENERIC = frozenset(["report", "reports", "from", "the", "on", "of", "by", "and", "an", "a", "unsigned", "based"])


def _attributed_to(claim: str, sources: list[Source]) -> tuple[str, ...]:
    """The fact's sources that its claim names: by id, outlet or author's name,
    written as a name (with a capital), or by every distinctive word of the
    source's short name ("the unsigned report from Moscow")."""
    found = re.findall(r"[^\W_]+", claim)
    words = {fold_word(word) for word in found}
    capitalised = {fold_word(word) for word in found if word[0].isupper()}
    named = []
    for source in sources:
        meta = source.meta
        names, distinctive = _names_of(meta.id, meta.name, meta.outlet, meta.author)
        if not names.isdisjoint(capitalised) or (distinctive and distinctive <= words):
            named.append(meta.name or next((v for v in (meta.outlet, meta.author) if v != UNKNOWN), meta.id))
    return tuple(dict.fromkeys(named))


@lru_cache(maxsize=4096)
def _names_of(source_id: str, name: str | None, outlet: str, author: str) -> tuple[frozenset[str], frozenset[str]]:
    """A source's one-word names (id, outlet, author's last name), and the distinctive words of its short name."""
    names = {fold(value) for value in (source_id, outlet, author.split()[-1] if author.strip() else UNKNOWN) if value != UNKNOWN}
    distinctive = {word for word in re.findall(r"[^\W_]+", fold(name or "")) if word not in _GENERIC}
    return frozenset(names), frozenset(distinctive)


def discrepancies(facts: tuple[CheckedFact, ...], dossier: Dossier) -> tuple[Discrepancy, ...]:
    by_key: dict[str, dict[str, list[CheckedFact]]] = defaultdict(dict)
    for fact in facts:
        if fact.fact.key is not None:
            by_key[fact.fact.key].setdefault(_comparable(fact.fact.value), []).append(fact)
    labels = dossier.config.key_labels
    return tuple(
        Discrepancy(key, labels.get(key, key), tuple(Version(group[0].fact.value or '', tuple(group)) for group in versions.values()))
        for key, versions in by_key.items()
        if len(versions) > 1
    )
