"""The sentences compose writes itself, rather than a template: a fact's
credibility and its reason, who backs it, who alone says it, and how the
sources are dated. Each goes through the brief's catalogue (`language`), so
a French brief says them in French; the English messages are the source."""

from __future__ import annotations

from ..check import CheckedFact
from ..check.credibility import BEST_SOURCE_CREDIBILITY
from .language import Language


def credibility_meaning(grade: int, words: Language) -> str:
    """1 → 'confirmed by another independent source' … 6 → 'truth cannot be judged' (Admiralty scale)."""
    _ = words.gettext
    return {1: _("confirmed by another independent source"), 2: _("probably true"), 3: _("possibly true"),
            4: _("doubtful"), 5: _("improbable"), 6: _("truth cannot be judged")}[grade]


def confidence_phrase(confidence: str, words: Language) -> str:
    """'Judgment, moderate confidence' (the adjective agrees, in languages where it does)."""
    _ = words.gettext
    return {"low": _("Judgment, low confidence"), "moderate": _("Judgment, moderate confidence"),
            "high": _("Judgment, high confidence")}.get(confidence, _("Judgment"))


def confidence_word(confidence: str, words: Language) -> str:
    """'moderate', as a template prints it after "confidence"."""
    _ = words.gettext
    return {"low": _("low"), "moderate": _("moderate"), "high": _("high")}.get(confidence, confidence)


def reason(fact: CheckedFact, words: Language, with_cap: bool = True) -> str:
    """What backs a fact, as `check` counts it (see `check.credibility.grade`):
    '3 independent sources', 'one source', '2 independent sources, of which 1
    can be judged', and the dispute that caps its credibility (left out with
    `with_cap` false, for a sentence that says the point is disputed itself)."""
    _ = words.gettext
    sources = len({quote.source.id for quote in fact.evidence})
    if fact.confirming_sources >= 2 and fact.independent_sources == fact.confirming_sources:
        text = words.ngettext("%(num)s independent source", "%(num)s independent sources", fact.confirming_sources)
    elif fact.independent_sources >= 2:
        text = (_("%(count)s independent sources, of which none can be judged", count=fact.independent_sources)
                if not fact.confirming_sources else
                words.ngettext("%(count)s independent sources, of which %(num)s can be judged",
                               "%(count)s independent sources, of which %(num)s can be judged", fact.confirming_sources,
                               count=fact.independent_sources))
    else:
        text = _("one source") if sources == 1 else _("%(count)s sources, apparently of one origin", count=sources)
    if not with_cap:
        return text
    if capped_by_dispute(fact):
        text += _("; the sources disagree on this point, so it is rated 3 at best")
    elif fact.disputed:
        text += _("; the sources disagree on this point")
    return text


def capped_by_dispute(fact: CheckedFact) -> bool:
    """Whether the sources' disagreement holds the fact's credibility to 3, which they would rate higher."""
    return fact.disputed and (fact.confirming_sources >= 2 or _best_grade(fact) < 3)


def _best_grade(fact: CheckedFact) -> int:
    """The credibility the best source alone would give, before a dispute caps it."""
    best = min(quote.source.meta.reliability for quote in fact.evidence)
    return BEST_SOURCE_CREDIBILITY[best]


def attribution(names: list[str], words: Language) -> str:
    """'APA alone'; 'reported only by APA and Clobechi, apparently from the same material'."""
    if len(names) == 1:
        return words.gettext("%(name)s alone", name=names[0])
    return words.gettext("reported only by %(names)s, apparently from the same material", names=words.list(names))


def with_attribution(claim: str, attribution: str) -> str:
    """'The refinery will be built at Sénou (APA alone).'"""
    if not attribution:
        return claim
    body = claim.rstrip()
    end = body[-1] if body and body[-1] in ".!?" else ""
    return f"{body[:len(body) - len(end)]} ({attribution}){end or '.'}"


def count_word(n: int, words: Language) -> str:
    """A small count of sources in words ('three'; 'trois'), a larger one in figures."""
    if n > 10:
        return words.number(n)
    pgettext = words.translations.pgettext
    return str([pgettext("sources", "none"), pgettext("sources", "one"), pgettext("sources", "two"),
            pgettext("sources", "three"), pgettext("sources", "four"), pgettext("sources", "five"),
            pgettext("sources", "six"), pgettext("sources", "seven"), pgettext("sources", "eight"),
            pgettext("sources", "nine"), pgettext("sources", "ten")][n])


def dates_sentence(count: int, dates: list[str], undated: int, in_text: int, words: Language) -> str:
    """'One prints its date (23 June 2025); the other four print none, and three of them give a date in the text.'"""
    if not count:
        return ""
    _ = words.gettext
    printed = len(dates)
    span = "" if not dates else words.date(dates[0]) if dates[0] == dates[-1] else \
        _("%(first)s to %(last)s", first=words.date(dates[0]), last=words.date(dates[-1]))
    if not undated:
        return words.ngettext("It prints a date (%(span)s).", "All print a date (%(span)s).", count, span=span)
    if printed:
        text = words.ngettext("%(count)s prints its date (%(span)s)", "%(count)s print their dates (%(span)s)", printed,
                  count=count_word(printed, words), span=span)
        text += words.ngettext("; the other %(count)s prints none", "; the other %(count)s print none", undated,
                   count=count_word(undated, words))
    else:
        text = words.ngettext("It prints no date", "None prints a date", count)
    if in_text and undated > 1:
        text += (words.ngettext(", and %(count)s of them gives a date in the text", ", and %(count)s of them give a date in the text",
                    in_text, count=count_word(in_text, words)) if printed else
                 words.ngettext(", %(count)s of them gives a date in the text", ", %(count)s of them give a date in the text",
                    in_text, count=count_word(in_text, words)))
    elif in_text:
        text += _(", but gives a date in its text")
    return text[:1].upper() + text[1:] + "."
