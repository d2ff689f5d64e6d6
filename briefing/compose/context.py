"""The read-only view of a checked dossier that templates see.

Templates get plain, frozen objects with friendly names (`fact.claim`,
`source.descriptor`, `discrepancy.versions`) and never the pipeline's own.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..check import CREDIBILITY, CheckedDossier, CheckedFact
from ..document import human_date
from ..load import Source
from ..load.model import UNKNOWN


@dataclass(frozen=True)
class SourceView:
    id: str
    title: str
    outlet: str
    author: str
    date: str
    language: str
    url: str
    reliability: str
    reliability_reason: str
    note: str
    name: str  # the shortest name that says who published it
    details: str  # author, title, date, URL, reliability, and what is unknown
    descriptor: str  # the name, then the details: as evidence lists cite a source


@dataclass(frozen=True)
class FactView:
    id: str
    section: str
    claim: str  # the statement, and who alone says it when one source (or one origin) does
    kind: str
    is_judgment: bool
    confidence: str
    key: str
    label: str  # the key's readable name (dossier.yaml key_labels), or the key
    value: str
    headline: bool
    sources: tuple[SourceView, ...]
    independent_sources: int
    credibility: int
    credibility_text: str
    statement: str = ""  # the claim as the analyst wrote it
    attribution: str = ""  # "APA alone", when one source (or one origin) backs a fact its claim does not attribute
    credibility_reason: str = ""
    derivation: str = ""


@dataclass(frozen=True)
class SectionView:
    id: str
    title: str
    facts: tuple[FactView, ...]


@dataclass(frozen=True)
class VersionView:
    value: str
    facts: tuple[FactView, ...]


@dataclass(frozen=True)
class DiscrepancyView:
    key: str
    label: str
    versions: tuple[VersionView, ...]


@dataclass(frozen=True)
class QuestionView:
    id: str
    question: str
    why: str
    settle: str
    facts: tuple[FactView, ...]


@dataclass(frozen=True)
class Coverage:
    """What the brief rests on, for the source summary statement."""

    source_count: int
    fact_count: int
    judgment_count: int
    quote_count: int
    languages: tuple[str, ...]
    first_date: str
    last_date: str
    undated: int


def source_view(source: Source) -> SourceView:
    meta = source.meta
    name = meta.name or next((v for v in (meta.outlet, meta.author) if v != UNKNOWN), f"unattributed source '{meta.id}'")
    details = _details(meta, name)
    return SourceView(
        meta.id, meta.title, meta.outlet, meta.author, meta.date, meta.language, meta.url,
        meta.reliability, meta.reliability_reason, meta.note or "", name, details, f"{name} — {details}",
    )


def _details(meta, name: str) -> str:
    """'“Title” · 23 June 2025 · reliability B · unknown: author, URL': what is
    known of a source besides its name, its grade, then what is not known."""
    fields = [("outlet", meta.outlet), ("author", meta.author), ("title", meta.title),
              ("date", meta.date), ("URL", meta.url)]
    known = []
    for field, value in fields:
        if value in (UNKNOWN, name):
            continue
        known.append(f"“{value}”" if field == "title" else human_date(value) if field == "date" else value)
    unknown = [field for field, value in fields if value == UNKNOWN]
    parts = known + [f"reliability {meta.reliability}"] + ([f"unknown: {', '.join(unknown)}"] if unknown else [])
    return " · ".join(parts)


def fact_view(fact: CheckedFact, sources: dict[str, SourceView], labels: dict[str, str]) -> FactView:
    model = fact.fact
    cited = tuple(dict.fromkeys(sources[quote.source.id] for quote in fact.evidence))
    key = model.key or ""
    attribution = attribution_of(fact, cited)
    return FactView(
        model.id, model.section, with_attribution(model.claim, attribution), model.kind, model.kind == "judgment",
        model.confidence or "", key, labels.get(key, key), model.value or "", model.headline, cited,
        fact.independent_sources, fact.credibility, CREDIBILITY[fact.credibility],
        model.claim, attribution, fact.reason, model.derivation or "",
    )


def attribution_of(fact: CheckedFact, cited: tuple[SourceView, ...]) -> str:
    """Who alone says a fact that one source, or sources of one origin, back:
    such a fact is never printed as established. A judgment is the analyst's,
    and a claim that names its source ("APA reports that…") says it already."""
    if fact.fact.kind == "judgment" or fact.attributed_to or fact.independent_sources != 1:
        return ""
    names = [source.name for source in cited]
    if len(names) == 1:
        return f"{names[0]} alone"
    return f"{', '.join(names[:-1])} and {names[-1]}, of one origin, alone"


def with_attribution(claim: str, attribution: str) -> str:
    """'The refinery will be built at Sénou (APA alone).'"""
    if not attribution:
        return claim
    body = claim.rstrip()
    end = body[-1] if body and body[-1] in ".!?" else ""
    return f"{body[:len(body) - len(end)]} ({attribution}){end or '.'}"


def build_context(checked: CheckedDossier) -> dict:
    dossier = checked.dossier
    sources = {source.id: source_view(source) for source in dossier.sources}
    facts = {fact.id: fact_view(fact, sources, dossier.config.key_labels) for fact in checked.facts}
    sections = tuple(
        SectionView(section.id, section.title, tuple(f for f in facts.values() if f.section == section.id))
        for section in dossier.config.sections
    )
    discrepancies = tuple(
        DiscrepancyView(d.key, d.label, tuple(VersionView(v.value, tuple(facts[f.id] for f in v.facts)) for v in d.versions))
        for d in checked.discrepancies
    )
    questions = tuple(
        QuestionView(q.id, q.question, q.why, q.settle, tuple(facts[i] for i in q.follows_from))
        for q in dossier.questions
    )
    return {
        "sources": tuple(sources.values()),
        "facts": tuple(facts.values()),
        "sections": sections,
        "section": {section.id: section for section in sections},
        "headlines": tuple(f for f in facts.values() if f.headline),
        "key_points": _spread_across_sections(f for f in facts.values() if f.headline and f.section != sections[0].id),
        "judgments": tuple(f for f in facts.values() if f.is_judgment),
        "discrepancies": discrepancies,
        "questions": questions,
        "coverage": _coverage(checked, tuple(sources.values())),
        "credibility_legend": credibility_legend(checked),
        "gaps": tuple(dossier.config.source_gaps),
    }


def credibility_legend(checked: CheckedDossier) -> tuple[tuple[int, str], ...]:
    """Each credibility grade the dossier's facts have, with its meaning."""
    used = sorted({fact.credibility for fact in checked.facts})
    return tuple((grade, CREDIBILITY[grade]) for grade in used)


def _spread_across_sections(facts) -> tuple[FactView, ...]:
    """Headline facts, one section at a time in turn, so the first few points
    of a short note cover the subject rather than one section of it."""
    queues: dict[str, list[FactView]] = {}
    for fact in facts:
        queues.setdefault(fact.section, []).append(fact)
    spread: list[FactView] = []
    while any(queues.values()):
        for queue in queues.values():
            if queue:
                spread.append(queue.pop(0))
    return tuple(spread)


LANGUAGES = {"fr": "French", "en": "English", "ru": "Russian", "ar": "Arabic", "es": "Spanish", "pt": "Portuguese",
             "de": "German", "it": "Italian", "zh": "Chinese", "uk": "Ukrainian", "bm": "Bambara", "unknown": "an unknown language"}


def language_name(code: str) -> str:
    """'fr' → 'French'; a code we do not know is shown as it is."""
    return LANGUAGES.get(code, code)


def _coverage(checked: CheckedDossier, sources: tuple[SourceView, ...]) -> Coverage:
    dates = sorted(s.date for s in sources if s.date != UNKNOWN)
    languages = tuple(sorted({s.language for s in sources}))
    return Coverage(
        len(sources), len(checked.facts), sum(f.fact.kind == "judgment" for f in checked.facts),
        checked.quote_count, languages,
        human_date(dates[0]) if dates else UNKNOWN, human_date(dates[-1]) if dates else UNKNOWN,
        sum(s.date == UNKNOWN for s in sources),
    )
