"""The two exception types a user can meet.

`BriefingError` is one mistake in the user's input (a dossier, a template, an
option), located by file and line. `BriefingErrors` carries several of them so
that a user sees every problem of a dossier in one run. Anything else that is
raised is a bug and shows its traceback under `--debug`.
"""

from __future__ import annotations

from pathlib import Path

import click


class BriefingError(click.ClickException):
    """A mistake in the user's input: exit code 1, one line `file:line: message`."""

    exit_code = 1

    def __init__(self, message: str, file: str | Path | None = None, line: int | None = None):
        self.file = str(file) if file is not None else None
        self.line = line
        self.detail = message
        super().__init__(self.format_line())

    def format_line(self) -> str:
        where = ""
        if self.file:
            where = f"{self.file}:{self.line}: " if self.line else f"{self.file}: "
        return f"{where}{self.detail}"

    def show(self, file=None) -> None:
        click.echo(f"error: {self.format_line()}", err=True)


class BriefingErrors(BriefingError):
    """Several input mistakes found in one pass, shown one per line."""

    def __init__(self, errors: list[BriefingError]):
        self.errors = errors
        super().__init__(f"{len(errors)} error(s)")

    def format_line(self) -> str:
        return "\n".join(error.format_line() for error in getattr(self, "errors", []))

    def show(self, file=None) -> None:
        for error in self.errors:
            error.show(file)


def raise_all(errors: list[BriefingError]) -> None:
    """Raise the collected errors, if any: one alone as itself, several together."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise BriefingErrors(errors)
