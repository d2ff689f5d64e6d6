"""The `briefing` command. Each command parses its options and calls one
library function; heavy libraries are imported inside the commands, so
`briefing --help` starts at once."""

from __future__ import annotations

import sys

import click

from . import __version__

DOSSIER_HELP = "Dossier folder (holds sources/ and templates/). Default: $BRIEFING_DOSSIER or the current folder."


def dossier_option(command):
    return click.option(
        "--dossier", "-d", default=".", envvar="BRIEFING_DOSSIER", show_envvar=True,
        type=click.Path(file_okay=False), help=DOSSIER_HELP,
    )(command)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", prog_name="briefing")
@click.option("--debug", is_flag=True, help="Show the full traceback of unexpected errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Source-cited policy briefs: curated facts, verbatim quotes, DOCX and PDF.

    \b
    Examples:
      briefing check                      verify every quote of the dossier here
      briefing build                      every template, DOCX and PDF, into out/
      briefing build -t executive -f pdf  the one-page note as PDF only
    """
    ctx.obj = {"debug": debug}


@cli.command()
@dossier_option
@click.option("--template", "-t", "templates", multiple=True, metavar="NAME|PATH",
              help="Template name (see 'briefing templates') or path to a .md.j2 file; repeatable. Default: all.")
@click.option("--format", "-f", "formats", multiple=True, type=click.Choice(["docx", "pdf", "md"]),
              help="Output format; repeatable. Default: docx and pdf. 'md' writes the composed Markdown.")
@click.option("--out", "-o", "out_dir", type=click.Path(), default=None,
              help="Output folder. Default: out/ inside the dossier.")
def build(dossier: str, templates: tuple[str, ...], formats: tuple[str, ...], out_dir: str | None) -> None:
    """Build briefs: check the dossier, then render each template in each format.

    \b
    Examples:
      briefing build
      briefing build --template analyst --format pdf --out /tmp/briefs
      briefing build --template my-templates/press.md.j2
    """
    from .build import build_briefs

    for output in build_briefs(dossier, templates, formats or ("docx", "pdf"), out_dir):
        click.echo(str(output.path))


@cli.command()
@dossier_option
def check(dossier: str) -> None:
    """Verify the dossier: every quote in its source, every reference resolved.

    Prints a summary and the discrepancies between sources; exits 1 listing
    every error found.
    """
    from .check import check_dossier
    from .load import load_dossier

    checked = check_dossier(load_dossier(dossier))
    facts = checked.facts
    click.echo(
        f"ok: {len(checked.dossier.sources)} sources, {len(facts)} facts, "
        f"{checked.quote_count} quotes verified, {len(checked.discrepancies)} discrepancies"
    )
    for discrepancy in checked.discrepancies:
        versions = " | ".join(
            f"{version.value} ({', '.join(sorted({q.source.id for f in version.facts for q in f.evidence}))})"
            for version in discrepancy.versions
        )
        click.echo(f"discrepancy: {discrepancy.label}: {versions}")


@cli.command()
@dossier_option
def templates(dossier: str) -> None:
    """List the templates: name, audience, description."""
    from pathlib import Path

    from .templates import list_templates

    found = list_templates(Path(dossier))
    width = max((len(t.name) for t in found), default=4)
    for template in found:
        click.echo(f"{template.name:<{width}}  {template.info.audience} — {template.info.description}")


def main() -> None:
    """Entry point: expected errors are one line; bugs show a traceback under --debug."""
    try:
        cli.main(standalone_mode=False)
    except click.ClickException as error:  # BriefingError is one
        error.show()
        sys.exit(error.exit_code)
    except click.exceptions.Abort:
        click.echo("interrupted; earlier outputs are unchanged", err=True)
        sys.exit(130)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except Exception as error:  # a bug: say so plainly
        if "--debug" in sys.argv[1:]:
            raise
        click.echo(f"internal error: {type(error).__name__}: {error} (run with --debug for the traceback)", err=True)
        sys.exit(1)
