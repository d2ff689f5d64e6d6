"""Commands on briefs: build, check, templates."""

from __future__ import annotations

import click

from ..render import DEFAULT_FORMATS, FORMATS
from .options import count, dossier_option, echo, language_option, show_warning, show_warnings, strict_option


@click.command()
@dossier_option
@click.option("--template", "-t", "templates", multiple=True, metavar="NAME|PATH",
              help="Template name (see 'briefing templates') or path to a .md.j2 file; repeatable. Default: all.")
@click.option("--format", "-f", "formats", multiple=True, type=click.Choice(list(FORMATS), case_sensitive=False),
              help="Output format; repeatable. Default: " + " and ".join(DEFAULT_FORMATS) + ". "
              + "; ".join(f"{fmt.name}: {fmt.description}" for fmt in FORMATS.values()) + ".")
@click.option("--out", "-o", "out_dir", type=click.Path(), default=None,
              help="Output folder. Default: out/ inside the dossier.")
@language_option
@strict_option
def build(dossier: str, templates: tuple[str, ...], formats: tuple[str, ...], out_dir: str | None,
          languages: tuple[str, ...], strict: bool) -> None:
    """Build briefs: check the dossier, then render each template in each format.

    \b
    Examples:
      briefing build
      briefing build --template analyst --format pdf --out /tmp/briefs
      briefing build --lang en --lang fr      (analyst.pdf and analyst.fr.pdf …)
      briefing build --template my-templates/press.md.j2
    """
    from ..build import build_briefs

    for output in build_briefs(dossier, templates, formats or DEFAULT_FORMATS, out_dir, strict=strict, report=show_warning,
                               languages=languages):
        echo(str(output.path))


@click.command()
@dossier_option
@language_option
@strict_option
def check(dossier: str, languages: tuple[str, ...], strict: bool) -> None:
    """Verify the dossier: every quote in its source, every claim (in each of
    its languages) against its quotes, every reference resolved; with --lang,
    that every text a brief shows is given in that language.

    Prints a summary, the warnings and the discrepancies between sources;
    exits 1 listing every error found (with --strict, every warning too).
    """
    from ..check import in_language, load_and_check, silent_sources

    checked = load_and_check(dossier, strict=strict)  # schema and check errors in one run
    for language in languages:
        in_language(checked, language)
    show_warnings(checked.warnings)
    facts = checked.facts
    echo(
        f"ok: {count(len(checked.dossier.sources), 'source')}, {count(len(facts), 'fact')}, "
        f"{count(checked.quote_count, 'quote')} verified, {count(len(checked.discrepancies), 'discrepancy', 'discrepancies')}, "
        f"{count(len(checked.warnings), 'warning')}"
    )
    for discrepancy in checked.discrepancies:
        versions = " | ".join(
            f"{version.value} ({', '.join(sorted({q.source.id for f in version.facts for q in f.evidence}))})"
            for version in discrepancy.versions
        )
        echo(f"discrepancy: {discrepancy.label}: {versions}")
    for fact in (checked_fact.fact for checked_fact in facts if checked_fact.fact.silent_on):
        label = checked.dossier.config.key_labels.get(fact.silent_on or "", fact.silent_on)
        echo(f"silence: {label}: not given by {', '.join(silent_sources(checked, fact))} (fact '{fact.id}')")


@click.command()
@dossier_option
def templates(dossier: str) -> None:
    """List the templates: name, audience, description."""
    from pathlib import Path

    from ..compose.templates import list_templates

    found = list_templates(Path(dossier))
    width = max((len(t.name) for t in found), default=4)
    for template in found:
        echo(f"{template.name:<{width}}  {template.info.audience} — {template.info.description}")
