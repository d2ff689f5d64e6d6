"""What every stage shares: the error a user can meet, one atomic write, and
the build time `SOURCE_DATE_EPOCH` may fix.

`BriefingError` is one mistake in the user's input (a dossier, a template, an
option), located by file and line. `BriefingErrors` carries several of them so
that a user sees every problem of a dossier in one run. Anything else that is
raised is a bug and shows its traceback under `--debug`.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import click


class BriefingError(click.ClickException):
    """A mistake in the user's input: exit code 1, one line `file:line: message`.

    `char` names the character a renderer cannot draw, when that is the
    mistake: the build then points at the dossier line that holds it."""

    exit_code = 1

    def __init__(self, message: str, file: str | Path | None = None, line: int | None = None,
                 char: str | None = None):
        self.detail = message
        self.file = str(file) if file is not None else None
        self.line = line
        self.char = char
        super().__init__(self.format_line())

    def format_line(self) -> str:
        where = ""
        if self.file:
            where = f"{self.file}:{self.line}: " if self.line else f"{self.file}: "
        return f"{where}{self.detail}"

    def show(self, file=None) -> None:
        click.echo(f"error: {terminal_text(self.format_line(), one_line=True)}", err=True)

    def __reduce__(self):
        """Pickled whole (a worker process sends it back), not as its formatted line."""
        return (BriefingError, (self.detail, self.file, self.line, self.char))


MAX_SHOWN = 100  # error lines a command prints: the first ones, and how many more there are


class BriefingErrors(BriefingError):
    """Several input mistakes found in one pass, shown one per line: the first `MAX_SHOWN`, then
    how many more (a generated file can hold a mistake a hundred thousand times)."""

    def __init__(self, errors: list[BriefingError]):
        self.errors = list(errors)
        super().__init__(f"{len(self.errors)} errors")

    def lines(self) -> list[str]:
        """The lines to show: `file:line: message` of the first errors, and a line counting the rest."""
        shown = [error.format_line() for error in self.errors[:MAX_SHOWN]]
        more = len(self.errors) - MAX_SHOWN
        return shown + ([f"… and {more:,} more error{'s' if more > 1 else ''}, not shown: "
                         "fix the ones above and run again"] if more > 0 else [])

    def format_line(self) -> str:
        return "\n".join(self.lines())

    def show(self, file=None) -> None:
        for line in self.lines():
            click.echo(f"error: {terminal_text(line, one_line=True)}", err=True)

    def __reduce__(self):
        return (BriefingErrors, (self.errors,))


@dataclass(frozen=True)
class BriefingWarning:
    """Something a user should look at that does not stop a build (a claim
    that says more than its quotes, two sources with the same text); with
    `--strict`, every warning is an error."""

    message: str
    file: str | None = None
    line: int | None = None

    def format_line(self) -> str:
        where = f"{self.file}:{self.line}: " if self.file and self.line else f"{self.file}: " if self.file else ""
        return f"{where}warning: {self.message}"

    def as_error(self) -> BriefingError:
        return BriefingError(self.message, file=self.file, line=self.line)


# C0 and C1 controls (ESC starts the sequences that erase lines, move the
# cursor or write the clipboard), and the marks that reorder text on screen.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def terminal_text(text: str, one_line: bool = False) -> str:
    """`text` safe to print: every control character a dossier may hold is
    shown escaped (`\\x1b`, `\\n`) rather than sent to the terminal. With
    `one_line`, line breaks and tabs too, so that one message stays one line
    (a line break in an id could forge a line of its own)."""
    pattern = _LINE_BREAKS if one_line else _CONTROLS
    return pattern.sub(_escaped, text) if pattern.search(text) else text


def _escaped(match: re.Match) -> str:
    char = match[0]
    named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
    return named.get(char) or (f"\\x{ord(char):02x}" if ord(char) <= 0xFF else f"\\u{ord(char):04x}")


def raise_all(errors: list[BriefingError]) -> None:
    """Raise the collected errors, if any: one alone as itself, several together."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise BriefingErrors(errors)


def atomic_write(path: Path, data: bytes | str, what: str = "cannot write") -> Path:
    """Write `path` whole or not at all: a temporary file beside it, then a
    rename. A file replaced keeps its mode (a private sources.yaml stays
    private); a new one follows the umask, as any new file's would."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    except OSError as error:
        raise write_error(error, path, what) from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(payload)
        try:
            mode = path.stat().st_mode & 0o777
        except OSError:
            mode = 0o666 & ~current_umask()
        os.chmod(name, mode)
        os.replace(name, path)
    except OSError as error:
        raise write_error(error, path, what) from None
    finally:
        Path(name).unlink(missing_ok=True)
    return path


def current_umask() -> int:
    """The process's umask (reading it means setting it; it is put back at once)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_WRITE_REASONS = {
    "ENOSPC": "the disk is full",
    "EDQUOT": "the disk quota is exhausted",
    "EFBIG": "the file is larger than this system allows (file size limit)",
    "EACCES": "permission denied",
    "EPERM": "permission denied",
    "EROFS": "the file system is read-only",
    "EISDIR": "it is a folder",
}


def write_error(error: OSError, path: Path, what: str = "cannot write") -> BriefingError:
    """A failed write as one line that says what it means for the user's files."""
    import errno

    reason = _WRITE_REASONS.get(errno.errorcode.get(error.errno or 0, ""), error.strerror or str(error))
    return BriefingError(f"{what}: {reason}; earlier outputs are unchanged", file=path)


def source_date_epoch(env: Mapping[str, str] | None = None) -> datetime | None:
    """The build time `SOURCE_DATE_EPOCH` fixes (reproducible outputs), or None when unset."""
    text = (os.environ if env is None else env).get("SOURCE_DATE_EPOCH", "").strip()
    if not text:
        return None
    problem = f"$SOURCE_DATE_EPOCH: '{terminal_text(text[:40], one_line=True)}' is not a number of seconds since 1970 " \
              "up to the year 9999 (unset it, or give e.g. 1750636800)"
    if not text.isdigit() or len(text) > 12:
        raise BriefingError(problem)
    try:
        return datetime.fromtimestamp(int(text), timezone.utc)
    except (ValueError, OverflowError, OSError):
        raise BriefingError(problem) from None


def build_time(env: Mapping[str, str] | None = None) -> datetime:
    """Now, or the time `SOURCE_DATE_EPOCH` fixes; whole seconds, in UTC."""
    return source_date_epoch(env) or datetime.now(timezone.utc).replace(microsecond=0)
