"""Commands that grow and read a dossier: init, add-source, quote, facts, sources."""

from __future__ import annotations

import click

from .options import count, dossier_option, echo, finite, json_option, print_json, show_warning


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


@click.command()
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

    from ..authoring.init import create_dossier

    create_dossier(folder, title=title, subject=subject, author=author, organisation=organisation,
                   marking=marking, example=example)
    quoted = shlex.quote(folder)
    echo(f"created dossier {folder}: sources/ (configuration in sources/dossier.yaml"
               f"{', an example article with its facts' if example else ''}) and templates/")
    steps = [(f"briefing build --dossier {quoted}", f"build the example brief into {folder}/out/")] if example else []
    steps.append((f"briefing add-source ARTICLE.txt --dossier {quoted}", "add an article of your own"))
    width = max(len(command) for command, _ in steps)
    echo("next:")
    for command, why in steps:
        echo(f"  {command:<{width}}  {why}")


@click.command("add-source")
@click.argument("file", metavar="FILE|URL")
@dossier_option
@click.option("--id", "source_id", metavar="ID", help="Id of the new source. Default: from the file name (or link), made unique.")
@click.option("--title", help="Headline of the article. Default: the page's own.")
@click.option("--outlet", help="Newspaper, agency or site that published it. Default: the page's own.")
@click.option("--author", help="Who wrote it. Default: the page's own.")
@click.option("--date", metavar="YYYY-MM-DD", help="Publication date (or YYYY-MM, YYYY). Default: the page's own.")
@click.option("--url", help="Where it was published. Default: the page's canonical link, else the link fetched.")
@click.option("--language", metavar="CODE", help="Language of the text, e.g. en, fr, ru. Default: the page's own.")
@click.option("--origin", metavar="NAME",
              help="Where the text comes from first (a communiqué, a wire story): sources of one origin count once.")
@click.option("--reliability", type=click.Choice(list("ABCDEF"), case_sensitive=False), metavar="A-F",
              help="Admiralty grade of the source, A (reliable) to F (cannot be judged). Default: F.")
@click.option("--reliability-reason", metavar="TEXT", help="One line on why that grade.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True, max=600), callback=finite, default=20,
              show_default=True, metavar="SECONDS", help="For a URL: how long the whole download may take.")
def add_source(file: str, dossier: str, source_id: str | None, origin: str | None, timeout: float,
               **metadata: str | None) -> None:
    """Add the article FILE (or the page at URL) to the dossier, with its provenance.

    FILE is a saved web page (.html), a PDF, a Word file (.docx) or plain
    text in any common encoding; a URL (http or https) is fetched. The
    article's text is extracted (a page's main text, without navigation or
    ads) into sources/texts/ID.txt, the file itself is kept in
    sources/originals/ with its SHA-256, and the metadata the page gives
    (title, author, date, outlet, language, canonical URL) is recorded with
    where each field came from. An option overrides the page; what neither
    gives is "unknown", never guessed.

    \b
    Examples:
      briefing add-source article.html --reliability B
      briefing add-source communique.pdf --outlet "Ministry of Water" --origin commission-0311
      briefing add-source https://example.org/news/lake-orvane --dossier mydossier
      briefing add-source wire.txt --id reuters-0623 --date 2025-06-23 --language fr
    """
    import shlex

    from ..authoring.add_source import add_source as add

    added = add(dossier, file, source_id=source_id, origin=origin, timeout=timeout, **metadata)
    for warning in added.warnings:
        show_warning(warning)
    how = {"html": "the page's main text", "pdf": "the PDF's text layer", "docx": "the Word file's paragraphs"}
    extracted = how.get(added.kind, f"text decoded as {added.encoding}" if added.encoding else "")
    echo(f"added source '{added.meta.id}': {added.text_path} ({added.lines} lines, {added.characters} characters"
         f"{', ' + extracted if extracted else ''})")
    if added.original is not None:
        echo(f"kept the original: {added.original} (sha256 {(added.meta.original_sha256 or '')[:12]}…)")
    echo(f"recorded in {added.sources_file}:{added.line}")
    provenance = added.meta.provenance
    said = {"page": "from the page", "document": "from the document properties", "fetched": "from the link fetched"}
    for kind, words in said.items():
        names = [name for name in ("title", "outlet", "author", "date", "language", "url")
                 if provenance is not None and getattr(provenance, name) == kind]
        if names:
            echo(f"{words}: {', '.join(names)}")
    if added.unknown:
        echo(f"unknown: {', '.join(added.unknown)} (edit the entry when you learn more)")
    option = "" if dossier == "." else f" --dossier {shlex.quote(dossier)}"
    echo(f"next: briefing quote {added.meta.id} \"a few words of a passage\"{option}")


@click.command("remove-source")
@click.argument("source_id", metavar="SOURCE-ID", shell_complete=complete_source_ids)
@dossier_option
def remove_source(source_id: str, dossier: str) -> None:
    """Remove a source: its entry in sources.yaml, its text and its original file.

    Refused while a fact cites it: the facts citing it are listed, to change
    or remove first.

    \b
    Examples:
      briefing remove-source le-monde-2
    """
    from ..authoring.manage import remove_source as remove

    done = remove(dossier, source_id)
    echo(f"removed source '{done.source_id}' from {done.sources_file}")
    for path in done.files:
        echo(f"  deleted {path}")


@click.command("rename-source")
@click.argument("old", metavar="OLD-ID", shell_complete=complete_source_ids)
@click.argument("new", metavar="NEW-ID")
@dossier_option
def rename_source(old: str, new: str, dossier: str) -> None:
    """Give a source a new id: its entry, its text and original files, and every fact citing it.

    \b
    Examples:
      briefing rename-source article lemonde-0623
    """
    from ..authoring.manage import rename_source as rename

    done = rename(dossier, old, new)
    echo(f"renamed source '{old}' to '{new}' in {done.sources_file}")
    for path in done.files:
        echo(f"  moved to {path}")
    files = sorted({str(c.file) for c in done.facts})
    echo(f"{count(len(done.facts), 'piece')} of evidence changed" + (f" in {', '.join(files)}" if files else ""))


@click.command()
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

    from ..authoring.add_source import read_source
    from ..authoring.quote import CLOSE_ENOUGH, find_passages
    from ..errors import BriefingError

    meta, text = read_source(dossier, source)
    passages = find_passages(text, fragment, limit, language=meta.language)
    if passages and passages[0].score < CLOSE_ENOUGH:
        best = passages[0]
        raise BriefingError(f"no passage of '{meta.id}' is close to «{fragment}» (the best matches {best.score:g} %: "
                            f"«{best.text}»); check the source id and the words",
                            file=Path(dossier) / "sources" / meta.file)
    if as_json:
        print_json([{"source": meta.id, "quote": p.text, "start": p.start, "end": p.end, "line": p.line,
                      "column": p.column, "score": p.score} for p in passages])
        return
    import json

    for passage in passages:
        echo(f"    # line {passage.line}, column {passage.column}, characters {passage.start}-{passage.end}, "
                   f"match {passage.score:g} %")
        echo(f"    - source: {meta.id}\n      quote: {json.dumps(passage.text, ensure_ascii=False)}")


@click.command()
@dossier_option
@click.option("--section", "-s", metavar="ID", shell_complete=complete_section_ids, help="Only facts of this section.")
@click.option("--source", metavar="ID", shell_complete=complete_source_ids, help="Only facts citing this source.")
@click.option("--key", "-k", metavar="KEY", help="Only facts with this key (comparable facts).")
@json_option
def facts(dossier: str, section: str | None, source: str | None, key: str | None, as_json: bool) -> None:
    """List the facts: id, section, sources cited, key and value, claim.

    With --json the dossier is checked first, and each fact also gives its
    credibility, its independent sources and its evidence: source, quote as
    typed, passage as the source prints it, and the passage's character span
    (start, end) in the source text.

    \b
    Examples:
      briefing facts --section summary
      briefing facts --source apa --key accords.third
      briefing facts --json | jq '.[].claim'
    """
    from ..authoring.listing import fact_rows, facts_table
    from ..load import load_dossier

    loaded = load_dossier(dossier)
    rows = fact_rows(loaded, section, source, key)
    if as_json:
        from ..authoring.listing import with_evidence
        from ..check import check_dossier

        checked = check_dossier(loaded)
        for warning in checked.warnings:
            show_warning(warning)
        print_json(with_evidence(rows, checked))
        return
    if rows:
        echo(facts_table(rows))
    filtered = section is not None or source is not None or key is not None
    total = count(len(loaded.facts), "fact")
    echo(f"{len(rows)} of {total}" if filtered else total)


@click.command()
@click.argument("source_ids", metavar="[SOURCE-ID]...", nargs=-1, shell_complete=complete_source_ids)
@dossier_option
@click.option("--coverage", is_flag=True,
              help="Check the dossier, then show how many sentences of each source the facts cite.")
@click.option("--accept", is_flag=True,
              help="Record the fingerprint (sha256) of each SOURCE-ID's text as it is now, after an intended change.")
@click.option("--all", "accept_all", is_flag=True, help="With --accept: every source of the dossier.")
@json_option
def sources(source_ids: tuple[str, ...], dossier: str, coverage: bool, accept: bool, accept_all: bool,
            as_json: bool) -> None:
    """List the sources: id, reliability, date, language, outlet, author, facts citing it.

    With --accept, record the fingerprint of the texts named instead: 'check'
    reports a text that changed since its fingerprint was recorded.

    \b
    Examples:
      briefing sources
      briefing sources --coverage
      briefing sources --coverage --json
      briefing sources --accept apa
      briefing sources --accept --all
    """
    if accept or accept_all or source_ids:
        _accept(dossier, source_ids, accept, accept_all)
        return
    from ..authoring.listing import source_rows, sources_table, uncited_sentences
    from ..load import load_dossier

    loaded = load_dossier(dossier)
    covered = None
    if coverage:
        from ..authoring.coverage import source_coverage
        from ..check import check_dossier

        covered = source_coverage(check_dossier(loaded))
    rows = source_rows(loaded, covered)
    if as_json:
        print_json(rows)
        return
    if rows:
        echo(sources_table(rows))
    echo(count(len(rows), "source"))
    if coverage and rows:
        echo(uncited_sentences(rows))


def _accept(dossier: str, source_ids: tuple[str, ...], accept: bool, accept_all: bool) -> None:
    from ..authoring.accept import accept_fingerprints

    if not accept:
        raise click.UsageError("source ids and --all go with --accept: briefing sources --accept SOURCE-ID")
    if bool(source_ids) == accept_all:
        raise click.UsageError("--accept takes the ids of the sources, or --all, not both")
    path, done = accept_fingerprints(dossier, None if accept_all else list(source_ids))
    for item in done:
        state = "unchanged" if not item.changed else "recorded" if item.previous is None else "accepted the new text"
        also = "; the original file's fingerprint accepted too" if item.original_changed else ""
        echo(f"{item.source_id}: sha256 {item.sha256[:12]}… {state}{also} ({path}:{item.line})")
    echo(f"{count(sum(item.changed + item.original_changed for item in done), 'fingerprint')} written to {path}")
