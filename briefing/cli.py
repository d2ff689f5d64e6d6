"""The `briefing` command. Each command parses its options and calls one
library function; heavy libraries are imported inside the commands, so
`briefing --help` starts at once."""

from __future__ import annotations

import os
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
@click.option("--format", "-f", "formats", multiple=True, type=click.Choice(["docx", "pdf", "md"], case_sensitive=False),
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
        f"ok: {_count(len(checked.dossier.sources), 'source')}, {_count(len(facts), 'fact')}, "
        f"{_count(checked.quote_count, 'quote')} verified, {_count(len(checked.discrepancies), 'discrepancy', 'discrepancies')}"
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


def _addresses(ctx: click.Context, param: click.Parameter, values):
    """Check each address at parse time, so a typo is a usage error (exit 2)."""
    from .mail import parse_address

    for value in (values if isinstance(values, tuple) else (values,) if values else ()):
        try:
            parse_address(value)
        except ValueError as error:
            raise click.BadParameter(str(error), ctx=ctx, param=param) from None
    return values


@cli.command()
@dossier_option
@click.option("--template", "-t", required=True, metavar="NAME|PATH", help="The brief to send (see 'briefing templates').")
@click.option("--to", "to", multiple=True, required=True, callback=_addresses, metavar="ADDR",
              help="Recipient, 'Name <user@example.org>' or 'user@example.org'; repeatable.")
@click.option("--cc", multiple=True, callback=_addresses, metavar="ADDR", help="Copy recipient; repeatable.")
@click.option("--from", "sender", callback=_addresses, metavar="ADDR",
              help="Sender. Default: $BRIEFING_MAIL_FROM, then 'mail: from:' in sources/dossier.yaml.")
@click.option("--subject", help="Subject. Default: the brief's title.")
@click.option("--attach-docx", is_flag=True, help="Attach the DOCX as well as the PDF.")
@click.option("--out", "-o", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Output folder. Default: out/ inside the dossier.")
@click.option("--send", is_flag=True, help="Deliver through SMTP; without it, only the .eml is written.")
@click.option("--smtp-host", metavar="HOST", help="SMTP server. Default: $BRIEFING_SMTP_HOST, then 'mail: host:'.")
@click.option("--smtp-port", type=click.IntRange(1, 65535), metavar="PORT",
              help="Default: $BRIEFING_SMTP_PORT, 'mail: port:', else 587 / 465 / 25 by security.")
@click.option("--security", type=click.Choice(["starttls", "tls", "none"]),
              help="STARTTLS, implicit TLS, or none. Default: $BRIEFING_SMTP_SECURITY, 'mail: security:', starttls.")
@click.option("--smtp-user", metavar="NAME",
              help="Log in as NAME; the password is read from $BRIEFING_SMTP_PASSWORD, never from the command line.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), metavar="SECONDS",
              help="Network timeout. Default: $BRIEFING_SMTP_TIMEOUT, 'mail: timeout:', 30.")
@click.option("--max-attachment-mb", type=click.FloatRange(min=0, min_open=True), metavar="MB",
              help="Warn above this total size of attachments. Default: 'mail: max_attachment_mb:', 10.")
@click.option("--strict", is_flag=True, help="Refuse, rather than warn, when the attachments exceed the limit.")
def mail(dossier: str, template: str, to: tuple[str, ...], cc: tuple[str, ...], sender: str | None,
         subject: str | None, attach_docx: bool, out_dir: str | None, send: bool, smtp_host: str | None,
         smtp_port: int | None, security: str | None, smtp_user: str | None, timeout: float | None,
         max_attachment_mb: float | None, strict: bool) -> None:
    """Mail a brief: build (or reuse) its PDF, write out/NAME.eml, and --send it.

    The message is written first, so if delivery fails it stays in out/ to be
    sent by hand. SMTP settings come from these options, then the environment
    (BRIEFING_SMTP_HOST, _PORT, _SECURITY, _USER, _PASSWORD, BRIEFING_MAIL_FROM),
    then 'mail:' in sources/dossier.yaml.

    \b
    Examples:
      briefing mail -t executive --to desk@example.org --from me@example.org
      BRIEFING_SMTP_PASSWORD=... briefing mail -t executive --to desk@example.org \\
          --send --smtp-host smtp.example.org --smtp-user me
    """
    from .mail import MailRequest, mail_brief

    options = {"host": smtp_host, "port": smtp_port, "security": security, "username": smtp_user,
               "sender": sender, "timeout": timeout, "max_attachment_mb": max_attachment_mb}
    request = MailRequest(template, to, cc, subject, attach_docx, out_dir, strict, send,
                          {name: value for name, value in options.items() if value is not None})
    result = mail_brief(dossier, request)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(str(result.path))
    if result.delivered_to:
        click.echo(f"sent to {', '.join(result.delivered_to)} through {result.server}")


def _dossier_for_completion(ctx: click.Context) -> str:
    import os

    return ctx.params.get("dossier") or os.environ.get("BRIEFING_DOSSIER") or "."


def _complete_from(ctx: click.Context, filename: str, pick, incomplete: str) -> list[str]:
    """Ids for shell completion, read quickly; any problem just means no suggestions."""
    from pathlib import Path

    import yaml

    try:
        data = yaml.safe_load((Path(_dossier_for_completion(ctx)) / "sources" / filename).read_text(encoding="utf-8"))
        return [str(value) for value in pick(data) if str(value).startswith(incomplete)]
    except Exception:  # completion must never fail loudly
        return []


def complete_source_ids(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    return _complete_from(ctx, "sources.yaml", lambda data: [item["id"] for item in data or []], incomplete)


def complete_section_ids(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    return _complete_from(ctx, "dossier.yaml", lambda data: [item["id"] for item in data["sections"]], incomplete)


def json_option(command):
    return click.option("--json", "as_json", is_flag=True, help="Print JSON, for scripts.")(command)


def _count(number: int, singular: str, plural: str | None = None) -> str:
    return f"{number} {singular if number == 1 else plural or singular + 's'}"


def _print_json(data) -> None:
    import json

    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@cli.command()
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--title", help="Title of the brief. Default: from the folder name.")
@click.option("--subject", default="unknown", help="One line on what the brief is about.")
@click.option("--author", default="unknown", help="Who prepares the brief.")
@click.option("--organisation", default="unknown", help="The team or office issuing it.")
@click.option("--marking", default="UNCLASSIFIED", show_default=True, help="Handling marking printed on every page.")
@click.option("--example/--no-example", default=True, show_default=True,
              help="Include a worked example (one article, five facts, one question); without it the source, fact "
                   "and question files hold only their explanatory comments.")
def init(folder: str, title: str | None, subject: str, author: str, organisation: str, marking: str,
         example: bool) -> None:
    """Create a new dossier in FOLDER (new or empty): configuration, templates, an example.

    The dossier builds at once, so you can see a brief before adding anything;
    then add your own articles with 'briefing add-source'.

    \b
    Examples:
      briefing init mydossier --title "Lake Orvane water sharing" --author "Water Desk"
      briefing build --dossier mydossier
      briefing init mydossier --no-example --marking "OFFICIAL"
    """
    import shlex

    from .init import create_dossier

    create_dossier(folder, title=title, subject=subject, author=author, organisation=organisation,
                   marking=marking, example=example)
    quoted = shlex.quote(folder)
    click.echo(f"created dossier {folder}: sources/ (configuration in sources/dossier.yaml"
               f"{', an example article with its facts' if example else ''}) and templates/")
    steps = [(f"briefing build --dossier {quoted}", f"build the example brief into {folder}/out/")] if example else []
    steps.append((f"briefing add-source ARTICLE.txt --dossier {quoted}", "add an article of your own"))
    width = max(len(command) for command, _ in steps)
    click.echo("next:")
    for command, why in steps:
        click.echo(f"  {command:<{width}}  {why}")


@cli.command("add-source")
@click.argument("file", type=click.Path(dir_okay=False))
@dossier_option
@click.option("--id", "source_id", metavar="ID", help="Id of the new source. Default: from the file name, made unique.")
@click.option("--title", help="Headline of the article.")
@click.option("--outlet", help="Newspaper, agency or site that published it.")
@click.option("--author", help="Who wrote it.")
@click.option("--date", metavar="YYYY-MM-DD", help="Publication date (or YYYY-MM, YYYY).")
@click.option("--url", help="Where it was published.")
@click.option("--language", metavar="CODE", help="Language of the text, e.g. en, fr, ru.")
@click.option("--reliability", type=click.Choice(list("ABCDEF"), case_sensitive=False), metavar="A-F",
              help="Admiralty grade of the source, A (reliable) to F (cannot be judged). Default: F.")
@click.option("--reliability-reason", metavar="TEXT", help="One line on why that grade.")
def add_source(file: str, dossier: str, source_id: str | None, **metadata: str | None) -> None:
    """Copy the article FILE into the dossier and record its metadata.

    FILE must be plain text (UTF-8); line endings are normalised and a BOM
    dropped. Metadata not given is recorded as "unknown", never guessed: edit
    sources/sources.yaml when you learn more.

    \b
    Examples:
      briefing add-source article.txt --outlet "Le Monde" --date 2025-06-23 --language fr --reliability B
      briefing add-source ~/Downloads/wire.txt --id reuters-0623 --dossier mydossier
    """
    import shlex

    from .sources_admin import add_source as add

    added = add(dossier, file, source_id=source_id, **metadata)
    click.echo(f"added source '{added.meta.id}': {added.text_path} ({added.lines} lines, {added.characters} characters)")
    click.echo(f"recorded in {added.sources_file}:{added.line}")
    if added.unknown:
        click.echo(f"unknown: {', '.join(added.unknown)} (edit the entry when you learn more)")
    option = "" if dossier == "." else f" --dossier {shlex.quote(dossier)}"
    click.echo(f"next: briefing quote {added.meta.id} \"a few words of a passage\"{option}")


@cli.command()
@click.argument("source", metavar="SOURCE-ID", shell_complete=complete_source_ids)
@click.argument("fragment")
@dossier_option
@click.option("--limit", "-n", default=3, show_default=True, type=click.IntRange(1, 20), help="How many passages to show.")
@json_option
def quote(source: str, fragment: str, dossier: str, limit: int, as_json: bool) -> None:
    """Find the passages of a source closest to FRAGMENT, ready to paste as evidence.

    Accents, case and punctuation do not matter: type the words as you
    remember them. Each passage is printed as an evidence item for a fact,
    exactly as the source has it, after a comment with its line, column,
    character span and how well it matches.

    \b
    Examples:
      briefing quote apa "trois accords energie nucleaire"
      briefing quote apa "10 000 cadres" --limit 1 --json
    """
    from pathlib import Path

    from .errors import BriefingError
    from .quote import CLOSE_ENOUGH, find_passages
    from .sources_admin import read_source

    meta, text = read_source(dossier, source)
    passages = find_passages(text, fragment, limit)
    if passages and passages[0].score < CLOSE_ENOUGH:
        best = passages[0]
        raise BriefingError(f"no passage of '{meta.id}' is close to «{fragment}» (the best matches {best.score:g} %: "
                            f"«{best.text}»); check the source id and the words",
                            file=Path(dossier) / "sources" / meta.file)
    if as_json:
        _print_json([{"source": meta.id, "quote": p.text, "start": p.start, "end": p.end, "line": p.line,
                      "column": p.column, "score": p.score} for p in passages])
        return
    import json

    for passage in passages:
        click.echo(f"    # line {passage.line}, column {passage.column}, characters {passage.start}-{passage.end}, "
                   f"match {passage.score:g} %")
        click.echo(f"    - source: {meta.id}\n      quote: {json.dumps(passage.text, ensure_ascii=False)}")


@cli.command()
@dossier_option
@click.option("--section", "-s", metavar="ID", shell_complete=complete_section_ids, help="Only facts of this section.")
@click.option("--source", metavar="ID", shell_complete=complete_source_ids, help="Only facts citing this source.")
@click.option("--key", "-k", metavar="KEY", help="Only facts with this key (comparable facts).")
@json_option
def facts(dossier: str, section: str | None, source: str | None, key: str | None, as_json: bool) -> None:
    """List the facts: id, section, sources cited, key and value, claim.

    \b
    Examples:
      briefing facts --section summary
      briefing facts --source apa --key accords.third
      briefing facts --json | jq '.[].claim'
    """
    from .listing import facts_table, fact_rows
    from .load import load_dossier

    loaded = load_dossier(dossier)
    rows = fact_rows(loaded, section, source, key)
    if as_json:
        _print_json(rows)
        return
    if rows:
        click.echo(facts_table(rows))
    filtered = section is not None or source is not None or key is not None
    total = _count(len(loaded.facts), "fact")
    click.echo(f"{len(rows)} of {total}" if filtered else total)


@cli.command()
@dossier_option
@click.option("--coverage", is_flag=True,
              help="Check the dossier, then show how many sentences of each source the facts cite.")
@json_option
def sources(dossier: str, coverage: bool, as_json: bool) -> None:
    """List the sources: id, reliability, date, language, outlet, author, facts citing it.

    \b
    Examples:
      briefing sources
      briefing sources --coverage
      briefing sources --coverage --json
    """
    from .listing import source_rows, sources_table, uncited_sentences
    from .load import load_dossier

    loaded = load_dossier(dossier)
    covered = None
    if coverage:
        from .check import check_dossier
        from .coverage import source_coverage

        covered = source_coverage(check_dossier(loaded))
    rows = source_rows(loaded, covered)
    if as_json:
        _print_json(rows)
        return
    if rows:
        click.echo(sources_table(rows))
    click.echo(_count(len(rows), "source"))
    if coverage and rows:
        click.echo(uncited_sentences(rows))


def main() -> None:
    """Entry point: expected errors are one line; bugs show a traceback under --debug."""
    try:
        cli.main(standalone_mode=False)
    except click.ClickException as error:  # BriefingError is one
        error.show()
        sys.exit(error.exit_code)
    except (click.exceptions.Abort, KeyboardInterrupt):  # Ctrl-C (Click makes most, not all, of them Abort)
        click.echo("interrupted; earlier outputs are unchanged", err=True)
        sys.stdout.flush()
        sys.stderr.flush()
        # Not sys.exit: when the interrupt left code run by exec() (dataclasses do that while
        # importing), CPython would end the process by SIGINT instead of status 130.
        os._exit(130)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except Exception as error:  # a bug: say so plainly
        if "--debug" in sys.argv[1:]:
            raise
        click.echo(f"internal error: {type(error).__name__}: {error} (run with --debug for the traceback)", err=True)
        sys.exit(1)
