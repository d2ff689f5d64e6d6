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
