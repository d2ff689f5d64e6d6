"""`briefing add-source`: copy an article into a dossier and record what is known of it.

The entry is appended to `sources/sources.yaml` as text, so the comments and
layout the user has written there stay as they are; the result is parsed
again before it is written, so a file that cannot take an appended entry is
left untouched and reported.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from ..check.fingerprints import fingerprint
from ..errors import BriefingError, BriefingWarning, atomic_write, raise_all
from ..load.model import PROVENANCE_FIELDS, UNKNOWN, SourceMeta
from ..load.paths import folder_inside, resolve_inside
from ..load.validate import schema_errors
from ..load.yamlfile import load_yaml, read_text
from .extract import KINDS, Extracted, extract
from .fetch import MAX_BYTES, TIMEOUT, fetch_url, is_link

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
    kind: str = "text"  # what the file was: html, pdf, docx or text
    encoding: str | None = None  # a plain text's encoding, when it was not UTF-8
    original: Path | None = None  # the file kept as it came, beside the text

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
    """An article file as text (see `extract`): a web page's main text, a PDF's text layer, a Word
    file's paragraphs, or plain text in any common encoding; line endings made LF."""
    return extract(_read_file(Path(path)), str(path)).text


def _read_file(path: Path) -> bytes:
    if not path.is_file():
        raise BriefingError("file not found" if not path.exists() else "not a file", file=path)
    if path.stat().st_size > MAX_BYTES:
        raise BriefingError(f"the file has more than {MAX_BYTES:,} bytes, too large for an article", file=path)
    return path.read_bytes()


def slugify(text: str) -> str:
    """'Le Monde – 23 juin.txt' → 'le-monde-23-juin-txt': ASCII letters, digits and '-'."""
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in folded if not unicodedata.combining(c)).casefold()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")[:60].strip("-")


def add_source(root: str | Path, article: str | Path, *, source_id: str | None = None, origin: str | None = None,
               timeout: float = TIMEOUT, **metadata: str | None) -> AddedSource:
    """Add `article` (a file or an http(s) link, fetched within `timeout` seconds in all) to the dossier:
    its text as sources/texts/ID.txt, the file it came from as sources/originals/ID.EXT, and its entry
    in sources.yaml."""
    path = sources_file(root)
    fetched = fetch_url(str(article), timeout) if is_link(str(article)) else None
    if fetched is not None:
        extracted = extract(fetched.data, fetched.final_url, fetched.content_type, url=fetched.final_url)
        data = fetched.data
    else:
        data = _read_file(Path(article))
        extracted = extract(data, str(article))
    text, controls = without_controls(extracted.text)
    entries = read_entries(root)
    taken = {str(entry.get("id")) for entry in entries}
    texts = path.parent / "texts"
    for folder in (path.parent, texts, path.parent / "originals"):  # what is written below must stay inside
        folder_inside(Path(root), folder, f"the folder {folder.name}/")
    values = {name: value for name, value in metadata.items() if value is not None}
    unknown_names = set(values) - set(FIELDS)
    if unknown_names:
        raise TypeError(f"unknown metadata: {', '.join(sorted(unknown_names))}")
    given, provenance, dropped = merge_metadata(values, extracted, fetched.final_url if fetched else None)
    if source_id is not None:
        if source_id in taken:
            raise BriefingError(f"a source with id '{source_id}' exists already; choose another --id", file=path)
        chosen = source_id
    else:
        stem = _link_stem(fetched.final_url) if fetched else Path(article).stem
        base = slugify(stem) or slugify(given.get("title") or "") or "source"
        chosen = _unique(base, taken, texts)
    text_path = texts / f"{chosen}.txt"
    if text_path.exists():
        raise BriefingError(f"a text file for '{chosen}' exists already; choose another --id", file=text_path)
    keep = extracted.kind != "text" or extracted.encoding is not None or fetched is not None
    original = f"originals/{chosen}{KINDS[extracted.kind]}" if keep else None
    fields: dict = {"id": chosen, "file": f"texts/{chosen}.txt"}
    fields.update({name: given.get(name, SourceMeta.model_fields[name].default) for name in FIELDS})
    fields.update({"origin": origin, "sha256": fingerprint(text)})
    if original:
        fields.update({"original": original, "original_sha256": hashlib.sha256(data).hexdigest()})
    if fetched:
        fields.update({"fetched_from": fetched.url, "fetched_at": fetched.fetched_at})
    fields["provenance"] = provenance
    try:
        meta = SourceMeta.model_validate(fields)
    except ValidationError as error:  # a value given on the command line: name its option
        raise_all([BriefingError(f"--{'.'.join(map(str, detail['loc'])).replace('_', '-')}: "
                                 f"{detail['msg'].removeprefix('Value error, ')}") for detail in error.errors()])
        raise

    others = _existing_texts(path, entries, article, meta.sha256 or "")
    old = read_text(path) if path.is_file() else ""
    if old and not old.endswith("\n"):
        old += "\n"
    new = old + "\n" + _entry_text(meta)
    _check_appended(path, new, len(entries) + 1)
    line = old.count("\n") + 2
    whose = {"pdf": "the PDF's", "docx": "the Word file's", "text": "the file's"}.get(extracted.kind, "the page's")
    warnings = [BriefingWarning(f"{whose} {name} '{value if len(value) <= 80 else value[:80] + '…'}' is not one "
                                f"briefing can record ({why}); it stays unknown", str(path), line)
                for name, value, why in dropped]
    if controls:
        warnings.append(BriefingWarning(f"{controls} control character{'s' if controls > 1 else ''} left out of the "
                                        "text (an escape sequence whole, a page break made a line break): no brief "
                                        "can show one, nor check a quote that holds one", str(text_path)))
    warnings += _shared_text_warnings(meta.id, text, others, path, line)
    written: list[Path] = []
    try:
        if original:
            written.append(atomic_write(path.parent / original, data))
        written.append(atomic_write(text_path, text))
        atomic_write(path, new)
    except BriefingError:
        for done in written:
            done.unlink(missing_ok=True)
        raise
    return AddedSource(meta, text_path, path, line, len(text), text.count("\n"), tuple(warnings),
                       extracted.kind, extracted.encoding, path.parent / original if original else None)


# A terminal's escape sequence (CSI "\x1b[31m", OSC "\x1b]0;title\x07") whole, then any other control
# character but tab and line breaks: what `load.model.check_printable` refuses in a quote.
_CONTROL = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_BREAKS = "\x0b\x0c\x1c\x1d\x1e\x85"  # a vertical tab, a page break, separators, NEL: a line break in the text


def without_controls(text: str) -> tuple[str, int]:
    """`text` without the control characters an article cannot hold (a page break becomes a line
    break), and how many there were."""
    count = 0

    def replace(match: re.Match) -> str:
        nonlocal count
        count += 1
        return "\n" if match[0] in _BREAKS else ""

    cleaned = _CONTROL.sub(replace, text)
    return cleaned, count


def merge_metadata(given: dict[str, str], extracted: Extracted, fetched_url: str | None
                   ) -> tuple[dict[str, str], dict[str, str], list[tuple[str, str, str]]]:
    """The metadata to record and where each field came from: the command line first, then what the
    file itself says, then (for the URL) the link it was fetched from; else unknown. A value of the
    page that the schema refuses (a date not in the calendar) is dropped and reported, never mended."""
    values: dict[str, str] = {}
    provenance: dict[str, str] = {}
    dropped = []
    for name in PROVENANCE_FIELDS:
        if name in given:
            values[name], provenance[name] = given[name], "command line"
            continue
        found = extracted.metadata.get(name)
        if found is not None:
            problem = _refused(name, found)
            if problem is None:
                values[name], provenance[name] = found, extracted.provenance
                continue
            dropped.append((name, found, problem))
        if name == "url" and fetched_url is not None and _refused(name, fetched_url) is None:
            values[name], provenance[name] = fetched_url, "fetched"
        else:
            provenance[name] = UNKNOWN
    values.update({name: value for name, value in given.items() if name not in PROVENANCE_FIELDS})
    return values, provenance, dropped


def _refused(name: str, value: str) -> str | None:
    """Why the schema refuses a field's value of the page, or None."""
    try:
        SourceMeta.model_validate({"id": "x", "file": "x", name: value})
    except ValidationError as error:
        return error.errors()[0]["msg"].removeprefix("Value error, ")
    return None


def _link_stem(url: str) -> str:
    """'https://a.example/world/2025/lake-orvane.html?x=1' → 'lake-orvane'."""
    from urllib.parse import urlsplit

    parts = [part for part in urlsplit(url).path.split("/") if part]
    return Path(parts[-1]).stem if parts else urlsplit(url).hostname or ""


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


def _entry_text(meta: SourceMeta) -> str:
    lines = [f"- id: {meta.id}", f"  file: {meta.file}"]
    for name in FIELDS:
        value = getattr(meta, name)
        shown = value if value == UNKNOWN or name == "reliability" else json.dumps(value, ensure_ascii=False)
        lines.append(f"  {name}: {shown}")
    for name in ("origin", "sha256", "original", "original_sha256", "fetched_from", "fetched_at"):
        value = getattr(meta, name)
        if value is not None:
            quoted = name in ("origin", "fetched_from", "fetched_at")  # a time unquoted would read as a timestamp
            lines.append(f"  {name}: {json.dumps(value, ensure_ascii=False) if quoted else value}")
    if meta.provenance is not None:
        pairs = ", ".join(f"{name}: {json.dumps(getattr(meta.provenance, name))}" for name in PROVENANCE_FIELDS)
        lines.append(f"  provenance: {{{pairs}}}")
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
