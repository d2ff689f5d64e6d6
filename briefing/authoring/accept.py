"""`briefing sources --accept`: record the fingerprint of a source's text as it is now.

Only the `sha256:` line of each entry named is written (or added at the end
of the entry); every other byte of `sources/sources.yaml` stays as it was,
comments and layout included. The result is parsed again before it is
written, so an entry that cannot take the line is reported and the file left
alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from ..check.fingerprints import fingerprint
from ..errors import BriefingError, atomic_write
from ..load.yamlfile import parse_yaml, read_text
from .add_source import read_entries, sources_file

_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
_KEY_LINE = r"^(\s*(?:-\s+)?{key}:[ \t]*)(\"[^\"]*\"|'[^']*'|[^\s#]*)(.*)$"


@dataclass(frozen=True)
class Accepted:
    source_id: str
    sha256: str
    previous: str | None  # the fingerprint recorded before, if any
    line: int  # of the entry in sources.yaml, as written
    original_changed: bool = False  # the original file's fingerprint was recorded anew

    @property
    def changed(self) -> bool:
        return self.sha256 != self.previous


def accept_fingerprints(root: str | Path, source_ids: list[str] | None = None) -> tuple[Path, list[Accepted]]:
    """Record the fingerprint of each source named (of every source with
    `source_ids` None) in sources.yaml; return the file and what was done."""
    path = sources_file(root)
    entries = read_entries(root)
    known = [str(entry.get("id")) for entry in entries]
    unknown = [source_id for source_id in source_ids or [] if source_id not in known]
    if unknown:
        raise BriefingError(f"no source '{unknown[0]}'; sources of this dossier: {', '.join(known) or 'none'}", file=path)
    wanted = [entry for entry in entries if source_ids is None or str(entry.get("id")) in source_ids]
    raw = path.read_bytes().decode("utf-8")  # read_entries has read it as UTF-8 already
    lines = _LINES.findall(raw)
    starts = sorted(entry.line for entry in entries)
    done = []
    originals: dict[str, str] = {}
    for entry in sorted(wanted, key=lambda entry: entry.line, reverse=True):  # bottom up: line numbers above stay true
        text_path = path.parent / str(entry.get("file"))
        if not text_path.is_file():
            raise BriefingError(f"source '{entry.get('id')}': text file '{entry.get('file')}' not found", file=path, line=entry.line)
        sha256 = fingerprint(read_text(text_path))
        previous = entry.get("sha256")
        original = _original_fingerprint(root, path, entry)
        if original is not None and original != entry.get("original_sha256"):
            originals[str(entry.get("id"))] = original
            _set_line(lines, entry, starts, original, path, "original_sha256")
        done.append(Accepted(str(entry.get("id")), sha256, previous if isinstance(previous, str) else None, entry.line,
                             original is not None and str(entry.get("id")) in originals))
        if previous != sha256:
            _set_line(lines, entry, starts, sha256, path)
    done.reverse()
    added = [item.line for item in done if item.changed and item.previous is None]  # a line inserted in each
    done = [replace(item, line=item.line + sum(line < item.line for line in added)) for item in done]
    if any(item.changed or item.original_changed for item in done):
        new = "".join(lines)
        _check_rewritten(path, entries, new, {item.source_id: item.sha256 for item in done}, originals)
        atomic_write(path, new.encode("utf-8"))
    return path, done


def _original_fingerprint(root: str | Path, path: Path, entry) -> str | None:
    """The SHA-256 of the entry's original file, if it has one."""
    from ..check.fingerprints import file_fingerprint
    from ..load.paths import resolve_inside

    if not isinstance(entry.get("original"), str):
        return None
    original = path.parent / entry["original"]
    real = resolve_inside(Path(root), original, f"source '{entry.get('id')}': 'original': '{entry['original']}'", path,
                          entry.line, missing=f"source '{entry.get('id')}': the original file '{entry['original']}' is missing")
    return file_fingerprint(real)


def _set_line(lines: list[str], entry, starts: list[int], sha256: str, path: Path, key: str = "sha256") -> None:
    """Rewrite the entry's `sha256:` (or `key`) line in `lines`, or add one after its last line."""
    if key in entry.key_lines:
        number = entry.key_lines[key] - 1
        match = re.match(_KEY_LINE.format(key=key), lines[number], re.DOTALL)
        if match is None:
            raise _cannot(entry, path)
        quote = match.group(2)[:1] if match.group(2)[:1] in ("'", '"') else ""  # the value keeps its quotes
        lines[number] = match.group(1) + quote + sha256 + quote + match.group(3)
        return
    following = [start for start in starts if start > entry.line]
    end = (following[0] - 1 if following else len(lines))  # the entry's last line (1-based), comments and blanks included
    last = max((n for n in range(entry.line, end + 1) if lines[n - 1].strip() and not lines[n - 1].lstrip().startswith("#")),
               default=entry.line)
    key_lines = sorted(line for line in entry.key_lines.values() if line != entry.line)
    if not key_lines:  # the whole entry on one line, e.g. {id: a, file: b}
        raise _cannot(entry, path)
    model = lines[key_lines[0] - 1]
    indent = model[:len(model) - len(model.lstrip(" "))]
    ending = re.search(r"\r\n|\r|\n$", lines[last - 1])
    newline = ending.group(0) if ending else next((m.group(0) for line in lines if (m := re.search(r"\r\n|\r|\n$", line))), "\n")
    if not ending:
        lines[last - 1] += newline
    lines.insert(last, f"{indent}{key}: {sha256}{newline}")


def _check_rewritten(path: Path, entries: list, text: str, fingerprints: dict[str, str],
                     originals: dict[str, str]) -> None:
    """Refuse to write a file that does not read as the same entries with the new fingerprints."""
    try:
        data = parse_yaml(text.removeprefix("\ufeff"), path)
    except BriefingError:
        data = None
    expected = [dict(entry) | ({"sha256": fingerprints[str(entry.get("id"))]} if str(entry.get("id")) in fingerprints else {})
                | ({"original_sha256": originals[str(entry.get("id"))]} if str(entry.get("id")) in originals else {})
                for entry in entries]
    if not isinstance(data, list) or [dict(item) if isinstance(item, dict) else item for item in data] != expected:
        raise BriefingError("cannot record the fingerprint in this file's layout; add a line 'sha256: ...' to the entry "
                            "by hand, or write each entry as '- id: ...' with one field a line", file=path)


def _cannot(entry, path: Path) -> BriefingError:
    return BriefingError(f"source '{entry.get('id')}': cannot record the fingerprint in this entry's layout; write the "
                         "entry with one field a line", file=path, line=entry.line)
