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
from functools import partial
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from ..errors import BriefingError, raise_all
from .model import UNKNOWN, DossierConfig, Evidence, Fact, Question, SourceMeta, Where
from .paths import resolve_inside
from .validate import attach_where, validate_models
from .yamlfile import EntryLimit, TooManyEntries, load_yaml, read_text

MAX_FACTS = 50_000  # facts of a dossier, in all its fact files

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
    # What `load_partial` kept of a dossier with schema errors, so that `check` reports its own
    # errors in the same run: the evidence of facts that are invalid for another reason (by fact
    # id), and the ids of sources whose entry or text could not be read (citing them is no new error).
    unchecked_evidence: tuple[tuple[str, Evidence], ...] = ()
    broken_sources: frozenset[str] = frozenset()
    unchecked_sections: tuple[tuple[str, str, Where], ...] = ()  # (fact id, section, where) of invalid facts


def load_dossier(root: str | Path) -> Dossier:
    """Read and validate the dossier at `root`; raise every error found at once."""
    dossier, errors = load_partial(root)
    raise_all(errors)
    return dossier


def load_partial(root: str | Path) -> tuple[Dossier, list[BriefingError]]:
    """What can be read and validated of the dossier at `root`, and every error found: a check of
    the result adds its own errors to these (all errors in one run). Without a valid dossier.yaml
    the configuration has no sections (and sections are not checked)."""
    root = Path(root)
    folder = root / "sources"
    if not (folder / "dossier.yaml").exists() and not (folder / "dossier.yaml").is_symlink():
        raise BriefingError(
            "no dossier here (sources/dossier.yaml is missing); pass --dossier DIR or create one with 'briefing init DIR'",
            file=root,
        )
    errors: list[BriefingError] = []
    configs = _load_models(root, folder / "dossier.yaml", "the dossier file", DossierConfig, errors, single=True)
    language = configs[0].language if configs else "en"
    metas = _load_models(root, folder / "sources.yaml", "the sources file", SourceMeta, errors, language=language)
    facts: list[Fact] = []
    fact_files = sorted((folder / "facts").glob("*.yaml")) if (folder / "facts").is_dir() else []
    if not fact_files:
        errors.append(BriefingError("no fact files (sources/facts/*.yaml)", file=folder / "facts"))
    unchecked: list[tuple[str, Evidence]] = []
    sections: list[tuple[str, str, Where]] = []
    room = MAX_FACTS  # counted before the facts are validated: the entries of a file, as it is parsed
    for path in fact_files:
        data = _read_yaml_file(root, path, "the fact file", fact_limit(room))
        facts += validate_models(path, data, Fact, errors,
                                 invalid=partial(_keep_valid_evidence, path, unchecked, sections), language=language)
        if isinstance(data, TooManyEntries):
            break  # the files after it would only be more of the same error
        room -= len(data) if isinstance(data, list) else 0
    questions_file = folder / "questions.yaml"
    present = questions_file.exists() or questions_file.is_symlink()
    questions = _load_models(root, questions_file, "the questions file", Question, errors,
                                                   language=language) if present else []
    if facts and not metas and not errors:  # one line rather than one per quote
        errors.append(BriefingError("facts cite sources, but there are none yet: add one with 'briefing add-source FILE'",
                                    file=folder / "sources.yaml"))
    sources = [source for meta in metas if (source := _load_text(root, folder, meta, errors))]
    loaded = {source.id for source in sources}
    broken = {meta.id for meta in metas if meta.id not in loaded} | _invalid_ids(root, folder / "sources.yaml", metas)
    if not metas and any(error.file == str(folder / "sources.yaml") for error in errors):  # no source could be read
        broken |= {e.source for fact in facts for e in fact.evidence} | {e.source for _, e in unchecked}
    config = configs[0] if configs else DossierConfig.model_construct(title=UNKNOWN, sections=[])
    return Dossier(root, config, tuple(sources), tuple(facts), tuple(questions), tuple(unchecked),
                   frozenset(broken), tuple(sections)), errors


def _keep_valid_evidence(path: Path, kept: list[tuple[str, Evidence]], sections: list, item) -> None:
    kept.extend(_valid_evidence(path, item))
    if isinstance(item, dict) and isinstance(item.get("section"), str):
        line = getattr(item, "key_lines", {}).get("section", getattr(item, "line", None))
        sections.append((str(item.get("id")), item["section"], Where(str(path), line)))


def _valid_evidence(path: Path, item) -> list[tuple[str, Evidence]]:
    """The pieces of evidence of an invalid fact that are valid themselves, to check their quotes."""
    if not isinstance(item, dict) or not isinstance(item.get("evidence"), list):
        return []
    fact_id = str(item["id"]) if isinstance(item.get("id"), str) else "?"
    found = []
    for raw in item["evidence"]:
        try:
            evidence = Evidence.model_validate(raw)
        except ValidationError:
            continue  # reported with the fact's schema errors
        attach_where(evidence, raw, path)
        found.append((fact_id, evidence))
    return found


def _invalid_ids(root: Path, path: Path, metas: list[SourceMeta]) -> set[str]:
    """The ids of the entries of sources.yaml that did not validate."""
    data = _read_yaml_file(root, path, "the sources file") if path.exists() else None
    valid = {meta.id for meta in metas}
    return {str(item["id"]) for item in data if isinstance(item, dict) and isinstance(item.get("id"), str)
            and item["id"] not in valid} if isinstance(data, list) else set()


def fact_limit(room: int) -> EntryLimit:
    """The facts a fact file may hold when the dossier has room for `room` more."""
    return EntryLimit(max(room, 0), f"the dossier has more than {MAX_FACTS:,} facts, with this one; a brief of that "
                                    "many cannot be read: split the subject into several dossiers")


def _read_yaml_file(root: Path, path: Path, what: str, limit: EntryLimit | None = None):
    """The data of a YAML file of the dossier, or the error reading it raised."""
    try:
        return load_yaml(resolve_inside(root, path, what), path, *(() if limit is None else (limit,)))
    except BriefingError as error:
        return error


def _load_models(root: Path, path: Path, what: str, model: type[M], errors: list, single: bool = False,
                 language: str = "en") -> list[M]:
    """Validate a YAML file holding one mapping (`single`) or a list of mappings."""
    if not path.exists() and not path.is_symlink():
        errors.append(BriefingError("file is missing", file=path))
        return []
    return validate_models(path, _read_yaml_file(root, path, what), model, errors, single, language=language)


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
