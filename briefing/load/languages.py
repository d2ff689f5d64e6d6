"""A dossier in one language: every text a brief shows, picked in that language.

A text of the dossier is a plain string, in the dossier's `language:`, or a
mapping from language code to text (`claim: {en: "…", fr: "…"}`). A brief is
made from the dossier in one language; a text that language lacks is an
error, one line per fact, question or section, all of them in one run.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from typing import TypeVar

from pydantic import BaseModel

from ..errors import BriefingError
from .dossier import Dossier
from .model import LocalText, Strict, check_language

M = TypeVar("M", bound=Strict)
OPTIONAL = frozenset({"translation", "point", "title_translation"})  # a brief in a language it lacks goes without (a point: the claim)


def languages_of(dossier: Dossier) -> tuple[str, ...]:
    """The languages the dossier's texts are given in: its own `language:` first."""
    found: set[str] = set()
    for model in (dossier.config, *dossier.facts, *dossier.questions, *(source.meta for source in dossier.sources)):
        _collect_languages(model, found)
    default = dossier.config.language
    return (default, *sorted(found - {default}))


def in_language(dossier: Dossier, language: str) -> tuple[Dossier, list[BriefingError]]:
    """The dossier with every text in `language`, and an error for each fact,
    question, section or dossier field that lacks it."""
    try:
        check_language(language)
    except ValueError as error:
        raise BriefingError(str(error)) from None
    default = dossier.config.language
    missing: list[BriefingError] = []
    picked = _Picker(language, default, missing)
    config = picked.model(dossier.config)
    facts = tuple(picked.model(fact) for fact in dossier.facts)
    questions = tuple(picked.model(question) for question in dossier.questions)
    sources = tuple(replace(source, meta=picked.model(source.meta)) for source in dossier.sources)
    return replace(dossier, config=config, facts=facts, questions=questions, sources=sources), missing


@cache
def language_name(code: str) -> str:
    """'fr' → 'French', as CLDR names it in English (the language of messages)."""
    from babel import Locale, UnknownLocaleError

    if code.split("-")[0].lower() == "und":  # undetermined: CLDR would name it English (United States)
        return f"'{code}' (undetermined language)"
    try:
        return Locale.parse(code.replace("-", "_")).get_display_name("en") or code
    except (ValueError, UnknownLocaleError):
        return code


class _Picker:
    def __init__(self, language: str, default: str, missing: list[BriefingError]):
        self.language, self.default, self.missing = language, default, missing
        self.given: list[str] = []  # the languages the texts lacking `language` have, for the hint

    def model(self, model: M, lacking: list[str] | None = None, prefix: str = "") -> M:
        """`model` in the language; what it lacks is reported once, for the
        outermost model (a fact, not its event)."""
        outermost = lacking is None or isinstance(getattr(model, "id", None), str)  # a section reports for itself
        lacking, prefix = ([], "") if outermost or lacking is None else (lacking, prefix)
        given = self.given
        if outermost:
            self.given = []
        updates = {}
        names = getattr(type(model), "names", ())
        for name in type(model).model_fields:
            value = getattr(model, name)
            if name in model.localised or name in names:
                updates[name] = self.text(value, name in names, name in OPTIONAL, lacking, prefix + name)
            elif isinstance(value, Strict):
                updates[name] = self.model(value, lacking, f"{prefix}{name} ")
            elif isinstance(value, list) and any(isinstance(item, Strict) for item in value):
                updates[name] = [self.model(item, lacking, f"{prefix}{name} ") for item in value]
        if outermost and lacking:
            # the dossier's language and the one lacking; when they are one, the one the text has
            shown = list(dict.fromkeys([self.default, self.language, *self.given]))[:2]
            self.missing.append(BriefingError(f"{_what(model)}: no {language_name(self.language)} text for "
                                              f"{_listed(lacking)}; write it as "
                                              f"{{{', '.join(f'{code}: …' for code in shown)}}}",
                                              file=model.where.file, line=model.where.line))
        if outermost:
            self.given = given
        copy = model.model_copy(update=updates)
        if model.where.file != "?":
            copy.located(model.where)
        return copy

    def text(self, value, is_name: bool, optional: bool, lacking: list[str], field: str):
        if value is None:
            return None
        if isinstance(value, list):
            return [self.text(item, is_name, optional, lacking, field) for item in value]
        if isinstance(value, dict):
            return {key: self.text(item, is_name, optional, lacking, f"{field} '{key}'") for key, item in value.items()}
        if isinstance(value, LocalText):
            found = value.by_language.get(self.language)
        else:
            found = value if self.language == self.default or is_name else None
        if found is None and not optional:
            lacking.append(field)
            if isinstance(value, LocalText):
                self.given.extend(sorted(value.by_language))
            return str(value)
        return found


def _collect_languages(value, found: set[str]) -> None:
    if isinstance(value, LocalText):
        found.update(value.by_language)
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            _collect_languages(getattr(value, name), found)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _collect_languages(item, found)
    elif isinstance(value, dict):
        for item in value.values():
            _collect_languages(item, found)


def _listed(fields: list[str]) -> str:
    """'claim, key_labels 'a', 'b', 'c' and 4 more': the fields, keys of one mapping together."""
    grouped: dict[str, list[str]] = {}
    for field in dict.fromkeys(fields):
        name, _, key = field.partition(" '")
        grouped.setdefault(name, []).append(f"'{key}" if key else "")
    parts = []
    for name, keys in grouped.items():
        keys = [key for key in keys if key]
        shown = ", ".join(keys[:3]) + (f" and {len(keys) - 3} more" if len(keys) > 3 else "")
        parts.append(f"{name} {shown}" if keys else name)
    return ", ".join(parts)


def _what(model: Strict) -> str:
    kind = type(model).__name__
    label = {"DossierConfig": "the dossier", "Fact": "fact", "Question": "question", "Section": "section",
             "Event": "an event", "Evidence": "a piece of evidence", "SourceMeta": "source"}.get(kind, kind)
    identifier = getattr(model, "id", None)
    return f"{label} '{identifier}'" if isinstance(identifier, str) else label
