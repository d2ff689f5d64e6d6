"""Which passages of a fact carry its claim: those that give its numbers, dates
and names (as `check.claims` finds them) and the words it quotes. A note too
short for every passage (a Word footnote) gives at least these, so each
checkable part of the statement stands beside the source's own words."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from ..check.claims import Evidence, Glossary, claim_terms, fold, missing_terms

# the words a claim quotes: ‘…’, “…” or « … »
_QUOTED = re.compile(r"‘([^’]{3,}?)’(?!\w)|“([^”]{3,}?)”|«\s*([^»]{3,}?)\s*»")


def carrying_passages(claim: str, language: str, passages: Sequence[tuple[str, str, str | None]],
                      glossary: Glossary, own_names: Iterable[str] = ()) -> set[int]:
    """The indexes of `passages` (text, its language, its translation) that carry
    `claim`: a smallest set, chosen greedily, that gives every term of the claim
    and every phrase it quotes that some passage gives."""
    own = tuple(own_names)
    terms = claim_terms(claim, glossary.names.keys(), language)
    phrases = [_folded(next(group for group in match.groups() if group)) for match in _QUOTED.finditer(claim)]
    gives: list[set] = []
    for text, text_language, translation in passages:
        missing = missing_terms(claim, Evidence(((text, text_language),)), glossary, own, language) if terms else []
        given: set = {term for term in terms if term not in missing}
        said = _folded(text) + " " + _folded(translation or "")
        given |= {("phrase", phrase) for phrase in phrases if phrase in said}
        gives.append(given)
    wanted = set().union(*gives) if gives else set()
    chosen: set[int] = set()
    while wanted:
        best = max(range(len(passages)), key=lambda index: (len(gives[index] & wanted), -index))
        chosen.add(best)
        wanted -= gives[best]
    return chosen


def _folded(text: str) -> str:
    return " ".join(fold(text).split())
