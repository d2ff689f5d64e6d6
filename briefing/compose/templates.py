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
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from ..errors import BriefingError, raise_all
from ..load.model import check_printable
from ..load.validate import schema_errors
from ..load.yamlfile import parse_yaml, read_text

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
    page_budget: int | None = None

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
    package = Path(__file__).resolve().parent.parent
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
    data = parse_yaml(text[len(_OPEN): text.index(_CLOSE)], path)  # its line 1 is the file's line 1
    if not isinstance(data, dict):
        raise BriefingError("the front matter is a mapping of fields (name:, audience:, description:)", file=path, line=1)
    try:
        info = TemplateInfo.model_validate(data)
    except ValidationError as error:
        raise_all([BriefingError(f"front matter: {e.detail}", file=e.file, line=e.line)
                   for e in schema_errors(path, data, error, TemplateInfo)])
        raise  # not reached: pydantic reports at least one error
    return TemplateFile(path, info)
