"""Stage 2, check: prove every quote is in its source, and compare the facts.

Nothing renders from an unchecked dossier. `check_dossier` locates each quote in
its source (after normalisation) and keeps its character span, resolves every
reference, grades each fact's credibility from its independent evidence (see
`credibility`), and lists the keys on which facts disagree.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import BriefingError, BriefingWarning, raise_all
from ..load import Dossier, load_partial
from ..load.languages import in_language as dossier_in_language
from ..load.model import Fact, texts_of
from .claims import Evidence, Glossary, fold, missing_terms
from .credibility import CheckedFact, Discrepancy, LocatedQuote, discrepancies, disputed_keys, grade
from .fingerprints import check_fingerprints
from .normalise import normalise
from .quotes import invisible_characters, locate_quote
from .syndication import check_syndication


@dataclass(frozen=True)
class CheckedDossier:
    dossier: Dossier
    facts: tuple[CheckedFact, ...]
    discrepancies: tuple[Discrepancy, ...]
    warnings: tuple[BriefingWarning, ...] = ()

    @property
    def quote_count(self) -> int:
        return sum(len(fact.evidence) for fact in self.facts)


def load_and_check(root: str | Path, strict: bool = False) -> CheckedDossier:
    """Load the dossier at `root` and check it: the schema errors of the files and the errors of
    the check (an unknown section, a quote not found) are raised together, in one run."""
    dossier, errors = load_partial(root)
    return check_dossier(dossier, strict, errors)


def check_dossier(dossier: Dossier, strict: bool = False, load_errors: Sequence[BriefingError] = ()) -> CheckedDossier:
    """Verify the dossier; raise every error found, all at once, after `load_errors` (those of
    `load_partial`). What deserves a look but does not stop a build is in `warnings`; with
    `strict`, warnings are errors too."""
    errors: list[BriefingError] = list(load_errors)
    sources = _index_unique(dossier.sources, lambda s: s.meta, "source", errors)
    section_ids = list(_index_unique(dossier.config.sections, lambda s: s, "section", errors))
    _index_unique(dossier.facts, lambda f: f, "fact", errors)
    _index_unique(dossier.questions, lambda q: q, "question", errors)
    texts = {source_id: normalise(source.text) for source_id, source in sources.items()}
    changed, unfingerprinted = check_fingerprints(dossier)
    errors += changed

    located: list[tuple[Fact, tuple[LocatedQuote, ...]]] = []
    for fact in dossier.facts:
        invisible = invisible_characters(" ".join(texts_of(fact.claim, dossier.config.language).values()))
        if invisible:
            errors.append(_error(fact, f"fact '{fact.id}': the claim holds {invisible}: retype it without them"))
        if section_ids and fact.section not in section_ids:  # none: dossier.yaml did not validate
            errors.append(_error(fact, f"fact '{fact.id}': unknown section '{fact.section}'; "
                                       f"sections of this dossier: {', '.join(section_ids)}"))
        quotes = [quote for evidence in fact.evidence
                  if (quote := _locate(fact.id, evidence, dossier, sources, texts, errors)) is not None]
        located.append((fact, tuple(quotes)))
    for fact_id, section, where in dossier.unchecked_sections:  # of a fact with a schema error elsewhere
        if section_ids and section not in section_ids:
            errors.append(BriefingError(f"fact '{fact_id}': unknown section '{section}'; sections of this dossier: "
                                        f"{', '.join(section_ids)}", file=where.file, line=where.line))
    for fact_id, evidence in dossier.unchecked_evidence:
        _locate(fact_id, evidence, dossier, sources, texts, errors)
    fact_ids = {fact.id for fact in dossier.facts}
    facts_folder = dossier.root / "sources" / "facts"
    # a fact file with an error holds facts not read: a question that follows from one of them is no mistake of its own
    facts_incomplete = any(error.file and Path(error.file).parent == facts_folder for error in load_errors)
    keys = sorted({fact.key for fact in dossier.facts if fact.key})
    for fact in () if facts_incomplete else dossier.facts:
        if fact.silent_on and fact.silent_on not in keys:
            errors.append(_error(fact, f"fact '{fact.id}': silent_on names '{fact.silent_on}', a point no fact gives; "
                                       f"points of this dossier: {', '.join(keys) or 'none'}"))
    for question in () if facts_incomplete else dossier.questions:
        for fact_id in question.follows_from:
            if fact_id not in fact_ids:
                errors.append(_error(question, f"question '{question.id}': follows_from names unknown fact '{fact_id}'"))
    raise_all(errors)

    disputed = disputed_keys(dossier.facts)
    facts = tuple(grade(fact, quotes, fact.key in disputed) for fact, quotes in located)
    glossary = Glossary.of(dossier.config.glossary)
    warnings = unfingerprinted + check_syndication(list(sources.values()), [text.text for text in texts.values()])
    warnings += [warning for fact in facts for warning in claim_warnings(fact, glossary, dossier.config.language)]
    if strict:
        raise_all([warning.as_error() for warning in warnings])
    return CheckedDossier(dossier, facts, discrepancies(facts, dossier), tuple(warnings))


def silent_sources(checked: CheckedDossier, fact: Fact) -> tuple[str, ...]:
    """The sources a `silent_on` fact quotes that give no version of its point: none
    of their quotes backs a fact with that key, or with a key of the same label on the
    same item (each source's own description of an accord)."""
    labels = checked.dossier.config.key_labels
    label = labels.get(fact.silent_on or "", fact.silent_on)
    giving = {evidence.source for other in checked.facts for evidence in other.fact.evidence
              if other.fact.key and (other.fact.key == fact.silent_on or other.fact.item == fact.item
                                     and labels.get(other.fact.key, other.fact.key) == label)}
    return tuple(dict.fromkeys(e.source for e in fact.evidence if e.source not in giving))


def claim_warnings(fact: CheckedFact, glossary: Glossary, default: str = "en") -> list[BriefingWarning]:
    """A warning for each number, date or name of the claim (and of its key-point
    form), in each of its languages, that none of its quotes gives (see `claims`); a derivation the
    fact declares may give it, if the quotes give the derivation's own figures.
    `default` is the dossier's language, that of a claim written as plain text."""
    model = fact.fact
    evidence = Evidence(tuple((passage, quote.source.meta.language) for quote in fact.evidence for passage in quote.passages))
    own = [value for quote in fact.evidence for value in (quote.source.meta.id, quote.source.meta.outlet,
                                                        quote.source.meta.author,
                                                        *texts_of(quote.source.meta.name or "", default).values())]
    where = model.where
    derivations = texts_of(model.derivation, default) if model.derivation else {}
    messages = []
    for language, claim in texts_of(model.claim, default).items():
        label = f"fact '{model.id}'" if language == default else f"fact '{model.id}' ({language})"
        gaps = missing_terms(claim, evidence, glossary, own, language)
        derivation = derivations.get(language) or derivations.get(default)
        if derivation:
            derived = {fold(word) for word in re.findall(r"[^\W_]+", derivation)}
            claimed = {fold(term.text) for term in gaps}
            gaps = [term for term in gaps if fold(term.text) not in derived]
            extra = [f"{label}: \"{term.text}\" is in the derivation but in none of its quotes"
                     for term in missing_terms(derivation, evidence, glossary, own, language) if fold(term.text) not in claimed]
        else:
            extra = []
        messages += [f"{label}: \"{term.text}\" is in the claim but in none of its quotes" for term in gaps] + extra
    for language, point in (texts_of(model.point, default) if model.point else {}).items():
        label = f"fact '{model.id}'" if language == default else f"fact '{model.id}' ({language})"
        messages += [f"{label}: \"{term.text}\" is in the point but in none of its quotes"
                     for term in missing_terms(point, evidence, glossary, own, language)]
    return [BriefingWarning(message, where.file, where.line) for message in messages]


def _locate(fact_id: str, evidence, dossier: Dossier, sources: dict, texts: dict, errors: list) -> LocatedQuote | None:
    """The quote of one piece of evidence located in its source, or None with the error appended."""
    if evidence.source not in sources:
        if evidence.source not in dossier.broken_sources:  # else its own error is reported already
            errors.append(_error(evidence, f"fact '{fact_id}': unknown source '{evidence.source}'; "
                                           f"known sources: {', '.join(sources)}"))
        return None
    try:
        located = locate_quote(evidence.quote, sources[evidence.source], texts[evidence.source], texts)
        return replace(located, origin=evidence.origin) if evidence.origin else located
    except BriefingError as error:
        errors.append(_error(evidence, f"fact '{fact_id}': {error.detail}"))
        return None


def _error(item, message: str) -> BriefingError:
    return BriefingError(message, file=item.where.file, line=item.where.line)


def _index_unique(items, model_of, kind: str, errors: list) -> dict:
    index: dict = {}
    for item in items:
        model = model_of(item)
        if model.id in index:
            first = model_of(index[model.id]).where
            errors.append(_error(model, f"duplicate {kind} id '{model.id}' (first defined at {first.file}:{first.line})"))
        else:
            index[model.id] = item
    return index




def in_language(checked: CheckedDossier, language: str) -> CheckedDossier:
    """The checked dossier with every text in `language` (see `load.languages`);
    each fact, question or section that lacks it is an error, all in one run."""
    dossier, missing = dossier_in_language(checked.dossier, language)
    raise_all(missing)
    sources = {source.id: source for source in dossier.sources}
    facts = tuple(replace(fact, fact=model, evidence=tuple(replace(quote, source=sources[quote.source.id])
                                                          for quote in fact.evidence))
                  for fact, model in zip(checked.facts, dossier.facts))
    return replace(checked, dossier=dossier, facts=facts, discrepancies=discrepancies(facts, dossier))
