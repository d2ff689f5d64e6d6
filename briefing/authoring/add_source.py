"""`briefing add-source`: copy an article into a dossier and record what is known of it.

The entry is appended to `sources/sources.yaml` as text, so the comments and
layout the user has written there stay as they are; the result is parsed
again before it is written, so a file that cannot take an appended entry is
left untouched and reported.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from ..check.fingerprints import fingerprint
from ..errors import BriefingError, BriefingWarning, atomic_write, raise_all
from ..load.model import UNKNOWN, SourceMeta
from ..load.paths import resolve_inside
from ..load.validate import schema_errors
from ..load.yamlfile import load_yaml, read_text

_BINARY_KINDS = ((b"%PDF", "a PDF file"), (b"PK\x03\x04", "a zip archive (a .docx or .odt?)"),
                 (b"{\\rtf", "an RTF file"), (b"\xd0\xcf\x11\xe0", "an old Word or Office file"))
FIELDS = ("title", "outlet", "author", "date", "language", "url", "reliability", "reliability_reason")


@dataclass(frozen=True)
class AddedSource:
    meta: SourceMeta
    text_path: Path
    sources_file: Path
    line: int  # where the entry starts in sources.yaml
    characters: int
    lines: int
    warnings: tuple[BriefingWarning, ...] = ()  # texts of the dossier that this one shares most of

    @property
    def unknown(self) -> list[str]:
        return [name for name in FIELDS if getattr(self.meta, name) == UNKNOWN]


def sources_file(root: str | Path) -> Path:
    """`sources/sources.yaml` of the dossier at `root`; an error if there is no dossier."""
    folder = Path(root) / "sources"
    if not (folder / "dossier.yaml").is_file():
        raise BriefingError(
            "no dossier here (sources/dossier.yaml is missing); pass --dossier DIR or create one with 'briefing init DIR'",
            file=root,
        )
    return folder / "sources.yaml"


def read_entries(root: str | Path) -> list:
    """The raw entries of sources.yaml (mappings that keep their line numbers)."""
    path = sources_file(root)
    if not path.exists() and not path.is_symlink():
        return []
    data = load_yaml(resolve_inside(Path(root), path, "the sources file"), path)
    if data is None:
        return []
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise BriefingError("expected a list of entries, each starting with '- '", file=path, line=getattr(data, "line", 1))
    return data


def read_source(root: str | Path, source_id: str) -> tuple[SourceMeta, str]:
    """One source's metadata and text, without loading (or checking) the facts."""
    entries = read_entries(root)
    path = sources_file(root)
    for entry in entries:
        if entry.get("id") == source_id:
            try:
                meta = SourceMeta.model_validate(entry)
            except ValidationError as error:
                raise_all([BriefingError(f"source '{source_id}': {e.detail}", file=e.file, line=e.line)
                           for e in schema_errors(path, entry, error, SourceMeta)])
                raise
            text_path = path.parent / meta.file
            real = resolve_inside(Path(root), text_path, f"source '{source_id}': 'file': '{meta.file}'", path, entry.line,
                                  missing=f"source '{source_id}': text file '{meta.file}' not found")
            return meta, read_text(real, text_path)
    known = ", ".join(str(entry.get("id")) for entry in entries) or "none yet (add one with 'briefing add-source FILE')"
    raise BriefingError(f"no source '{source_id}'; sources of this dossier: {known}", file=path)


def read_article(path: str | Path) -> str:
    """An article file as text: UTF-8 (a BOM dropped), line endings made LF; binary refused."""
    path = Path(path)
    if not path.is_file():
        raise BriefingError("file not found" if not path.exists() else "not a file", file=path)
    data = path.read_bytes()
    kind = next((name for magic, name in _BINARY_KINDS if data.startswith(magic)), None)
    if kind:
        raise BriefingError(f"this is {kind}, not text; save the article as plain UTF-8 text (.txt) first", file=path)
    if b"\x00" in data:
        offset = data.index(b"\x00")
        raise BriefingError(f"not a text file (byte {offset} is 0x00); save the article as plain UTF-8 text (.txt)", file=path)
    text = read_text(path).replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise BriefingError("the file is empty; an article needs its text", file=path)
    return text if text.endswith("\n") else text + "\n"


def slugify(text: str) -> str:
    """'Le Monde – 23 juin.txt' → 'le-monde-23-juin-txt': ASCII letters, digits and '-'."""
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in folded if not unicodedata.combining(c)).casefold()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")[:60].strip("-")


def add_source(root: str | Path, article: str | Path, *, source_id: str | None = None,
               **metadata: str | None) -> AddedSource:
    """Copy `article` into the dossier as sources/texts/ID.txt and append its entry."""
    path = sources_file(root)
    text = read_article(article)
    entries = read_entries(root)
    taken = {str(entry.get("id")) for entry in entries}
    texts = path.parent / "texts"
    if source_id is not None:
        if source_id in taken:
            raise BriefingError(f"a source with id '{source_id}' exists already; choose another --id", file=path)
        chosen = source_id
    else:
        base = slugify(Path(article).stem) or slugify(metadata.get("title") or "") or "source"
        chosen = _unique(base, taken, texts)
    text_path = texts / f"{chosen}.txt"
    if text_path.exists():
        raise BriefingError(f"a text file for '{chosen}' exists already; choose another --id", file=text_path)
    values = {name: value for name, value in metadata.items() if value is not None}
    unknown_names = set(values) - set(FIELDS)
    if unknown_names:
        raise TypeError(f"unknown metadata: {', '.join(sorted(unknown_names))}")
    fields = {"id": chosen, "file": f"texts/{chosen}.txt"}
    fields.update({name: values.get(name, SourceMeta.model_fields[name].default) for name in FIELDS})
    try:
        meta = SourceMeta.model_validate(fields)
    except ValidationError as error:  # a value given on the command line: name its option
        raise_all([BriefingError(f"--{'.'.join(map(str, detail['loc'])).replace('_', '-')}: "
                                 f"{detail['msg'].removeprefix('Value error, ')}") for detail in error.errors()])
        raise

    sha256 = fingerprint(text)
    others = _existing_texts(path, entries, article, sha256)
    old = read_text(path) if path.is_file() else ""
    if old and not old.endswith("\n"):
        old += "\n"
    new = old + "\n" + _entry_text(meta, sha256)
    _check_appended(path, new, len(entries) + 1)
    line = old.count("\n") + 2
    warnings = _shared_text_warnings(meta.id, text, others, path, line)
    texts.mkdir(exist_ok=True)
    atomic_write(text_path, text)
    try:
        atomic_write(path, new)
    except BriefingError:
        text_path.unlink(missing_ok=True)
        raise
    return AddedSource(meta, text_path, path, line, len(text), text.count("\n"), tuple(warnings))


def _existing_texts(path: Path, entries: list, article: str | Path, sha256: str) -> list[tuple[SourceMeta, str]]:
    """The sources of the dossier with their texts; an error if one holds this very text."""
    others = []
    for entry in entries:
        try:
            meta = SourceMeta.model_validate(entry)
            text = read_text(path.parent / meta.file)
        except (ValidationError, BriefingError):  # 'check' reports it; it cannot be compared
            continue
        if fingerprint(text) == sha256:
            raise BriefingError(f"this text is in the dossier already, as source '{meta.id}' ({meta.file}, the same "
                                "sha256); nothing added", file=article)
        others.append((meta, text))
    return others


def _shared_text_warnings(source_id: str, text: str, others: list[tuple[SourceMeta, str]], path: Path,
                          line: int) -> list[BriefingWarning]:
    """A warning for each source whose text the new one shares most of (the rule of `check`)."""
    from ..check.normalise import normalise_quote
    from ..check.syndication import find_shared_texts, percent

    shared = find_shared_texts([normalise_quote(other) for _, other in others] + [normalise_quote(text)])
    return [BriefingWarning(f"sources '{others[pair.first][0].id}' and '{source_id}' share {percent(pair.share)} of "
                            "their text but no 'origin'; if one copies the other, give both the same origin: so they "
                            "count once", str(path), line)
            for pair in shared if pair.second == len(others)]


def _unique(base: str, taken: set[str], texts: Path) -> str:
    candidate, number = base, 1
    while candidate in taken or (texts / f"{candidate}.txt").exists():
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def _entry_text(meta: SourceMeta, sha256: str) -> str:
    lines = [f"- id: {meta.id}", f"  file: {meta.file}"]
    for name in FIELDS:
        value = getattr(meta, name)
        shown = value if value == UNKNOWN or name == "reliability" else json.dumps(value, ensure_ascii=False)
        lines.append(f"  {name}: {shown}")
    lines.append(f"  sha256: {sha256}")
    return "\n".join(lines) + "\n"


def _check_appended(path: Path, text: str, expected: int) -> None:
    """Refuse to write a sources.yaml the loader would not read as one more entry."""
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        data = None
    if not isinstance(data, list) or len(data) != expected:
        raise BriefingError(
            "cannot append a new entry: write the file as a list of entries, each starting with '- ' at the start of a line",
            file=path,
        )
