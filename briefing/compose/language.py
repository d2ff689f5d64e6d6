"""The words of a brief in its language.

Every fixed string a brief prints (of the templates and of this package) is a
gettext message, translated by a catalogue in `locale/<code>/LC_MESSAGES/`
(Babel extracts the messages and compiles the catalogues; see the README):
adding a language is adding a catalogue. Dates, numbers, lists and language
names come from CLDR, through Babel.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.lists import format_list
from babel.numbers import format_decimal
from babel.support import Translations

from ..errors import BriefingError

CATALOGUES = Path(__file__).resolve().parent / "locale"
DOMAIN = "briefing"
NBSP = "\u00a0"  # a no-break space: both renderers keep it, and never break a line there
_RIGHT_TO_LEFT = frozenset({"ar", "he", "fa", "ur", "yi", "ps", "sd", "ug", "dv"})

# French typography: a space, and never a line break, before ; : ! ? » and after «.
# A space the text has becomes a no-break one; one the analyst left out is added
# (before a colon only when a space follows it, so "10:30" stays; links stay as they are).
_FRENCH_BEFORE = re.compile(r"[ \t\u202f]+(?=[;:!?»])")
_FRENCH_AFTER = re.compile(r"(?<=«)[ \t\u202f]+")
_FRENCH_MISSING = re.compile(r"(?<=[^\s\u00a0«(\[])(?=[;!?»])|(?<=[^\s\u00a0«(\[])(?=:$)")
_FRENCH_MISSING_AFTER = re.compile(r"«(?=[^\s\u00a0])")
# A number is not parted from what it counts ("65 ans", "200 tonnes") nor from its thousands ("10 000");
# a year ("2021 selon", "2020 et") and a number before a little word ("jeudi 26 ou") may end a line.
_LITTLE_WORDS = "et|ou|selon|puis|mais|pour|par|sur|avec|dans|contre|dont|qui|que|où|à|au|aux|en|le|la|les|de|des|du"
_FRENCH_NUMBER = re.compile(rf"(?<=\d)(?<!\b1[89]\d\d)(?<!\b20\d\d) (?=\d{{3}}\b|(?!(?:{_LITTLE_WORDS})\b)[^\W\d_])")


def available() -> tuple[str, ...]:
    """The languages briefing has a compiled catalogue for."""
    return tuple(sorted(path.parent.parent.name for path in CATALOGUES.glob(f"*/LC_MESSAGES/{DOMAIN}.mo")))


@dataclass(frozen=True)
class Language:
    """A brief's language: its catalogue and its CLDR locale."""

    code: str
    translations: Translations
    locale: Locale

    def gettext(self, message: str, **values) -> str:
        """The message in this language, with `%(name)s` placeholders filled."""
        text = self.translations.gettext(message)
        return text % values if values else text

    def ngettext(self, singular: str, plural: str, n: int, **values) -> str:
        """The singular or the plural form, by the language's plural rule; `%(num)s` is `n`."""
        return self.translations.ngettext(singular, plural, n) % {"num": self.number(n), **values}

    def number(self, value: int | float) -> str:
        return format_decimal(value, locale=self.locale)

    def list(self, items) -> str:
        """'APA, Clobechi and Kremlin' / 'APA, Clobechi et Kremlin'."""
        items = [str(item) for item in items]
        return format_list(items, locale=self.locale) if items else ""

    def list_patterns(self) -> tuple[str, str, str, str]:
        """How the language joins two items, and the start, middle and end of a longer list (CLDR)."""
        patterns = self.locale.list_patterns["standard"]
        return patterns["2"], patterns["start"], patterns["middle"], patterns["end"]

    def date(self, value: str) -> str:
        """'2025-06-23' → '23 June 2025' or '23 juin 2025'; '2025-06' → 'June 2025'; 'unknown' → 'unknown'."""
        if value == "unknown":
            return self.gettext("unknown")
        parts = value.split("-")
        if len(parts) == 1:
            return parts[0]
        day = datetime.date(int(parts[0]), int(parts[1]), int(parts[2]) if len(parts) == 3 else 1)
        text = format_date(day, "d MMMM y" if len(parts) == 3 else "LLLL y", locale=self.locale)
        return text.replace(" ", NBSP)  # a date is never broken across lines

    def typeset(self, text: str, verbatim: bool = False) -> str:
        return typeset(text, self.code, verbatim)

    def language_name(self, code: str) -> str:
        """'fr' → 'French' in an English brief, 'français' in a French one."""
        if code == "unknown" or code.split("-")[0].lower() == "und":  # "und", undetermined: CLDR would say en-US
            return self.gettext("an unknown language")
        try:
            return Locale.parse(code.replace("-", "_")).get_display_name(self.locale) or code
        except (ValueError, LookupError, UnknownLocaleError):
            return code


_OPENING = re.compile(r"(^|[\s(\[{\u2014\u2013/-])'")
_DOUBLE_OPENING = re.compile(r'(^|[\s(\[{\u2014\u2013/-])"')


def smart_quotes(text: str) -> str:
    """Straight quotes as typographic ones: ' after a space or an opening
    bracket opens (‘), any other closes or is an apostrophe (’); the same
    for " (“ ”). For the analyst's text, and for a quote's marks: the words
    of a quote stay the source's, its ' and " are printed as a publisher sets them."""
    if "'" not in text and '"' not in text:
        return text
    text = _OPENING.sub("\\1\u2018", text).replace("'", "\u2019")
    return _DOUBLE_OPENING.sub("\\1\u201c", text).replace('"', "\u201d")


def typeset(text: str, language: str, verbatim: bool = False) -> str:
    """The spacing rules of `language` applied to `text`: a date's day, month
    and year are never parted ("23 juin 2025", "Monday 23 June"); in French,
    no-break spaces before ; : ! ? » and inside guillemets, and between a
    number and the word it counts. A `verbatim` text (a quote) keeps its
    words: only the spaces it has become no-break ones, and its straight
    quotes typographic ones (« dites “souverainistes” », « d’entente »)."""
    if language.split("-")[0] not in _RIGHT_TO_LEFT:  # a no-break space there would weigh in the bidi algorithm
        if verbatim:  # (right-to-left scripts keep theirs: “ ” do not mirror, and ' may be a geresh)
            text = smart_quotes(text)
        text = _dates_pattern(language.split("-")[0]).sub(lambda match: match[0].replace(" ", NBSP), text)
    if language.split("-")[0] != "fr":
        return text
    text = _FRENCH_NUMBER.sub(NBSP, _FRENCH_AFTER.sub(NBSP, _FRENCH_BEFORE.sub(NBSP, text)))
    if verbatim:
        return text
    return "".join(piece if "://" in piece or "@" in piece else  # a link or an address stays as it is
                   _FRENCH_MISSING_AFTER.sub("«" + NBSP, _FRENCH_MISSING.sub(NBSP, piece))
                   for piece in re.split(r"(\s+)", text))


@cache
def _dates_pattern(code: str) -> re.Pattern:
    """A day with its month (and year), a month with its year, a weekday with its day, in `code`'s words (CLDR)."""
    from babel.dates import get_day_names, get_month_names

    try:
        locale = Locale.parse(code)
    except (ValueError, LookupError, UnknownLocaleError):
        locale = Locale.parse("en")
    months = "|".join(re.escape(name) for name in get_month_names("wide", locale=locale).values())
    days = "|".join(re.escape(name) for name in get_day_names("wide", locale=locale).values())
    return re.compile(rf"(?i)\b(?:(?:{days}) (?=\d))?\d{{1,2}}(?:er)? (?:{months})\b(?: \d{{4}}\b)?|\b(?:{months}) \d{{4}}\b"
                      rf"|\b(?:{days}) \d{{1,2}}\b")  # "jeudi 26 ou vendredi 27 juin": the weekday with its day


@cache
def language(code: str) -> Language:
    """The language `code` (en, fr…), or an error naming those briefing has."""
    if not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*", code):
        raise BriefingError(f"'{code}' is not a language code: write one such as en or fr")
    if code not in available():
        raise BriefingError(f"briefing has no catalogue for the language '{code}'; it has {', '.join(available())} "
                            f"(to add one, see \"Languages\" in the README)")
    with open(CATALOGUES / code / "LC_MESSAGES" / f"{DOMAIN}.mo", "rb") as file:
        translations = Translations(file, domain=DOMAIN)
    return Language(code, translations, Locale.parse(code.replace("-", "_")))
