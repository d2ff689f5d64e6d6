"""The read-only view of a checked dossier that templates see.

Templates get plain, frozen objects with friendly names (`fact.claim`,
`source.descriptor`, `discrepancy.versions`) and never the pipeline's own.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ..check import CheckedDossier, CheckedFact
from ..check.credibility import BEST_SOURCE_CREDIBILITY
from ..document import quote_marks
from ..load import Source
from ..load.model import UNKNOWN
from . import wording
from .language import Language, smart_quotes, typeset


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
    dated: str = ""  # the date as a reader should take it: printed, in the text only, or none
    kind: str = ""  # what sort of source ("news agency dispatch")
    known: str = ""  # what is known of it besides its name and date: outlet, author, title, kind
    missing: tuple[str, ...] = ()  # the descriptors it does not give (outlet, author, title, URL)


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
    item: str = ""  # the thing it describes (`accord.nuclear`)
    tags: tuple[str, ...] = ()  # its own tags and its section's
    events: tuple[EventView, ...] = ()
    confidence_text: str = ""  # "moderate", in the brief's language
    point: str = ""  # the key-point form (the claim where the fact has none), with its attribution
    silent_on: str = ""  # the key of a point its source reports without giving (see SilenceView)


@dataclass(frozen=True)
class EventView:
    date: str  # as the dossier gives it: YYYY, YYYY-MM or YYYY-MM-DD
    when: str  # as a reader reads it: "August 2022"
    label: str
    fact_id: str


@dataclass(frozen=True)
class ItemView:
    """The facts that describe one thing (an accord): a row of a table."""

    id: str
    label: str
    facts: tuple[FactView, ...]
    versions: tuple[VersionView, ...]  # the values its keyed facts give, each with its facts
    sources: tuple[SourceView, ...]
    disputed: bool  # its sources give different values


@dataclass(frozen=True)
class SectionView:
    id: str
    title: str
    facts: tuple[FactView, ...]
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class VersionView:
    value: str
    facts: tuple[FactView, ...]


@dataclass(frozen=True)
class DiscrepancyView:
    key: str
    label: str
    versions: tuple[VersionView, ...]
    item: str = ""  # the item its facts describe, when they describe one: its table shows the versions


@dataclass(frozen=True)
class SilenceView:
    """A point that some sources give and another reports without giving (the
    nuclear accord's parties, where one report names no company): no version
    of its own, so the point is not disputed, but a reader sees the silence."""

    key: str
    label: str
    silent: tuple[FactView, ...]  # the facts that report it without giving it


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
    in_text: int = 0  # sources without a printed date whose text shows one
    dates: str = ""  # the dates in one sentence, without contradiction
    # for each passage two or more sources word alike (an evidence `origin`), their names ("APA and Médard Clobechi")
    worded_alike: tuple[str, ...] = ()


def source_view(source: Source, words: Language) -> SourceView:
    _ = words.gettext
    meta = source.meta
    name = meta.name or next((v for v in (meta.outlet, meta.author) if v != UNKNOWN),
                             _("unattributed source '%(id)s'", id=meta.id))
    details = _details(meta, name, words)
    fields = [(_("outlet"), meta.outlet), (_("author"), meta.author), (_("title"), meta.title), (_("URL"), meta.url)]
    missing = tuple(field for field, value in fields if value == UNKNOWN)
    known = [value for field, value in fields[:2] if value not in (UNKNOWN, name)]
    if meta.title != UNKNOWN:
        known.append(_title(meta, words))
    if meta.kind:
        known.append(meta.kind)
    return SourceView(
        meta.id, meta.title, meta.outlet, meta.author, meta.date, meta.language, meta.url,
        meta.reliability, meta.reliability_reason, meta.note or "", name, details, f"{name} — {details}",
        dated_as(meta, words), meta.kind or "", "; ".join(known), missing,
    )


def _title(meta, words: Language) -> str:
    """A source's title, verbatim and set in its own language's typography, in the quotation
    marks of the brief's language, then its translation where the brief's language is
    another: “Visite d’Assimi Goïta à Moscou\u00a0: le Mali…” (translation: “Assimi Goïta’s visit…”)."""
    title = typeset(meta.title, meta.language if meta.language != UNKNOWN else words.code, verbatim=True)
    opening, closing = quote_marks(title, words.code)
    shown = f"{opening}{title}{closing}"
    if meta.title_translation not in (None, UNKNOWN) and meta.language.split("-")[0] != words.code.split("-")[0]:
        marks = quote_marks(meta.title_translation, words.code)
        shown += " " + words.gettext("(translation: %(text)s)", text=f"{marks[0]}{meta.title_translation}{marks[1]}")
    return shown


def dated_as(meta, words: Language) -> str:
    """'23 June 2025'; or 'no date printed; 23 June 2025, in the text': a date
    the text shows is never passed off as a dateline."""
    if meta.date != UNKNOWN:
        return words.date(meta.date)
    if meta.date_in_text:
        shown = words.date(meta.date_in_text) if _ISO.match(meta.date_in_text) else meta.date_in_text
        return words.gettext("no date printed; %(date)s, in the text", date=shown)
    return words.gettext("no date printed")


_ISO = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def _details(meta, name: str, words: Language) -> str:
    """'“Title” · 23 June 2025 · reliability B · unknown: author, URL': what is
    known of a source besides its name, its grade, then what is not known."""
    _ = words.gettext
    fields = [("outlet", _("outlet"), meta.outlet), ("author", _("author"), meta.author), ("title", _("title"), meta.title),
              ("date", _("date"), meta.date), ("URL", _("URL"), meta.url)]
    known = []
    for field, _label, value in fields:
        if value in (UNKNOWN, name):
            continue
        known.append(_title(meta, words) if field == "title" else words.date(value) if field == "date" else value)
    unknown = [label for _field, label, value in fields if value == UNKNOWN]
    parts = known + [_("reliability %(grade)s", grade=meta.reliability)] + (
        [_("unknown: %(fields)s", fields=", ".join(unknown))] if unknown else [])
    return " · ".join(parts)


def fact_view(fact: CheckedFact, sources: dict[str, SourceView], labels: dict[str, str], words: Language,
              section_tags: tuple[str, ...] = ()) -> FactView:
    model = fact.fact
    cited = tuple(dict.fromkeys(sources[quote.source.id] for quote in fact.evidence))
    key = model.key or ""
    attribution = attribution_of(fact, cited, words)
    events = tuple(EventView(e.date, words.date(e.date), smart_quotes(e.label), model.id) for e in model.events)
    return FactView(
        model.id, model.section, smart_quotes(wording.with_attribution(model.claim, attribution)), model.kind,
        model.kind == "judgment", model.confidence or "", key, labels.get(key, key), model.value or "", model.headline,
        cited, fact.independent_sources, fact.credibility, wording.credibility_meaning(fact.credibility, words),
        smart_quotes(model.claim), attribution, wording.reason(fact, words), model.derivation or "",
        model.item or "", tuple(dict.fromkeys((*model.tags, *section_tags))), events,
        wording.confidence_word(model.confidence or "", words),
        smart_quotes(wording.with_attribution(model.point, attribution_of(fact, cited, words, point=True))
                     if model.point else wording.with_attribution(model.claim, attribution)),
        model.silent_on or "",
    )


def attribution_of(fact: CheckedFact, cited: tuple[SourceView, ...], words: Language, point: bool = False) -> str:
    """Who alone says a fact that one source, or sources of one origin, back:
    such a fact is never printed as established. A judgment is the analyst's,
    and a claim (or, with `point`, its key-point form) that names its source
    ("APA reports that…") says it already."""
    named = fact.point_attributed_to if point else fact.attributed_to
    if fact.fact.kind == "judgment" or named or fact.independent_sources != 1:
        return ""
    return wording.attribution([source.name for source in cited], words)


def build_context(checked: CheckedDossier, words: Language, cited: Callable[[], tuple[str, ...]] | None = None) -> dict:
    """What a template sees. `cited` gives the ids of the facts the brief has
    cited so far, for the counts of its own source summary (`cited_coverage()`)."""
    dossier = checked.dossier
    sources = {source.id: source_view(source, words) for source in dossier.sources}
    tags_of = {section.id: tuple(section.tags) for section in dossier.config.sections}
    labels = dossier.config.key_labels
    facts = {fact.id: fact_view(fact, sources, labels, words, tags_of.get(fact.fact.section, ())) for fact in checked.facts}
    sections = tuple(
        SectionView(section.id, section.title, tuple(f for f in facts.values() if f.section == section.id),
                    tuple(section.tags))
        for section in dossier.config.sections
    )
    summary = next((s for s in sections if "summary" in s.tags), sections[0])
    items = _items(facts.values(), labels)
    item_of_key = {f.key: f.item for f in facts.values() if f.key and f.item}
    discrepancies = tuple(
        DiscrepancyView(d.key, _point_label(d.label, items.get(item_of_key.get(d.key, "")), words),
                        tuple(VersionView(v.value, tuple(facts[f.id] for f in v.facts)) for v in d.versions),
                        item_of_key.get(d.key, ""))
        for d in checked.discrepancies
    )
    silences = tuple(
        SilenceView(key, _point_label(labels.get(key, key), items.get(item_of_key.get(key, "")), words), silent)
        for key in dict.fromkeys(f.silent_on for f in facts.values() if f.silent_on)
        if (silent := tuple(f for f in facts.values() if f.silent_on == key))
    )
    questions = tuple(
        QuestionView(q.id, smart_quotes(q.question), smart_quotes(q.why), smart_quotes(q.settle),
                     tuple(facts[i] for i in q.follows_from))
        for q in dossier.questions
    )
    all_sources = tuple(sources.values())

    def sections_tagged(*tags: str) -> tuple[SectionView, ...]:
        """The sections tagged with any of `tags`, in the dossier's order."""
        return tuple(s for s in sections if s is not summary and not set(tags).isdisjoint(s.tags))

    def facts_tagged(*tags: str) -> tuple[FactView, ...]:
        """The facts whose own tags or whose section's tags include any of `tags`."""
        return tuple(f for f in facts.values() if not set(tags).isdisjoint(f.tags))

    def events_of(chosen=None) -> tuple[EventView, ...]:
        """The dated events of `chosen` facts (all facts by default), in date order."""
        pool = facts.values() if chosen is None else chosen
        return tuple(sorted((e for f in pool for e in f.events), key=lambda e: e.date))

    def items_of(chosen) -> tuple[ItemView, ...]:
        """The items that `chosen` facts (a section's, say) describe, in order of first mention."""
        ids = dict.fromkeys(f.item for f in chosen if f.item)
        return tuple(items[i] for i in ids)

    def cited_coverage() -> Coverage:
        """What the brief has cited so far: its own counts, for its source summary."""
        ids = cited() if cited is not None else tuple(facts)
        return _coverage([checked_by_id[i] for i in ids if i in checked_by_id], sources, words)

    def cited_sources() -> tuple[SourceView, ...]:
        """The sources the brief has cited so far, in the dossier's order."""
        ids = cited() if cited is not None else tuple(facts)
        used = {quote.source.id for i in ids if i in checked_by_id for quote in checked_by_id[i].evidence}
        return tuple(s for s in all_sources if s.id in used)

    def abbreviations_of(chosen) -> tuple[tuple[str, str], ...]:
        """The dossier's abbreviations that `chosen` facts use (their claims and values, the
        questions they raise, what the brief says of their sources), with what each stands
        for, in alphabetical order."""
        chosen = [f if isinstance(f, FactView) else facts[f] for f in chosen if isinstance(f, FactView) or f in facts]
        ids = {f.id for f in chosen}
        texts = [text for f in chosen for text in (f.claim, f.value)]
        texts += [text for source in dict.fromkeys(s for f in chosen for s in f.sources)
                  for text in (source.name, source.known, source.reliability_reason)]
        texts += [text for q in questions if q.facts and all(f.id in ids for f in q.facts)
                  for text in (q.question, q.why, q.settle)]
        return tuple((short, smart_quotes(long)) for short, long in sorted(dossier.config.abbreviations.items())
                     if any(re.search(rf"(?<![\w-]){re.escape(short)}(?![\w-])", text) for text in texts))

    def ratings_by_grade() -> str:
        """'2 for B, 3 for C, and 6 for F': the credibility a statement that no second
        independent source confirms takes from its best source, for each grade the brief cites."""
        grades = sorted({source.reliability for source in cited_sources()} & BEST_SOURCE_CREDIBILITY.keys())
        return words.list(words.gettext("%(rating)s for %(grade)s", rating=BEST_SOURCE_CREDIBILITY[grade], grade=grade)
                          for grade in grades)

    def cited_abbreviations() -> tuple[tuple[str, str], ...]:
        """The abbreviations of what the brief has cited so far (see `abbreviations_of`)."""
        return abbreviations_of(cited() if cited is not None else tuple(facts))

    checked_by_id = {fact.id: fact for fact in checked.facts}
    return {
        "sources": all_sources,
        "facts": tuple(facts.values()),
        "sections": sections,
        "section": {section.id: section for section in sections},
        "summary": summary,
        "body_sections": tuple(s for s in sections if s is not summary),
        "sections_tagged": sections_tagged,
        "facts_tagged": facts_tagged,
        "events_of": events_of,
        "items_of": items_of,
        "cited_coverage": cited_coverage,
        "cited_sources": cited_sources,
        "cited_abbreviations": cited_abbreviations,
        "ratings_by_grade": ratings_by_grade,
        "abbreviations_of": abbreviations_of,
        "headlines": tuple(f for f in facts.values() if f.headline),
        "key_points": _spread_across_sections(f for f in facts.values() if f.headline and f.section != summary.id),
        "judgments": tuple(f for f in facts.values() if f.is_judgment),
        "discrepancies": discrepancies,
        "silences": silences,
        "questions": questions,
        "coverage": _coverage(checked.facts, sources, words, checked.quote_count),
        "credibility_legend": credibility_legend(checked, words),
        "gaps": tuple(smart_quotes(gap) for gap in dossier.config.source_gaps),
        "changes": smart_quotes(dossier.config.changes or ""),
    }


def _items(facts, labels: dict[str, str]) -> dict[str, ItemView]:
    grouped: dict[str, list[FactView]] = {}
    for fact in facts:
        if fact.item:
            grouped.setdefault(fact.item, []).append(fact)
    items = {}
    for item, members in grouped.items():
        values: dict[str, list[FactView]] = {}
        for fact in members:
            if fact.key and not fact.is_judgment:
                values.setdefault(fact.value, []).append(fact)
        versions = tuple(VersionView(value, tuple(group)) for value, group in values.items())
        cited = tuple(dict.fromkeys(source for fact in members for source in fact.sources))
        items[item] = ItemView(item, labels.get(item, item), tuple(members), versions, cited, len(versions) > 1)
    return items


def _point_label(label: str, item: ItemView | None, words: Language) -> str:
    """A disputed point named with the thing it is about ("Peaceful use of nuclear
    energy: parties"): a key's label alone ("Parties") heads a column of that thing's table."""
    if item is None:
        return label
    return words.gettext("%(item)s: %(point)s") % {"item": item.label, "point": label[:1].lower() + label[1:]}


def credibility_legend(checked: CheckedDossier, words: Language) -> tuple[tuple[int, str], ...]:
    """Each credibility grade the dossier's facts have, with its meaning."""
    used = sorted({fact.credibility for fact in checked.facts})
    return tuple((grade, wording.credibility_meaning(grade, words)) for grade in used)


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


def _coverage(checked_facts, sources: dict[str, SourceView], words: Language, quote_count: int | None = None) -> Coverage:
    """The counts of a source summary for `checked_facts`, and their sources' dates said once, without contradiction."""
    used_ids = {quote.source.id for fact in checked_facts for quote in fact.evidence}
    used = tuple(s for s in sources.values() if s.id in used_ids)
    dates = sorted(s.date for s in used if s.date != UNKNOWN)
    in_text = [s for s in used if s.date == UNKNOWN and s.dated != words.gettext("no date printed")]
    undated = sum(s.date == UNKNOWN for s in used)
    languages = tuple(sorted({s.language for s in used}))
    quotes = quote_count if quote_count is not None else sum(len(fact.evidence) for fact in checked_facts)
    first, last = (words.date(dates[0]), words.date(dates[-1])) if dates else (UNKNOWN, UNKNOWN)
    alike: dict[str, dict[str, None]] = {}
    for quote in (quote for fact in checked_facts for quote in fact.evidence if quote.origin):
        alike.setdefault(quote.origin, {})[sources[quote.source.id].name] = None
    return Coverage(
        len(used), len(checked_facts), sum(f.fact.kind == "judgment" for f in checked_facts), quotes, languages,
        first, last, undated, len(in_text), wording.dates_sentence(len(used), dates, undated, len(in_text), words),
        tuple(words.list(names) for names in alike.values() if len(names) > 1),
    )
