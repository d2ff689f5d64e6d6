"""From YAML data to typed models, every schema error as a line a user can act on.

Used for every file a dossier holds (dossier.yaml, sources.yaml, fact files,
questions.yaml) and for a template's front matter: each pydantic error becomes
a `BriefingError` with the file, the line of the field, and words a user
understands, and all of them are reported, not only the first.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ..errors import BriefingError
from .model import Where
from .yamlfile import line_of

M = TypeVar("M", bound=BaseModel)


def validate_models(path: Path, data: Any, model: type[M], errors: list[BriefingError], single: bool = False,
                    invalid: Callable[[Any], None] | None = None, language: str = "en") -> list[M]:
    """Models from the YAML `data` of one file: one mapping (`single`) or a list
    of mappings. `data` may be the error that reading the file raised. Each
    problem is appended to `errors`; the models that are valid are returned,
    and each item that is not is passed to `invalid` (to check what can be
    checked of it). `language` is the dossier's: the one its plain texts are in."""
    if isinstance(data, BriefingError):
        errors.append(data)
        return []
    items = [data] if single else data
    if data is None and not single:
        return []
    shape = "a mapping of fields" if single else "a list of entries, each starting with '- '"
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        errors.append(BriefingError(f"expected {shape}", file=path, line=getattr(data, "line", 1)))
        return []
    models = []
    for item in items:
        try:
            instance = model.model_validate(item, context={"language": language})
        except ValidationError as error:
            errors += schema_errors(path, item, error, model)
            if invalid is not None:
                invalid(item)
            continue
        attach_where(instance, item, path)
        models.append(instance)
    return models


def attach_where(model: BaseModel, raw: Any, path: Path) -> None:
    """Give a model (a `model.Strict`), and the models nested in it, the file and line they came from."""
    where = Where(file=str(path), line=getattr(raw, "line", None), key_lines=getattr(raw, "key_lines", {}))
    model.located(where)  # type: ignore[attr-defined]  # every dossier model is a `model.Strict`
    for name in _nesting_fields(type(model)):
        value = getattr(model, name)
        nested = raw.get(name) if isinstance(raw, dict) else None
        if isinstance(value, BaseModel) and isinstance(nested, dict):
            attach_where(value, nested, path)
        elif isinstance(value, list) and isinstance(nested, list):
            for item, raw_item in zip(value, nested):
                if isinstance(item, BaseModel):
                    attach_where(item, raw_item, path)


@cache
def _nesting_fields(model: type[BaseModel]) -> tuple[str, ...]:
    """The fields of `model` that may hold a list or a model (only those can nest models here)."""
    return tuple(name for name, info in model.model_fields.items()
                 if "list" in str(info.annotation).lower() or "Config" in str(info.annotation))


def schema_errors(path: Path, item: Any, error: ValidationError, model: type[BaseModel],
                  first_line: int = 0) -> list[BriefingError]:
    """Every error pydantic found in `item`, each at the line of its field.
    `first_line` shifts the lines, for YAML that starts inside a larger file."""
    errors = []
    for detail in error.errors():
        line = line_of(item, detail["loc"])
        errors.append(BriefingError(_schema_message(detail, model), file=path,
                                    line=line + first_line if line is not None else None))
    return errors


def _schema_message(detail: Any, model: type[BaseModel]) -> str:
    location = detail["loc"]
    field = ".".join(str(part) for part in location) or model.__name__
    kind = detail["type"]
    if kind == "missing":
        message = f"missing required field '{field}'"
    elif kind == "extra_forbidden":
        allowed = ", ".join(_fields_at(model, location[:-1]))
        message = f"unknown field '{field}'; allowed fields: {allowed}"
    elif kind in ("string_too_short", "too_short") and detail.get("ctx", {}).get("min_length") == 1:
        message = f"'{field}' is empty; {'write it' if kind == 'string_too_short' else 'give at least one entry'}"
    elif kind.endswith("_type"):
        given = next(shape for shape in type(detail.get("input")).__mro__ if shape.__module__ == "builtins")  # TypedInt: int
        message = f"'{field}' has the wrong type ({given.__name__}): {detail['msg'].lower()}"
    else:
        text = detail["msg"].removeprefix("Value error, ")
        message = f"'{field}': {text}" if location else text
    return message


def _fields_at(model: type[BaseModel], location: tuple) -> list[str]:
    """Field names of the (nested) model an error location points into."""
    for part in location:
        if isinstance(part, int):
            continue
        annotation = model.model_fields[part].annotation
        inner = getattr(annotation, "__args__", (annotation,))[0]
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            model = inner
    return [info.alias or name for name, info in model.model_fields.items()]  # as written: `from:`, not `sender`


