"""Options and small helpers shared by the commands."""

from __future__ import annotations

import click

DOSSIER_HELP = "Dossier folder (holds sources/ and templates/). Default: $BRIEFING_DOSSIER or the current folder."


def dossier_option(command):
    return click.option(
        "--dossier", "-d", default=".", envvar="BRIEFING_DOSSIER", show_envvar=True,
        type=click.Path(file_okay=False), help=DOSSIER_HELP,
    )(command)


def finite(ctx: click.Context, param: click.Parameter, value):
    """A number of seconds or megabytes: 'nan' passes a range check, so it is refused here."""
    if value is not None and value != value:
        raise click.BadParameter("give a number", ctx=ctx, param=param)
    return value


def json_option(command):
    return click.option("--json", "as_json", is_flag=True, help="Print JSON, for scripts.")(command)


def echo(text: str = "", err: bool = False) -> None:
    """Print a line the way every command prints: control characters that came
    from a dossier are shown escaped, never sent to the terminal raw."""
    from ..errors import terminal_text

    click.echo(terminal_text(text), err=err)


def count(number: int, singular: str, plural: str | None = None) -> str:
    return f"{number} {singular if number == 1 else plural or singular + 's'}"


def print_json(data) -> None:
    import json

    echo(json.dumps(data, ensure_ascii=False, indent=2))


def language_option(command):
    return click.option("--lang", "languages", multiple=True, metavar="CODE",
                        help="Language of the briefs (en, fr…); repeatable, one brief per language, "
                             "named analyst.fr.pdf when not the dossier's language. Default: the dossier's `language:`.")(command)


def strict_option(command):
    return click.option("--strict", is_flag=True,
                        help="Treat every warning as an error (exit 1), e.g. a claim that says more than its quotes.")(command)


def show_warning(warning) -> None:
    from ..errors import terminal_text

    click.echo(terminal_text(warning.format_line(), one_line=True), err=True)


def show_warnings(warnings) -> None:
    """Every warning, one line each, written at once (a large dossier may have thousands)."""
    from ..errors import terminal_text

    if warnings:
        click.echo("\n".join(terminal_text(warning.format_line(), one_line=True) for warning in warnings), err=True)
