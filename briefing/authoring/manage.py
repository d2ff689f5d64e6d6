"""`briefing remove-source` and `briefing rename-source`: change the sources of a dossier by their id.

Both edit the YAML as text, line by line, so the comments and layout of
`sources.yaml` and of the fact files stay as the user wrote them; every file
rewritten is parsed again and compared with what it must hold before anything
is written. A source that facts cite is not removed: the facts would cite
nothing. A rename changes every fact that cites the source.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import BriefingError, atomic_write
from ..load.model import SourceMeta
from ..load.paths import resolve_inside
from ..load.yamlfile import load_yaml, parse_yaml, read_text
from .add_source import read_entries, sources_file

_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
_KEY_LINE = r"^(\s*(?:-\s+)?{key}:[ \t]*)(\"[^\"]*\"|'[^']*'|[^\s#]*)(.*)$"


@dataclass(frozen=True)
class Citation:
    fact_id: str
    file: Path
    line: int  # of the evidence's `source:`


@dataclass(frozen=True)
class Changed:
    source_id: str
    sources_file: Path
    files: tuple[Path, ...]  # removed, or renamed to
    facts: tuple[Citation, ...] = ()  # the evidence rewritten by a rename


def citations(root: str | Path, source_id: str) -> list[Citation]:
    """Every piece of evidence of the fact files that cites `source_id`, in file order."""
    folder = Path(root) / "sources" / "facts"
    found = []
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        data = load_yaml(resolve_inside(Path(root), path, "the fact file"), path)
        for fact in data if isinstance(data, list) else []:
            evidence = fact.get("evidence") if isinstance(fact, dict) else None
            for item in evidence if isinstance(evidence, list) else []:
                if isinstance(item, dict) and item.get("source") == source_id:
                    found.append(Citation(str(fact.get("id")), path, getattr(item, "key_lines", {}).get("source", fact.line)))
    return found


def remove_source(root: str | Path, source_id: str) -> Changed:
    """Remove the entry of `source_id` from sources.yaml, and its text and original files."""
    path, entries, entry = _find(root, source_id)
    cited = citations(root, source_id)
    if cited:
        shown = ", ".join(f"'{c.fact_id}' ({c.file}:{c.line})" for c in cited[:10]) + (", …" if len(cited) > 10 else "")
        raise BriefingError(f"source '{source_id}' is cited by {len(cited)} piece{'s' if len(cited) != 1 else ''} of "
                            f"evidence: {shown}; change or remove that evidence first, or rename the source with "
                            "'briefing rename-source'", file=path, line=entry.line)
    lines = _LINES.findall(read_text(path))
    first, last = _entry_lines(lines, entry, entries)
    while first > 1 and not lines[first - 2].strip():  # the blank line before the entry goes with it
        first -= 1
    new = "".join(lines[:first - 1] + lines[last:])
    _check(path, new, [dict(e) for e in entries if e is not entry])
    files = _own_files(root, path, entry)
    atomic_write(path, new)
    for file in files:
        file.unlink(missing_ok=True)
    return Changed(source_id, path, tuple(files))


def rename_source(root: str | Path, old: str, new: str) -> Changed:
    """Give the source `old` the id `new`: its entry, its text and original files, every fact citing it."""
    path, entries, entry = _find(root, old)
    try:
        SourceMeta.model_validate({"id": new, "file": "x"})
    except Exception:
        raise BriefingError(f"'{new}' is not an id: an id uses letters, digits, '-', '_' and '.', and starts with a "
                            "letter or digit") from None
    if any(e.get("id") == new for e in entries):
        raise BriefingError(f"a source with id '{new}' exists already; choose another id", file=path)
    lines = _LINES.findall(read_text(path))
    expected = dict(entry) | {"id": new}
    _set(lines, entry, "id", new, path)
    moves = []
    for key, folder in (("file", "texts"), ("original", "originals")):
        value = entry.get(key)
        if isinstance(value, str) and Path(value).parent == Path(folder) and Path(value).stem == old:
            renamed = f"{folder}/{new}{Path(value).suffix}"
            source = resolve_inside(Path(root), path.parent / value, f"source '{old}': '{key}': '{value}'", path, entry.line)
            target = path.parent / renamed
            if target.exists() or target.is_symlink():
                raise BriefingError(f"a file '{renamed}' exists already; move it away first", file=target)
            _set(lines, entry, key, renamed, path)
            expected[key] = renamed
            moves.append((source, target))
    new_sources = "".join(lines)
    _check(path, new_sources, [expected if e is entry else dict(e) for e in entries])
    cited = citations(root, old)
    rewritten = {}
    for fact_file in sorted({c.file for c in cited}):
        fact_lines = _LINES.findall(read_text(fact_file))
        for citation in (c for c in cited if c.file == fact_file):
            match = re.match(_KEY_LINE.format(key="source"), fact_lines[citation.line - 1], re.DOTALL)
            if match is None or match.group(2).strip("'\"") != old:
                raise BriefingError(f"cannot rename the source in this layout; write 'source: {old}' on a line of its "
                                    "own", file=fact_file, line=citation.line)
            fact_lines[citation.line - 1] = match.group(1) + _quoted(match.group(2), new) + match.group(3)
        rewritten[fact_file] = "".join(fact_lines)
        before = load_yaml(fact_file)
        _check(fact_file, rewritten[fact_file], _renamed_in(before, old, new))
    for fact_file, text in rewritten.items():
        atomic_write(fact_file, text)
    atomic_write(path, new_sources)
    for source, target in moves:
        os.replace(source, target)
    return Changed(new, path, tuple(target for _, target in moves), tuple(cited))


def _find(root: str | Path, source_id: str):
    path = sources_file(root)
    entries = read_entries(root)
    for entry in entries:
        if entry.get("id") == source_id:
            return path, entries, entry
    known = ", ".join(str(e.get("id")) for e in entries) or "none"
    raise BriefingError(f"no source '{source_id}'; sources of this dossier: {known}", file=path)


def _entry_lines(lines: list[str], entry, entries) -> tuple[int, int]:
    """The first and last line (1-based) of an entry, without the comments and blank lines after it."""
    following = [e.line for e in entries if e.line > entry.line]
    end = min(following) - 1 if following else len(lines)
    last = max((n for n in range(entry.line, end + 1) if lines[n - 1].strip() and not lines[n - 1].lstrip().startswith("#")),
               default=entry.line)
    return entry.line, last


def _own_files(root: str | Path, path: Path, entry) -> list[Path]:
    """The text and original files of an entry that exist inside the dossier (a link is removed, not its target)."""
    files = []
    for key in ("file", "original"):
        value = entry.get(key)
        if isinstance(value, str):
            file = path.parent / value
            if file.is_symlink() and (Path(root).resolve() in file.parent.resolve().parents):
                files.append(file)  # unlinking a link leaves its target alone
            elif file.is_file():
                resolve_inside(Path(root), file, f"source '{entry.get('id')}': '{key}': '{value}'", path, entry.line)
                files.append(file)
    return files


def _set(lines: list[str], entry, key: str, value: str, path: Path) -> None:
    number = entry.key_lines.get(key)
    match = re.match(_KEY_LINE.format(key=key), lines[number - 1], re.DOTALL) if number else None
    if match is None:
        raise BriefingError(f"cannot change '{key}' in this entry's layout; write the entry with one field a line",
                            file=path, line=entry.line)
    lines[number - 1] = match.group(1) + _quoted(match.group(2), value) + match.group(3)


def _quoted(old: str, value: str) -> str:
    """The new value, in the quotes the old one had."""
    quote = old[:1] if old[:1] in ("'", '"') else ""
    return quote + value + quote


def _renamed_in(data, old: str, new: str):
    facts = []
    for fact in data:
        copy = dict(fact)
        if isinstance(fact.get("evidence"), list):
            copy["evidence"] = [dict(item) | ({"source": new} if isinstance(item, dict) and item.get("source") == old else {})
                                if isinstance(item, dict) else item for item in fact["evidence"]]
        facts.append(copy)
    return facts


def _check(path: Path, text: str, expected: list) -> None:
    """Refuse to write a file that does not read as `expected`."""
    try:
        data = parse_yaml(text.removeprefix("\ufeff"), path)
    except BriefingError:
        data = None

    def plain(value):
        if isinstance(value, dict):
            return {key: plain(item) for key, item in value.items()}
        if isinstance(value, list):
            return [plain(item) for item in value]
        return value

    if plain(data or []) != plain(expected):
        raise BriefingError("cannot change this file's layout safely; edit it by hand, with one field a line", file=path)
