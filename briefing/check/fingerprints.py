"""Fingerprints: each source's text has its SHA-256 in `sources.yaml`, so a
text that changes after it was quoted is noticed.

The hash is taken over the text as `load` reads it (UTF-8, a BOM dropped) with
line endings made LF, so re-saving an article with other line endings is no
change. `briefing add-source` records it; `briefing sources --accept ID`
records it again when a change is intended.
"""

from __future__ import annotations

import hashlib
import shlex
from pathlib import Path

from ..errors import BriefingError, BriefingWarning
from ..load import Dossier, Source


def fingerprint(text: str) -> str:
    """The SHA-256 (64 lowercase hex digits) of `text`, BOM and line endings normalised."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def accept_command(root: str | Path, source_id: str | None = None) -> str:
    """The command that records the fingerprint of one source (or of all)."""
    target = shlex.quote(source_id) if source_id is not None else "--all"
    option = "" if Path(root) == Path(".") else f" --dossier {shlex.quote(str(root))}"
    return f"briefing sources --accept {target}{option}"


def check_fingerprints(dossier: Dossier) -> tuple[list[BriefingError], list[BriefingWarning]]:
    """An error for each text that no longer has its recorded fingerprint; a
    warning for the sources that have none (one line for several)."""
    errors: list[BriefingError] = []
    missing: list[Source] = []
    for source in dossier.sources:
        recorded = source.meta.sha256
        if recorded is None:
            missing.append(source)
            continue
        actual = fingerprint(source.text)
        if actual != recorded:
            errors.append(BriefingError(
                f"the text changed since it was added (sha256 {actual[:12]}…, recorded {recorded[:12]}…); "
                f"if the change is intended, run: {accept_command(dossier.root, source.id)}", file=source.path))
        if source.meta.original is not None:
            error = _original_changed(dossier, source)
            if error is not None:
                errors.append(error)
    warnings: list[BriefingWarning] = []
    if len(missing) == 1:
        (source,) = missing
        warnings.append(BriefingWarning(
            f"source '{source.id}' has no fingerprint (sha256), so a change to its text would go unnoticed; "
            f"run: {accept_command(dossier.root, source.id)}", source.meta.where.file, source.meta.where.line))
    elif missing:
        shown = ", ".join(f"'{source.id}'" for source in missing[:5]) + (", …" if len(missing) > 5 else "")
        warnings.append(BriefingWarning(
            f"{len(missing)} sources have no fingerprint (sha256), so a change to their text would go unnoticed: "
            f"{shown}; run: {accept_command(dossier.root)}", missing[0].meta.where.file))
    return errors, warnings


def file_fingerprint(path: Path) -> str:
    """The SHA-256 of a file's bytes, as they are (an original is kept byte for byte)."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _original_changed(dossier: Dossier, source: Source) -> BriefingError | None:
    """An error when the original file a text was extracted from is missing or no longer the same."""
    from ..load.paths import resolve_inside

    meta = source.meta
    path = dossier.root / "sources" / str(meta.original)
    try:
        real = resolve_inside(dossier.root, path, f"source '{meta.id}': 'original': '{meta.original}'", meta.where.file,
                              meta.where.line, missing=f"source '{meta.id}': the original file '{meta.original}' is "
                              "missing; restore it, or remove 'original' and 'original_sha256' from the entry")
    except BriefingError as error:
        return error
    actual = file_fingerprint(real)
    if actual == meta.original_sha256:
        return None
    return BriefingError(f"the original file changed since it was added (sha256 {actual[:12]}…, recorded "
                         f"{str(meta.original_sha256)[:12]}…); if the change is intended, run: "
                         f"{accept_command(dossier.root, meta.id)}", file=path)
