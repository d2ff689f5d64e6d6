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

from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from ..errors import BriefingError, raise_all
from .model import DossierConfig, Fact, Question, SourceMeta
from .paths import resolve_inside
from .validate import validate_models
from .yamlfile import load_yaml, read_text

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
    root = Path(root)
    folder = root / "sources"
    if not (folder / "dossier.yaml").exists() and not (folder / "dossier.yaml").is_symlink():
        raise BriefingError(
            "no dossier here (sources/dossier.yaml is missing); pass --dossier DIR or create one with 'briefing init DIR'",
            file=root,
        )
    errors: list[BriefingError] = []
    configs = _load_models(root, folder / "dossier.yaml", "the dossier file", DossierConfig, errors, single=True)
    metas = _load_models(root, folder / "sources.yaml", "the sources file", SourceMeta, errors)
    facts: list[Fact] = []
    fact_files = sorted((folder / "facts").glob("*.yaml")) if (folder / "facts").is_dir() else []
    if not fact_files:
        errors.append(BriefingError("no fact files (sources/facts/*.yaml)", file=folder / "facts"))
    for path in fact_files:
        facts += validate_models(path, _read_yaml_file(root, path, "the fact file"), Fact, errors)
    questions_file = folder / "questions.yaml"
    present = questions_file.exists() or questions_file.is_symlink()
    questions = _load_models(root, questions_file, "the questions file", Question, errors) if present else []
    if facts and not metas and not errors:  # one line rather than one per quote
        errors.append(BriefingError("facts cite sources, but there are none yet: add one with 'briefing add-source FILE'",
                                    file=folder / "sources.yaml"))
    sources = [source for meta in metas if (source := _load_text(root, folder, meta, errors))]
    raise_all(errors)
    return Dossier(root, configs[0], tuple(sources), tuple(facts), tuple(questions))


def _read_yaml_file(root: Path, path: Path, what: str):
    """The data of a YAML file of the dossier, or the error reading it raised."""
    try:
        return load_yaml(resolve_inside(root, path, what), path)
    except BriefingError as error:
        return error


def _load_models(root: Path, path: Path, what: str, model: type[M], errors: list, single: bool = False) -> list[M]:
    """Validate a YAML file holding one mapping (`single`) or a list of mappings."""
    if not path.exists() and not path.is_symlink():
        errors.append(BriefingError("file is missing", file=path))
        return []
    return validate_models(path, _read_yaml_file(root, path, what), model, errors, single)


def _load_text(root: Path, folder: Path, meta: SourceMeta, errors: list) -> Source | None:
    path = folder / meta.file
    where = meta.where
    try:
        real = resolve_inside(root, path, f"source '{meta.id}': 'file': '{meta.file}'", where.file, where.line,
                              missing=f"source '{meta.id}': text file '{meta.file}' not found")
        text = read_text(real, path)
    except BriefingError as error:
        errors.append(error)
        return None
    if not text.strip():
        errors.append(BriefingError(f"source '{meta.id}': the article text is empty", file=path))
        return None
    return Source(meta, text, path)
