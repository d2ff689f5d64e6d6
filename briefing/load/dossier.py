"""Stage 1, load: read a dossier folder into typed objects.

A dossier is a folder:

    sources/dossier.yaml     title, marking, sections of the brief
    sources/sources.yaml     one entry per article, with its metadata
    sources/texts/*.txt      the article texts, verbatim
    sources/facts/*.yaml     the facts, each with verbatim evidence
    sources/questions.yaml   open questions (optional)
    templates/               the dossier's own templates (optional)

Every problem found is collected, so the user sees all of them in one run.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .errors import BriefingError, raise_all
from .gcpause import paused_gc
from .model import DossierConfig, Fact, Question, SourceMeta, Where
from .worker import ForkedCall, can_fork
from .yamlfile import line_of, load_yaml, read_text

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Source:
    meta: SourceMeta
    text: str = field(repr=False)
    path: Path

    @property
    def id(self) -> str:
        return self.meta.id


@dataclass(frozen=True)
class Dossier:
    root: Path
    config: DossierConfig
    sources: tuple[Source, ...]
    facts: tuple[Fact, ...]
    questions: tuple[Question, ...]


def load_dossier(root: str | Path) -> Dossier:
    """Read and validate the dossier at `root`; raise every error found at once."""
    with paused_gc():
        return _load_dossier(Path(root))


def _load_dossier(root: Path) -> Dossier:
    folder = root / "sources"
    if not (folder / "dossier.yaml").is_file():
        raise BriefingError(
            "no dossier here (sources/dossier.yaml is missing); pass --dossier DIR or create one with 'briefing init DIR'",
            file=root,
        )
    errors: list[BriefingError] = []
    configs = _load_models(folder / "dossier.yaml", DossierConfig, errors, single=True)
    metas = _load_models(folder / "sources.yaml", SourceMeta, errors)
    facts: list[Fact] = []
    fact_files = sorted((folder / "facts").glob("*.yaml")) if (folder / "facts").is_dir() else []
    if not fact_files:
        errors.append(BriefingError("no fact files (sources/facts/*.yaml)", file=folder / "facts"))
    by_file: dict[int, tuple[list[Fact], list[BriefingError]]] = {}
    for index, data in _read_fact_files(fact_files):
        file_errors: list[BriefingError] = []
        by_file[index] = _validate(fact_files[index], data, Fact, file_errors), file_errors
    for index in range(len(fact_files)):  # in the order of the files, whoever read them
        facts += by_file[index][0]
        errors += by_file[index][1]
    questions_file = folder / "questions.yaml"
    questions = _load_models(questions_file, Question, errors) if questions_file.exists() else []
    if facts and not metas and not errors:  # one line rather than one per quote
        errors.append(BriefingError("facts cite sources, but there are none yet: add one with 'briefing add-source FILE'",
                                    file=folder / "sources.yaml"))
    sources = [source for meta in metas if (source := _load_text(folder, meta, errors))]
    raise_all(errors)
    return Dossier(root, configs[0], tuple(sources), tuple(facts), tuple(questions))


# Above this many bytes of fact files, a forked process reads every other file:
# parsing YAML is most of the time it takes to load a large dossier.
PARALLEL_BYTES = 2_000_000


def _read_fact_files(paths: list[Path]) -> Iterator[tuple[int, Any]]:
    """Yield (index of the file, its data or the BriefingError reading it
    raised) for every file, not in file order on a large dossier: first the
    files read here (the 1st, 3rd, … largest), one by one so that each is
    validated while the forked process reads the others, then those."""
    sizes = [path.stat().st_size if path.is_file() else 0 for path in paths]
    if len(paths) < 2 or sum(sizes) < PARALLEL_BYTES or not can_fork():
        yield from enumerate(map(_read_yaml_file, paths))
        return
    by_size = sorted(range(len(paths)), key=sizes.__getitem__, reverse=True)
    ours, theirs = by_size[0::2], by_size[1::2]
    with ForkedCall(_read_yaml_files, [paths[i] for i in theirs]) as other:
        for index in ours:
            yield index, _read_yaml_file(paths[index])
        yield from zip(theirs, other.result())


def _read_yaml_file(path: Path):
    try:
        return load_yaml(path)
    except BriefingError as error:
        return error


def _read_yaml_files(paths: list[Path]) -> list:
    return [_read_yaml_file(path) for path in paths]


def _load_models(path: Path, model: type[M], errors: list, single: bool = False) -> list[M]:
    """Validate a YAML file holding one mapping (`single`) or a list of mappings."""
    if not path.is_file():
        errors.append(BriefingError("file is missing", file=path))
        return []
    return _validate(path, _read_yaml_file(path), model, errors, single)


def _validate(path: Path, data, model: type[M], errors: list, single: bool = False) -> list[M]:
    """Models from the data of one file (or the error that reading it raised)."""
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
            instance = model.model_validate(item)
        except ValidationError as error:
            errors += [_schema_error(path, item, detail, model) for detail in error.errors()]
            continue
        _attach_where(instance, item, path)
        models.append(instance)
    return models


def _attach_where(model: BaseModel, raw, path: Path) -> None:
    """Give a model, and the models nested in it, the file and line they came from."""
    model.located(Where(file=str(path), line=getattr(raw, "line", None)))
    for name in _list_fields(type(model)):
        value = getattr(model, name)
        nested = raw.get(name) if isinstance(raw, dict) else None
        if isinstance(value, list) and isinstance(nested, list):
            for item, raw_item in zip(value, nested):
                if isinstance(item, BaseModel):
                    _attach_where(item, raw_item, path)


@lru_cache(maxsize=None)
def _list_fields(model: type[BaseModel]) -> tuple[str, ...]:
    """The fields of `model` that may hold a list (only those can nest models here)."""
    return tuple(name for name, info in model.model_fields.items() if "list" in str(info.annotation).lower())


def _schema_error(path: Path, item, detail: dict, model: type[BaseModel]) -> BriefingError:
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
        message = f"'{field}' has the wrong type ({type(detail.get('input')).__name__}): {detail['msg'].lower()}"
    else:
        text = detail["msg"].removeprefix("Value error, ")
        message = f"'{field}': {text}" if location else text
    return BriefingError(message, file=path, line=line_of(item, location))


def _fields_at(model: type[BaseModel], location: tuple) -> list[str]:
    """Field names of the (nested) model an error location points into."""
    for part in location:
        if isinstance(part, int):
            continue
        annotation = model.model_fields[part].annotation
        inner = getattr(annotation, "__args__", (annotation,))[0]
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            model = inner
    return list(model.model_fields)


def _load_text(folder: Path, meta: SourceMeta, errors: list) -> Source | None:
    path = folder / meta.file
    where = meta.where
    if not path.is_file():
        errors.append(BriefingError(f"source '{meta.id}': text file '{meta.file}' not found", file=where.file, line=where.line))
        return None
    try:
        text = read_text(path)
    except BriefingError as error:
        errors.append(error)
        return None
    if not text.strip():
        errors.append(BriefingError(f"source '{meta.id}': the article text is empty", file=path))
        return None
    return Source(meta, text, path)
