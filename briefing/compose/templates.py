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

import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from ..errors import BriefingError, raise_all
from ..load.model import MAX_SHORT, MAX_TEXT, check_language, check_one_line
from ..load.paths import folder_inside, resolve_inside
from ..load.validate import schema_errors
from ..load.yamlfile import parse_yaml, read_text

SUFFIX = ".md.j2"
N_ = str  # marks a message for the catalogues (Babel's keyword); compose translates it
DEFAULT_DOC_TYPE = N_("Briefing note")
TRANSLATED_FIELDS = ("doc_type", "audience", "description", "purpose")  # front matter a brief prints in its language
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
MAX_PAGE_BUDGET = 1000  # pages: a brief, not a book
_OPEN, _CLOSE = "{#---", "---#}"


class TemplateInfo(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    audience: str
    description: str
    doc_type: str = DEFAULT_DOC_TYPE
    evidence: Literal["full", "brief"] = "full"
    numbered: bool = False
    table_of_contents: bool = False
    page_budget: int | None = None
    title_block: Literal["full", "compact"] = "full"  # compact: fields three abreast, for a one-page note
    purpose: str | None = None  # "For information", "For decision": the line under the title
    reference_suffix: str | None = None  # added to the dossier's reference, so each product has its own ("EXE")
    shows: list[str] = []  # the section tags the template chooses by; named when a section is left out
    language: str | None = None  # a template written for one language is built in it alone (`--lang` aside)

    _p = field_validator("name", "audience", "description", "doc_type", "purpose", "reference_suffix")(check_one_line)
    _l = field_validator("language")(lambda value: value if value is None else check_language(value))

    @field_validator("audience", "description", "doc_type", "purpose", "reference_suffix")
    @classmethod
    def _size(cls, value, info):
        """Bounded as a dossier's texts are: a short field is a line, a description a passage."""
        limit = MAX_TEXT if info.field_name == "description" else MAX_SHORT
        if value is not None and len(value) > limit:
            raise ValueError(f"is at most {limit:,} characters (this one has {len(value):,}); shorten it")
        return value

    @field_validator("page_budget", mode="before")
    @classmethod
    def _page_budget(cls, value):
        if value is not None and (type(value) is bool or not isinstance(value, int) or
                                  not 1 <= value <= MAX_PAGE_BUDGET):
            raise ValueError(f"a page budget is a whole number of pages, from 1 to {MAX_PAGE_BUDGET:,}")
        return value

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        """The name becomes the output files' name: it must stay one plain file name."""
        if not _NAME.match(value) or len(value) > 64:
            raise ValueError("a template name uses letters, digits, '-' and '_' (at most 64, starting with a letter "
                             "or digit); it names the output files")
        return value


@dataclass(frozen=True)
class TemplateFile:
    path: Path
    info: TemplateInfo
    name_line: int | None = None  # the line of `name:` in the file
    budget_line: int | None = None  # the line of `page_budget:`, which a brief that runs over it is pointed at
    language_line: int | None = None  # the line of `language:`, which a language briefing lacks is pointed at

    @property
    def name(self) -> str:
        return self.info.name


def builtin_templates_dir() -> Path:
    """Templates shipped in the wheel, or the repository's own in a source checkout."""
    package = Path(__file__).resolve().parent.parent
    shipped = package / "builtin" / "templates"
    return shipped if shipped.is_dir() else package.parent / "templates"


def search_path(dossier_root: Path) -> list[Path]:
    """The dossier's `templates/` (which must lie inside it), then the built-in templates."""
    own = dossier_root / "templates"
    folders = [own] if folder_inside(dossier_root, own, "the templates folder") else []
    builtin = builtin_templates_dir()
    return folders + [builtin] if builtin.is_dir() and not any(own.samefile(builtin) for own in folders) else folders


def list_templates(dossier_root: Path) -> list[TemplateFile]:
    """Every selectable template (files starting with '_' are partials), dossier's first.
    Two templates that give the same `name:` would write the same files: an error."""
    found: dict[str, TemplateFile] = {}
    for folder in search_path(dossier_root):
        for path in sorted(folder.glob("*" + SUFFIX)):
            if not path.name.startswith("_") and path.name[: -len(SUFFIX)] not in found:
                found[path.name[: -len(SUFFIX)]] = _read_found(path, dossier_root)
    return unique_names(list(found.values()))


def unique_names(templates: list[TemplateFile]) -> list[TemplateFile]:
    """`templates` without repeats; an error when two files give one output name."""
    named: dict[str, TemplateFile] = {}
    for template in templates:
        first = named.setdefault(template.name, template)
        if first.path.resolve() != template.path.resolve():
            raise BriefingError(f"two templates are named '{template.name}' (the other is {template.path}), and one "
                                "brief would replace the other; give each its own 'name:'", file=first.path,
                                line=first.name_line)
    return list(named.values())


def _read_found(path: Path, dossier_root: Path) -> TemplateFile:
    """A template found in a template folder; the dossier's must lie inside the dossier."""
    if path.parent == dossier_root / "templates":
        resolve_inside(dossier_root, path, "the template")
    return read_template(path)


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
        if (path.exists() or path.is_symlink()) and not name_or_path.startswith("_"):
            return _read_found(path, dossier_root)
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
    lines = getattr(data, "key_lines", {})
    return TemplateFile(path, info, lines.get("name"), lines.get("page_budget"), lines.get("language"))


def extract_messages(fileobj, keywords, comment_tags, options):
    """Babel's extraction method for templates (see babel.cfg): the messages of
    the Jinja body, and the front matter's texts a brief prints."""
    from jinja2.ext import babel_extract

    source = fileobj.read()
    text = source.decode("utf-8")
    if text.startswith(_OPEN) and _CLOSE in text:
        front = text[len(_OPEN): text.index(_CLOSE)]
        data = parse_yaml(front, Path(getattr(fileobj, "name", "template")))
        for field in TRANSLATED_FIELDS:
            value = data.get(field) if isinstance(data, dict) else None
            if isinstance(value, str):
                yield getattr(data, "key_lines", {}).get(field, 1), None, value, [f"front matter: {field}"]
    yield from babel_extract(io.BytesIO(source), keywords, comment_tags, options)
