"""Finding templates and reading their front matter.

Lookup is a chain: a path the user gives, then the dossier's own `templates/`,
then the templates shipped with briefing. A template starts with its front
matter inside a Jinja comment, so the file stays a valid template:

    {#---
    name: executive
    audience: Minister and private office
    description: One page, bottom line up front.
    ---#}
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Optional

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from .errors import BriefingError
from .model import check_printable
from .yamlfile import read_text

SUFFIX = ".md.j2"
_OPEN, _CLOSE = "{#---", "---#}"


class TemplateInfo(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    audience: str
    description: str
    doc_type: str = "Briefing note"
    evidence: Literal["full", "brief"] = "full"
    numbered: bool = False
    table_of_contents: bool = False
    page_budget: Optional[int] = None

    _p = field_validator("name", "audience", "description", "doc_type")(check_printable)


@dataclass(frozen=True)
class TemplateFile:
    path: Path
    info: TemplateInfo

    @property
    def name(self) -> str:
        return self.info.name


def builtin_templates_dir() -> Path:
    """Templates shipped in the wheel, or the repository's own in a source checkout."""
    package = Path(__file__).parent
    shipped = package / "builtin" / "templates"
    return shipped if shipped.is_dir() else package.parent / "templates"


def search_path(dossier_root: Path) -> list[Path]:
    folders = [dossier_root / "templates", builtin_templates_dir()]
    unique: list[Path] = []
    for folder in folders:
        if folder.is_dir() and all(not folder.samefile(seen) for seen in unique):
            unique.append(folder)
    return unique


def list_templates(dossier_root: Path) -> list[TemplateFile]:
    """Every selectable template (files starting with '_' are partials), dossier's first."""
    found: dict[str, TemplateFile] = {}
    for folder in search_path(dossier_root):
        for path in sorted(folder.glob("*" + SUFFIX)):
            if not path.name.startswith("_") and path.name[: -len(SUFFIX)] not in found:
                found[path.name[: -len(SUFFIX)]] = read_template(path)
    return list(found.values())


def find_template(name_or_path: str, dossier_root: Path) -> TemplateFile:
    """A template by name (`executive`) or by path (`my/brief.md.j2`)."""
    if "/" in name_or_path or "\\" in name_or_path or name_or_path.endswith(".j2"):
        path = Path(name_or_path)
        if not path.name.endswith(SUFFIX):
            raise BriefingError(f"a template file ends with '{SUFFIX}'", file=name_or_path)
        if not path.is_file():
            raise BriefingError("template file not found", file=name_or_path)
        return read_template(path)
    for folder in search_path(dossier_root):
        path = folder / (name_or_path + SUFFIX)
        if path.is_file() and not name_or_path.startswith("_"):
            return read_template(path)
    names = ", ".join(template.name for template in list_templates(dossier_root))
    raise BriefingError(f"no template named '{name_or_path}'; available: {names}")


def read_template(path: Path) -> TemplateFile:
    text = read_text(path)
    if not text.startswith(_OPEN) or _CLOSE not in text:
        raise BriefingError(f"a template starts with front matter between '{_OPEN}' and '{_CLOSE}'", file=path, line=1)
    try:
        data = yaml.safe_load(text[len(_OPEN): text.index(_CLOSE)])
        info = TemplateInfo.model_validate(data)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise BriefingError(f"front matter is not valid YAML: {getattr(error, 'problem', error)}", file=path, line=mark.line + 1 if mark else 1) from None
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "front matter"
        raise BriefingError(f"front matter '{field}': {first['msg'].removeprefix('Value error, ')}", file=path, line=1) from None
    return TemplateFile(path, info)
