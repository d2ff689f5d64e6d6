"""The words of a brief in its language.

Every fixed string a brief prints (of the templates and of this package) is a
gettext message, translated by a catalogue in `locale/<code>/LC_MESSAGES/`
(Babel extracts the messages and compiles the catalogues; see the README):
adding a language is adding a catalogue. Dates, numbers, lists and language
names come from CLDR, through Babel.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date
from babel.lists import format_list
from babel.numbers import format_decimal
from babel.support import Translations

from ..errors import BriefingError

CATALOGUES = Path(__file__).resolve().parent / "locale"
DOMAIN = "briefing"


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

    def date(self, value: str) -> str:
        """'2025-06-23' → '23 June 2025' or '23 juin 2025'; '2025-06' → 'June 2025'; 'unknown' → 'unknown'."""
        if value == "unknown":
            return self.gettext("unknown")
        parts = value.split("-")
        if len(parts) == 1:
            return parts[0]
        day = datetime.date(int(parts[0]), int(parts[1]), int(parts[2]) if len(parts) == 3 else 1)
        return format_date(day, "d MMMM y" if len(parts) == 3 else "LLLL y", locale=self.locale)

    def language_name(self, code: str) -> str:
        """'fr' → 'French' in an English brief, 'français' in a French one."""
        if code == "unknown":
            return self.gettext("an unknown language")
        try:
            return Locale.parse(code.replace("-", "_")).get_display_name(self.locale) or code
        except (ValueError, LookupError):
            return code


@cache
def language(code: str) -> Language:
    """The language `code` (en, fr…), or an error naming those briefing has."""
    if code not in available():
        raise BriefingError(f"briefing has no catalogue for the language '{code}'; it has {', '.join(available())} "
                            f"(to add one, see \"Languages\" in the README)")
    with open(CATALOGUES / code / "LC_MESSAGES" / f"{DOMAIN}.mo", "rb") as file:
        translations = Translations(file, domain=DOMAIN)
    return Language(code, translations, Locale.parse(code.replace("-", "_")))
