"""Finding the dossier line that holds a given character.

A renderer that meets a character it cannot draw knows only the text it was
drawing (a table cell, a heading), not where that text came from. Every model
of a dossier keeps where it was read (`model.Where`), with the line of each of
its fields; this walks every text of every model, nested ones included (an
event of a fact, a section of the configuration), and in every language a
text is given in, to name the line to edit.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel

from .model import LocalText, Strict, Where


def where_char(char: str, models: Iterable[BaseModel]) -> Where | None:
    """Where the first of `models` (or of the models nested in them) that holds `char` in a text
    holds it: the file and the line of the field, or of the very line of a value written over several."""
    for model in models:
        found = _in_model(char, model, None)
        if found is not None:
            return found
    return None


def _in_model(char: str, model: BaseModel, outer: Where | None) -> Where | None:
    where = model.where if isinstance(model, Strict) and model.where.file != "?" else outer
    for name in type(model).model_fields:
        value = getattr(model, name, None)
        field = where.of(name) if where is not None else None
        found = _in_value(char, value, field)
        if found is not None:
            return _refined(char, found, where) if found is field else found
    return None


def _in_value(char: str, value, where: Where | None) -> Where | None:
    if isinstance(value, BaseModel):
        return _in_model(char, value, where)
    if isinstance(value, LocalText):
        return where if any(char in text for text in value.by_language.values()) else None
    if isinstance(value, str):
        return where if char in value else None
    if isinstance(value, (list, tuple)):
        for item in value:
            found = _in_value(char, item, where)
            if found is not None:
                return found
    if isinstance(value, dict):
        for key, item in value.items():
            found = _in_value(char, key, where) or _in_value(char, item, where)
            if found is not None:
                return found
    return None


def _refined(char: str, field: Where, owner: Where | None) -> Where:
    """The line within the field's value that holds `char` (a mapping of key labels, a text over
    several lines), when the file shows it as itself; else the field's own line."""
    if field.line is None:
        return field
    lines = _lines(field.file)
    later = [line for line in (owner.key_lines.values() if owner else ()) if line > field.line]
    end = min(later) - 1 if later else len(lines)
    first = lines[field.line - 1] if 0 < field.line <= len(lines) else ""
    indent = len(first) - len(first.lstrip(" -"))
    for number in range(field.line, end + 1):
        text = lines[number - 1] if number <= len(lines) else ""
        if number > field.line and text.strip() and not later:  # the last field: its value is what is indented under it
            depth = len(text) - len(text.lstrip(" "))
            if depth < indent or (depth == indent and not text.lstrip(" ").startswith("- ")):
                break
        if char in text:
            return Where(field.file, number)
    return field


def _lines(file: str) -> list[str]:
    try:
        return Path(file).read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        return []


def line_of(char: str, file: str | Path) -> int | None:
    """The first line of `file` that holds `char` (a template's own text), or None."""
    return next((number for number, text in enumerate(_lines(str(file)), 1) if char in text), None)
