"""Credibility and discrepancies: what the located quotes of a fact amount to.

Credibility is on the Admiralty scale, computed from the evidence, never typed
by hand; two facts that give different values for the same key are a
discrepancy, listed with the sources of each version.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ..load import Dossier, Source
from ..load.model import Fact

ELISION_MARK = "[…]"


@dataclass(frozen=True)
class LocatedQuote:
    source: Source
    quote: str
    start: int  # character span of the quote in the source text: from its first passage
    end: int  # to the end of its last
    spans: tuple[tuple[int, int], ...] = ()  # each passage's span, when an elision joins several

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
    independent_sources: int
    credibility: int  # Admiralty 1 (confirmed) .. 6 (cannot be judged)

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
    1: "confirmed by other sources",
    2: "probably true",
    3: "possibly true",
    4: "doubtful",
    5: "improbable",
    6: "truth cannot be judged",
}


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
    1 when two or more independent sources back the fact and none disputes it;
    otherwise from the best source's reliability (A/B → 2, C → 3, D/E → 4, F → 6);
    a disputed fact is at best 3."""
    origins = {quote.source.meta.origin or quote.source.id for quote in quotes}
    best = min(quote.source.meta.reliability for quote in quotes)
    credibility = {"A": 2, "B": 2, "C": 3, "D": 4, "E": 4, "F": 6}[best]
    if len(origins) >= 2:
        credibility = 1
    if disputed:
        credibility = max(credibility, 3) if credibility != 6 else 6
    return CheckedFact(fact, quotes, len(origins), credibility)


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
