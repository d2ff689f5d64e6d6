"""Claim against evidence: a claim says no more than its quotes.

Every number (years, percentages, amounts, counts), date and proper name of a
claim must appear in at least one of the fact's quotes. Claims are written in
English and quotes in their source's language, so each kind of term is
compared through a locale library rather than a hand-made table:

- numbers through Babel's CLDR number symbols ("10,000" ↔ « 10 000 »,
  "38%" ↔ « 38 % »), number words through num2words ("three" ↔ « trois »,
  "third" ↔ « troisième »);
- months and weekdays through Babel's CLDR names ("23 June" ↔ « 23 juin »);
- names of countries and cities through CLDR ("Moscow" ↔ « Moscou »), any
  other name through the dossier's glossary (`glossary:` in dossier.yaml,
  "Putin: [Poutine]"); a name also matches the start of a word, accents and
  case aside ("Mali" ↔ « malienne », "General" ↔ « général »).

The names of the fact's own sources do not count ("APA reports that…").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache

CLAIM_LANGUAGE = "en"
UNKNOWN_LANGUAGES = ("en", "fr", "es", "de", "pt", "it")  # how a quote of no recorded language is read

_TOKEN = re.compile(r"(?P<number>\d+(?:[,.]\d+)*)(?P<percent>\s?%|\s?per\s?cent)?|(?P<word>[^\W\d_]+(?:['’-][^\W\d_]+)*)")
_QUOTE_NUMBER = re.compile(r"\d+(?:[\s\u00a0\u202f.,]\d+)*")
_QUOTE_WORD = re.compile(r"[^\W\d_]+")
_NAME_PARTS = re.compile(r"[-’']")
_POSSESSIVE = re.compile(r"['’]s$")
_GROUPED = re.compile(r"\d{1,3}(,\d{3})+(\.\d+)?")  # 10,000.5
_PLAIN = re.compile(r"\d+(\.\d+)?")
_SENTENCE_END = re.compile(r"[.!?][\"”’)]*$|^[\"“‘(]+$")  # what stands before the first word of a sentence


@dataclass(frozen=True)
class Term:
    """A number, date or name of a claim: as written, and what it compares as."""

    text: str
    kind: str  # "number", "month", "weekday", "name"
    value: object


@dataclass(frozen=True)
class Evidence:
    """What a claim is compared with: the quotes' text and the language of each."""

    texts: tuple[tuple[str, str], ...]  # (quote as the source prints it, its language)


@dataclass(frozen=True)
class Glossary:
    """The dossier's glossary, folded: a name of the claims → how the sources write it."""

    names: Mapping[str, frozenset[str]]

    @classmethod
    def of(cls, glossary: Mapping[str, Iterable[str]]) -> Glossary:
        folded: dict[str, set[str]] = {}
        for name, others in glossary.items():
            folded.setdefault(fold(name), set()).update(fold(other) for other in others)
        return cls({name: frozenset(others) for name, others in folded.items()})


def missing_terms(claim: str, evidence: Evidence, glossary: Glossary | Mapping[str, Iterable[str]],
                  own_names: Iterable[str] = (), language: str = CLAIM_LANGUAGE) -> list[Term]:
    """The terms of `claim`, written in `language`, that none of the quotes in `evidence` gives, in the claim's order."""
    if not isinstance(glossary, Glossary):
        glossary = Glossary.of(glossary)
    terms = claim_terms(claim, glossary.names.keys(), language)
    if not terms:
        return []
    skip = _own_words(tuple(own_names))
    quotes = [_Quote.of(text, language) for text, language in evidence.texts]
    missing: dict[str, Term] = {}
    for term in terms:
        if term.kind == "name" and term.value in skip:
            continue
        if not any(quote.gives(term, glossary) for quote in quotes):
            missing.setdefault(term.text, term)
    return list(missing.values())


@lru_cache(maxsize=4096)
def _own_words(names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(fold(word) for name in names for word in _QUOTE_WORD.findall(name))


def claim_terms(claim: str, known_names: Iterable[str] = frozenset(), language: str = CLAIM_LANGUAGE) -> list[Term]:
    """The numbers, dates and names of a claim in `language` (English by
    default). A capitalised word within a sentence is a name; the first word of
    a sentence is one only when it is known as one: an acronym, a country or
    city CLDR names, or a name of the glossary (`known_names`, folded). Month
    and weekday names count capitalised in English ("May", not "may"), in any
    case elsewhere ("23 juin")."""
    if _locale(language) is None:
        language = CLAIM_LANGUAGE
    english = language == CLAIM_LANGUAGE
    words = _number_words(language)
    months = _month_numbers(language)
    weekdays = _weekday_numbers(language)
    terms = [] if english else [Term(text, "number", value) for text, value in _written_numbers(claim, language)]
    for match in _TOKEN.finditer(claim):
        if match["number"]:
            if not english:
                continue
            value = _claim_number(match["number"])
            if value is not None:
                terms.append(Term(match[0].strip(), "number", value))
            continue
        word = match["word"]
        folded = fold_word(word)
        if folded in months and (word[0].isupper() or not english):  # "May", not "may"
            terms.append(Term(word, "month", months[folded]))
        elif folded in weekdays and (word[0].isupper() or not english):
            terms.append(Term(word, "weekday", weekdays[folded]))
        elif folded in words:
            terms.append(Term(word, "number", words[folded]))
        elif word[0].isupper() and (not _starts_sentence(claim, match.start()) or _is_known_name(word, known_names)):
            for part in _NAME_PARTS.split(_without_possessive(word)):
                if part and part[0].isupper():
                    terms.append(Term(part, "name", fold(part)))
    return terms


def fold(text: str) -> str:
    """Accents and case aside: 'Goïta' → 'goita'."""
    if text.isascii():
        return text.lower()
    return _MARKS.sub("", unicodedata.normalize("NFKD", text)).casefold()


_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")  # combining marks


@lru_cache(maxsize=65536)
def fold_word(word: str) -> str:
    """`fold`, remembered: a dossier repeats few words many times."""
    return fold(word)


def _starts_sentence(claim: str, start: int) -> bool:
    before = claim[:start].rstrip()
    return not before or bool(_SENTENCE_END.search(before))


def _is_known_name(word: str, known_names: Iterable[str]) -> bool:
    folded = fold(_without_possessive(word))
    return (len(word) > 1 and word.isupper()) or folded in known_names or folded in _english_place_names()


def _without_possessive(word: str) -> str:
    return _POSSESSIVE.sub("", word)


def _written_numbers(text: str, language: str) -> list[tuple[str, str]]:
    """The numbers of a claim not in English, with the language's separators
    (CLDR): « 10 000 » → 10000, « 1,5 » → 1.5."""
    found = []
    decimal = _decimal_symbol(language)
    for match in _QUOTE_NUMBER.finditer(text):
        token = match[0].rstrip(".,")
        whole, _, fraction = token.partition(decimal)
        groups = _SEPARATORS.split(whole)
        if len(groups) > 1 and not all(len(group) == 3 for group in groups[1:]):  # "2025.23": not one number
            found += [(group, _canonical(group)) for group in _SEPARATORS.split(token) if group]
            continue
        found.append((token, _canonical("".join(groups) + (f".{fraction}" if fraction.isdigit() else ""))))
    return found


def _claim_number(text: str) -> str | None:
    """An English number ("10,000", "2.5"), as `_canonical` writes it."""
    if _GROUPED.fullmatch(text):
        text = text.replace(",", "")
    return _canonical(text) if _PLAIN.fullmatch(text) else None


def _canonical(digits: str) -> str:
    """A number written as digits and at most one '.', as one text per value: '010.50' → '10.5'."""
    whole, _, fraction = digits.partition(".")
    whole, fraction = whole.lstrip("0") or "0", fraction.rstrip("0")
    return f"{whole}.{fraction}" if fraction else whole


class _Quote:
    """A quote folded for comparison; each view of it made when first asked for.
    A quote of a language nobody recorded is read in each of a few common ones."""

    def __init__(self, text: str, languages: tuple[str, ...]):
        self.text = text
        self.languages = languages

    @classmethod
    def of(cls, text: str, language: str) -> _Quote:
        return cls(text, (language,) if _locale(language) is not None else UNKNOWN_LANGUAGES)

    @cached_property
    def words(self) -> list[str]:
        return _QUOTE_WORD.findall(fold(self.text))

    @cached_property
    def joined(self) -> str:
        return " " + " ".join(self.words) + " "

    @cached_property
    def numbers(self) -> set[str]:
        found: set[str] = set()
        for language in self.languages:
            spelled = _number_words(language)
            found |= _quote_numbers(self.text, language) | {spelled[w] for w in self.words if w in spelled}
        return found

    @cached_property
    def months(self) -> set[int]:
        return {number for language in self.languages for w in self.words
                if (number := _month_numbers(language).get(w)) is not None}

    @cached_property
    def weekdays(self) -> set[int]:
        return {number for language in self.languages for w in self.words
                if (number := _weekday_numbers(language).get(w)) is not None}

    def gives(self, term: Term, glossary: Glossary) -> bool:
        if term.kind == "number":
            return term.value in self.numbers
        if term.kind == "month":
            return term.value in self.months
        if term.kind == "weekday":
            return term.value in self.weekdays
        if self._has_word_start(str(term.value)):
            return True
        others = glossary.names.get(fold(term.text), frozenset()).union(
            *(_translations(str(term.value), language) for language in self.languages))
        return any(self._has_word_start(name) for name in others)

    def _has_word_start(self, name: str) -> bool:
        """Whether the words of `name` start a run of words of the quote."""
        words = _QUOTE_WORD.findall(name)
        return bool(words) and (" " + " ".join(words)) in self.joined


def _quote_numbers(text: str, language: str) -> set[str]:
    """The numbers a quote writes in its language's digits and separators (CLDR)."""
    found: set[str] = set()
    for match in _QUOTE_NUMBER.finditer(text):
        token = match[0]
        groups = _SEPARATORS.split(token)
        found.update(_canonical(group) for group in groups)  # "23 juin 2025, 38" : each on its own
        if len(groups) > 1:
            whole, _, fraction = token.partition(_decimal_symbol(language))
            integer = _SEPARATORS.split(whole)
            if all(len(group) == 3 for group in integer[1:]):  # groups of thousands
                found.add(_canonical("".join(integer) + (f".{fraction}" if fraction.isdigit() else "")))
    return found


_SEPARATORS = re.compile(r"[\s\u00a0\u202f.,]")


@cache
def _decimal_symbol(language: str) -> str:
    from babel.numbers import get_decimal_symbol

    return get_decimal_symbol(_locale(language) or CLAIM_LANGUAGE)


@cache
def _locale(language: str):
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(language)
    except (UnknownLocaleError, ValueError, TypeError):
        return None


@cache
def _number_words(language: str) -> dict[str, str]:
    """'trois' → 3, 'troisième' → 3 …: cardinal and ordinal words up to a hundred."""
    from num2words import num2words

    words: dict[str, str] = {}
    for number in range(101):
        for to in ("cardinal", "ordinal"):
            if to == "ordinal" and number == 0:
                continue
            try:
                spelled = num2words(number, to=to, lang=language)
            except (NotImplementedError, KeyError, OverflowError, TypeError, ValueError):
                continue
            if " " not in spelled.strip():  # one word: "trois", not "vingt et un"
                words.setdefault(fold(spelled.strip()), str(number))
    for word in [word for word, value in words.items() if value == "1"]:
        del words[word]  # "one", "un", "first", "premier": a pronoun, an article or an order as often as a number
    return words


@cache
def _month_numbers(language: str) -> dict[str, int]:
    from babel.dates import get_month_names

    locale = _locale(language) or CLAIM_LANGUAGE
    return {fold(name): number for number, name in get_month_names("wide", locale=locale).items()}


@cache
def _weekday_numbers(language: str) -> dict[str, int]:
    from babel.dates import get_day_names

    locale = _locale(language) or CLAIM_LANGUAGE
    return {fold(name): number for number, name in get_day_names("wide", locale=locale).items()}


@cache
def _translations(folded_name: str, language: str) -> frozenset[str]:
    """What CLDR calls the country or city `folded_name` (in English) in `language`."""
    return frozenset(_place_names(language).get(folded_name, ()))


@cache
def _english_place_names() -> frozenset[str]:
    """The countries and cities CLDR names in English, folded."""
    english = _locale(CLAIM_LANGUAGE)
    if english is None:
        return frozenset()
    cities = {data.get("city") or zone.rsplit("/", 1)[1].replace("_", " ") for zone, data in english.time_zones.items() if "/" in zone}
    return frozenset(fold(name) for name in cities | set(english.territories.values()))


@cache
def _place_names(language: str) -> dict[str, set[str]]:
    """English name of each country and city CLDR knows → its names in `language`."""
    english, other = _locale(CLAIM_LANGUAGE), _locale(language)
    names: dict[str, set[str]] = {}
    if other is None or english is None:
        return names
    for code, name in english.territories.items():
        if code in other.territories:
            names.setdefault(fold(name), set()).add(fold(other.territories[code]))
    for zone, data in other.time_zones.items():
        city = data.get("city")
        if city and "/" in zone:
            english_city = english.time_zones.get(zone, {}).get("city") or zone.rsplit("/", 1)[1].replace("_", " ")
            names.setdefault(fold(english_city), set()).add(fold(city))
    return names
