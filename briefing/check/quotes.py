"""Stage 2, check: prove every quote is in its source, and compare the facts.

Nothing renders from an unchecked dossier. `check_dossier` locates each quote in
its source (after normalisation) and keeps its character span, resolves every
reference, grades each fact's credibility from its independent evidence, and
lists the keys on which facts disagree.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from .errors import BriefingError, raise_all
from .gcpause import paused_gc
from .load import Dossier, Source
from .model import Fact
from .normalise import Normalised, normalise, normalise_quote
from .worker import ForkedCall, can_fork


@dataclass(frozen=True)
class LocatedQuote:
    source: Source
    quote: str
    start: int  # character span of the quote in the source text
    end: int

    @property
    def passage(self) -> str:
        """The quote exactly as the source prints it."""
        return self.source.text[self.start:self.end]


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


@dataclass(frozen=True)
class CheckedDossier:
    dossier: Dossier
    facts: tuple[CheckedFact, ...]
    discrepancies: tuple[Discrepancy, ...]

    @property
    def quote_count(self) -> int:
        return sum(len(fact.evidence) for fact in self.facts)


CREDIBILITY = {
    1: "confirmed by other sources",
    2: "probably true",
    3: "possibly true",
    4: "doubtful",
    5: "improbable",
    6: "truth cannot be judged",
}


def check_dossier(dossier: Dossier) -> CheckedDossier:
    """Verify the dossier; raise every error found, all at once."""
    with paused_gc():  # many long-lived results, no cycles
        return _check_dossier(dossier)


def _check_dossier(dossier: Dossier) -> CheckedDossier:
    errors: list[BriefingError] = []
    sources = _index_unique(dossier.sources, lambda s: s.meta, "source", errors)
    section_ids = list(_index_unique(dossier.config.sections, lambda s: s, "section", errors))
    _index_unique(dossier.facts, lambda f: f, "fact", errors)
    _index_unique(dossier.questions, lambda q: q, "question", errors)
    spans = _find_all_quotes(dossier.facts, sources)
    texts: dict[str, Normalised] = {}  # every source normalised, only to explain a quote not found

    located: list[tuple[Fact, tuple[LocatedQuote, ...]]] = []
    for f, fact in enumerate(dossier.facts):
        if fact.section not in section_ids:
            errors.append(_error(fact, f"fact '{fact.id}': unknown section '{fact.section}'; sections of this dossier: {', '.join(section_ids)}"))
        quotes = []
        for e, evidence in enumerate(fact.evidence):
            if evidence.source not in sources:
                errors.append(_error(evidence, f"fact '{fact.id}': unknown source '{evidence.source}'; known sources: {', '.join(sources)}"))
                continue
            if spans[f, e] is not None:
                quotes.append(LocatedQuote(sources[evidence.source], evidence.quote, *spans[f, e]))
                continue
            texts = texts or {source_id: normalise(source.text) for source_id, source in sources.items()}
            try:
                quotes.append(locate_quote(evidence.quote, sources[evidence.source], texts[evidence.source], texts))
            except BriefingError as error:
                errors.append(_error(evidence, f"fact '{fact.id}': {error.detail}"))
        located.append((fact, tuple(quotes)))
    fact_ids = {fact.id for fact in dossier.facts}
    for question in dossier.questions:
        for fact_id in question.follows_from:
            if fact_id not in fact_ids:
                errors.append(_error(question, f"question '{question.id}': follows_from names unknown fact '{fact_id}'"))
    raise_all(errors)

    disputed = _disputed_keys(dossier.facts)
    facts = tuple(_grade(fact, quotes, fact.key in disputed) for fact, quotes in located)
    return CheckedDossier(dossier, facts, _discrepancies(facts, dossier))


# Above this many characters of source text, a forked process finds the quotes
# of half the sources: normalising texts and searching them is most of a large check.
PARALLEL_CHARS = 2_000_000


def _find_all_quotes(facts, sources: dict[str, Source]) -> dict[tuple[int, int], tuple[int, int] | None]:
    """(fact number, evidence number) → the quote's span in its source, or None."""
    ids = sorted(sources, key=lambda source_id: len(sources[source_id].text), reverse=True)
    if len(ids) < 2 or sum(len(source.text) for source in sources.values()) < PARALLEL_CHARS or not can_fork():
        return _find_quotes(facts, sources, set(ids))
    with ForkedCall(_find_quotes, facts, sources, set(ids[1::2])) as other:  # every other source by size
        spans = _find_quotes(facts, sources, set(ids[0::2]))
        spans.update(other.result())
    return spans


def _find_quotes(facts, sources: dict[str, Source], chosen: set[str]) -> dict[tuple[int, int], tuple[int, int] | None]:
    """The spans of the quotes from the `chosen` sources."""
    texts = {source_id: normalise(sources[source_id].text) for source_id in chosen}
    return {(f, e): find_quote(evidence.quote, sources[evidence.source], texts[evidence.source])
            for f, fact in enumerate(facts) for e, evidence in enumerate(fact.evidence) if evidence.source in texts}


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


def _error(item, message: str) -> BriefingError:
    return BriefingError(message, file=item.where.file, line=item.where.line)


def _index_unique(items, model_of, kind: str, errors: list) -> dict:
    index = {}
    for item in items:
        model = model_of(item)
        if model.id in index:
            first = model_of(index[model.id]).where
            errors.append(_error(model, f"duplicate {kind} id '{model.id}' (first defined at {first.file}:{first.line})"))
        else:
            index[model.id] = item
    return index


def _disputed_keys(facts) -> set[str]:
    values = defaultdict(set)
    for fact in facts:
        if fact.key is not None:
            values[fact.key].add(_comparable(fact.value))
    return {key for key, seen in values.items() if len(seen) > 1}


def _comparable(value: str | None) -> str:
    return " ".join((value or "").casefold().split())


def _grade(fact: Fact, quotes: tuple[LocatedQuote, ...], disputed: bool) -> CheckedFact:
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


def _discrepancies(facts: tuple[CheckedFact, ...], dossier: Dossier) -> tuple[Discrepancy, ...]:
    by_key: dict[str, dict[str, list[CheckedFact]]] = defaultdict(dict)
    for fact in facts:
        if fact.fact.key is not None:
            by_key[fact.fact.key].setdefault(_comparable(fact.fact.value), []).append(fact)
    labels = dossier.config.key_labels
    return tuple(
        Discrepancy(key, labels.get(key, key), tuple(Version(group[0].fact.value, tuple(group)) for group in versions.values()))
        for key, versions in by_key.items()
        if len(versions) > 1
    )
